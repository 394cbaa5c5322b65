"""Logistic regression against an independent oracle (plain loops and central finite differences;
scikit-learn's log_loss is in the slow sweep, tests/test_oracle_logistic.py), the published Jurafsky & Martin examples, the misconceptions by hand and
one-line errors for bad input."""

import math

import numpy as np
import pytest

from mlquiz import engine, marking
from mlquiz.answers import Answer
from mlquiz.errors import UserError
from mlquiz.model import answer_at
from mlquiz.topics import logistic
from topic_helpers import declared_misconceptions

SMALL = {"data": "1,2,1; -1,0,0; 2,-1,0", "w": "0.1,0.2,-0.3", "lr": "0.5"}


# --------------------------------------------------------------------------- the oracle (written here)

def oracle_loss(samples, w):
    """−Σ[r ln y + (1 − r) ln(1 − y)], one sample at a time with math only."""
    total = 0.0
    for s in samples:
        a = w[0] + sum(wj * xj for wj, xj in zip(w[1:], s["x"]))
        y = 1 / (1 + math.exp(-a))
        total += -math.log(y) if s["r"] == 1 else -math.log(1 - y)
    return total


def fd_gradient(samples, w, h=1e-6):
    """Central finite differences of the summed loss."""
    out = []
    for j in range(len(w)):
        up, down = list(w), list(w)
        up[j] += h
        down[j] -= h
        out.append((oracle_loss(samples, up) - oracle_loss(samples, down)) / (2 * h))
    return out


def oracle(given):
    samples, w = given["samples"], list(given["w"])
    activations = [w[0] + sum(wj * xj for wj, xj in zip(w[1:], s["x"])) for s in samples]
    probabilities = [1 / (1 + math.exp(-a)) for a in activations]
    gradient = fd_gradient(samples, w)
    current = list(w)
    for _ in range(given["steps"]):
        g = fd_gradient(samples, current)
        current = [c - given["lr"] * gj for c, gj in zip(current, g)]
    return {"activations": activations, "probabilities": probabilities, "loss": oracle_loss(samples, w),
            "predictions": [1 if y >= 0.5 else 0 for y in probabilities], "gradient": gradient,
            "w_new": current, "loss_new": oracle_loss(samples, current)}


def assert_matches_oracle(problem):
    got, want = problem.solution.answers, oracle(problem.given)
    for key in ("activations", "probabilities", "loss", "gradient", "w_new", "loss_new"):
        np.testing.assert_allclose(got[key], want[key], rtol=1e-6, atol=1e-6, err_msg=f"{key} seed {problem.seed}")
    assert got["predictions"] == want["predictions"]


@pytest.mark.parametrize("difficulty", ["easy", "medium", "hard"])
def test_generated_problems_match_the_oracle(difficulty):
    for seed in range(40):
        assert_matches_oracle(engine.generate("logistic", seed, difficulty))


# --------------------------------------------------------------------------- published examples

def test_jurafsky_martin_one_gradient_step():
    """SLP3, Logistic Regression, 'Working through an example': x = (3, 2), y = 1, θ = 0, η = 0.1:
    gradient (w1, w2, b) = (−1.5, −1.0, −0.5), θ¹ = (.15, .1, .05). Here w0 (the bias) comes first."""
    answers = engine.from_data("logistic", {"data": "3,2,1", "w": "0,0,0", "lr": "0.1"}).solution.answers
    assert answers["probabilities"] == [0.5]
    assert answers["gradient"] == pytest.approx([-0.5, -1.5, -1.0])
    assert answers["w_new"] == pytest.approx([0.05, 0.15, 0.1])
    assert answers["loss"] == pytest.approx(math.log(2))


def test_jurafsky_martin_sentiment_probability():
    """SLP3, Eq. 4.8: σ([2.5, −5.0, −1.2, 0.5, 2.0, 0.7]·[3, 2, 1, 3, 0, 4.19] + 0.1) = σ(.833) = 0.70."""
    answers = engine.from_data("logistic", {"data": "3,2,1,3,0,4.19,1",
                                            "w": "0.1,2.5,-5.0,-1.2,0.5,2.0,0.7"}).solution.answers
    assert answers["activations"] == pytest.approx([0.833])
    assert round(answers["probabilities"][0], 2) == 0.70


