"""Entropy, information gain (ID3), Gini and gain ratio.

H(D) = −Σ pₖ·log pₖ (base 2 unless asked; 0·log 0 = 0); H(D|A) = Σ |Dᵢ|/|D|·H(Dᵢ);
IG(A) = H(D) − H(D|A); Gini(D) = 1 − Σ pₖ²; Gini(D|A) = Σ |Dᵢ|/|D|·Gini(Dᵢ);
SplitInfo(A) = −Σ |Dᵢ|/|D|·log(|Dᵢ|/|D|); GainRatio(A) = IG(A)/SplitInfo(A).

given = {
    "classes": [class names], "target": name of the class column,
    "attributes": [{"name", "values": [...], "counts": [[count per class] per value]}],
    "base": "2" | "e" | "10",
    "columns"/"rows": the raw table when the problem is a table (shown, not needed to solve),
}
With one attribute the answers are numbers; with several, per-attribute answers are dicts keyed by
attribute name, addressed as `information_gain[Outlook]`.
"""

from __future__ import annotations

import csv
import io
import math
import random
from collections import Counter
from typing import Any

from mlquiz.derivation import Derivation
from mlquiz.errors import UserError, short
from mlquiz.model import Part, Solution, answer_at
from mlquiz.text import Msg, Texts
from mlquiz.topics.common import attempts, fmt, frac, split_rows

T = Texts("entropy")

LOG_NAMES = {"2": "log₂", "e": "ln", "10": "log₁₀"}
BASE_KEYS = {"2": "two", "e": "e", "10": "ten"}
BASES = {"2": 2.0, "e": math.e, "10": 10.0}

# Themes for generated tables: attribute → values, and the class column with its labels.
TABLE_THEMES = [
    {"target": "Play", "classes": ["Yes", "No"], "classes3": ["Yes", "No", "Maybe"],
     "attributes": {"Outlook": ["Sunny", "Overcast", "Rain"], "Temperature": ["Hot", "Mild", "Cool"],
                    "Humidity": ["High", "Normal"], "Wind": ["Weak", "Strong"]}},
    {"target": "Buys", "classes": ["Yes", "No"], "classes3": ["Yes", "No", "Later"],
     "attributes": {"Age": ["Young", "Middle", "Senior"], "Income": ["High", "Medium", "Low"],
                    "Student": ["Yes", "No"], "Credit": ["Fair", "Excellent"]}},
    {"target": "Grade", "classes": ["Pass", "Fail"], "classes3": ["A", "B", "C"],
     "attributes": {"Attendance": ["High", "Low"], "Homework": ["Done", "Partial", "None"],
                    "Sleep": ["Enough", "Short"], "Group": ["Alone", "Pair", "Team"]}},
    {"target": "Loan", "classes": ["Approve", "Reject"], "classes3": ["Approve", "Review", "Reject"],
     "attributes": {"Job": ["Stable", "Temporary"], "House": ["Own", "Rent", "None"],
                    "Debt": ["Low", "High"], "Married": ["Yes", "No"]}},
]
PAIR_THEMES = [
    ("Education", ["high", "low"], ["high income", "low income"]),
    ("Weather", ["sunny", "rainy"], ["play", "stay in"]),
    ("Spam word", ["present", "absent"], ["spam", "ham"]),
    ("Smoker", ["yes", "no"], ["ill", "healthy"]),
    ("Colour", ["red", "green"], ["ripe", "unripe"]),
]
EASY_BRANCH_SIZES = (2, 3, 4, 5, 6, 8)
MAX_VALUES = 50  # distinct values of one attribute (branches) and of the class column


# --------------------------------------------------------------------------- the formulas

def _log(x: float, base: str) -> float:
    return math.log(x) / math.log(BASES[base])


def entropy_of(counts: list[int], base: str = "2") -> float:
    """H = −Σ (c/n)·log(c/n) over the non-zero counts."""
    n = sum(counts)
    return -sum(c / n * _log(c / n, base) for c in counts if c) + 0.0


def gini_of(counts: list[int]) -> float:
    """Gini = 1 − Σ (c/n)²."""
    n = sum(counts)
    return 1.0 - sum((c / n) ** 2 for c in counts)


def _entropy_terms(counts: list[int], base: str) -> str:
    n = sum(counts)
    log = LOG_NAMES[base]
    terms = [f"({frac(c, n)})·{log}({frac(c, n)})" for c in counts if c]
    if len(terms) == 1:
        return f"−1·{log}(1)"
    return "−" + " − ".join(terms)


