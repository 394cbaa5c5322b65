"""Linear and ridge regression, in the course's convention.

Model y = wᵀx + w0, written with a leading 1 in x so that w = [w0, w1, …, wd] and y = Xw.
GD loss (the notes' MSE): L = 1/(2N)·Σ(r − y)² + (λ/2)‖w‖², the penalty over every coefficient,
w0 included (as in the notes' closed form); gradient ∂L/∂w_j = −(1/N)·Σ(r − y)x_j + λw_j;
`--steps K` full-batch steps w ← w − η·∂L/∂w from the given w; `loss_new` is L after the last step.
Closed form (the notes): w* = (XᵀX + λI)⁻¹Xᵀr with λI over all d + 1 coefficients. With λ > 0 the
GD fixed point of the 1/(2N) loss is (XᵀX + NλI)⁻¹Xᵀr instead; the derivation says so.

given = {"samples": [{"x": [x1, …, xd], "r": r}, …], "w": [w0, …, wd], "lr": η, "steps": K,
         "lambda": λ}

Step ids: `predictions`, `loss`, `gradient`, `update/k` (k = 1…K; the last produces `w_new`),
`loss_new`, `closed_form`.
"""

from __future__ import annotations

import csv
import io
import math
import random
from typing import Any

import numpy as np

from mlquiz.derivation import Derivation
from mlquiz.errors import UserError, short
from mlquiz.model import Part, Solution, as_path
from mlquiz.text import Msg, Texts
from mlquiz.topics.common import attempts, fmt, fmtp, like as _like, typed as _typed

T = Texts("linreg")

MAX_SAMPLES = 1000
MAX_FEATURES = 10
MAX_MAGNITUDE = 1e6
SHOWN_STEPS = 3          # with more steps, the first ones and the last are written out


# --------------------------------------------------------------------------- helpers

def _v(values: Any) -> str:
    array = np.atleast_1d(np.asarray(values, dtype=float))
    if array.ndim == 2:
        return "[" + "; ".join(", ".join(fmt(float(x), 6) for x in row) for row in array) + "]"
    return "[" + ", ".join(fmt(float(x), 6) for x in array) + "]"


def _list(values: Any) -> list:
    return [float(x) for x in np.asarray(values, dtype=float).ravel()]


def _design(given: dict) -> tuple[np.ndarray, np.ndarray]:
    """X with its leading column of ones, and r."""
    xs = np.array([[1.0, *s["x"]] for s in given["samples"]], dtype=float)
    rs = np.array([s["r"] for s in given["samples"]], dtype=float)
    return xs, rs


def _penalty_mask(size: int, with_w0: bool = True) -> np.ndarray:
    mask = np.ones(size)
    if not with_w0:
        mask[0] = 0.0
    return mask


def loss_value(X: np.ndarray, r: np.ndarray, w: np.ndarray, lam: float, *, mean: bool = True,
               w0_penalised: bool = True) -> float:
    y = X @ w
    scale = 1 / (2 * len(r)) if mean else 0.5
    return float(scale * np.sum((r - y) ** 2) + lam / 2 * np.sum(_penalty_mask(len(w), w0_penalised) * w ** 2))


def gradient_value(X: np.ndarray, r: np.ndarray, w: np.ndarray, lam: float, y: np.ndarray | None = None, *,
                   mean: bool = True, sign: float = -1.0, w0_penalised: bool = True) -> np.ndarray:
    y = X @ w if y is None else y
    scale = 1 / len(r) if mean else 1.0
    return sign * scale * (X.T @ (r - y)) + lam * _penalty_mask(len(w), w0_penalised) * w


def _closed(X: np.ndarray, r: np.ndarray, lam: float, *, w0_penalised: bool = True) -> np.ndarray | None:
    A = X.T @ X + lam * np.diag(_penalty_mask(X.shape[1], w0_penalised))
    if not np.all(np.isfinite(A)) or np.linalg.cond(A) > 1e12:
        return None
    return np.linalg.solve(A, X.T @ r)


