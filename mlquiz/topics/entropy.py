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

from mlquiz.errors import UserError, short
from mlquiz.model import Part, Solution, Step
from mlquiz.topics.common import answer_at, fmt, frac, split_name, split_rows

TEXT = {
    "statement_counts": (
        "{n} samples are labelled {class_list}. Splitting them on the attribute {attribute} gives "
        "the class counts in the table. Use log base {base_name}."
    ),
    "statement_table": (
        "The table lists {n} training samples. {target} is the class label; {attribute_list} "
        "are the attributes. Use log base {base_name}."
    ),
    "ask_id3": " Which attribute does ID3 choose for the root split?",
    "ask_extended": " Also compute the Gini index and the gain ratio of each attribute.",
    "prompt_entropy": "H(D), the entropy of {target}",
    "prompt_gini": "Gini(D), the Gini index of {target}",
    "prompt_conditional_entropy": "H(D|{attribute}), the conditional entropy given {attribute}",
    "prompt_information_gain": "IG({attribute}) = H(D) − H(D|{attribute})",
    "prompt_conditional_gini": "Gini(D|{attribute}), the weighted Gini index after splitting on {attribute}",
    "prompt_gain_ratio": "GainRatio({attribute}) = IG({attribute}) / SplitInfo({attribute})",
    "prompt_best_attribute": "the attribute ID3 splits on (largest information gain)",
    "title_class_counts": "Class counts",
    "title_entropy": "Entropy of the whole set",
    "title_gini": "Gini index of the whole set",
    "title_branches": "Entropy of each branch of {attribute}",
    "title_conditional_entropy": "Conditional entropy given {attribute}",
    "title_information_gain": "Information gain of {attribute}",
    "title_branch_gini": "Gini index of each branch of {attribute}",
    "title_conditional_gini": "Weighted Gini index after splitting on {attribute}",
    "title_split_info": "Split information of {attribute}",
    "title_gain_ratio": "Gain ratio of {attribute}",
    "title_best": "Attribute chosen by ID3",
    "note_zero_log": "A class with no samples contributes 0 (0·log 0 = 0).",
    "note_split_zero": "{attribute} takes a single value here, so SplitInfo = 0 and the gain ratio is undefined.",
    "note_best_tie": "The largest information gains are equal: {tied}. ID3 takes the first listed.",
}

OPTIONS = {"target": "the class column of a CSV table", "base": "log base: 2, e or 10"}

LOG_NAMES = {"2": "log₂", "e": "ln", "10": "log₁₀"}
BASE_NAMES = {"2": "2", "e": "e (natural log)", "10": "10"}
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


def _key(given: dict, name: str, attribute: str) -> str:
    return name if _single(given) else f"{name}[{attribute}]"


