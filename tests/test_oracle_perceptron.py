"""Slow sweep: 1,002 generated perceptron problems (334 seeds × 3 difficulties) against a plain loop
in exact fractions and against scikit-learn's Perceptron (same order, same η, as many passes)."""

import pytest
from test_perceptron import agrees, sklearn_weights

from mlquiz import engine
from mlquiz.model import DIFFICULTIES


@pytest.mark.slow
def test_perceptron_sweep():
    checked = 0
    for difficulty in DIFFICULTIES:
        for seed in range(334):
            problem = engine.generate("perceptron", seed, difficulty)
            answers = problem.solution.answers
            agrees(problem.given, answers)
            assert sklearn_weights(problem.given, answers["epochs"]) == pytest.approx(answers["w_final"], abs=1e-9)
            checked += 1
    assert checked >= 1000
