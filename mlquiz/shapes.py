"""What is wrong with a wrong vector or matrix: which entries, or which whole-answer slip.

A student's vector or matrix is rarely wrong everywhere. Entry by entry, each is judged with the
part's tolerance; and before that, a few transformations of the right value that students make
are tried on the whole answer — transposed, the sign flipped, scaled by the learning rate η or the
number of samples N (or divided by them), rows or columns in another order, or the entries of a
vector (a shape such as (c, h, w)) in another order. Any other constant factor is not named: it is
an arithmetic slip like any other. Plain data in, plain data out.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import permutations
from typing import Any

from mlquiz.answers import shape_of
from mlquiz.model import Tolerance


@dataclass(frozen=True)
class Slip:
    """A whole-answer transformation: kind is transposed, negated, scaled, rows, columns or order;
    factor (for scaled) and what the factor is (eta, n, or "")."""

    kind: str
    factor: float | None = None
    named: str = ""


def _flat(value: Any) -> list[float]:
    return [x for row in value for x in (row if isinstance(row, list) else [row])]


def _close(a: Any, b: Any, tolerance: Tolerance) -> bool:
    if shape_of(a) != shape_of(b):
        return False
    return all(tolerance.allows(x, y) for x, y in zip(_flat(a), _flat(b)))


def wrong_entries(student: Any, expected: Any, tolerance: Tolerance) -> list[tuple[int, ...]]:
    """Index paths of the entries outside tolerance (same shapes only)."""
    if shape_of(student) != shape_of(expected):
        return []
    if expected and isinstance(expected[0], list):
        return [(i, j) for i, row in enumerate(expected) for j, x in enumerate(row)
                if not tolerance.allows(student[i][j], x)]
    return [(i,) for i, x in enumerate(expected) if not tolerance.allows(student[i], x)]


def transposed(value: list[list[float]]) -> list[list[float]]:
    return [list(column) for column in zip(*value)]


def find_slip(student: Any, expected: Any, tolerance: Tolerance, eta: float | None = None,
              samples: int | None = None) -> Slip | None:
    """The whole-answer transformation of the right value that the student's value is, if any."""
    if not isinstance(expected, list) or not expected or _close(student, expected, tolerance):
        return None
    matrix = isinstance(expected[0], list)
    if matrix and _close(student, transposed(expected), tolerance):
        return Slip("transposed")
    if _close(student, _scaled(expected, -1.0), tolerance) and any(abs(x) > tolerance.absolute for x in _flat(expected)):
        return Slip("negated")
    ratio = _ratio(student, expected)
    if ratio is not None and _close(student, _scaled(expected, ratio), tolerance):
        for factor, named in ((eta, "eta"), (1 / eta if eta else None, "per_eta"),
                              (float(samples) if samples else None, "n"), (1 / samples if samples else None, "per_n")):
            if factor is not None and factor != 1 and abs(ratio - factor) <= 1e-3 * abs(factor):
                return Slip("scaled", factor, named)
    if matrix and shape_of(student) == shape_of(expected):
        for kind, arrange in (("rows", lambda m, p: [m[i] for i in p]),
                              ("columns", lambda m, p: [[row[i] for i in p] for row in m])):
            size = len(expected) if kind == "rows" else len(expected[0])
            if size <= 4 and any(_close(student, arrange(expected, p), tolerance)
                                 for p in permutations(range(size)) if list(p) != list(range(size))):
                return Slip(kind)
    if not matrix and 1 < len(expected) <= 4 and shape_of(student) == shape_of(expected):
        if any(_close(student, [expected[i] for i in p], tolerance)
               for p in permutations(range(len(expected))) if list(p) != list(range(len(expected)))):
            return Slip("order")
    return None


def _scaled(value: Any, factor: float) -> Any:
    return [_scaled(v, factor) for v in value] if isinstance(value, list) else value * factor


def _ratio(student: Any, expected: Any) -> float | None:
    """student / expected where that is one constant other than 1 (taken from the largest entry)."""
    if shape_of(student) != shape_of(expected):
        return None
    pairs = [(s, e) for s, e in zip(_flat(student), _flat(expected))]
    s, e = max(pairs, key=lambda pair: abs(pair[1]))
    if abs(e) < 1e-12 or abs(s) < 1e-12:
        return None
    ratio = s / e
    return None if abs(ratio - 1) < 1e-3 or abs(ratio + 1) < 1e-3 else ratio