def _gini_terms(counts: list[int]) -> str:
    n = sum(counts)
    return "1 − " + " − ".join(f"({frac(c, n)})²" for c in counts)


# --------------------------------------------------------------------------- solving

def _single(given: dict) -> bool:
    return len(given["attributes"]) == 1


def _path(given: dict, name: str, attribute: str) -> tuple:
    return (name,) if _single(given) else (name, attribute)


def solve(given: dict, override: dict[tuple, Any] | None = None) -> Solution:
    """All quantities in derivation order; `override` (a student's own values) is carried forward."""
    d = Derivation(override)
    base = given.get("base", "2")
    log = LOG_NAMES[base]
    classes = given["classes"]
    attributes = given["attributes"]
    totals = [sum(row[k] for row in attributes[0]["counts"]) for k in range(len(classes))]
    n = sum(totals)
    d.step("class_counts", T("title.class_counts"), T("formula.class_counts"),
           ", ".join(f"{c}: {t}" for c, t in zip(classes, totals)) + f"; |D| = {n}", dict(zip(classes, totals)))
    h_d = d.step("entropy", T("title.entropy"), T("formula.entropy", log=log), _entropy_terms(totals, base),
                 entropy_of(totals, base), answer="entropy")
    if 0 in totals:
        d.note(T("note.zero_log"))
    extended = given.get("extended", True)
    if extended:
        d.step("gini", T("title.gini"), T("formula.gini"), _gini_terms(totals), gini_of(totals), answer="gini")

    gains: dict[str, float] = {}
    for attribute in attributes:
        name, counts, labels = attribute["name"], attribute["counts"], attribute["values"]
        sizes = [sum(row) for row in counts]
        branch_h = [entropy_of(row, base) for row in counts]
        d.step(f"branches/{name}", T("title.branches", attribute=name), T("formula.branches", log=log),
               [f"H({name}={label}) = {_entropy_terms(row, base)} = {fmt(h)}"
                for label, row, h in zip(labels, counts, branch_h)], branch_h)
        h_cond = d.step(f"conditional_entropy/{name}", T("title.conditional_entropy", attribute=name),
                        T("formula.conditional_entropy"),
                        " + ".join(f"({s}/{n})·{fmt(h)}" for s, h in zip(sizes, branch_h)),
                        sum(s / n * h for s, h in zip(sizes, branch_h)),
                        answer=_path(given, "conditional_entropy", name))
        gains[name] = d.step(f"information_gain/{name}", T("title.information_gain", attribute=name),
                             T("formula.information_gain"), f"{fmt(h_d)} − {fmt(h_cond)}", h_d - h_cond,
                             answer=_path(given, "information_gain", name))
        if not extended:
            continue
        branch_g = [gini_of(row) for row in counts]
        d.step(f"branch_gini/{name}", T("title.branch_gini", attribute=name), T("formula.branch_gini"),
               [f"Gini({name}={label}) = {_gini_terms(row)} = {fmt(g)}"
                for label, row, g in zip(labels, counts, branch_g)], branch_g)
        d.step(f"conditional_gini/{name}", T("title.conditional_gini", attribute=name),
               T("formula.conditional_gini"), " + ".join(f"({s}/{n})·{fmt(g)}" for s, g in zip(sizes, branch_g)),
               sum(s / n * g for s, g in zip(sizes, branch_g)), answer=_path(given, "conditional_gini", name))
        split = d.step(f"split_info/{name}", T("title.split_info", attribute=name), T("formula.split_info", log=log),
                       _entropy_terms(sizes, base), entropy_of(sizes, base))
        if split > 0:
            d.step(f"gain_ratio/{name}", T("title.gain_ratio", attribute=name), T("formula.gain_ratio"),
                   f"{fmt(gains[name])} / {fmt(split)}", gains[name] / split, answer=_path(given, "gain_ratio", name))
        else:
            d.step(f"gain_ratio/{name}", T("title.gain_ratio", attribute=name), T("formula.gain_ratio"),
                   T("line.undefined"), None, answer=_path(given, "gain_ratio", name))
            d.note(T("note.split_zero", attribute=name))

    best = max(gains, key=lambda a: gains[a])
    tied = [a for a in gains if abs(gains[a] - gains[best]) < 1e-12]
    if len(tied) > 1:
        d.note(T("note.best_tie", tied=tied))
    d.step("best_attribute", T("title.best"), T("formula.best"),
               ", ".join(f"IG({a}) = {fmt(g)}" for a, g in gains.items()), best, answer="best_attribute")
    return d.solution()


