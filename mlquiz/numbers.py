"""The one formatter of numbers, vectors and matrices for everything a user reads.

Numbers: up to four decimals, no trailing zeros, no −0, a typographic minus; a tiny non-zero value
keeps three significant figures instead of printing as 0. Vectors `[a, b]`, matrices
`[[a, b], [c, d]]`; an unknown entry (None) shows as `?`. JSON output never goes through here.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

MINUS = "−"


def fmt(x: Any, places: int = 4) -> str:
    if x is None:
        return "?"
    if isinstance(x, bool):
        return str(x).lower()
    if isinstance(x, int):
        return str(x).replace("-", MINUS)
    if isinstance(x, float):
        if math.isnan(x) or math.isinf(x):
            return "∞" if x == math.inf else (MINUS + "∞" if x == -math.inf else "?")
        if x != 0 and abs(x) < 0.5 * 10 ** (-places):
            return f"{x:.3g}".replace("-", MINUS)
        text = f"{x:.{places}f}".rstrip("0").rstrip(".")
        return "0" if text in ("-0", "") else text.replace("-", MINUS)
    if isinstance(x, dict):
        return ", ".join(f"{k}: {fmt(v, places)}" for k, v in x.items())
    if isinstance(x, (list, tuple)):
        return "[" + ", ".join(fmt(v, places) for v in x) + "]"
    return str(x)


def fmtp(x: float, places: int = 4) -> str:
    """Like fmt, with a negative number in parentheses, for use as a factor: `0.5·(−1)`."""
    text = fmt(x, places)
    return f"({text})" if text.startswith(MINUS) else text


def frac(numerator: int, denominator: int) -> str:
    """`4/6` → `2/3`; whole numbers stay whole."""
    f = Fraction(numerator, denominator)
    return str(f.numerator) if f.denominator == 1 else f"{f.numerator}/{f.denominator}"
