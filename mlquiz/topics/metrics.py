"""Evaluation metrics: confusion matrix, accuracy, precision, recall, F1 (binary and macro), MSE/RMSE/MAE.

Confusion matrix: rows = actual, columns = predicted; binary: positive first, [[TP, FN], [FP, TN]];
multi-class: labels sorted. precision = TP/(TP+FP), recall = TP/(TP+FN), F1 = 2TP/(2TP+FP+FN);
macro = unweighted mean of the per-class values (macro F1 = mean of per-class F1); 0/0 is undefined
(JSON null) and counts as 0 inside a macro average. Regression: MSE = (1/N)Σ(r−y)², RMSE = √MSE,
MAE = (1/N)Σ|r−y|.

given = {"mode": "binary", "actual": [...], "predicted": [...], "positive": label, "negative": label | None}
      | {"mode": "binary", "matrix": [[TP, FN], [FP, TN]]}
      | {"mode": "multi", "actual": [...], "predicted": [...]}   (labels: sorted)
      | {"mode": "multi", "matrix": k×k counts, "labels": [...]}
      | {"mode": "regression", "actual": [numbers], "predicted": [numbers]}
Multi-class per-class answers are dicts keyed by label, addressed as `precision[cat]`.
"""

from __future__ import annotations

import math
import random
from typing import Any

from mlquiz.answers import AnswerError, parse_number
from mlquiz.derivation import Derivation
from mlquiz.errors import UserError, short
from mlquiz.model import Part, Solution, answer_at
from mlquiz.text import Msg, Texts
from mlquiz.topics.common import attempts, fmt, fmtp, frac, is_number, split_rows

T = Texts("metrics")

MAX_SAMPLES = 10_000
MAX_CLASSES = 20
MAX_COUNT = 10 ** 9
MAX_MAGNITUDE = 1e12
POSITIVE_WORDS = ("yes", "positive", "true")

BINARY_THEMES = [("1", "0"), ("yes", "no"), ("spam", "ham"), ("positive", "negative"), ("True", "False"),
                 ("sick", "healthy")]
MULTI_THEMES = [["cat", "dog", "bird"], ["A", "B", "C"], ["1", "2", "3"], ["apple", "orange", "pear"]]


# --------------------------------------------------------------------------- helpers

def _ratio(num: float, den: float) -> float | None:
    """num/den, None when den = 0 (an undefined 0/0)."""
    return None if den == 0 else num / den


def _value_text(expr: str, num: Any, den: Any, value: float | None) -> Any:
    """`expr = num/den = reduced = decimal`, or the expression and "undefined" for 0/0."""
    if value is None:
        return [f"{expr} = {fmt(num)}/{fmt(den)}", T("line.undefined")]
    text = f"{expr} = {fmt(num)}/{fmt(den)}" if expr != f"{num}/{den}" else expr
    if isinstance(num, int) and isinstance(den, int) and frac(num, den) != f"{num}/{den}":
        text += f" = {frac(num, den)}"
        if "/" not in frac(num, den):
            return text
    return f"{text} = {fmt(value)}"


def _int_if_whole(x: Any) -> Any:
    if isinstance(x, float) and x == int(x) and abs(x) < 1e15:
        return int(x)
    return x


def sort_labels(labels: list[str]) -> list[str]:
    """Numerically when every label is a number, else as text."""
    unique = list(dict.fromkeys(labels))
    if all(is_number(x) for x in unique):
        return sorted(unique, key=lambda x: (parse_number(x), x))
    return sorted(unique)


def default_positive(labels: list[str]) -> str:
    """`1` if present, else yes/positive/true (any case), else the last label in sorted order."""
    if "1" in labels:
        return "1"
    for label in labels:
        if label.lower() in POSITIVE_WORDS:
            return label
    return sort_labels(labels)[-1]


def labels_of(given: dict) -> list[str]:
    if given["mode"] == "binary":
        if "matrix" in given:
            return [T("label.positive"), T("label.negative")]
        return [given["positive"], given.get("negative") or T("label.rest", positive=given["positive"])]
    if "matrix" in given:
        return list(given["labels"])
    return sort_labels(given["actual"] + given["predicted"])