def solve(given: dict, override: dict[str, Any] | None = None) -> Solution:
    """All quantities in derivation order; `override` replaces named values (a student's own) in
    the computations that follow them, for carried-forward marking."""
    override = override or {}
    base = given.get("base", "2")
    log = LOG_NAMES[base]
    classes = given["classes"]
    attributes = given["attributes"]
    totals = [sum(row[k] for row in attributes[0]["counts"]) for k in range(len(classes))]
    n = sum(totals)
    steps: list[Step] = []
    flat: dict[str, Any] = {}
    notes: list[str] = []

    def value(name: str, computed: float) -> float:
        flat[name] = computed
        return float(override.get(name, computed))

    steps.append(Step(TEXT["title_class_counts"], "|Cₖ| for each class, |D| = Σ|Cₖ|",
                      ", ".join(f"{c}: {t}" for c, t in zip(classes, totals)) + f"; |D| = {n}",
                      dict(zip(classes, totals))))
    h_d = value("entropy", entropy_of(totals, base))
    steps.append(Step(TEXT["title_entropy"], f"H(D) = −Σ pₖ·{log} pₖ", _entropy_terms(totals, base),
                      flat["entropy"], answer="entropy"))
    if 0 in totals:
        notes.append(TEXT["note_zero_log"])
    extended = given.get("extended", True)
    if extended:
        value("gini", gini_of(totals))
        steps.append(Step(TEXT["title_gini"], "Gini(D) = 1 − Σ pₖ²", _gini_terms(totals),
                          flat["gini"], answer="gini"))

    gains: dict[str, float] = {}
    for attribute in attributes:
        name, counts, labels = attribute["name"], attribute["counts"], attribute["values"]
        sizes = [sum(row) for row in counts]
        branch_h = [entropy_of(row, base) for row in counts]
        steps.append(Step(
            TEXT["title_branches"].format(attribute=name), f"H(Dᵢ) = −Σ pᵢₖ·{log} pᵢₖ",
            "\n".join(f"H({name}={label}) = {_entropy_terms(row, base)} = {fmt(h)}"
                      for label, row, h in zip(labels, counts, branch_h)),
            branch_h))
        key = _key(given, "conditional_entropy", name)
        h_cond = value(key, sum(s / n * h for s, h in zip(sizes, branch_h)))
        steps.append(Step(
            TEXT["title_conditional_entropy"].format(attribute=name), "H(D|A) = Σ |Dᵢ|/|D|·H(Dᵢ)",
            " + ".join(f"({s}/{n})·{fmt(h)}" for s, h in zip(sizes, branch_h)),
            flat[key], answer=key))
        key = _key(given, "information_gain", name)
        gain = value(key, h_d - h_cond)
        gains[name] = gain
        steps.append(Step(TEXT["title_information_gain"].format(attribute=name), "IG(A) = H(D) − H(D|A)",
                          f"{fmt(h_d)} − {fmt(h_cond)}", flat[key], answer=key))
        if extended:
            branch_g = [gini_of(row) for row in counts]
            steps.append(Step(
                TEXT["title_branch_gini"].format(attribute=name), "Gini(Dᵢ) = 1 − Σ pᵢₖ²",
                "\n".join(f"Gini({name}={label}) = {_gini_terms(row)} = {fmt(g)}"
                          for label, row, g in zip(labels, counts, branch_g)),
                branch_g))
            key = _key(given, "conditional_gini", name)
            value(key, sum(s / n * g for s, g in zip(sizes, branch_g)))
            steps.append(Step(
                TEXT["title_conditional_gini"].format(attribute=name), "Gini(D|A) = Σ |Dᵢ|/|D|·Gini(Dᵢ)",
                " + ".join(f"({s}/{n})·{fmt(g)}" for s, g in zip(sizes, branch_g)),
                flat[key], answer=key))
            split = entropy_of(sizes, base)
            steps.append(Step(TEXT["title_split_info"].format(attribute=name),
                              f"SplitInfo(A) = −Σ |Dᵢ|/|D|·{log}(|Dᵢ|/|D|)", _entropy_terms(sizes, base), split))
            key = _key(given, "gain_ratio", name)
            if split > 0:
                value(key, gain / split)
                substituted = f"{fmt(gain)} / {fmt(split)}"
            else:
                flat[key] = None
                substituted = "undefined"
                notes.append(TEXT["note_split_zero"].format(attribute=name))
            steps.append(Step(TEXT["title_gain_ratio"].format(attribute=name),
                              "GainRatio(A) = IG(A) / SplitInfo(A)", substituted, flat[key], answer=key))

    best = max(gains, key=lambda a: gains[a])
    tied = [a for a in gains if abs(gains[a] - gains[best]) < 1e-12]
    if len(tied) > 1:
        notes.append(TEXT["note_best_tie"].format(tied=", ".join(tied)))
    flat["best_attribute"] = best
    if len(gains) > 1:
            steps.append(Step(TEXT["title_best"], "argmax_A IG(A)",
                          ", ".join(f"IG({a}) = {fmt(g)}" for a, g in gains.items()), best,
                          answer="best_attribute"))
    return Solution(steps=steps, answers=_nest(given, flat), notes=notes)


def _nest(given: dict, flat: dict[str, Any]) -> dict[str, Any]:
    """`information_gain[Outlook]` entries → {"information_gain": {"Outlook": …}}."""
    answers: dict[str, Any] = {}
    for key, val in flat.items():
        if "[" in key:
            name, attribute = key[:-1].split("[", 1)
            answers.setdefault(name, {})[attribute] = val
        else:
            answers[key] = val
    return answers


# --------------------------------------------------------------------------- the problem text

