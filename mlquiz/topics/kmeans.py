"""k-means clustering (Lloyd's algorithm) from given initial centres, or from the first K points.

Course conventions (k-means rows): Euclidean distance d(x, c) = √Σ(xⱼ − cⱼ)²; a round assigns
every point to its nearest centre (ties: the lower-numbered centre; distances compared after
rounding to 9 decimals), then moves each centre to the mean of its points (an empty cluster keeps
its centre); the run stops after the first round whose assignment equals the previous round's, and
`iterations` counts the rounds including that confirming one (so ≥ 2); `--max-iterations` stops it
earlier, the answers then being the last round's. sse = Σᵢ ‖xᵢ − c_{aᵢ}‖² with the final centres.

given = {"x": [[float]] (rows: points), "centers": [[float]] (initial centres), "k": int,
         "from_points": bool (centres = the first k points), "max_iterations": int}
Answers: first_distances (n×k), first_assignments (1-based), first_centers, assignments (final,
1-based), centers (final), iterations, sse. Steps: distances, assign/r, update/r (r from 1),
result, sse.
"""

from __future__ import annotations

import math
import random
from typing import Any

from mlquiz.answers import AnswerError, parse_number
from mlquiz.derivation import Derivation
from mlquiz.errors import UserError, short
from mlquiz.model import Part, Solution, Tolerance, answer_at
from mlquiz.text import Msg, Texts
from mlquiz.topics.common import attempts, fmt, fmtp, is_number, passes, split_rows

T = Texts("kmeans")

TOLERANCE = Tolerance()
MAX_POINTS, MAX_DIM, MAX_MAGNITUDE = 2000, 50, 1e9
PLACES = 9
MAX_PAIRS = 20_000  # points × centres: a run stays quick to solve and to show
SUBSCRIPTS = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


def _sub(n: int) -> str:
    return str(n).translate(SUBSCRIPTS)


def _vec(v: list[float]) -> str:
    return "(" + ", ".join(fmt(a) for a in v) + ")"


# --------------------------------------------------------------------------- the formulas

def distance(x: list[float], c: list[float], root: bool = True, manhattan: bool = False) -> float:
    if manhattan:
        return float(sum(abs(a - b) for a, b in zip(x, c)))
    total = float(sum((a - b) ** 2 for a, b in zip(x, c)))
    return math.sqrt(total) if root else total


def nearest(row: list[float]) -> int:
    """0-based index of the smallest distance; ties → the lower index."""
    return min(range(len(row)), key=lambda j: (round(row[j], PLACES), j))


def means(x: list[list[float]], labels: list[int], centers: list[list[float]],
          with_centre: bool = False) -> tuple[list[list[float]], list[int]]:
    """New centres (0-based labels) and the clusters that emptied (they keep their centre).
    `with_centre` (a wrong method) counts the old centre as one more point of its cluster."""
    out, empty = [], []
    for j, c in enumerate(centers):
        members = [x[i] for i, a in enumerate(labels) if a == j]
        if with_centre:
            members = [c, *members]
        if not members:
            out.append(list(c))
            empty.append(j)
            continue
        out.append([sum(m[t] for m in members) / len(members) + 0.0 for t in range(len(c))])
    return out, empty


# --------------------------------------------------------------------------- solving

def _distance_line(i: int, x: list[float], c: list[float], j: int, value: float, mistake: str | None) -> str:
    name = f"d(x{_sub(i + 1)}, c{_sub(j + 1)})"
    if mistake == "manhattan":
        return f"{name} = " + " + ".join(f"|{fmt(a)} − {fmtp(b)}|" for a, b in zip(x, c)) + f" = {fmt(value)}"
    inside = " + ".join(f"({fmt(a)} − {fmtp(b)})²" for a, b in zip(x, c))
    if mistake == "no_root":
        return f"{name}² = {inside} = {fmt(value)}"
    return f"{name} = √({inside}) = {fmt(value)}"


