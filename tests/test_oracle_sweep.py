"""Oracle sweep: 1,002 generated problems per topic (334 seeds × 3 difficulties), every answer
compared with an independent computation. Slow: deselected by default, run by .ci/run."""

import math

import numpy as np
import pytest
from scipy.stats import entropy as scipy_entropy
from sklearn.decomposition import PCA

from mlquiz import engine
from test_backprop import loss_of, numeric_gradient
from test_conv import parameters, transposed_size, windows
from test_entropy import brute_force_gain
from test_qlearning import plain_loop

SEEDS = range(334)
DIFFICULTIES = ("easy", "medium", "hard")
pytestmark = pytest.mark.slow


def sweep(topic):
    for difficulty in DIFFICULTIES:
        for seed in SEEDS:
            yield engine.generate(topic, seed, difficulty)


def test_entropy_sweep():
    count = 0
    for problem in sweep("entropy"):
        g, a = problem.given, problem.solution.answers
        totals = np.sum(g["attributes"][0]["counts"], axis=0)
        assert a["entropy"] == pytest.approx(scipy_entropy(totals, base=2), abs=1e-12)
        for attribute in g["attributes"]:
            name = attribute["name"]
            gain = a["information_gain"] if len(g["attributes"]) == 1 else a["information_gain"][name]
            if "rows" in g:
                assert gain == pytest.approx(brute_force_gain(g["columns"], g["rows"], g["target"], name), abs=1e-12)
            else:
                n = totals.sum()
                cond = sum(sum(r) / n * scipy_entropy(r, base=2) for r in attribute["counts"])
                assert gain == pytest.approx(scipy_entropy(totals, base=2) - cond, abs=1e-12)
            if g.get("extended"):
                sizes = [sum(r) for r in attribute["counts"]]
                assert a["gain_ratio"][name] == pytest.approx(gain / scipy_entropy(sizes, base=2), abs=1e-12)
        count += 1
    assert count == 1002


def test_pca_sweep():
    count = 0
    for problem in sweep("pca"):
        points = np.array(problem.given["points"])
        a = problem.solution.answers
        model = PCA(n_components=2).fit(points)
        np.testing.assert_allclose(a["eigenvalues"], model.explained_variance_, rtol=1e-9)
        np.testing.assert_allclose(a["explained_variance_ratio"], model.explained_variance_ratio_, atol=1e-12)
        for ours, theirs in zip(a["eigenvectors"], model.components_):
            assert abs(abs(np.dot(ours, theirs)) - 1) < 1e-9
        q = problem.given["query"]
        one = PCA(n_components=1).fit(points)
        assert abs(a["projections"][q]) == pytest.approx(abs(one.transform(points)[q, 0]), abs=1e-9)
        if "reconstruction_error" in a:
            rebuilt = one.inverse_transform(one.transform(points[q:q + 1]))[0]
            assert a["reconstruction_error"] == pytest.approx(np.sum((points[q] - rebuilt) ** 2), abs=1e-9)
        count += 1
    assert count == 1002


def test_backprop_sweep():
    count = 0
    for problem in sweep("backprop"):
        g, a = problem.given, problem.solution.answers
        if g["kind"] == "unit":
            x, w = np.array(g["x"]), np.array(g["w"])
            act = float(w @ x + g["b"])
            slope = (1 / (1 + math.exp(-(act + 1e-6))) - 1 / (1 + math.exp(-(act - 1e-6)))) / 2e-6
            assert a["delta"] == pytest.approx(g["upstream"] * slope, abs=1e-8)
        else:
            assert a["loss"] == pytest.approx(loss_of(g), abs=1e-12)
            params = [("grad_w1", "w1"), ("grad_w2", "w2")] + ([("grad_b1", "b1"), ("grad_b2", "b2")] if g["bias"] else [])
            for grad, param in params:
                np.testing.assert_allclose(a[grad], numeric_gradient(g, param), atol=1e-7)
        count += 1
    assert count == 1002


def test_conv_sweep():
    count = 0
    for problem in sweep("conv"):
        g, a = problem.given, problem.solution.answers
        side, channels = g["input"]["n"], g["input"]["c"]
        for layer, shape in zip(g["layers"], a["shapes"]):
            args = (side, layer["f"], layer.get("p", 0), layer.get("s", 1), layer.get("d", 1))
            side = transposed_size(*args) if layer["kind"] == "deconv" else windows(*args)
            channels = channels if layer["kind"] == "pool" else layer["c"]
            assert shape == [channels, side, side]
        for layer, count_params, inputs in zip(g["layers"], a["parameters"], [g["input"]["c"]] + [s[0] for s in a["shapes"]]):
            assert count_params == parameters(layer["kind"], layer["f"], inputs, layer.get("c"))
        for i, padding in zip(g.get("same_padding", []), a.get("same_padding", [])):
            layer = g["layers"][i]
            assert windows(17, layer["f"], padding, 1, layer.get("d", 1)) == 17  # keeps the size
        count += 1
    assert count == 1002


def test_qlearning_sweep():
    count = 0
    for problem in sweep("qlearning"):
        g, a = problem.given, problem.solution.answers
        expected = plain_loop(g["q"], g["transitions"], g["alpha"], g["gamma"], g.get("target_q"))
        for ours, theirs in zip(a["q_table"], expected):
            assert ours == pytest.approx(theirs, abs=1e-12)
        count += 1
    assert count == 1002
