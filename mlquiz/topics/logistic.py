"""Logistic regression by gradient descent, in the course's convention.

a = wᵀx + w0 (written with a leading 1 in x, so w = [w0, w1, …, wd]); y = σ(a) = 1/(1 + e^(−a));
loss L = −Σ_l [r log y + (1 − r) log(1 − y)] (natural log, a SUM over the samples, as the notes write
it; Ng's course averages); ∂L/∂w_j = −Σ_l (r − y)·x_j (x_0 = 1); w ← w − η·∂L/∂w, `steps` times
(full batch); predictions are 1 where y ≥ 0.5.

given = {"samples": [{"x": [x1, …, xd], "r": 0 | 1}], "w": [w0, w1, …, wd], "lr": η, "steps": K}
Answers: activations, probabilities, loss, predictions, gradient (all with the initial w), w_new (after
the K steps) and loss_new (L at w_new). Step ids: the answer's name; the updates are `update` (one step)
or `update/1` … `update/K`.
"""

from __future__ import annotations

import csv
import io
import math
import random
from typing import Any

import numpy as np

from mlquiz.answers import AnswerError, parse_number
from mlquiz.derivation import Derivation
from mlquiz.errors import UserError, short
from mlquiz.model import Part, Solution, Tolerance, answer_at
from mlquiz.text import Msg, Texts
from mlquiz.topics.common import attempts, fmt, fmtp, is_number, like as _like, split_rows, typed

T = Texts("logistic")

TOLERANCE = Tolerance(relative=0.006, absolute=0.002)
MAX_ROWS, MAX_FEATURES, MAX_MAGNITUDE = 1000, 10, 1e6
LEARNING_RATES = (0.1, 0.5, 1.0)
LN2, LN10 = math.log(2), math.log(10)


# --------------------------------------------------------------------------- arithmetic

def sigmoid(a: np.ndarray) -> np.ndarray:
    """1/(1 + e^(−a)), without overflow for a large |a|."""
    a = np.asarray(a, dtype=float)
    with np.errstate(over="ignore"):
        return np.where(a >= 0, 1.0 / (1.0 + np.exp(-np.abs(a))), np.exp(-np.abs(a)) / (1.0 + np.exp(-np.abs(a))))


def _terms(r: np.ndarray, y: np.ndarray, a: np.ndarray | None) -> np.ndarray:
    """−r ln y − (1 − r) ln(1 − y) per sample; from a (exactly, no log of 0) when y = σ(a)."""
    if a is not None:
        return np.where(r == 1, np.logaddexp(0.0, -a), np.logaddexp(0.0, a))
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(r == 1, -np.log(np.clip(y, 0.0, 1.0)), -np.log(np.clip(1 - y, 0.0, 1.0)))


def _loss_value(r: np.ndarray, y: np.ndarray, a: np.ndarray | None, mistake: str | None) -> float:
    """The loss by the right method, or by one misconception (log base, average, the notes' bracket)."""
    n = len(r)
    if mistake == "notes_bracket":  # −Σ r ln y + Σ (1 − r) ln(1 − y): the minus reaches only the first term
        ln_y = -np.logaddexp(0.0, -a) if a is not None else np.log(np.clip(y, 1e-300, 1))
        ln_1y = -np.logaddexp(0.0, a) if a is not None else np.log(np.clip(1 - y, 1e-300, 1))
        return float(np.sum(-r * ln_y + (1 - r) * ln_1y))
    total = float(np.sum(_terms(r, y, a)))
    if mistake == "log2_loss":
        return total / LN2
    if mistake == "log10_loss":
        return total / LN10
    if mistake == "averaged":
        return total / n
    return total


def _gradient_value(xs: np.ndarray, r: np.ndarray, y: np.ndarray, mistake: str | None) -> np.ndarray:
    """∂L/∂w = −Σ (r − y)·[1, x] (or a misconception's version of it)."""
    error = r - y
    if mistake == "sigmoid_slope":
        error = error * y * (1 - y)
    grad = -(error @ xs)
    if mistake == "gradient_sign":
        grad = -grad
    if mistake == "averaged":
        grad = grad / len(r)
    return grad + 0.0  # no −0.0 in the answers


