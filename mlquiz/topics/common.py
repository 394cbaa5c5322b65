"""Small helpers the topics share: number formatting for derivations and data-text parsing."""

from __future__ import annotations

from fractions import Fraction

from mlquiz.answers import AnswerError, normalise, parse_number
from mlquiz.errors import UserError, short


def fmt(x: float, places: int = 4) -> str:
    """A number as written in a derivation: up to `places` decimals, no trailing zeros, no −0."""
    if x != x:  # nan
        return "undefined"
    text = f"{x:.{places}f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text.replace("-", "−")


def fmtp(x: float, places: int = 4) -> str:
    """Like fmt, with a negative number in parentheses, for use as a factor: `0.5·(−1)`."""
    text = fmt(x, places)
    return f"({text})" if text.startswith("−") else text


def frac(numerator: int, denominator: int) -> str:
    """`4/6` → `2/3`; whole numbers stay whole."""
    f = Fraction(numerator, denominator)
    return str(f.numerator) if f.denominator == 1 else f"{f.numerator}/{f.denominator}"


def split_rows(text: str, what: str, example: str) -> list[list[str]]:
    """`"4,2;1,3"` → [["4", "2"], ["1", "3"]], with full-width punctuation accepted."""
    clean = normalise(text).strip()
    if not clean:
        raise UserError(f"{what} is empty; expected something like {example!r}")
    rows = [[cell.strip() for cell in row.split(",")] for row in clean.split(";") if row.strip()]
    if not rows:
        raise UserError(f"{what} is empty; expected something like {example!r}")
    return rows


MAX_CELLS = 20_000


def number_rows(text: str, what: str, example: str, ragged_ok: bool = False) -> list[list[float]]:
    """Rows of numbers, each cell parsed by the restricted answer parser (so `1/3` works)."""
    if text.count(",") + text.count(";") + text.count("，") + text.count("；") > MAX_CELLS:
        raise UserError(f"{what}: more than {MAX_CELLS} numbers; this tool solves problems of hand-calculation size")
    rows = []
    for i, row in enumerate(split_rows(text, what, example), start=1):
        values = []
        for cell in row:
            try:
                values.append(parse_number(cell))
            except AnswerError as exc:
                raise UserError(f"{what}: row {i} has {short(cell)}, which is not a number ({exc}); "
                                f"expected something like {example!r}") from None
        rows.append(values)
    if not ragged_ok and len({len(r) for r in rows}) > 1:
        lengths = ", ".join(str(len(r)) for r in rows)
        raise UserError(f"{what}: rows have different lengths ({lengths}); expected something like {example!r}")
    return rows


def split_name(name: str) -> tuple[str, list[str]]:
    """`covariance[0][1]` → ("covariance", ["0", "1"]); `information_gain[Outlook]` → (…, ["Outlook"])."""
    base = name.split("[", 1)[0].strip()
    rest = name[len(base):]
    return base, [piece.strip() for piece in rest.replace("]", "").split("[")[1:]]


def resolve(value, path: list[str]):
    """Follow `path` (dict keys or list indices) into a nested answer."""
    for key in path:
        value = value[key] if isinstance(value, dict) else value[int(key)]
    return value


def answer_at(answers: dict, name: str):
    """The answer addressed by a name such as `q_tables[0]` or `information_gain[Outlook]`."""
    base, path = split_name(name)
    return resolve(answers[base], path)