def statement(given: dict) -> str:
    base_name = BASE_NAMES[given.get("base", "2")]
    attributes = given["attributes"]
    if "rows" in given:
        text = TEXT["statement_table"].format(
            n=len(given["rows"]), target=given["target"], base_name=base_name,
            attribute_list=", ".join(a["name"] for a in attributes))
    else:
        n = sum(sum(row) for row in attributes[0]["counts"])
        text = TEXT["statement_counts"].format(
            n=n, class_list=" or ".join(given["classes"]), attribute=attributes[0]["name"],
            base_name=base_name)
    if len(attributes) > 1:
        text += TEXT["ask_id3"]
    if given.get("extended"):
        text += TEXT["ask_extended"]
    return text


def table(given: dict) -> tuple[list[str], list[list[str]]]:
    if "rows" in given:
        return list(given["columns"]), [list(map(str, row)) for row in given["rows"]]
    attribute = given["attributes"][0]
    headers = [attribute["name"], *given["classes"], "total"]
    rows = [[label, *map(str, counts), str(sum(counts))]
            for label, counts in zip(attribute["values"], attribute["counts"])]
    return headers, rows


def parts(given: dict, solution: Solution, difficulty: str) -> list[Part]:
    target = given.get("target") or "the class"
    extended = bool(given.get("extended"))
    answers = solution.answers
    out = [Part("entropy", TEXT["prompt_entropy"].format(target=target), "number", answers["entropy"],
                step=TEXT["title_entropy"])]
    if extended:
        out.append(Part("gini", TEXT["prompt_gini"].format(target=target), "number", answers["gini"],
                        step=TEXT["title_gini"]))
    names = [a["name"] for a in given["attributes"]]
    for name in names:
        wanted = ["conditional_entropy", "information_gain"]
        if extended:
            wanted += ["conditional_gini", "gain_ratio"]
        for answer in wanted:
            value = answers[answer] if _single(given) else answers[answer][name]
            if value is None:
                continue
            out.append(Part(_key(given, answer, name), TEXT[f"prompt_{answer}"].format(attribute=name),
                            "number", value, step=TEXT[f"title_{answer}"].format(attribute=name)))
    if len(names) > 1:
        out.append(Part("best_attribute", TEXT["prompt_best_attribute"], "choice",
                        answers["best_attribute"], choices=tuple(names), step=TEXT["title_best"]))
    return out


# --------------------------------------------------------------------------- building `given`

def from_table(columns: list[str], rows: list[list[str]], target: str, base: str = "2",
               extended: bool = False) -> dict:
    """Count a categorical table into per-attribute class counts (values in order of appearance)."""
    t = columns.index(target)
    classes = list(dict.fromkeys(row[t] for row in rows))
    if len(classes) > MAX_VALUES:
        raise UserError(f"the class column {short(target)} has {len(classes)} different values; "
                        f"at most {MAX_VALUES} classes are supported")
    attributes = []
    for j, name in enumerate(columns):
        if j == t:
            continue
        values = list(dict.fromkeys(row[j] for row in rows))
        if len(values) > MAX_VALUES:
            raise UserError(f"column {short(name)} has {len(values)} different values; an ID3 split needs a "
                            f"categorical attribute with at most {MAX_VALUES} values (drop ID-like columns)")
        pairs = Counter((row[j], row[t]) for row in rows)
        counts = [[pairs[(v, c)] for c in classes] for v in values]
        attributes.append({"name": name, "values": values, "counts": counts})
    return {"classes": classes, "target": target, "attributes": attributes, "base": base,
            "extended": extended, "columns": list(columns), "rows": [list(r) for r in rows]}


def _pick_counts(rng: random.Random) -> list[list[int]]:
    while True:
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
    for _ in range(10_000):
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
    raise RuntimeError("no well-posed table found")  # not reached in practice


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


def _base_option(options: dict) -> str:
    base = str(options.get("base") or "2").strip().lower()
    if base not in BASES:
        raise UserError(f"--base must be 2, e or 10, not {base!r}")
    return base