# --------------------------------------------------------------------------- formatting

def _v(values: Any) -> str:
    return "[" + ", ".join(fmt(float(x)) for x in np.atleast_1d(np.asarray(values, dtype=float))) + "]"


def _design(given: dict) -> tuple[np.ndarray, np.ndarray]:
    """X with a leading column of ones (x_0 = 1) and the labels r."""
    xs = np.array([[1.0, *map(float, s["x"])] for s in given["samples"]])
    rs = np.array([float(s["r"]) for s in given["samples"]])
    return xs, rs


# --------------------------------------------------------------------------- solving

def solve(given: dict, override: dict[tuple, Any] | None = None) -> Solution:
    """All quantities in derivation order; `override` (a student's own values) is carried forward."""
    return _run(given, override, None)


def _run(given: dict, override: dict[tuple, Any] | None, mistake: str | None) -> Solution:
    """The derivation, by the right method or (for VARIANTS) with one misconception throughout."""
    d = Derivation(override)
    xs, rs = _design(given)
    w = np.array(given["w"], dtype=float)
    lr, steps = float(given["lr"]), int(given["steps"])

    a = xs @ w
    a = _like(d.step("activations", T("title.activations"), T("formula.activations"), [
        f"a⁽{l}⁾ = " + " + ".join([fmtp(float(w[0]))] + [f"{fmtp(float(wj))}·{fmtp(float(xj))}"
                                                        for wj, xj in zip(w[1:], x[1:])]) + f" = {fmt(float(al))}"
        for l, (x, al) in enumerate(zip(xs, a), start=1)], a.tolist(), answer="activations"), a)
    computed_y = sigmoid(a)
    y = _like(d.step("probabilities", T("title.probabilities"), T("formula.probabilities"), [
        f"y⁽{l}⁾ = 1/(1 + e^(−{fmtp(float(al))})) = {fmt(float(yl))}"
        for l, (al, yl) in enumerate(zip(a, computed_y), start=1)], computed_y.tolist(), answer="probabilities"),
        computed_y)
    exact = a if np.array_equal(y, computed_y) else None  # no carried y: the loss from a, without log(0)
    terms = _terms(rs, y, exact)
    d.step("loss", T("title.loss"), T("formula.loss"), [
        *(f"l⁽{l}⁾ = " + (f"−ln({fmt(float(yl))})" if rl == 1 else f"−ln(1 − {fmt(float(yl))})") + f" = {fmt(float(t))}"
          for l, (rl, yl, t) in enumerate(zip(rs, y, terms), start=1)),
        "L = " + " + ".join(fmt(float(t)) for t in terms)],
        _loss_value(rs, y, exact, mistake), answer="loss")
    d.note(T("note.summed"))
    d.note(T("note.bracket"))
    predictions = [int(v >= 0.5) for v in y]
    d.step("predictions", T("title.predictions"), T("formula.predictions"), [
        f"y⁽{l}⁾ = {fmt(float(yl))} → {p}" for l, (yl, p) in enumerate(zip(y, predictions), start=1)],
        predictions, answer="predictions")
    error = rs - y
    grad = _gradient_value(xs, rs, y, mistake)
    grad = _like(d.step("gradient", T("title.gradient"), T("formula.gradient"), [
        f"r − y = {_v(error)}",
        *(f"∂L/∂w{j} = −(" + " + ".join(f"{fmtp(float(e))}·{fmtp(float(x))}" for e, x in zip(error, xs[:, j]))
          + f") = {fmt(float(g))}" for j, g in enumerate(grad))],
        grad.tolist(), answer="gradient"), grad)

    current = w
    for k in range(1, steps + 1):
        if k > 1:  # the later steps recompute the gradient at the current w
            yk = sigmoid(xs @ current)
            grad = _gradient_value(xs, rs, yk, mistake)
        sign = 1.0 if mistake == "ascent" else -1.0
        new = current + sign * lr * grad
        step_id = "update" if steps == 1 else f"update/{k}"
        lines = [] if k == 1 else [f"y = σ(wᵀx) = {_v(yk)}", f"∂L/∂w = {_v(grad)}"]
        lines.append(f"w = {_v(current)} − {fmt(lr)}·{_v(grad)} = {_v(new)}")
        value = d.step(step_id, T("title.update", k=k, steps=steps), T("formula.update"), lines, new.tolist(),
                       answer="w_new" if k == steps else None)
        current = _like(value, new) if k == steps else new

    a_new = xs @ current
    y_new = sigmoid(a_new)
    d.step("loss_new", T("title.loss_new"), T("formula.loss_new"), [
        f"a = wᵀx = {_v(a_new)}", f"y = σ(a) = {_v(y_new)}",
        "L = " + " + ".join(fmt(float(t)) for t in _terms(rs, y_new, a_new))],
        _loss_value(rs, y_new, a_new, mistake), answer="loss_new")
    if steps > 1:
        d.note(T("note.full_batch", steps=steps))
    return d.solution()


