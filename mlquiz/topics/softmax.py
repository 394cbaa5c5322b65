"""Multi-class (softmax) regression, in the course's convention.

Logits a = W·[1, x] (W has one row per class, bias first, so row i is [w_i0, w_i1, …, w_id]);
probabilities y_i = e^(a_i)/Σ_j e^(a_j); loss CE = −Σ_i r_i ln y_i with r one-hot (natural log),
summed over the samples when there are several (as the notes write L for a data set);
gradient ∂L/∂w_ij = −Σ_l (r_i − y_i)·x_j with x_0 = 1 (row i: −Σ_l (r_i − y_i)·[1, x]);
one step of gradient descent W ← W − η·∂L/∂W.

The notes print the gradient as ∂L/∂w_j = −Σ(r_j − y_j)x_j, with one index j for both the class and
the feature; the conventions file fixes it as ∂L/∂w_ij = −Σ(r_i − y_i)x_j, which is what is computed.
Large logits (e.g. 1000) are handled by subtracting max a before exponentiating (the result is the
same); the loss then is log Σ e^(a_j) − a_t, exact even when e^(a_t) underflows.

given (logits)  = {"kind": "logits", "logits": [[a_1, …, a_k], …], "targets": [t, …]}
given (weights) = {"kind": "weights", "samples": [{"x": [x_1, …, x_d], "target": t}, …],
                   "w": [[w_10, w_11, …], …], "lr": η}
Targets t are the 1-based true classes, as students read them.
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

T = Texts("softmax")

TOLERANCE = Tolerance(relative=0.006, absolute=0.0015)
MAX_SIZE = 10
MAX_MAGNITUDE = 1e6
SHIFT_ABOVE = 30.0  # beyond this, the derivation shows the max-shift (e^30 is still calculator-sized)


def _v(values: Any) -> str:
    array = np.asarray(values, dtype=float)
    if array.ndim == 2:
        return "[" + "; ".join(", ".join(fmt(float(x)) for x in row) for row in array) + "]"
    return "[" + ", ".join(fmt(float(x)) for x in np.atleast_1d(array)) + "]"


def softmax_rows(a: np.ndarray) -> np.ndarray:
    """Row-wise softmax, shifted by each row's maximum so that no exponential overflows."""
    shifted = a - a.max(axis=1, keepdims=True)
    e = np.exp(shifted)
    return e / e.sum(axis=1, keepdims=True)


def _logsumexp(row: np.ndarray) -> float:
    top = float(row.max())
    return top + math.log(float(np.exp(row - top).sum()))


# --------------------------------------------------------------------------- solving

def _shape_of(given: dict) -> tuple[np.ndarray, np.ndarray | None, np.ndarray | None, list[int]]:
    """(logits or None, X with the leading 1 or None, W or None, 0-based targets)."""
    if given["kind"] == "logits":
        return np.array(given["logits"], float), None, None, [int(t) - 1 for t in given["targets"]]
    xs = np.array([[1.0, *s["x"]] for s in given["samples"]], float)
    return None, xs, np.array(given["w"], float), [int(s["target"]) - 1 for s in given["samples"]]


def solve(given: dict, override: dict[tuple, Any] | None = None) -> Solution:
    """All quantities in derivation order; `override` (a student's own values) is carried forward."""
    d = Derivation(override)
    _run(given, d)
    return d.solution()


