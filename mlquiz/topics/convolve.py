"""The values of a feature map: convolution (+ bias) → ReLU → pooling, and the unrolled matrix C.

Convolution is cross-correlation, as deep-learning libraries compute it (the kernel is not flipped):
    y[i][j] = Σ_u Σ_v X_p[i·S + u][j·S + v]·K[u][v] + b,   X_p = X with P rings of zeros,
    output side M = ⌊(N + 2P − F)/S⌋ + 1 (square input N×N, square kernel F×F).
ReLU: a = max(0, y). Pooling (max or avg) with its own window k and stride s over the map, windows
never leave it: side ⌊(M − k)/s⌋ + 1. conv_matrix (padding 0, N ≤ 6): C with y − b = C·vec(X),
vec row-major, C[i·M + j][(i·S + u)·N + (j·S + v)] = K[u][v].

given = {"input": N×N, "kernel": F×F, "bias": b, "stride": S, "padding": P, "relu": bool,
         "pool": None | "max" | "avg", "pool_size": k, "pool_stride": s}
Answers: output_size, feature_map, activated (relu), pooled (pool), conv_matrix (P = 0, N ≤ 6).
Steps: size, feature_map, activated, pool_size, pooled, conv_matrix. Carried forward: ReLU acts on the
student's own feature map, pooling on the student's own activated (or feature) map.
"""

from __future__ import annotations

import math
import random
from types import SimpleNamespace
from typing import Any

from mlquiz.derivation import Derivation
from mlquiz.errors import UserError
from mlquiz.model import Part, Solution
from mlquiz.text import Msg, Texts
from mlquiz.topics.common import attempts, fmt, fmtp, typed as _typed

T = Texts("convolve")

MAX_SIDE = 30          # input side
MAX_MATRIX_SIDE = 6    # conv_matrix only for inputs up to 6×6
LIMIT = 1e6
POOLS = ("max", "avg")


# --------------------------------------------------------------------------- arithmetic

def _r(v: float) -> float:
    return round(float(v), 10) + 0.0


def side(n: int, f: int, p: int, s: int) -> int:
    return (n + 2 * p - f) // s + 1


def padded(x: list[list[float]], p: int) -> list[list[float]]:
    n = len(x)
    out = [[0.0] * (n + 2 * p) for _ in range(n + 2 * p)]
    for i in range(n):
        for j in range(n):
            out[i + p][j + p] = float(x[i][j])
    return out


def flipped(k: list[list[float]]) -> list[list[float]]:
    return [list(reversed(row)) for row in reversed(k)]


def correlate(x: list[list[float]], k: list[list[float]], b: float, s: int, p: int) -> list[list[float]]:
    xp, f = padded(x, p), len(k)
    m = side(len(x), f, p, s)
    return [[_r(sum(xp[i * s + u][j * s + v] * k[u][v] for u in range(f) for v in range(f)) + b)
             for j in range(m)] for i in range(m)]


def relu(y: list[list[float]]) -> list[list[float]]:
    return [[_r(max(0.0, float(v))) for v in row] for row in y]


def pool(a: list[list[float]], kind: str, k: int, s: int) -> list[list[float]]:
    q = side(len(a), k, 0, s)
    out = []
    for i in range(q):
        row = []
        for j in range(q):
            window = [float(a[i * s + u][j * s + v]) for u in range(k) for v in range(k)]
            row.append(_r(max(window) if kind == "max" else sum(window) / len(window)))
        out.append(row)
    return out


def unrolled(n: int, k: list[list[float]], s: int) -> list[list[float]]:
    f = len(k)
    m = side(n, f, 0, s)
    c = [[0.0] * (n * n) for _ in range(m * m)]
    for i in range(m):
        for j in range(m):
            for u in range(f):
                for v in range(f):
                    c[i * m + j][(i * s + u) * n + (j * s + v)] = float(k[u][v])
    return c


def has_matrix(given: dict) -> bool:
    return given["padding"] == 0 and len(given["input"]) <= MAX_MATRIX_SIDE


def _m(rows: list[list[float]]) -> str:
    return "[" + "; ".join(", ".join(fmt(float(v)) for v in row) for row in rows) + "]"


# --------------------------------------------------------------------------- solving

