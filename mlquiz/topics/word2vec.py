"""Skip-gram word2vec with the full softmax, one (centre, outside) pair, in the course's convention.

Centre vector v_c, outside vectors u_w (one per vocabulary word w = 1…n), observed context word o
(1-based, as students read it). Scores s_w = u_wᵀv_c; probabilities
p(w|c) = exp(u_wᵀv_c)/Σ_x exp(u_xᵀv_c); loss J = −ln p(o|c) (natural log, as for the course's
cross-entropy; the conventions write −log); gradient ∂J/∂v_c = −u_o + Σ_w p(w|c)·u_w; one step of
gradient descent v_c ← v_c − η·∂J/∂v_c (the outside vectors are not asked).

The course notes describe word2vec only in words (walk through the text, score a word and its
neighbours by the similarity of their vectors, raise that probability); the formulas are those of
shared/design/course-conventions.md (Stanford CS224n's notation), and the derivation says so.
Large scores are handled by subtracting max s before exponentiating; the loss is then
ln Σ e^(s_w) − s_o, exact even when e^(s_o) underflows.

given = {"center": [v_1, …, v_d], "outside": [[u_11, …, u_1d], …], "target": o, "lr": η}
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
from mlquiz.topics.common import attempts, fmt, fmtp, like as _like, typed as _typed

T = Texts("word2vec")

TOLERANCE = Tolerance(relative=0.006, absolute=0.0015)
MAX_SIZE = 10
MAX_MAGNITUDE = 1e6
SHIFT_ABOVE = 30.0  # beyond this the derivation shows the max-shift (e^30 is still calculator-sized)


def _sub(i: int) -> str:
    return "".join("₀₁₂₃₄₅₆₇₈₉"[int(c)] for c in str(i))


def _v(values: Any) -> str:
    array = np.asarray(values, dtype=float)
    if array.ndim == 2:
        return "[" + "; ".join(", ".join(fmt(float(x)) for x in row) for row in array) + "]"
    return "[" + ", ".join(fmt(float(x)) for x in np.atleast_1d(array)) + "]"


def softmax(s: np.ndarray) -> np.ndarray:
    """Softmax of one score vector, shifted by its maximum so that no exponential overflows."""
    e = np.exp(s - s.max())
    return e / e.sum()


def _logsumexp(s: np.ndarray) -> float:
    top = float(s.max())
    return top + math.log(float(np.exp(s - top).sum()))


# --------------------------------------------------------------------------- solving

def solve(given: dict, override: dict[tuple, Any] | None = None) -> Solution:
    """All quantities in derivation order; `override` (a student's own values) is carried forward."""
    d = Derivation(override)
    _run(given, d)
    return d.solution()


def _run(given: dict, d: Derivation) -> dict[str, Any]:
    """The steps; returns the values handed on (the student's where they were carried forward)."""
    v = np.array(given["center"], float)
    u = np.array(given["outside"], float)
    o = int(given["target"]) - 1
    lr = float(given["lr"])
    d.note(T("note.notes_in_words"))
    d.note(T("note.natural_log"))

    s = u @ v
    lines = []
    for w, (row, score) in enumerate(zip(u, s), start=1):
        terms = " + ".join(f"{fmtp(float(a))}·{fmtp(float(b))}" for a, b in zip(row, v))
        lines.append(f"s{_sub(w)} = u{_sub(w)}ᵀv_c = {terms} = {fmt(float(score))}")
    s = _like(d.step("scores", T("title.scores"), T("formula.scores"), lines, s.tolist(), answer="scores"), s)

    top = float(s.max())
    lines = []
    if abs(top) > SHIFT_ABOVE or float(s.min()) < -SHIFT_ABOVE:
        lines.append(T("line.shift", max=fmt(top)))
        exps = np.exp(s - top)
        lines.append(f"e^(s − {fmtp(top)}) = {_v(exps)},  Σ = {fmt(float(exps.sum()))}")
    else:
        exps = np.exp(s)
        lines.append(f"e^s = {_v(exps)},  Σ = {fmt(float(exps.sum()))}")
    p = exps / exps.sum()
    lines.append(f"p = {_v(p)}")
    p = _like(d.step("probabilities", T("title.probabilities"), T("formula.probabilities"), lines, p.tolist(),
                     answer="probabilities"), p)

    name = f"p({o + 1}|c)"
    if ("probabilities",) in d.override and 0 < float(p[o]):
        loss = -math.log(float(p[o]))
        line = f"J = −ln {name} = −ln {fmt(float(p[o]))} = {fmt(loss)}"
    else:
        lse = _logsumexp(s)
        loss = lse - float(s[o])
        if abs(top) > SHIFT_ABOVE or float(s.min()) < -SHIFT_ABOVE:
            line = f"J = ln Σ e^s − s{_sub(o + 1)} = {fmt(lse)} − {fmtp(float(s[o]))} = {fmt(loss)}"
        else:
            line = f"J = −ln {name} = −ln {fmt(math.exp(-loss))} = {fmt(loss)}"
    d.step("loss", T("title.loss"), T("formula.loss"), line, loss, answer="loss")

    expected = p @ u
    grad = expected - u[o]
    lines = ["Σ_w p(w|c)·u_w = " + " + ".join(f"{fmtp(float(pw))}·{_v(row)}" for pw, row in zip(p, u))
             + f" = {_v(expected)}",
             f"∂J/∂v_c = −{_v(u[o])} + {_v(expected)} = {_v(grad)}"]
    grad = _like(d.step("grad_center", T("title.grad_center"), T("formula.grad_center", o=o + 1), lines,
                        grad.tolist(), answer="grad_center"), grad)

    new = v - lr * grad
    d.step("center_new", T("title.center_new"), T("formula.center_new"),
           f"v_c ← {_v(v)} − {fmt(lr)}·{_v(grad)} = {_v(new)}", new.tolist(), answer="center_new")
    return {"v": v, "u": u, "o": o, "lr": lr, "s": s, "p": p, "grad": grad}


# --------------------------------------------------------------------------- problem text

def statement(given: dict) -> list[Msg]:
    n = len(given["outside"])
    return [T("statement.model", n=n, d=len(given["center"]), v=_v(given["center"])),
            T("statement.pair", o=int(given["target"]), lr=fmt(float(given["lr"]))),
            T("statement.task")]


def table(given: dict) -> tuple[list, list[list[str]]]:
    o = int(given["target"])
    rows = [[T("header.word", w=w), f"u{_sub(w)}", _v(row), T("header.observed") if w == o else ""]
            for w, row in enumerate(given["outside"], start=1)]
    return [T("header.vocabulary"), "", T("header.vector"), ""], rows


def parts(given: dict, solution: Solution, difficulty: str) -> list[Part]:
    a = solution.answers
    return [
        Part(("scores",), T("prompt.scores"), "vector", a["scores"], TOLERANCE, step="scores"),
        Part(("probabilities",), T("prompt.probabilities"), "vector", a["probabilities"], TOLERANCE,
             step="probabilities"),
        Part(("loss",), T("prompt.loss", o=int(given["target"])), "number", a["loss"], TOLERANCE, step="loss"),
        Part(("grad_center",), T("prompt.grad_center"), "vector", a["grad_center"], TOLERANCE, step="grad_center"),
        Part(("center_new",), T("prompt.center_new", lr=fmt(float(given["lr"]))), "vector", a["center_new"],
             TOLERANCE, step="center_new"),
    ]


def well_posed(problem: Any) -> None:
    """Hand-sized: 3–5 words, 2–3 dimensions, |scores| ≤ 4, no probability too small to compute by
    hand, the observed word neither certain nor a zero vector, a gradient that rounding does not hide,
    distinct outside vectors and a learning rate of 0.1, 0.5 or 1."""
    g, ans = problem.given, problem.solution.answers
    u = np.asarray(g["outside"], float)
    v = np.asarray(g["center"], float)
    assert 3 <= len(u) <= 5 and 2 <= len(v) <= 3 and u.shape[1] == len(v)
    assert 1 <= g["target"] <= len(u)
    assert g["lr"] in (0.1, 0.5, 1.0)
    assert np.any(v != 0) and np.any(u[g["target"] - 1] != 0)
    assert len({tuple(row) for row in u.tolist()}) == len(u)
    assert np.all(np.abs(ans["scores"]) <= 4)
    p = np.asarray(ans["probabilities"], float)
    assert np.all(p >= 0.02) and p[g["target"] - 1] <= 0.9
    assert np.max(np.abs(ans["grad_center"])) >= 0.05
    if problem.difficulty == "easy":
        assert all(x == int(x) for x in [*v, *u.ravel()])


# --------------------------------------------------------------------------- generating

LEVELS = {
    "easy": ((3,), (2,), (-1, 0, 0, 1, 1, 2)),
    "medium": ((3, 4), (2,), (-1, -0.5, 0, 0.5, 0.5, 1, 1.5)),
    "hard": ((4, 5), (3,), tuple(x / 10 for x in range(-10, 11))),
}


def _fits(given: dict) -> bool:
    v = np.array(given["center"], float)
    u = np.array(given["outside"], float)
    o = given["target"] - 1
    if not np.any(v) or not np.any(u[o]) or len({tuple(r) for r in given["outside"]}) < len(u):
        return False
    s = u @ v
    if np.any(np.abs(s) > 4) or np.ptp(s) == 0:
        return False
    p = softmax(s)
    grad = p @ u - u[o]
    return bool(p.min() >= 0.02 and p[o] <= 0.9 and np.abs(grad).max() >= 0.05)


def generate(rng: random.Random, difficulty: str) -> dict:
    sizes, dims, values = LEVELS[difficulty]
    for _ in attempts():
        n, dim = rng.choice(sizes), rng.choice(dims)
        given = {"center": [float(rng.choice(values)) for _ in range(dim)],
                 "outside": [[float(rng.choice(values)) for _ in range(dim)] for _ in range(n)],
                 "target": rng.randint(1, n), "lr": rng.choice((0.1, 0.5, 1.0))}
        if _fits(given):
            return given
    raise AssertionError  # pragma: no cover (attempts() raises first)


# --------------------------------------------------------------------------- parsing the options

def parse_data(values: dict) -> dict:
    """--center "v1,…,vd" --outside "u11,…,u1d; …" (one row per vocabulary word) --target o [--lr].
    The values are already read and range-checked."""
    v, u, target = values["center"], values["outside"], values["target"]
    if len(u) < 2:
        raise UserError(T("error.vocabulary"))
    if len(u[0]) != len(v):
        raise UserError(T("error.width", d=len(v)))
    if max(len(u), len(v)) > MAX_SIZE:
        raise UserError(T("error.too_big", limit=MAX_SIZE))
    if any(not math.isfinite(x) or abs(x) > MAX_MAGNITUDE for x in [*v, *(x for row in u for x in row)]):
        raise UserError(T("error.too_large"))
    if not 1 <= target <= len(u):
        raise UserError(T("error.target_range", n=len(u)))
    return {"center": [float(x) for x in v], "outside": [[float(x) for x in row] for row in u],
            "target": int(target), "lr": float(values["lr"])}


def as_options(given: dict) -> dict[str, Any]:
    """The `solve word2vec` options that pose this problem again."""
    return {"center": _typed(given["center"]), "outside": _typed(given["outside"]),
            "target": str(int(given["target"])), "lr": repr(float(given["lr"]))}


def from_bank(entry: dict) -> dict:
    """One entry of problems/word2vec/bank.toml → given, read exactly as `solve word2vec` reads its
    options (center, outside, target, lr); TOML numbers and arrays or the options' typed text. The
    bank is shipped data, so a malformed entry is a ValueError."""
    from mlquiz import options, registry

    where = f"bank:{entry.get('id')}"
    try:
        raw: dict[str, Any] = {}
        for key in ("center", "outside", "target", "lr"):
            value = entry.get(key)
            if value is None:
                continue
            if isinstance(value, str):
                raw[key] = value
            elif isinstance(value, (int, float)):
                raw[key] = repr(value) if key == "target" else repr(float(value))
            else:
                raw[key] = _typed(value)
        return parse_data(options.parse("word2vec", registry.info("word2vec").options, raw))
    except (UserError, TypeError, ValueError) as exc:
        raise ValueError(f"{where}: {exc}") from None


# --------------------------------------------------------------------------- misconceptions
# Each returns the value the wrong method gives at the checkpoint `path` (texts in
# problems/word2vec/text.<lang>.toml, applies_to in misconceptions.toml), from the student's own
# earlier values where they were carried forward.

def _state(given: dict, override: dict) -> dict[str, Any]:
    return _run(given, Derivation(override))


def _log_base(base: float):
    def variant(given: dict, path: tuple, student: Any, override: dict) -> Any:
        st = _state(given, override)
        p = float(st["p"][st["o"]])
        return -math.log(p) / math.log(base) if 0 < p < 1 else None
    return variant


def _no_normaliser(given: dict, path: tuple, student: Any, override: dict) -> Any:
    """The log-sum-exp term dropped: J = −u_oᵀv_c and ∂J/∂v_c = −u_o."""
    st = _state(given, override)
    if path[0] == "loss":
        return -float(st["s"][st["o"]])
    return answer_at({"grad_center": (-st["u"][st["o"]]).tolist()}, path)


def _sum_without_target(given: dict, path: tuple, student: Any, override: dict) -> Any:
    """The expectation Σ p(w|c)·u_w taken over the other words only."""
    st = _state(given, override)
    mask = np.ones(len(st["u"]))
    mask[st["o"]] = 0.0
    grad = (st["p"] * mask) @ st["u"] - st["u"][st["o"]]
    return answer_at({"grad_center": grad.tolist()}, path)


def _gradient_sign(given: dict, path: tuple, student: Any, override: dict) -> Any:
    """u_o − Σ p(w|c)·u_w: the gradient of log p (the ascent direction), not of the loss −log p."""
    st = _state(given, override)
    grad = st["u"][st["o"]] - st["p"] @ st["u"]
    return answer_at({"grad_center": grad.tolist()}, path)


def _sigmoid_probabilities(given: dict, path: tuple, student: Any, override: dict) -> Any:
    st = _state(given, override)
    with np.errstate(over="ignore"):
        y = 1.0 / (1.0 + np.exp(-st["s"]))
    return answer_at({"probabilities": y.tolist()}, path)


def _ascent_step(given: dict, path: tuple, student: Any, override: dict) -> Any:
    """v_c + η·∂J/∂v_c: the gradient added instead of subtracted."""
    st = _state(given, override)
    return answer_at({"center_new": (st["v"] + st["lr"] * st["grad"]).tolist()}, path)


def _no_learning_rate(given: dict, path: tuple, student: Any, override: dict) -> Any:
    st = _state(given, override)
    if st["lr"] == 1.0:
        return None
    return answer_at({"center_new": (st["v"] - st["grad"]).tolist()}, path)


VARIANTS = {
    "log2_loss": _log_base(2.0),
    "log10_loss": _log_base(10.0),
    "no_normaliser": _no_normaliser,
    "sum_without_target": _sum_without_target,
    "gradient_sign": _gradient_sign,
    "sigmoid_probabilities": _sigmoid_probabilities,
    "ascent_step": _ascent_step,
    "no_learning_rate": _no_learning_rate,
}