def _run(given: dict, d: Derivation) -> dict[str, Any]:
    """The steps; returns the values handed on (the student's where they were carried forward)."""
    logits, xs, w, targets = _shape_of(given)
    batch = len(targets) > 1

    def shaped(values: np.ndarray) -> Any:
        return values.tolist() if batch else values[0].tolist()

    if logits is None:
        a = xs @ w.T
        lines = []
        for n, (x, row) in enumerate(zip(xs, a), start=1):
            for i, (wi, ai) in enumerate(zip(w, row), start=1):
                terms = " + ".join([fmt(float(wi[0]))] + [f"{fmtp(float(c))}·{fmtp(float(v))}"
                                                           for c, v in zip(wi[1:], x[1:])])
                lines.append(f"a{_sub(i)}{_sample(n, batch)} = {terms} = {fmt(float(ai))}")
        a = _like(d.step("logits", T("title.logits"), T("formula.logits"), lines, shaped(a), answer="logits"), a)
    else:
        a = logits
    r = np.zeros_like(a)
    for n, t in enumerate(targets):
        r[n, t] = 1.0

    y = softmax_rows(a)
    lines = []
    for n, row in enumerate(a, start=1):
        tag = _sample(n, batch)
        top = float(row.max())
        if abs(top) > SHIFT_ABOVE or float(row.min()) < -SHIFT_ABOVE:
            lines.append(T("line.shift", max=fmt(top), tag=tag))
            shifted = row - top
            lines.append(f"a{tag} − {fmtp(top)} = {_v(shifted)}")
            exps = np.exp(shifted)
            power = f"e^(a{tag} − {fmtp(top)})"
        else:
            exps = np.exp(row)
            power = f"e^a{tag}"
        lines.append(f"{power} = {_v(exps)},  Σ = {fmt(float(exps.sum()))}")
        lines.append(f"y{tag} = {_v(exps / exps.sum())}")
    y = _like(d.step("probabilities", T("title.probabilities"), T("formula.probabilities"), lines, shaped(y),
                     answer="probabilities"), y)

    carried_y = ("probabilities",) in d.override
    terms, total, shifted_form = [], 0.0, False
    for n, t in enumerate(targets):
        p = float(y[n, t])
        if carried_y and p > 0:
            term = -math.log(p)
            terms.append(f"−ln {fmtp(p)}")
        else:
            lse = _logsumexp(a[n])
            term = lse - float(a[n, t])
            if abs(float(a[n].max())) > SHIFT_ABOVE or float(a[n].min()) < -SHIFT_ABOVE:
                shifted_form = True
                terms.append(f"({fmt(lse)} − {fmtp(float(a[n, t]))})")
            else:
                terms.append(f"−ln {fmtp(math.exp(-term))}")
        total += term
    lines = [T("line.loss_shift")] if shifted_form else []
    lines.append(f"L = {' + '.join(terms)} = {fmt(total)}".replace("+ −", "− "))
    d.step("loss", T("title.loss"), T("formula.loss", batch=T("formula.summed") if batch else ""),
           lines, total, answer="loss")
    state = {"a": a, "y": y, "r": r, "targets": targets, "x": xs, "w": w}
    if xs is None:
        return state

    d.note(T("note.gradient_index"))
    if batch:
        d.note(T("note.summed"))
    diff = r - y
    grad = -(diff.T @ xs)
    lines = []
    for i in range(len(w)):
        factors = " + ".join(f"{fmtp(float(diff[n, i]))}·{_v(xs[n])}" for n in range(len(xs)))
        lines.append(f"∂L/∂w{_sub(i + 1)} = −({factors}) = {_v(grad[i])}")
    grad = _like(d.step("gradient", T("title.gradient"),
                        T("formula.gradient", batch=T("formula.summed") if batch else ""), lines, grad.tolist(),
                        answer="gradient"), grad)
    lr = float(given["lr"])
    new = w - lr * grad
    d.step("w_new", T("title.w_new"), T("formula.w_new"), f"{_v(w)} − {fmt(lr)}·{_v(grad)}",
           new.tolist(), answer="w_new")
    state["gradient"] = grad
    return state


def _sub(i: int) -> str:
    return "".join("₀₁₂₃₄₅₆₇₈₉"[int(c)] for c in str(i))


def _sample(n: int, batch: bool) -> str:
    return f"({n})" if batch else ""


# --------------------------------------------------------------------------- problem text

def statement(given: dict) -> list[Msg]:
    if given["kind"] == "logits":
        k = len(given["logits"][0])
        if len(given["targets"]) == 1:
            return [T("statement.logits", k=k, a=_v(given["logits"][0]), t=given["targets"][0]),
                    T("statement.logits_task")]
        return [T("statement.logits_batch", k=k, n=len(given["targets"])), T("statement.logits_task_batch")]
    n = len(given["samples"])
    return [T("statement.weights", k=len(given["w"]), d=len(given["samples"][0]["x"]), lr=fmt(float(given["lr"]))),
            T("statement.batch", n=n) if n > 1 else T("statement.single"),
            T("statement.weights_task")]