def _check_matrix(value: Any, rows: int, cols: int) -> list[list[float]]:
    if not isinstance(value, list) or len(value) != rows:
        raise ValueError(value)
    out = []
    for row in value:
        if not isinstance(row, list) or len(row) != cols:
            raise ValueError(value)
        out.append([float(v) for v in row])
    return out


def _check_labels(value: Any, n: int, k: int, first: int = 1) -> list[int]:
    if not isinstance(value, list) or len(value) != n:
        raise ValueError(value)
    out = []
    for v in value:
        a = int(round(float(v))) - first
        if not 0 <= a < k:
            raise ValueError(value)
        out.append(a)
    return out


def solve(given: dict, override: dict[tuple, Any] | None = None) -> Solution:
    """Round after round (assign, update) until an assignment repeats; `override` (the student's
    own values) is carried forward."""
    return _run(given, override, None)


def _run(given: dict, override: dict[tuple, Any] | None, mistake: str | None) -> Solution:
    d = Derivation(override)
    x = [list(map(float, row)) for row in given["x"]]
    centers = [list(map(float, c)) for c in given["centers"]]
    n, k, dims = len(x), len(centers), len(x[0])
    limit = int(given["max_iterations"])
    first = 0 if mistake == "zero_based" else 1
    fixed = {}
    if mistake == "seeds_fixed":  # the notes' "对剩下的每个对象": a point chosen as a centre never moves
        for j, c in enumerate(centers):
            for i, row in enumerate(x):
                if row == c and i not in fixed:
                    fixed[i] = j
                    break
    if given["from_points"]:
        d.note(T("note.first_points", k=k))
    previous: list[int] | None = None
    labels: list[int] = []
    rounds = 0
    stable = False
    dist_mistake = mistake if mistake in ("no_root", "manhattan") else None
    for r in range(1, limit + 1):
        rounds = r
        table = [[distance(row, c, root=dist_mistake != "no_root", manhattan=dist_mistake == "manhattan")
                  for c in centers] for row in x]
        lines = [_distance_line(i, row, c, j, table[i][j], dist_mistake if r == 1 else None)
                 for i, row in enumerate(x) for j, c in enumerate(centers)]
        if r == 1:
            table = d.step("distances", T("title.distances"),
                           T("formula.squared" if dist_mistake == "no_root" else "formula.distance"),
                           lines, table, answer="first_distances")
            table = _check_matrix(table, n, k)
            lines = []
        labels = [nearest(row) for row in table]
        for i, j in fixed.items():
            labels[i] = j
        if any(round(sorted(row)[0], PLACES) == round(sorted(row)[1], PLACES) for row in table if len(row) > 1):
            d.note(T("note.tie"))
        lines.append("a = [" + ", ".join(str(a + 1) for a in labels) + "]")
        if previous is not None:
            lines.append(T("line.same" if labels == previous else "line.changed"))
        value = [a + first for a in labels]
        if r == 1:
            value = d.step("assign/1", T("title.assign", r=r), T("formula.assign"), lines, value,
                           answer="first_assignments")
            labels = _check_labels(value, n, k, first)
        else:
            d.step(f"assign/{r}", T("title.assign", r=r), T("formula.assign"), lines, value)
        if previous is not None and labels == previous:
            stable = True
            d.step(f"update/{r}", T("title.update", r=r), T("formula.update"), T("line.unchanged"), centers)
            break
        new, empty = means(x, labels, centers, with_centre=mistake == "centre_included")
        ulines = []
        for j in range(k):
            members = [i for i, a in enumerate(labels) if a == j]
            if not members:
                ulines.append(T("line.empty", j=j + 1, centre=_vec(centers[j])))
                continue
            names = " + ".join(f"x{_sub(i + 1)}" for i in members)
            if mistake == "centre_included":
                names = f"c{_sub(j + 1)} + " + names
            count = len(members) + (1 if mistake == "centre_included" else 0)
            ulines.append(f"c{_sub(j + 1)} = ({names})/{count} = {_vec(new[j])}" if count > 1
                          else f"c{_sub(j + 1)} = {names} = {_vec(new[j])}")
        if empty:
            d.note(T("note.empty"))
        if r == 1:
            new = d.step("update/1", T("title.update", r=r), T("formula.update"), ulines, new,
                         answer="first_centers")
            new = _check_matrix(new, k, dims)
        else:
            d.step(f"update/{r}", T("title.update", r=r), T("formula.update"), ulines, new)
        centers = new
        previous = labels
    if not stable:
        d.note(T("note.stopped", limit=limit))
    iterations = rounds - 1 if mistake == "no_confirming_round" and stable else rounds
    final = [a + first for a in labels]
    d.step("result", T("title.result"), T("formula.result"),
           [f"a = [{', '.join(str(a) for a in final)}]",
            *(f"c{_sub(j + 1)} = {_vec(c)}" for j, c in enumerate(centers)),
            f"I = {iterations}"], final, answer="assignments",
           also=[(("centers",), centers), (("iterations",), iterations)])
    final = _check_labels(d.carried(("assignments",), final), n, k, first)
    centers = _check_matrix(d.carried(("centers",), centers), k, dims)
    parts = [distance(row, centers[a]) for row, a in zip(x, final)]
    if mistake != "sse_unsquared":
        parts = [v * v for v in parts]
    sse = float(sum(parts))
    d.step("sse", T("title.sse"), T("formula.sse"),
           "sse = " + " + ".join(fmt(v) for v in parts) + f" = {fmt(sse)}", sse, answer="sse")
    return d.solution()


