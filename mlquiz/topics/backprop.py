"""Backpropagation through sigmoid units, in the course's convention.

Forward: a = W·x + b (W's rows are the layer's neurons), h = σ(a) = 1/(1 + e^(−a)); loss
L = ½·Σ(r − y)² (summed over the samples of a batch).
Backward, δ = −∂L/∂a (the course's sign): output δ = y(1 − y)(r − y); hidden δ = h(1 − h)·(W₂ᵀδ_out),
computed with the old W₂. Gradients ∂L/∂W₂ = −δ_out·hᵀ, ∂L/∂W₁ = −δ_hidden·xᵀ (∂L/∂b = −δ).
Update: W ← W + η·δ·inputᵀ (= W − η·∂L/∂W); biases too unless they are fixed.
A single unit (easy): y = σ(w·x + b), σ'(a) = y(1 − y), δ = δ_y·y(1 − y) for a given upstream δ_y.

given (network) = {"kind": "network", "samples": [{"x": […], "target": […]}], "w1", "b1", "w2", "b2",
                   "lr", "fixed_bias": bool, "bias": bool (whether the network has biases)}
given (unit)    = {"kind": "unit", "x": […], "w": […], "b": float, "upstream": δ_y, "lr"}

Every step's id is the name of the answer it produces (`hidden`, `delta_output`, `w1_new`, …).
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

T = Texts("backprop")

TOLERANCE = Tolerance(relative=0.006, absolute=0.0001)
MAX_SIZE = 10
MAX_MAGNITUDE = 1e6


def sigmoid(a: np.ndarray) -> np.ndarray:
    """1/(1 + e^(−a)); e^(−a) overflowing to ∞ for a very negative a is the right limit, σ = 0."""
    with np.errstate(over="ignore"):
        return 1.0 / (1.0 + np.exp(-a))


def _v(values: Any) -> str:
    array = np.atleast_1d(np.asarray(values, dtype=float))
    if array.ndim == 2:
        return "[" + "; ".join(", ".join(fmt(float(x), 6) for x in row) for row in array) + "]"
    return "[" + ", ".join(fmt(float(x), 6) for x in array) + "]"


def _list(values: np.ndarray) -> Any:
    return np.asarray(values, dtype=float).tolist()


# --------------------------------------------------------------------------- solving

def solve(given: dict, override: dict[tuple, Any] | None = None) -> Solution:
    """All quantities in derivation order; `override` (a student's own values) is carried forward."""
    d = Derivation(override)
    if given["kind"] == "unit":
        _unit(given, d)
    else:
        _network(given, d)
    return d.solution()


def _unit(given: dict, d: Derivation) -> dict[str, float]:
    """The single unit's steps; returns the values handed on (carried forward where the student gave them)."""
    x, w, b = np.array(given["x"], float), np.array(given["w"], float), float(given["b"])
    lr, upstream = given["lr"], given["upstream"]
    a = d.step("pre_activation", T("title.pre_activation"), T("formula.pre_activation"),
               " + ".join(f"{fmtp(float(wi), 6)}·{fmtp(float(xi), 6)}" for wi, xi in zip(w, x)) + f" + {fmtp(b, 6)}",
               float(w @ x + b), answer="pre_activation")
    y = d.step("output", T("title.output_unit"), T("formula.output_unit"), f"1/(1 + e^(−{fmtp(a, 6)}))",
               float(sigmoid(a)), answer="output")
    derivative = d.step("sigmoid_derivative", T("title.sigmoid_derivative"), T("formula.sigmoid_derivative"),
                        f"{fmt(y, 6)}·(1 − {fmt(y, 6)})", y * (1 - y), answer="sigmoid_derivative")
    delta = d.step("delta", T("title.delta"), T("formula.delta"), f"{fmtp(upstream, 6)}·{fmt(derivative, 6)}",
                   upstream * derivative, answer="delta")
    d.step("w_new", T("title.w_new"), T("formula.w_new"), f"{_v(w)} + {fmt(lr)}·{fmtp(delta, 6)}·{_v(x)}",
           _list(w + lr * delta * x), answer="w_new")
    d.step("b_new", T("title.b_new"), T("formula.b_new"), f"{fmt(b, 6)} + {fmt(lr)}·{fmtp(delta, 6)}",
           b + lr * delta, answer="b_new")
    return {"a": a, "y": y, "derivative": derivative, "delta": delta}


def _network(given: dict, d: Derivation) -> dict[str, np.ndarray]:
    """The network's steps; returns the arrays handed on (one row per sample), the student's where
    they were carried forward."""
    w1, w2 = np.array(given["w1"], float), np.array(given["w2"], float)
    bias = given.get("bias", True)
    b1 = np.array(given["b1"], float) if bias else np.zeros(len(w1))
    b2 = np.array(given["b2"], float) if bias else np.zeros(len(w2))
    lr = given["lr"]
    update_bias = bias and not given.get("fixed_bias", False)
    samples = given["samples"]
    batch = len(samples) > 1
    xs = np.array([s["x"] for s in samples], float)
    rs = np.array([s["target"] for s in samples], float)

    def shaped(values: np.ndarray) -> Any:
        return _list(values) if batch else _list(values[0])

    def step(step_id: str, formula: Msg, lines: list[str], values: np.ndarray) -> np.ndarray:
        """A step whose value has one row per sample (shown as a vector for a single sample)."""
        carried = d.step(step_id, T(f"title.{step_id}"), formula, lines, shaped(values), answer=step_id)
        return _like(carried, values)

    a1 = xs @ w1.T + b1
    hidden = step("hidden", T("formula.hidden", bias=" + b₁" if bias else ""), [
        line for x, a, h in zip(xs, a1, sigmoid(a1))
        for line in (f"a₁ = {_v(w1)}·{_v(x)}{' + ' + _v(b1) if bias else ''} = {_v(a)}", f"h = σ(a₁) = {_v(h)}")],
        sigmoid(a1))
    a2 = hidden @ w2.T + b2
    output = step("output", T("formula.output", bias=" + b₂" if bias else ""), [
        line for h, a, y in zip(hidden, a2, sigmoid(a2))
        for line in (f"a₂ = {_v(w2)}·{_v(h)}{' + ' + _v(b2) if bias else ''} = {_v(a)}", f"y = σ(a₂) = {_v(y)}")],
        sigmoid(a2))
    d.step("loss", T("title.loss"), T("formula.loss"), "½·(" + " + ".join(
        f"({fmt(float(r), 6)} − {fmt(float(y), 6)})²" for r, y in zip(rs.ravel(), output.ravel())) + ")",
        float(0.5 * np.sum((rs - output) ** 2)), answer="loss")
    delta_out = output * (1 - output) * (rs - output)
    delta_out = step("delta_output", T("formula.delta_output"), [
        f"{fmt(float(y), 6)}·(1 − {fmt(float(y), 6)})·({fmt(float(r), 6)} − {fmt(float(y), 6)}) = {fmt(float(dv), 6)}"
        for yrow, rrow, drow in zip(output, rs, delta_out) for y, r, dv in zip(yrow, rrow, drow)], delta_out)
    back = delta_out @ w2
    delta_hidden = hidden * (1 - hidden) * back
    delta_hidden = step("delta_hidden", T("formula.delta_hidden"), [
        line for h, b, dv in zip(hidden, back, delta_hidden)
        for line in (f"W₂ᵀδ_out = {_v(b)}", f"δ_hid = {_v(h)}·(1 − {_v(h)})·{_v(b)} = {_v(dv)}")], delta_hidden)

    summed = T("formula.summed") if batch else ""
    grad_w2 = -(delta_out.T @ hidden)
    grad_w2 = _like(d.step("grad_w2", T("title.grad_w2"), T("formula.grad_w2", batch=summed),
                           f"−{_v(delta_out.T)}·{_v(hidden)}" if batch else f"−{_v(delta_out[0])}ᵀ·{_v(hidden[0])}",
                           _list(grad_w2), answer="grad_w2"), grad_w2)
    grad_b2 = -delta_out.sum(axis=0)
    if bias:
        grad_b2 = _like(d.step("grad_b2", T("title.grad_b2"), T("formula.grad_b2", batch=summed),
                               f"−{_v(delta_out.sum(axis=0))}", _list(grad_b2), answer="grad_b2"), grad_b2)
    grad_w1 = -(delta_hidden.T @ xs)
    grad_w1 = _like(d.step("grad_w1", T("title.grad_w1"), T("formula.grad_w1", batch=summed),
                           f"−{_v(delta_hidden.T)}·{_v(xs)}" if batch else f"−{_v(delta_hidden[0])}ᵀ·{_v(xs[0])}",
                           _list(grad_w1), answer="grad_w1"), grad_w1)
    grad_b1 = -delta_hidden.sum(axis=0)
    if bias:
        grad_b1 = _like(d.step("grad_b1", T("title.grad_b1"), T("formula.grad_b1", batch=summed),
                               f"−{_v(delta_hidden.sum(axis=0))}", _list(grad_b1), answer="grad_b1"), grad_b1)

    d.step("w2_new", T("title.w2_new"), T("formula.w2_new"), f"{_v(w2)} − {fmt(lr)}·{_v(grad_w2)}",
           _list(w2 - lr * grad_w2), answer="w2_new")
    if bias:
        _bias_update(d, "2", "δ_out", b2, grad_b2, lr, update_bias)
    d.step("w1_new", T("title.w1_new"), T("formula.w1_new"), f"{_v(w1)} − {fmt(lr)}·{_v(grad_w1)}",
           _list(w1 - lr * grad_w1), answer="w1_new")
    if bias:
        _bias_update(d, "1", "δ_hid", b1, grad_b1, lr, update_bias)
    return {"x": xs, "r": rs, "w1": w1, "w2": w2, "a1": a1, "a2": a2, "h": hidden, "y": output,
            "d_out": delta_out}


def _bias_update(d: Derivation, layer: str, delta: str, b: np.ndarray, grad: np.ndarray, lr: float,
                 update: bool) -> None:
    """b ← b + η·δ (= b − η·∂L/∂b), or b unchanged when the biases are fixed."""
    name = "b" + "₁₂"[int(layer) - 1]
    formula = T("formula.bias_update", b=name, delta=delta) if update else T("formula.bias_fixed", b=name)
    d.step(f"b{layer}_new", T(f"title.b{layer}_new"), formula,
           f"{_v(b)} − {fmt(lr)}·{_v(grad)}" if update else _v(b), _list(b - lr * grad if update else b),
           answer=f"b{layer}_new")


# --------------------------------------------------------------------------- problem text

def _shape(given: dict) -> str:
    return f"{len(given['w1'][0])}-{len(given['w1'])}-{len(given['w2'])}"


def statement(given: dict) -> list[Msg]:
    if given["kind"] == "unit":
        return [T("statement.unit", x=_v(given["x"]), w=_v(given["w"]), b=fmt(float(given["b"]), 6)),
                T("statement.unit_upstream", upstream=fmt(float(given["upstream"]), 6)),
                T("statement.unit_task", lr=fmt(float(given["lr"])))]
    if not given.get("bias", True):
        biases = T("statement.without_biases")
    elif given.get("fixed_bias"):
        biases = T("statement.with_fixed_biases")
    else:
        biases = T("statement.with_biases")
    n = len(given["samples"])
    return [T("statement.network", shape=_shape(given), biases=biases, lr=fmt(float(given["lr"])),
              batch=T("statement.batch", n=n) if n > 1 else ""),
            T("statement.network_task")]


def table(given: dict) -> tuple[list, list[list[str]]]:
    if given["kind"] == "unit":
        return ["x", "w", "b", "δ_y", "η"], [[_v(given["x"]), _v(given["w"]), fmt(float(given["b"]), 6),
                                               fmt(float(given["upstream"]), 6), fmt(float(given["lr"]))]]
    batch = len(given["samples"]) > 1
    rows = []
    for i, sample in enumerate(given["samples"], start=1):
        rows.append([f"x ({i})" if batch else "x", _v(sample["x"])])
        rows.append([f"r ({i})" if batch else "r", _v(sample["target"])])
    rows.append(["W₁", _v(given["w1"])])
    if given.get("bias", True):
        rows.append(["b₁", _v(given["b1"])])
    rows.append(["W₂", _v(given["w2"])])
    if given.get("bias", True):
        rows.append(["b₂", _v(given["b2"])])
    return ["", T("header.value")], rows


def _negated(value: Any) -> Any:
    return (-np.asarray(value, dtype=float)).tolist()


def parts(given: dict, solution: Solution, difficulty: str) -> list[Part]:
    a = solution.answers
    sign = T("note.opposite_sign")
    if given["kind"] == "unit":
        return [
            Part(("pre_activation",), T("prompt.pre_activation"), "number", a["pre_activation"], TOLERANCE,
                 step="pre_activation"),
            Part(("output",), T("prompt.output_unit"), "number", a["output"], TOLERANCE, step="output"),
            Part(("sigmoid_derivative",), T("prompt.sigmoid_derivative"), "number", a["sigmoid_derivative"],
                 TOLERANCE, step="sigmoid_derivative"),
            Part(("delta",), T("prompt.delta"), "number", a["delta"], TOLERANCE, step="delta",
                 accepted=((-a["delta"], sign),)),
            Part(("w_new",), T("prompt.w_new"), "vector", a["w_new"], TOLERANCE, step="w_new"),
            Part(("b_new",), T("prompt.b_new"), "number", a["b_new"], TOLERANCE, step="b_new"),
        ]
    bias = given.get("bias", True)
    rows = T("prompt.rows") if len(given["samples"]) > 1 else ""
    kind = "matrix" if len(given["samples"]) > 1 else "vector"
    out = [
        Part(("hidden",), T("prompt.hidden", bias=" + b₁" if bias else "", rows=rows), kind, a["hidden"], TOLERANCE,
             step="hidden"),
        Part(("output",), T("prompt.output", bias=" + b₂" if bias else "", rows=rows), kind, a["output"], TOLERANCE,
             step="output"),
        Part(("loss",), T("prompt.loss"), "number", a["loss"], TOLERANCE, step="loss"),
        Part(("delta_output",), T("prompt.delta_output", rows=rows), kind, a["delta_output"], TOLERANCE,
             step="delta_output", accepted=((_negated(a["delta_output"]), sign),)),
        Part(("delta_hidden",), T("prompt.delta_hidden", rows=rows), kind, a["delta_hidden"], TOLERANCE,
             step="delta_hidden", accepted=((_negated(a["delta_hidden"]), sign),)),
        Part(("grad_w2",), T("prompt.grad_w2"), "matrix", a["grad_w2"], TOLERANCE, step="grad_w2"),
        Part(("grad_w1",), T("prompt.grad_w1"), "matrix", a["grad_w1"], TOLERANCE, step="grad_w1"),
        Part(("w2_new",), T("prompt.w2_new"), "matrix", a["w2_new"], TOLERANCE, step="w2_new"),
        Part(("w1_new",), T("prompt.w1_new"), "matrix", a["w1_new"], TOLERANCE, step="w1_new"),
    ]
    if bias and not given.get("fixed_bias"):
        out += [Part(("b2_new",), T("prompt.b2_new"), "vector", a["b2_new"], TOLERANCE, step="b2_new"),
                Part(("b1_new",), T("prompt.b1_new"), "vector", a["b1_new"], TOLERANCE, step="b1_new")]
    return out


def _flat(value: Any) -> list[float]:
    return [x for item in value for x in _flat(item)] if isinstance(value, list) else [value]


def well_posed(problem: Any) -> None:
    """A unit's pre-activation is neither ≈ 0 nor saturated; a network's shapes agree, its first
    input is not all zeros and no delta is so small that rounding hides it."""
    g, a = problem.given, problem.solution.answers
    if g["kind"] == "unit":
        assert 0.05 < abs(a["pre_activation"]) < 3
        return
    assert len(g["w2"][0]) == len(g["w1"]) and all(len(r) == len(g["samples"][0]["x"]) for r in g["w1"])
    assert any(v != 0 for v in g["samples"][0]["x"])
    assert all(abs(d) >= 0.002 for d in _flat(a["delta_output"]) + _flat(a["delta_hidden"]))


# --------------------------------------------------------------------------- generating

def _tenths(rng: random.Random, low: int, high: int, nonzero: bool = True) -> float:
    for _ in attempts():
        value = rng.randint(low, high) / 10
        if value or not nonzero:
            return value


def _matrix(rng: random.Random, rows: int, cols: int) -> list[list[float]]:
    return [[_tenths(rng, -10, 10) for _ in range(cols)] for _ in range(rows)]


def _random_network(rng: random.Random, sizes: tuple[int, int, int], bias: bool, n_samples: int) -> dict:
    n_in, n_hidden, n_out = sizes
    samples = [{"x": [rng.choice((0.0, 0.5, 1.0, 1.0, 2.0, -1.0)) for _ in range(n_in)],
                "target": [rng.choice((0.0, 1.0, 0.1, 0.9)) for _ in range(n_out)]} for _ in range(n_samples)]
    given = {"kind": "network", "samples": samples, "w1": _matrix(rng, n_hidden, n_in),
             "w2": _matrix(rng, n_out, n_hidden), "lr": rng.choice((0.5, 1.0, 0.1)), "bias": bias,
             "fixed_bias": False}
    if bias:
        given["b1"] = [_tenths(rng, -5, 5) for _ in range(n_hidden)]
        given["b2"] = [_tenths(rng, -5, 5) for _ in range(n_out)]
    return given


def _well_scaled(given: dict) -> bool:
    """No delta so small that rounding hides it (students round to 3–4 decimals)."""
    answers = solve(given).answers
    deltas = np.abs(np.concatenate([np.ravel(answers["delta_output"]), np.ravel(answers["delta_hidden"])]))
    return bool(deltas.min() >= 0.002 and np.all(np.any(np.asarray(given["samples"][0]["x"]) != 0)))


def generate(rng: random.Random, difficulty: str) -> dict:
    if difficulty == "easy":
        for _ in attempts():
            given = {"kind": "unit", "x": [rng.choice((0.5, 1.0, 2.0, -1.0)) for _ in range(2)],
                     "w": [_tenths(rng, -10, 10) for _ in range(2)], "b": _tenths(rng, -5, 5, nonzero=False),
                     "upstream": rng.choice((0.5, 1.0, -1.0, 0.2, -0.4)), "lr": rng.choice((0.5, 1.0, 0.1))}
            a = solve(given).answers["pre_activation"]
            if abs(a) > 0.05 and abs(a) < 3:
                return given
    for _ in attempts():
        if difficulty == "medium":
            given = _random_network(rng, (2, 2, rng.choice((1, 2))), bias=False, n_samples=1)
        elif rng.random() < 0.5:
            given = _random_network(rng, rng.choice(((2, 3, 2), (3, 2, 2))), bias=True, n_samples=1)
        else:
            given = _random_network(rng, (2, 2, 1), bias=True, n_samples=2)
        if _well_scaled(given):
            return given


# --------------------------------------------------------------------------- parsing the options

def parse_data(values: dict) -> dict:
    """Network: --x, --target, --w1, --w2 [--b1 --b2 --lr --fixed-bias]; unit: --x, --w1 (one row),
    --upstream [--b1 (one bias) --lr]. The values are already read and range-checked."""
    lr = values["lr"]
    xs, w1 = values["x"], values["w1"]
    if len(w1[0]) != len(xs[0]):
        raise UserError(T("error.w1_width", n=len(xs[0])))
    if values["upstream"] is not None and values["w2"] is None:
        if len(w1) != 1 or len(xs) != 1:
            raise UserError(T("error.unit_shape"))
        b = values["b1"] if values["b1"] is not None else [0.0]
        if len(b) != 1:
            raise UserError(T("error.unit_bias", n=len(b)))
        _check_sizes(*xs, *w1, b, [values["upstream"]])
        return {"kind": "unit", "x": xs[0], "w": w1[0], "b": b[0], "upstream": values["upstream"], "lr": lr}
    w2, targets = values["w2"], values["target"]
    if w2 is None or targets is None:
        raise UserError(T("error.network_needs"))
    if len(w2[0]) != len(w1):
        raise UserError(T("error.w2_width", n=len(w1)))
    if len(targets) != len(xs) or len(targets[0]) != len(w2):
        raise UserError(T("error.target_shape", n=len(w2)))
    bias = values["b1"] is not None or values["b2"] is not None
    given = {"kind": "network", "samples": [{"x": x, "target": r} for x, r in zip(xs, targets)], "w1": w1,
             "w2": w2, "lr": lr, "bias": bias, "fixed_bias": bool(values["fixed_bias"])}
    if bias:
        given["b1"] = values["b1"] if values["b1"] is not None else [0.0] * len(w1)
        given["b2"] = values["b2"] if values["b2"] is not None else [0.0] * len(w2)
        if len(given["b1"]) != len(w1) or len(given["b2"]) != len(w2):
            raise UserError(T("error.bias_count"))
    if max(len(xs), len(xs[0]), len(w1), len(w2)) > MAX_SIZE:
        raise UserError(T("error.too_big", limit=MAX_SIZE))
    if not all(math.isfinite(v) for row in targets for v in row):
        raise UserError(T("error.target_finite"))
    _check_sizes(*xs, *targets, *w1, *w2, given.get("b1", []), given.get("b2", []))
    return given


def _check_sizes(*rows: list[float]) -> None:
    """Hand-sized numbers only: no sum or square of these can overflow."""
    if any(abs(v) > MAX_MAGNITUDE for row in rows for v in row):
        raise UserError(T("error.too_large"))


def as_options(given: dict) -> dict[str, Any]:
    """The `solve backprop` options that pose this problem again."""
    if given["kind"] == "unit":
        return {"x": _typed(given["x"]), "w1": _typed(given["w"]), "b1": repr(float(given["b"])),
                "upstream": repr(float(given["upstream"])), "lr": repr(float(given["lr"]))}
    raw = {"x": _typed([s["x"] for s in given["samples"]]), "target": _typed([s["target"] for s in given["samples"]]),
           "w1": _typed(given["w1"]), "w2": _typed(given["w2"]), "lr": repr(float(given["lr"])),
           "fixed_bias": bool(given.get("fixed_bias"))}
    if given.get("bias", True):
        raw["b1"], raw["b2"] = _typed(given["b1"]), _typed(given["b2"])
    return raw


def from_bank(entry: dict) -> dict:
    """One entry of problems/backprop/bank.toml → given, read exactly as `solve backprop` reads its
    options (x, target, w1, b1, w2, b2, lr, fixed-bias, upstream; a vector x or target is one sample).
    Values are TOML numbers and arrays, or the options' typed text ("0.15,0.2;0.25,0.3"). The bank is
    shipped data, so a malformed entry is a ValueError."""
    from mlquiz import options, registry

    where = f"bank:{entry.get('id')}"
    try:
        raw: dict[str, Any] = {}
        for key, value in entry.items():  # fixed-bias or fixed_bias: the option's name or its key
            name = key.replace("-", "_")
            if isinstance(value, (bool, str)):
                raw[name] = value
            elif isinstance(value, (int, float)):
                raw[name] = repr(float(value))
            elif isinstance(value, list):
                raw[name] = _typed(value)
        return parse_data(options.parse("backprop", registry.info("backprop").options, raw))
    except (UserError, TypeError, ValueError) as exc:
        raise ValueError(f"{where}: {exc}") from None


# --------------------------------------------------------------------------- misconceptions
# Each returns the value the wrong method gives at the checkpoint `path` (texts in
# problems/backprop/text.<lang>.toml, applies_to in misconceptions.toml), from the student's own
# earlier values where they were carried forward.

def _state(given: dict, override: dict) -> dict[str, Any]:
    """The values the derivation hands on, the student's where they gave them."""
    d = Derivation(override)
    return _unit(given, d) if given["kind"] == "unit" else _network(given, d)


def _shaped(given: dict, value: np.ndarray) -> Any:
    return value.tolist() if len(given["samples"]) > 1 else value[0].tolist()


def _no_sigmoid_derivative(given: dict, path: tuple, student: Any, override: dict) -> Any:
    if given["kind"] == "unit":
        return given["upstream"]
    st = _state(given, override)
    return _shaped(given, st["r"] - st["y"])


def _preactivation(given: dict, path: tuple, student: Any, override: dict) -> Any:
    st = _state(given, override)
    if given["kind"] == "unit":
        a = st["a"]
        return a * (1 - a) if path[0] == "sigmoid_derivative" else given["upstream"] * a * (1 - a)
    if path[0] == "delta_output":
        return _shaped(given, st["a2"] * (1 - st["a2"]) * (st["r"] - st["y"]))
    return _shaped(given, st["a1"] * (1 - st["a1"]) * (st["d_out"] @ st["w2"]))


def _updated_w2(given: dict, path: tuple, student: Any, override: dict) -> Any:
    st = _state(given, override)
    w2_new = st["w2"] + given["lr"] * st["d_out"].T @ st["h"]
    return _shaped(given, st["h"] * (1 - st["h"]) * (st["d_out"] @ w2_new))


def _no_learning_rate(given: dict, path: tuple, student: Any, override: dict) -> Any:
    return answer_at(solve({**given, "lr": 1.0}, override).answers, path)


VARIANTS = {
    "no_sigmoid_derivative": _no_sigmoid_derivative,
    "preactivation_derivative": _preactivation,
    "updated_w2": _updated_w2,
    "no_learning_rate": _no_learning_rate,
}
