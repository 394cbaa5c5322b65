"""The slow sweep for convolve: 1,002 generated problems (334 seeds × 3 difficulties) against
scipy.signal.correlate2d, numpy's sliding windows and the plain window loop of tests/test_convolve.py
(none of it the solver's own code)."""

import pytest

from mlquiz import engine
from test_convolve import check_against_oracle

pytestmark = pytest.mark.slow

SEEDS = range(334)


@pytest.mark.parametrize("difficulty", ["easy", "medium", "hard"])
def test_generated_problems_against_the_oracle(difficulty):
    count = 0
    for seed in SEEDS:
        problem = engine.generate("convolve", seed, difficulty)
        check_against_oracle(problem.given, problem.solution.answers)
        count += 1
    assert count == len(SEEDS)


def test_sweep_covers_every_setting():
    seen = set()
    for seed in SEEDS:
        for difficulty in ("easy", "medium", "hard"):
            g = engine.generate("convolve", seed, difficulty).given
            seen |= {("relu", g["relu"]), ("pool", g["pool"]), ("stride", g["stride"]), ("padding", g["padding"]),
                     ("pool_stride", g["pool_stride"] if g["pool"] else None)}
    assert {("relu", True), ("relu", False), ("pool", "max"), ("pool", "avg"), ("pool", None), ("stride", 1),
            ("stride", 2), ("padding", 0), ("padding", 1), ("pool_stride", 1), ("pool_stride", 2)} <= seen