def test_bank_entries_give_their_printed_numbers():
    entries = {entry["id"]: i for i, entry in enumerate(engine.bank_entries("logistic"))}
    step = engine.from_bank("logistic", entries["slp-sgd-step"]).solution.answers
    assert step["gradient"] == pytest.approx([-0.5, -1.5, -1.0]) and step["w_new"] == pytest.approx([0.05, 0.15, 0.1])
    review = engine.from_bank("logistic", entries["slp-sentiment-features"]).solution.answers
    assert review["activations"] == pytest.approx([0.833]) and round(review["probabilities"][0], 2) == 0.70
    for entry in engine.bank_entries("logistic"):
        assert entry["source"].strip()


# --------------------------------------------------------------------------- conventions

def test_loss_and_gradient_are_sums_with_natural_log():
    given = engine.from_data("logistic", {"data": "1,1; 2,0", "w": "0,0"}).given
    answers = logistic.solve(given).answers
    assert answers["loss"] == pytest.approx(2 * math.log(2))       # summed, ln
    assert answers["gradient"] == pytest.approx([0.0, -0.5 + 1.0])  # −Σ(r − y)x = −(0.5·1 − 0.5·2)


def test_prediction_threshold_is_inclusive():
    answers = engine.from_data("logistic", {"data": "0,1; 1,0; -1,0", "w": "0,1"}).solution.answers
    assert answers["predictions"] == [1, 1, 0]  # y = 0.5 exactly → 1


def test_several_steps_recompute_the_gradient():
    given = engine.from_data("logistic", {**SMALL, "steps": "3"}).given
    w = np.array(given["w"])
    for _ in range(3):
        w = w - 0.5 * np.array(fd_gradient(given["samples"], list(w)))
    np.testing.assert_allclose(logistic.solve(given).answers["w_new"], w, atol=1e-6)
    steps = [s.id for s in logistic.solve(given).steps]
    assert steps[-4:] == ["update/1", "update/2", "update/3", "loss_new"]


def test_large_activations_do_not_overflow():
    with np.errstate(over="raise", divide="raise", invalid="raise"):
        answers = engine.from_data("logistic", {"data": "1000,0; -1000,1", "w": "0,1"}).solution.answers
    assert answers["probabilities"][0] == 1.0 and answers["loss"] == pytest.approx(2000.0)
    assert all(math.isfinite(v) for v in answers["gradient"] + answers["w_new"] + [answers["loss_new"]])


def test_carried_forward_values_flow_through_the_derivation():
    given = engine.from_data("logistic", SMALL).given
    right = logistic.solve(given).answers
    own = [0.5, 0.5, 0.5]
    carried = logistic.solve(given, {("probabilities",): own}).answers
    assert carried["probabilities"] == right["probabilities"]
    assert carried["loss"] == pytest.approx(3 * math.log(2))
    assert carried["gradient"] == pytest.approx([-(0.5 - 0.5 - 0.5), -(0.5 * 1 + 0.5 + -0.5 * 2), -(0.5 * 2 + 0.5)])
    own_gradient = [1.0, -1.0, 2.0]
    carried = logistic.solve(given, {("gradient",): own_gradient}).answers
    assert carried["w_new"] == pytest.approx([0.1 - 0.5, 0.2 + 0.5, -0.3 - 1.0])


def test_csv_file_with_header_and_target(tmp_path):
    path = tmp_path / "exam.csv"
    path.write_text("pass,hours,sleep\n1,2,3\n0,1,1\n1,3,0\n", encoding="utf-8")
    answers = engine.from_data("logistic", {"data": str(path), "target": "pass"}).solution.answers
    same = engine.from_data("logistic", {"data": "2,3,1; 1,1,0; 3,0,1"}).solution.answers
    assert answers == same
    assert engine.from_data("logistic", {"data": str(path), "target": "1"}).solution.answers == same


# --------------------------------------------------------------------------- misconceptions

def test_misconceptions_are_declared_and_explained():
    assert len(declared_misconceptions("logistic", logistic.VARIANTS)) >= 3


