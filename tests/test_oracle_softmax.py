"""Oracle sweep for softmax: 1,002 generated problems (334 seeds × 3 difficulties), every answer
compared with scipy's softmax / log-softmax, a plain loop and central finite differences (the
helpers in tests/test_softmax.py, none of them the solver's code). Slow: deselected by default."""

import pytest

from mlquiz import engine
from test_softmax import check_against_oracle

SEEDS = range(334)
DIFFICULTIES = ("easy", "medium", "hard")
pytestmark = pytest.mark.slow


def test_softmax_sweep():
    count = 0
    for difficulty in DIFFICULTIES:
        for seed in SEEDS:
            problem = engine.generate("softmax", seed, difficulty)
            check_against_oracle(problem.given, problem.solution.answers)
            count += 1
    assert count == 1002
