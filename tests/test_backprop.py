"""Backprop against central finite differences and the published step-by-step example."""

import random

import numpy as np
import pytest

from mlquiz import engine, registry
from mlquiz.errors import UserError
from mlquiz.model import answer_at
from mlquiz.text import Msg, join, render
from mlquiz.topics import backprop
from topic_helpers import declared_misconceptions

MAZUR = {"x": "0.05,0.10", "target": "0.01,0.99", "w1": "0.15,0.20;0.25,0.30", "b1": "0.35,0.35",
         "w2": "0.40,0.45;0.50,0.55", "b2": "0.60,0.60", "lr": "0.5"}


def test_published_example_with_fixed_biases():
    answers = engine.from_data("backprop", {**MAZUR, "fixed_bias": True}).solution.answers
    assert answers["loss"] == pytest.approx(0.298371109, abs=1e-9)
    assert answers["w2_new"][0][0] == pytest.approx(0.35891648, abs=1e-8)   # w5
    assert answers["w2_new"][1][1] == pytest.approx(0.56137012, abs=1e-8)   # w8
    assert answers["w1_new"][0][0] == pytest.approx(0.149780716, abs=1e-9)  # w1
    assert answers["w1_new"][1][1] == pytest.approx(0.29950229, abs=1e-8)   # w4
    assert answers["b2_new"] == [0.6, 0.6] and answers["b1_new"] == [0.35, 0.35]


def loss_of(given):
    w1, w2 = np.array(given["w1"]), np.array(given["w2"])
    b1 = np.array(given.get("b1", np.zeros(len(w1)))) if given["bias"] else np.zeros(len(w1))
    b2 = np.array(given.get("b2", np.zeros(len(w2)))) if given["bias"] else np.zeros(len(w2))
    total = 0.0
    for sample in given["samples"]:
        h = 1 / (1 + np.exp(-(w1 @ np.array(sample["x"]) + b1)))
        y = 1 / (1 + np.exp(-(w2 @ h + b2)))
        total += 0.5 * np.sum((np.array(sample["target"]) - y) ** 2)
    return total


def numeric_gradient(given, name, eps=1e-6):
    base = np.array(given[name], dtype=float)
    grad = np.zeros_like(base)
    for index in np.ndindex(base.shape):
        plus, minus = base.copy(), base.copy()
        plus[index] += eps
        minus[index] -= eps
        grad[index] = (loss_of({**given, name: plus.tolist()}) - loss_of({**given, name: minus.tolist()})) / (2 * eps)
    return grad


def random_network(rng):
    n_in, n_hidden, n_out = rng.randint(1, 4), rng.randint(1, 4), rng.randint(1, 3)
    n_samples = rng.randint(1, 3)
    given = {"kind": "network", "bias": rng.random() < 0.7, "fixed_bias": False, "lr": rng.uniform(0.05, 2),
             "w1": [[rng.uniform(-2, 2) for _ in range(n_in)] for _ in range(n_hidden)],
             "w2": [[rng.uniform(-2, 2) for _ in range(n_hidden)] for _ in range(n_out)],
             "samples": [{"x": [rng.uniform(-2, 2) for _ in range(n_in)],
                          "target": [rng.uniform(0, 1) for _ in range(n_out)]} for _ in range(n_samples)]}
    if given["bias"]:
        given["b1"] = [rng.uniform(-1, 1) for _ in range(n_hidden)]
        given["b2"] = [rng.uniform(-1, 1) for _ in range(n_out)]
    return given


def test_gradients_match_finite_differences_on_random_networks():
    rng = random.Random(3)
    for _ in range(250):
        given = random_network(rng)
        answers = backprop.solve(given).answers
        assert answers["loss"] == pytest.approx(loss_of(given), abs=1e-12)
        names = [("grad_w1", "w1"), ("grad_w2", "w2")] + ([("grad_b1", "b1"), ("grad_b2", "b2")] if given["bias"] else [])
        for grad_name, param in names:
            np.testing.assert_allclose(answers[grad_name], numeric_gradient(given, param), atol=1e-7)
            new = np.array(answers[f"{param}_new"])
            np.testing.assert_allclose(new, np.array(given[param]) - given["lr"] * np.array(answers[grad_name]), atol=1e-12)