def table(given: dict) -> tuple[list, list[list[str]]] | None:
    if given["kind"] == "logits":
        if len(given["targets"]) == 1:
            return None
        return [T("header.sample"), "a", T("header.target")], [
            [str(n), _v(row), str(t)] for n, (row, t) in enumerate(zip(given["logits"], given["targets"]), start=1)]
    batch = len(given["samples"]) > 1
    rows = []
    for n, sample in enumerate(given["samples"], start=1):
        rows.append([f"x ({n})" if batch else "x", _v(sample["x"])])
        rows.append([T("header.target_of", n=n) if batch else T("header.target"), str(sample["target"])])
    for i, row in enumerate(given["w"], start=1):
        rows.append([f"w{_sub(i)} = [w{_sub(i)}₀, …]", _v(row)])
    return ["", T("header.value")], rows


def parts(given: dict, solution: Solution, difficulty: str) -> list[Part]:
    a = solution.answers
    batch = (len(given["targets"]) if given["kind"] == "logits" else len(given["samples"])) > 1
    kind = "matrix" if batch else "vector"
    rows = T("prompt.rows") if batch else ""
    out = []
    if given["kind"] == "weights":
        out.append(Part(("logits",), T("prompt.logits", rows=rows), kind, a["logits"], TOLERANCE, step="logits"))
    out += [Part(("probabilities",), T("prompt.probabilities", rows=rows), kind, a["probabilities"], TOLERANCE,
                 step="probabilities"),
            Part(("loss",), T("prompt.loss", batch=T("formula.summed") if batch else ""), "number", a["loss"],
                 TOLERANCE, step="loss")]
    if given["kind"] == "weights":
        out += [Part(("gradient",), T("prompt.gradient"), "matrix", a["gradient"], TOLERANCE, step="gradient"),
                Part(("w_new",), T("prompt.w_new"), "matrix", a["w_new"], TOLERANCE, step="w_new")]
    return out


def well_posed(problem: Any) -> None:
    """Hand-sized, no probability so small that rounding hides it, targets in range, inputs not all 0."""
    g, ans = problem.given, problem.solution.answers
    probs = np.atleast_2d(np.asarray(ans["probabilities"], float))
    assert 2 <= probs.shape[1] <= 6 and 1 <= probs.shape[0] <= 6
    assert np.all(probs >= 0.01)  # none too small to compute by hand
    if g["kind"] == "logits":
        logits = np.asarray(g["logits"], float)
        assert np.all(np.abs(logits) <= 5) and all(1 <= t <= logits.shape[1] for t in g["targets"])
        assert all(len(set(row)) > 1 for row in g["logits"])
        return
    assert all(1 <= s["target"] <= len(g["w"]) for s in g["samples"])
    assert all(any(v != 0 for v in s["x"]) for s in g["samples"])
    assert 1 <= len(g["samples"][0]["x"]) <= 3
    assert np.all(np.abs(np.asarray(ans["logits"], float)) <= 4)
    assert g["lr"] in (0.1, 0.5, 1.0)
    assert len({tuple(row) for row in g["w"]}) == len(g["w"])
    if len(g["samples"]) > 1:
        xs = [tuple(s["x"]) for s in g["samples"]]
        assert len(set(xs)) == len(xs)


# --------------------------------------------------------------------------- generating

def _pick(rng: random.Random, values: tuple) -> float:
    return float(rng.choice(values))


def generate(rng: random.Random, difficulty: str) -> dict:
    if difficulty == "easy":
        for _ in attempts():
            k = rng.choice((3, 3, 4))
            logits = [_pick(rng, (-1, 0, 0, 1, 1, 2, 3)) for _ in range(k)]
            given = {"kind": "logits", "logits": [logits], "targets": [rng.randint(1, k)]}
            if len(set(logits)) > 1 and softmax_rows(np.array([logits])).min() >= 0.02:
                return given
    for _ in attempts():
        k = 3
        d = rng.choice((1, 2)) if difficulty == "medium" else 2
        n = 1 if difficulty == "medium" else rng.choice((2, 2, 3))
        samples = [{"x": [_pick(rng, (-1, 0, 0.5, 1, 1, 2)) for _ in range(d)], "target": rng.randint(1, k)}
                   for _ in range(n)]
        w = [[_pick(rng, (-1, -0.5, 0, 0, 0.5, 1)) for _ in range(d + 1)] for _ in range(k)]
        given = {"kind": "weights", "samples": samples, "w": w, "lr": rng.choice((0.1, 0.5, 1.0))}
        if not all(any(v != 0 for v in s["x"]) for s in samples) or len({tuple(row) for row in w}) < k:
            continue
        if len({tuple(s["x"]) for s in samples}) < n or len({s["target"] for s in samples}) < min(n, 2):
            continue
        _, xs, wm, _ = _shape_of(given)
        a = xs @ wm.T
        if np.all(np.abs(a) <= 4) and softmax_rows(a).min() >= 0.02 and np.ptp(a, axis=1).min() > 0:
            return given


