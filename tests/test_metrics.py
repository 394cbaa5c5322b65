"""Evaluation metrics against scikit-learn (sklearn.metrics) and a plain counting loop written here
(never the solver's own code); the published examples; misconceptions worked by hand; bad input."""

import json
import math
import tomllib
from pathlib import Path

import numpy as np
import pytest
from sklearn import metrics as skm
from typer.testing import CliRunner

from mlquiz import engine, marking, text
from mlquiz.cli import app
from mlquiz.errors import UserError
from mlquiz.topics import metrics
from topic_helpers import declared_misconceptions, diagnosed

FOLDER = Path(metrics.__file__).resolve().parents[2] / "problems" / "metrics"
runner = CliRunner()


def user(**raw):
    """A problem from the user's own options, typed as on the command line."""
    return engine.from_data("metrics", raw)


# --------------------------------------------------------------------------- the independent oracle

def _sorted_labels(labels):
    unique = set(labels)
    try:
        return sorted(unique, key=float)
    except ValueError:
        return sorted(unique)


def _loop_ratio(num, den):
    return None if den == 0 else num / den


def oracle(given):
    """The answers from sklearn.metrics plus a plain counting loop (binary: positive first)."""
    if given["mode"] == "regression":
        r, y = np.array(given["actual"], float), np.array(given["predicted"], float)
        mse = skm.mean_squared_error(r, y)
        return {"mse": mse, "rmse": math.sqrt(mse), "mae": skm.mean_absolute_error(r, y)}
    if "matrix" in given:  # expand the counts back into label pairs
        labels = ["P", "N"] if given["mode"] == "binary" else list(given["labels"])
        actual, predicted = [], []
        for i, row in enumerate(given["matrix"]):
            for j, count in enumerate(row):
                actual += [labels[i]] * count
                predicted += [labels[j]] * count
        positive = "P"
    else:
        actual, predicted = list(given["actual"]), list(given["predicted"])
        positive = given.get("positive")
        labels = _sorted_labels(actual + predicted)
    if given["mode"] == "binary":
        a = [x == positive for x in actual]
        p = [x == positive for x in predicted]
        cm = skm.confusion_matrix(a, p, labels=[True, False]).tolist()
        precision, recall, f1, _ = skm.precision_recall_fscore_support(a, p, labels=[True], zero_division=np.nan)
        # the plain loop
        tp = sum(1 for x, z in zip(a, p) if x and z)
        fp = sum(1 for x, z in zip(a, p) if not x and z)
        fn = sum(1 for x, z in zip(a, p) if x and not z)
        loop = {"precision": _loop_ratio(tp, tp + fp), "recall": _loop_ratio(tp, tp + fn),
                "f1": _loop_ratio(2 * tp, 2 * tp + fp + fn)}
        out = {"confusion": cm, "accuracy": skm.accuracy_score(a, p)}
        for name, value in (("precision", precision[0]), ("recall", recall[0]), ("f1", f1[0])):
            out[name] = None if np.isnan(value) else float(value)
            assert (out[name] is None) == (loop[name] is None)
            assert out[name] is None or math.isclose(out[name], loop[name])
        return out
    cm = skm.confusion_matrix(actual, predicted, labels=labels).tolist()
    precision, recall, f1, _ = skm.precision_recall_fscore_support(actual, predicted, labels=labels,
                                                                   zero_division=np.nan)
    out = {"confusion": cm, "accuracy": skm.accuracy_score(actual, predicted)}
    for name, values in (("precision", precision), ("recall", recall), ("f1", f1)):
        out[name] = {str(c): (None if np.isnan(v) else float(v)) for c, v in zip(labels, values)}
    for name, fn in (("macro_precision", skm.precision_score), ("macro_recall", skm.recall_score),
                     ("macro_f1", skm.f1_score)):
        out[name] = fn(actual, predicted, labels=labels, average="macro", zero_division=0.0)
    return out


def close(x, y, where=""):
    if isinstance(y, dict):
        assert isinstance(x, dict) and set(x) == set(map(str, y)), where
        for k in y:
            close(x[str(k)], y[k], f"{where}[{k}]")
    elif isinstance(y, list):
        assert isinstance(x, list) and len(x) == len(y), where
        for i, (a, b) in enumerate(zip(x, y)):
            close(a, b, f"{where}[{i}]")
    elif y is None:
        assert x is None, where
    else:
        assert x is not None and math.isclose(float(x), float(y), rel_tol=1e-9, abs_tol=1e-12), (where, x, y)