def _shape_ok(value: Any, size: int) -> bool:
    return (isinstance(value, list) and len(value) == size
            and all(isinstance(row, list) and len(row) == size for row in value))


def solve(given: dict, override: dict[tuple, Any] | None = None) -> Solution:
    d = Derivation(override)
    x, k = given["input"], given["kernel"]
    n, f, s, p, b = len(x), len(k), given["stride"], given["padding"], float(given["bias"])
    m = side(n, f, p, s)
    d.step("size", T("title.size"), T("formula.size"),
           f"⌊({n} + 2·{p} − {f})/{s}⌋ + 1 = {m}", m, answer=("output_size",))
    if (n + 2 * p - f) % s:
        d.note(T("note.floor", n=n, p=p, f=f, s=s))
    if p:
        d.note(T("note.padding", p=p, side=n + 2 * p))
    xp = padded(x, p)
    y = correlate(x, k, b, s, p)
    lines: list[Any] = []
    for i in range(m):
        for j in range(m):
            terms = " + ".join(f"{fmtp(xp[i * s + u][j * s + v])}·{fmtp(k[u][v])}"
                               for u in range(f) for v in range(f))
            bias = f" + {fmtp(b)}" if b else ""
            lines.append(f"y[{i + 1},{j + 1}] = {terms}{bias} = {fmt(y[i][j])}")
    fmap = d.step("feature_map", T("title.feature_map"), T("formula.feature_map"), lines, y,
                  answer=("feature_map",), note=T("note.no_flip"))
    if not _shape_ok(fmap, m):
        fmap = y
    current = fmap
    if given.get("relu"):
        a = relu(fmap)
        alines = [f"a[{i + 1},{j + 1}] = max(0, {fmt(float(fmap[i][j]))}) = {fmt(a[i][j])}"
                  for i in range(m) for j in range(m)]
        current = d.step("activated", T("title.activated"), T("formula.activated"), alines, a,
                         answer=("activated",))
        if not _shape_ok(current, m):
            current = a
    if given.get("pool"):
        kind, pk, ps = given["pool"], given["pool_size"], given["pool_stride"]
        q = side(m, pk, 0, ps)
        d.step("pool_size", T("title.pool_size"), T("formula.pool_size"), f"⌊({m} − {pk})/{ps}⌋ + 1 = {q}", q)
        if (m - pk) % ps:
            d.note(T("note.pool_floor", m=m, k=pk, s=ps))
        pooled = pool(current, kind, pk, ps)
        plines: list[Any] = []
        for i in range(q):
            for j in range(q):
                window = [fmt(float(current[i * ps + u][j * ps + v])) for u in range(pk) for v in range(pk)]
                if kind == "max":
                    plines.append(f"z[{i + 1},{j + 1}] = max({', '.join(window)}) = {fmt(pooled[i][j])}")
                else:
                    plines.append(f"z[{i + 1},{j + 1}] = ({' + '.join(window)})/{pk * pk} = {fmt(pooled[i][j])}")
        d.step("pooled", T(f"title.pooled_{kind}"), T(f"formula.pooled_{kind}"), plines, pooled,
               answer=("pooled",), note=T("note.pool_layer"))
    if has_matrix(given):
        c = unrolled(n, k, s)
        d.step("conv_matrix", T("title.conv_matrix"), T("formula.conv_matrix"),
               T("line.conv_matrix", rows=m * m, cols=n * n), c, answer=("conv_matrix",),
               note=T("note.transposed"))
    return d.solution()


# --------------------------------------------------------------------------- problem text

def _asks_matrix(given: dict) -> bool:
    n = len(given["input"])
    return has_matrix(given) and n <= 5 and side(n, len(given["kernel"]), 0, given["stride"]) <= 2


def statement(given: dict) -> list[Msg]:
    n, f = len(given["input"]), len(given["kernel"])
    out = [T("statement.conv", n=n, f=f, s=given["stride"], p=given["padding"], b=fmt(float(given["bias"])))]
    if given.get("relu"):
        out.append(T("statement.relu"))
    if given.get("pool"):
        out.append(T(f"statement.pool_{given['pool']}", k=given["pool_size"], s=given["pool_stride"]))
    out.append(T("statement.ask"))
    if _asks_matrix(given):
        out.append(T("statement.matrix", n=n))
    return out