# --------------------------------------------------------------------------- problem text

def _model(given: dict) -> str:
    d = len(given["samples"][0]["x"])
    return "w0 + " + " + ".join(f"w{j}·x{j}" for j in range(1, d + 1))


def statement(given: dict) -> list[Msg]:
    steps, n = int(given["steps"]), len(given["samples"])
    asked = "" if _at_threshold(given) else "_predictions"  # w = 0: every y is 0.5, no prediction asked
    return [T("statement.model", model=_model(given), n=n) if n > 1 else T("statement.model_one", model=_model(given)),
            T("statement.start", w=_v(given["w"]), lr=fmt(float(given["lr"]))),
            T(f"statement.task_one{asked}") if steps == 1 else T(f"statement.task_many{asked}", steps=steps)]


def _at_threshold(given: dict) -> bool:
    """Whether every activation is 0 (as with w = 0): every y is exactly the threshold 0.5."""
    xs, _ = _design(given)
    return bool(np.all(np.abs(xs @ np.array(given["w"], dtype=float)) < 1e-12))


def table(given: dict) -> tuple[list, list[list[str]]]:
    d = len(given["samples"][0]["x"])
    headers = ["l", *(f"x{j}" for j in range(1, d + 1)), "r"]
    rows = [[str(l), *(fmt(float(v)) for v in s["x"]), str(int(s["r"]))]
            for l, s in enumerate(given["samples"], start=1)]
    return headers, rows


def parts(given: dict, solution: Solution, difficulty: str) -> list[Part]:
    a = solution.answers
    update = "update" if int(given["steps"]) == 1 else f"update/{int(given['steps'])}"
    out = [
        Part(("activations",), T("prompt.activations"), "vector", a["activations"], TOLERANCE, step="activations"),
        Part(("probabilities",), T("prompt.probabilities"), "vector", a["probabilities"], TOLERANCE,
             step="probabilities"),
        Part(("loss",), T("prompt.loss"), "number", a["loss"], TOLERANCE, step="loss"),
    ]
    # On easy problems (w = 0) every y is exactly 0.5: the threshold itself, so predictions are not asked.
    if not _at_threshold(given):
        out.append(Part(("predictions",), T("prompt.predictions"), "integer", a["predictions"], step="predictions"))
    out += [
        Part(("gradient",), T("prompt.gradient"), "vector", a["gradient"], TOLERANCE, step="gradient"),
        Part(("w_new",), T("prompt.w_new", steps=int(given["steps"])), "vector", a["w_new"], TOLERANCE, step=update),
        Part(("loss_new",), T("prompt.loss_new"), "number", a["loss_new"], TOLERANCE, step="loss_new"),
    ]
    return out