# --------------------------------------------------------------------------- the problem text

def statement(given: dict) -> list[Msg]:
    n, d, k = len(given["x"]), len(given["x"][0]), len(given["centers"])
    text = [T("statement.data", n=n, d=d, k=k)]
    if given["from_points"]:
        text.append(T("statement.first_points", k=k))
    else:
        text.append(T("statement.centers", centers="; ".join(f"c{_sub(j + 1)} = {_vec(c)}"
                                                             for j, c in enumerate(given["centers"]))))
    text.append(T("statement.rules"))
    if int(given["max_iterations"]) != 100:
        text.append(T("statement.limit", limit=int(given["max_iterations"])))
    return text


def table(given: dict) -> tuple[list, list[list[str]]]:
    dims = len(given["x"][0])
    headers = ["#", *(f"x{j + 1}" for j in range(dims))]
    return headers, [[str(i + 1), *(fmt(v) for v in row)] for i, row in enumerate(given["x"])]


def parts(given: dict, solution: Solution, difficulty: str) -> list[Part]:
    a = solution.answers
    return [
        Part(("first_distances",), T("prompt.first_distances"), "matrix", a["first_distances"], TOLERANCE,
             step="distances"),
        Part(("first_assignments",), T("prompt.first_assignments"), "integer", a["first_assignments"],
             step="assign/1"),
        Part(("first_centers",), T("prompt.first_centers"), "matrix", a["first_centers"], TOLERANCE,
             step="update/1"),
        Part(("assignments",), T("prompt.assignments"), "integer", a["assignments"], step="result"),
        Part(("centers",), T("prompt.centers"), "matrix", a["centers"], TOLERANCE, step="result"),
        Part(("iterations",), T("prompt.iterations"), "integer", a["iterations"], step="result"),
        Part(("sse",), T("prompt.sse"), "number", a["sse"], TOLERANCE, step="sse"),
    ]


def _rounds(given: dict) -> list[tuple[list[list[float]], list[int]]]:
    """(distance table, 0-based labels) of every assignment round of the right run."""
    x, centers = given["x"], [list(c) for c in given["centers"]]
    out, previous = [], None
    for _ in range(int(given["max_iterations"])):
        table = [[distance(row, c) for c in centers] for row in x]
        labels = [nearest(row) for row in table]
        out.append((table, labels))
        if labels == previous:
            break
        centers, _ = means(x, labels, centers)
        previous = labels
    return out


def _denominators_ok(values: list[list[float]], allowed: tuple[int, ...]) -> bool:
    return all(any(abs(v * q - round(v * q)) < 1e-9 for q in allowed) for row in values for v in row)