def confusion_of(given: dict) -> list[list[int]]:
    if "matrix" in given:
        return [list(row) for row in given["matrix"]]
    if given["mode"] == "binary":
        pos = given["positive"]
        tp = sum(1 for a, p in zip(given["actual"], given["predicted"]) if a == pos and p == pos)
        fn = sum(1 for a, p in zip(given["actual"], given["predicted"]) if a == pos and p != pos)
        fp = sum(1 for a, p in zip(given["actual"], given["predicted"]) if a != pos and p == pos)
        tn = len(given["actual"]) - tp - fn - fp
        return [[tp, fn], [fp, tn]]
    labels = labels_of(given)
    index = {c: i for i, c in enumerate(labels)}
    m = [[0] * len(labels) for _ in labels]
    for a, p in zip(given["actual"], given["predicted"]):
        m[index[a]][index[p]] += 1
    return m


def _per_class(m: list[list[Any]], k: int) -> tuple[Any, Any, Any]:
    """TP, FP, FN of class k (rows actual, columns predicted)."""
    tp = m[k][k]
    fp = sum(m[i][k] for i in range(len(m))) - tp
    fn = sum(m[k]) - tp
    return _int_if_whole(tp), _int_if_whole(fp), _int_if_whole(fn)


def _f1(tp: Any, fp: Any, fn: Any) -> float | None:
    return _ratio(2 * tp, 2 * tp + fp + fn)


def _macro(values: list[float | None]) -> float:
    return sum(v if v is not None else 0.0 for v in values) / len(values)


# --------------------------------------------------------------------------- solving

def solve(given: dict, override: dict[tuple, Any] | None = None) -> Solution:
    """All quantities in derivation order; `override` (a student's own values) is carried forward."""
    d = Derivation(override)
    if given["mode"] == "regression":
        _solve_regression(d, given)
    else:
        _solve_classification(d, given)
    return d.solution()


def _matrix_lines(m: list[list[Any]], labels: list[str]) -> list[str]:
    return [f"{label}: [{', '.join(fmt(_int_if_whole(x)) for x in row)}]" for label, row in zip(labels, m)]


def _solve_classification(d: Derivation, given: dict) -> None:
    binary = given["mode"] == "binary"
    labels = labels_of(given)
    right = confusion_of(given)
    if binary:
        tp, fn, fp, tn = right[0][0], right[0][1], right[1][0], right[1][1]
        lines = [T("line.binary_counts", tp=fmt(tp), fn=fmt(fn), fp=fmt(fp), tn=fmt(tn)),
                 T("line.binary_matrix", matrix=str(right))]
    else:
        lines = _matrix_lines(right, labels)
    m = d.step("confusion", T("title.confusion"), T("formula.confusion_binary" if binary else "formula.confusion_multi",
                                                       labels=labels), lines, right, answer="confusion")
    if not (isinstance(m, list) and len(m) == len(right) and all(isinstance(r, list) and len(r) == len(right) for r in m)):
        m = right  # a carried matrix of the wrong shape cannot be carried
    m = [[_int_if_whole(x) for x in row] for row in m]
    n = sum(sum(row) for row in m)
    diag = sum(m[i][i] for i in range(len(m)))
    accuracy = _ratio(diag, n)
    expr = f"({' + '.join(fmt(m[i][i]) for i in range(len(m)))})/{fmt(n)}"
    d.step("accuracy", T("title.accuracy"), T("formula.accuracy_binary" if binary else "formula.accuracy_multi"),
           _value_text(expr, diag, n, accuracy), accuracy, answer="accuracy")
    if binary:
        tp, fn, fp = m[0][0], m[0][1], m[1][0]
        p = _ratio(tp, tp + fp)
        d.step("precision", T("title.precision"), T("formula.precision"),
               _value_text(f"{fmt(tp)}/({fmt(tp)} + {fmt(fp)})", tp, tp + fp, p), p, answer="precision")
        r = _ratio(tp, tp + fn)
        d.step("recall", T("title.recall"), T("formula.recall"), _value_text(f"{fmt(tp)}/({fmt(tp)} + {fmt(fn)})", tp, tp + fn, r), r, answer="recall")
        f = _f1(tp, fp, fn)
        d.step("f1", T("title.f1"), T("formula.f1"), _value_text(f"2·{fmtp(tp)}/(2·{fmtp(tp)} + {fmtp(fp)} + {fmtp(fn)})", 2 * tp, 2 * tp + fp + fn, f), f, answer="f1")
        if given.get("one_vs_rest"):
            d.note(T("note.one_vs_rest", positive=labels[0]))
        if None in (p, r, f):
            d.note(T("note.undefined"))
        return
    ps, rs, fs = [], [], []
    for k, label in enumerate(labels):
        tp, fp, fn = _per_class(m, k)
        d.step(f"counts/{label}", T("title.counts", label=label), T("formula.counts"),
               T("line.class_counts", tp=fmt(tp), fp=fmt(fp), fn=fmt(fn)), {"TP": tp, "FP": fp, "FN": fn})
        p = _ratio(tp, tp + fp)
        ps.append(d.step(f"precision/{label}", T("title.class_precision", label=label), T("formula.precision"),
                         _value_text(f"{fmt(tp)}/({fmt(tp)} + {fmt(fp)})", tp, tp + fp, p), p, answer=("precision", label)))
        r = _ratio(tp, tp + fn)
        rs.append(d.step(f"recall/{label}", T("title.class_recall", label=label), T("formula.recall"),
                         _value_text(f"{fmt(tp)}/({fmt(tp)} + {fmt(fn)})", tp, tp + fn, r), r, answer=("recall", label)))
        f = _f1(tp, fp, fn)
        fs.append(d.step(f"f1/{label}", T("title.class_f1", label=label), T("formula.f1"),
                         _value_text(f"2·{fmtp(tp)}/(2·{fmtp(tp)} + {fmtp(fp)} + {fmtp(fn)})", 2 * tp, 2 * tp + fp + fn, f), f, answer=("f1", label)))
    if "matrix" not in given and all(is_number(c) for c in labels):
        d.note(T("note.numeric_order"))
    for name, values in (("macro_precision", ps), ("macro_recall", rs), ("macro_f1", fs)):
        values = [v if v is None else float(v) for v in values]
        d.step(name, T(f"title.{name}"), T(f"formula.{name}", k=len(labels)),
               f"({' + '.join(fmt(v) if v is not None else '0' for v in values)})/{len(values)}",
               _macro(values), answer=name)
    if any(v is None for v in ps + rs + fs):
        d.note(T("note.undefined_macro"))


