"""The perceptron learning algorithm (PLA), run by hand.

Labels r ∈ {−1, +1}; samples are visited in the given order, pass after pass. A point with
r·(wᵀx + w0) ≤ 0 (zero counts as wrong) triggers w ← w + η·r·x and w0 ← w0 + η·r. The run stops
after the first pass that makes no update (converged), or after `max_epochs` passes (not
converged). `epochs` counts every pass made, the final clean pass included.

given = {"samples": [[x1, …, xd]], "labels": [±1], "w": [w0, w1, …, wd], "lr": η, "max_epochs": E}
Answers: updates (1-based sample numbers in the order they caused an update, across passes),
w_final ([w0, w1, …]), epochs, converged ("true"/"false"); step ids epoch/k (k from 1, the
visits of pass k), updates, w_final, epochs, converged.

Carried forward: w_final is w(0) + η·Σ r·[1, x] over the updates list, so a student's own list
gives the final weights it implies. Activations are rounded to 9 decimals before their sign is
read (so 0.1 + 0.2 − 0.3 counts as the 0 it is), and weights to 10 decimals after each update.
"""

from __future__ import annotations

import math
import random
from types import SimpleNamespace
from typing import Any

from mlquiz.derivation import Derivation
from mlquiz.errors import UserError, short
from mlquiz.model import Part, Solution
from mlquiz.text import Msg, Texts
from mlquiz.topics.common import DataText, attempts, fmt, fmtp, is_number, number_rows, split_rows, typed

T = Texts("perceptron")

MAX_SAMPLES, MAX_FEATURES = 50, 10
MAX_VISITS = 5_000    # samples × --max-epochs: a run stays quick to solve and to show
FULL_LINES = 300      # up to this many visits every visit has its line; beyond, only the updates
LEARNING_RATES = (1.0, 0.5, 0.1)
BOOLEAN = ("true", "false")


# --------------------------------------------------------------------------- the run

def _augmented(x: list[float]) -> list[float]:
    return [1.0, *map(float, x)]


def _dot(w: list[float], x: list[float]) -> float:
    return round(sum(a * b for a, b in zip(w, _augmented(x))), 9)


def _moved(w: list[float], x: list[float], r: float, eta: float, bias: bool = True) -> list[float]:
    step = [eta * r * v for v in _augmented(x)]
    if not bias:
        step[0] = 0.0
    return [round(a + b, 10) + 0.0 for a, b in zip(w, step)]


def simulate(given: dict, mistake: str | None = None) -> dict:
    """The whole run: every visit (pass, sample, activation, r·a, updated?, w after), the updates,
    the final w, the passes made and whether it converged. `mistake` runs a wrong method instead
    (for VARIANTS): zero_is_correct (update only when r·a < 0), no_bias_update (w0 never moves),
    update_on_correct (each pass judged with the weights it started with)."""
    xs, rs, eta = given["samples"], given["labels"], float(given["lr"])
    w = [float(v) for v in given["w"]]
    visits, updates = [], []
    passes, converged = 0, False
    for k in range(1, int(given["max_epochs"]) + 1):
        passes = k
        start = w[:]
        changed = False
        for i, (x, r) in enumerate(zip(xs, rs)):
            a = _dot(start if mistake == "update_on_correct" else w, x)
            m = round(r * a, 9) + 0.0
            wrong = m < 0 if mistake == "zero_is_correct" else m <= 0
            before = w[:]
            if wrong:
                w = _moved(w, x, r, eta, bias=mistake != "no_bias_update")
                updates.append(i + 1)
                changed = True
            visits.append({"epoch": k, "i": i, "w": before, "a": a, "m": m, "update": wrong, "after": w[:]})
        if not changed:
            converged = True
            break
    return {"visits": visits, "updates": updates, "w": w, "epochs": passes, "converged": converged}


def weights_from(given: dict, updates: list[int]) -> list[float]:
    """w(0) + η·Σ r·[1, x] over a list of 1-based sample numbers (the final w they imply)."""
    w = [float(v) for v in given["w"]]
    for number in updates:
        w = _moved(w, given["samples"][number - 1], given["labels"][number - 1], float(given["lr"]))
    return w


def _vector(values: list[float]) -> str:
    return "[" + ", ".join(fmt(v) for v in values) + "]"