def well_posed(problem: Any) -> None:
    """Hand-sized (2–6 samples, 1–3 features, η ∈ {0.1, 0.5, 1}), both classes present; easy starts from
    w = 0 (every y = 1/2, so the loss and gradient are simple fractions); otherwise no activation at
    the threshold (|a| ≥ 0.1, so predictions are clear) or saturated (|a| ≤ 4), and a gradient that moves w."""
    g, ans, level = problem.given, problem.solution.answers, problem.difficulty
    samples = g["samples"]
    assert 2 <= len(samples) <= 6 and 1 <= len(samples[0]["x"]) <= 3
    assert all(len(s["x"]) == len(samples[0]["x"]) for s in samples) and len(g["w"]) == len(samples[0]["x"]) + 1
    assert {s["r"] for s in samples} == {0, 1}
    assert float(g["lr"]) in LEARNING_RATES
    for j in range(len(samples[0]["x"])):
        assert any(s["x"][j] != 0 for s in samples)
    assert max(abs(v) for v in ans["gradient"]) >= 0.05
    assert math.isfinite(ans["loss"]) and math.isfinite(ans["loss_new"])
    if level == "easy":
        assert all(v == 0 for v in g["w"]) and len(samples[0]["x"]) == 1 and g["steps"] == 1
        assert all(v == 0.5 for v in ans["probabilities"])
        return
    assert all(0.1 <= abs(v) <= 4 for v in ans["activations"])
    assert g["steps"] == (1 if level == "medium" else 2)


# --------------------------------------------------------------------------- generating

def _feature(rng: random.Random, hard: bool) -> float:
    if hard and rng.random() < 0.3:
        return rng.choice((-1.5, -0.5, 0.5, 1.5, 2.5))
    return float(rng.choice((-2, -1, 0, 1, 1, 2, 2, 3)))


def _samples(rng: random.Random, n: int, d: int, hard: bool) -> list[dict]:
    for _ in attempts():
        samples = [{"x": [_feature(rng, hard) for _ in range(d)], "r": rng.randint(0, 1)} for _ in range(n)]
        if {s["r"] for s in samples} == {0, 1} and all(any(s["x"][j] for s in samples) for j in range(d)):
            return samples


def _fit(given: dict, level: str) -> bool:
    ans = solve(given).answers
    if max(abs(v) for v in ans["gradient"]) < 0.05:
        return False
    if level == "easy":
        return True
    return all(0.1 <= abs(v) <= 4 for v in ans["activations"])


def generate(rng: random.Random, difficulty: str) -> dict:
    for _ in attempts():
        if difficulty == "easy":
            d, n = 1, rng.randint(2, 3)
            w = [0.0, 0.0]
            steps, lr = 1, rng.choice(LEARNING_RATES)
        elif difficulty == "medium":
            d, n = 2, rng.randint(3, 4)
            w = [rng.randint(-5, 5) / 10] + [rng.choice((-1, 1)) * rng.randint(1, 10) / 10 for _ in range(d)]
            steps, lr = 1, rng.choice(LEARNING_RATES)
        else:
            d, n = rng.choice((2, 3)), rng.randint(4, 5)
            w = [rng.randint(-5, 5) / 10] + [rng.choice((-1, 1)) * rng.randint(1, 10) / 10 for _ in range(d)]
            steps, lr = 2, rng.choice((0.1, 0.5))
        given = {"samples": _samples(rng, n, d, difficulty == "hard"), "w": w, "lr": lr, "steps": steps}
        if _fit(given, difficulty):
            return given


# --------------------------------------------------------------------------- parsing the options

def _cells(values: dict) -> list[list[str]]:
    data = values["data"]
    if data.path:
        try:
            rows = [[c.strip() for c in row] for row in csv.reader(io.StringIO(data.text.lstrip("\ufeff")))
                    if any(c.strip() for c in row)]
        except csv.Error as exc:
            raise UserError(T("error.csv", source=short(data.origin, 60), reason=short(str(exc)))) from None
        if not rows:
            raise UserError(T("error.too_few", source=short(data.origin, 60)))
        return rows
    return split_rows(data.text, "--data")


def _target_column(target: str | None, header: list[str] | None, width: int) -> int:
    """--target: a column name (from the header) or its 1-based number; default: the last column."""
    if not target:
        return width - 1
    text = target.strip()
    if header is not None:
        lowered = [h.strip().lower() for h in header]
        if text.lower() in lowered:
            return lowered.index(text.lower())
    if text.isdigit() and len(text) <= 4 and 1 <= int(text) <= width:
        return int(text) - 1
    raise UserError(T("error.target", target=short(text), width=width))