def _solve_regression(d: Derivation, given: dict) -> None:
    r, y = given["actual"], given["predicted"]
    n = len(r)
    errors = [_int_if_whole(a - b) for a, b in zip(r, y)]
    d.step("errors", T("title.errors"), T("formula.errors"), ", ".join(fmt(e) for e in errors))
    squares = [e * e for e in errors]
    mse = d.step("mse", T("title.mse"), T("formula.mse"),
                 f"({' + '.join(fmt(s) for s in squares)})/{n} = {fmt(sum(squares))}/{n}", sum(squares) / n,
                 answer="mse")
    rmse = math.sqrt(mse) if isinstance(mse, (int, float)) and mse >= 0 else None
    d.step("rmse", T("title.rmse"), T("formula.rmse"), f"√{fmt(mse)}" if rmse is not None else T("line.undefined"),
           rmse, answer="rmse")
    absolute = [abs(e) for e in errors]
    d.step("mae", T("title.mae"), T("formula.mae"),
           f"({' + '.join(fmt(a) for a in absolute)})/{n} = {fmt(sum(absolute))}/{n}", sum(absolute) / n,
           answer="mae")


# --------------------------------------------------------------------------- the problem text

def statement(given: dict) -> list[Msg]:
    mode = given["mode"]
    if mode == "regression":
        return [T("statement.regression", n=len(given["actual"])), T("statement.ask_regression")]
    if "matrix" in given:
        key = "statement.matrix_binary" if mode == "binary" else "statement.matrix_multi"
        return [T(key, n=sum(map(sum, given["matrix"])), labels=labels_of(given)), T(f"statement.ask_{mode}_matrix")]
    text = [T("statement.labels", n=len(given["actual"]), labels=sort_labels(given["actual"] + given["predicted"]))]
    if mode == "binary":
        text.append(T("statement.positive", positive=given["positive"]))
    text.append(T("statement.ask_" + mode))
    return text


