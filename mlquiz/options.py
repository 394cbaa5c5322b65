"""A topic's inputs as plain data, and the one place where their values are read and checked.

A topic declares its options in `problems/<topic>/topic.toml` (`[options.NAME]` with kind, default,
min, max, choices, required); their help is the text key `<topic>.option.<NAME>`. The CLI makes one
command per topic from these declarations; `parse` turns the typed strings into values, so a topic
sees floats, ints, lists and text, never raw argv. Importable without numpy.

Kinds: number (any expression the answer parser reads: `1/2`, `0.5`, `log2(3)`), integer, vector
(`1,2,3`), matrix (`1,2;3,4`, rows by `;`), table (inline text or a file: the topic reads its
cells), choice, flag, text.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mlquiz.answers import AnswerError, normalise, parse_number
from mlquiz.errors import UserError, short
from mlquiz.text import msg

OPTION_KINDS = ("number", "integer", "vector", "matrix", "table", "choice", "flag", "text")
MAX_CELLS = 20_000
MAX_FILE_BYTES = 50_000_000
MAX_TEXT = 100_000
FILE_SUFFIXES = (".csv", ".txt", ".tsv")


@dataclass(frozen=True)
class Option:
    name: str                      # as typed: --name (dashes), e.g. "target-q"
    kind: str
    default: Any = None
    min: float | None = None
    max: float | None = None
    choices: tuple[str, ...] = ()
    required: bool = False
    exclusive_min: bool = False    # min itself is not allowed (a learning rate > 0)

    @property
    def key(self) -> str:
        """The name in the values dict a topic reads: `target-q` → `target_q`."""
        return self.name.replace("-", "_")

    @property
    def flag(self) -> str:
        return "--" + self.name


def from_toml(name: str, spec: dict[str, Any], where: str) -> Option:
    if not isinstance(spec, dict):
        raise ValueError(f"{where}: options.{name} must be a table")
    unknown = set(spec) - {"kind", "default", "min", "max", "choices", "required", "exclusive_min"}
    if unknown:
        raise ValueError(f"{where}: options.{name} has unknown key {sorted(unknown)[0]!r}")
    kind = spec.get("kind")
    if kind not in OPTION_KINDS:
        raise ValueError(f"{where}: options.{name}.kind must be one of {', '.join(OPTION_KINDS)}")
    choices = tuple(str(c) for c in spec.get("choices", ()))
    if (kind == "choice") != bool(choices):
        raise ValueError(f"{where}: options.{name}: choices go with kind = \"choice\" (and it needs them)")
    return Option(name, kind, spec.get("default"), spec.get("min"), spec.get("max"), choices,
                  bool(spec.get("required", False)), bool(spec.get("exclusive_min", False)))


@dataclass(frozen=True)
class DataText:
    """The text of a table option, typed inline or read from a file (path is then set)."""

    text: str
    path: str | None = None

    @property
    def origin(self) -> str:
        return self.path or "--data"


def parse(topic: str, options: tuple[Option, ...], raw: dict[str, Any]) -> dict[str, Any]:
    """Typed strings (None when not given) → values, defaults filled in; UserError on bad input."""
    values: dict[str, Any] = {}
    for option in options:
        text = raw.get(option.key)
        if text is None or text is False:
            if option.required:
                raise UserError(msg("ui.error.option_required", topic=topic, flag=option.flag,
                                    help=msg(f"{topic}.option.{option.name}")))
            values[option.key] = False if option.kind == "flag" else option.default
            continue
        values[option.key] = read_value(option, text)
    return values


def read_value(option: Option, text: Any) -> Any:
    if option.kind == "flag":
        return bool(text)
    if len(text) > MAX_TEXT:
        raise UserError(msg("ui.error.option_too_long", flag=option.flag))
    if option.kind == "table":
        return read_table(option, text)
    clean = normalise(text).strip()
    if not clean:
        raise UserError(msg("ui.error.option_empty", flag=option.flag))
    if option.kind == "text":
        return clean
    if option.kind == "choice":
        lowered = {c.lower(): c for c in option.choices}
        if clean.lower() not in lowered:
            raise UserError(msg("ui.error.option_choice", flag=option.flag, value=short(text),
                                choices=list(option.choices)))
        return lowered[clean.lower()]
    if option.kind in ("number", "integer"):
        return _checked(option, _number(option, clean))
    rows = number_rows(clean, option.flag)
    if option.kind == "vector":
        if len(rows) > 1:
            raise UserError(msg("ui.error.option_vector", flag=option.flag, value=short(text)))
        return [_checked(option, x) for x in rows[0]]
    return [[_checked(option, x) for x in row] for row in rows]


def _number(option: Option, text: str) -> float:
    try:
        value = parse_number(text)
    except AnswerError as exc:
        raise UserError(msg("ui.error.option_number", flag=option.flag, value=short(text), reason=exc.message)) from None
    if option.kind == "integer":
        if value != int(value):
            raise UserError(msg("ui.error.option_integer", flag=option.flag, value=short(text)))
        return int(value)
    return value


def _checked(option: Option, value: float) -> float:
    low = option.min is not None and (value <= option.min if option.exclusive_min else value < option.min)
    if low or (option.max is not None and value > option.max):
        key = "ui.error.option_range_above" if option.exclusive_min else "ui.error.option_range"
        raise UserError(msg(key, flag=option.flag, value=value, low="−∞" if option.min is None else option.min,
                            high="∞" if option.max is None else option.max))
    return value


# --------------------------------------------------------------------------- tables

def split_rows(text: str, what: str) -> list[list[str]]:
    """`"4,2;1,3"` → [["4", "2"], ["1", "3"]], with full-width punctuation accepted."""
    clean = normalise(text).strip()
    rows = [[cell.strip() for cell in row.split(",")] for row in clean.split(";") if row.strip()]
    if not rows:
        raise UserError(msg("ui.error.data_empty", what=what))
    return rows


def number_rows(text: str, what: str, ragged_ok: bool = False) -> list[list[float]]:
    """Rows of numbers, each cell read by the restricted answer parser (so `1/3` works)."""
    if sum(text.count(c) for c in ",;，；") > MAX_CELLS:
        raise UserError(msg("ui.error.data_too_big", what=what, cells=MAX_CELLS))
    rows = []
    for i, row in enumerate(split_rows(text, what), start=1):
        values = []
        for cell in row:
            try:
                values.append(parse_number(cell))
            except AnswerError as exc:
                raise UserError(msg("ui.error.data_cell", what=what, row=i, cell=short(cell),
                                    reason=exc.message)) from None
        rows.append(values)
    if not ragged_ok and len({len(r) for r in rows}) > 1:
        raise UserError(msg("ui.error.data_ragged", what=what, lengths=[len(r) for r in rows]))
    return rows


def looks_like_path(text: str) -> bool:
    """A file name, not inline data: an existing file, or a name ending in .csv/.txt/.tsv.

    Inline data may contain `/` (fractions such as `1/2`), so a slash makes a path only in text
    that has none of the separators of inline data."""
    candidate = text.strip()
    if "\n" in candidate or len(candidate) > 4096 or not candidate:
        return False
    if candidate.lower().endswith(FILE_SUFFIXES):
        return True
    try:
        if Path(candidate).expanduser().exists():
            return True
    except (OSError, ValueError, RuntimeError):  # RuntimeError: `~user` of no such user
        return False
    return "/" in candidate and not any(c in candidate for c in ",;=，； ")


def read_table(option: Option, text: str) -> DataText:
    if not text.strip():
        raise UserError(msg("ui.error.option_empty", flag=option.flag))
    if not looks_like_path(text):
        return DataText(text)
    candidate = text.strip()
    path = Path(candidate).expanduser()
    where = short(candidate, 60)
    if path.is_dir():
        raise UserError(msg("ui.error.file_is_directory", flag=option.flag, path=where))
    if not path.exists():
        raise UserError(msg("ui.error.file_missing", flag=option.flag, path=where))
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            raise UserError(msg("ui.error.file_too_big", flag=option.flag, path=where))
        content = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise UserError(msg("ui.error.file_not_text", flag=option.flag, path=where)) from None
    except OSError as exc:
        raise UserError(msg("ui.error.file_unreadable", flag=option.flag, path=where,
                            reason=exc.strerror or str(exc))) from None
    if not content.strip():
        raise UserError(msg("ui.error.file_empty", flag=option.flag, path=where))
    return DataText(content, str(path))