def well_posed(problem: Any) -> None:
    """2–6 points, 1–3 attributes, 2–3 clusters; in every round the nearest centre of each point is
    clear (no tie within 0.01) and no cluster empties; the run converges; easy centres are halves,
    medium ones quarters or thirds; the number of rounds fits the level."""
    g, a, level = problem.given, problem.solution.answers, problem.difficulty
    n, dims, k = len(g["x"]), len(g["x"][0]), len(g["centers"])
    assert 2 <= n <= 6 and 1 <= dims <= 3 and 2 <= k <= 3 and k < n
    rounds = _rounds(g)
    assert len(rounds) >= 2 and rounds[-1][1] == rounds[-2][1]
    for table, labels in rounds:
        for row in table:
            s = sorted(row)
            assert s[1] - s[0] >= 0.01, "tie"
        assert len(set(labels)) == k, "empty cluster"
    assert a["iterations"] == len(rounds)
    centres = [a["first_centers"], a["centers"]]
    if level == "easy":
        assert a["iterations"] <= 3 and all(_denominators_ok(c, (1, 2)) for c in centres)
    elif level == "medium":
        assert 3 <= a["iterations"] <= 4 and all(_denominators_ok(c, (1, 2, 3, 4)) for c in centres)
    else:
        assert 3 <= a["iterations"] <= 5 and k == 3


# --------------------------------------------------------------------------- generating

def _given(x, centers, from_points=False, max_iterations=100) -> dict:
    return {"x": [[float(v) for v in row] for row in x], "centers": [[float(v) for v in c] for c in centers],
            "k": len(centers), "from_points": bool(from_points), "max_iterations": int(max_iterations)}


def _ok(given: dict, level: str) -> bool:
    return passes(given, level, solve, well_posed)


def _draw(rng: random.Random, level: str) -> dict:
    n = {"easy": (4, 5), "medium": (5, 6), "hard": (6, 6)}[level]
    dims = {"easy": (1, 2, 2), "medium": (2, 2), "hard": (2, 2, 3)}[level]
    k = {"easy": (2,), "medium": (2, 3), "hard": (3,)}[level]
    for _ in attempts():
        size, dim, kk = rng.randint(*n), rng.choice(dims), rng.choice(k)
        x = [[rng.randint(0, 9) for _ in range(dim)] for _ in range(size)]
        if len({tuple(r) for r in x}) < size:
            continue
        from_points = rng.random() < 0.5
        centers = x[:kk] if from_points else [[rng.randint(0, 9) for _ in range(dim)] for _ in range(kk)]
        if len({tuple(c) for c in centers}) < kk:
            continue
        given = _given(x, centers, from_points)
        if _ok(given, level):
            return given
    raise AssertionError  # attempts() raises first


def generate(rng: random.Random, difficulty: str) -> dict:
    return _draw(rng, difficulty)


# --------------------------------------------------------------------------- the user's data

def _rows(text: str, origin: str, what: str) -> list[list[float]]:
    rows = split_rows(text, origin)
    if len(rows) > 1 and not any(is_number(c) for c in rows[0]):
        rows = rows[1:]  # a header row
    width = len(rows[0])
    out = []
    for i, row in enumerate(rows, start=1):
        if len(row) != width:
            raise UserError(T("error.ragged", what=what, row=i, cells=len(row), width=width))
        cells = []
        for cell in row:
            try:
                value = float(parse_number(cell))
            except AnswerError as exc:
                raise UserError(T("error.cell", what=what, row=i, cell=short(cell), reason=exc.message)) from None
            if not math.isfinite(value) or abs(value) > MAX_MAGNITUDE:
                raise UserError(T("error.magnitude", what=what, limit=fmt(MAX_MAGNITUDE)))
            cells.append(value + 0.0)
        out.append(cells)
    return out


