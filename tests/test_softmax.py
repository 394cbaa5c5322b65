"""Softmax regression against an independent oracle (scipy's softmax/log-softmax, a plain loop and
central finite differences), the published CS231n example, the misconceptions by hand, bad input."""

import json
import math
import random

import numpy as np
import pytest
from scipy.special import log_softmax, softmax
from typer.testing import CliRunner

from mlquiz import engine, marking, registry
from mlquiz.cli import app
from mlquiz.errors import UserError
from mlquiz.model import answer_at
from mlquiz.text import Msg, join, render
from mlquiz.topics import softmax as topic
from topic_helpers import declared_misconceptions, diagnosed

runner = CliRunner()
SMALL = {"x": "1,2", "w": "0,1,0;0.5,0,1;0,0,0", "target": "2", "lr": "0.5"}
BATCH = {"x": "1,2;-1,0.5", "w": "0,1,0;0.5,0,1;0,0,0", "target": "2,3", "lr": "0.1"}


# --------------------------------------------------------------------------- the oracle

def oracle_loss(logits, targets):
    """Summed cross-entropy, natural log, from scipy's log-softmax."""
    return float(-sum(log_softmax(np.asarray(row, float))[t - 1] for row, t in zip(logits, targets)))


def plain_gradient(xs, w, targets):
    """A plain loop: for every sample l, class i and feature j (x_0 = 1), add −(r_i − y_i)·x_j."""
    k, width = len(w), len(w[0])
    grad = [[0.0] * width for _ in range(k)]
    for x, t in zip(xs, targets):
        full = [1.0] + list(x)
        scores = [sum(w[i][j] * full[j] for j in range(width)) for i in range(k)]
        top = max(scores)
        exps = [math.exp(s - top) for s in scores]
        total = sum(exps)
        for i in range(k):
            r = 1.0 if i == t - 1 else 0.0
            for j in range(width):
                grad[i][j] += -(r - exps[i] / total) * full[j]
    return np.array(grad)


def loss_of_w(xs, w, targets):
    xs1 = np.hstack([np.ones((len(xs), 1)), np.asarray(xs, float)])
    return oracle_loss(xs1 @ np.asarray(w, float).T, targets)


def numeric_gradient(xs, w, targets, eps=1e-6):
    base = np.asarray(w, float)
    grad = np.zeros_like(base)
    for index in np.ndindex(base.shape):
        plus, minus = base.copy(), base.copy()
        plus[index] += eps
        minus[index] -= eps
        grad[index] = (loss_of_w(xs, plus, targets) - loss_of_w(xs, minus, targets)) / (2 * eps)
    return grad


def check_against_oracle(given, answers):
    if given["kind"] == "logits":
        logits, targets = given["logits"], given["targets"]
    else:
        xs = [s["x"] for s in given["samples"]]
        targets = [s["target"] for s in given["samples"]]
        xs1 = np.hstack([np.ones((len(xs), 1)), np.asarray(xs, float)])
        logits = xs1 @ np.asarray(given["w"], float).T
        np.testing.assert_allclose(np.atleast_2d(answers["logits"]), logits, atol=1e-12)
    np.testing.assert_allclose(np.atleast_2d(answers["probabilities"]), softmax(np.asarray(logits, float), axis=1),
                               atol=1e-12)
    assert answers["loss"] == pytest.approx(oracle_loss(logits, targets), abs=1e-9)
    if given["kind"] == "weights":
        np.testing.assert_allclose(answers["gradient"], plain_gradient(xs, given["w"], targets), atol=1e-12)
        np.testing.assert_allclose(answers["gradient"], numeric_gradient(xs, given["w"], targets), atol=1e-6)
        np.testing.assert_allclose(answers["w_new"], np.asarray(given["w"]) - given["lr"] * np.asarray(
            answers["gradient"]), atol=1e-12)


def random_given(rng):
    k, n = rng.randint(2, 5), rng.randint(1, 4)
    if rng.random() < 0.3:
        return {"kind": "logits", "logits": [[rng.uniform(-6, 6) for _ in range(k)] for _ in range(n)],
                "targets": [rng.randint(1, k) for _ in range(n)]}
    d = rng.randint(1, 3)
    return {"kind": "weights", "lr": rng.choice((0.1, 0.5, 1.0, 0.03)),
            "w": [[rng.uniform(-2, 2) for _ in range(d + 1)] for _ in range(k)],
            "samples": [{"x": [rng.uniform(-2, 2) for _ in range(d)], "target": rng.randint(1, k)} for _ in range(n)]}


