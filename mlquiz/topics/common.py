"""What topic modules share: the one number formatter, data-text readers, bounded retries, and
the carried-forward value in the computed shape."""

from __future__ import annotations

from typing import Any

from mlquiz.answers import AnswerError, parse_number
from mlquiz.engine import attempts
from mlquiz.numbers import fmt, fmtp, frac
from mlquiz.options import DataText, number_rows, split_rows

__all__ = ["DataText", "attempts", "fmt", "fmtp", "frac", "is_number", "like", "number_rows", "split_rows"]


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