def _finite(*arrays: Any) -> None:
    with np.errstate(all="ignore"):
        if not all(np.all(np.isfinite(np.asarray(a, dtype=float))) for a in arrays):
            raise UserError(T("error.diverged"))


# --------------------------------------------------------------------------- solving

def solve(given: dict, override: dict[tuple, Any] | None = None) -> Solution:
    d = Derivation(override)
    _run(given, d)
    return d.solution()


def _run(given: dict, d: Derivation) -> dict[str, Any]:
    """The steps in order; returns the values handed on (the student's where carried forward)."""
    X, r = _design(given)
    w = np.array(given["w"], dtype=float)
    lam, lr, steps = float(given["lambda"]), float(given["lr"]), int(given["steps"])
    n = len(r)
    ridge = lam > 0
    penalty = f" + ({fmt(lam)}/2)·‖w‖²" if ridge else ""
    grad_penalty = f" + {fmt(lam)}·w" if ridge else ""

    with np.errstate(all="ignore"):
        y0 = X @ w
    _finite(y0)
    y = _like(d.step("predictions", T("title.predictions"), T("formula.predictions"),
                     [f"y({i}) = {_dot(w, row)} = {fmt(float(v), 6)}" for i, (row, v) in enumerate(zip(X, y0), 1)],
                     _list(y0), answer="predictions"), y0)

    with np.errstate(all="ignore"):
        loss = float(np.sum((r - y) ** 2) / (2 * n) + lam / 2 * np.sum(w ** 2))
    _finite(loss)
    residuals = " + ".join(f"({fmt(float(ri), 6)} − {fmtp(float(yi), 6)})²" for ri, yi in zip(r, y))
    lines = [f"1/(2·{n})·[{residuals}]" + (f" + ({fmt(lam)}/2)·({_squares(w)})" if ridge else "")]
    d.step("loss", T("title.loss"), T("formula.loss", penalty=penalty), lines, loss, answer="loss")

    with np.errstate(all="ignore"):
        grad0 = gradient_value(X, r, w, lam, y)
    _finite(grad0)
    glines = [f"r − y = {_v(r - y)}"]
    for j in range(len(w)):
        terms = " + ".join(f"{fmtp(float(ri - yi), 6)}·{fmtp(float(row[j]), 6)}" for ri, yi, row in zip(r, y, X))
        extra = f" + {fmt(lam)}·{fmtp(float(w[j]), 6)}" if ridge else ""
        glines.append(f"∂L/∂w{j} = −(1/{n})·[{terms}]{extra} = {fmt(float(grad0[j]), 6)}")
    grad = _like(d.step("gradient", T("title.gradient"), T("formula.gradient", penalty=grad_penalty), glines,
                        _list(grad0), answer="gradient"), grad0)

    current, g = w.copy(), grad
    for k in range(1, steps + 1):
        with np.errstate(all="ignore"):
            if k > 1:
                g = gradient_value(X, r, current, lam)
            new = current - lr * g
        _finite(new)
        last = k == steps
        shown = k <= SHOWN_STEPS or last
        if shown:
            ulines: list[Any] = []
            if k > 1:
                ulines.append(f"∇L = {_v(g)}")
            ulines.append(f"w({k}) = {_v(current)} − {fmt(lr)}·{_v(g)} = {_v(new)}")
            if last and steps > SHOWN_STEPS + 1:
                ulines.insert(0, T("line.skipped", first=SHOWN_STEPS + 1, last=steps - 1))
            title = T("title.update", k=k, steps=steps)
            if last:
                new = _like(d.step(f"update/{k}", title, T("formula.update"), ulines, _list(new), answer="w_new"),
                            new)
            else:
                d.step(f"update/{k}", title, T("formula.update"), ulines, _list(new))
        current = new

    with np.errstate(all="ignore"):
        y_new = X @ current
        loss_new = float(np.sum((r - y_new) ** 2) / (2 * n) + lam / 2 * np.sum(current ** 2))
    _finite(loss_new)
    residuals = " + ".join(f"({fmt(float(ri), 6)} − {fmtp(float(yi), 6)})²" for ri, yi in zip(r, y_new))
    d.step("loss_new", T("title.loss_new"), T("formula.loss", penalty=penalty),
           [f"y = X·w = {_v(y_new)}",
            f"1/(2·{n})·[{residuals}]" + (f" + ({fmt(lam)}/2)·({_squares(current)})" if ridge else "")],
           loss_new, answer="loss_new")

    with np.errstate(all="ignore"):
        closed = _closed(X, r, lam)
    if closed is not None and np.all(np.isfinite(closed)):
        A = X.T @ X + lam * np.eye(len(w))
        clines: list[Any] = [f"XᵀX{' + ' + fmt(lam) + 'I' if ridge else ''} = {_v(A)}", f"Xᵀr = {_v(X.T @ r)}"]
        if len(w) == 2:
            det = float(A[0, 0] * A[1, 1] - A[0, 1] * A[1, 0])
            adjugate = np.array([[A[1, 1], -A[0, 1]], [-A[1, 0], A[0, 0]]])
            product = f"{fmt(float(A[0, 0]), 6)}·{fmt(float(A[1, 1]), 6)} − {fmtp(float(A[0, 1]), 6)}²"
            clines += [f"det = {product} = {fmt(det, 6)}",
                       f"(…)⁻¹ = (1/{fmt(det, 6)})·{_v(adjugate)} = {_v(adjugate / det)}"]
        clines.append(f"w* = {_v(closed)}")
        d.step("closed_form", T("title.closed_form"),
               T("formula.closed_ridge") if ridge else T("formula.closed"), clines, _list(closed),
               answer="closed_form", note=T("note.closed_ridge") if ridge else None)
        if ridge:
            fixed = _closed(X, r, n * lam)
            if fixed is not None:
                d.note(T("note.gd_fixed_point", n=n, value=_v(fixed)))
            d.note(T("note.sklearn"))
    else:
        d.note(T("note.singular"))
    if ridge:
        d.note(T("note.penalty_w0"))
    return {"X": X, "r": r, "w": w, "y": y, "grad": grad, "w_new": current}