def table(given: dict) -> tuple[list, list[list[str]]] | None:
    if "matrix" in given:
        labels = labels_of(given)
        headers = [T("header.actual_predicted"), *labels]
        return headers, [[label, *map(str, row)] for label, row in zip(labels, given["matrix"])]
    headers = [T("header.sample"), T("header.actual"), T("header.predicted")]
    if given["mode"] == "regression":
        return headers, [[str(i), fmt(a), fmt(p)] for i, (a, p) in enumerate(zip(given["actual"], given["predicted"]), 1)]
    return headers, [[str(i), a, p] for i, (a, p) in enumerate(zip(given["actual"], given["predicted"]), 1)]


def parts(given: dict, solution: Solution, difficulty: str) -> list[Part]:
    a = solution.answers
    out: list[Part] = []
    if given["mode"] == "regression":
        for name in ("mse", "rmse", "mae"):
            if a[name] is not None:
                out.append(Part((name,), T(f"prompt.{name}"), "number", a[name], step=name))
        return out
    labels = labels_of(given)
    if "matrix" not in given:
        out.append(Part(("confusion",), T("prompt.confusion", labels=labels), "matrix", a["confusion"],
                        step="confusion"))
    if a["accuracy"] is not None:
        out.append(Part(("accuracy",), T("prompt.accuracy"), "number", a["accuracy"], step="accuracy"))
    if given["mode"] == "binary":
        for name in ("precision", "recall", "f1"):
            if a[name] is not None:
                out.append(Part((name,), T(f"prompt.{name}", positive=labels[0]), "number", a[name], step=name))
        return out
    for label in labels:
        for name in ("precision", "recall", "f1"):
            value = a[name][label]
            if value is not None:
                out.append(Part((name, label), T(f"prompt.class_{name}", label=label), "number", value,
                                step=f"{name}/{label}"))
    for name in ("macro_precision", "macro_recall", "macro_f1"):
        out.append(Part((name,), T(f"prompt.{name}"), "number", a[name], step=name))
    return out


def well_posed(problem: Any) -> None:
    """No undefined ratio, no all-right or all-wrong run; precision ≠ recall so a swap shows."""
    g, a = problem.given, problem.solution.answers
    if g["mode"] == "regression":
        assert 4 <= len(g["actual"]) <= 6 and a["mse"] > 0 and a["mse"] != a["mae"]
        assert all(float(x) == int(x) for x in g["actual"] + g["predicted"])
        return
    assert 6 <= len(g.get("actual", [])) <= 12 or "matrix" in g
    assert 0 < a["accuracy"] < 1
    if g["mode"] == "binary":
        assert None not in (a["precision"], a["recall"], a["f1"])
        assert abs(a["precision"] - a["recall"]) > 0.01
        (tp, fn), (fp, tn) = a["confusion"]
        assert min(tp, fn, fp, tn) >= 1 and fn != fp
        return
    labels = labels_of(g)
    assert len(labels) == 3
    for name in ("precision", "recall", "f1"):
        assert all(v is not None and v > 0 for v in a[name].values())
    assert any(abs(a["precision"][c] - a["recall"][c]) > 0.01 for c in labels)
    p, r = a["macro_precision"], a["macro_recall"]
    assert abs(2 * p * r / (p + r) - a["macro_f1"]) > 0.002
    assert abs(p - r) > 0.01


# --------------------------------------------------------------------------- generating

def _binary(rng: random.Random, difficulty: str) -> dict:
    pos, neg = ("1", "0") if difficulty == "easy" else rng.choice(BINARY_THEMES[1:])
    for _ in attempts():
        n = rng.choice((8, 10)) if difficulty == "easy" else rng.randint(8, 12)
        tp = rng.randint(1, n - 3)
        fn = rng.randint(1, n - tp - 2)
        fp = rng.randint(1, n - tp - fn - 1)
        tn = n - tp - fn - fp
        if fn == fp or abs(tp / (tp + fp) - tp / (tp + fn)) <= 0.01:
            continue
        if difficulty == "easy" and not ({tp + fp, tp + fn} <= {2, 4, 5, 8, 10}):
            continue
        pairs = [(pos, pos)] * tp + [(pos, neg)] * fn + [(neg, pos)] * fp + [(neg, neg)] * tn
        rng.shuffle(pairs)
        return {"mode": "binary", "actual": [a for a, _ in pairs], "predicted": [p for _, p in pairs],
                "positive": pos, "negative": neg}