def test_random_problems_match_the_oracle():
    rng = random.Random(11)
    for _ in range(200):
        given = random_given(rng)
        check_against_oracle(given, topic.solve(given).answers)


def test_generated_problems_match_the_oracle():
    for difficulty in ("easy", "medium", "hard"):
        for seed in range(40):
            problem = engine.generate("softmax", seed, difficulty)
            check_against_oracle(problem.given, problem.solution.answers)


# --------------------------------------------------------------------------- acceptance and bank

def answers(*args):
    result = runner.invoke(app, ["solve", "softmax", *args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)["answers"]


def test_alias_and_json_with_weights():
    a = answers("--x", "1,2", "--w", "0,1,0;0.5,0,1;0,0,0", "--target", "2", "--lr", "0.5")
    assert set(a) == {"logits", "probabilities", "loss", "gradient", "w_new"}
    assert a["logits"] == pytest.approx([1.0, 2.5, 0.0])
    e = np.exp([1.0, 2.5, 0.0])
    assert a["probabilities"] == pytest.approx(list(e / e.sum()))
    assert a["loss"] == pytest.approx(-math.log(e[1] / e.sum()))
    assert registry.info("multiclass").name == "softmax"


def test_logits_only_gives_probabilities_and_loss():
    a = answers("--logits", "2,1,0.1", "--target", "1")
    assert set(a) == {"probabilities", "loss"}
    assert a["probabilities"] == pytest.approx([0.6590, 0.2424, 0.0986], abs=1e-4)
    assert a["loss"] == pytest.approx(0.4170, abs=1e-4)


def test_large_logits_do_not_overflow():
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        a = engine.from_data("softmax", {"logits": "1000,0,-1000", "target": "2"}).solution.answers
    assert a["probabilities"] == [1.0, 0.0, 0.0]
    assert a["loss"] == pytest.approx(1000.0)
    a = answers("--logits", "1000,1001,999", "--target", "2")
    assert a["probabilities"] == pytest.approx(list(softmax([0.0, 1.0, -1.0])))
    assert a["loss"] == pytest.approx(-log_softmax([0.0, 1.0, -1.0])[1])
    a = answers("--x", "1000", "--w", "0,1;0,-1", "--target", "2")
    assert a["loss"] == pytest.approx(2000.0)
    np.testing.assert_allclose(a["gradient"], [[1, 1000], [-1, -1000]])


def test_bank_cs231n_svm_vs_softmax():
    """CS231n 'Linear classification', SVM vs. Softmax figure: [0.016, 0.631, 0.353], loss 1.04."""
    entries = engine.bank_entries("softmax")
    index = [e["id"] for e in entries].index("cs231n-svm-vs-softmax")
    problem = engine.from_bank("softmax", index)
    a = problem.solution.answers
    assert a["probabilities"] == pytest.approx([0.016, 0.631, 0.353], abs=6e-4)
    assert round(a["loss"], 2) == 1.04
    scores, correct = problem.given["logits"][0], problem.given["targets"][0] - 1
    hinge = sum(max(0.0, s - scores[correct] + 1) for j, s in enumerate(scores) if j != correct)
    assert round(hinge, 2) == 1.58  # the caption's SVM loss: the transcribed scores are the figure's
    assert problem.citation.startswith("Stanford CS231n")


def test_bank_cs231n_regularised_scores():
    """CS231n: [1, -2, 0] → [2.71, 0.14, 1] → [0.7, 0.04, 0.26] (the notes print two digits)."""
    entries = engine.bank_entries("softmax")
    index = [e["id"] for e in entries].index("cs231n-regularised-scores")
    a = engine.from_bank("softmax", index).solution.answers
    assert [round(p, 2) for p in a["probabilities"]] == [0.71, 0.04, 0.26]
    assert a["probabilities"] == pytest.approx([0.7, 0.04, 0.26], abs=0.006)


def test_every_bank_entry_has_a_source_and_titles():
    for i, entry in enumerate(engine.bank_entries("softmax")):
        assert entry["source"].strip()
        for lang in ("en", "zh"):
            assert render(Msg(f"softmax.bank.{entry['id']}"), lang)
        engine.from_bank("softmax", i)


# --------------------------------------------------------------------------- structure

def every_problem():
    for difficulty in ("easy", "medium", "hard"):
        for seed in range(30):
            yield engine.generate("softmax", seed, difficulty)
    yield engine.from_data("softmax", SMALL)
    yield engine.from_data("softmax", BATCH)
    yield engine.from_data("softmax", {"logits": "1,2;3,4;0,0", "target": "1,2,2"})


def test_every_text_resolves_and_every_answer_comes_from_a_step():
    declared = set(registry.info("softmax").answers)
    for problem in every_problem():
        for lang in ("en", "zh"):
            assert join(problem.statement, lang)
            for step in problem.solution.steps:
                for item in (step.title, step.formula, *step.lines):
                    render(item, lang) if isinstance(item, Msg) else item
            for note in problem.solution.notes:
                render(note, lang)
        produced = {path for step in problem.solution.steps for path in step.answers}
        assert {(name,) for name in problem.solution.answers} == produced
        assert set(problem.solution.answers) <= declared
        for part in problem.parts:
            assert answer_at(problem.solution.answers, part.path) == part.expected


def test_generated_problems_are_well_posed_and_hand_sized():
    for problem in every_problem():
        if problem.source != "random":
            continue
        topic.well_posed(problem)
        g = problem.given
        if problem.difficulty == "easy":
            assert g["kind"] == "logits" and all(v == int(v) for v in g["logits"][0])
        else:
            assert g["kind"] == "weights" and g["lr"] in (0.1, 0.5, 1.0)
            assert all(v * 2 == int(v * 2) for row in g["w"] for v in row)
            assert (len(g["samples"]) == 1) == (problem.difficulty == "medium")
    degenerate = engine.generate("softmax", 0, "easy")
    degenerate.solution.answers["probabilities"] = [0.995, 0.004, 0.001]
    with pytest.raises(AssertionError):
        topic.well_posed(degenerate)


def test_as_options_poses_the_same_problem_again():
    for problem in every_problem():
        again = engine.from_data("softmax", topic.as_options(problem.given))
        assert again.given == problem.given


def test_carried_forward_values_flow_through_the_derivation():
    given = engine.from_data("softmax", SMALL).given
    own_logits = [0.0, 1.0, 0.0]
    carried = topic.solve(given, {("logits",): own_logits}).answers
    assert carried["probabilities"] == pytest.approx(list(softmax(own_logits)))
    own_y = [0.2, 0.7, 0.1]
    carried = topic.solve(given, {("probabilities",): own_y}).answers
    assert carried["loss"] == pytest.approx(-math.log(0.7))
    np.testing.assert_allclose(carried["gradient"], [[0.2, 0.2, 0.4], [-0.3, -0.3, -0.6], [0.1, 0.1, 0.2]])
    own_g = [[1, 0, 0], [0, 1, 0], [0, 0, 1]]
    carried = topic.solve(given, {("gradient",): own_g}).answers
    np.testing.assert_allclose(carried["w_new"], np.array(given["w"]) - 0.5 * np.array(own_g))


def test_check_marks_a_carried_error_right_downstream():
    problem = engine.from_data("softmax", SMALL)
    parts = marking.checkpoints(problem)
    work = marking.parse_work(["logits=0,1,0", "probabilities=0.2119,0.5761,0.2119", "loss=0.5514"], parts)
    report = marking.mark(problem, work)
    status = {m.part.name: m.status for m in report.marks}
    assert status["logits"] == "wrong"
    assert status["probabilities"] in ("right", "carried") and status["loss"] in ("right", "carried")


# --------------------------------------------------------------------------- misconceptions

def test_misconceptions_are_declared_and_explained():
    assert len(declared_misconceptions("softmax", topic.VARIANTS)) >= 3


def test_misconceptions_by_hand_on_one_sample():
    problem = engine.from_data("softmax", SMALL)
    e = np.exp([1.0, 2.5, 0.0])
    y = e / e.sum()
    x1 = np.array([1.0, 1.0, 2.0])
    w = np.array([[0, 1, 0], [0.5, 0, 1], [0, 0, 0]], float)
    r = np.array([0.0, 1.0, 0.0])
    assert diagnosed(problem, "loss", float(-math.log2(y[1]))) == "log2_loss"
    assert diagnosed(problem, "loss", float(-math.log10(y[1]))) == "log10_loss"
    assert diagnosed(problem, "loss", float(-np.sum(r * np.log(y) + (1 - r) * np.log(1 - y)))) == \
        "binary_cross_entropy"
    sig = 1 / (1 + np.exp(-np.array([1.0, 2.5, 0.0])))
    assert diagnosed(problem, "probabilities", sig.tolist()) == "sigmoid_probabilities"
    grad = np.outer(y - r, x1)
    assert diagnosed(problem, "gradient", (-grad).tolist()) == "gradient_sign"
    assert diagnosed(problem, "w_new", (w + 0.5 * grad).tolist()) == "gradient_sign"
    only = np.zeros_like(grad)
    only[1] = grad[1]
    assert diagnosed(problem, "gradient", only.tolist()) == "true_class_only"
    assert diagnosed(problem, "w_new", (w - grad).tolist()) == "no_learning_rate"
    # averaging only differs from summing with several samples
    assert topic.VARIANTS["averaged_loss"](problem.given, ("loss",), None, {}) is None
    # a right value is never named
    for part in problem.parts:
        assert diagnosed(problem, part.name, part.expected) is None


def test_averaged_loss_and_gradient_on_a_batch():
    problem = engine.from_data("softmax", BATCH)
    a = problem.solution.answers
    assert diagnosed(problem, "loss", a["loss"] / 2) == "averaged_loss"
    assert diagnosed(problem, "gradient", (np.array(a["gradient"]) / 2).tolist()) == "averaged_loss"
    w_avg = np.array(problem.given["w"]) - 0.1 * np.array(a["gradient"]) / 2
    assert diagnosed(problem, "w_new", w_avg.tolist()) == "averaged_loss"


def test_every_misconception_fires_on_generated_problems():
    from mlquiz.conformance import check_marking

    fired = set()
    for problem in list(every_problem())[::3]:
        fired |= check_marking(problem)
    assert fired == set(topic.VARIANTS)


# --------------------------------------------------------------------------- bad input

@pytest.mark.parametrize("raw, key", [
    ({**SMALL, "logits": "1,2,3"}, "softmax.error.both"),
    ({"target": "1"}, "softmax.error.needs"),
    ({"x": "1,2", "target": "1"}, "softmax.error.needs"),
    ({**SMALL, "w": "0,1,0"}, "softmax.error.classes"),
    ({"logits": "3", "target": "1"}, "softmax.error.classes"),
    ({**SMALL, "w": "0,1;0,1;0,1"}, "softmax.error.w_width"),
    ({**SMALL, "target": None}, "softmax.error.target_needed"),
    ({"logits": "1,2,3"}, "softmax.error.target_needed"),
    ({**SMALL, "target": "1,2"}, "softmax.error.target_count"),
    ({**SMALL, "target": "4"}, "softmax.error.target_range"),
    ({**SMALL, "target": "0"}, "softmax.error.target_range"),
    ({"logits": "1,2,3", "target": "1.5"}, "softmax.error.target_range"),
    ({"logits": ",".join(["1"] * 11), "target": "1"}, "softmax.error.too_big"),
    ({**SMALL, "x": "1e7,1"}, "softmax.error.too_large"),
    ({"logits": "1e300,0", "target": "1"}, "softmax.error.too_large"),
])
def test_bad_user_data_is_one_clear_line(raw, key):
    with pytest.raises(UserError) as caught:
        engine.from_data("softmax", raw)
    assert caught.value.message.key == key
    for lang in ("en", "zh"):
        text = render(caught.value.message, lang)
        assert text and "\n" not in text and "{" not in text


@pytest.mark.parametrize("change", [{"lr": "0"}, {"lr": "-1"}, {"lr": "101"}, {"target": "1;2"}, {"x": "a"}])
def test_options_are_read_and_range_checked_generically(change):
    with pytest.raises(UserError):
        engine.from_data("softmax", {**SMALL, **change})


def test_cli_error_is_one_line():
    result = runner.invoke(app, ["solve", "softmax", "--logits", "1,2", "--target", "3"])
    assert result.exit_code == 2, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("mlquiz: error:")
