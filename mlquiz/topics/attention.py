"""Scaled dot-product self-attention in the course's matrix form, tokens as columns.

H is d_h × n (one column per token); Q = W_q·H, K = W_k·H, V = W_v·H (or Q, K, V given directly:
d × n_q, d × n_k, d_v × n_k). Scores A = KᵀQ/√d with d = rows of Q (and of K), so
A[j][i] = k_jᵀq_i/√d: row j is key j, column i is query i. Weights A′ = softmax of each column of A
(over the keys j). Output H′ = V·A′ (d_v × n_q), column i = Σ_j α_ji v_j.
The row convention softmax(QKᵀ/√d)·V of many textbooks (tokens as rows) gives the transposes.

given = {"mode": "h", "h", "wq", "wk", "wv"} or {"mode": "qkv", "q", "k", "v"} (lists of rows).
Step ids are the answer names: `queries`, `keys`, `values` (mode h only), `scores`, `weights`, `output`.
"""

from __future__ import annotations

import math
import random
from typing import Any

import numpy as np

from mlquiz.derivation import Derivation
from mlquiz.errors import UserError
from mlquiz.model import Part, Solution, Tolerance, answer_at
from mlquiz.text import Msg, Texts
from mlquiz.topics.common import attempts, fmt, like as _like, typed as _typed

T = Texts("attention")

TOLERANCE = Tolerance(relative=0.006, absolute=0.0015)
MAX_DIM = 128
MAX_TOKENS = 10
MAX_MAGNITUDE = 1e3


def _v(values: Any) -> str:
    """A vector [a, b] or a matrix [a, b; c, d]; a run of 4 or more equal rows is written once, "row (×k)"."""
    array = np.asarray(values, dtype=float)
    if array.ndim != 2:
        return "[" + ", ".join(fmt(float(x), 6) for x in np.atleast_1d(array)) + "]"
    rows: list[str] = []
    i = 0
    while i < len(array):
        j = i
        while j + 1 < len(array) and np.array_equal(array[j + 1], array[i]):
            j += 1
        row = ", ".join(fmt(float(x), 6) for x in array[i])
        if j - i + 1 >= 4:
            rows.append(f"{row} (×{j - i + 1})")
        else:
            rows += [row] * (j - i + 1)
        i = j + 1
    return "[" + "; ".join(rows) + "]"


def _list(values: np.ndarray) -> Any:
    return np.asarray(values, dtype=float).tolist()


def softmax_columns(a: np.ndarray) -> np.ndarray:
    """softmax over each column (axis 0), shifted by the column maximum for stability."""
    shifted = a - a.max(axis=0, keepdims=True)
    e = np.exp(shifted)
    return e / e.sum(axis=0, keepdims=True)


# --------------------------------------------------------------------------- solving

def solve(given: dict, override: dict[tuple, Any] | None = None) -> Solution:
    d = Derivation(override)
    _run(given, d)
    return d.solution()


