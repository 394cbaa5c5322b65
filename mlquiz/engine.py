"""Building Problems: from a seed (random generator), from the bank in problems/, or from user data.

Reproducibility: the generator gets a `random.Random` seeded with the text
"mlquiz/<topic>/<difficulty>/<seed>". Python seeds a Random from a str through SHA-512 and its
Mersenne Twister is specified exactly, so the same seed gives the same problem on any machine
and any Python ≥ 3.2. Generators use only that rng (never numpy's global state or the clock).
"""

from __future__ import annotations

import os
import random
import secrets
import tomllib
from pathlib import Path
from typing import Any

from mlquiz import registry
from mlquiz.errors import UserError, short
from mlquiz.model import DIFFICULTIES, Problem

MAX_SEED = 10**9


def problems_dir() -> Path:
    """The data folder: inside the installed package, or at the top of a source checkout."""
    packaged = Path(__file__).resolve().parent / "problems"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent / "problems"


def new_seed() -> int:
    return secrets.randbelow(99_999) + 1


def rng_for(topic: str, difficulty: str, seed: int) -> random.Random:
    return random.Random(f"mlquiz/{topic}/{difficulty}/{seed}")


def check_difficulty(difficulty: str) -> str:
    difficulty = difficulty.strip().lower()
    if difficulty not in DIFFICULTIES:
        raise UserError(f"unknown difficulty {short(difficulty)}; choose easy, medium or hard")
    return difficulty


def check_seed(seed: int) -> int:
    if not 0 <= seed < MAX_SEED:
        raise UserError(f"--seed must be a whole number from 0 to {MAX_SEED - 1}")
    return seed


def build(topic: str, given: dict[str, Any], difficulty: str, seed: int | None, source: str) -> Problem:
    module = registry.load(topic)
    solution = module.solve(given)
    return Problem(
        topic=registry.info(topic).name, seed=seed, difficulty=difficulty, given=given,
        statement=module.statement(given), parts=module.parts(given, solution, difficulty),
        solution=solution, table=module.table(given), source=source,
    )


def generate(topic: str, seed: int | None = None, difficulty: str = "medium") -> Problem:
    name = registry.info(topic).name
    difficulty = check_difficulty(difficulty)
    seed = new_seed() if seed is None else check_seed(seed)
    given = registry.load(name).generate(rng_for(name, difficulty, seed), difficulty)
    return build(name, given, difficulty, seed, "random")


def bank_entries(topic: str) -> list[dict[str, Any]]:
    name = registry.info(topic).name
    path = problems_dir() / name / "bank.toml"
    if not path.is_file():
        raise UserError(f"topic {name!r} has no problem bank yet (looked for {path})")
    with path.open("rb") as handle:
        data = tomllib.load(handle)
    entries = data.get("problem", [])
    for entry in entries:
        if "csv" in entry:  # a bank entry may keep its table in a CSV file beside bank.toml
            import csv

            with (path.parent / entry["csv"]).open(encoding="utf-8-sig", newline="") as handle:
                rows = [row for row in csv.reader(handle) if row]
            entry.setdefault("columns", rows[0])
            entry.setdefault("rows", rows[1:])
    return entries


def from_bank(topic: str, seed: int | None = None) -> Problem:
    """Bank entry number `seed` (modulo the bank's size), or a random one."""
    name = registry.info(topic).name
    entries = bank_entries(name)
    seed = new_seed() if seed is None else check_seed(seed)
    entry = entries[seed % len(entries)]
    given = registry.load(name).from_bank(entry)
    return build(name, given, entry.get("difficulty", "medium"), seed, f"bank:{entry['id']}")


def read_data(data: str) -> tuple[str, str | None]:
    """--data is either inline text or a path to a file; return (text, path or None)."""
    candidate = data.strip()
    looks_like_path = (os.sep in candidate or candidate.lower().endswith((".csv", ".txt", ".tsv"))) \
        and "\n" not in candidate and len(candidate) < 4096
    if not looks_like_path:
        return data, None
    path = Path(candidate).expanduser()
    if path.is_dir():
        raise UserError(f"--data {candidate}: is a directory, not a file")
    if not path.exists():
        raise UserError(f"--data {candidate}: no such file")
    try:
        if path.stat().st_size > 50_000_000:
            raise UserError(f"--data {candidate}: the file is larger than 50 MB")
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise UserError(f"--data {candidate}: not a UTF-8 text file") from None
    except OSError as exc:
        raise UserError(f"--data {candidate}: cannot read it ({exc.strerror or exc})") from None
    if not text.strip():
        raise UserError(f"--data {candidate}: the file is empty")
    return text, str(path)


def from_data(topic: str, data: str | None, options: dict[str, Any]) -> Problem:
    """A problem made of the user's own numbers (`solve`, `check`)."""
    name = registry.info(topic).name
    module = registry.load(name)
    accepted = set(getattr(module, "OPTIONS", {}))
    unused = sorted(k for k, v in options.items() if v is not None and v is not False and k not in accepted)
    if unused:
        flags = ", ".join("--" + k.replace("_", "-") for k in unused)
        raise UserError(f"{flags} does not apply to {name}; it takes --data"
                        + "".join(f", --{k.replace('_', '-')}" for k in sorted(accepted)))
    text, path = read_data(data) if data is not None else ("", None)
    if data is not None and not text.strip():
        raise UserError("--data is empty")
    given = module.parse_data(text, {**options, "path": path, "has_data": data is not None})
    return build(name, given, "custom", None, "data")
