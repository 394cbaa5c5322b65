"""The slow sweep for metrics: 1,002 generated problems (334 seeds × 3 difficulties) against
sklearn.metrics and the plain counting loop of tests/test_metrics.py (none of it the solver's own code)."""

import pytest

from mlquiz import engine
from test_metrics import check_against_oracle

pytestmark = pytest.mark.slow

SEEDS = range(334)


@pytest.mark.parametrize("difficulty", ["easy", "medium", "hard"])
def test_generated_problems_against_the_oracle(difficulty):
    count = 0
    for seed in SEEDS:
        problem = engine.generate("metrics", seed, difficulty)
        check_against_oracle(problem.given, problem.solution.answers)
        count += 1
    assert count == len(SEEDS)


def test_sweep_covers_binary_multi_class_and_regression():
    modes = {engine.generate("metrics", seed, d).given["mode"] for seed in SEEDS for d in ("easy", "medium", "hard")}
    assert modes == {"binary", "multi", "regression"}
