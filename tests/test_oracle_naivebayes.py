"""Oracle sweep for naive Bayes: 1,002 generated problems (334 seeds × 3 difficulties), every prior,
likelihood, score and posterior compared with scikit-learn's CategoricalNB(alpha=…) and a plain
counting loop, and the prediction with the oracle's argmax. Slow: deselected by default."""

import pytest
from test_naivebayes import assert_matches_oracles

from mlquiz import engine, registry

SEEDS = range(334)
DIFFICULTIES = ("easy", "medium", "hard")
pytestmark = pytest.mark.slow


def test_naivebayes_sweep():
    module = registry.load("naivebayes")
    count = 0
    for difficulty in DIFFICULTIES:
        for seed in SEEDS:
            problem = engine.generate("naivebayes", seed, difficulty)
            module.well_posed(problem)
            assert_matches_oracles(problem.given, problem.solution.answers)
            count += 1
    assert count == 1002