def check_against_oracle(given, answers):
    expected = oracle(given)
    assert set(answers) == set(expected), (set(answers), set(expected))
    for key, value in expected.items():
        close(answers[key], value, key)


def test_generated_problems_against_the_oracle():
    for difficulty in ("easy", "medium", "hard"):
        for seed in range(40):
            problem = engine.generate("metrics", seed, difficulty)
            check_against_oracle(problem.given, problem.solution.answers)


@pytest.mark.parametrize("raw", [
    {"actual": "1,0,1,1,0,1", "predicted": "1,1,0,1,0,0"},
    {"actual": "yes,no,no,yes", "predicted": "no,no,yes,yes"},
    {"actual": "spam,ham,ham", "predicted": "ham,ham,ham"},          # no positive predicted: precision undefined
    {"actual": "cat,dog,bird,cat,cat,dog", "predicted": "cat,cat,bird,dog,cat,dog"},
    {"actual": "a,b,c,a", "predicted": "a,a,a,d"},                    # classes never predicted / never actual
    {"actual": "2,10,1,2", "predicted": "10,10,1,1"},                 # numeric labels sort as numbers
    {"actual": "a,b,c,a", "predicted": "a,c,b,a", "positive": "A"},   # one against the rest, any case
    {"matrix": "3,1;2,4"},
    {"matrix": "0,3;0,5"},
    {"matrix": "5,1,0;2,3,1;0,0,4"},
    {"actual": "3,-0.5,2,7", "predicted": "2.5,0,2,8", "regression": True},
    {"actual": "1/2,1", "predicted": "0,3/2", "regression": True},
])
def test_user_data_against_the_oracle(raw):
    problem = user(**raw)
    check_against_oracle(problem.given, problem.solution.answers)


# --------------------------------------------------------------------------- published numbers

def test_sklearn_classification_report_example():
    """y_true = [0, 1, 2, 2, 2], y_pred = [0, 0, 2, 2, 1] (scikit-learn's classification_report docs)."""
    a = user(actual="0,1,2,2,2", predicted="0,0,2,2,1").solution.answers
    assert [round(a["precision"][c], 2) for c in "012"] == [0.50, 0.00, 1.00]
    assert [round(a["recall"][c], 2) for c in "012"] == [1.00, 0.00, 0.67]
    assert [round(a["f1"][c], 2) for c in "012"] == [0.67, 0.00, 0.80]
    assert a["accuracy"] == pytest.approx(0.6)
    assert a["confusion"] == [[1, 0, 0], [1, 0, 0], [0, 1, 2]]


def test_sklearn_regression_example():
    """y_true = [3, -0.5, 2, 7], y_pred = [2.5, 0.0, 2, 8]: MSE 0.375, MAE 0.5 (scikit-learn docs)."""
    a = user(actual="3,-0.5,2,7", predicted="2.5,0.0,2,8", regression=True).solution.answers
    assert a["mse"] == pytest.approx(0.375) and a["mae"] == pytest.approx(0.5)
    assert a["rmse"] == pytest.approx(math.sqrt(0.375))


def test_bank_entries_match_their_sources():
    entries = tomllib.loads((FOLDER / "bank.toml").read_text())["problem"]
    assert len(entries) >= 1 and all(e["source"].strip() for e in entries)
    found = {}
    for i, entry in enumerate(entries):
        problem = engine.from_bank("metrics", i)
        check_against_oracle(problem.given, problem.solution.answers)
        found[entry["id"]] = problem.solution.answers
    report = found["sklearn-classification-report"]
    assert [round(report["f1"][c], 2) for c in "012"] == [0.67, 0.00, 0.80]
    assert [round(report["recall"][c], 2) for c in "012"] == [1.00, 0.00, 0.67]
    errors = found["sklearn-regression-errors"]
    assert errors["mse"] == pytest.approx(0.375) and errors["mae"] == pytest.approx(0.5)


# --------------------------------------------------------------------------- the conventions

def test_binary_layout_is_positive_first():
    a = user(actual="1,1,1,0,0,0,0", predicted="1,0,0,1,0,0,0").solution.answers
    assert a["confusion"] == [[1, 2], [1, 3]]  # [[TP, FN], [FP, TN]]
    assert a["precision"] == pytest.approx(1 / 2) and a["recall"] == pytest.approx(1 / 3)
    assert a["f1"] == pytest.approx(2 / (2 + 1 + 2))


