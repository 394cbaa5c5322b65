"""K-nearest neighbours (KNN) classification of one query point.

Distances (course conventions, KNN rows): Euclidean √Σ(xⱼ−qⱼ)², Manhattan Σ|xⱼ−qⱼ|, Minkowski
(Σ|xⱼ−qⱼ|ᵖ)^(1/p), or the cosine similarity x·q/(‖x‖‖q‖) (ranked largest first). With --normalize,
every attribute is scaled first with the training points' statistics only (min-max, or z-score with
the population σ); the query is scaled with the same statistics; a constant column scales to 0.
Distances are compared after rounding to 9 decimals; ties in distance go to the lower index; the k
nearest vote (1 each, or 1/d with --weighted: a zero distance wins outright; the similarity for
cosine); ties in votes go to the label of the nearest tied neighbour.

given = {"features": [names], "x": [[float]] (rows: training points), "labels": [str],
         "query": [float], "k": int, "metric": "euclidean"|"manhattan"|"minkowski"|"cosine",
         "p": float, "weighted": bool, "normalize": "none"|"minmax"|"zscore", "target": name}
Answers: scaled_data, scaled_query (only when normalising), distances (data order; similarities
for cosine), neighbors (1-based, nearest first), votes (keyed by label, every label of the data),
prediction.
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

T = Texts("knn")

TOLERANCE = Tolerance()
METRICS = ("euclidean", "manhattan", "minkowski", "cosine")
SCALINGS = ("none", "minmax", "zscore")
MAX_ROWS, MAX_FEATURES, MAX_MAGNITUDE = 5000, 50, 1e9
PLACES = 9  # distances are compared after rounding to 9 decimals


# --------------------------------------------------------------------------- the formulas

def column_stats(x: list[list[float]], scaling: str, sample: bool = False) -> list[tuple[float, float]]:
    """Per column (shift, spread): (min, max − min) for min-max, (mean, σ) for z-score (population σ;
    `sample` uses n − 1, the wrong method of a misconception)."""
    out = []
    n = len(x)
    for j in range(len(x[0])):
        col = [row[j] for row in x]
        if scaling == "minmax":
            out.append((min(col), max(col) - min(col)))
        else:
            mean = sum(col) / n
            ss = sum((v - mean) ** 2 for v in col)
            out.append((mean, math.sqrt(ss / (n - 1 if sample and n > 1 else n))))
    return out


def scale(row: list[float], stats: list[tuple[float, float]]) -> list[float]:
    """(v − shift)/spread per column; a constant column (spread 0) scales to 0."""
    return [0.0 if abs(spread) < 1e-12 else (v - shift) / spread + 0.0 for v, (shift, spread) in zip(row, stats)]


def distance(x: list[float], q: list[float], metric: str, p: float = 2.0, root: bool = True) -> float:
    if metric == "cosine":
        nx, nq = math.sqrt(sum(v * v for v in x)), math.sqrt(sum(v * v for v in q))
        if nx == 0 or nq == 0:
            raise ZeroDivisionError
        return sum(a * b for a, b in zip(x, q)) / (nx * nq)
    if metric == "manhattan":
        return float(sum(abs(a - b) for a, b in zip(x, q)))
    power = 2.0 if metric == "euclidean" else float(p)
    total = sum(abs(a - b) ** power for a, b in zip(x, q))
    return float(total ** (1 / power)) if root else float(total)


def ranking(distances: list[float], metric: str) -> list[int]:
    """0-based indices, nearest first (cosine: largest similarity first); ties → lower index."""
    sign = -1 if metric == "cosine" else 1
    return sorted(range(len(distances)), key=lambda i: (sign * round(distances[i], PLACES), i))


def weights_of(chosen: list[float], metric: str, weighted: bool) -> list[float]:
    """The vote of each chosen neighbour: 1, the similarity (cosine), or 1/d (a zero distance wins
    outright: zero-distance neighbours get 1, the others 0)."""
    if not weighted:
        return [1.0] * len(chosen)
    if metric == "cosine":
        return [float(s) for s in chosen]
    if any(round(dist, PLACES) == 0 for dist in chosen):
        return [1.0 if round(dist, PLACES) == 0 else 0.0 for dist in chosen]
    return [1.0 / dist for dist in chosen]


def winner(votes: dict[str, float], order: list[str]) -> str:
    """The label with most votes among the neighbours' labels (`order`, nearest first: a label no
    neighbour has cannot win, even when cosine weights are negative); a tie goes to the tied label
    met first in `order`."""
    best = max(round(votes[label], PLACES) for label in order)
    return next(label for label in order if round(votes[label], PLACES) == best)


# --------------------------------------------------------------------------- solving

def _labels(given: dict) -> list[str]:
    return list(dict.fromkeys(given["labels"]))


def _distance_line(i: int, x: list[float], q: list[float], given: dict, value: float) -> str:
    metric, p = given["metric"], given["p"]
    mark = "'" if given["normalize"] != "none" else ""
    name = f"d(x{_sub(i + 1)}{mark}, q{mark})"
    if metric == "cosine":
        dot = " + ".join(f"{fmtp(a)}·{fmtp(b)}" for a, b in zip(x, q))
        nx = "√(" + " + ".join(f"{fmtp(a)}²" for a in x) + ")"
        nq = "√(" + " + ".join(f"{fmtp(b)}²" for b in q) + ")"
        return f"s(x{_sub(i + 1)}{mark}, q{mark}) = ({dot}) / ({nx}·{nq}) = {fmt(value)}"
    if metric == "manhattan":
        return f"{name} = " + " + ".join(f"|{fmt(a)} − {fmtp(b)}|" for a, b in zip(x, q)) + f" = {fmt(value)}"
    if metric == "euclidean":
        inside = " + ".join(f"({fmt(a)} − {fmtp(b)})²" for a, b in zip(x, q))
        return f"{name} = √({inside}) = {fmt(value)}"
    inside = " + ".join(f"|{fmt(a)} − {fmtp(b)}|^{fmt(p)}" for a, b in zip(x, q))
    return f"{name} = ({inside})^(1/{fmt(p)}) = {fmt(value)}"


SUBSCRIPTS = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


def _sub(n: int) -> str:
    return str(n).translate(SUBSCRIPTS)


def solve(given: dict, override: dict[tuple, Any] | None = None) -> Solution:
    """Scaling (if asked), distances, neighbours, votes, prediction; `override` (the student's own
    values) is carried forward."""
    return _run(given, override, None)


def _run(given: dict, override: dict[tuple, Any] | None, mistake: str | None) -> Solution:
    d = Derivation(override)
    metric, k, weighted = given["metric"], given["k"], given["weighted"]
    scaling = given["normalize"] if mistake != "no_normalisation" else "none"
    x = [list(map(float, row)) for row in given["x"]]
    q = list(map(float, given["query"]))
    labels = given["labels"]
    if scaling != "none":
        stats = column_stats(x, scaling, sample=mistake == "sample_std")
        symbol = ("min", "max − min") if scaling == "minmax" else ("μ", "σ")
        lines = []
        for j, (shift, spread) in enumerate(stats):
            lines.append(f"{given['features'][j]}: {symbol[0]} = {fmt(shift)}, {symbol[1]} = {fmt(spread)}")
        d.step("statistics", T(f"title.statistics_{scaling}"), T(f"formula.statistics_{scaling}"), lines, None)
        if any(abs(spread) < 1e-12 for _, spread in stats):
            d.note(T("note.constant_column",
                     columns=[given["features"][j] for j, (_, s) in enumerate(stats) if abs(s) < 1e-12]))
        scaled = [scale(row, stats) for row in x]
        x = d.step("scaled_data", T("title.scaled_data"), T(f"formula.scaled_{scaling}"),
                   [f"x{_sub(i + 1)}' = [{', '.join(fmt(v) for v in row)}]" for i, row in enumerate(scaled)],
                   scaled, answer="scaled_data")
        x = [[float(v) for v in row] for row in x]
        if len(x) != len(labels) or any(len(row) != len(q) for row in x):
            raise ValueError(x)
        scaled_q = scale(q, stats)
        q = d.step("scaled_query", T("title.scaled_query"), T(f"formula.scaled_{scaling}"),
                   f"q' = [{', '.join(fmt(v) for v in scaled_q)}]", scaled_q, answer="scaled_query")
        q = [float(v) for v in q]
        if len(q) != len(x[0]):
            raise ValueError(q)
        d.note(T("note.query_scaled"))
    root = mistake != "no_root"
    distances = [distance(row, q, metric, given["p"], root) for row in x]
    lines = [_distance_line(i, row, q, given, dist) for i, (row, dist) in enumerate(zip(x, distances))]
    distances = d.step("distances", T(f"title.distances_{metric}"), T(f"formula.{metric}"), lines, distances,
                       answer="distances")
    distances = [float(v) for v in distances]
    if len(distances) != len(labels):
        raise ValueError(distances)
    order = ranking(distances, metric)
    if mistake == "similarity_ascending":
        order = sorted(range(len(distances)), key=lambda i: (round(distances[i], PLACES), i))
    nearest = [i + (0 if mistake == "zero_based" else 1) for i in order[:k]]
    boundary = len(order) > k and round(distances[order[k - 1]], PLACES) == round(distances[order[k]], PLACES)
    if boundary:
        d.note(T("note.boundary_tie"))
    nearest = d.step("neighbors", T("title.neighbors", k=k), T(f"formula.neighbors_{'cosine' if metric == 'cosine' else 'distance'}"),
                     "; ".join(f"#{i + 1}: {fmt(distances[i])} ({labels[i]})" for i in order[:min(len(order), k + 1)]),
                     nearest, answer="neighbors")
    first = 0 if mistake == "zero_based" else 1  # the wrong method numbers from 0, then votes alike
    chosen = [int(round(float(i))) - first for i in nearest]
    if any(not 0 <= i < len(labels) for i in chosen):
        raise ValueError(nearest)
    use_weights = weighted and mistake != "unweighted_votes"
    weights = weights_of([distances[i] for i in chosen], metric, use_weights)
    votes_raw: dict[str, float] = {label: 0.0 for label in _labels(given)}
    for i, w in zip(chosen, weights):
        votes_raw[labels[i]] += w
    counting = not use_weights
    votes_right = {label: (int(round(v)) if counting else v) for label, v in votes_raw.items()}
    if use_weights:
        zero = metric != "cosine" and any(round(distances[i], PLACES) == 0 for i in chosen)
        if zero:
            d.note(T("note.zero_distance"))
        vote_lines = [f"#{i + 1} ({labels[i]}): {fmt(w)}" + ("" if metric == "cosine" or zero else f" = 1/{fmt(distances[i])}")
                      for i, w in zip(chosen, weights)]
    else:
        vote_lines = [f"#{i + 1} ({labels[i]})" for i in chosen]
    vote_lines.append(", ".join(f"{label}: {fmt(v)}" for label, v in votes_right.items()))
    formula = "votes_counted" if not use_weights else ("votes_similarity" if metric == "cosine" else "votes_inverse")
    d.step("votes", T("title.votes"), T(f"formula.{formula}"), vote_lines, votes_right,
           also=[(("votes", label), v) for label, v in votes_right.items()])
    votes = {label: float(d.carried(("votes", label), v)) for label, v in votes_right.items()}
    nearest_labels = [labels[i] for i in chosen]
    best = max(round(v, PLACES) for v in votes.values())
    if sum(1 for v in votes.values() if round(v, PLACES) == best) > 1:
        d.note(T("note.vote_tie"))
    prediction = winner(votes, nearest_labels)
    d.step("prediction", T("title.prediction"), T("formula.prediction"),
           ", ".join(f"{label}: {fmt(v)}" for label, v in votes.items()) + f" → {prediction}", prediction,
           answer="prediction")
    return d.solution()


# --------------------------------------------------------------------------- the problem text

def statement(given: dict) -> list[Msg]:
    metric = given["metric"]
    text = [T("statement.data_one" if len(given["features"]) == 1 else "statement.data", n=len(given["x"]),
                d=len(given["features"]), target=given["target"], query=", ".join(fmt(v) for v in given["query"]),
                k=given["k"])]
    if metric == "minkowski":
        text.append(T("statement.minkowski", p=fmt(given["p"])))
    else:
        text.append(T(f"statement.{metric}"))
    if given["normalize"] != "none":
        text.append(T(f"statement.{given['normalize']}"))
    text.append(T("statement.weighted_cosine" if given["weighted"] and metric == "cosine"
                  else "statement.weighted" if given["weighted"] else "statement.majority"))
    return text


def table(given: dict) -> tuple[list, list[list[str]]]:
    headers = ["#", *given["features"], given["target"]]
    rows = [[str(i + 1), *(fmt(v) for v in row), label] for i, (row, label) in enumerate(zip(given["x"], given["labels"]))]
    rows.append(["q", *(fmt(v) for v in given["query"]), "?"])
    return headers, rows


def parts(given: dict, solution: Solution, difficulty: str) -> list[Part]:
    a = solution.answers
    metric = given["metric"]
    out: list[Part] = []
    if given["normalize"] != "none":
        if difficulty == "hard":
            out.append(Part(("scaled_data",), T("prompt.scaled_data"), "matrix", a["scaled_data"], TOLERANCE,
                            step="scaled_data"))
        out.append(Part(("scaled_query",), T("prompt.scaled_query"), "vector", a["scaled_query"], TOLERANCE,
                        step="scaled_query"))
    scaled = "_scaled" if given["normalize"] != "none" else ""
    out.append(Part(("distances",), T(f"prompt.similarities{scaled}" if metric == "cosine" else f"prompt.distances{scaled}"),
                    "vector", a["distances"], TOLERANCE, step="distances"))
    out.append(Part(("neighbors",), T("prompt.neighbors", k=given["k"]), "integer", a["neighbors"], step="neighbors"))
    kind = "number" if given["weighted"] else "integer"
    for label, value in a["votes"].items():
        out.append(Part(("votes", label), T("prompt.votes", label=label), kind, value, TOLERANCE, step="votes"))
    out.append(Part(("prediction",), T("prompt.prediction"), "choice", a["prediction"],
                    choices=tuple(_labels(given)), step="prediction"))
    return out


def _gap(values: list[float]) -> float:
    return min((abs(a - b) for i, a in enumerate(values) for b in values[i + 1:]), default=1.0)


def well_posed(problem: Any) -> None:
    """No ties among the k + 1 nearest (so the neighbour list and the cut are clear), no tie in the
    vote, 2–6 samples, 1–3 features; hard problems need their normalisation (raw data would predict
    another label)."""
    g, a, level = problem.given, problem.solution.answers, problem.difficulty
    n, k = len(g["x"]), g["k"]
    assert 2 <= n <= 6 and 1 <= len(g["features"]) <= 3 and 1 <= k < n
    dist = a["distances"]
    order = ranking(dist, g["metric"])
    assert _gap([dist[i] for i in order[:k + 1]]) >= 0.01
    votes = sorted(a["votes"].values(), reverse=True)
    assert len(votes) >= 2 and votes[0] - votes[1] >= (0.05 if g["weighted"] else 1)
    if g["metric"] == "cosine":
        assert all(s > 0 for s in dist)
    if level == "easy":
        assert g["normalize"] == "none" and not g["weighted"] and g["metric"] in ("euclidean", "manhattan")
    if level == "hard":
        assert g["normalize"] != "none"
        assert solve({**g, "normalize": "none"}).answers["prediction"] != a["prediction"]


# --------------------------------------------------------------------------- generating

LABEL_SETS = (["A", "B"], ["Yes", "No"], ["red", "blue"], ["cat", "dog"], ["good", "bad"])
LABEL_SETS3 = (["A", "B", "C"], ["red", "green", "blue"])
# Columns with mean 0 and population σ 1, so z-scores of generated data are whole numbers.
ZSCORE_PATTERNS = {4: ([-1, -1, 1, 1],), 6: ([-1, -1, -1, 1, 1, 1], [2, -1, -1, 0, 0, 0], [-2, 1, 1, 0, 0, 0])}


def _given(x, labels, query, k, metric="euclidean", p=2.0, weighted=False, normalize="none",
           features=None, target="label") -> dict:
    return {"features": features or [f"x{j + 1}" for j in range(len(query))], "x": x, "labels": labels,
            "query": query, "k": k, "metric": metric, "p": float(p), "weighted": weighted,
            "normalize": normalize, "target": target}


def _ok(given: dict, level: str) -> bool:
    return passes(given, level, solve, well_posed)


def _easy(rng: random.Random) -> dict:
    for _ in attempts():
        n = rng.randint(3, 5)
        dims = rng.choice((1, 2, 2))
        labels_set = rng.choice(LABEL_SETS)
        x = [[rng.randint(0, 8) for _ in range(dims)] for _ in range(n)]
        labels = [rng.choice(labels_set) for _ in range(n)]
        query = [rng.randint(1, 7) for _ in range(dims)]
        k = rng.choice((1, 3)) if n > 3 else rng.choice((1, 1, 3)) if n > 3 else 1
        given = _given([[float(v) for v in r] for r in x], labels, [float(v) for v in query], k,
                       rng.choice(("euclidean", "manhattan")))
        if len(set(labels)) == 2 and len({tuple(r) for r in x}) == n and _ok(given, "easy"):
            return given


def _medium(rng: random.Random) -> dict:
    for _ in attempts():
        n = rng.randint(4, 6)
        dims = rng.choice((2, 2, 3))
        metric = rng.choice(("euclidean", "manhattan", "minkowski", "cosine", "cosine"))
        labels_set = rng.choice(LABEL_SETS + LABEL_SETS3 if n >= 5 else LABEL_SETS)
        low = 1 if metric == "cosine" else 0
        x = [[float(rng.randint(low, 9)) for _ in range(dims)] for _ in range(n)]
        labels = [rng.choice(labels_set) for _ in range(n)]
        query = [float(rng.randint(low, 9)) for _ in range(dims)]
        k = rng.choice([v for v in (3, 5) if v < n] or [3])
        weighted = rng.random() < 0.4
        given = _given(x, labels, query, k, metric, 3.0 if metric == "minkowski" else 2.0, weighted)
        if len(set(labels)) >= 2 and _ok(given, "medium"):
            return given


def _hard(rng: random.Random) -> dict:
    scaling = rng.choice(("minmax", "minmax", "zscore"))  # chosen once, so retries do not favour min-max
    for _ in attempts():
        n = rng.choice((4, 6, 6)) if scaling == "zscore" else rng.randint(4, 6)
        dims = 2
        cols, query = [], []
        for j in range(dims):
            big = j == 1
            if scaling == "zscore":
                mean = rng.choice((100, 150, 200, 500)) if big else rng.randint(4, 8)
                sigma = rng.choice((20, 40)) if big else 2
                pattern = list(rng.choice(ZSCORE_PATTERNS[n]))
                rng.shuffle(pattern)
                cols.append([float(mean + sigma * z) for z in pattern])
                grid = (-1.25, -0.75, -0.5, -0.25, 0.25, 0.5, 0.75, 1.25) if big else (-1.5, -0.5, 0.5, 1.5)
                query.append(float(mean + sigma * rng.choice(grid)))
            else:
                span = rng.choice((100, 200, 50)) if big else rng.choice((2, 4, 5, 10))
                base = rng.choice((100, 200, 1000)) if big else rng.randint(0, 3)
                step = span // 10 if big else 1 if span <= 5 else 2
                values = [base, base + span] + [base + step * rng.randint(0, span // step) for _ in range(n - 2)]
                rng.shuffle(values)
                cols.append([float(v) for v in values])
                query.append(float(base + step * rng.randint(1, span // step - 1)))
        x = [[cols[j][i] for j in range(dims)] for i in range(n)]
        labels_set = rng.choice(LABEL_SETS)
        labels = [rng.choice(labels_set) for _ in range(n)]
        metric = rng.choice(("euclidean", "euclidean", "manhattan"))
        k = rng.choice([v for v in (1, 3, 3) if v < n])
        weighted = k > 1 and rng.random() < 0.3
        given = _given(x, labels, query, k, metric, 2.0, weighted, scaling)
        if len(set(labels)) == 2 and len({tuple(r) for r in x}) == n and _ok(given, "hard"):
            return given


def generate(rng: random.Random, difficulty: str) -> dict:
    return {"easy": _easy, "medium": _medium, "hard": _hard}[difficulty](rng)


# --------------------------------------------------------------------------- the user's data

def parse_data(values: dict) -> dict:
    """--data "x1,…,xd,label; …" (or a CSV file, a header row allowed; --target names the label
    column, default the last) --query "x1,…,xd" --k --metric --p --weighted --normalize."""
    data = values["data"]
    text = data.text.replace("\r\n", "\n").replace("\n", ";") if data.path else data.text
    if text.count(";") + text.count("；") > MAX_ROWS + 1 or text.count(",") + text.count("，") > 20_000:
        raise UserError(T("error.too_big", rows=MAX_ROWS, features=MAX_FEATURES))
    rows = split_rows(text, data.origin)
    width = len(rows[0])
    if width < 2:
        raise UserError(T("error.too_narrow", source=data.origin))
    if width - 1 > MAX_FEATURES or len(rows) > MAX_ROWS + 1:
        raise UserError(T("error.too_big", rows=MAX_ROWS, features=MAX_FEATURES))
    for i, row in enumerate(rows, start=1):
        if len(row) != width:
            raise UserError(T("error.ragged", source=data.origin, row=i, cells=len(row), width=width))
    target = values.get("target")
    header = None
    t = width - 1
    first_features = [c for j, c in enumerate(rows[0]) if j != t]
    if target is not None or not all(is_number(c) for c in first_features):
        header = rows[0]
        if target is not None:
            matches = [j for j, c in enumerate(header) if c.lower() == target.strip().lower()]
            if not matches:
                raise UserError(T("error.no_column", source=data.origin, column=short(target),
                                  columns=short(", ".join(header), 200)))
            t = matches[0]
        rows = rows[1:]
        if not rows:
            raise UserError(T("error.no_rows", source=data.origin))
    x, labels = [], []
    for i, row in enumerate(rows, start=1):
        cells = []
        for j, cell in enumerate(row):
            if j == t:
                continue
            try:
                value = parse_number(cell)
            except AnswerError as exc:
                raise UserError(T("error.cell", source=data.origin, row=i, cell=short(cell),
                                  reason=exc.message)) from None
            if not math.isfinite(value) or abs(value) > MAX_MAGNITUDE:
                raise UserError(T("error.magnitude", source=data.origin, row=i, limit=fmt(MAX_MAGNITUDE)))
            cells.append(float(value))
        if not row[t]:
            raise UserError(T("error.no_label", source=data.origin, row=i))
        x.append(cells)
        labels.append(row[t])
    features = [c for j, c in enumerate(header) if j != t] if header else [f"x{j + 1}" for j in range(width - 1)]
    query = values["query"]
    if len(query) != width - 1:
        raise UserError(T("error.query_length", given=len(query), expected=width - 1))
    if not all(math.isfinite(v) and abs(v) <= MAX_MAGNITUDE for v in query):
        raise UserError(T("error.query_magnitude", limit=fmt(MAX_MAGNITUDE)))
    k = values["k"]
    if k > len(x):
        raise UserError(T("error.k_too_large", k=k, n=len(x)))
    metric = values["metric"]
    if metric == "cosine":
        if not any(query) or any(not any(row) for row in x):
            raise UserError(T("error.zero_vector"))
    given = _given(x, labels, [float(v) for v in query], int(k), metric, float(values["p"]),
                   bool(values["weighted"]), values["normalize"],
                   features, header[t] if header else "label")
    if metric == "cosine" and given["normalize"] != "none":
        try:
            solve(given)
        except ZeroDivisionError:
            raise UserError(T("error.zero_vector")) from None
    return given


def as_options(given: dict) -> dict[str, Any]:
    """The `solve knn` options that pose this problem again (a header row when the columns are named)."""
    rows = [",".join([*(repr(v) for v in row), label]) for row, label in zip(given["x"], given["labels"])]
    default_names = given["features"] == [f"x{j + 1}" for j in range(len(given["query"]))] and given["target"] == "label"
    if not default_names:
        rows.insert(0, ",".join([*given["features"], given["target"]]))
    return {"data": "; ".join(rows), "query": ",".join(repr(v) for v in given["query"]), "k": str(given["k"]),
            "metric": given["metric"], "p": repr(given["p"]), "weighted": bool(given["weighted"]),
            "normalize": given["normalize"], "target": None if default_names else given["target"]}


def from_bank(entry: dict) -> dict:
    """One bank.toml entry: `data` and `query` spelled like the options, and k, metric, p,
    weighted, normalize. A malformed entry is a bug in the shipped data: ValueError."""
    from mlquiz.options import DataText
    where = f"knn/bank.toml [{entry.get('id')}]"
    if not isinstance(entry.get("data"), str) or not isinstance(entry.get("query"), list):
        raise ValueError(f"{where}: data = '…', query = [...]")
    values = {"data": DataText(entry["data"]), "query": [float(v) for v in entry["query"]],
              "k": int(entry.get("k", 3)), "metric": entry.get("metric", "euclidean"),
              "p": float(entry.get("p", 2)), "weighted": bool(entry.get("weighted", False)),
              "normalize": entry.get("normalize", "none"), "target": entry.get("target")}
    try:
        return parse_data(values)
    except UserError as exc:
        raise ValueError(f"{where}: {exc}") from None


# --------------------------------------------------------------------------- misconceptions
# Each returns the value the wrong method gives at the checkpoint `path` (ids and applies_to in
# problems/knn/misconceptions.toml, texts in text.<lang>.toml): the whole run is redone with the
# mistake, carrying the student's own earlier values forward like the right derivation does.

def _applies(given: dict, mistake: str) -> bool:
    if mistake == "no_normalisation":
        return given["normalize"] != "none"
    if mistake == "sample_std":
        return given["normalize"] == "zscore" and len(given["x"]) > 1
    if mistake == "no_root":
        return given["metric"] in ("euclidean", "minkowski")
    if mistake == "similarity_ascending":
        return given["metric"] == "cosine"
    if mistake == "unweighted_votes":
        return bool(given["weighted"])
    return True


def _variant(mistake: str):
    def variant(given: dict, path: tuple, student: Any, override: dict) -> Any:
        if not _applies(given, mistake):
            return None
        answers = _run(given, override, mistake).answers
        if path[0] not in answers:
            return None
        return answer_at(answers, path)
    return variant


VARIANTS = {mistake: _variant(mistake) for mistake in
            ("no_normalisation", "sample_std", "no_root", "zero_based", "similarity_ascending", "unweighted_votes")}
