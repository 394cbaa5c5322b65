"""Linear support vector machine, in the course's convention.

Labels y ∈ {+1, −1}; f(x) = wᵀx + w0 with w = [w0, w1, …, wd] typed bias first, but ‖w‖ (the
margin, the distance and the penalty) leaves w0 out.
functional margin  m = y(wᵀx + w0);  signed distance m/‖w‖;  margin 2/‖w‖;
hinge max(0, 1 − m);  L = (1/N)·Σ hinge + (λ/2)‖w‖²;
subgradient λw_j + (1/N)·Σ_active(−y x_j), for w0 (1/N)·Σ_active(−y), active meaning m < 1 (m = 1
is not active: the notes' case "≥ 1"); w_new = w − η·gradient (one full-batch step).
Functional margins are rounded to 9 decimals before they are compared with 1.

given = {"samples": [{"x": [x1, …, xd], "y": ±1}, …], "w": [w0, w1, …, wd], "lambda": λ, "lr": η}

Step ids are the answer names; a misconception is the same derivation run with one of the `_Method`
switches on, so carried-forward values feed the wrong method too.
"""

from __future__ import annotations

import csv
import io
import math
import random
from dataclasses import dataclass
from typing import Any

import numpy as np

from mlquiz.derivation import Derivation
from mlquiz.errors import UserError
from mlquiz.model import Part, Solution, Tolerance, answer_at
from mlquiz.text import Msg, Texts
from mlquiz.topics.common import attempts, fmt, fmtp, like as _like, number_rows, typed as _typed

T = Texts("svm")

TOLERANCE = Tolerance(relative=0.006, absolute=0.0015)
MAX_SAMPLES = 1000
MAX_FEATURES = 20
MAX_MAGNITUDE = 1e6
DECIMALS = 9


@dataclass(frozen=True)
class _Method:
    """How the margin, loss and gradient are computed: the right way, or one wrong way."""
    margin_factor: float = 2.0          # margin = factor/‖w‖ (1: 1/‖w‖)
    half_norm_margin: bool = False      # margin = ½‖w‖
    norm_not_squared: bool = False      # penalty (λ/2)‖w‖ (the notes' erratum)
    boundary_active: bool = False       # m ≤ 1 counted as active
    summed: bool = False                # Σ hinge instead of the mean
    bias_in_norm: bool = False          # ‖w‖ over w0 as well


RIGHT = _Method()


def _v(values: Any) -> str:
    return "[" + ", ".join(fmt(float(x), 6) for x in values) + "]"


def _idx(values: list[int]) -> str:
    return "{" + ", ".join(str(i) for i in values) + "}" if values else "∅"


def _r(m: float) -> float:
    return round(float(m), DECIMALS)


# --------------------------------------------------------------------------- solving

def solve(given: dict, override: dict[tuple, Any] | None = None) -> Solution:
    d = Derivation(override)
    _run(given, d, RIGHT)
    return d.solution()


