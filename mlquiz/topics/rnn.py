"""A vanilla (Elman) recurrent network run forward over a short sequence, in the course's convention.

h_t = tanh(W_xh·x_t + W_hh·h_{t−1} + b_h) for t = 1…T, h_0 = 0 unless given, b_h = 0 unless given;
with W_hy: z_t = W_hy·h_t + b_y (the output logits) and y_t = softmax(z_t). Column vectors: row j of
W_xh, W_hh and W_hy holds the weights of unit j (the notes write the RNN only in words and a figure;
the formula is the one of course-conventions.md, in the same column form as the notes' H = WX).

given = {"x": [[x_1…], …] (T rows, one input vector per time step), "h0": [...], "wxh": m×d,
         "whh": m×m, "bh": [m], "why": k×m or None, "by": [k] or None}

Step ids: `pre_activation/t`, `hidden/t`, `logits/t`, `output/t` (t = 1…T, as students number the time
steps); they produce answers ("pre_activations", t−1), ("hidden", t−1), ("output_logits", t−1) and
("outputs", t−1): lists indexed from 0 in JSON, shown to students as t = 1…T.
"""

from __future__ import annotations

import math
import random
from typing import Any

import numpy as np

from mlquiz.derivation import Derivation
from mlquiz.errors import UserError
from mlquiz.model import Part, Solution, Tolerance
from mlquiz.text import Msg, Texts
from mlquiz.topics.common import attempts, fmt, fmtp, typed as _typed

T = Texts("rnn")

TOLERANCE = Tolerance(relative=0.006, absolute=0.0015)
MAX_SIZE = 10
MAX_MAGNITUDE = 1e6


def sigmoid(a: np.ndarray) -> np.ndarray:
    with np.errstate(over="ignore"):
        return 1.0 / (1.0 + np.exp(-a))


def softmax(z: np.ndarray) -> np.ndarray:
    """e^(z_i)/Σ e^(z_j), computed with the largest z subtracted (the same value, no overflow)."""
    e = np.exp(z - np.max(z))
    return e / e.sum()


def _v(values: Any) -> str:
    array = np.atleast_1d(np.asarray(values, dtype=float))
    if array.ndim == 2:
        return "[" + "; ".join(", ".join(fmt(float(x), 6) for x in row) for row in array) + "]"
    return "[" + ", ".join(fmt(float(x), 6) for x in array) + "]"


def _list(values: np.ndarray) -> list[float]:
    return [float(v) for v in np.asarray(values, dtype=float).ravel()]


def _like(carried: Any, computed: np.ndarray) -> np.ndarray:
    """The value a step handed on (the student's when carried forward) in the computed vector's shape;
    a value of another size cannot stand in for it, so the computed one is kept."""
    try:
        value = np.asarray(carried, dtype=float).ravel()
    except (TypeError, ValueError):
        return computed
    return value if value.size == computed.size and np.all(np.isfinite(value)) else computed


def _arrays(given: dict) -> dict[str, Any]:
    m = len(given["wxh"])
    out = {"x": np.array(given["x"], float), "wxh": np.array(given["wxh"], float),
           "whh": np.array(given["whh"], float),
           "h0": np.array(given["h0"], float) if given.get("h0") is not None else np.zeros(m),
           "bh": np.array(given["bh"], float) if given.get("bh") is not None else np.zeros(m),
           "why": None, "by": None}
    if given.get("why") is not None:
        out["why"] = np.array(given["why"], float)
        k = len(out["why"])
        out["by"] = np.array(given["by"], float) if given.get("by") is not None else np.zeros(k)
    return out


# --------------------------------------------------------------------------- solving

def solve(given: dict, override: dict[tuple, Any] | None = None) -> Solution:
    """All quantities, time step by time step; `override` (a student's own values) is carried forward."""
    d = Derivation(override)
    _run(given, d)
    return d.solution()