def _squares(w: np.ndarray) -> str:
    return " + ".join(f"{fmtp(float(wj), 6)}²" for wj in w)


def _dot(w: np.ndarray, row: np.ndarray) -> str:
    return " + ".join(f"{fmtp(float(wj), 6)}·{fmtp(float(xj), 6)}" for wj, xj in zip(w, row))


# --------------------------------------------------------------------------- problem text

def statement(given: dict) -> list[Msg]:
    n, d = len(given["samples"]), len(given["samples"][0]["x"])
    lam = float(given["lambda"])
    steps = int(given["steps"])
    return [T("statement.data" if d > 1 else "statement.data_one", n=n, d=d),
            T("statement.model_ridge", lam=fmt(lam)) if lam > 0 else T("statement.model"),
            T("statement.task" if steps > 1 else "statement.task_one", w=_v(given["w"]),
              lr=fmt(float(given["lr"])), steps=steps)]


def table(given: dict) -> tuple[list, list[list[str]]]:
    d = len(given["samples"][0]["x"])
    headers = ["#", *[f"x{j}" for j in range(1, d + 1)], "r"]
    rows = [[str(i), *[fmt(float(v)) for v in s["x"]], fmt(float(s["r"]))]
            for i, s in enumerate(given["samples"], start=1)]
    return headers, rows