@pytest.mark.parametrize("actual, predicted, positive", [
    ("0,1,1", "1,1,0", "1"), ("no,YES,no", "YES,no,no", "YES"), ("b,a,b", "a,a,b", "b"),
    ("False,TRUE,False", "TRUE,TRUE,False", "TRUE"), ("neg,Positive,neg", "neg,neg,neg", "Positive"),
])
def test_default_positive_class(actual, predicted, positive):
    assert user(actual=actual, predicted=predicted).given["positive"] == positive


def test_multi_class_labels_sorted_and_macro_f1_is_mean_of_per_class_f1():
    problem = user(actual="c,a,b,a,c,c", predicted="c,b,b,a,a,c")
    a = problem.solution.answers
    assert list(a["precision"]) == ["a", "b", "c"] and a["confusion"] == [[1, 1, 0], [0, 1, 0], [1, 0, 2]]
    f1 = [a["f1"][c] for c in "abc"]
    assert a["macro_f1"] == pytest.approx(sum(f1) / 3)
    p, r = a["macro_precision"], a["macro_recall"]
    assert a["macro_f1"] != pytest.approx(2 * p * r / (p + r))


def test_undefined_is_null_and_counts_as_zero_in_the_macro_average():
    problem = user(actual="a,b,c,a", predicted="a,a,a,d")  # b, c never predicted; d never actual
    a = problem.solution.answers
    assert a["precision"]["b"] is None and a["precision"]["c"] is None
    assert a["recall"]["d"] is None
    assert a["precision"]["a"] == pytest.approx(1 / 3) and a["precision"]["d"] == 0
    assert a["macro_precision"] == pytest.approx((1 / 3 + 0 + 0 + 0) / 4)
    assert a["macro_recall"] == pytest.approx((1 / 2 + 0 + 0 + 0) / 4)
    assert json.loads(json.dumps(a))["precision"]["b"] is None
    asked = {p.name for p in problem.parts}
    assert "precision[b]" not in asked and "recall[d]" not in asked
    binary = user(matrix="0,3;0,5")
    assert binary.solution.answers["precision"] is None and binary.solution.answers["f1"] == 0
    result = runner.invoke(app, ["solve", "metrics", "--matrix", "0,3;0,5"])
    assert result.exit_code == 0 and "undefined" in result.output
    out = runner.invoke(app, ["solve", "metrics", "--matrix", "0,3;0,5", "--json"])
    assert json.loads(out.output)["answers"]["precision"] is None


