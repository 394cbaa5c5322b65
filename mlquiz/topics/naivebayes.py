"""Naive Bayes on a categorical table.

P(C|x) ∝ P(C)·Π_j P(x_j|C); priors P(C) = count(C)/N (never smoothed);
likelihoods P(x_j=v|C) = (count(v,C) + α)/(count(C) + α·K_j), K_j = the number of distinct values of
attribute j in the whole training table, plus one if the query's value is unseen there
(α = 1: Laplace smoothing; α = 0: plain counting); score(C) = P(C)·Π_j P(x_j|C);
posterior P(C|x) = score(C)/Σ score; the prediction is the class of the largest posterior.
With α = 0 a value never seen with a class makes its score 0 (the zero-count problem); if every
score is 0 the posteriors and the prediction are undefined (None).

given = {
    "columns": [header], "target": the class column, "rows": [[cell, …], …] (values as in the data,
    spellings that differ only in case folded to the first one seen),
    "query": [[attribute, value], …] (query order; names as in the data, an unseen value as typed),
    "alpha": the pseudo-count,
}
Answers (dicts keyed by class, classes in order of first appearance): priors[C], likelihoods[C]
(one value per query attribute, in query order), scores[C], posteriors[C], prediction.
Step ids: class_counts, prior/<class>, likelihood/<class>, score/<class>, posterior/<class> (posterior when
every score is 0), prediction.
"""

from __future__ import annotations

import csv
import io
import math
import random
from typing import Any

from mlquiz.derivation import Derivation
from mlquiz.errors import UserError, short
from mlquiz.model import Part, Solution, Tolerance
from mlquiz.text import Msg, Texts
from mlquiz.topics.common import attempts, fmt, split_rows

T = Texts("naivebayes")

# Scores are small products (0.005 is common): the core's absolute allowance (0.0015) would excuse a
# wrong method, so this one is relative. 1.5 % leaves room for a product of three or four factors each
# rounded to three figures; the wrong methods move a value by far more (+1 for +K: 10 % or more).
TOLERANCE = Tolerance(relative=0.015, absolute=2e-5)
MAX_ROWS = 100_000
MAX_VALUES = 50
TIE = 1e-12

THEMES = [
    {"target": "Play", "classes": ["Yes", "No"], "classes3": ["Yes", "No", "Maybe"],
     "attributes": {"Outlook": ["Sunny", "Overcast", "Rain"], "Temperature": ["Hot", "Mild", "Cool"],
                    "Humidity": ["High", "Normal"], "Wind": ["Weak", "Strong"]}},
    {"target": "Buys", "classes": ["Yes", "No"], "classes3": ["Yes", "No", "Later"],
     "attributes": {"Age": ["Young", "Middle", "Senior"], "Income": ["High", "Medium", "Low"],
                    "Student": ["Yes", "No"], "Credit": ["Fair", "Excellent"]}},
    {"target": "Mail", "classes": ["Spam", "Ham"], "classes3": ["Spam", "Ham", "Promo"],
     "attributes": {"Link": ["Yes", "No"], "Sender": ["Known", "Unknown"], "Length": ["Short", "Medium", "Long"],
                    "Caps": ["Many", "Few"]}},
    {"target": "Loan", "classes": ["Approve", "Reject"], "classes3": ["Approve", "Review", "Reject"],
     "attributes": {"Job": ["Stable", "Temporary"], "House": ["Own", "Rent", "Family"],
                    "Debt": ["Low", "High"], "Married": ["Yes", "No"]}},
    {"target": "Fruit", "classes": ["Ripe", "Unripe"], "classes3": ["Ripe", "Unripe", "Rotten"],
     "attributes": {"Colour": ["Red", "Green", "Brown"], "Firm": ["Hard", "Soft"], "Smell": ["Sweet", "Sour"],
                    "Size": ["Small", "Large"]}},
]


# --------------------------------------------------------------------------- counting

def classes_of(given: dict) -> list[str]:
    t = given["columns"].index(given["target"])
    return list(dict.fromkeys(row[t] for row in given["rows"]))