# --------------------------------------------------------------------------- the problem text

def statement(given: dict) -> list[Msg]:
    base_name = T(f"base.{BASE_KEYS[given.get('base', '2')]}")
    attributes = given["attributes"]
    if "rows" in given:
        text = [T("statement.table", n=len(given["rows"]), target=given["target"], base=base_name,
                  attributes=[a["name"] for a in attributes])]
    else:
        n = sum(sum(row) for row in attributes[0]["counts"])
        text = [T("statement.counts", n=n, classes=T("or_list", first=given["classes"][:-1],
                                                     last=given["classes"][-1]),
                  attribute=attributes[0]["name"], base=base_name)]
    if len(attributes) > 1:
        text.append(T("statement.ask_id3"))
    if given.get("extended"):
        text.append(T("statement.ask_extended"))
    return text


def table(given: dict) -> tuple[list, list[list[str]]]:
    if "rows" in given:
        return list(given["columns"]), [list(map(str, row)) for row in given["rows"]]
    attribute = given["attributes"][0]
    headers = [attribute["name"], *given["classes"], T("header.total")]
    rows = [[label, *map(str, counts), str(sum(counts))]
            for label, counts in zip(attribute["values"], attribute["counts"])]
    return headers, rows


def parts(given: dict, solution: Solution, difficulty: str) -> list[Part]:
    target = given.get("target") or T("the_class")
    extended = bool(given.get("extended"))
    answers = solution.answers
    out = [Part(("entropy",), T("prompt.entropy", target=target), "number", answers["entropy"], step="entropy")]
    if extended:
        out.append(Part(("gini",), T("prompt.gini", target=target), "number", answers["gini"], step="gini"))
    names = [a["name"] for a in given["attributes"]]
    for name in names:
        wanted = ["conditional_entropy", "information_gain"]
        if extended:
            wanted += ["conditional_gini", "gain_ratio"]
        for answer in wanted:
            path = _path(given, answer, name)
            value = answer_at(answers, path)
            if value is None:
                continue
            out.append(Part(path, T(f"prompt.{answer}", attribute=name), "number", value, step=f"{answer}/{name}"))
    if len(names) > 1:
        out.append(Part(("best_attribute",), T("prompt.best_attribute"), "choice", answers["best_attribute"],
                        choices=tuple(names), step="best_attribute"))
    return out


def well_posed(problem: Any) -> None:
    """Every branch has samples; easy counts are simple fractions; no tie for the best attribute."""
    g, a, level = problem.given, problem.solution.answers, problem.difficulty
    for attribute in g["attributes"]:
        assert len(attribute["values"]) >= 2 and all(sum(row) > 0 for row in attribute["counts"])
    if level == "easy":
        assert all(sum(row) in EASY_BRANCH_SIZES for row in g["attributes"][0]["counts"])
        assert a["information_gain"] >= 0.03
    else:
        gains = sorted(a["information_gain"].values(), reverse=True)
        assert gains[0] - gains[1] >= 0.03


# --------------------------------------------------------------------------- building `given`

def from_table(columns: list[str], rows: list[list[str]], target: str, base: str = "2",
               extended: bool = False) -> dict:
    """Count a categorical table into per-attribute class counts (values in order of appearance)."""
    t = columns.index(target)
    classes = list(dict.fromkeys(row[t] for row in rows))
    if len(classes) > MAX_VALUES:
        raise UserError(T("error.too_many_classes", column=short(target), count=len(classes), limit=MAX_VALUES))
    attributes = []
    for j, name in enumerate(columns):
        if j == t:
            continue
        values = list(dict.fromkeys(row[j] for row in rows))
        if len(values) > MAX_VALUES:
            raise UserError(T("error.too_many_values", column=short(name), count=len(values), limit=MAX_VALUES))
        pairs = Counter((row[j], row[t]) for row in rows)
        counts = [[pairs[(v, c)] for c in classes] for v in values]
        attributes.append({"name": name, "values": values, "counts": counts})
    return {"classes": classes, "target": target, "attributes": attributes, "base": base,
            "extended": extended, "columns": list(columns), "rows": [list(r) for r in rows]}