def _run(given: dict, d: Derivation, method: _Method) -> None:
    xs = np.array([s["x"] for s in given["samples"]], dtype=float)
    ys = np.array([s["y"] for s in given["samples"]], dtype=float)
    w_full = np.array(given["w"], dtype=float)
    w0, w = float(w_full[0]), w_full[1:]
    lam, lr = float(given["lambda"]), float(given["lr"])
    n = len(ys)
    norm_vector = w_full if method.bias_in_norm else w
    norm = float(np.sqrt(np.sum(norm_vector ** 2)))

    scores = xs @ w + w0
    margins = ys * scores
    lines = [f"m{i} = {fmtp(float(y), 6)}·({' + '.join(f'{fmtp(float(wj), 6)}·{fmtp(float(xj), 6)}' for wj, xj in zip(w, x))}"
             f" + {fmtp(w0, 6)}) = {fmt(float(m), 6)}" for i, (x, y, m) in enumerate(zip(xs, ys, margins), start=1)]
    margins = _like(d.step("functional_margins", T("title.functional_margins"), T("formula.functional_margins"),
                           lines, [float(m) for m in margins], answer="functional_margins"), margins)

    norm_line = "‖w‖ = √(" + " + ".join(f"{fmtp(float(v), 6)}²" for v in norm_vector) + f") = {fmt(norm, 6)}"
    if norm > 0:
        distances = margins / norm
        d.step("distances", T("title.distances"), T("formula.distances"),
               [norm_line, *(f"γ{i} = {fmt(float(m), 6)}/{fmt(norm, 6)} = {fmt(float(g), 6)}"
                             for i, (m, g) in enumerate(zip(margins, distances), start=1))],
               [float(g) for g in distances], answer="distances")
        if method.half_norm_margin:
            margin_value, margin_line = 0.5 * norm, f"½·{fmt(norm, 6)}"
        else:
            margin_value = method.margin_factor / norm
            margin_line = f"{fmt(method.margin_factor)}/{fmt(norm, 6)}"
        d.step("margin", T("title.margin"), T("formula.margin"), f"{margin_line} = {fmt(margin_value, 6)}",
               margin_value, answer="margin")
    else:
        d.step("distances", T("title.distances"), T("formula.distances"), [norm_line, T("note.zero_norm_line")],
               None, answer="distances")
        d.step("margin", T("title.margin"), T("formula.margin"), T("note.zero_norm_line"), None, answer="margin")
        d.note(T("note.zero_norm"))

    rounded = [_r(m) for m in margins]
    hinge = np.array([0.0 if m >= 1 else 1.0 - float(raw) for m, raw in zip(rounded, margins)])
    hinge = _like(d.step("hinge_losses", T("title.hinge_losses"), T("formula.hinge_losses"),
                         [f"max(0, 1 − {fmtp(float(m), 6)}) = {fmt(float(h), 6)}" for m, h in zip(margins, hinge)],
                         [float(h) for h in hinge], answer="hinge_losses"), hinge)

    squared = float(np.sum(norm_vector ** 2))
    penalty = 0.5 * lam * (norm if method.norm_not_squared else squared)
    data_term = float(np.sum(hinge)) if method.summed else float(np.mean(hinge))
    scale = "" if method.summed else f"(1/{n})·"
    penalty_text = f"({fmt(lam)}/2)·{fmt(norm, 6)}" if method.norm_not_squared else f"({fmt(lam)}/2)·{fmt(squared, 6)}"
    d.step("loss", T("title.loss"), T("formula.loss"),
           f"L = {scale}({' + '.join(fmt(float(h), 6) for h in hinge)}) + {penalty_text} = {fmt(data_term + penalty, 6)}",
           data_term + penalty, answer="loss", note=T("note.objective"))

    support = [i for i, m in enumerate(rounded, start=1) if m == 1]
    active = [i for i, m in enumerate(rounded, start=1) if (m <= 1 if method.boundary_active else m < 1)]
    d.step("support_vectors", T("title.support_vectors"), T("formula.support_vectors"),
           [f"m = {_v(rounded)}", f"{{i: m_i = 1}} = {_idx(support)}"], support, answer="support_vectors")
    d.step("violations", T("title.violations"), T("formula.violations"), f"A = {_idx(active)}",
           active, answer="violations")

    mask = np.array([i in active for i in range(1, n + 1)], dtype=bool)
    factor = 1.0 if method.summed else 1.0 / n
    hinge_w = -factor * ((ys[mask])[:, None] * xs[mask]).sum(axis=0) if mask.any() else np.zeros_like(w)
    hinge_b = -factor * float(ys[mask].sum())
    if method.norm_not_squared:
        reg = 0.5 * lam * w / norm if norm > 0 else np.zeros_like(w)
        reg_b = 0.5 * lam * w0 / norm if method.bias_in_norm and norm > 0 else 0.0
    else:
        reg = lam * w
        reg_b = lam * w0 if method.bias_in_norm else 0.0
    gradient = np.concatenate([[hinge_b + reg_b], hinge_w + reg])
    grad_lines = [f"A = {_idx(active)}",
                  f"∂L/∂w0 = {scale}Σ_A(−y) = {fmt(float(gradient[0]), 6)}",
                  *(f"∂L/∂w{j} = {fmt(lam)}·{fmtp(float(wj), 6)} + {scale}Σ_A(−y·x{j}) = {fmt(float(g), 6)}"
                    for j, (wj, g) in enumerate(zip(w, gradient[1:]), start=1))]
    gradient = _like(d.step("gradient", T("title.gradient"), T("formula.gradient"), grad_lines,
                            [float(g) for g in gradient], answer="gradient",
                            note=T("note.kink") if support else None), gradient)
    w_new = w_full - lr * gradient
    d.step("w_new", T("title.w_new"), T("formula.w_new"), f"{_v(w_full)} − {fmt(lr)}·{_v(gradient)} = {_v(w_new)}",
           [float(v) for v in w_new], answer="w_new")


# --------------------------------------------------------------------------- problem text

def statement(given: dict) -> list[Msg]:
    n, dim = len(given["samples"]), len(given["w"]) - 1
    return [T("statement.model", n=n, d=dim, w=_v(given["w"])),
            T("statement.loss", lam=fmt(float(given["lambda"])), lr=fmt(float(given["lr"]))),
            T("statement.task")]


def table(given: dict) -> tuple[list, list[list[str]]]:
    dim = len(given["w"]) - 1
    headers = ["i", *(f"x{j}" for j in range(1, dim + 1)), "y"]
    rows = [[str(i), *(fmt(float(v), 6) for v in s["x"]), ("+1" if s["y"] > 0 else "−1")]
            for i, s in enumerate(given["samples"], start=1)]
    return headers, rows


