"""Building Problems: from a seed (random generator), from the bank in problems/, or from user data.

Reproducibility: the generator gets a `random.Random` seeded with the text
"mlquiz/<topic>/<difficulty>/<seed>". Python seeds a Random from a str through SHA-512 and its
Mersenne Twister is specified exactly, so the same seed gives the same problem on any machine
and any Python ≥ 3.2. Generators use only that rng (never numpy's global state or the clock).
"""

from __future__ import annotations

import random
import secrets
import tomllib
from typing import Any

from mlquiz import options, registry
from mlquiz.paths import problems_dir  # noqa: F401 (engine.problems_dir is used by callers)
from mlquiz.errors import UserError, short
from mlquiz.model import DIFFICULTIES, Problem
from mlquiz.text import msg

MAX_SEED = 10**9


def new_seed() -> int:
    return secrets.randbelow(99_999) + 1


def rng_for(topic: str, difficulty: str, seed: int) -> random.Random:
    return random.Random(f"mlquiz/{topic}/{difficulty}/{seed}")


def check_difficulty(difficulty: str) -> str:
    difficulty = difficulty.strip().lower()
    if difficulty not in DIFFICULTIES:
        raise UserError(msg("ui.error.difficulty", value=short(difficulty)))
    return difficulty


def check_seed(seed: int) -> int:
    if not 0 <= seed < MAX_SEED:
        raise UserError(msg("ui.error.seed", high=MAX_SEED - 1))
    return seed


def build(topic: str, given: dict[str, Any], difficulty: str, seed: int | None, source: str) -> Problem:
    info = registry.info(topic)
    module = registry.load(topic)
    solution = module.solve(given)
    return Problem(
        topic=info.name, seed=seed, difficulty=difficulty, given=given,
        statement=tuple(module.statement(given)), parts=module.parts(given, solution, difficulty),
        solution=solution, table=module.table(given), source=source, kind=info.kind, version=info.version,
    )


def generate(topic: str, seed: int | None = None, difficulty: str = "medium") -> Problem:
    name = registry.info(topic).name
    difficulty = check_difficulty(difficulty)
    seed = new_seed() if seed is None else check_seed(seed)
    given = registry.load(name).generate(rng_for(name, difficulty, seed), difficulty)
    return build(name, given, difficulty, seed, "random")


def bank_entries(topic: str) -> list[dict[str, Any]]:
    """The topic's fixed problems (problems/<topic>/bank.toml), each checked when read."""
    info = registry.info(topic)
    path = info.folder / "bank.toml"
    if not path.is_file():
        raise UserError(msg("ui.error.no_bank", topic=info.name))
    with path.open("rb") as handle:
        data = tomllib.load(handle)
    entries = data.get("problem", [])
    for i, entry in enumerate(entries, start=1):
        if not isinstance(entry.get("id"), str) or not entry["id"]:
            raise ValueError(f"{path}: problem {i} has no id")
        if entry.get("difficulty", "medium") not in DIFFICULTIES:
            raise ValueError(f"{path}: problem {entry['id']}: difficulty must be easy, medium or hard")
        if "csv" in entry:  # a bank entry may keep its table in a CSV file beside bank.toml
            import csv

            with (path.parent / entry["csv"]).open(encoding="utf-8-sig", newline="") as handle:
                rows = [row for row in csv.reader(handle) if row]
            entry.setdefault("columns", rows[0])
            entry.setdefault("rows", rows[1:])
    if not entries:
        raise ValueError(f"{path}: no [[problem]] entries")
    return entries


def from_bank(topic: str, seed: int | None = None) -> Problem:
    """Bank entry number `seed` (modulo the bank's size), or a random one."""
    name = registry.info(topic).name
    entries = bank_entries(name)
    seed = new_seed() if seed is None else check_seed(seed % MAX_SEED)
    entry = entries[seed % len(entries)]
    given = registry.load(name).from_bank(entry)
    problem = build(name, given, entry.get("difficulty", "medium"), seed, f"bank:{entry['id']}")
    problem.citation = entry.get("source", "")
    return problem


def from_data(topic: str, raw: dict[str, Any]) -> Problem:
    """A problem made of the user's own numbers (`solve`, `check`): `raw` holds the typed option
    strings, read and range-checked here, once, from the topic's declarations."""
    info = registry.info(topic)
    values = options.parse(info.name, info.options, raw)
    given = registry.load(info.name).parse_data(values)
    return build(info.name, given, "custom", None, "data")


def attempts(limit: int = 5000):
    """Bounded retries for a generator: `for _ in attempts(): … return given`; after `limit`
    tries it stops with a clear error instead of looping for ever."""
    yield from range(limit)
    raise RuntimeError(f"the generator found no well-posed problem in {limit} tries")
