"""Oracle sweep for attention: 1,002 generated problems (334 seeds × 3 difficulties) plus every bank
entry, each answer compared with the row-form numpy/scipy oracle of tests/test_attention.py
(softmax(Q_r K_rᵀ/√d) V_r, transposed; none of it the solver's code), the weights' columns summing
to 1, and the well-posedness hook. Slow: deselected by default."""

import numpy as np
import pytest

from mlquiz import engine
from mlquiz.topics import attention
from test_attention import agrees

SEEDS = range(334)
DIFFICULTIES = ("easy", "medium", "hard")
pytestmark = pytest.mark.slow


def test_attention_sweep():
    count = 0
    for difficulty in DIFFICULTIES:
        for seed in SEEDS:
            problem = engine.generate("attention", seed, difficulty)
            agrees(problem.given)
            attention.well_posed(problem)
            np.testing.assert_allclose(np.sum(problem.solution.answers["weights"], axis=0), 1)
            count += 1
    assert count == 1002


def test_attention_bank_against_the_oracle():
    for i in range(len(engine.bank_entries("attention"))):
        agrees(engine.from_bank("attention", i).given)