def parse_data(values: dict) -> dict:
    """--data "x1,…,xd,r; …" (or a CSV file, header optional, --target naming the label column),
    --w "w0,w1,…" (default zeros), --lr, --steps."""
    rows = _cells(values)
    header = None
    if rows and not any(is_number(c) for c in rows[0]):  # a header row: names only
        header, rows = rows[0], rows[1:]
    if not rows:
        raise UserError(T("error.too_few", source=short(values["data"].origin, 60)))
    if len(rows) > MAX_ROWS:
        raise UserError(T("error.too_many_rows", limit=MAX_ROWS))
    widths = {len(r) for r in rows} | ({len(header)} if header is not None else set())
    if len(widths) > 1:
        raise UserError(T("error.ragged", lengths=sorted(widths)))
    width = widths.pop()
    if width < 2:
        raise UserError(T("error.too_narrow"))
    if width - 1 > MAX_FEATURES:
        raise UserError(T("error.too_many_features", limit=MAX_FEATURES))
    column = _target_column(values.get("target"), header, width)
    samples = []
    for i, row in enumerate(rows, start=1):
        numbers = []
        for cell in row:
            try:
                value = parse_number(cell)
            except AnswerError as exc:
                raise UserError(T("error.cell", row=i, cell=short(cell), reason=exc.message)) from None
            if not math.isfinite(value) or abs(value) > MAX_MAGNITUDE:
                raise UserError(T("error.too_large", row=i, limit="1e6"))
            numbers.append(float(value))
        label = numbers.pop(column)
        if label not in (0.0, 1.0):
            raise UserError(T("error.label", row=i, label=fmt(label)))
        samples.append({"x": numbers, "r": int(label)})
    d = width - 1
    w = values.get("w")
    if w is None:
        w = [0.0] * (d + 1)
    if len(w) != d + 1:
        raise UserError(T("error.w_length", n=d + 1, d=d))
    if any(not math.isfinite(v) or abs(v) > MAX_MAGNITUDE for v in w):
        raise UserError(T("error.w_large", limit="1e6"))
    return {"samples": samples, "w": [float(v) for v in w], "lr": float(values["lr"]), "steps": int(values["steps"])}


def as_options(given: dict) -> dict[str, Any]:
    """The `solve logistic` options that pose this problem again."""
    data = "; ".join(",".join([*(repr(float(v)) for v in s["x"]), str(int(s["r"]))]) for s in given["samples"])
    return {"data": data, "w": typed(given["w"]), "lr": repr(float(given["lr"])),
            "steps": str(int(given["steps"]))}


def from_bank(entry: dict) -> dict:
    """One entry of bank.toml, spelled like the options: data (text "x1,…,r; …" or a list of rows),
    w, lr, steps. A malformed entry is a bug in the shipped data: ValueError."""
    from mlquiz import options, registry

    where = f"logistic/bank.toml [{entry.get('id')}]"
    try:
        raw: dict[str, Any] = {}
        data = entry["data"]
        raw["data"] = data if isinstance(data, str) else "; ".join(",".join(repr(float(v)) for v in row) for row in data)
        if "w" in entry:
            raw["w"] = typed(entry["w"])
        for key in ("lr", "steps"):
            if key in entry:
                raw[key] = str(entry[key])
        return parse_data(options.parse("logistic", registry.info("logistic").options, raw))
    except (UserError, KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"{where}: {exc}") from None


# --------------------------------------------------------------------------- misconceptions
# Each returns the value the wrong method gives at the checkpoint `path` (ids and applies_to in
# problems/logistic/misconceptions.toml, texts in text.<lang>.toml): the whole run is redone with the
# mistake, carrying the student's own earlier values forward like the right derivation does.

def _variant(mistake: str):
    def variant(given: dict, path: tuple, student: Any, override: dict) -> Any:
        return answer_at(_run(given, override, mistake).answers, path)
    return variant


MISTAKES = ("log2_loss", "log10_loss", "averaged", "notes_bracket", "ascent", "gradient_sign", "sigmoid_slope")
VARIANTS = {mistake: _variant(mistake) for mistake in MISTAKES}