def test_single_unit_delta_is_upstream_times_sigmoid_slope():
    rng = random.Random(4)
    for _ in range(200):
        given = {"kind": "unit", "x": [rng.uniform(-2, 2) for _ in range(2)], "w": [rng.uniform(-2, 2) for _ in range(2)],
                 "b": rng.uniform(-1, 1), "upstream": rng.uniform(-1, 1), "lr": 0.5}
        answers = backprop.solve(given).answers
        a = answers["pre_activation"]
        eps = 1e-6
        slope = (1 / (1 + np.exp(-(a + eps))) - 1 / (1 + np.exp(-(a - eps)))) / (2 * eps)
        assert answers["sigmoid_derivative"] == pytest.approx(slope, abs=1e-8)
        assert answers["delta"] == pytest.approx(given["upstream"] * slope, abs=1e-8)
        np.testing.assert_allclose(answers["w_new"], np.array(given["w"]) + 0.5 * answers["delta"] * np.array(given["x"]))


def test_opposite_sign_convention_is_accepted_with_a_remark():
    from mlquiz.checking import judge

    problem = engine.generate("backprop", 2, "medium")
    part = next(p for p in problem.parts if p.name == "delta_output")
    flipped = ", ".join(repr(-v) for v in part.expected)
    verdict = judge(part, flipped)
    assert verdict.right and "opposite sign" in render(verdict.message)


def test_generated_networks_have_the_stated_shapes():
    for seed in range(60):
        medium = engine.generate("backprop", seed, "medium").given
        assert len(medium["w1"]) == 2 and len(medium["w1"][0]) == 2 and len(medium["w2"]) in (1, 2)
        hard = engine.generate("backprop", seed, "hard").given
        shape = (len(hard["w1"][0]), len(hard["w1"]), len(hard["w2"]))
        assert shape in ((2, 3, 2), (3, 2, 2)) or (shape == (2, 2, 1) and len(hard["samples"]) == 2)
        assert hard["bias"]


# --------------------------------------------------------------------------- the topic kit

def test_user_data_network_and_single_unit():
    given = engine.from_data("backprop", MAZUR).given
    assert given["kind"] == "network" and given["bias"] and not given["fixed_bias"] and given["lr"] == 0.5
    assert given["samples"] == [{"x": [0.05, 0.10], "target": [0.01, 0.99]}]
    # the single-unit mode: --x "1,2" --w1 "0.5,-0.3" --b1 0.2 --upstream 0.8 (lr defaults to 0.5)
    problem = engine.from_data("backprop", {"x": "1,2", "w1": "0.5,-0.3", "b1": "0.2", "upstream": "0.8"})
    assert problem.given == {"kind": "unit", "x": [1.0, 2.0], "w": [0.5, -0.3], "b": 0.2, "upstream": 0.8, "lr": 0.5}
    a = problem.solution.answers
    y = 1 / (1 + np.exp(-0.1))
    assert a["pre_activation"] == pytest.approx(0.1) and a["output"] == pytest.approx(y)
    assert a["delta"] == pytest.approx(0.8 * y * (1 - y))
    assert a["w_new"] == pytest.approx([0.5 + 0.5 * a["delta"], -0.3 + 0.5 * a["delta"] * 2])
    assert a["b_new"] == pytest.approx(0.2 + 0.5 * a["delta"])
    # no --b1: the bias is 0; a batch and no biases: a network without biases
    assert engine.from_data("backprop", {"x": "1,2", "w1": "0.5,-0.3", "upstream": "1"}).given["b"] == 0.0
    batch = engine.from_data("backprop", {**MAZUR, "x": "0.05,0.10;1,2", "target": "0.01,0.99;0.5,0.5",
                                          "b1": None, "b2": None}).given
    assert len(batch["samples"]) == 2 and not batch["bias"] and "b1" not in batch


@pytest.mark.parametrize("change, key", [
    ({"lr": "0"}, "ui.error.option_range_above"),
    ({"w2": None}, "backprop.error.network_needs"),
    ({"target": None}, "backprop.error.network_needs"),
    ({"w1": "1,2,3"}, "backprop.error.w1_width"),
    ({"w2": "1,2,3"}, "backprop.error.w2_width"),
    ({"target": "1,2,3"}, "backprop.error.target_shape"),
    ({"target": "0.01,0.99;0.5,0.5"}, "backprop.error.target_shape"),
    ({"b1": "1"}, "backprop.error.bias_count"),
    ({"b2": "1,2,3"}, "backprop.error.bias_count"),
    ({"x": "1,1,1,1,1,1,1,1,1,1,1", "w1": "1,1,1,1,1,1,1,1,1,1,1;1,1,1,1,1,1,1,1,1,1,1"},
     "backprop.error.too_big"),
    ({"w1": "1e7,0;0,1"}, "backprop.error.too_large"),
    ({"w2": None, "target": None, "upstream": "1", "x": "1,2;3,4"}, "backprop.error.unit_shape"),
    ({"w2": None, "target": None, "upstream": "1", "b1": "0.35,0.35"}, "backprop.error.unit_shape"),
])
def test_bad_user_data_is_one_clear_line(change, key):
    with pytest.raises(UserError) as caught:
        engine.from_data("backprop", {**MAZUR, **change})
    assert caught.value.message.key == key
    text = str(caught.value)
    assert text and "\n" not in text and "{" not in text