def _counts(given: dict) -> dict:
    """Class counts, and per query attribute: K_j, whether the value is unseen, count(v, C)."""
    columns, rows = given["columns"], given["rows"]
    t = columns.index(given["target"])
    classes = classes_of(given)
    class_count = {c: sum(1 for row in rows if row[t] == c) for c in classes}
    attributes = []
    for name, value in given["query"]:
        j = columns.index(name)
        values = {row[j] for row in rows}
        unseen = value not in values
        attributes.append({"name": name, "value": value, "k": len(values) + (1 if unseen else 0), "unseen": unseen,
                           "count": {c: sum(1 for row in rows if row[j] == value and row[t] == c) for c in classes}})
    return {"classes": classes, "n": len(rows), "class_count": class_count, "attributes": attributes}


def compute(given: dict, *, denominator: str = "k", alpha: float | None = None, smooth_prior: bool = False,
            use_prior: bool = True) -> dict:
    """The whole computation as plain numbers (also with a wrong method, for the misconceptions).

    denominator: "k" count(C) + α·K_j (right), "one" count(C) + α (the notes' erratum),
    "n" N + α·K_j (a joint instead of a conditional frequency)."""
    c = _counts(given)
    a = given["alpha"] if alpha is None else alpha
    n, classes = c["n"], c["classes"]
    priors = {k: (c["class_count"][k] + a) / (n + a * len(classes)) if smooth_prior else c["class_count"][k] / n
              for k in classes}
    likelihoods = {}
    for k in classes:
        row = []
        for att in c["attributes"]:
            base = {"k": c["class_count"][k] + a * att["k"], "one": c["class_count"][k] + a,
                    "n": n + a * att["k"]}[denominator]
            row.append((att["count"][k] + a) / base)
        likelihoods[k] = row
    scores = {k: (priors[k] if use_prior else 1.0) * math.prod(likelihoods[k]) for k in classes}
    total = sum(scores.values())
    posteriors = {k: scores[k] / total for k in classes} if total > 0 else None
    return {"priors": priors, "likelihoods": likelihoods, "scores": scores, "posteriors": posteriors}


def _argmax(values: dict) -> tuple[str, list[str]]:
    best = max(values.values())
    tied = [k for k, v in values.items() if abs(v - best) <= TIE * max(1.0, abs(best))]
    return tied[0], tied


# --------------------------------------------------------------------------- solving

def _q(att: dict) -> str:
    return f"{att['name']}={att['value']}"


def solve(given: dict, override: dict[tuple, Any] | None = None) -> Solution:
    """All quantities in derivation order; `override` (a student's own values) is carried forward."""
    d = Derivation(override)
    c = _counts(given)
    alpha, n, classes = given["alpha"], c["n"], c["classes"]
    right = compute(given)
    d.step("class_counts", T("title.class_counts"), T("formula.class_counts"),
           ", ".join(f"n({k}) = {c['class_count'][k]}" for k in classes) + f"; N = {n}",
           dict(c["class_count"]))

    priors = {}
    for k in classes:
        priors[k] = d.step(f"prior/{k}", T("title.prior", cls=k), T("formula.prior"),
                           f"P({k}) = {c['class_count'][k]}/{n} = {fmt(right['priors'][k])}", right["priors"][k],
                           answer=("priors", k))
    if alpha > 0:
        d.note(T("note.prior_unsmoothed"))

    likelihoods = {}
    for k in classes:
        lines = []
        for att, value in zip(c["attributes"], right["likelihoods"][k]):
            count, size = att["count"][k], c["class_count"][k]
            if alpha:
                a = fmt(alpha)
                lines.append(f"P({_q(att)} | {k}) = ({count} + {a})/({size} + {a}·{att['k']}) = {fmt(value)}")
            else:
                lines.append(f"P({_q(att)} | {k}) = {count}/{size} = {fmt(value)}")
        likelihoods[k] = d.step(f"likelihood/{k}", T("title.likelihood", cls=k),
                                T("formula.likelihood") if alpha else T("formula.likelihood_plain"),
                                lines, list(right["likelihoods"][k]), answer=("likelihoods", k))
    for att in c["attributes"]:
        if att["unseen"]:
            d.note(T("note.unseen", attribute=att["name"], value=att["value"], k=att["k"]))
    if alpha > 0:
        d.note(T("note.laplace_k"))
    zero = [f"{_q(att)} | {k}" for k in classes for att in c["attributes"] if att["count"][k] == 0]
    if alpha == 0 and zero:
        d.note(T("note.zero_count", pairs=zero))

    # From here on every value is computed from the carried values (the student's own, when checking).
    scores = {}
    for k in classes:
        value = priors[k] * math.prod(likelihoods[k])
        scores[k] = d.step(f"score/{k}", T("title.score", cls=k), T("formula.score"),
                           T("line.score", cls=k, value=fmt(value),
                             product="·".join(fmt(v) for v in [priors[k], *likelihoods[k]])),
                           value, answer=("scores", k))

    if right["posteriors"] is None:  # every right score is 0: posteriors and prediction are undefined
        d.step("posterior", T("title.posteriors"), T("formula.posterior"), T("line.all_zero"), None,
               answer="posteriors")
        d.note(T("note.all_zero"))
        d.step("prediction", T("title.prediction"), T("formula.prediction"), T("line.undefined"), None,
               answer="prediction")
        return d.solution()
    total = sum(scores.values())
    posteriors: dict[str, Any] = {}
    for k in classes:
        if total != 0:
            value = scores[k] / total
            line: Any = f"P({k} | x) = {fmt(scores[k])}/{fmt(total)} = {fmt(value)}"
        else:  # the student's own scores are all 0: nothing to normalise
            value, line = None, T("line.all_zero")
        posteriors[k] = d.step(f"posterior/{k}", T("title.posterior", cls=k), T("formula.posterior"), line, value,
                               answer=("posteriors", k))
    if any(v is None for v in posteriors.values()):
        d.step("prediction", T("title.prediction"), T("formula.prediction"), T("line.undefined"), None,
               answer="prediction")
        return d.solution()
    best, tied = _argmax(posteriors)
    if len(tied) > 1:
        d.note(T("note.tie", tied=tied))
    d.step("prediction", T("title.prediction"), T("formula.prediction"),
           ", ".join(f"P({k} | x) = {fmt(v)}" for k, v in posteriors.items()) + f" → {best}", best,
           answer="prediction")
    return d.solution()