def parts(given: dict, solution: Solution, difficulty: str) -> list[Part]:
    a = solution.answers
    out = [Part(("functional_margins",), T("prompt.functional_margins"), "vector", a["functional_margins"],
                TOLERANCE, step="functional_margins")]
    if a["margin"] is not None:
        out += [Part(("distances",), T("prompt.distances"), "vector", a["distances"], TOLERANCE, step="distances"),
                Part(("margin",), T("prompt.margin"), "number", a["margin"], TOLERANCE, step="margin")]
    out += [Part(("hinge_losses",), T("prompt.hinge_losses"), "vector", a["hinge_losses"], TOLERANCE,
                 step="hinge_losses"),
            Part(("loss",), T("prompt.loss"), "number", a["loss"], TOLERANCE, step="loss")]
    if a["support_vectors"]:
        out.append(Part(("support_vectors",), T("prompt.support_vectors"), "integer", a["support_vectors"],
                        step="support_vectors"))
    if a["violations"]:
        out.append(Part(("violations",), T("prompt.violations"), "integer", a["violations"], step="violations"))
    out += [Part(("gradient",), T("prompt.gradient"), "vector", a["gradient"], TOLERANCE, step="gradient"),
            Part(("w_new",), T("prompt.w_new"), "vector", a["w_new"], TOLERANCE, step="w_new")]
    return out


def well_posed(problem: Any) -> None:
    """2–6 samples, 1–3 features, both classes, ‖w‖ > 0, at least one support vector and one
    violation, no functional margin within 0.05 of 1 unless it is exactly 1, a textbook η."""
    g, a = problem.given, problem.solution.answers
    n, dim = len(g["samples"]), len(g["w"]) - 1
    assert 2 <= n <= 6 and 1 <= dim <= 3
    assert {s["y"] for s in g["samples"]} == {1, -1}
    assert any(v != 0 for v in g["w"][1:])
    assert a["support_vectors"] and a["violations"]
    assert all(_r(m) == 1 or abs(m - 1) > 0.05 for m in a["functional_margins"])
    assert g["lr"] in (0.1, 0.5, 1.0)
    assert g["lambda"] in (0.0, 0.1, 0.5, 1.0)


# --------------------------------------------------------------------------- generating

EASY_W = ([1.0], [2.0], [-1.0], [3.0, 4.0], [4.0, -3.0], [0.0, 1.0], [1.0, 0.0], [0.0, -2.0], [-2.0, 0.0])


def generate(rng: random.Random, difficulty: str) -> dict:
    for _ in attempts():
        if difficulty == "easy":
            w = list(rng.choice(EASY_W))
            dim, n = len(w), rng.randint(3, 4)
            xs = [[float(rng.randint(-3, 3)) for _ in range(dim)] for _ in range(n)]
            lam = 0.0
        elif difficulty == "medium":
            dim, n = 2, rng.randint(4, 5)
            w = [rng.choice((-2.0, -1.0, -0.5, 0.5, 1.0, 2.0)) for _ in range(dim)]
            xs = [[float(rng.randint(-3, 4)) for _ in range(dim)] for _ in range(n)]
            lam = rng.choice((0.1, 0.5, 1.0))
        else:
            dim, n = rng.choice((2, 3)), rng.randint(5, 6)
            w = [rng.choice((-1.0, -0.5, 0.5, 1.0, 1.5)) for _ in range(dim)]
            xs = [[rng.randint(-30, 30) / 10 for _ in range(dim)] for _ in range(n)]
            lam = rng.choice((0.1, 0.5, 1.0))
        ys = [rng.choice((1, -1)) for _ in range(n)]
        anchor = rng.randrange(n)  # w0 makes this sample a support vector: y(wᵀx + w0) = 1
        w0 = round(ys[anchor] - sum(a * b for a, b in zip(w, xs[anchor])), 6)
        if abs(w0) > 6 or abs(w0 * 10 - round(w0 * 10)) > 1e-6:  # w0 an integer or one decimal
            continue
        given = {"samples": [{"x": x, "y": y} for x, y in zip(xs, ys)], "w": [w0, *w], "lambda": lam,
                 "lr": rng.choice((0.1, 0.5, 1.0)) if difficulty != "easy" else rng.choice((0.1, 1.0))}
        if _fits(given):
            return given


def _fits(given: dict) -> bool:
    if len({s["y"] for s in given["samples"]}) < 2:
        return False
    if len({tuple(s["x"]) for s in given["samples"]}) < len(given["samples"]):
        return False
    a = solve(given).answers
    return bool(a["support_vectors"] and a["violations"]
                and all(_r(m) == 1 or abs(m - 1) > 0.05 for m in a["functional_margins"]))


# --------------------------------------------------------------------------- parsing the options

