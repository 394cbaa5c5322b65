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
"""

from __future__ import annotations

import math
import random
from typing import Any

import numpy as np

from mlquiz.errors import UserError
from mlquiz.model import Part, Solution, Step, Tolerance
from mlquiz.topics.common import fmt, fmtp, number_rows

TEXT = {
    "statement_network": "A {shape} network of sigmoid units{bias_text} is trained with loss L = ½·Σ(r − y)²{batch} "
                         "and learning rate η = {lr}. Do one forward pass, one backward pass and one update "
                         "(rows of W are the neurons of that layer; δ = −∂L/∂a as in the course).",
    "statement_unit": "A sigmoid unit y = σ(w·x + b) has inputs x = {x}, weights w = {w} and bias b = {b}. "
                      "The error signal arriving from above is δ_y = {upstream} (δ = −∂L/∂·, the course's sign). "
                      "Find a, y, σ'(a), δ and the weights after one update with η = {lr}.",
    "bias_text": " with biases",
    "no_bias_text": " without biases",
    "fixed_bias_text": " (biases are fixed: not updated)",
    "batch": ", summed over a batch of {n} samples",
    "prompt_pre_activation": "the pre-activation a = w·x + b",
    "prompt_output_unit": "the output y = σ(a)",
    "prompt_derivative": "σ'(a) = y(1 − y)",
    "prompt_delta": "δ = δ_y·y(1 − y)",
    "prompt_w_new": "the weights w after the update",
    "prompt_b_new": "the bias b after the update",
    "prompt_hidden": "the hidden activations h = σ(W₁x{b}){which}",
    "prompt_output": "the outputs y = σ(W₂h{b}){which}",
    "prompt_loss": "the loss L = ½·Σ(r − y)²",
    "prompt_delta_output": "the output deltas δ_out = y(1 − y)(r − y){which}",
    "prompt_delta_hidden": "the hidden deltas δ_hid = h(1 − h)·(W₂ᵀδ_out){which}",
    "prompt_grad_w2": "∂L/∂W₂ (a matrix, rows = output neurons)",
    "prompt_grad_w1": "∂L/∂W₁ (a matrix, rows = hidden neurons)",
    "prompt_w2_new": "W₂ after the update",
    "prompt_w1_new": "W₁ after the update",
    "prompt_b2_new": "b₂ after the update",
    "prompt_b1_new": "b₁ after the update",
    "which_sample": " for sample {i}",
    "which_rows": " (one row per sample)",
    "title_pre": "Pre-activation",
    "title_out_unit": "Output",
    "title_derivative": "Sigmoid derivative",
    "title_delta": "Delta through the sigmoid",
    "title_w_new": "Weight update",
    "title_b_new": "Bias update",
    "title_hidden": "Hidden layer (forward)",
    "title_output": "Output layer (forward)",
    "title_loss": "Loss",
    "title_delta_output": "Output deltas",
    "title_delta_hidden": "Hidden deltas (with the old W₂)",
    "title_grad_w2": "Gradient of W₂",
    "title_grad_b2": "Gradient of b₂",
    "title_grad_w1": "Gradient of W₁",
    "title_grad_b1": "Gradient of b₁",
    "title_w2_new": "Update W₂",
    "title_b2_new": "Update b₂",
    "title_w1_new": "Update W₁",
    "title_b1_new": "Update b₁",
    "remark_sign": "you used δ = ∂L/∂a, the opposite sign to the course's δ = −∂L/∂a; that is fine if you "
                   "then update with w ← w − η·δ·input",
}

OPTIONS = {"x": "input vector (; between samples for a batch)", "target": "target vector(s)",
           "w1": "first-layer weights, rows = neurons", "b1": "first-layer biases",
           "w2": "second-layer weights, rows = neurons", "b2": "second-layer biases", "lr": "learning rate η",
           "fixed_bias": "do not update biases", "upstream": "δ_y arriving at a single unit"}
TOLERANCE = Tolerance(relative=0.006, absolute=0.0001)
MAX_SIZE = 10


def sigmoid(a: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-a))


def _v(values: Any) -> str:
    array = np.atleast_1d(np.asarray(values, dtype=float))
    if array.ndim == 2:
        return "[" + "; ".join(", ".join(fmt(x, 6) for x in row) for row in array) + "]"
    return "[" + ", ".join(fmt(x, 6) for x in array) + "]"


def _list(values: np.ndarray) -> Any:
    return np.asarray(values, dtype=float).tolist()


# --------------------------------------------------------------------------- solving

def solve(given: dict, override: dict[str, Any] | None = None) -> Solution:
    if given["kind"] == "unit":
        return _solve_unit(given, override or {})
    return _solve_network(given, override or {})


def _solve_unit(given: dict, override: dict[str, Any]) -> Solution:
    x, w, b = np.array(given["x"], float), np.array(given["w"], float), float(given["b"])
    lr, upstream = given["lr"], given["upstream"]
    steps: list[Step] = []
    a = float(w @ x + b)
    steps.append(Step(TEXT["title_pre"], "a = w·x + b",
                      " + ".join(f"{fmtp(wi, 6)}·{fmtp(xi, 6)}" for wi, xi in zip(w, x)) + f" + {fmtp(b, 6)}", a,
                      answer="pre_activation"))
    a = float(override.get("pre_activation", a))
    y = float(sigmoid(a))
    steps.append(Step(TEXT["title_out_unit"], "y = σ(a) = 1/(1 + e^(−a))", f"1/(1 + e^(−{fmtp(a, 6)}))", y,
                      answer="output"))
    y = float(override.get("output", y))
    derivative = y * (1 - y)
    steps.append(Step(TEXT["title_derivative"], "σ'(a) = y(1 − y)", f"{fmt(y, 6)}·(1 − {fmt(y, 6)})", derivative,
                      answer="sigmoid_derivative"))
    derivative = float(override.get("sigmoid_derivative", derivative))
    delta = upstream * derivative
    steps.append(Step(TEXT["title_delta"], "δ = δ_y·y(1 − y)", f"{fmtp(upstream, 6)}·{fmt(derivative, 6)}", delta,
                      answer="delta"))
    delta = float(override.get("delta", delta))
    w_new = w + lr * delta * x
    steps.append(Step(TEXT["title_w_new"], "w ← w + η·δ·x",
                      f"{_v(w)} + {fmt(lr)}·{fmtp(delta, 6)}·{_v(x)}", _list(w_new), answer="w_new"))
    b_new = b + lr * delta
    steps.append(Step(TEXT["title_b_new"], "b ← b + η·δ", f"{fmt(b, 6)} + {fmt(lr)}·{fmtp(delta, 6)}", b_new,
                      answer="b_new"))
    answers = {step.answer: step.value for step in steps}
    return Solution(steps=steps, answers=answers)


def _solve_network(given: dict, override: dict[str, Any]) -> Solution:
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
    steps: list[Step] = []

    def shaped(values: np.ndarray) -> Any:
        return _list(values) if batch else _list(values[0])

    def take(name: str, values: np.ndarray) -> np.ndarray:
        if name not in override:
            return values
        student = np.array(override[name], float)
        return student.reshape(values.shape) if student.size == values.size else values

    a1 = xs @ w1.T + b1
    hidden = sigmoid(a1)
    bias1 = " + b₁" if bias else ""
    steps.append(Step(TEXT["title_hidden"], f"a₁ = W₁x{bias1},  h = σ(a₁)", "\n".join(
        f"a₁ = {_v(w1)}·{_v(x)}{' + ' + _v(b1) if bias else ''} = {_v(a)}\nh = σ(a₁) = {_v(h)}"
        for x, a, h in zip(xs, a1, hidden)), shaped(hidden), answer="hidden"))
    hidden = take("hidden", hidden)
    a2 = hidden @ w2.T + b2
    output = sigmoid(a2)
    steps.append(Step(TEXT["title_output"], f"a₂ = W₂h{' + b₂' if bias else ''},  y = σ(a₂)", "\n".join(
        f"a₂ = {_v(w2)}·{_v(h)}{' + ' + _v(b2) if bias else ''} = {_v(a)}\ny = σ(a₂) = {_v(y)}"
        for h, a, y in zip(hidden, a2, output)), shaped(output), answer="output"))
    output = take("output", output)
    loss = float(0.5 * np.sum((rs - output) ** 2))
    steps.append(Step(TEXT["title_loss"], "L = ½·Σ(r − y)²", "½·(" + " + ".join(
        f"({fmt(r, 6)} − {fmt(y, 6)})²" for r, y in zip(rs.ravel(), output.ravel())) + ")", loss, answer="loss"))
    delta_out = output * (1 - output) * (rs - output)
    steps.append(Step(TEXT["title_delta_output"], "δ_out = y(1 − y)(r − y)", "\n".join(
        "\n".join(f"{fmt(y, 6)}·(1 − {fmt(y, 6)})·({fmt(r, 6)} − {fmt(y, 6)}) = {fmt(d, 6)}"
                  for y, r, d in zip(yrow, rrow, drow)) for yrow, rrow, drow in zip(output, rs, delta_out)),
        shaped(delta_out), answer="delta_output"))
    delta_out = take("delta_output", delta_out)
    back = delta_out @ w2
    delta_hidden = hidden * (1 - hidden) * back
    steps.append(Step(TEXT["title_delta_hidden"], "δ_hid = h(1 − h)·(W₂ᵀδ_out)", "\n".join(
        f"W₂ᵀδ_out = {_v(b)}\nδ_hid = {_v(h)}·(1 − {_v(h)})·{_v(b)} = {_v(d)}"
        for h, b, d in zip(hidden, back, delta_hidden)), shaped(delta_hidden), answer="delta_hidden"))
    delta_hidden = take("delta_hidden", delta_hidden)

    batch_note = " (summed over the batch)" if batch else ""
    grad_w2 = -(delta_out.T @ hidden)
    grad_w1 = -(delta_hidden.T @ xs)
    grad_b2, grad_b1 = -delta_out.sum(axis=0), -delta_hidden.sum(axis=0)
    steps.append(Step(TEXT["title_grad_w2"], "∂L/∂W₂ = −δ_out·hᵀ" + batch_note,
                      f"−{_v(delta_out.T)}·{_v(hidden)}" if batch else f"−{_v(delta_out[0])}ᵀ·{_v(hidden[0])}",
                      _list(grad_w2), answer="grad_w2"))
    if bias:
        steps.append(Step(TEXT["title_grad_b2"], "∂L/∂b₂ = −δ_out" + batch_note, f"−{_v(delta_out.sum(axis=0))}",
                          _list(grad_b2), answer="grad_b2"))
    steps.append(Step(TEXT["title_grad_w1"], "∂L/∂W₁ = −δ_hid·xᵀ" + batch_note,
                      f"−{_v(delta_hidden.T)}·{_v(xs)}" if batch else f"−{_v(delta_hidden[0])}ᵀ·{_v(xs[0])}",
                      _list(grad_w1), answer="grad_w1"))
    if bias:
        steps.append(Step(TEXT["title_grad_b1"], "∂L/∂b₁ = −δ_hid" + batch_note, f"−{_v(delta_hidden.sum(axis=0))}",
                          _list(grad_b1), answer="grad_b1"))
    grad_w2, grad_w1 = take("grad_w2", grad_w2), take("grad_w1", grad_w1)
    w2_new, w1_new = w2 - lr * grad_w2, w1 - lr * grad_w1
    steps.append(Step(TEXT["title_w2_new"], "W₂ ← W₂ + η·δ_out·hᵀ = W₂ − η·∂L/∂W₂",
                      f"{_v(w2)} − {fmt(lr)}·{_v(grad_w2)}", _list(w2_new), answer="w2_new"))
    if bias:
        steps.append(_bias_update("2", "δ_out", b2, grad_b2, lr, update_bias))
    steps.append(Step(TEXT["title_w1_new"], "W₁ ← W₁ + η·δ_hid·xᵀ = W₁ − η·∂L/∂W₁",
                      f"{_v(w1)} − {fmt(lr)}·{_v(grad_w1)}", _list(w1_new), answer="w1_new"))
    if bias:
        steps.append(_bias_update("1", "δ_hid", b1, grad_b1, lr, update_bias))
    answers = {step.answer: step.value for step in steps if step.answer}
    return Solution(steps=steps, answers=answers)


def _bias_update(layer: str, delta: str, b: np.ndarray, grad: np.ndarray, lr: float, update: bool) -> Step:
    """b ← b + η·δ (= b − η·∂L/∂b), or b unchanged when the biases are fixed."""
    name = "b" + "₁₂"[int(layer) - 1]
    new = b - lr * grad if update else b
    return Step(TEXT[f"title_b{layer}_new"], f"{name} ← {name} + η·{delta}" if update else f"{name} fixed",
                f"{_v(b)} − {fmt(lr)}·{_v(grad)}" if update else _v(b), _list(new), answer=f"b{layer}_new")


# --------------------------------------------------------------------------- problem text

def _shape(given: dict) -> str:
    return f"{len(given['w1'][0])}-{len(given['w1'])}-{len(given['w2'])}"


def statement(given: dict) -> str:
    if given["kind"] == "unit":
        return TEXT["statement_unit"].format(x=_v(given["x"]), w=_v(given["w"]), b=fmt(given["b"], 6),
                                             upstream=fmt(given["upstream"], 6), lr=fmt(given["lr"]))
    bias_text = TEXT["bias_text"] if given.get("bias", True) else TEXT["no_bias_text"]
    if given.get("bias", True) and given.get("fixed_bias"):
        bias_text += TEXT["fixed_bias_text"]
    n = len(given["samples"])
    return TEXT["statement_network"].format(shape=_shape(given), bias_text=bias_text, lr=fmt(given["lr"]),
                                            batch=TEXT["batch"].format(n=n) if n > 1 else "")


def table(given: dict) -> tuple[list[str], list[list[str]]]:
    if given["kind"] == "unit":
        return ["x", "w", "b", "δ_y", "η"], [[_v(given["x"]), _v(given["w"]), fmt(given["b"], 6),
                                               fmt(given["upstream"], 6), fmt(given["lr"])]]
    rows = []
    for i, sample in enumerate(given["samples"], start=1):
        rows.append([f"x ({i})" if len(given["samples"]) > 1 else "x", _v(sample["x"])])
        rows.append([f"r ({i})" if len(given["samples"]) > 1 else "r", _v(sample["target"])])
    rows.append(["W₁", _v(given["w1"])])
    if given.get("bias", True):
        rows.append(["b₁", _v(given["b1"])])
    rows.append(["W₂", _v(given["w2"])])
    if given.get("bias", True):
        rows.append(["b₂", _v(given["b2"])])
    return ["", "value"], rows


def _negated(value: Any) -> Any:
    return (-np.asarray(value, dtype=float)).tolist()


def parts(given: dict, solution: Solution, difficulty: str) -> list[Part]:
    a = solution.answers
    if given["kind"] == "unit":
        return [
            Part("pre_activation", TEXT["prompt_pre_activation"], "number", a["pre_activation"], TOLERANCE,
                 step=TEXT["title_pre"]),
            Part("output", TEXT["prompt_output_unit"], "number", a["output"], TOLERANCE, step=TEXT["title_out_unit"]),
            Part("sigmoid_derivative", TEXT["prompt_derivative"], "number", a["sigmoid_derivative"], TOLERANCE,
                 step=TEXT["title_derivative"]),
            Part("delta", TEXT["prompt_delta"], "number", a["delta"], TOLERANCE, step=TEXT["title_delta"],
                 accepted=((-a["delta"], TEXT["remark_sign"]),)),
            Part("w_new", TEXT["prompt_w_new"], "vector", a["w_new"], TOLERANCE, step=TEXT["title_w_new"]),
            Part("b_new", TEXT["prompt_b_new"], "number", a["b_new"], TOLERANCE, step=TEXT["title_b_new"]),
        ]
    batch = len(given["samples"]) > 1
    which = TEXT["which_rows"] if batch else ""
    kind = "matrix" if batch else "vector"
    out = [
        Part("hidden", TEXT["prompt_hidden"].format(which=which, b=" + b₁" if given.get("bias", True) else ""), kind, a["hidden"], TOLERANCE, step=TEXT["title_hidden"]),
        Part("output", TEXT["prompt_output"].format(which=which, b=" + b₂" if given.get("bias", True) else ""), kind, a["output"], TOLERANCE, step=TEXT["title_output"]),
        Part("loss", TEXT["prompt_loss"], "number", a["loss"], TOLERANCE, step=TEXT["title_loss"]),
        Part("delta_output", TEXT["prompt_delta_output"].format(which=which), kind, a["delta_output"], TOLERANCE,
             step=TEXT["title_delta_output"], accepted=((_negated(a["delta_output"]), TEXT["remark_sign"]),)),
        Part("delta_hidden", TEXT["prompt_delta_hidden"].format(which=which), kind, a["delta_hidden"], TOLERANCE,
             step=TEXT["title_delta_hidden"], accepted=((_negated(a["delta_hidden"]), TEXT["remark_sign"]),)),
        Part("grad_w2", TEXT["prompt_grad_w2"], "matrix", a["grad_w2"], TOLERANCE, step=TEXT["title_grad_w2"]),
        Part("grad_w1", TEXT["prompt_grad_w1"], "matrix", a["grad_w1"], TOLERANCE, step=TEXT["title_grad_w1"]),
        Part("w2_new", TEXT["prompt_w2_new"], "matrix", a["w2_new"], TOLERANCE, step=TEXT["title_w2_new"]),
        Part("w1_new", TEXT["prompt_w1_new"], "matrix", a["w1_new"], TOLERANCE, step=TEXT["title_w1_new"]),
    ]
    if given.get("bias", True) and not given.get("fixed_bias"):
        out += [Part("b2_new", TEXT["prompt_b2_new"], "vector", a["b2_new"], TOLERANCE, step=TEXT["title_b2_new"]),
                Part("b1_new", TEXT["prompt_b1_new"], "vector", a["b1_new"], TOLERANCE, step=TEXT["title_b1_new"])]
    return out


# --------------------------------------------------------------------------- generating

def _tenths(rng: random.Random, low: int, high: int, nonzero: bool = True) -> float:
    while True:
        value = rng.randint(low, high) / 10
        if value or not nonzero:
            return value


def _matrix(rng: random.Random, rows: int, cols: int) -> list[list[float]]:
    return [[_tenths(rng, -10, 10) for _ in range(cols)] for _ in range(rows)]


def _network(rng: random.Random, sizes: tuple[int, int, int], bias: bool, n_samples: int) -> dict:
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
        while True:
            given = {"kind": "unit", "x": [rng.choice((0.5, 1.0, 2.0, -1.0)) for _ in range(2)],
                     "w": [_tenths(rng, -10, 10) for _ in range(2)], "b": _tenths(rng, -5, 5, nonzero=False),
                     "upstream": rng.choice((0.5, 1.0, -1.0, 0.2, -0.4)), "lr": rng.choice((0.5, 1.0, 0.1))}
            a = solve(given).answers["pre_activation"]
            if abs(a) > 0.05 and abs(a) < 3:
                return given
    while True:
        if difficulty == "medium":
            given = _network(rng, (2, 2, rng.choice((1, 2))), bias=False, n_samples=1)
        elif rng.random() < 0.5:
            given = _network(rng, rng.choice(((2, 3, 2), (3, 2, 2))), bias=True, n_samples=1)
        else:
            given = _network(rng, (2, 2, 1), bias=True, n_samples=2)
        if _well_scaled(given):
            return given


# --------------------------------------------------------------------------- parsing the options

def _rows(value: Any, flag: str, example: str) -> list[list[float]]:
    return number_rows(str(value), flag, example)


def _vector(value: Any, flag: str, example: str) -> list[float]:
    rows = _rows(value, flag, example)
    if len(rows) != 1:
        raise UserError(f"{flag} must be one vector like {example!r}")
    return rows[0]


def parse_data(text: str, options: dict) -> dict:
    """Network: --x, --target, --w1, --w2 [--b1 --b2 --lr --fixed-bias]; unit: --x, --w1 (one row), --upstream."""
    lr = _vector(options.get("lr") or "0.5", "--lr", "0.5")
    if len(lr) != 1 or not 0 < lr[0] <= 100:
        raise UserError("--lr must be one positive number")
    if options.get("x") is None or options.get("w1") is None:
        raise UserError('backprop needs --x "0.05,0.10" and --w1 "0.15,0.20;0.25,0.30", plus --target and --w2 '
                        "for a network or --upstream for a single unit")
    xs = _rows(options["x"], "--x", "0.05,0.10")
    w1 = _rows(options["w1"], "--w1", "0.15,0.20;0.25,0.30")
    if len(w1[0]) != len(xs[0]):
        raise UserError(f"--w1 rows need {len(xs[0])} weights, one per input in --x")
    if options.get("upstream") is not None and options.get("w2") is None:
        if len(w1) != 1 or len(xs) != 1:
            raise UserError("a single unit takes one --x vector and one --w1 row")
        b = _vector(options.get("b1") or "0", "--b1", "0.35")
        upstream = _vector(options["upstream"], "--upstream", "0.5")
        return {"kind": "unit", "x": xs[0], "w": w1[0], "b": b[0], "upstream": upstream[0], "lr": lr[0]}
    if options.get("w2") is None or options.get("target") is None:
        raise UserError("a network needs --w2 and --target as well (or --upstream for a single unit)")
    w2 = _rows(options["w2"], "--w2", "0.40,0.45;0.50,0.55")
    targets = _rows(options["target"], "--target", "0.01,0.99")
    if len(w2[0]) != len(w1):
        raise UserError(f"--w2 rows need {len(w1)} weights, one per hidden neuron (rows of --w1)")
    if len(targets) != len(xs) or len(targets[0]) != len(w2):
        raise UserError(f"--target needs {len(w2)} value(s) per sample, one per output neuron, and one row per --x row")
    bias = options.get("b1") is not None or options.get("b2") is not None
    given = {"kind": "network", "samples": [{"x": x, "target": r} for x, r in zip(xs, targets)], "w1": w1,
             "w2": w2, "lr": lr[0], "bias": bias, "fixed_bias": bool(options.get("fixed_bias"))}
    if bias:
        given["b1"] = _vector(options.get("b1") or ",".join("0" * len(w1)), "--b1", "0.35,0.35")
        given["b2"] = _vector(options.get("b2") or ",".join("0" * len(w2)), "--b2", "0.60,0.60")
        if len(given["b1"]) != len(w1) or len(given["b2"]) != len(w2):
            raise UserError("--b1 needs one bias per hidden neuron and --b2 one per output neuron")
    if max(len(xs), len(xs[0]), len(w1), len(w2)) > MAX_SIZE:
        raise UserError(f"at most {MAX_SIZE} inputs, neurons per layer and samples (this is for hand-sized networks)")
    if any(abs(v) > 1e6 for row in [*xs, *w1, *w2] for v in row):
        raise UserError("inputs and weights must be smaller than 1e6 in size")
    if not all(math.isfinite(v) for row in targets for v in row):
        raise UserError("--target must be finite numbers")
    return given


# --------------------------------------------------------------------------- misconceptions
# Each returns the value the wrong method gives at the checkpoint `name` (texts in
# problems/backprop/misconceptions.toml), from the student's own earlier values where given.

def _state(given: dict, override: dict) -> dict[str, np.ndarray]:
    """The forward and backward quantities, the student's where they gave them."""
    answers = solve(given, override).answers

    def pick(key: str) -> np.ndarray:
        return np.atleast_2d(np.array(override.get(key, answers[key]), dtype=float))

    w1, w2 = np.array(given["w1"], float), np.array(given["w2"], float)
    bias = given.get("bias", True)
    xs = np.array([s["x"] for s in given["samples"]], float)
    hidden = pick("hidden")
    return {"x": xs, "r": np.array([s["target"] for s in given["samples"]], float), "w1": w1, "w2": w2,
            "a1": xs @ w1.T + (np.array(given["b1"], float) if bias else 0.0), "h": hidden,
            "a2": hidden @ w2.T + (np.array(given["b2"], float) if bias else 0.0), "y": pick("output"),
            "d_out": pick("delta_output")}