# --------------------------------------------------------------------------- the problem text

def _query_text(given: dict) -> list[str]:
    return [f"{name} = {value}" for name, value in given["query"]]


def statement(given: dict) -> list[Msg]:
    classes = classes_of(given)
    text = [T("statement.table", n=len(given["rows"]), target=given["target"], classes=classes),
            T("statement.query", query=_query_text(given))]
    text.append(T("statement.laplace", alpha=given["alpha"]) if given["alpha"] > 0 else T("statement.plain"))
    text.append(T("statement.ask"))
    return text


def table(given: dict) -> tuple[list, list[list[str]]]:
    return list(given["columns"]), [list(map(str, row)) for row in given["rows"]]


def parts(given: dict, solution: Solution, difficulty: str) -> list[Part]:
    a = solution.answers
    classes = classes_of(given)
    out = [Part(("priors", k), T("prompt.prior", cls=k), "number", a["priors"][k], TOLERANCE, step=f"prior/{k}")
           for k in classes]
    out += [Part(("likelihoods", k), T("prompt.likelihoods", cls=k, query=", ".join(
                 f"P({name}={value} | {k})" for name, value in given["query"])),
                 "vector", a["likelihoods"][k], TOLERANCE, step=f"likelihood/{k}") for k in classes]
    out += [Part(("scores", k), T("prompt.score", cls=k), "number", a["scores"][k], TOLERANCE, step=f"score/{k}")
            for k in classes]
    if a["posteriors"] is not None:
        out += [Part(("posteriors", k), T("prompt.posterior", cls=k), "number", a["posteriors"][k], TOLERANCE,
                     step=f"posterior/{k}") for k in classes]
        out.append(Part(("prediction",), T("prompt.prediction"), "choice", a["prediction"], choices=tuple(classes),
                        step="prediction"))
    return out


# rows (fewest, most), attributes (medium: 2 or 3), α; easy likelihoods are fractions over class counts ≤ 6
LEVELS = {"easy": (6, 8, 2, 0), "medium": (8, 10, 3, 1), "hard": (10, 12, 3, 1)}


def well_posed(problem: Any) -> None:
    """Every class has ≥ 2 samples and every attribute ≥ 2 values; no tie for the prediction; easy: plain
    counting with no zero count; hard: smoothing rescues a zero count."""
    g, a, level = problem.given, problem.solution.answers, problem.difficulty
    c = _counts(g)
    assert all(v >= 2 for v in c["class_count"].values()) and len(c["classes"]) >= 2
    for name, _ in g["query"]:
        j = g["columns"].index(name)
        assert len({row[j] for row in g["rows"]}) >= 2
    assert a["posteriors"] is not None
    top = sorted(a["posteriors"].values(), reverse=True)
    assert top[0] - top[1] >= 0.05
    zeros = [att["count"][k] == 0 for att in c["attributes"] for k in c["classes"]]
    if level in LEVELS:
        low, high, _, alpha = LEVELS[level]
        assert low <= len(g["rows"]) <= high and g["alpha"] == alpha
    if level == "easy":
        assert not any(zeros) and all(v > 0 for v in a["scores"].values())
        assert max(c["class_count"].values()) <= 6
    if level == "hard":
        assert any(zeros)


