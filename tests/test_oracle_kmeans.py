"""The slow sweep for k-means: 1,002 generated problems (334 seeds × 3 difficulties) against the
plain Lloyd loop of tests/test_kmeans.py (scipy's cdist, numpy means) and scikit-learn's
KMeans(init=…, n_init=1, tol=0, algorithm="lloyd") (generated problems never empty a cluster),
none of it the solver's own code."""

import pytest

from mlquiz import engine
from test_kmeans import check_against_oracle, sklearn_agrees

pytestmark = pytest.mark.slow

SEEDS = range(334)


@pytest.mark.parametrize("difficulty", ["easy", "medium", "hard"])
def test_generated_problems_against_the_oracle(difficulty):
    count = 0
    for seed in SEEDS:
        problem = engine.generate("kmeans", seed, difficulty)
        check_against_oracle(problem.given, problem.solution.answers)
        sklearn_agrees(problem.given, problem.solution.answers)
        count += 1
    assert count == len(SEEDS)


def test_sweep_covers_both_kinds_of_seeds_and_several_dimensions():
    seen = set()
    for seed in SEEDS:
        for difficulty in ("easy", "medium", "hard"):
            g = engine.generate("kmeans", seed, difficulty).given
            seen |= {("points" if g["from_points"] else "given"), len(g["x"][0]), len(g["centers"])}
    assert seen >= {"points", "given", 1, 2, 3}