def _multi(rng: random.Random) -> dict:
    labels = rng.choice(MULTI_THEMES)
    for _ in attempts():
        n = rng.randint(9, 12)
        actual = [rng.choice(labels) for _ in range(n)]
        predicted = [a if rng.random() < 0.6 else rng.choice(labels) for a in actual]
        given = {"mode": "multi", "actual": actual, "predicted": predicted}
        if len(set(actual)) < 3:
            continue
        try:
            well_posed(_Probe(given, solve(given), "hard"))
        except (AssertionError, ZeroDivisionError):
            continue
        return given


def _regression(rng: random.Random) -> dict:
    for _ in attempts():
        n = rng.randint(4, 5)
        actual = [rng.randint(1, 9) for _ in range(n)]
        predicted = [a + rng.choice((-2, -1, 0, 0, 1, 2)) for a in actual]
        given = {"mode": "regression", "actual": actual, "predicted": predicted}
        a = solve(given).answers
        if a["mse"] > 0 and a["mse"] != a["mae"]:
            return given


class _Probe:
    def __init__(self, given: dict, solution: Solution, difficulty: str):
        self.given, self.solution, self.difficulty = given, solution, difficulty


def generate(rng: random.Random, difficulty: str) -> dict:
    if difficulty == "easy":
        return _binary(rng, "easy")
    if difficulty == "medium":
        return _regression(rng) if rng.random() < 0.4 else _binary(rng, "medium")
    return _multi(rng)


# --------------------------------------------------------------------------- reading options

def _label_list(text: str, flag: str) -> list[str]:
    cells = [cell for row in split_rows(text, flag) for cell in row]
    if len(cells) > MAX_SAMPLES:
        raise UserError(T("error.too_many", flag=flag, limit=MAX_SAMPLES))
    for i, cell in enumerate(cells, start=1):
        if not cell:
            raise UserError(T("error.empty_label", flag=flag, index=i))
    return cells


def _numbers(cells: list[str], flag: str) -> list[Any]:
    out = []
    for i, cell in enumerate(cells, start=1):
        try:
            value = parse_number(cell)
        except AnswerError as exc:
            raise UserError(T("error.not_number", flag=flag, index=i, cell=short(cell), reason=exc.message)) from None
        if not math.isfinite(value) or abs(value) > MAX_MAGNITUDE:
            raise UserError(T("error.too_large", flag=flag, index=i, limit="1e12"))
        out.append(_int_if_whole(float(value)))
    return out


def _parse_matrix(rows: list[list[float]]) -> dict:
    k = len(rows)
    if k < 2 or k > MAX_CLASSES or any(len(row) != k for row in rows):
        raise UserError(T("error.matrix_shape", limit=MAX_CLASSES))
    for row in rows:
        for x in row:
            if x != int(x) or x < 0 or x > MAX_COUNT:
                raise UserError(T("error.matrix_count", cell=fmt(x)))
    m = [[int(x) for x in row] for row in rows]
    if sum(map(sum, m)) == 0:
        raise UserError(T("error.matrix_empty"))
    if k == 2:
        return {"mode": "binary", "matrix": m}
    return {"mode": "multi", "matrix": m, "labels": [str(i + 1) for i in range(k)]}


def parse_data(values: dict) -> dict:
    """--actual/--predicted labels (or numbers with --regression), --positive, or --matrix."""
    actual, predicted, matrix = values.get("actual"), values.get("predicted"), values.get("matrix")
    if matrix is not None:
        if actual is not None or predicted is not None or values.get("regression"):
            raise UserError(T("error.matrix_and_labels"))
        return _parse_matrix(matrix)
    if actual is None or predicted is None:
        raise UserError(T("error.need_data"))
    r, y = _label_list(actual, "--actual"), _label_list(predicted, "--predicted")
    if len(r) != len(y):
        raise UserError(T("error.lengths", actual=len(r), predicted=len(y)))
    if values.get("regression"):
        if values.get("positive") is not None:
            raise UserError(T("error.positive_regression"))
        return {"mode": "regression", "actual": _numbers(r, "--actual"), "predicted": _numbers(y, "--predicted")}
    labels = sort_labels(r + y)
    if len(labels) > MAX_CLASSES:
        raise UserError(T("error.too_many_classes", count=len(labels), limit=MAX_CLASSES))
    positive = values.get("positive")
    if positive is not None:
        if positive not in labels:
            matches = [c for c in labels if c.lower() == positive.lower()]
            if not matches:
                raise UserError(T("error.no_positive", positive=short(positive), labels=short(", ".join(labels), 200)))
            positive = matches[0]
    if len(labels) > 2 and positive is None:
        return {"mode": "multi", "actual": r, "predicted": y}
    positive = positive or default_positive(labels)
    others = [c for c in labels if c != positive]
    given = {"mode": "binary", "actual": r, "predicted": y, "positive": positive,
             "negative": others[0] if len(others) == 1 else None}
    if len(others) > 1:
        given["one_vs_rest"] = True
    return given


