"""The RNN forward pass against a plain loop written here (row-vector form, tanh from its exponential
definition, scipy's softmax), the published tutorial example, the misconceptions reproduced by hand,
marking with carried-forward values, and one-line errors for bad input."""

import json
import math
import re

import numpy as np
import pytest
from scipy.special import softmax as scipy_softmax

from mlquiz import engine, marking
from mlquiz import render as render_module
from mlquiz.answers import Answer
from mlquiz.errors import UserError
from mlquiz.model import answer_at
from mlquiz.text import render
from mlquiz.topics import rnn
from topic_helpers import declared_misconceptions

AYAN = {"x": "0.7;0.5;0.2", "h0": "0.1", "wxh": "0.9", "whh": "0.5", "bh": "0.3"}
TWO = {"x": "1,2;0.5,-1", "wxh": "0.5,0.2;-0.3,0.4", "whh": "0.6,-0.4;0.3,0.8", "bh": "0.1,-0.2",
       "why": "1,-1;0.5,0.5", "by": "0,0.2"}


def oracle(given):
    """h_t as row vectors: h_t = tanh(x_t W_xhᵀ + h_(t−1) W_hhᵀ + b_h), tanh = (e^a − e^−a)/(e^a + e^−a)."""
    wxh, whh = np.array(given["wxh"], float), np.array(given["whh"], float)
    m = wxh.shape[0]
    h = np.array(given.get("h0") or [0.0] * m, float)
    bh = np.array(given.get("bh") or [0.0] * m, float)
    out = {"pre_activations": [], "hidden": []}
    why = given.get("why")
    if why is not None:
        why = np.array(why, float)
        by = np.array(given.get("by") or [0.0] * len(why), float)
        out["output_logits"], out["outputs"] = [], []
    for x in given["x"]:
        a = np.array(x, float) @ wxh.T + h @ whh.T + bh
        h = (np.exp(a) - np.exp(-a)) / (np.exp(a) + np.exp(-a))
        out["pre_activations"].append(a)
        out["hidden"].append(h)
        if why is not None:
            z = h @ why.T + by
            out["output_logits"].append(z)
            out["outputs"].append(scipy_softmax(z))
    return out


def check_against_oracle(given, answers):
    expected = oracle(given)
    assert set(answers) == set(expected)
    for key, values in expected.items():
        assert len(answers[key]) == len(values)
        for got, want in zip(answers[key], values):
            np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12)
    for y in answers.get("outputs", []):
        assert sum(y) == pytest.approx(1.0)


def test_published_tutorial_example():
    """Ayan Paul's tutorial: h1 = tanh(0.98) ≈ 0.753, h2 = tanh(1.1265) ≈ 0.809, h3 = tanh(0.8845) ≈ 0.708."""
    answers = engine.from_data("rnn", AYAN).solution.answers
    assert [a[0] for a in answers["hidden"]] == pytest.approx([0.753, 0.809, 0.708], abs=0.0015)
    # the tutorial carries h1 rounded to 0.753 and h2 to 0.809 into the next step
    assert [a[0] for a in answers["pre_activations"]] == pytest.approx([0.98, 1.1265, 0.8845], abs=0.0006)
    assert set(answers) == {"pre_activations", "hidden"}
    # the notebook's own numpy run prints h_1 = 0.753066, h_2 = 0.809829, h_3 = 0.708873
    assert [a[0] for a in answers["hidden"]] == pytest.approx([0.753066, 0.809829, 0.708873], abs=6e-7)


def test_bank_entry_is_the_published_example():
    problem = engine.from_bank("rnn", 0)
    assert problem.source == "bank:ayanpaul-scalar-rnn"
    assert problem.given == engine.from_data("rnn", AYAN).given
    assert "AyanPaul2210/Deep-Learning-Tutorial" in problem.citation
    assert [a[0] for a in problem.solution.answers["hidden"]] == pytest.approx([0.753, 0.809, 0.708], abs=0.0015)


def test_two_unit_network_with_outputs_by_hand():
    a = engine.from_data("rnn", TWO).solution.answers
    # a_1 = [0.5·1 + 0.2·2 + 0.1, −0.3·1 + 0.4·2 − 0.2] = [1.0, 0.3] (h_0 = 0)
    assert a["pre_activations"][0] == pytest.approx([1.0, 0.3])
    h1 = [math.tanh(1.0), math.tanh(0.3)]
    assert a["hidden"][0] == pytest.approx(h1)
    z1 = [h1[0] - h1[1], 0.5 * h1[0] + 0.5 * h1[1] + 0.2]
    assert a["output_logits"][0] == pytest.approx(z1)
    e = [math.exp(v) for v in z1]
    assert a["outputs"][0] == pytest.approx([e[0] / sum(e), e[1] / sum(e)])
    # a_2 = W_xh·[0.5, −1] + W_hh·h_1 + b_h
    a2 = [0.5 * 0.5 + 0.2 * -1 + 0.6 * h1[0] - 0.4 * h1[1] + 0.1,
          -0.3 * 0.5 + 0.4 * -1 + 0.3 * h1[0] + 0.8 * h1[1] - 0.2]
    assert a["pre_activations"][1] == pytest.approx(a2)