def parse_data(text: str, options: dict) -> dict:
    """`"4,2;1,3"` (branches × class counts) or the text of a CSV file with --target."""
    base = _base_option(options)
    if not options.get("has_data", True):
        raise UserError("entropy needs --data: class counts like '4,2;1,3', or FILE.csv with --target COLUMN")
    if options.get("path") or options.get("target"):
        return _parse_csv(text, options.get("target"), base, options.get("path") or "--data")
    example = "4,2;1,3"
    rows = split_rows(text, "--data", example)
    counts = []
    for i, row in enumerate(rows, start=1):
        cells = []
        for cell in row:
            if not cell.isdigit() or len(cell) > 12:
                raise UserError(f"--data: {short(cell)} in row {i} is not a whole count; expected class counts "
                                f"like {example!r} (rows: branches, columns: classes)")
            cells.append(int(cell))
        counts.append(cells)
    if len(counts) > MAX_VALUES or len(counts[0]) > MAX_VALUES:
        raise UserError(f"--data: at most {MAX_VALUES} branches (rows) and {MAX_VALUES} classes (columns)")
    if len({len(r) for r in counts}) > 1:
        raise UserError(f"--data: rows have different numbers of classes; expected something like {example!r}")
    for i, row in enumerate(counts, start=1):
        if sum(row) == 0:
            raise UserError(f"--data: branch {i} has no samples, so its entropy is undefined; drop that row")
    classes = [f"C{k + 1}" for k in range(len(counts[0]))]
    values = [str(i + 1) for i in range(len(counts))]
    return {"classes": classes, "target": "", "base": base, "extended": True,
            "attributes": [{"name": "A", "values": values, "counts": counts}]}


MAX_ROWS = 100_000


def _parse_csv(text: str, target: str | None, base: str, source: str) -> dict:
    if not target:
        raise UserError(f"{source}: a table needs --target COLUMN naming the class column")
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    try:
        table_rows = [row for row in reader if any(cell.strip() for cell in row)]
    except csv.Error as exc:
        raise UserError(f"{source}: not a readable CSV file ({exc})") from None
    if len(table_rows) < 2:
        raise UserError(f"{source}: expected a header row and at least one data row")
    if len(table_rows) - 1 > MAX_ROWS:
        raise UserError(f"{source}: {len(table_rows) - 1} rows is more than the {MAX_ROWS} this tool solves")
    columns = [c.strip() for c in table_rows[0]]
    matches = [c for c in columns if c.lower() == target.strip().lower()]
    if not matches:
        raise UserError(f"{source}: no column {short(target)}; the columns are {short(', '.join(columns), 200)}")
    if len(columns) < 2:
        raise UserError(f"{source}: a table needs at least one attribute column besides {target!r}")
    rows = []
    for line, row in enumerate(table_rows[1:], start=2):
        if len(row) != len(columns):
            raise UserError(f"{source}: row {line} has {len(row)} cells but the header has {len(columns)}")
        cells = [c.strip() for c in row]
        if "" in cells:
            raise UserError(f"{source}: row {line} has an empty cell")
        rows.append(cells)
    try:
        return from_table(columns, rows, matches[0], base=base, extended=True)
    except UserError as exc:
        raise UserError(f"{source}: {exc}") from None


def from_bank(entry: dict) -> dict:
    base = str(entry.get("base", "2"))
    extended = bool(entry.get("extended", False))
    if "rows" in entry:
        return from_table(entry["columns"], entry["rows"], entry["target"], base=base, extended=extended)
    return {"classes": entry["classes"], "target": entry.get("target", ""), "base": base, "extended": extended,
            "attributes": [{"name": entry["attribute"], "values": entry["values"], "counts": entry["counts"]}]}


# --------------------------------------------------------------------------- misconceptions
# Each returns the value the wrong method gives at the checkpoint `name` (texts in
# problems/entropy/misconceptions.toml).

def _attribute_of(given: dict, name: str) -> dict:
    path = split_name(name)[1]
    wanted = path[0] if path else given["attributes"][0]["name"]
    return next(a for a in given["attributes"] if a["name"] == wanted)


def _reweighted(given: dict, name: str, weight) -> float:
    counts = _attribute_of(given, name)["counts"]
    n = sum(sum(row) for row in counts)
    base = given.get("base", "2")
    return sum(weight(sum(row), n, len(counts)) * entropy_of(row, base) for row in counts)


VARIANTS = {
    "natural_log": lambda given, name, student, override: answer_at(solve({**given, "base": "e"}).answers, name),
    "log10": lambda given, name, student, override: answer_at(solve({**given, "base": "10"}).answers, name),
    "unweighted_sum": lambda given, name, student, override: _reweighted(given, name, lambda size, n, k: 1.0),
    "plain_average": lambda given, name, student, override: _reweighted(given, name, lambda size, n, k: 1 / k),
    "count_weighted": lambda given, name, student, override: _reweighted(given, name, lambda size, n, k: size),
}