def as_options(given: dict) -> dict[str, Any]:
    """The `solve metrics` options that pose this problem again."""
    if "matrix" in given:
        return {"matrix": "; ".join(",".join(map(str, row)) for row in given["matrix"]),
                "actual": None, "predicted": None, "positive": None, "regression": False}
    if given["mode"] == "regression":
        return {"actual": ",".join(repr(x) for x in given["actual"]),
                "predicted": ",".join(repr(x) for x in given["predicted"]),
                "regression": True, "positive": None, "matrix": None}
    return {"actual": ",".join(given["actual"]), "predicted": ",".join(given["predicted"]),
            "positive": given["positive"] if given["mode"] == "binary" else None,
            "regression": False, "matrix": None}


def from_bank(entry: dict) -> dict:
    """One bank.toml entry: `matrix` (counts, rows actual), or `actual` + `predicted` (+ `positive`),
    or `regression = true` with numeric lists. A malformed entry is a bug in the shipped data."""
    if "matrix" in entry:
        given = _parse_matrix([[float(x) for x in row] for row in entry["matrix"]])
        if "labels" in entry and given["mode"] == "multi":
            given["labels"] = [str(x) for x in entry["labels"]]
        return given
    values = {"actual": ",".join(map(str, entry["actual"])), "predicted": ",".join(map(str, entry["predicted"])),
              "positive": entry.get("positive"), "regression": bool(entry.get("regression", False)), "matrix": None}
    return parse_data(values)


# --------------------------------------------------------------------------- misconceptions
# Each returns the value the wrong method gives at the checkpoint `path` (texts in
# problems/metrics/text.<lang>.toml, applies_to in misconceptions.toml).

SWAP = {"precision": "recall", "recall": "precision", "macro_precision": "macro_recall",
        "macro_recall": "macro_precision"}


def _swapped(given: dict, path: tuple, student: Any, override: dict) -> Any:
    if path[0] not in SWAP:
        return None
    return answer_at(solve(given, override).answers, (SWAP[path[0]], *path[1:]))


def _transposed(given: dict, path: tuple, student: Any, override: dict) -> Any:
    if path != ("confusion",):
        return None
    m = confusion_of(given)
    return [list(col) for col in zip(*m)]


def _f1_of_means(given: dict, path: tuple, student: Any, override: dict) -> Any:
    if path != ("macro_f1",):
        return None
    a = solve(given, override).answers
    p, r = a["macro_precision"], a["macro_recall"]
    return 2 * p * r / (p + r)


def _arithmetic_f1(given: dict, path: tuple, student: Any, override: dict) -> Any:
    a = solve(given, override).answers
    if path == ("f1",) and given["mode"] == "binary":
        p, r = a["precision"], a["recall"]
        return None if p is None or r is None else (p + r) / 2
    if len(path) == 2 and path[0] == "f1":
        p, r = a["precision"][path[1]], a["recall"][path[1]]
        return None if p is None or r is None else (p + r) / 2
    return None


def _not_averaged(given: dict, path: tuple, student: Any, override: dict) -> Any:
    if path[0] not in ("mse", "mae"):
        return None
    return answer_at(solve(given, override).answers, path) * len(given["actual"])


def _rmse_as_mae(given: dict, path: tuple, student: Any, override: dict) -> Any:
    if path != ("rmse",):
        return None
    return solve(given, override).answers["mae"]


VARIANTS = {
    "precision_recall_swapped": _swapped,
    "confusion_transposed": _transposed,
    "macro_f1_of_means": _f1_of_means,
    "f1_arithmetic_mean": _arithmetic_f1,
    "sum_not_mean": _not_averaged,
    "rmse_as_mae": _rmse_as_mae,
}