def _run(given: dict, d: Derivation) -> dict[str, list[np.ndarray]]:
    """The steps; returns the values handed on (the student's where they were carried forward):
    pre-activations a_t, hidden states h_0…h_T and, with W_hy, the logits z_t."""
    g = _arrays(given)
    h = g["h0"]
    states: dict[str, list[np.ndarray]] = {"a": [], "h": [h], "z": []}
    has_bias = given.get("bh") is not None and np.any(g["bh"] != 0)
    for i, x in enumerate(g["x"]):
        t = i + 1
        a = g["wxh"] @ x + g["whh"] @ h + g["bh"]
        line = f"a_{t} = {_v(g['wxh'])}·{_v(x)} + {_v(g['whh'])}·{_v(h)}"
        line += f" + {_v(g['bh'])} = {_v(a)}" if has_bias else f" = {_v(a)}"
        a = _like(d.step(f"pre_activation/{t}", T("title.pre_activation", t=t),
                         T("formula.pre_activation", t=t, prev=t - 1), line, _list(a),
                         answer=("pre_activations", i)), a)
        h_new = np.tanh(a)
        h = _like(d.step(f"hidden/{t}", T("title.hidden", t=t), T("formula.hidden", t=t),
                         f"h_{t} = tanh({_v(a)}) = {_v(h_new)}", _list(h_new), answer=("hidden", i)), h_new)
        states["a"].append(a)
        states["h"].append(h)
        if g["why"] is None:
            continue
        z = g["why"] @ h + g["by"]
        z = _like(d.step(f"logits/{t}", T("title.logits", t=t), T("formula.logits", t=t),
                         f"z_{t} = {_v(g['why'])}·{_v(h)} + {_v(g['by'])} = {_v(z)}", _list(z),
                         answer=("output_logits", i)), z)
        states["z"].append(z)
        y = softmax(z)
        exps = ", ".join(f"e^{fmtp(float(v), 6)}" for v in z)
        d.step(f"output/{t}", T("title.output", t=t), T("formula.output", t=t),
               f"y_{t} = [{exps}]/Σ = {_v(y)}", _list(y), answer=("outputs", i))
    d.note(T("note.column"))
    return states


# --------------------------------------------------------------------------- problem text

def statement(given: dict) -> list[Msg]:
    g = _arrays(given)
    steps, m, dim = len(g["x"]), len(g["wxh"]), len(g["x"][0])
    out = [T("statement.network", steps=steps, d=dim, m=m)]
    out.append(T("statement.h0_given") if given.get("h0") is not None else T("statement.h0_zero"))
    if g["why"] is not None:
        out.append(T("statement.outputs", k=len(g["why"])))
        out.append(T("statement.task_outputs", steps=steps))
    else:
        out.append(T("statement.task", steps=steps))
    return out


def table(given: dict) -> tuple[list, list[list[str]]]:
    g = _arrays(given)
    rows = [[f"x_{i}", _v(x)] for i, x in enumerate(g["x"], start=1)]
    rows.append(["h_0", _v(g["h0"])])
    rows += [["W_xh", _v(g["wxh"])], ["W_hh", _v(g["whh"])], ["b_h", _v(g["bh"])]]
    if g["why"] is not None:
        rows += [["W_hy", _v(g["why"])], ["b_y", _v(g["by"])]]
    return ["", T("header.value")], rows


def parts(given: dict, solution: Solution, difficulty: str) -> list[Part]:
    a = solution.answers
    out = []
    for i in range(len(given["x"])):
        t = i + 1
        out.append(Part(("pre_activations", i), T("prompt.pre_activation", t=t, prev=t - 1), "vector",
                        a["pre_activations"][i], TOLERANCE, step=f"pre_activation/{t}"))
        out.append(Part(("hidden", i), T("prompt.hidden", t=t), "vector", a["hidden"][i], TOLERANCE,
                        step=f"hidden/{t}"))
        if "outputs" in a:
            out.append(Part(("output_logits", i), T("prompt.logits", t=t), "vector", a["output_logits"][i],
                            TOLERANCE, step=f"logits/{t}"))
            out.append(Part(("outputs", i), T("prompt.output", t=t), "vector", a["outputs"][i], TOLERANCE,
                            step=f"output/{t}"))
    return out


def well_posed(problem: Any) -> None:
    """Shapes agree; every pre-activation is away from 0 and from tanh's flat tails; from t = 2 on the
    recurrent term W_hh·h_{t−1} is visible (otherwise the recurrence is not exercised); outputs, when
    asked, have at least two classes."""
    g, ans = problem.given, problem.solution.answers
    m = len(g["wxh"])
    assert all(len(row) == len(g["x"][0]) for row in g["wxh"]) and len(g["whh"]) == m
    assert all(len(row) == m for row in g["whh"])
    assert 2 <= len(g["x"]) <= 4
    arrays = _arrays(g)
    for i, a in enumerate(ans["pre_activations"]):
        assert all(0.05 <= abs(v) <= 2.5 for v in a), f"pre-activation {a}"
        if i:
            recurrent = arrays["whh"] @ np.array(ans["hidden"][i - 1])
            assert np.max(np.abs(recurrent)) >= 0.05
    if g.get("why") is not None:
        assert len(g["why"]) >= 2
        for z in ans["output_logits"]:
            assert max(z) - min(z) >= 0.05


