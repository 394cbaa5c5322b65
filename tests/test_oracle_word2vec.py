"""Oracle sweep for word2vec: 1,002 generated problems (334 seeds × 3 difficulties), every answer
compared with numpy written out in the test, a plain loop and central finite differences of the loss
(the helpers in tests/test_word2vec.py, none of them the solver's code). Slow: deselected by default."""

import pytest

from mlquiz import engine
from test_word2vec import check_against_oracle

SEEDS = range(334)
DIFFICULTIES = ("easy", "medium", "hard")
pytestmark = pytest.mark.slow


def test_word2vec_sweep():
    count = 0
    for difficulty in DIFFICULTIES:
        for seed in SEEDS:
            problem = engine.generate("word2vec", seed, difficulty)
            check_against_oracle(problem.given, problem.solution.answers)
            count += 1
    assert count == 1002
