"""The slow sweep for KNN: 1,002 generated problems (334 seeds × 3 difficulties) against
scipy.spatial.distance, scikit-learn's scalers and KNeighborsClassifier, and the plain vote loop of
tests/test_knn.py (none of it the solver's own code)."""

import pytest

from mlquiz import engine
from test_knn import check_against_oracle, sklearn_agrees

pytestmark = pytest.mark.slow

SEEDS = range(334)


@pytest.mark.parametrize("difficulty", ["easy", "medium", "hard"])
def test_generated_problems_against_the_oracle(difficulty):
    count = 0
    for seed in SEEDS:
        problem = engine.generate("knn", seed, difficulty)
        check_against_oracle(problem.given, problem.solution.answers)
        sklearn_agrees(problem.given, problem.solution.answers)
        count += 1
    assert count == len(SEEDS)


def test_sweep_covers_every_metric_scaling_and_vote():
    seen = set()
    for seed in SEEDS:
        for difficulty in ("medium", "hard"):
            g = engine.generate("knn", seed, difficulty).given
            seen |= {g["metric"], g["normalize"], "weighted" if g["weighted"] else "counted"}
    assert seen >= {"euclidean", "manhattan", "minkowski", "cosine", "minmax", "zscore", "none", "weighted", "counted"}