def _pick_counts(rng: random.Random) -> list[list[int]]:
    for _ in attempts():
        counts = []
        for _ in range(2):
            size = rng.choice(EASY_BRANCH_SIZES)
            first = rng.randint(0, size)
            counts.append([first, size - first])
        totals = [counts[0][k] + counts[1][k] for k in range(2)]
        if 0 in totals:
            continue
        pure = sum(1 for row in counts if 0 in row)
        given = {"classes": ["a", "b"], "extended": False, "attributes": [{"name": "A", "values": ["x", "y"], "counts": counts}]}
        gain = solve(given).answers["information_gain"]
        if gain >= 0.03 and pure <= 1:
            return counts


def _generate_table(rng: random.Random, three_classes: bool) -> dict:
    theme = rng.choice(TABLE_THEMES)
    classes = theme["classes3"] if three_classes else theme["classes"]
    for _ in attempts():
        names = rng.sample(list(theme["attributes"]), rng.choice((2, 3, 3) if not three_classes else (2, 2, 3)))
        n_rows = rng.randint(10, 15) if three_classes else rng.randint(8, 14)
        # The class depends on one attribute through a noisy rule, so the gains differ clearly.
        key = rng.choice(names)
        key_values = theme["attributes"][key]
        leaning = {v: rng.randrange(len(classes)) for v in key_values}
        rows = []
        for _ in range(n_rows):
            row = [rng.choice(theme["attributes"][a]) for a in names]
            label = classes[leaning[row[names.index(key)]]] if rng.random() < 0.7 else rng.choice(classes)
            rows.append(row + [label])
        given = from_table(names + [theme["target"]], rows, theme["target"], extended=three_classes)
        if _well_posed(given, theme, names, classes):
            # Keep the theme's value order, so tables read naturally.
            return _reorder(given, theme, classes)


def _well_posed(given: dict, theme: dict, names: list[str], classes: list[str]) -> bool:
    if len(given["classes"]) != len(classes) or min(
            sum(a["counts"][i][k] for i in range(len(a["values"])))
            for a in given["attributes"][:1] for k in range(len(classes))) < 2:
        return False
    for attribute in given["attributes"]:
        if len(attribute["values"]) != len(theme["attributes"][attribute["name"]]):
            return False  # every value must occur: no empty branch, no single-valued attribute
    gains = sorted(solve(given).answers["information_gain"].values(), reverse=True)
    return gains[0] >= 0.08 and gains[0] - gains[1] >= 0.03


def _reorder(given: dict, theme: dict, classes: list[str]) -> dict:
    order = {c: i for i, c in enumerate(classes)}
    perm = sorted(range(len(given["classes"])), key=lambda k: order[given["classes"][k]])
    given["classes"] = [given["classes"][k] for k in perm]
    for attribute in given["attributes"]:
        wanted = theme["attributes"][attribute["name"]]
        pairs = dict(zip(attribute["values"], attribute["counts"]))
        attribute["values"] = list(wanted)
        attribute["counts"] = [[pairs[v][k] for k in perm] for v in wanted]
    return given


def generate(rng: random.Random, difficulty: str) -> dict:
    if difficulty == "easy":
        attribute, values, classes = rng.choice(PAIR_THEMES)
        return {"classes": classes, "target": "", "base": "2", "extended": False,
                "attributes": [{"name": attribute, "values": values, "counts": _pick_counts(rng)}]}
    return _generate_table(rng, three_classes=difficulty == "hard")


def parse_data(values: dict) -> dict:
    """--data: class counts `"4,2;1,3"` (rows: branches, columns: classes), or a CSV table with --target."""
    data, target, base = values["data"], values["target"], values["base"]
    if data.path or target:
        return _parse_csv(data.text, target, base, data.origin)
    counts = []
    for i, row in enumerate(split_rows(data.text, "--data"), start=1):
        cells = []
        for cell in row:
            if not cell.isdigit() or len(cell) > 12:
                raise UserError(T("error.count", cell=short(cell), row=i))
            cells.append(int(cell))
        counts.append(cells)
    if len(counts) > MAX_VALUES or len(counts[0]) > MAX_VALUES:
        raise UserError(T("error.too_many_branches", limit=MAX_VALUES))
    if len({len(r) for r in counts}) > 1:
        raise UserError(T("error.ragged_counts"))
    for i, row in enumerate(counts, start=1):
        if sum(row) == 0:
            raise UserError(T("error.empty_branch", row=i))
    classes = [f"C{k + 1}" for k in range(len(counts[0]))]
    labels = [str(i + 1) for i in range(len(counts))]
    return {"classes": classes, "target": "", "base": base, "extended": True,
            "attributes": [{"name": "A", "values": labels, "counts": counts}]}