# --------------------------------------------------------------------------- generating

def _tenths(rng: random.Random, low: int, high: int) -> float:
    for _ in attempts():
        value = rng.randint(low, high) / 10
        if value:
            return value
    return 0.5


def _matrix(rng: random.Random, rows: int, cols: int, low: int = -10, high: int = 10) -> list[list[float]]:
    return [[_tenths(rng, low, high) for _ in range(cols)] for _ in range(rows)]


def _inputs(rng: random.Random, steps: int, dim: int) -> list[list[float]]:
    for _ in attempts():
        xs = [[rng.choice((1.0, -1.0, 0.5, 2.0, 0.0)) for _ in range(dim)] for _ in range(steps)]
        if all(any(v != 0 for v in x) for x in xs):
            return xs
    return [[1.0] * dim for _ in range(steps)]


def _candidate(rng: random.Random, difficulty: str) -> dict:
    if difficulty == "easy":
        given = {"x": _inputs(rng, 2, 1), "h0": None, "wxh": _matrix(rng, 1, 1), "whh": _matrix(rng, 1, 1),
                 "bh": [_tenths(rng, -5, 5)] if rng.random() < 0.5 else None, "why": None, "by": None}
        return given
    dim = rng.choice((1, 2))
    if difficulty == "medium":
        return {"x": _inputs(rng, 2, dim), "h0": None, "wxh": _matrix(rng, 2, dim), "whh": _matrix(rng, 2, 2),
                "bh": [_tenths(rng, -5, 5) for _ in range(2)] if rng.random() < 0.5 else None,
                "why": None, "by": None}
    steps = rng.choice((2, 3))
    return {"x": _inputs(rng, steps, dim),
            "h0": [_tenths(rng, -5, 5) for _ in range(2)] if rng.random() < 0.3 else None,
            "wxh": _matrix(rng, 2, dim), "whh": _matrix(rng, 2, 2),
            "bh": [_tenths(rng, -5, 5) for _ in range(2)], "why": _matrix(rng, 2, 2),
            "by": [_tenths(rng, -5, 5) for _ in range(2)] if rng.random() < 0.5 else None}


def _acceptable(given: dict) -> bool:
    class _Problem:
        pass

    problem = _Problem()
    problem.given = given  # type: ignore[attr-defined]
    problem.solution = solve(given)  # type: ignore[attr-defined]
    try:
        well_posed(problem)
    except AssertionError:
        return False
    whh = np.array(given["whh"])
    return whh.shape == (1, 1) or not np.allclose(whh, whh.T)


def generate(rng: random.Random, difficulty: str) -> dict:
    for _ in attempts():
        given = _candidate(rng, difficulty)
        if _acceptable(given):
            return {k: v for k, v in given.items() if v is not None}
    raise AssertionError  # not reached: attempts() raises when its tries run out


# --------------------------------------------------------------------------- parsing the options

def parse_data(values: dict) -> dict:
    """--x (one row per time step), --wxh, --whh [--h0 --bh --why --by]; values already read and
    range-checked. Shapes are checked here, each with a one-line error."""
    xs, wxh, whh = values["x"], values["wxh"], values["whh"]
    dim, m = len(xs[0]), len(wxh)
    if any(len(row) != dim for row in xs):
        raise UserError(T("error.x_rows", n=dim))
    if any(len(row) != dim for row in wxh):
        raise UserError(T("error.wxh_width", n=dim))
    if len(whh) != m or any(len(row) != m for row in whh):
        raise UserError(T("error.whh_shape", m=m))
    given: dict[str, Any] = {"x": xs, "wxh": wxh, "whh": whh}
    for name in ("h0", "bh"):
        if values.get(name) is not None:
            if len(values[name]) != m:
                raise UserError(T(f"error.{name}_size", m=m))
            given[name] = values[name]
    why, by = values.get("why"), values.get("by")
    if why is None and by is not None:
        raise UserError(T("error.by_without_why"))
    if why is not None:
        if any(len(row) != m for row in why):
            raise UserError(T("error.why_width", m=m))
        if by is not None and len(by) != len(why):
            raise UserError(T("error.by_size", k=len(why)))
        given["why"] = why
        if by is not None:
            given["by"] = by
    if max(len(xs), dim, m, len(why or [])) > MAX_SIZE:
        raise UserError(T("error.too_big", limit=MAX_SIZE))
    numbers = [v for key in ("x", "wxh", "whh", "why") for row in given.get(key, []) for v in row]
    numbers += [v for key in ("h0", "bh", "by") for v in given.get(key, [])]
    if not all(math.isfinite(v) and abs(v) <= MAX_MAGNITUDE for v in numbers):
        raise UserError(T("error.too_large"))
    return given


