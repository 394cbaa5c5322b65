"""The slow oracle sweep for linreg: 1,002 generated problems (334 seeds × 3 difficulties) and 300
problems on random one-decimal data with up to 60 steps, each against numpy lstsq, central finite
differences and a plain gradient-descent loop written in tests/test_linreg.py (never the solver's code)."""

import numpy as np
import pytest
from test_linreg import assert_matches_oracle

from mlquiz import engine
from mlquiz.topics import linreg

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("difficulty", ["easy", "medium", "hard"])
def test_generated_sweep(difficulty):
    for seed in range(334):
        problem = engine.generate("linreg", seed, difficulty)
        linreg.well_posed(problem)
        assert_matches_oracle(problem.given, problem.solution.answers)


def test_random_data_sweep():
    rng = np.random.default_rng(2026)
    checked = 0
    for _ in range(300):
        n, d = int(rng.integers(2, 7)), int(rng.integers(1, 4))
        rows = np.round(rng.uniform(-4, 4, size=(n, d + 1)), 1)
        w = np.round(rng.uniform(-2, 2, size=d + 1), 1)
        raw = {"data": ";".join(",".join(repr(float(v)) for v in row) for row in rows),
               "w": ",".join(repr(float(v)) for v in w), "lr": repr(float(rng.choice([0.01, 0.05]))),
               "steps": str(int(rng.integers(1, 61))), "lambda": repr(float(rng.choice([0, 0.1, 0.5, 1])))}
        problem = engine.from_data("linreg", raw)
        if "closed_form" in problem.solution.answers:
            assert_matches_oracle(problem.given, problem.solution.answers)
            checked += 1
    assert checked > 200
