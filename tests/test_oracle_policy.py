"""Oracle sweep for policy: 1,002 generated problems (334 seeds × 3 difficulties), every answer compared
with a forward plain loop of discounted sums, scipy's softmax and central finite differences of
log π (the helpers in tests/test_policy.py, none of them the solver's code). Slow: deselected by default."""

import pytest
from test_policy import check_against_oracle

from mlquiz import engine

SEEDS = range(334)
DIFFICULTIES = ("easy", "medium", "hard")
pytestmark = pytest.mark.slow


def test_policy_sweep():
    count = 0
    for difficulty in DIFFICULTIES:
        for seed in SEEDS:
            problem = engine.generate("policy", seed, difficulty)
            topic_answers = problem.solution.answers
            check_against_oracle(problem.given, topic_answers)
            count += 1
    assert count == 1002