def parts(given: dict, solution: Solution, difficulty: str) -> list[Part]:
    a = solution.answers
    steps = int(given["steps"])
    out = [
        Part(("predictions",), T("prompt.predictions"), "vector", a["predictions"], step="predictions"),
        Part(("loss",), T("prompt.loss"), "number", a["loss"], step="loss"),
        Part(("gradient",), T("prompt.gradient"), "vector", a["gradient"], step="gradient"),
        Part(("w_new",), T("prompt.w_new" if steps > 1 else "prompt.w_new_one", steps=steps), "vector",
             a["w_new"], step=f"update/{steps}"),
        Part(("loss_new",), T("prompt.loss_new" if steps > 1 else "prompt.loss_new_one", steps=steps), "number",
             a["loss_new"], step="loss_new"),
    ]
    features = len(given["samples"][0]["x"])
    if "closed_form" in a and difficulty != "easy" and (features == 1 or difficulty == "custom"):
        key = "prompt.closed_ridge" if float(given["lambda"]) > 0 else "prompt.closed"
        out.append(Part(("closed_form",), T(key), "vector", a["closed_form"], step="closed_form"))
    return out


def well_posed(problem: Any) -> None:
    """2–6 samples, 1–3 features, distinct inputs (XᵀX invertible), a non-zero gradient, a loss
    that goes down, and hand-sized numbers."""
    g, a = problem.given, problem.solution.answers
    n, d = len(g["samples"]), len(g["samples"][0]["x"])
    assert 2 <= n <= 6 and 1 <= d <= 3
    assert g["lr"] in (0.1, 0.5, 1.0) and 1 <= g["steps"] <= 3
    X, _ = _design(g)
    assert np.linalg.matrix_rank(X) == d + 1
    assert max(abs(v) for v in a["gradient"]) > 0.05
    assert a["loss_new"] < a["loss"] and a["loss"] > 0
    assert "closed_form" in a
    assert all(float(v) == round(float(v), 1) for s in g["samples"] for v in (*s["x"], s["r"]))


# --------------------------------------------------------------------------- generating

def _given(rng: random.Random, n: int, d: int, lam: float, steps: int, lr: float, w_range: int) -> dict:
    samples = [{"x": [float(rng.randint(0, 4)) for _ in range(d)], "r": float(rng.randint(-2, 6))}
               for _ in range(n)]
    w = [float(rng.randint(-w_range, w_range)) for _ in range(d + 1)]
    return {"samples": samples, "w": w, "lr": lr, "steps": steps, "lambda": lam}


def _ok(given: dict) -> bool:
    X, _ = _design(given)
    if np.linalg.matrix_rank(X) < X.shape[1]:
        return False
    try:
        a = solve(given).answers
    except UserError:
        return False
    return ("closed_form" in a and max(abs(v) for v in a["gradient"]) > 0.05
            and a["loss"] > 0 and a["loss_new"] < a["loss"] and max(abs(v) for v in a["w_new"]) < 100)


def generate(rng: random.Random, difficulty: str) -> dict:
    for _ in attempts():
        if difficulty == "easy":
            given = _given(rng, rng.choice((2, 3)), 1, 0.0, 1, 0.1, 0)
            if rng.random() < 0.5:
                given["w"] = [float(rng.randint(0, 2)), float(rng.randint(-1, 1))]
        elif difficulty == "medium":
            given = _given(rng, rng.choice((3, 4)), 1, 0.0, rng.choice((2, 3)), rng.choice((0.1, 0.1, 0.5)), 1)
        elif rng.random() < 0.6:
            given = _given(rng, rng.choice((3, 4)), 1, rng.choice((0.1, 0.5, 1.0)), 2, 0.1, 2)
        else:
            given = _given(rng, rng.choice((3, 4, 5)), 2, rng.choice((0.1, 0.5)), rng.choice((1, 2)), 0.1, 1)
        if _ok(given):
            return given


# --------------------------------------------------------------------------- parsing the options

def _number(cell: str, row: int) -> float | None:
    from mlquiz.answers import AnswerError, parse_number
    try:
        return parse_number(cell)
    except AnswerError:
        return None