def _activation_terms(w: list[float], x: list[float]) -> str:
    """w0 + w1·x1 + … with this visit's numbers."""
    return " + ".join([fmtp(w[0]), *(f"{fmtp(a)}·{fmtp(b)}" for a, b in zip(w[1:], x))])


def _checked_updates(given: dict, value: Any) -> list[int]:
    """A carried-forward updates list: whole sample numbers 1..N (anything else: ValueError)."""
    n = len(given["samples"])
    if not isinstance(value, list):
        value = [value]
    out = []
    for v in value:
        if not isinstance(v, (int, float)) or isinstance(v, bool) or not math.isfinite(v) or v != int(v) \
                or not 1 <= int(v) <= n:
            raise ValueError(f"sample number {v!r} outside 1..{n}")
        out.append(int(v))
    return out


def solve(given: dict, override: dict[tuple, Any] | None = None) -> Solution:
    d = Derivation(override)
    run = simulate(given)
    xs, rs, eta = given["samples"], given["labels"], given["lr"]
    by_epoch: dict[int, list] = {}
    for v in run["visits"]:
        by_epoch.setdefault(v["epoch"], []).append(v)
    full = len(run["visits"]) <= FULL_LINES
    for k, visits in by_epoch.items():
        lines: list[Any] = []
        if not full:
            quiet = sum(1 for v in visits if not v["update"])
            if quiet:
                lines.append(T("line.quiet", count=quiet))
        for v in (visits if full else [v for v in visits if v["update"]]):
            i, x, r = v["i"], xs[v["i"]], rs[v["i"]]
            common = {"i": i + 1, "terms": _activation_terms(v["w"], x), "a": fmt(v["a"]), "r": fmtp(r),
                      "ap": fmtp(v["a"]), "m": fmt(v["m"])}
            if v["update"]:
                lines.append(T("line.update", **common, eta=fmt(eta), x=_vector(_augmented(x)),
                               old=_vector(v["w"]), w=_vector(v["after"])))
            else:
                lines.append(T("line.keep", **common))
        clean = not any(v["update"] for v in visits)
        d.step(f"epoch/{k}", T("title.epoch", k=k), T("formula.rule"), lines,
               note=T("note.clean_pass", k=k) if clean else None)
    listed = run["updates"]
    shown = ", ".join(str(u) for u in listed) if listed else "—"
    carried = d.step("updates", T("title.updates"), T("formula.updates"), shown, listed, answer=("updates",))
    numbers = _checked_updates(given, carried) if carried is not listed else listed
    w_final = run["w"] if carried is listed else weights_from(given, numbers)
    counts = {n: numbers.count(n) for n in dict.fromkeys(numbers)}
    terms = " + ".join(("" if c == 1 else f"{c}·") + f"{fmt(eta)}·{fmtp(rs[n - 1])}·{_vector(_augmented(xs[n - 1]))}"
                       for n, c in counts.items())
    line = f"{_vector([float(v) for v in given['w']])}" + (f" + {terms}" if terms else "") + f" = {_vector(w_final)}"
    d.step("w_final", T("title.w_final"), T("formula.w_final"), line, w_final, answer=("w_final",))
    key = "line.epochs_converged" if run["converged"] else "line.epochs_limit"
    d.step("epochs", T("title.epochs"), T("formula.epochs"), T(key, epochs=run["epochs"], limit=given["max_epochs"]),
           run["epochs"], answer=("epochs",))
    verdict = BOOLEAN[0] if run["converged"] else BOOLEAN[1]
    d.step("converged", T("title.converged"), T("formula.converged"),
           T("line.converged" if run["converged"] else "line.not_converged", limit=given["max_epochs"]),
           verdict, answer=("converged",))
    if not run["converged"]:
        d.note(T("note.limit", limit=given["max_epochs"]))
    if any(v["m"] == 0 for v in run["visits"]):
        d.note(T("note.zero_counts"))
    d.note(T("note.augmented"))
    return d.solution()


# --------------------------------------------------------------------------- the problem text

def statement(given: dict) -> list[Msg]:
    w = [float(v) for v in given["w"]]
    start = T("statement.zero_start") if not any(w) else T("statement.start", w=_vector(w))
    features = ", ".join(f"x{j}" for j in range(1, len(given["samples"][0]) + 1))
    return [T("statement.run", n=len(given["samples"]), features=features, eta=fmt(given["lr"]),
              start=start, limit=given["max_epochs"]),
            T("statement.rule"),
            T("statement.ask")]


