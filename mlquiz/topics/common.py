"""What topic modules share: the one number formatter, data-text readers, bounded retries."""

from __future__ import annotations

from mlquiz.answers import AnswerError, parse_number
from mlquiz.engine import attempts
from mlquiz.numbers import fmt, fmtp, frac
from mlquiz.options import DataText, number_rows, split_rows

__all__ = ["DataText", "attempts", "fmt", "fmtp", "frac", "is_number", "number_rows", "split_rows"]


def is_number(cell: str) -> bool:
    """Whether a table cell reads as a number (a header row has none)."""
    try:
        parse_number(cell)
    except AnswerError:
        return False
    return True