def test_generated_problems_match_the_oracle():
    for difficulty in ("easy", "medium", "hard"):
        for seed in range(60):
            problem = engine.generate("rnn", seed, difficulty)
            check_against_oracle(problem.given, problem.solution.answers)


def test_user_data_matches_the_oracle_and_is_json():
    for raw in (AYAN, TWO, {"x": "1;1;1;1", "wxh": "1", "whh": "-1"}):
        problem = engine.from_data("rnn", raw)
        check_against_oracle(problem.given, problem.solution.answers)
        json.dumps(problem.solution.answers)


def test_defaults_are_zeros():
    given = engine.from_data("rnn", {"x": "1;2", "wxh": "0.5", "whh": "0.5"}).given
    assert "h0" not in given and "bh" not in given
    a = rnn.solve(given).answers
    assert a["pre_activations"][0] == [0.5]
    assert a["pre_activations"][1] == pytest.approx([1.0 + 0.5 * math.tanh(0.5)])
    with_by = engine.from_data("rnn", {"x": "1", "wxh": "1", "whh": "1", "why": "1;-1"}).solution.answers
    assert with_by["output_logits"][0] == pytest.approx([math.tanh(1), -math.tanh(1)])


def test_generated_shapes_by_difficulty():
    for seed in range(30):
        easy = engine.generate("rnn", seed, "easy").given
        assert len(easy["wxh"]) == 1 and len(easy["x"]) == 2 and "why" not in easy
        medium = engine.generate("rnn", seed, "medium").given
        assert len(medium["wxh"]) == 2 and "why" not in medium
        hard = engine.generate("rnn", seed, "hard").given
        assert len(hard["why"]) == 2 and 2 <= len(hard["x"]) <= 3
        for given in (easy, medium, hard):
            values = [v for key in ("x", "wxh", "whh", "why") for row in given.get(key, []) for v in row]
            values += [v for key in ("h0", "bh", "by") for v in given.get(key, [])]
            assert all(abs(v * 10 - round(v * 10)) < 1e-9 for v in values)  # at most one decimal


def test_well_posed_rejects_a_saturated_or_vanishing_pre_activation():
    problem = engine.generate("rnn", 0, "medium")
    rnn.well_posed(problem)
    problem.solution.answers["pre_activations"][0] = [0.0, 1.0]
    with pytest.raises(AssertionError):
        rnn.well_posed(problem)
    problem = engine.generate("rnn", 0, "easy")
    problem.solution.answers["pre_activations"][1] = [4.0]
    with pytest.raises(AssertionError):
        rnn.well_posed(problem)


def test_parts_follow_the_time_steps():
    problem = engine.generate("rnn", 1, "hard")
    steps = len(problem.given["x"])
    assert [p.step for p in problem.parts] == [
        f"{kind}/{t}" for t in range(1, steps + 1) for kind in ("pre_activation", "hidden", "logits", "output")]
    assert [p.path for p in problem.parts[:2]] == [("pre_activations", 0), ("hidden", 0)]


# --------------------------------------------------------------------------- misconceptions

def diagnosed(problem, path, value, override=None):
    part = next(p for p in problem.parts if p.path == path)
    found = marking.diagnose(problem, part, Answer(value, None, str(value)), override)
    return found.id if found else None


def test_misconceptions_are_declared_and_explained():
    assert len(declared_misconceptions("rnn", rnn.VARIANTS)) >= 3


def test_each_misconception_reproduced_by_hand():
    problem = engine.from_data("rnn", TWO)
    h1 = np.tanh([1.0, 0.3])
    # σ instead of tanh at t = 1
    assert diagnosed(problem, ("hidden", 0), [1 / (1 + math.exp(-1.0)), 1 / (1 + math.exp(-0.3))]) == \
        "sigmoid_for_tanh"
    x2 = np.array([0.5, -1.0])
    wxh, whh, bh = np.array([[0.5, 0.2], [-0.3, 0.4]]), np.array([[0.6, -0.4], [0.3, 0.8]]), np.array([0.1, -0.2])
    # a_2 without W_hh·h_1
    assert diagnosed(problem, ("pre_activations", 1), (wxh @ x2 + bh).tolist()) == "no_recurrence"
    # a_2 with W_hh·a_1 (a_1 = [1.0, 0.3]) instead of W_hh·h_1
    assert diagnosed(problem, ("pre_activations", 1), (wxh @ x2 + whh @ [1.0, 0.3] + bh).tolist()) == \
        "pre_activation_fed_back"
    # a_2 with W_hhᵀ·h_1
    assert diagnosed(problem, ("pre_activations", 1), (wxh @ x2 + whh.T @ h1 + bh).tolist()) == "transposed_whh"
    # y_1 given as the logits
    z1 = [h1[0] - h1[1], 0.5 * h1[0] + 0.5 * h1[1] + 0.2]
    assert diagnosed(problem, ("outputs", 0), z1) == "no_softmax"
    # and nothing is named on a right value
    for part in problem.parts:
        assert diagnosed(problem, part.path, part.expected) is None