def _run(given: dict, d: Derivation, scale: str = "sqrt", axis: int = 0) -> dict[str, np.ndarray]:
    """The steps; returns the arrays handed on (the student's where carried forward).
    scale/axis are the wrong methods the misconceptions replay ("none", "d"; axis 1 = rows)."""
    if given["mode"] == "h":
        h = np.array(given["h"], float)
        wq, wk, wv = (np.array(given[k], float) for k in ("wq", "wk", "wv"))
        q = _like(d.step("queries", T("title.queries"), T("formula.queries"),
                         f"Q = {_v(wq)}·{_v(h)} = {_v(wq @ h)}", _list(wq @ h), answer="queries"), wq @ h)
        k = _like(d.step("keys", T("title.keys"), T("formula.keys"),
                         f"K = {_v(wk)}·{_v(h)} = {_v(wk @ h)}", _list(wk @ h), answer="keys"), wk @ h)
        v = _like(d.step("values", T("title.values"), T("formula.values"),
                         f"V = {_v(wv)}·{_v(h)} = {_v(wv @ h)}", _list(wv @ h), answer="values"), wv @ h)
    else:
        q, k, v = (np.array(given[name], float) for name in ("q", "k", "v"))
    dim = int(q.shape[0])
    root = math.sqrt(dim)
    divisor = {"sqrt": root, "none": 1.0, "d": float(dim)}[scale]
    raw = k.T @ q
    scores = raw / divisor
    lines = [f"d = {dim},  √d = {fmt(root, 6)}", f"KᵀQ = {_v(raw)}"]
    lines += [f"a[{j + 1}][{i + 1}] = k{j + 1}ᵀq{i + 1}/√d = {fmt(float(raw[j, i]), 6)}/{fmt(root, 6)}"
              f" = {fmt(float(raw[j, i] / root), 6)}" for i in range(raw.shape[1]) for j in range(raw.shape[0])]
    scores = _like(d.step("scores", T("title.scores"), T("formula.scores"), lines, _list(scores), answer="scores",
                          note=T("note.row_form")), scores)
    weights = softmax_columns(scores) if axis == 0 else softmax_columns(scores.T).T
    lines = []
    for i in range(scores.shape[1]):
        column = scores[:, i]
        exps = np.exp(column - column.max())
        lines.append(f"α[·][{i + 1}] = e^({_v(column)}) / Σ = {_v(exps / exps.sum())}")
    weights = _like(d.step("weights", T("title.weights"), T("formula.weights"), lines, _list(weights),
                           answer="weights"), weights)
    output = v @ weights
    d.step("output", T("title.output"), T("formula.output"), f"H′ = {_v(v)}·{_v(weights)} = {_v(output)}",
           _list(output), answer="output")
    return {"q": q, "k": k, "v": v, "scores": scores, "weights": weights, "raw": raw, "output": output}


# --------------------------------------------------------------------------- problem text

def _q_shape(given: dict) -> tuple[int, int, int, int]:
    """(d, n_q, n_k, d_v)."""
    if given["mode"] == "h":
        n = len(given["h"][0])
        return len(given["wq"]), n, n, len(given["wv"])
    return len(given["q"]), len(given["q"][0]), len(given["k"][0]), len(given["v"])


def statement(given: dict) -> list[Msg]:
    dim, n_q, n_k, d_v = _q_shape(given)
    if given["mode"] == "h":
        first = T("statement.from_h", n=n_q, dh=len(given["h"]), d=dim, dv=d_v)
    else:
        first = T("statement.from_qkv", nq=n_q, nk=n_k, d=dim, dv=d_v)
    return [first, T("statement.layout"), T("statement.task")]


def table(given: dict) -> tuple[list, list[list[str]]]:
    names = (("H", "h"), ("W_q", "wq"), ("W_k", "wk"), ("W_v", "wv")) if given["mode"] == "h" else \
        (("Q", "q"), ("K", "k"), ("V", "v"))
    return ["", T("header.value")], [[label, _v(given[key])] for label, key in names]


def parts(given: dict, solution: Solution, difficulty: str) -> list[Part]:
    a = solution.answers
    dim, n_q, n_k, d_v = _q_shape(given)
    out = []
    if given["mode"] == "h":
        out += [Part(("queries",), T("prompt.queries", rows=dim, cols=n_q), "matrix", a["queries"], TOLERANCE,
                     step="queries"),
                Part(("keys",), T("prompt.keys", rows=dim, cols=n_k), "matrix", a["keys"], TOLERANCE, step="keys"),
                Part(("values",), T("prompt.values", rows=d_v, cols=n_k), "matrix", a["values"], TOLERANCE,
                     step="values")]
    out += [Part(("scores",), T("prompt.scores", rows=n_k, cols=n_q), "matrix", a["scores"], TOLERANCE, step="scores"),
            Part(("weights",), T("prompt.weights", rows=n_k, cols=n_q), "matrix", a["weights"], TOLERANCE,
                 step="weights"),
            Part(("output",), T("prompt.output", rows=d_v, cols=n_q), "matrix", a["output"], TOLERANCE, step="output")]
    return out


def _variants_differ(given: dict) -> bool:
    """Every wrong method moves its answers well beyond the tolerance (so it can be named)."""
    right = solve(given).answers
    for name, fn in VARIANTS.items():
        for path in ("scores", "weights", "output"):
            wrong = fn(given, (path,), None, {})
            if wrong is None:
                continue
            w, r = np.asarray(wrong, float), np.asarray(right[path], float)
            if w.shape == r.shape and np.max(np.abs(w - r)) < 0.02:
                return False
    return True


