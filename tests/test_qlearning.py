"""Q-learning updates against a separate plain loop."""

import random

import pytest

from mlquiz import engine
from mlquiz.errors import UserError
from mlquiz.topics import qlearning


def plain_loop(q, transitions, alpha, gamma, target_q=None):
    q = [row[:] for row in q]
    for s, a, r, nxt in transitions:
        table = target_q if target_q is not None else q
        y = r if nxt is None else r + gamma * max(table[nxt])
        q[s][a] = q[s][a] + alpha * (y - q[s][a])
    return q


def test_issue_example():
    given = qlearning.parse_data("", {"q": "0,0;0,0;0,0", "transitions": "0,1,5,1; 1,0,-1,end",
                                      "alpha": "0.5", "gamma": "0.9"})
    a = qlearning.solve(given).answers
    assert a["td_targets"] == [5, -1] and a["q_table"] == [[0, 2.5], [-0.5, 0], [0, 0]]


def test_against_plain_loop():
    rng = random.Random(7)
    for _ in range(300):
        n_s, n_a = rng.randint(1, 5), rng.randint(1, 4)
        q = [[rng.uniform(-5, 5) for _ in range(n_a)] for _ in range(n_s)]
        transitions = [[rng.randrange(n_s), rng.randrange(n_a), rng.uniform(-10, 10),
                        None if rng.random() < 0.2 else rng.randrange(n_s)] for _ in range(rng.randint(1, 8))]
        target = [[rng.uniform(-5, 5) for _ in range(n_a)] for _ in range(n_s)] if rng.random() < 0.3 else None
        alpha, gamma = rng.uniform(0, 1), rng.uniform(0, 1)
        given = {"states": [str(i) for i in range(n_s)], "actions": [str(i) for i in range(n_a)], "q": q,
                 "alpha": alpha, "gamma": gamma, "transitions": transitions, "target_q": target, "policy_states": []}
        a = qlearning.solve(given).answers
        expected = plain_loop(q, transitions, alpha, gamma, target)
        for ours, theirs in zip(a["q_table"], expected):
            assert ours == pytest.approx(theirs, abs=1e-12)
        for s in range(n_s):
            assert a["greedy_policy"][s] == str(max(range(n_a), key=lambda k: (expected[s][k], -k)))


def test_alpha_one_is_the_table_filling_recursion():
    given = qlearning.parse_data("", {"q": "0,0;0,0;0,0", "transitions": "1,1,10,end; 0,1,0,1",
                                      "alpha": "1", "gamma": "0.9"})
    assert qlearning.solve(given).answers["q_table"] == [[0, 9.0], [0, 10.0], [0, 0]]


@pytest.mark.parametrize("options, fragment", [
    ({"q": "0,0", "transitions": "0,1,5"}, "s,a,r,s'"), ({"q": "0,0", "transitions": "3,0,1,0"}, "outside"),
    ({"q": "0,0", "transitions": "0,5,1,0"}, "action outside"), ({"q": "0,0", "transitions": "0,0,1,0", "alpha": "2"}, "--alpha"),
    ({"q": "0,0;0", "transitions": "0,0,1,0"}, "different lengths"), ({"transitions": "0,0,1,0"}, "needs --q"),
    ({"q": "0,0", "transitions": "0,0,1,0", "target_q": "0,0;0,0"}, "same shape"),
])
def test_bad_options(options, fragment):
    with pytest.raises(UserError, match=fragment):
        qlearning.parse_data("", {"has_data": False, **options})


def test_generated_tables_have_the_stated_shape_and_clear_policies():
    for seed in range(80):
        for difficulty in ("easy", "medium", "hard"):
            problem = engine.generate("qlearning", seed, difficulty)
            given = problem.given
            assert all(len(row) == len(given["actions"]) for row in given["q"])
            final = problem.solution.answers["q_table"]
            for s in given.get("policy_states") or []:
                assert abs(final[s][0] - final[s][1]) > 0.05
        hard = engine.generate("qlearning", seed, "hard").given
        assert hard["target_q"] is not None or any(t[3] is None for t in hard["transitions"])