def test_misconceptions_use_the_students_carried_values():
    problem = engine.from_data("rnn", TWO)
    h1_student = [0.76, 0.29]  # the student's own (rounded, slightly off) h_1
    x2 = np.array([0.5, -1.0])
    wxh, whh, bh = np.array([[0.5, 0.2], [-0.3, 0.4]]), np.array([[0.6, -0.4], [0.3, 0.8]]), np.array([0.1, -0.2])
    wrong = (wxh @ x2 + whh.T @ h1_student + bh).tolist()
    assert diagnosed(problem, ("pre_activations", 1), wrong, {("hidden", 0): h1_student}) == "transposed_whh"


def test_no_recurrence_is_not_named_where_it_cannot_differ():
    """At t = 1 with h_0 = 0 leaving out W_hh·h_0 changes nothing: the variant does not apply."""
    given = engine.from_data("rnn", TWO).given
    assert rnn.VARIANTS["no_recurrence"](given, ("pre_activations", 0), None, {}) is None
    assert rnn.VARIANTS["pre_activation_fed_back"](given, ("pre_activations", 0), None, {}) is None


def test_check_marks_carried_forward():
    problem = engine.from_data("rnn", TWO)
    a = problem.solution.answers
    h1_wrong = [0.7, 0.3]
    a2_carried = rnn.solve(problem.given, {("hidden", 0): h1_wrong}).answers["pre_activations"][1]
    work = marking.parse_work([f"pre_activations[0]={a['pre_activations'][0][0]},{a['pre_activations'][0][1]}",
                               "hidden[0]=0.7,0.3",
                               f"pre_activations[1]={a2_carried[0]},{a2_carried[1]}"], problem.parts)
    report = marking.mark(problem, work)
    marks = {m.part.path: m.status for m in report.marks}
    assert marks[("pre_activations", 0)] == "right"
    assert marks[("hidden", 0)] == "wrong"
    assert marks[("pre_activations", 1)] == "carried"  # right from the student's own h_1


# --------------------------------------------------------------------------- bad input

@pytest.mark.parametrize("change, key", [
    ({"x": "1;3"}, "rnn.error.wxh_width"),
    ({"wxh": "0.5;0.2"}, "rnn.error.wxh_width"),
    ({"whh": "0.6,-0.4"}, "rnn.error.whh_shape"),
    ({"whh": "0.6,-0.4,1;0.3,0.8,1"}, "rnn.error.whh_shape"),
    ({"h0": "1,2,3"}, "rnn.error.h0_size"),
    ({"bh": "1"}, "rnn.error.bh_size"),
    ({"why": "1,2,3"}, "rnn.error.why_width"),
    ({"by": "1,2,3"}, "rnn.error.by_size"),
    ({"x": "1e300,1"}, "rnn.error.too_large"),
    ({"x": ";".join(["1,1"] * 11)}, "rnn.error.too_big"),
])
def test_bad_user_data_is_one_clear_line(change, key):
    with pytest.raises(UserError) as caught:
        engine.from_data("rnn", {**TWO, **change})
    assert caught.value.message.key == key
    for lang in ("en", "zh"):
        text = render(caught.value.message, lang)
        assert text and "\n" not in text


def test_ragged_input_rows_are_refused():
    with pytest.raises(UserError):
        engine.from_data("rnn", {**TWO, "x": "1,2;3"})
    with pytest.raises(UserError) as caught:
        rnn.parse_data({"x": [[1.0, 2.0], [3.0]], "wxh": [[1.0, 1.0]], "whh": [[1.0]], "h0": None, "bh": None,
                        "why": None, "by": None})
    assert caught.value.message.key == "rnn.error.x_rows"


def test_by_needs_why():
    raw = {k: v for k, v in TWO.items() if k != "why"}
    with pytest.raises(UserError) as caught:
        engine.from_data("rnn", raw)
    assert caught.value.message.key == "rnn.error.by_without_why"


def test_required_options_and_non_numbers_are_refused():
    with pytest.raises(UserError):
        engine.from_data("rnn", {"x": "1", "wxh": "1"})
    with pytest.raises(UserError):
        engine.from_data("rnn", {**TWO, "whh": "a,b;c,d"})


def test_as_options_poses_the_same_problem_again():
    for difficulty in ("easy", "medium", "hard"):
        problem = engine.generate("rnn", 7, difficulty)
        again = engine.from_data("rnn", rnn.as_options(problem.given))
        assert again.given == problem.given
        assert again.solution.answers == problem.solution.answers


def test_negative_numbers_print_with_the_one_formatter():
    for seed in range(15):
        problem = engine.generate("rnn", seed, "hard")
        console = render_module.make_console()
        with console.capture() as capture:
            console.print(render_module.solution_view(problem.solution))
            console.print(render_module.answers_view(problem))
        assert not re.search(r"(?<![\w.])-\d", capture.get()), seed


def test_conformance():
    from mlquiz.conformance import check_topic
    check_topic("rnn", seeds=range(6))


def test_answer_paths_resolve():
    problem = engine.generate("rnn", 4, "hard")
    for part in problem.parts:
        assert answer_at(problem.solution.answers, part.path) == part.expected