def _named(problem, name, value):
    part = next(p for p in problem.parts if p.name == name)
    found = marking.diagnose(problem, part, Answer(value, [None] * len(value) if isinstance(value, list) else None,
                                                   str(value)))
    return found.id if found else None


def test_each_misconception_is_named_from_values_computed_by_hand():
    problem = engine.from_data("logistic", SMALL)
    given = problem.given
    xs = [[1.0, *s["x"]] for s in given["samples"]]
    r = [s["r"] for s in given["samples"]]
    y = [1 / (1 + math.exp(-sum(wj * xj for wj, xj in zip(given["w"], x)))) for x in xs]
    terms = [-math.log(yl) if rl else -math.log(1 - yl) for yl, rl in zip(y, r)]
    loss = sum(terms)
    grad = [-sum((rl - yl) * x[j] for rl, yl, x in zip(r, y, xs)) for j in range(3)]
    assert _named(problem, "loss", loss / math.log(2)) == "log2_loss"
    assert _named(problem, "loss", loss / math.log(10)) == "log10_loss"
    assert _named(problem, "loss", loss / 3) == "averaged"
    bracket = sum(-math.log(yl) if rl else math.log(1 - yl) for yl, rl in zip(y, r))
    assert _named(problem, "loss", bracket) == "notes_bracket"
    assert _named(problem, "gradient", [g / 3 for g in grad]) == "averaged"
    assert _named(problem, "gradient", [-g for g in grad]) == "gradient_sign"
    slope = [-sum((rl - yl) * yl * (1 - yl) * x[j] for rl, yl, x in zip(r, y, xs)) for j in range(3)]
    assert _named(problem, "gradient", slope) == "sigmoid_slope"
    assert _named(problem, "w_new", [w + 0.5 * g for w, g in zip(given["w"], grad)]) == "ascent"
    right = problem.solution.answers
    for part in problem.parts:  # never on a right value
        assert _named(problem, part.name, answer_at(right, part.path)) is None


def test_averaged_is_not_named_for_a_single_sample():
    """With N = 1 a mean is the sum: the right value, so nothing is named."""
    problem = engine.from_data("logistic", {"data": "3,2,1", "w": "0,0,0"})
    assert logistic.VARIANTS["averaged"](problem.given, ("loss",), None, {}) == pytest.approx(math.log(2))


# --------------------------------------------------------------------------- bad input

@pytest.mark.parametrize("change, key", [
    ({"data": "1,2,2; 0,1,0"}, "logistic.error.label"),
    ({"data": "1,2,-1; 0,1,1"}, "logistic.error.label"),
    ({"data": "1,2,1; 0,0"}, "logistic.error.ragged"),
    ({"data": "1; 0"}, "logistic.error.too_narrow"),
    ({"w": "1,2"}, "logistic.error.w_length"),
    ({"w": "1e7,0,0"}, "logistic.error.w_large"),
    ({"data": "1e7,2,1; 0,1,0"}, "logistic.error.too_large"),
    ({"data": "1,x,1; 0,1,0"}, "logistic.error.cell"),
    ({"target": "label"}, "logistic.error.target"),
    ({"target": "9"}, "logistic.error.target"),
])
def test_bad_user_data_is_one_clear_line(change, key):
    with pytest.raises(UserError) as caught:
        engine.from_data("logistic", {**SMALL, **change})
    assert caught.value.message.key == key
    text = str(caught.value)
    assert text and "\n" not in text and "{" not in text


@pytest.mark.parametrize("change", [{"lr": "0"}, {"lr": "-1"}, {"steps": "0"}, {"steps": "1.5"}, {"data": None},
                                    {"steps": "100000"}])
def test_options_are_range_checked(change):
    with pytest.raises(UserError):
        engine.from_data("logistic", {**SMALL, **change})


def test_generated_problems_are_well_posed_and_round_trip():
    for difficulty in ("easy", "medium", "hard"):
        for seed in range(30):
            problem = engine.generate("logistic", seed, difficulty)
            logistic.well_posed(problem)
            again = engine.from_data("logistic", logistic.as_options(problem.given))
            assert again.solution.answers == problem.solution.answers