def table(given: dict) -> tuple[list, list[list[str]]]:
    d = len(given["samples"][0])
    headers = ["i", *(f"x{j}" for j in range(1, d + 1)), "r"]
    rows = [[str(i), *(fmt(v) for v in x), fmt(r)]
            for i, (x, r) in enumerate(zip(given["samples"], given["labels"]), start=1)]
    return headers, rows


def parts(given: dict, solution: Solution, difficulty: str) -> list[Part]:
    answers = solution.answers
    out: list[Part] = []
    if answers["updates"]:
        out.append(Part(("updates",), T("prompt.updates"), "integer", answers["updates"], step="updates"))
    out.append(Part(("w_final",), T("prompt.w_final"), "vector", answers["w_final"], step="w_final"))
    out.append(Part(("epochs",), T("prompt.epochs"), "integer", answers["epochs"], step="epochs"))
    out.append(Part(("converged",), T("prompt.converged", limit=given["max_epochs"]), "choice",
                    answers["converged"], choices=BOOLEAN, step="converged"))
    return out


def _tenths(v: float) -> bool:
    return abs(v * 10 - round(v * 10)) < 1e-9


def well_posed(problem: Any) -> None:
    """Hand-sized: 2–6 samples, 1–3 features, integers or one decimal, η ∈ {1, 0.5, 0.1}, at least
    one update, at most 24 visits; no near-zero activation (only exact zeros, which the rule counts
    as wrong). Easy: zero start, η = 1, converged in ≤ 3 passes. Medium: converged. Hard: more
    samples or features, a start w or η < 1, or a run that stops at --max-epochs."""
    g, level = problem.given, problem.difficulty
    run = simulate(g)
    n, d = len(g["samples"]), len(g["samples"][0])
    assert 2 <= n <= 6 and 1 <= d <= 3 and len(g["w"]) == d + 1
    assert all(r in (1, -1) for r in g["labels"]) and len(set(g["labels"])) == 2
    assert g["lr"] in LEARNING_RATES
    assert all(_tenths(v) for v in [*(v for x in g["samples"] for v in x), *g["w"]])
    assert run["updates"] and len(run["visits"]) <= 24
    assert all(v["m"] == 0 or abs(v["m"]) >= 0.01 for v in run["visits"])
    if level == "easy":
        assert not any(g["w"]) and g["lr"] == 1 and run["converged"] and run["epochs"] <= 3
        assert n <= 3 and d <= 2 and len(run["updates"]) <= 3
    elif level == "medium":
        assert run["converged"] and 2 <= len(run["updates"]) <= 6 and d == 2
    elif level == "hard":
        assert n >= 4 and (any(g["w"]) or g["lr"] != 1 or not run["converged"])
        assert run["converged"] or run["epochs"] == g["max_epochs"]


# --------------------------------------------------------------------------- generating

def _points(rng: random.Random, n: int, d: int, low: int, high: int, tenths: bool) -> list[list[float]]:
    def value() -> float:
        v = rng.randint(low, high)
        if tenths and rng.random() < 0.3:
            v += 0.5
        return float(v)

    points: list[list[float]] = []
    for _ in attempts():
        p = [value() for _ in range(d)]
        if p not in points:
            points.append(p)
        if len(points) == n:
            return points
    return points


def _separable(rng: random.Random, n: int, d: int, low: int, high: int, tenths: bool) -> tuple[list, list] | None:
    """Points labelled by a hidden integer separator, none on it, both labels present."""
    hidden = [rng.randint(-4, 4)] + [rng.choice((-2, -1, 1, 2)) for _ in range(d)]
    xs = _points(rng, n, d, low, high, tenths)
    scores = [hidden[0] + sum(a * b for a, b in zip(hidden[1:], x)) for x in xs]
    if any(abs(s) < 0.5 for s in scores):
        return None
    rs = [1 if s > 0 else -1 for s in scores]
    if len(set(rs)) < 2:
        return None
    return xs, rs


def _given(xs: list, rs: list, w: list[float], lr: float, max_epochs: int = 100) -> dict:
    return {"samples": xs, "labels": rs, "w": w, "lr": lr, "max_epochs": max_epochs}


def _fits(given: dict, level: str) -> bool:
    """Whether a candidate passes well_posed at this difficulty (a Problem is not built for it)."""
    try:
        well_posed(SimpleNamespace(given=given, difficulty=level))
    except AssertionError:
        return False
    return True


