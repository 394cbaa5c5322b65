"""Oracle sweep for rnn: 1,002 generated problems (334 seeds × 3 difficulties), every answer compared
with a plain numpy loop in row-vector form and scipy's softmax (the helper in tests/test_rnn.py, none
of it the solver's code), and every generated problem checked well posed. Slow: deselected by default."""

import pytest

from mlquiz import engine
from mlquiz.topics import rnn
from test_rnn import check_against_oracle

SEEDS = range(334)
DIFFICULTIES = ("easy", "medium", "hard")
pytestmark = pytest.mark.slow


def test_rnn_sweep():
    count = 0
    for difficulty in DIFFICULTIES:
        for seed in SEEDS:
            problem = engine.generate("rnn", seed, difficulty)
            check_against_oracle(problem.given, problem.solution.answers)
            rnn.well_posed(problem)
            count += 1
    assert count == 1002