def well_posed(problem: Any) -> None:
    """Small integers, d ≥ 2 (so √d matters), no all-zero row or token, scores moderate, no column of
    equal scores, no weight so small that rounding hides it, and every named wrong method changes
    the answers it applies to."""
    g, a = problem.given, problem.solution.answers
    dim, n_q, n_k, _ = _q_shape(g)
    assert dim >= 2 and n_k >= 2
    assert all(float(x).is_integer() and abs(x) <= 3 for key, m in g.items() if key != "mode" for row in m for x in row)
    assert _no_zero_lines(g)
    scores = np.asarray(a["scores"], float)
    assert np.all(np.abs(scores) <= 4)
    assert all(np.ptp(scores[:, i]) >= 0.2 for i in range(n_q))
    assert np.min(a["weights"]) >= 0.02
    assert _variants_differ(g)


# --------------------------------------------------------------------------- generating

def _ints(rng: random.Random, rows: int, cols: int, pool: tuple) -> list[list[float]]:
    return [[float(rng.choice(pool)) for _ in range(cols)] for _ in range(rows)]


def _candidate(rng: random.Random, difficulty: str) -> dict:
    if difficulty == "easy":
        n_k = rng.choice((2, 3))
        return {"mode": "qkv", "q": _ints(rng, 4, 1, (-1, 0, 1, 1, 2)), "k": _ints(rng, 4, n_k, (-1, 0, 1, 1)),
                "v": _ints(rng, rng.choice((1, 2)), n_k, (-2, -1, 0, 1, 2, 3))}
    if difficulty == "medium":
        if rng.random() < 0.5:
            n, dim = rng.choice((2, 3)), rng.choice((2, 4))
            return {"mode": "qkv", "q": _ints(rng, dim, 2, (-1, 0, 1, 2)), "k": _ints(rng, dim, n, (-1, 0, 1, 2)),
                    "v": _ints(rng, 2, n, (-1, 0, 1, 2, 3))}
        return {"mode": "h", "h": _ints(rng, 2, 2, (-1, 0, 1, 2)), "wq": _ints(rng, 2, 2, (-1, 0, 1)),
                "wk": _ints(rng, 2, 2, (-1, 0, 1)), "wv": _ints(rng, 2, 2, (-1, 0, 1))}
    dim = rng.choice((2, 2, 4))
    return {"mode": "h", "h": _ints(rng, 3, 3, (-1, 0, 1, 1, 2)), "wq": _ints(rng, dim, 3, (-1, 0, 0, 1)),
            "wk": _ints(rng, dim, 3, (-1, 0, 0, 1)), "wv": _ints(rng, 2, 3, (-1, 0, 1))}


def _no_zero_lines(given: dict) -> bool:
    """No all-zero row in any matrix and no all-zero token column: every number takes part."""
    keys = ("h", "wq", "wk", "wv") if given["mode"] == "h" else ("q", "k", "v")
    first = np.array(given[keys[0]], float)
    return all(np.all(np.any(np.array(given[k], float) != 0, axis=1)) for k in keys) and \
        bool(np.all(np.any(first != 0, axis=0)))


def _acceptable(given: dict) -> bool:
    if not _no_zero_lines(given):
        return False
    a = solve(given).answers
    scores = np.asarray(a["scores"], float)
    return bool(np.all(np.abs(scores) <= 4) and all(np.ptp(scores[:, i]) >= 0.2 for i in range(scores.shape[1]))
                and np.min(a["weights"]) >= 0.02 and _variants_differ(given))


def generate(rng: random.Random, difficulty: str) -> dict:
    for _ in attempts():
        given = _candidate(rng, difficulty)
        if _acceptable(given):
            return given
    raise AssertionError(f"attention/{difficulty}")


# --------------------------------------------------------------------------- parsing the options