def parse_data(values: dict) -> dict:
    """--data "x1,…,xd; …" (or a CSV file, a header row allowed), --centers "…; …" or --k K (the
    first K points), --max-iterations."""
    data = values["data"]
    text = data.text.replace("\r\n", "\n").replace("\n", ";") if data.path else data.text
    if text.count(";") + text.count("；") > MAX_POINTS + 1 or text.count(",") + text.count("，") > 50_000:
        raise UserError(T("error.too_big", points=MAX_POINTS, dimensions=MAX_DIM))
    x = _rows(text, data.origin, data.origin)
    if len(x) > MAX_POINTS or len(x[0]) > MAX_DIM:
        raise UserError(T("error.too_big", points=MAX_POINTS, dimensions=MAX_DIM))
    if len(x) < 2:
        raise UserError(T("error.few_points"))
    centers, k = values.get("centers"), values.get("k")
    if centers is None and k is None:
        raise UserError(T("error.no_centers"))
    from_points = centers is None
    if centers is None:
        if k > len(x):
            raise UserError(T("error.k_too_large", k=k, n=len(x)))
        centers = [list(row) for row in x[:k]]
    else:
        centers = [[float(v) for v in row] for row in centers]
        if any(len(c) != len(x[0]) for c in centers):
            raise UserError(T("error.center_length", expected=len(x[0])))
        if k is not None and k != len(centers):
            raise UserError(T("error.k_mismatch", k=k, rows=len(centers)))
        if len(centers) > len(x):
            raise UserError(T("error.k_too_large", k=len(centers), n=len(x)))
        if not all(math.isfinite(v) and abs(v) <= MAX_MAGNITUDE for c in centers for v in c):
            raise UserError(T("error.magnitude", what="--centers", limit=fmt(MAX_MAGNITUDE)))
    if len(x) * len(centers) > MAX_PAIRS:
        raise UserError(T("error.too_many_pairs", limit=MAX_PAIRS))
    return _given(x, centers, from_points, int(values.get("max_iterations") or 100))


def as_options(given: dict) -> dict[str, Any]:
    """The `solve kmeans` options that pose this problem again."""
    data = "; ".join(",".join(repr(v) for v in row) for row in given["x"])
    centers = None if given["from_points"] else "; ".join(",".join(repr(v) for v in c) for c in given["centers"])
    return {"data": data, "centers": centers, "k": str(given["k"]) if given["from_points"] else None,
            "max_iterations": str(given["max_iterations"])}


def from_bank(entry: dict) -> dict:
    """One bank.toml entry: `data` spelled like the option, `centers` (a TOML array of rows) or
    `k`, and `max_iterations`. A malformed entry is a bug in the shipped data: ValueError."""
    from mlquiz.options import DataText
    where = f"kmeans/bank.toml [{entry.get('id')}]"
    if not isinstance(entry.get("data"), str):
        raise ValueError(f"{where}: data = '…'")
    values = {"data": DataText(entry["data"]),
              "centers": [[float(v) for v in c] for c in entry["centers"]] if "centers" in entry else None,
              "k": int(entry["k"]) if "k" in entry else None,
              "max_iterations": int(entry.get("max_iterations", 100))}
    try:
        return parse_data(values)
    except UserError as exc:
        raise ValueError(f"{where}: {exc}") from None


# --------------------------------------------------------------------------- misconceptions
# Each returns the value the wrong method gives at the checkpoint `path` (ids and applies_to in
# problems/kmeans/misconceptions.toml, texts in text.<lang>.toml): the whole run is redone with the
# mistake, carrying the student's own earlier values forward like the right derivation does.

def _variant(mistake: str):
    def variant(given: dict, path: tuple, student: Any, override: dict) -> Any:
        if mistake == "seeds_fixed" and not any(c in given["x"] for c in given["centers"]):
            return None
        answers = _run(given, override, mistake).answers
        if path[0] not in answers:
            return None
        return answer_at(answers, path)
    return variant


VARIANTS = {mistake: _variant(mistake) for mistake in
            ("no_root", "manhattan", "centre_included", "zero_based", "no_confirming_round", "sse_unsquared",
             "seeds_fixed")}
