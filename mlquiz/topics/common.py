"""What topic modules share: the one number formatter, data-text readers, bounded retries, the
carried-forward value in the computed shape, a value written back as option text, and the test a
generated problem must pass."""

from __future__ import annotations

from typing import Any

from mlquiz.answers import AnswerError, parse_number
from mlquiz.engine import attempts
from mlquiz.numbers import fmt, fmtp, frac
from mlquiz.options import DataText, number_rows, split_rows

__all__ = ["DataText", "attempts", "fmt", "fmtp", "frac", "is_number", "like", "number_rows", "passes", "split_rows",
           "typed"]


def is_number(cell: str) -> bool:
    """Whether a table cell reads as a number (a header row has none)."""
    try:
        parse_number(cell)
    except AnswerError:
        return False
    return True


def like(carried: Any, computed: Any) -> Any:
    """The value a step handed on (the student's, when carried forward by the Derivation) as an
    array in the shape of the computed one; a value of another size, not numeric or not finite
    cannot stand in for it, and the computed value goes on instead."""
    import numpy as np

    try:
        value = np.asarray(carried, dtype=float)
    except (TypeError, ValueError):
        return computed
    if value.size != computed.size or not np.all(np.isfinite(value)):
        return computed
    return value.reshape(computed.shape)


def typed(values: Any) -> str:
    """A vector `1.0,2.0` or a matrix `1.0,2.0;3.0,4.0`, as the options read them (exactly: repr)."""
    rows = values if values and isinstance(values[0], list) else [values]
    return ";".join(",".join(repr(float(v)) for v in row) for row in rows)


def passes(given: dict, level: str, solve: Any, well_posed: Any) -> bool:
    """Whether generated data solves and is well posed at this level (a candidate to draw again
    when not)."""
    try:
        solution = solve(given)
    except (ArithmeticError, ValueError):
        return False
    try:
        well_posed(type("P", (), {"given": given, "solution": solution, "difficulty": level}))
    except AssertionError:
        return False
    return True
