"""Slow sweep: ≥ 1,000 generated logistic-regression problems against an independent oracle
(plain loops for the forward pass, central finite differences for every gradient and update,
scikit-learn's log_loss for the summed cross-entropy)."""

import math

import numpy as np
import pytest

from mlquiz import engine

SEEDS = range(350)  # × 3 difficulties = 1,050 instances


def loss_at(samples, w):
    total = 0.0
    for s in samples:
        a = w[0] + sum(wj * xj for wj, xj in zip(w[1:], s["x"]))
        total += math.log1p(math.exp(-a)) if s["r"] == 1 else math.log1p(math.exp(a))
    return total


def fd_gradient(samples, w, h=1e-6):
    out = []
    for j in range(len(w)):
        up, down = list(w), list(w)
        up[j] += h
        down[j] -= h
        out.append((loss_at(samples, up) - loss_at(samples, down)) / (2 * h))
    return out


@pytest.mark.slow
@pytest.mark.parametrize("difficulty", ["easy", "medium", "hard"])
def test_sweep_against_finite_differences_and_sklearn(difficulty):
    from sklearn.metrics import log_loss

    for seed in SEEDS:
        problem = engine.generate("logistic", seed, difficulty)
        g, got = problem.given, problem.solution.answers
        samples, w = g["samples"], list(g["w"])
        activations = [w[0] + sum(wj * xj for wj, xj in zip(w[1:], s["x"])) for s in samples]
        y = [1 / (1 + math.exp(-a)) for a in activations]
        where = f"{difficulty} seed {seed}"
        np.testing.assert_allclose(got["activations"], activations, atol=1e-12, err_msg=where)
        np.testing.assert_allclose(got["probabilities"], y, rtol=1e-12, err_msg=where)
        assert got["predictions"] == [int(v >= 0.5) for v in y], where
        r = [s["r"] for s in samples]
        assert got["loss"] == pytest.approx(log_loss(r, y, normalize=False, labels=[0, 1]), rel=1e-9), where
        np.testing.assert_allclose(got["gradient"], fd_gradient(samples, w), rtol=1e-5, atol=1e-6, err_msg=where)
        current = w
        for _ in range(g["steps"]):
            current = [c - g["lr"] * d for c, d in zip(current, fd_gradient(samples, current))]
        np.testing.assert_allclose(got["w_new"], current, rtol=1e-5, atol=1e-6, err_msg=where)
        assert got["loss_new"] == pytest.approx(loss_at(samples, current), rel=1e-5, abs=1e-6), where
        assert got["loss_new"] < got["loss"] or g["lr"] >= 0.5, where  # a small step goes downhill