def as_options(given: dict) -> dict[str, Any]:
    """The `solve rnn` options that pose this problem again."""
    raw = {"x": _typed(given["x"]), "wxh": _typed(given["wxh"]), "whh": _typed(given["whh"])}
    for key in ("h0", "bh", "why", "by"):
        if given.get(key) is not None:
            raw[key] = _typed(given[key])
    return raw


def from_bank(entry: dict) -> dict:
    """One entry of problems/rnn/bank.toml → given, read exactly as `solve rnn` reads its options.
    Values are TOML numbers and arrays (a number is a 1-vector; x as a flat list is one scalar input
    per time step). The bank is shipped data, so a malformed entry is a ValueError."""
    from mlquiz import options, registry

    where = f"bank:{entry.get('id')}"
    try:
        raw: dict[str, Any] = {}
        for key, value in entry.items():
            if key in ("id", "source", "difficulty"):
                continue
            if key == "x" and isinstance(value, list) and value and not isinstance(value[0], list):
                value = [[v] for v in value]
            if key in ("wxh", "whh", "why") and isinstance(value, (int, float)):
                value = [[value]]
            if isinstance(value, (int, float)):
                value = [value]
            if isinstance(value, list):
                raw[key] = _typed(value)
        return parse_data(options.parse("rnn", registry.info("rnn").options, raw))
    except (UserError, TypeError, ValueError) as exc:
        raise ValueError(f"{where}: {exc}") from None


# --------------------------------------------------------------------------- misconceptions
# Each returns the value the wrong method gives at the checkpoint `path` (texts in
# problems/rnn/text.<lang>.toml, applies_to in misconceptions.toml), from the student's own earlier
# values where they were carried forward.

def _state(given: dict, override: dict) -> dict[str, list[np.ndarray]]:
    return _run(given, Derivation(override))


def _sigmoid_hidden(given: dict, path: tuple, student: Any, override: dict) -> Any:
    if path[0] != "hidden":
        return None
    return _list(sigmoid(_state(given, override)["a"][path[1]]))


def _no_recurrence(given: dict, path: tuple, student: Any, override: dict) -> Any:
    """W_hh·h_{t−1} left out: a_t = W_xh·x_t + b_h."""
    if path[0] != "pre_activations":
        return None
    g = _arrays(given)
    i = path[1]
    h_prev = _state(given, override)["h"][i]
    if not np.any(h_prev):
        return None
    return _list(g["wxh"] @ g["x"][i] + g["bh"])


def _pre_activation_fed_back(given: dict, path: tuple, student: Any, override: dict) -> Any:
    """The previous pre-activation a_{t−1} fed back instead of h_{t−1} = tanh(a_{t−1})."""
    if path[0] != "pre_activations" or path[1] == 0:
        return None
    g, i = _arrays(given), path[1]
    a_prev = _state(given, override)["a"][i - 1]
    return _list(g["wxh"] @ g["x"][i] + g["whh"] @ a_prev + g["bh"])


def _transposed_whh(given: dict, path: tuple, student: Any, override: dict) -> Any:
    """W_hhᵀ·h_{t−1}: the row-vector form h_{t−1}W_h (libraries' convention) mixed with column vectors."""
    if path[0] != "pre_activations":
        return None
    g, i = _arrays(given), path[1]
    h_prev = _state(given, override)["h"][i]
    return _list(g["wxh"] @ g["x"][i] + g["whh"].T @ h_prev + g["bh"])


def _no_softmax(given: dict, path: tuple, student: Any, override: dict) -> Any:
    """The logits z_t given as the outputs, softmax left out."""
    if path[0] != "outputs":
        return None
    return _list(_state(given, override)["z"][path[1]])


VARIANTS = {
    "sigmoid_for_tanh": _sigmoid_hidden,
    "no_recurrence": _no_recurrence,
    "pre_activation_fed_back": _pre_activation_fed_back,
    "transposed_whh": _transposed_whh,
    "no_softmax": _no_softmax,
}
