"""What topic modules share: the one number formatter, data-text readers, bounded retries."""

from __future__ import annotations

from mlquiz.engine import attempts
from mlquiz.numbers import fmt, fmtp, frac
from mlquiz.options import DataText, number_rows, split_rows

__all__ = ["DataText", "attempts", "fmt", "fmtp", "frac", "number_rows", "split_rows"]