@pytest.mark.parametrize("change", [{"lr": "-1"}, {"lr": "101"}, {"x": None}, {"w1": None}, {"lr": "0.5,0.6"},
                                    {"b1": "1;2"}, {"upstream": "1,2", "w2": None}])
def test_options_are_read_and_range_checked_generically(change):
    with pytest.raises(UserError):
        engine.from_data("backprop", {**MAZUR, **change})


def test_a_single_unit_takes_one_bias():
    """Fix: `--b1 "0.2,0.9"` for a single unit used to be accepted, silently dropping 0.9."""
    raw = {"x": "1,2", "w1": "0.5,-0.3", "b1": "0.2,0.9", "upstream": "0.8"}
    with pytest.raises(UserError) as caught:
        engine.from_data("backprop", raw)
    assert caught.value.message.key == "backprop.error.unit_bias" and "2" in str(caught.value)


def test_a_carried_bias_gradient_goes_into_the_bias_update():
    """Fix: a student's own ∂L/∂b₂ carried forward used to be ignored by the b₂ update (unlike ∂L/∂W₂)."""
    given = engine.from_data("backprop", MAZUR).given
    own = [0.1, -0.2]
    answers = backprop.solve(given, {("grad_b2",): own}).answers
    assert answers["b2_new"] == pytest.approx([0.6 - 0.5 * 0.1, 0.6 + 0.5 * 0.2])
    assert answers["grad_b2"] == backprop.solve(given).answers["grad_b2"]  # the right value is still recorded
    own_w = [[0.1, 0.2], [0.3, 0.4]]
    answers = backprop.solve(given, {("grad_w2",): own_w}).answers
    np.testing.assert_allclose(answers["w2_new"], np.array(given["w2"]) - 0.5 * np.array(own_w))


def test_carried_forward_values_flow_through_the_derivation():
    given = engine.from_data("backprop", MAZUR).given
    right = backprop.solve(given).answers
    own_hidden = [0.6, 0.6]
    carried = backprop.solve(given, {("hidden",): own_hidden}).answers
    assert carried["hidden"] == right["hidden"]  # the right value, recorded
    y = 1 / (1 + np.exp(-(np.array(given["w2"]) @ own_hidden + given["b2"])))
    np.testing.assert_allclose(carried["output"], y)
    unit = {"kind": "unit", "x": [1.0, 2.0], "w": [0.5, -0.3], "b": 0.2, "upstream": 0.8, "lr": 0.5}
    carried = backprop.solve(unit, {("output",): 0.5}).answers
    assert carried["sigmoid_derivative"] == 0.25 and carried["delta"] == pytest.approx(0.2)


def every_problem():
    for difficulty in ("easy", "medium", "hard"):
        for seed in range(80):
            yield engine.generate("backprop", seed, difficulty)
    yield engine.from_data("backprop", {**MAZUR, "fixed_bias": True})
    yield engine.from_data("backprop", {**MAZUR, "x": "0.05,0.10;1,2", "target": "0.01,0.99;0.5,0.5"})
    yield engine.from_data("backprop", {"x": "1,2", "w1": "0.5,-0.3", "b1": "0.2", "upstream": "0.8"})


def _render_all(value):
    if isinstance(value, Msg):
        return render(value)
    if isinstance(value, (list, tuple)):
        return [_render_all(v) for v in value]
    return str(value)


def test_every_text_resolves_and_every_answer_comes_from_a_step():
    declared = set(registry.info("backprop").answers)
    for problem in every_problem():
        assert join(problem.statement)
        headers, _ = problem.table
        _render_all(headers)
        produced = {path for step in problem.solution.steps for path in step.answers}
        assert {(name,) for name in problem.solution.answers} == produced
        assert set(problem.solution.answers) <= declared
        for step in problem.solution.steps:
            _render_all([step.title, step.formula, *step.lines])
            if step.note:
                render(step.note)
        for note in problem.solution.notes:
            render(note)
        for part in problem.parts:
            render(part.prompt)
            for _, remark in part.accepted:
                render(remark)
            step = problem.solution.step_by_id(part.step)
            assert step is not None and part.path in step.answers
            assert answer_at(problem.solution.answers, part.path) == part.expected