# --------------------------------------------------------------------------- generating

def generate(rng: random.Random, difficulty: str) -> dict:
    low, high, n_attributes, alpha = LEVELS[difficulty]
    for _ in attempts():
        theme = rng.choice(THEMES)
        three = difficulty == "hard" and rng.random() < 0.5
        classes = theme["classes3"] if three else theme["classes"]
        names = rng.sample(list(theme["attributes"]), n_attributes if difficulty != "medium" else rng.choice((2, 3)))
        n_rows = rng.randint(low, high)
        # Each class leans towards one value of each attribute, so the table is not pure noise.
        leaning = {(k, a): rng.choice(theme["attributes"][a]) for k in classes for a in names}
        rows = []
        for _ in range(n_rows):
            k = rng.choice(classes)
            row = [leaning[(k, a)] if rng.random() < 0.5 else rng.choice(theme["attributes"][a]) for a in names]
            rows.append(row + [k])
        query = [[a, rng.choice(theme["attributes"][a])] for a in names]
        given = {"columns": names + [theme["target"]], "target": theme["target"], "rows": rows,
                 "query": query, "alpha": alpha}
        if _acceptable(given, difficulty, len(classes)):
            return given


def _acceptable(given: dict, difficulty: str, n_classes: int) -> bool:
    c = _counts(given)
    if len(c["classes"]) != n_classes or min(c["class_count"].values()) < 2:
        return False
    for name, _ in given["query"]:
        j = given["columns"].index(name)
        if len({row[j] for row in given["rows"]}) < 2:
            return False
    if any(att["unseen"] for att in c["attributes"]):
        return False
    zeros = any(att["count"][k] == 0 for att in c["attributes"] for k in c["classes"])
    if (difficulty == "easy" and zeros) or (difficulty == "hard" and not zeros):
        return False
    if difficulty == "easy" and max(c["class_count"].values()) > 6:
        return False
    right = compute(given)
    if right["posteriors"] is None:
        return False
    top = sorted(right["posteriors"].values(), reverse=True)
    return top[0] - top[1] >= 0.05


# --------------------------------------------------------------------------- reading the user's data

def _fold(text: str) -> str:
    return text.casefold()


def from_table(columns: list[str], rows: list[list[str]], target: str | None, query: str, alpha: float,
               source: str = "--data") -> dict:
    """A table (header + rows of cells), its class column and a query `A=v,B=w` → given."""
    if len(columns) < 2:
        raise UserError(T("error.one_column", source=source))
    folded = [_fold(c) for c in columns]
    if len(set(folded)) != len(folded):
        raise UserError(T("error.duplicate_column", source=source))
    if target is None or not target.strip():
        t = len(columns) - 1
    else:
        if _fold(target.strip()) not in folded:
            raise UserError(T("error.no_column", source=source, column=short(target),
                              columns=short(", ".join(columns), 200)))
        t = folded.index(_fold(target.strip()))
    clean = []
    for line, row in enumerate(rows, start=2):
        if len(row) != len(columns):
            raise UserError(T("error.row_length", source=source, line=line, cells=len(row), header=len(columns)))
        if any(not cell for cell in row):
            raise UserError(T("error.empty_cell", source=source, line=line))
        clean.append(list(row))
    # Values that differ only in case are one value, printed as first seen.
    for j in range(len(columns)):
        if j == t:
            continue
        first: dict[str, str] = {}
        for row in clean:
            row[j] = first.setdefault(_fold(row[j]), row[j])
        if len(first) > MAX_VALUES:
            raise UserError(T("error.too_many_values", column=short(columns[j]), count=len(first), limit=MAX_VALUES))
    classes = list(dict.fromkeys(row[t] for row in clean))
    if len(classes) > MAX_VALUES:
        raise UserError(T("error.too_many_classes", column=short(columns[t]), count=len(classes), limit=MAX_VALUES))
    pairs = _parse_query(query, columns, t, clean)
    return {"columns": list(columns), "target": columns[t], "rows": clean, "query": pairs, "alpha": alpha}