def parse_data(values: dict) -> dict:
    """--data "x1,…,xd,y; …" (or a CSV file, label column --target, default the last), --w
    "w0,w1,…,wd" (default zeros), --lambda, --lr."""
    data = values["data"]
    if data.path:
        rows = _csv_rows(data.text, values["target"], data.origin)
    else:
        if values["target"]:
            raise UserError(T("error.target_inline"))
        rows = number_rows(data.text, "--data")
    if len(rows) > MAX_SAMPLES:
        raise UserError(T("error.too_many", limit=MAX_SAMPLES))
    width = len(rows[0])
    if width < 2:
        raise UserError(T("error.no_features"))
    if width - 1 > MAX_FEATURES:
        raise UserError(T("error.too_wide", limit=MAX_FEATURES))
    samples = []
    for i, row in enumerate(rows, start=1):
        if any(not math.isfinite(v) or abs(v) > MAX_MAGNITUDE for v in row):
            raise UserError(T("error.too_large"))
        if row[-1] not in (1, -1):
            raise UserError(T("error.label", row=i, value=fmt(float(row[-1]), 6)))
        samples.append({"x": [float(v) for v in row[:-1]], "y": int(row[-1])})
    w = values["w"] if values["w"] is not None else [0.0] * width
    if len(w) != width:
        raise UserError(T("error.w_length", n=width, d=width - 1, got=len(w)))
    if any(not math.isfinite(v) or abs(v) > MAX_MAGNITUDE for v in w):
        raise UserError(T("error.too_large"))
    return {"samples": samples, "w": [float(v) for v in w], "lambda": float(values["lambda"]),
            "lr": float(values["lr"])}


def _csv_rows(text: str, target: str | None, source: str) -> list[list[float]]:
    """A CSV file with a header row; the label column is --target (default: the last column)."""
    try:
        table_rows = [row for row in csv.reader(io.StringIO(text.lstrip("\ufeff"))) if any(c.strip() for c in row)]
    except csv.Error as exc:
        raise UserError(T("error.csv_unreadable", source=source, reason=str(exc))) from None
    if len(table_rows) < 2:
        raise UserError(T("error.csv_short", source=source))
    columns = [c.strip() for c in table_rows[0]]
    label = len(columns) - 1
    if target:
        matches = [k for k, c in enumerate(columns) if c.lower() == target.strip().lower()]
        if not matches:
            raise UserError(T("error.csv_no_column", source=source, column=target[:40],
                              columns=", ".join(columns)[:200]))
        label = matches[0]
    body = []
    for line, row in enumerate(table_rows[1:], start=2):
        if len(row) != len(columns):
            raise UserError(T("error.csv_row_length", source=source, line=line, cells=len(row), header=len(columns)))
        cells = [c.strip() for c in row]
        body.append(",".join([*cells[:label], *cells[label + 1:], cells[label]]))
    return number_rows(";".join(body), source)


def as_options(given: dict) -> dict[str, Any]:
    data = ";".join(_typed([*s["x"], s["y"]]) for s in given["samples"])
    return {"data": data, "w": _typed(given["w"]), "lambda": repr(float(given["lambda"])),
            "lr": repr(float(given["lr"]))}


def from_bank(entry: dict) -> dict:
    """One entry of problems/svm/bank.toml: data (rows x1,…,xd,y as TOML arrays), w (bias first),
    lambda, lr; read exactly as `solve svm` reads its options. A malformed entry is a ValueError."""
    from mlquiz import options, registry

    try:
        raw = {"data": ";".join(_typed(row) for row in entry["data"]), "w": _typed(entry["w"]),
               "lambda": repr(float(entry.get("lambda", 0.0))), "lr": repr(float(entry.get("lr", 0.1)))}
        return parse_data(options.parse("svm", registry.info("svm").options, raw))
    except (UserError, TypeError, ValueError, KeyError) as exc:
        raise ValueError(f"bank:{entry.get('id')}: {exc}") from None


# --------------------------------------------------------------------------- misconceptions
# Each returns the value the wrong method gives at `path` (texts in problems/svm/text.<lang>.toml,
# applies_to in misconceptions.toml), from the student's own earlier values where carried forward.

def _with(method: _Method):
    def variant(given: dict, path: tuple, student: Any, override: dict) -> Any:
        d = Derivation(override)
        _run(given, d, method)
        return answer_at(d.solution().answers, path)
    return variant


VARIANTS = {
    "margin_one_over_norm": _with(_Method(margin_factor=1.0)),
    "margin_half_norm": _with(_Method(half_norm_margin=True)),
    "penalty_norm_not_squared": _with(_Method(norm_not_squared=True)),
    "boundary_counted_active": _with(_Method(boundary_active=True)),
    "summed_hinge": _with(_Method(summed=True)),
    "bias_in_norm": _with(_Method(bias_in_norm=True)),
}