def test_negative_numbers_as_separate_arguments():
    result = runner.invoke(app, ["solve", "metrics", "--regression", "--actual", "-1,2", "--predicted", "1,2",
                                 "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["answers"]["mse"] == pytest.approx(2.0)


def test_generated_problems_are_hand_computable():
    for difficulty in ("easy", "medium", "hard"):
        for seed in range(30):
            problem = engine.generate("metrics", seed, difficulty)
            g = problem.given
            if g["mode"] == "regression":
                assert 4 <= len(g["actual"]) <= 6 and all(isinstance(x, int) for x in g["actual"] + g["predicted"])
            else:
                assert 6 <= len(g["actual"]) <= 12
            if difficulty == "easy":
                (tp, fn), (fp, tn) = problem.solution.answers["confusion"]
                assert tp + fp in (2, 4, 5, 8, 10) and tp + fn in (2, 4, 5, 8, 10)


def test_options_typed_back_pose_the_same_problem():
    for difficulty in ("easy", "medium", "hard"):
        for seed in range(10):
            problem = engine.generate("metrics", seed, difficulty)
            again = engine.from_data("metrics", metrics.as_options(problem.given))
            assert again.solution.answers == problem.solution.answers


# --------------------------------------------------------------------------- bad input

@pytest.mark.parametrize("raw, fragment", [
    ({"actual": "1,0,1", "predicted": "1,0"}, "--actual has 3"),
    ({"actual": "1,0,1"}, "--predicted"),
    ({"actual": "1,,1", "predicted": "1,0,1"}, "empty"),
    ({"actual": "a,b", "predicted": "a,b", "regression": True}, "not a number"),
    ({"actual": "1,0", "predicted": "1,0", "positive": "maybe"}, "none of the labels"),
    ({"matrix": "1,2,3;4,5,6"}, "square"),
    ({"matrix": "1.5,2;3,4"}, "whole count"),
    ({"matrix": "0,0;0,0"}, "every count is 0"),
    ({"matrix": "1,2;3,4", "actual": "1", "predicted": "1"}, "either --matrix"),
    ({"actual": "1e999,1", "predicted": "1,1", "regression": True}, "--actual"),
    ({"actual": "1,2", "predicted": "1,2", "regression": True, "positive": "1"}, "--positive"),
])
def test_bad_input_is_one_line(raw, fragment):
    with pytest.raises(UserError) as err:
        user(**raw)
    message = str(err.value)
    assert "\n" not in message.strip() and fragment in message, message


# --------------------------------------------------------------------------- misconceptions

def test_misconception_data_and_texts():
    items = declared_misconceptions("metrics", metrics.VARIANTS)
    assert len(items) >= 3
    assert {"precision_recall_swapped", "confusion_transposed", "macro_f1_of_means"} <= set(items)


def test_misconceptions_worked_by_hand():
    # TP = 2, FN = 2, FP = 1, TN = 1: P = 2/3, R = 1/2, F1 = 4/7.
    binary = user(actual="1,0,1,1,0,1", predicted="1,1,0,1,0,0")
    assert diagnosed(binary, "precision", 0.5) == "precision_recall_swapped"
    assert diagnosed(binary, "recall", 2 / 3) == "precision_recall_swapped"
    assert diagnosed(binary, "confusion", [[2, 1], [2, 1]]) == "confusion_transposed"
    assert diagnosed(binary, "f1", (2 / 3 + 1 / 2) / 2) == "f1_arithmetic_mean"
    assert diagnosed(binary, "precision", 2 / 3) is None  # the right value names nothing
    assert diagnosed(binary, "f1", 4 / 7) is None

    # a: P = 1/2, R = 1/2; b: P = 1/2, R = 1; c: P = 1, R = 2/3  (labels a, b, c)
    multi = user(actual="c,a,b,a,c,c", predicted="c,b,b,a,a,c")
    a = multi.solution.answers
    p, r = a["macro_precision"], a["macro_recall"]
    assert p == pytest.approx((1 / 2 + 1 / 2 + 1) / 3) and r == pytest.approx((1 / 2 + 1 + 2 / 3) / 3)
    assert diagnosed(multi, "macro_f1", 2 * p * r / (p + r)) == "macro_f1_of_means"
    assert diagnosed(multi, "macro_precision", r) == "precision_recall_swapped"
    assert diagnosed(multi, "precision[b]", 1.0) == "precision_recall_swapped"
    assert diagnosed(multi, "f1[b]", (1 / 2 + 1) / 2) == "f1_arithmetic_mean"

    # errors 0.5, −0.5, 0, −1: Σe² = 1.5, Σ|e| = 2, N = 4.
    reg = user(actual="3,-0.5,2,7", predicted="2.5,0,2,8", regression=True)
    assert diagnosed(reg, "mse", 1.5) == "sum_not_mean"
    assert diagnosed(reg, "mae", 2.0) == "sum_not_mean"
    assert diagnosed(reg, "rmse", 0.5) == "rmse_as_mae"
    assert diagnosed(reg, "rmse", math.sqrt(0.375)) is None


def test_carried_forward_from_the_students_confusion_matrix():
    problem = user(actual="1,0,1,1,0,1", predicted="1,1,0,1,0,0")
    parts = marking.checkpoints(problem)
    work = marking.parse_work(["confusion=2,1;2,1", "accuracy=0.5", "precision=0.5", "recall=0.6667",
                               "f1=0.5714"], parts)
    report = marking.mark(problem, work)
    statuses = {m.part.name: m.status for m in report.marks}
    assert statuses["confusion"] == "wrong"
    assert statuses["precision"] == "carried" and statuses["recall"] == "carried"
    assert report.marks[0].misconception.id == "confusion_transposed"


# --------------------------------------------------------------------------- text is data

def test_every_text_resolves_in_both_languages():
    for difficulty in ("easy", "medium", "hard"):
        for seed in range(8):
            problem = engine.generate("metrics", seed, difficulty)
            for lang in ("en", "zh"):
                assert text.join(problem.statement, lang)
                for step in problem.solution.steps:
                    text.render(step.title, lang), text.render(step.formula, lang)


def test_conformance():
    from mlquiz.conformance import check_topic
    check_topic("metrics")