def parse_data(values: dict) -> dict:
    """--h with --wq --wk --wv, or --q --k --v (matrices, tokens as columns)."""
    direct = [values.get(k) for k in ("q", "k", "v")]
    projected = [values.get(k) for k in ("h", "wq", "wk", "wv")]
    if values.get("h") is not None:
        if any(m is None for m in projected) or any(m is not None for m in direct):
            raise UserError(T("error.h_needs"))
        h, wq, wk, wv = projected
        if any(len(w[0]) != len(h) for w in (wq, wk, wv)):
            raise UserError(T("error.w_width", n=len(h)))
        if len(wq) != len(wk):
            raise UserError(T("error.qk_dim"))
        given = {"mode": "h", "h": h, "wq": wq, "wk": wk, "wv": wv}
        matrices = projected
    else:
        if any(m is None for m in direct) or any(m is not None for m in projected):
            raise UserError(T("error.needs"))
        q, k, v = direct
        if len(q) != len(k):
            raise UserError(T("error.qk_dim"))
        if len(v[0]) != len(k[0]):
            raise UserError(T("error.v_tokens", n=len(k[0])))
        given = {"mode": "qkv", "q": q, "k": k, "v": v}
        matrices = direct
    tokens = [matrices[0]] if given["mode"] == "h" else [matrices[0], matrices[1]]
    if any(len(m) > MAX_DIM or len(m[0]) > MAX_DIM for m in matrices) or any(len(m[0]) > MAX_TOKENS for m in tokens):
        raise UserError(T("error.too_big", dims=MAX_DIM, tokens=MAX_TOKENS))
    if any(not math.isfinite(x) or abs(x) > MAX_MAGNITUDE for m in matrices for row in m for x in row):
        raise UserError(T("error.too_large", limit="1000"))
    return given


def as_options(given: dict) -> dict[str, Any]:
    keys = ("h", "wq", "wk", "wv") if given["mode"] == "h" else ("q", "k", "v")
    return {key: _typed(given[key]) for key in keys}


def from_bank(entry: dict) -> dict:
    """One entry of problems/attention/bank.toml → given, read as `solve attention` reads its options
    (h, wq, wk, wv or q, k, v: TOML arrays of rows, or the options' typed text)."""
    from mlquiz import options, registry

    where = f"bank:{entry.get('id')}"
    try:
        raw: dict[str, Any] = {}
        for key in ("h", "wq", "wk", "wv", "q", "k", "v"):
            if key in entry:
                value = entry[key]
                raw[key] = value if isinstance(value, str) else _typed(value)
        return parse_data(options.parse("attention", registry.info("attention").options, raw))
    except (UserError, TypeError, ValueError) as exc:
        raise ValueError(f"{where}: {exc}") from None


# --------------------------------------------------------------------------- misconceptions
# Each replays the wrong method from the student's own carried values and returns its value at `path`.

def _replay(given: dict, path: tuple, override: dict, drop: tuple[str, ...], **wrong: Any) -> Any:
    """The wrong method run on the student's carried values, except those it recomputes (`drop`)."""
    kept = {p: v for p, v in override.items() if p[0] not in drop}
    st = _run(given, Derivation(kept), **wrong)
    return answer_at({"scores": _list(st["scores"]), "weights": _list(st["weights"]),
                      "output": _list(st["output"])}, path)


def _no_sqrt_d(given: dict, path: tuple, student: Any, override: dict) -> Any:
    if path[0] not in ("scores", "weights", "output"):
        return None
    return _replay(given, path, override, ("scores", "weights", "output"), scale="none")


def _divided_by_d(given: dict, path: tuple, student: Any, override: dict) -> Any:
    if path[0] not in ("scores", "weights", "output"):
        return None
    return _replay(given, path, override, ("scores", "weights", "output"), scale="d")


def _wrong_axis(given: dict, path: tuple, student: Any, override: dict) -> Any:
    if path[0] not in ("weights", "output"):
        return None
    return _replay(given, path, override, ("weights", "output"), axis=1)


def _row_form(given: dict, path: tuple, student: Any, override: dict) -> Any:
    if path[0] not in ("scores", "weights", "output") or len(path) != 1:
        return None
    right = solve(given, override).answers[path[0]]
    return np.asarray(right, float).T.tolist()


VARIANTS = {
    "no_sqrt_d": _no_sqrt_d,
    "divided_by_d": _divided_by_d,
    "softmax_wrong_axis": _wrong_axis,
    "row_form_transposed": _row_form,
}