def _rows(text: str, origin: str, csv_file: bool) -> list[list[str]]:
    if csv_file:
        try:
            rows = [[c.strip() for c in row] for row in csv.reader(io.StringIO(text.lstrip("\ufeff")))
                    if any(c.strip() for c in row)]
        except csv.Error as exc:
            raise UserError(T("error.csv_unreadable", source=origin, reason=str(exc))) from None
    else:
        from mlquiz.answers import normalise
        clean = normalise(text).strip().replace("\n", ";")
        rows = [[c.strip() for c in row.split(",")] for row in clean.split(";") if row.strip()]
    if not rows:
        raise UserError(T("error.data_empty", source=origin))
    return rows


def parse_data(values: dict) -> dict:
    """--data "x1,…,xd,r; …" (or a CSV file, header optional; --target names the target column,
    default the last); --w (default zeros), --lr, --steps, --lambda."""
    data, target = values["data"], values["target"]
    origin = data.origin
    if data.text.count(",") + data.text.count(";") + data.text.count("\n") > 20_000:
        raise UserError(T("error.too_many", samples=MAX_SAMPLES, features=MAX_FEATURES))
    rows = _rows(data.text, origin, data.path is not None)
    header = None
    if any(_number(c, 1) is None for c in rows[0]):
        header, rows = rows[0], rows[1:]
    if not rows:
        raise UserError(T("error.data_empty", source=origin))
    width = len(header) if header else len(rows[0])
    column = width - 1
    if target:
        names = [h.lower() for h in header] if header else []
        if target.strip().lower() not in names:
            raise UserError(T("error.target_column", target=short(target), source=origin))
        column = names.index(target.strip().lower())
    if width < 2:
        raise UserError(T("error.width"))
    if len(rows) > MAX_SAMPLES or width - 1 > MAX_FEATURES:
        raise UserError(T("error.too_many", samples=MAX_SAMPLES, features=MAX_FEATURES))
    samples = []
    for i, row in enumerate(rows, start=1):
        if len(row) != width:
            raise UserError(T("error.ragged", row=i, n=width))
        numbers = []
        for cell in row:
            value = _number(cell, i)
            if value is None or not math.isfinite(value):
                raise UserError(T("error.cell", row=i, cell=short(cell)))
            numbers.append(float(value))
        samples.append({"x": [v for j, v in enumerate(numbers) if j != column], "r": numbers[column]})
    if len(samples) < 2:
        raise UserError(T("error.few_samples"))
    d = width - 1
    w = values["w"] if values["w"] is not None else [0.0] * (d + 1)
    if len(w) != d + 1:
        raise UserError(T("error.w_length", n=d + 1, d=d))
    numbers = [v for s in samples for v in (*s["x"], s["r"])] + list(w)
    if not all(math.isfinite(v) and abs(v) <= MAX_MAGNITUDE for v in numbers):
        raise UserError(T("error.too_large"))
    for key in ("lr", "lambda"):
        if not math.isfinite(values[key]):
            raise UserError(T("error.too_large"))
    return {"samples": samples, "w": [float(v) for v in w], "lr": float(values["lr"]),
            "steps": int(values["steps"]), "lambda": float(values["lambda"])}


def as_options(given: dict) -> dict[str, Any]:
    """The `solve linreg` options that pose this problem again."""
    return {"data": _typed([[*s["x"], s["r"]] for s in given["samples"]]), "w": _typed(given["w"]),
            "lr": repr(float(given["lr"])), "steps": str(int(given["steps"])),
            "lambda": repr(float(given["lambda"]))}


def from_bank(entry: dict) -> dict:
    """One entry of problems/linreg/bank.toml → given: `data` (rows x1,…,xd,r as a TOML array of
    arrays), optional w, lr, steps, lambda, read exactly as `solve linreg` reads its options."""
    from mlquiz import options, registry

    try:
        raw: dict[str, Any] = {}
        for key, value in entry.items():
            if key in ("id", "difficulty", "source"):
                continue
            if isinstance(value, list):
                raw[key] = _typed(value)
            elif isinstance(value, bool):
                raw[key] = value
            elif isinstance(value, int) and key == "steps":
                raw[key] = str(value)
            elif isinstance(value, (int, float)):
                raw[key] = repr(float(value))
            else:
                raw[key] = str(value)
        return parse_data(options.parse("linreg", registry.info("linreg").options, raw))
    except (UserError, TypeError, ValueError) as exc:
        raise ValueError(f"bank:{entry.get('id')}: {exc}") from None


