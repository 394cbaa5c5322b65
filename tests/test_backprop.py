"""Backprop against central finite differences and the published step-by-step example."""

import random

import numpy as np
import pytest

from mlquiz import engine
from mlquiz.topics import backprop

MAZUR = {"x": "0.05,0.10", "target": "0.01,0.99", "w1": "0.15,0.20;0.25,0.30", "b1": "0.35,0.35",
         "w2": "0.40,0.45;0.50,0.55", "b2": "0.60,0.60", "lr": "0.5"}


def test_published_example_with_fixed_biases():
    answers = backprop.solve(backprop.parse_data("", {**MAZUR, "fixed_bias": True})).answers
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
    assert verdict.right and "opposite sign" in verdict.message


def test_generated_networks_have_the_stated_shapes():
    for seed in range(60):
        medium = engine.generate("backprop", seed, "medium").given
        assert len(medium["w1"]) == 2 and len(medium["w1"][0]) == 2 and len(medium["w2"]) in (1, 2)
        hard = engine.generate("backprop", seed, "hard").given
        shape = (len(hard["w1"][0]), len(hard["w1"]), len(hard["w2"]))
        assert shape in ((2, 3, 2), (3, 2, 2)) or (shape == (2, 2, 1) and len(hard["samples"]) == 2)
        assert hard["bias"]