def _parse_query(query: str, columns: list[str], t: int, rows: list[list[str]]) -> list[list[str]]:
    folded = [_fold(c) for c in columns]
    pairs: list[list[str]] = []
    items = [item.strip() for item in query.replace("，", ",").split(",") if item.strip()]
    if not items:
        raise UserError(T("error.query_form", query=short(query)))
    for item in items:
        name, sep, value = item.partition("=")
        name, value = name.strip(), value.strip()
        if not sep or not name or not value:
            raise UserError(T("error.query_form", query=short(item)))
        if _fold(name) not in folded:
            raise UserError(T("error.query_attribute", name=short(name),
                              columns=short(", ".join(c for i, c in enumerate(columns) if i != t), 200)))
        j = folded.index(_fold(name))
        if j == t:
            raise UserError(T("error.query_target", name=short(name)))
        if any(p[0] == columns[j] for p in pairs):
            raise UserError(T("error.query_twice", name=columns[j]))
        known = {_fold(row[j]): row[j] for row in rows}
        pairs.append([columns[j], known.get(_fold(value), value)])
    return pairs


def _read_rows(data: Any) -> tuple[list[str], list[list[str]]]:
    text, source = data.text, data.origin
    if data.path or "\n" in text.strip():
        try:
            table_rows = [[c.strip() for c in row] for row in csv.reader(io.StringIO(text.lstrip("\ufeff")))
                          if any(c.strip() for c in row)]
        except csv.Error as exc:
            raise UserError(T("error.csv_unreadable", source=source, reason=str(exc))) from None
    else:
        table_rows = split_rows(text, "--data")
    if len(table_rows) < 2:
        raise UserError(T("error.short", source=source))
    if len(table_rows) - 1 > MAX_ROWS:
        raise UserError(T("error.long", source=source, rows=len(table_rows) - 1, limit=MAX_ROWS))
    return table_rows[0], table_rows[1:]


def parse_data(values: dict) -> dict:
    """--data (inline `"A,B,Class; a1,b1,c1; …"` with a header first, or a CSV file), --target (default: the
    last column), --query `"A=a1,B=b2"`, --alpha."""
    data = values["data"]
    columns, rows = _read_rows(data)
    return from_table(columns, rows, values.get("target"), values["query"], float(values["alpha"]), data.origin)


def as_options(given: dict) -> dict[str, str]:
    """The `solve naivebayes` options that pose this problem again: the table as CSV text."""
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([given["columns"], *given["rows"]])
    return {"data": out.getvalue(), "target": given["target"],
            "query": ",".join(f"{name}={value}" for name, value in given["query"]), "alpha": repr(given["alpha"])}


def from_bank(entry: dict) -> dict:
    query = ",".join(f"{name}={value}" for name, value in entry["query"].items()) \
        if isinstance(entry["query"], dict) else entry["query"]
    return from_table(list(entry["columns"]), [list(r) for r in entry["rows"]], entry.get("target"), query,
                      float(entry.get("alpha", 1)), "bank.toml")


# --------------------------------------------------------------------------- misconceptions
# Each returns the value the wrong method gives at the checkpoint `path` (texts in
# problems/naivebayes/text.<lang>.toml, applies_to in misconceptions.toml).

def _at(answers: dict, path: tuple) -> Any:
    value = answers[path[0]]
    return None if value is None else value[path[1]]


def _smoothing_only(make):
    """A wrong method that only exists when there is smoothing to get wrong (α > 0)."""
    def variant(given, path, student, override):
        if given["alpha"] <= 0:
            return None
        return _at(make(given), path)
    return variant


def _unnormalised(given, path, student, override):
    """Posteriors reported as the raw scores (the student's own scores when they wrote them)."""
    if path[0] != "posteriors":
        return None
    own = override.get(("scores", path[1]))
    return own if own is not None else compute(given)["scores"][path[1]]


VARIANTS = {
    "laplace_plus_one": _smoothing_only(lambda g: compute(g, denominator="one")),
    "no_smoothing": _smoothing_only(lambda g: compute(g, alpha=0.0)),
    "smoothed_prior": _smoothing_only(lambda g: compute(g, smooth_prior=True)),
    "joint_frequency": lambda given, path, student, override: _at(compute(given, denominator="n"), path),
    "no_prior": lambda given, path, student, override: _at(compute(given, use_prior=False), path),
    "unnormalised": _unnormalised,
}