# --------------------------------------------------------------------------- parsing the options

def _targets(values: list[float] | None, count: int, k: int) -> list[int]:
    if values is None:
        raise UserError(T("error.target_needed"))
    if len(values) != count:
        raise UserError(T("error.target_count", n=count))
    out = []
    for v in values:
        if not math.isfinite(v) or v != int(v) or not 1 <= v <= k:
            raise UserError(T("error.target_range", k=k))
        out.append(int(v))
    return out


def _check_sizes(rows: list[list[float]]) -> None:
    if any(not math.isfinite(v) or abs(v) > MAX_MAGNITUDE for row in rows for v in row):
        raise UserError(T("error.too_large"))


def parse_data(values: dict) -> dict:
    """--logits "a1,…,ak" (rows by ;) with --target, or --x (rows by ;) --w (one row per class, bias
    first) --target [--lr]. The values are already read and range-checked."""
    logits, xs, w = values["logits"], values["x"], values["w"]
    if logits is not None:
        if xs is not None or w is not None:
            raise UserError(T("error.both"))
        k = len(logits[0])
        if k < 2:
            raise UserError(T("error.classes"))
        if max(k, len(logits)) > MAX_SIZE:
            raise UserError(T("error.too_big", limit=MAX_SIZE))
        _check_sizes(logits)
        return {"kind": "logits", "logits": logits, "targets": _targets(values["target"], len(logits), k)}
    if xs is None or w is None:
        raise UserError(T("error.needs"))
    if len(w) < 2:
        raise UserError(T("error.classes"))
    if len(w[0]) != len(xs[0]) + 1:
        raise UserError(T("error.w_width", n=len(xs[0]) + 1))
    if max(len(w), len(xs), len(xs[0])) > MAX_SIZE:
        raise UserError(T("error.too_big", limit=MAX_SIZE))
    _check_sizes(xs)
    _check_sizes(w)
    targets = _targets(values["target"], len(xs), len(w))
    return {"kind": "weights", "samples": [{"x": x, "target": t} for x, t in zip(xs, targets)], "w": w,
            "lr": values["lr"]}


def as_options(given: dict) -> dict[str, Any]:
    """The `solve softmax` options that pose this problem again."""
    if given["kind"] == "logits":
        return {"logits": _typed(given["logits"]), "target": ",".join(str(t) for t in given["targets"])}
    return {"x": _typed([s["x"] for s in given["samples"]]), "w": _typed(given["w"]),
            "target": ",".join(str(s["target"]) for s in given["samples"]), "lr": repr(float(given["lr"]))}


def from_bank(entry: dict) -> dict:
    """One entry of problems/softmax/bank.toml → given, read exactly as `solve softmax` reads its
    options (logits, x, w, target, lr); TOML numbers and arrays or the options' typed text. The bank
    is shipped data, so a malformed entry is a ValueError."""
    from mlquiz import options, registry

    where = f"bank:{entry.get('id')}"
    try:
        raw: dict[str, Any] = {}
        for key in ("logits", "x", "w", "target", "lr"):
            value = entry.get(key)
            if value is None:
                continue
            if isinstance(value, str):
                raw[key] = value
            elif isinstance(value, (int, float)):
                raw[key] = repr(float(value))
            else:
                raw[key] = _typed(value)
        return parse_data(options.parse("softmax", registry.info("softmax").options, raw))
    except (UserError, TypeError, ValueError) as exc:
        raise ValueError(f"{where}: {exc}") from None