MAX_ROWS = 100_000


def _parse_csv(text: str, target: str | None, base: str, source: str) -> dict:
    if not target:
        raise UserError(T("error.csv_target", source=source))
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    try:
        table_rows = [row for row in reader if any(cell.strip() for cell in row)]
    except csv.Error as exc:
        raise UserError(T("error.csv_unreadable", source=source, reason=str(exc))) from None
    if len(table_rows) < 2:
        raise UserError(T("error.csv_short", source=source))
    if len(table_rows) - 1 > MAX_ROWS:
        raise UserError(T("error.csv_long", source=source, rows=len(table_rows) - 1, limit=MAX_ROWS))
    columns = [c.strip() for c in table_rows[0]]
    matches = [c for c in columns if c.lower() == target.strip().lower()]
    if not matches:
        raise UserError(T("error.csv_no_column", source=source, column=short(target),
                          columns=short(", ".join(columns), 200)))
    if len(columns) < 2:
        raise UserError(T("error.csv_one_column", source=source, column=short(target)))
    rows = []
    for line, row in enumerate(table_rows[1:], start=2):
        if len(row) != len(columns):
            raise UserError(T("error.csv_row_length", source=source, line=line, cells=len(row), header=len(columns)))
        cells = [c.strip() for c in row]
        if "" in cells:
            raise UserError(T("error.csv_empty_cell", source=source, line=line))
        rows.append(cells)
    try:
        return from_table(columns, rows, matches[0], base=base, extended=True)
    except UserError as exc:
        raise UserError(T("error.in_source", source=source, error=exc.message)) from None


def as_options(given: dict) -> dict[str, str]:
    """The `solve entropy` options that pose this problem again: its table as CSV text."""
    if "rows" in given:
        columns, rows = given["columns"], given["rows"]
    else:
        attribute = given["attributes"][0]
        columns = [attribute["name"], given.get("target") or "class"]
        rows = [[value, label] for value, counts in zip(attribute["values"], attribute["counts"])
                for label, count in zip(given["classes"], counts) for _ in range(count)]
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([columns, *rows])
    return {"data": out.getvalue(), "target": given.get("target") or "class", "base": given.get("base", "2")}


def from_bank(entry: dict) -> dict:
    base = str(entry.get("base", "2"))
    extended = bool(entry.get("extended", False))
    if "rows" in entry:
        return from_table(entry["columns"], entry["rows"], entry["target"], base=base, extended=extended)
    return {"classes": entry["classes"], "target": entry.get("target", ""), "base": base, "extended": extended,
            "attributes": [{"name": entry["attribute"], "values": entry["values"], "counts": entry["counts"]}]}


# --------------------------------------------------------------------------- misconceptions
# Each returns the value the wrong method gives at the checkpoint `path` (texts in
# problems/entropy/text.<lang>.toml, applies_to in misconceptions.toml).

def _attribute_of(given: dict, path: tuple) -> dict:
    wanted = path[1] if len(path) > 1 else given["attributes"][0]["name"]
    return next(a for a in given["attributes"] if a["name"] == wanted)


def _reweighted(given: dict, path: tuple, weight) -> float:
    counts = _attribute_of(given, path)["counts"]
    n = sum(sum(row) for row in counts)
    base = given.get("base", "2")
    return sum(weight(sum(row), n, len(counts)) * entropy_of(row, base) for row in counts)


VARIANTS = {
    "natural_log": lambda given, path, student, override: answer_at(solve({**given, "base": "e"}).answers, path),
    "log10": lambda given, path, student, override: answer_at(solve({**given, "base": "10"}).answers, path),
    "unweighted_sum": lambda given, path, student, override: _reweighted(given, path, lambda size, n, k: 1.0),
    "plain_average": lambda given, path, student, override: _reweighted(given, path, lambda size, n, k: 1 / k),
    "count_weighted": lambda given, path, student, override: _reweighted(given, path, lambda size, n, k: size),
}