def table(given: dict) -> tuple[list, list[list[str]]]:
    """One line per row: the input X beside the kernel K."""
    x, k = given["input"], given["kernel"]
    rows = [[str(i + 1), "  ".join(fmt(float(v)) for v in x[i]),
             "  ".join(fmt(float(v)) for v in k[i]) if i < len(k) else ""] for i in range(len(x))]
    return [T("header.row"), "X", "K"], rows


def _matrix_part(name: str, prompt: Msg, value: list, step: str) -> Part:
    return Part((name,), prompt, "matrix", value, step=step)


def parts(given: dict, solution: Solution, difficulty: str) -> list[Part]:
    a = solution.answers
    out = [Part(("output_size",), T("prompt.output_size"), "integer", a["output_size"], step="size"),
           _matrix_part("feature_map", T("prompt.feature_map"), a["feature_map"], "feature_map")]
    if given.get("relu"):
        out.append(_matrix_part("activated", T("prompt.activated"), a["activated"], "activated"))
    if given.get("pool"):
        out.append(_matrix_part("pooled", T(f"prompt.pooled_{given['pool']}"), a["pooled"], "pooled"))
    if _asks_matrix(given):
        out.append(_matrix_part("conv_matrix", T("prompt.conv_matrix"), a["conv_matrix"], "conv_matrix"))
    return out


def _cells(rows: list[list[float]]) -> list[float]:
    return [float(v) for row in rows for v in row]


def _tenths(v: float) -> bool:
    return abs(v * 10 - round(v * 10)) < 1e-9


def well_posed(problem: Any) -> None:
    """Hand-sized integers (bias: one decimal at most); a kernel that is not 180°-symmetric (so a
    flipped kernel gives another map); a ReLU that both cuts and keeps; pooled maps of side ≥ 2 whose
    windows fit the map. Easy: N ≤ 4, F = 2 or 3, S = 1, P = 0, no pooling. Medium: ReLU, then max
    pooling 2×2 with stride 2, or the matrix C of a 2×2 map. Hard: N ≥ 5, F = 3, pooling after ReLU,
    a map of side ≤ 4 (stride 2, padding or a floor)."""
    g, level = problem.given, problem.difficulty
    x, k = g["input"], g["kernel"]
    n, f = len(x), len(k)
    assert all(v == int(v) and abs(v) <= 9 for v in _cells(x) + _cells(k))
    assert _tenths(float(g["bias"])) and abs(g["bias"]) <= 5
    assert k != flipped(k)
    y = correlate(x, k, float(g["bias"]), g["stride"], g["padding"])
    m = len(y)
    assert 2 <= m <= 5
    assert correlate(x, flipped(k), float(g["bias"]), g["stride"], g["padding"]) != y
    assert any(v != 0 for v in _cells(y))
    if g.get("relu"):
        assert any(v < 0 for v in _cells(y)) and any(v > 0 for v in _cells(y))
    if g.get("pool"):
        assert g["pool_size"] <= m and (m - g["pool_size"]) % g["pool_stride"] == 0
        assert side(m, g["pool_size"], 0, g["pool_stride"]) >= 2
    if level == "easy":
        assert n <= 4 and f in (2, 3) and g["stride"] == 1 and g["padding"] == 0 and not g.get("pool")
        assert g["bias"] == 0
    elif level == "medium":
        assert g.get("relu") and (_asks_matrix(g) and not g.get("pool") or g["pool"] == "max" and g["pool_size"] == 2
                                  and g["pool_stride"] == 2 and g["stride"] == 1)
    else:
        assert n >= 5 and f == 3 and g.get("pool") and m <= 4


# --------------------------------------------------------------------------- generating

def _matrix(rng: random.Random, n: int, low: int, high: int) -> list[list[float]]:
    return [[float(rng.randint(low, high)) for _ in range(n)] for _ in range(n)]


def _given(x: list, k: list, b: float, s: int, p: int, relu_on: bool, pool_kind: str | None,
           pk: int = 2, ps: int = 2) -> dict:
    return {"input": x, "kernel": k, "bias": float(b), "stride": s, "padding": p, "relu": relu_on,
            "pool": pool_kind, "pool_size": pk if pool_kind else 2, "pool_stride": ps if pool_kind else 2}