def _easy(rng: random.Random) -> dict:
    for _ in attempts():
        n, d = rng.randint(2, 3), rng.choice((1, 2, 2))
        data = _separable(rng, n, d, -3, 3, False)
        if data is None:
            continue
        given = _given(*data, [0.0] * (d + 1), 1.0)
        if _fits(given, "easy"):
            return given


def _medium(rng: random.Random) -> dict:
    for _ in attempts():
        n = rng.randint(3, 4)
        data = _separable(rng, n, 2, -3, 4, False)
        if data is None:
            continue
        lr = rng.choice((1.0, 1.0, 0.5))
        w = [0.0] * 3 if rng.random() < 0.6 else [float(rng.randint(-2, 2)) for _ in range(3)]
        given = _given(*data, w, lr)
        run = simulate(given)
        if run["epochs"] >= 2 and _fits(given, "medium"):
            return given


def _hard(rng: random.Random) -> dict:
    for _ in attempts():
        n, d = rng.randint(4, 6), rng.choice((2, 2, 3))
        data = _separable(rng, n, d, -3, 3, rng.random() < 0.4)
        if data is None:
            continue
        xs, rs = data
        lr = rng.choice(LEARNING_RATES)
        w = [rng.choice((0.0, 1.0, -1.0, 0.5, -0.5, 2.0)) for _ in range(d + 1)]
        limit = 100
        if rng.random() < 0.35:  # a label flipped: the run may stop at the limit, not converged
            j = rng.randrange(n)
            rs = [(-r if i == j else r) for i, r in enumerate(rs)]
            limit = rng.choice((2, 3))
        given = _given(xs, rs, w, lr, limit)
        run = simulate(given)
        if len(run["updates"]) >= 3 and run["epochs"] >= 2 and _fits(given, "hard"):
            return given


def generate(rng: random.Random, difficulty: str) -> dict:
    return {"easy": _easy, "medium": _medium, "hard": _hard}[difficulty](rng)


# --------------------------------------------------------------------------- the user's data

def _rows(data: DataText) -> tuple[list[str] | None, list[list[str]]]:
    """Rows of cells (inline: `;` between rows; a file: one row a line), and the header if any."""
    text = data.text
    if text.count(";") + text.count("\n") + text.count("；") > 10 * MAX_SAMPLES:
        raise UserError(T("error.too_big", samples=MAX_SAMPLES, features=MAX_FEATURES))
    rows = split_rows(text.replace("\r", "").replace("\n", ";"), data.origin)
    header = None
    if rows and not any(is_number(c) for c in rows[0]):
        header, rows = rows[0], rows[1:]
        if not rows:
            raise UserError(T("error.no_rows"))
    return header, rows


def _target_index(header: list[str] | None, width: int, target: str | None) -> int:
    if target is None:
        return width - 1
    wanted = target.strip()
    if header is not None:
        lowered = [h.strip().lower() for h in header]
        if wanted.lower() in lowered:
            return lowered.index(wanted.lower())
    if wanted.isascii() and wanted.isdigit() and len(wanted) < 6 and 1 <= int(wanted) <= width:
        return int(wanted) - 1
    raise UserError(T("error.target", target=short(wanted), columns=header or [str(j) for j in range(1, width + 1)]))


def parse_data(values: dict) -> dict:
    """--data "x1,…,xd,r; …" (or a CSV file, --target the label column, default the last),
    --w "w0,w1,…" (default zeros), --lr (default 1), --max-epochs (default 100)."""
    data = values.get("data")
    if data is None:
        raise UserError(T("error.missing"))
    header, cells = _rows(data)
    width = len(cells[0])
    if any(len(row) != width for row in cells):
        raise UserError(T("error.ragged", lengths=sorted({len(row) for row in cells})))
    if width < 2:
        raise UserError(T("error.columns"))
    label = _target_index(header, width, values.get("target"))
    numbers = number_rows(";".join(",".join(row) for row in cells), data.origin)
    if len(numbers) > MAX_SAMPLES or width - 1 > MAX_FEATURES:
        raise UserError(T("error.too_big", samples=MAX_SAMPLES, features=MAX_FEATURES))
    xs, rs = [], []
    for i, row in enumerate(numbers, start=1):
        r = row[label]
        if r == 0:
            raise UserError(T("error.zero_label", i=i))
        if r not in (1, -1):
            raise UserError(T("error.label", i=i, value=fmt(r)))
        x = [float(v) for j, v in enumerate(row) if j != label]
        if not all(math.isfinite(v) and abs(v) <= 1e6 for v in x):
            raise UserError(T("error.finite", i=i))
        xs.append(x)
        rs.append(int(r))
    d = width - 1
    if len(xs) * int(values.get("max_epochs")) > MAX_VISITS:
        raise UserError(T("error.too_long", visits=MAX_VISITS, samples=len(xs)))
    w = values.get("w")
    if w is None:
        w = [0.0] * (d + 1)
    if len(w) != d + 1:
        raise UserError(T("error.w_length", count=d + 1, d=d, got=len(w)))
    if not all(math.isfinite(v) and abs(v) <= 1e6 for v in w):
        raise UserError(T("error.w_finite"))
    lr = values.get("lr")
    if not math.isfinite(lr) or lr > 1e6:
        raise UserError(T("error.lr"))
    return _given(xs, rs, [float(v) for v in w], float(lr), int(values.get("max_epochs")))