# --------------------------------------------------------------------------- misconceptions
# Each returns the value the wrong method gives at the checkpoint `path` (texts in
# problems/softmax/text.<lang>.toml, applies_to in misconceptions.toml), from the student's own
# earlier values where they were carried forward.

def _state(given: dict, override: dict) -> dict[str, Any]:
    return _run(given, Derivation(override))


def _target_probs(st: dict) -> np.ndarray:
    return np.array([st["y"][n, t] for n, t in enumerate(st["targets"])])


def _log2_loss(given: dict, path: tuple, student: Any, override: dict) -> Any:
    p = _target_probs(_state(given, override))
    return float(-np.sum(np.log2(p))) if np.all(p > 0) else None


def _log10_loss(given: dict, path: tuple, student: Any, override: dict) -> Any:
    p = _target_probs(_state(given, override))
    return float(-np.sum(np.log10(p))) if np.all(p > 0) else None


def _averaged(given: dict, path: tuple, student: Any, override: dict) -> Any:
    """The mean over the samples instead of the course's sum (only differs with several samples)."""
    st = _state(given, override)
    n = len(st["targets"])
    if n < 2:
        return None
    if path[0] == "loss":
        p = _target_probs(st)
        return float(-np.sum(np.log(p)) / n) if np.all(p > 0) else None
    if st["x"] is None:
        return None
    grad = -((st["r"] - st["y"]).T @ st["x"]) / n
    if path[0] == "gradient":
        return answer_at({"gradient": grad.tolist()}, path)
    return answer_at({"w_new": (st["w"] - float(given["lr"]) * grad).tolist()}, path)


def _sigmoid_probabilities(given: dict, path: tuple, student: Any, override: dict) -> Any:
    """Each logit through the logistic sigmoid, not normalised over the classes."""
    st = _state(given, override)
    with np.errstate(over="ignore"):
        y = 1.0 / (1.0 + np.exp(-st["a"]))
    value = y.tolist() if len(st["targets"]) > 1 else y[0].tolist()
    return answer_at({"probabilities": value}, path)


def _binary_ce(given: dict, path: tuple, student: Any, override: dict) -> Any:
    """The logistic loss −[r ln y + (1 − r) ln(1 − y)] added up over every class's output."""
    st = _state(given, override)
    y, r = st["y"], st["r"]
    if np.any(y <= 0) or np.any(y >= 1):
        return None
    return float(-np.sum(r * np.log(y) + (1 - r) * np.log(1 - y)))


def _sign_flipped(given: dict, path: tuple, student: Any, override: dict) -> Any:
    """The gradient taken as +Σ(r_i − y_i)x_j (the descent direction), so W moves uphill."""
    st = _state(given, override)
    if st["x"] is None:
        return None
    grad = (st["r"] - st["y"]).T @ st["x"]
    if path[0] == "gradient":
        return answer_at({"gradient": grad.tolist()}, path)
    return answer_at({"w_new": (st["w"] - float(given["lr"]) * grad).tolist()}, path)


def _true_class_only(given: dict, path: tuple, student: Any, override: dict) -> Any:
    """Only the true class's row gets a gradient (−(1 − y_t)[1, x]); the other rows are left at 0."""
    st = _state(given, override)
    if st["x"] is None:
        return None
    mask = st["r"]
    grad = -((mask * (st["r"] - st["y"])).T @ st["x"])
    if path[0] == "gradient":
        return answer_at({"gradient": grad.tolist()}, path)
    return answer_at({"w_new": (st["w"] - float(given["lr"]) * grad).tolist()}, path)


def _no_learning_rate(given: dict, path: tuple, student: Any, override: dict) -> Any:
    if given["kind"] != "weights" or float(given["lr"]) == 1.0:
        return None
    return answer_at(solve({**given, "lr": 1.0}, override).answers, path)


VARIANTS = {
    "log2_loss": _log2_loss,
    "log10_loss": _log10_loss,
    "averaged_loss": _averaged,
    "sigmoid_probabilities": _sigmoid_probabilities,
    "binary_cross_entropy": _binary_ce,
    "gradient_sign": _sign_flipped,
    "true_class_only": _true_class_only,
    "no_learning_rate": _no_learning_rate,
}