def _fits(given: dict, level: str) -> bool:
    try:
        well_posed(SimpleNamespace(given=given, difficulty=level))
    except AssertionError:
        return False
    return True


def _easy(rng: random.Random) -> dict:
    for _ in attempts():
        n, f = rng.choice(((3, 2), (4, 3), (4, 2)))
        given = _given(_matrix(rng, n, 0, 3), _matrix(rng, f, -1, 2), 0.0, 1, 0, rng.random() < 0.5, None)
        if _fits(given, "easy"):
            return given


def _medium(rng: random.Random) -> dict:
    """A 4×4 map max-pooled 2×2 with stride 2, or (one time in three) a 2×2 map and its matrix C."""
    for _ in attempts():
        b = rng.choice((-2, -1, 0, 1, 2))
        if rng.random() < 1 / 3:
            n, s = rng.choice(((4, 1), (5, 2)))
            given = _given(_matrix(rng, n, 0, 3), _matrix(rng, 3, -1, 2), b, s, 0, True, None)
        else:
            n, f, p = rng.choice(((5, 2, 0), (4, 3, 1), (6, 3, 0)))
            given = _given(_matrix(rng, n, 0, 3), _matrix(rng, f, -1, 2), b, 1, p, True, "max")
        if _fits(given, "medium"):
            return given


def _hard(rng: random.Random) -> dict:
    for _ in attempts():
        n = rng.choice((5, 6))
        s, p = rng.choice(((2, 0), (2, 1), (1, 0)))
        b = rng.choice((-1.5, -1.0, -0.5, 0.5, 1.0))
        kind = rng.choice(POOLS)
        m = side(n, 3, p, s)
        pk, ps = (2, 1) if m <= 3 else rng.choice(((2, 2), (2, 1), (3, 1)))
        given = _given(_matrix(rng, n, -1, 3), _matrix(rng, 3, -1, 2), b, s, p, True, kind, pk, ps)
        if _fits(given, "hard"):
            return given


def generate(rng: random.Random, difficulty: str) -> dict:
    return {"easy": _easy, "medium": _medium, "hard": _hard}[difficulty](rng)


# --------------------------------------------------------------------------- the user's data

def _square(rows: Any, flag: str) -> list[list[float]]:
    if not isinstance(rows, list) or not rows or not all(isinstance(r, list) for r in rows):
        raise UserError(T("error.square", flag=flag))
    if any(len(r) != len(rows) for r in rows):
        raise UserError(T("error.square", flag=flag))
    if len(rows) > MAX_SIDE:
        raise UserError(T("error.too_big", flag=flag, limit=MAX_SIDE))
    out = [[float(v) for v in r] for r in rows]
    if not all(math.isfinite(v) and abs(v) <= LIMIT for v in _cells(out)):
        raise UserError(T("error.finite", flag=flag))
    return out


def parse_data(values: dict) -> dict:
    """--input and --kernel (square matrices, rows by ';'), --bias, --stride, --padding, --relu,
    --pool max|avg, --pool-size, --pool-stride (default: the pool size)."""
    x = _square(values.get("input"), "--input")
    k = _square(values.get("kernel"), "--kernel")
    b = values.get("bias")
    b = 0.0 if b is None else float(b)
    if not math.isfinite(b) or abs(b) > LIMIT:
        raise UserError(T("error.bias"))
    s, p = int(values.get("stride") or 1), int(values.get("padding") or 0)
    n, f = len(x), len(k)
    if f > n + 2 * p:
        raise UserError(T("error.kernel_big", f=f, n=n, p=p))
    m = side(n, f, p, s)
    kind = values.get("pool")
    pk = int(values.get("pool_size") or 2)
    ps = values.get("pool_stride")
    ps = pk if ps is None else int(ps)
    if kind and pk > m:
        raise UserError(T("error.pool_big", k=pk, m=m))
    return _given(x, k, b, s, p, bool(values.get("relu")), kind or None, pk, ps)


def as_options(given: dict) -> dict[str, Any]:
    raw: dict[str, Any] = {"input": _typed(given["input"]), "kernel": _typed(given["kernel"]),
                           "bias": repr(float(given["bias"])), "stride": str(given["stride"]),
                           "padding": str(given["padding"]), "relu": bool(given.get("relu")), "pool": None,
                           "pool_size": None, "pool_stride": None}
    if given.get("pool"):
        raw.update(pool=given["pool"], pool_size=str(given["pool_size"]), pool_stride=str(given["pool_stride"]))
    return raw


