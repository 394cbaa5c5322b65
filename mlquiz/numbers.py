"""The one formatter of numbers, vectors and matrices for everything a user reads.

Numbers: at least four significant figures (four decimals for larger values), no trailing zeros,
no −0, a typographic minus; below 10⁻⁶ in scientific notation. Vectors `[a, b]`, matrices
`[[a, b], [c, d]]`; an unknown entry (None) shows as `?`. JSON output never goes through here.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

MINUS = "−"


SIGNIFICANT = 4  # figures shown at least: a gradient of 0.000439 prints as 0.000439, not 0.0004
PLAIN_DECIMALS = 4


def fmt(x: Any, places: int | None = None) -> str:
    """A value as the student reads it. Numbers keep at least four significant figures (and at
    least four decimals below 1000), so what is printed is always within the answer tolerance
    (0.6 %) of the exact value; `places` fixes the decimals instead (scores: one)."""
    if x is None:
        return "?"
    if isinstance(x, bool):
        return str(x).lower()
    if isinstance(x, int):
        return str(x).replace("-", MINUS)
    if isinstance(x, float):
        if math.isnan(x) or math.isinf(x):
            return "∞" if x == math.inf else (MINUS + "∞" if x == -math.inf else "?")
        if places is None:
            if x != 0 and abs(x) < 1e-6:
                return f"{x:.{SIGNIFICANT}g}".replace("-", MINUS)
            places = PLAIN_DECIMALS
            if x != 0 and abs(x) < 1:
                places = max(PLAIN_DECIMALS, SIGNIFICANT - 1 - math.floor(math.log10(abs(x))))
        text = f"{x:.{places}f}".rstrip("0").rstrip(".")
        return "0" if text in ("-0", "") else text.replace("-", MINUS)
    if isinstance(x, dict):
        return ", ".join(f"{k}: {fmt(v, places)}" for k, v in x.items())
    if isinstance(x, (list, tuple)):
        return "[" + ", ".join(fmt(v, places) for v in x) + "]"
    return str(x)


def fmtp(x: float, places: int | None = None) -> str:
    """Like fmt, with a negative number in parentheses, for use as a factor: `0.5·(−1)`."""
    text = fmt(x, places)
    return f"({text})" if text.startswith(MINUS) else text


def frac(numerator: int, denominator: int) -> str:
    """`4/6` → `2/3`; whole numbers stay whole."""
    f = Fraction(numerator, denominator)
    return str(f.numerator) if f.denominator == 1 else f"{f.numerator}/{f.denominator}"