def as_options(given: dict) -> dict[str, str | None]:
    data = "; ".join(",".join([*(repr(float(v)) for v in x), str(int(r))])
                     for x, r in zip(given["samples"], given["labels"]))
    return {"data": data, "w": typed(given["w"]), "lr": repr(float(given["lr"])),
            "max_epochs": str(int(given["max_epochs"])), "target": None}


def from_bank(entry: dict) -> dict:
    """One problem of bank.toml, spelled like the options: data (text), w, lr, max_epochs.
    A malformed entry is a bug in the shipped data: ValueError."""
    where = f"perceptron/bank.toml [{entry.get('id')}]"
    if not isinstance(entry.get("data"), str) or not entry["data"].strip():
        raise ValueError(f"{where}: data = '…' is required")
    w = entry.get("w")
    values = {"data": DataText(entry["data"]), "target": None,
              "w": None if w is None else [float(v) for v in w],
              "lr": float(entry.get("lr", 1)), "max_epochs": int(entry.get("max_epochs", 100))}
    try:
        return parse_data(values)
    except UserError as exc:
        raise ValueError(f"{where}: {exc}") from None


# --------------------------------------------------------------------------- misconceptions
# Each returns the value the wrong method gives at the answer `path` (ids and applies_to in
# problems/perceptron/misconceptions.toml, texts in text.<lang>.toml), or None where it does not apply.

def _replays_with_extra_updates(given: dict, student: Any) -> bool:
    """The student's updates list is the right rule's run except for updates at points that the
    current w already classified correctly (every misclassified point visited was still updated)."""
    try:
        listed = _checked_updates(given, student)
    except ValueError:
        return False
    xs, rs, eta = given["samples"], given["labels"], float(given["lr"])
    w = [float(v) for v in given["w"]]
    j, extra = 0, False
    for _ in range(int(given["max_epochs"])):
        clean = True
        for i, (x, r) in enumerate(zip(xs, rs)):
            wrong = round(r * _dot(w, x), 9) <= 0
            if j < len(listed) and listed[j] == i + 1:
                extra = extra or not wrong
                w = _moved(w, x, r, eta)
                j += 1
                clean = False
            elif wrong:
                return False  # a misclassified point left alone: another mistake
        if j == len(listed) and clean:
            return extra
    return extra and j == len(listed)


def _run_answer(mistake: str):
    def variant(given: dict, path: tuple, student: Any, override: dict) -> Any:
        if mistake == "update_on_correct" and path[0] == "updates" and _replays_with_extra_updates(given, student):
            return student
        run = simulate(given, mistake)
        if path[0] == "updates":
            return run["updates"]
        if path[0] == "w_final":
            return run["w"] if len(path) == 1 else run["w"][path[1]]
        if path[0] == "epochs":
            return run["epochs"]
        return None
    return variant


def _epochs_without_last_pass(given: dict, path: tuple, student: Any, override: dict) -> Any:
    run = simulate(given)
    if path[0] != "epochs" or not run["converged"]:
        return None
    return run["epochs"] - 1


VARIANTS = {
    "update_on_correct": _run_answer("update_on_correct"),
    "zero_is_correct": _run_answer("zero_is_correct"),
    "no_bias_update": _run_answer("no_bias_update"),
    "epochs_without_last_pass": _epochs_without_last_pass,
}