def from_bank(entry: dict) -> dict:
    """One problem of bank.toml, spelled like the options (input and kernel as nested lists)."""
    where = f"convolve/bank.toml [{entry.get('id')}]"
    try:
        return parse_data({"input": entry["input"], "kernel": entry["kernel"], "bias": entry.get("bias", 0),
                           "stride": entry.get("stride", 1), "padding": entry.get("padding", 0),
                           "relu": entry.get("relu", False), "pool": entry.get("pool"),
                           "pool_size": entry.get("pool_size", 2), "pool_stride": entry.get("pool_stride")})
    except (UserError, KeyError, TypeError) as exc:
        raise ValueError(f"{where}: {exc}") from None


# --------------------------------------------------------------------------- misconceptions
# Each returns the value the wrong method gives at the answer `path` (ids and applies_to in
# problems/convolve/misconceptions.toml, texts in text.<lang>.toml), or None where it does not apply.

def _pipeline(given: dict, path: tuple, kernel: list, bias: float, padding: int,
              pool_stride: int | None = None) -> Any:
    """The answer at `path` when the whole forward pass is run with these (wrong) settings."""
    n, f, s = len(given["input"]), len(kernel), given["stride"]
    if f > n + 2 * padding:
        return None
    if path[0] == "output_size":
        return side(n, f, padding, s)
    y = correlate(given["input"], kernel, bias, s, padding)
    if path[0] == "feature_map":
        return y
    a = relu(y) if given.get("relu") else y
    if path[0] == "activated":
        return a if given.get("relu") else None
    if path[0] == "pooled" and given.get("pool"):
        ps = given["pool_stride"] if pool_stride is None else pool_stride
        if given["pool_size"] > len(a):
            return None
        return pool(a, given["pool"], given["pool_size"], ps)
    return None


def _kernel_flipped(given: dict, path: tuple, student: Any, override: dict) -> Any:
    if path[0] == "conv_matrix":
        return unrolled(len(given["input"]), flipped(given["kernel"]), given["stride"]) if has_matrix(given) else None
    return _pipeline(given, path, flipped(given["kernel"]), float(given["bias"]), given["padding"])


def _padding_forgotten(given: dict, path: tuple, student: Any, override: dict) -> Any:
    if not given["padding"] or path[0] == "conv_matrix":
        return None
    return _pipeline(given, path, given["kernel"], float(given["bias"]), 0)


def _no_plus_one(given: dict, path: tuple, student: Any, override: dict) -> Any:
    if path[0] != "output_size":
        return None
    n, f, p, s = len(given["input"]), len(given["kernel"]), given["padding"], given["stride"]
    return (n + 2 * p - f) // s


def _bias_forgotten(given: dict, path: tuple, student: Any, override: dict) -> Any:
    if not given["bias"] or path[0] in ("output_size", "conv_matrix"):
        return None
    return _pipeline(given, path, given["kernel"], 0.0, given["padding"])


def _pool_stride_from_conv(given: dict, path: tuple, student: Any, override: dict) -> Any:
    if path[0] != "pooled" or not given.get("pool") or given["stride"] == given["pool_stride"]:
        return None
    return _pipeline(given, path, given["kernel"], float(given["bias"]), given["padding"], given["stride"])


def _column_major(given: dict, path: tuple, student: Any, override: dict) -> Any:
    if path[0] != "conv_matrix" or not has_matrix(given):
        return None
    n = len(given["input"])
    c = unrolled(n, given["kernel"], given["stride"])
    m = side(n, len(given["kernel"]), 0, given["stride"])
    rows = [i * m + j for j in range(m) for i in range(m)]
    cols = [i * n + j for j in range(n) for i in range(n)]
    return [[c[r][q] for q in cols] for r in rows]


VARIANTS = {
    "kernel_flipped": _kernel_flipped,
    "padding_forgotten": _padding_forgotten,
    "no_plus_one": _no_plus_one,
    "bias_forgotten": _bias_forgotten,
    "pool_stride_from_conv": _pool_stride_from_conv,
    "column_major": _column_major,
}