def test_generated_problems_are_well_posed():
    for problem in every_problem():
        if problem.source == "random":
            backprop.well_posed(problem)
    degenerate = engine.generate("backprop", 0, "easy")
    degenerate.solution.answers["pre_activation"] = 0.01
    with pytest.raises(AssertionError):
        backprop.well_posed(degenerate)


def test_misconceptions_are_declared_and_explained():
    items = declared_misconceptions("backprop", backprop.VARIANTS)
    assert all(set(entry) == {"id", "applies_to"} for entry in items.values())


def test_misconception_values():
    unit = {"kind": "unit", "x": [1.0, 2.0], "w": [0.5, -0.3], "b": 0.2, "upstream": 0.8, "lr": 0.5}
    a = backprop.solve(unit).answers
    variants = backprop.VARIANTS
    assert variants["no_sigmoid_derivative"](unit, ("delta",), None, {}) == 0.8
    assert variants["preactivation_derivative"](unit, ("sigmoid_derivative",), None, {}) == pytest.approx(0.1 * 0.9)
    assert variants["preactivation_derivative"](unit, ("delta",), None, {("pre_activation",): 0.5}) == 0.8 * 0.25
    assert variants["no_learning_rate"](unit, ("w_new",), None, {}) == pytest.approx(
        [0.5 + a["delta"], -0.3 + 2 * a["delta"]])
    given = engine.from_data("backprop", MAZUR).given
    a = backprop.solve(given).answers
    r = np.array([0.01, 0.99])
    np.testing.assert_allclose(variants["no_sigmoid_derivative"](given, ("delta_output",), None, {}),
                               r - np.array(a["output"]))
    w2 = np.array(given["w2"])
    d_out, h = np.array(a["delta_output"]), np.array(a["hidden"])
    w2_new = w2 + 0.5 * np.outer(d_out, h)
    np.testing.assert_allclose(variants["updated_w2"](given, ("delta_hidden",), None, {}),
                               h * (1 - h) * (d_out @ w2_new))
    np.testing.assert_allclose(variants["no_learning_rate"](given, ("w1_new",), None, {}),
                               np.array(given["w1"]) - np.array(a["grad_w1"]))
    a2 = h @ w2.T + np.array(given["b2"])
    np.testing.assert_allclose(variants["preactivation_derivative"](given, ("delta_output",), None, {}),
                               a2 * (1 - a2) * (r - np.array(a["output"])))


@pytest.mark.parametrize("raw", [
    {**MAZUR, "b1": "1e308,1"},
    {**MAZUR, "target": "1e300,0.5"},
    {"x": "1e300,1e300", "w1": "0.5,-0.3", "upstream": "1"},
    {"x": "1,2", "w1": "0.5,-0.3", "upstream": "1e300"},
    {"x": "1,2", "w1": "0.5,-0.3", "b1": "-1e7", "upstream": "1"},
])
def test_numbers_too_large_to_compute_by_hand_are_refused(raw):
    """Fix: only a network's inputs and weights were bounded; a huge bias, target or any number of a
    single unit overflowed (a numpy warning on the terminal and ∞/nan answers)."""
    with pytest.raises(UserError) as caught:
        engine.from_data("backprop", raw)
    assert caught.value.message.key == "backprop.error.too_large"


def test_a_saturated_sigmoid_gives_no_overflow_warning():
    """Fix: σ(a) for a very negative a printed numpy's 'overflow encountered in exp' (the value, 0, was right)."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        answers = engine.from_data("backprop", {"x": "-1e6,-1e6", "w1": "1e6,1e6", "upstream": "1"}).solution.answers
        network = engine.from_data("backprop", {**MAZUR, "x": "-1e6,-1e6", "w1": "1e6,1e6;-1e6,-1e6"})
    assert answers["output"] == 0.0 and answers["delta"] == 0.0
    assert network.solution.answers["hidden"] == [0.0, 1.0]


def test_as_options_poses_the_same_problem_again():
    for problem in every_problem():
        again = engine.from_data("backprop", backprop.as_options(problem.given))
        assert again.given == problem.given and again.solution.answers == problem.solution.answers