def _shaped(given: dict, value: np.ndarray) -> Any:
    return value.tolist() if len(given["samples"]) > 1 else value[0].tolist()


def _no_sigmoid_derivative(given: dict, name: str, student: Any, override: dict) -> Any:
    if given["kind"] == "unit":
        return given["upstream"]
    st = _state(given, override)
    return _shaped(given, st["r"] - st["y"])


def _preactivation(given: dict, name: str, student: Any, override: dict) -> Any:
    if given["kind"] == "unit":
        a = float(override.get("pre_activation", solve(given).answers["pre_activation"]))
        return a * (1 - a) if name == "sigmoid_derivative" else given["upstream"] * a * (1 - a)
    st = _state(given, override)
    if name == "delta_output":
        return _shaped(given, st["a2"] * (1 - st["a2"]) * (st["r"] - st["y"]))
    return _shaped(given, st["a1"] * (1 - st["a1"]) * (st["d_out"] @ st["w2"]))


def _updated_w2(given: dict, name: str, student: Any, override: dict) -> Any:
    st = _state(given, override)
    w2_new = st["w2"] + given["lr"] * st["d_out"].T @ st["h"]
    return _shaped(given, st["h"] * (1 - st["h"]) * (st["d_out"] @ w2_new))


VARIANTS = {
    "no_sigmoid_derivative": _no_sigmoid_derivative,
    "preactivation_derivative": _preactivation,
    "updated_w2": _updated_w2,
    "no_learning_rate": lambda given, name, student, override: solve({**given, "lr": 1.0}, override).answers[name],
}