# --------------------------------------------------------------------------- misconceptions
# Each returns the value the wrong method gives at `path` (texts: misconception.<id> in
# text.<lang>.toml; applies_to in misconceptions.toml), from the student's carried values.

def _state(given: dict, override: dict) -> dict[str, Any]:
    return _run(given, Derivation(override))


def _descend(given: dict, start: np.ndarray, first: np.ndarray | None, gradient: Any, lr: float) -> np.ndarray:
    """K gradient steps with a (wrong) gradient function; the first step may use a carried gradient."""
    X, r = _design(given)
    w = start.copy()
    for k in range(int(given["steps"])):
        g = first if (k == 0 and first is not None) else gradient(X, r, w)
        w = w - lr * g
    return w


def _wrong_run(given: dict, path: tuple, override: dict, *, mean: bool = True, sign: float = -1.0,
               w0_penalised: bool = True) -> Any:
    """The answer at `path` when the whole GD part is done with a wrong loss or gradient."""
    st = _state(given, override)
    X, r, w, lam = st["X"], st["r"], st["w"], float(given["lambda"])
    name = path[0]
    if name == "loss":
        y = st["y"]
        scale = 1 / (2 * len(r)) if mean else 0.5
        return float(scale * np.sum((r - y) ** 2) + lam / 2 * np.sum(_penalty_mask(len(w), w0_penalised) * w ** 2))
    if name == "gradient":
        return _list(gradient_value(X, r, w, lam, st["y"], mean=mean, sign=sign, w0_penalised=w0_penalised))
    if name == "w_new":
        def grad(X_, r_, w_):
            return gradient_value(X_, r_, w_, lam, mean=mean, sign=sign, w0_penalised=w0_penalised)
        first = st["grad"] if ("gradient",) in {as_path(k) for k in override} else None
        return _list(_descend(given, w, first, grad, float(given["lr"])))
    if name == "loss_new":
        return loss_value(X, r, st["w_new"], lam, mean=mean, w0_penalised=w0_penalised)
    if name == "closed_form":
        closed = _closed(X, r, lam, w0_penalised=w0_penalised)
        return None if closed is None else _list(closed)
    return None


def _summed_loss(given: dict, path: tuple, student: Any, override: dict) -> Any:
    return _wrong_run(given, path, override, mean=False)


def _ridge_gradient_sign(given: dict, path: tuple, student: Any, override: dict) -> Any:
    if float(given["lambda"]) <= 0:
        return None
    return _wrong_run(given, path, override, sign=1.0)


def _ridge_no_w0(given: dict, path: tuple, student: Any, override: dict) -> Any:
    if float(given["lambda"]) <= 0:
        return None
    return _wrong_run(given, path, override, w0_penalised=False)


def _ridge_n_lambda(given: dict, path: tuple, student: Any, override: dict) -> Any:
    lam = float(given["lambda"])
    if lam <= 0 or path[0] != "closed_form":
        return None
    X, r = _design(given)
    closed = _closed(X, r, len(r) * lam)
    return None if closed is None else _list(closed)


def _no_learning_rate(given: dict, path: tuple, student: Any, override: dict) -> Any:
    if float(given["lr"]) == 1.0 or path[0] != "w_new":
        return None
    st = _state(given, override)
    lam = float(given["lambda"])
    first = st["grad"]
    return _list(_descend(given, st["w"], first, lambda X, r, w: gradient_value(X, r, w, lam), 1.0))


VARIANTS = {
    "summed_loss": _summed_loss,
    "ridge_gradient_sign": _ridge_gradient_sign,
    "ridge_no_w0": _ridge_no_w0,
    "ridge_n_lambda": _ridge_n_lambda,
    "no_learning_rate": _no_learning_rate,
}
