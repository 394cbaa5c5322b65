"""SVM oracle sweep: 1,002 generated problems (334 seeds × 3 difficulties), every answer compared
with the independent computation of tests/test_svm.py (numpy, scikit-learn's hinge_loss, finite
differences, one-sided directional derivatives). Slow: deselected by default."""

import random

import pytest
from test_svm import oracle_check

from mlquiz import engine
from mlquiz.topics import svm

pytestmark = pytest.mark.slow


def test_svm_sweep():
    rng = random.Random(2026)
    count = 0
    for difficulty in ("easy", "medium", "hard"):
        for seed in range(334):
            problem = engine.generate("svm", seed, difficulty)
            svm.well_posed(problem)
            oracle_check(problem.given, problem.solution.answers, rng)
            count += 1
    assert count == 1002
