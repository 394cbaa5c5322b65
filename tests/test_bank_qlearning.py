"""The Q-learning bank (problems/qlearning/bank.toml): every entry against the numbers its source prints.

Sources: the SE3332 course notes (the table-filling recursion Q = r + γ·max Q(s',·), i.e. α = 1),
J. McCullock's "A Painless Q-Learning Tutorial" (mnemstudio.org) for the rooms, and the Hugging Face
Deep RL Course, Unit 2, for the mouse maze."""


import pytest

from mlquiz import engine, marking
from mlquiz.answers import Answer
from mlquiz.topics import qlearning
from topic_helpers import bank_problem

FOLDER = engine.problems_dir() / "qlearning"
ENTRIES = engine.bank_entries("qlearning")
IDS = [entry["id"] for entry in ENTRIES]

# The tutorial's converged table (rows: rooms 0-5, columns: go to room 0-5); its largest entry is 500
# and, divided by 500, it reads 80, 64, 100, 64, 80, 51.2, 80, 64, 64, 100, 80, 80, 100 (percent).
CONVERGED = [
    [0, 0, 0, 0, 400, 0],
    [0, 0, 0, 320, 0, 500],
    [0, 0, 0, 320, 0, 0],
    [0, 400, 256, 0, 400, 0],
    [320, 0, 0, 320, 0, 500],
    [0, 400, 0, 0, 400, 500],
]


def problem(entry_id):
    return bank_problem("qlearning", entry_id)


def answers(entry_id):
    return problem(entry_id).solution.answers


def test_notes_rooms_filling():
    # Episode 1: Q(1, 5) = R(1, 5) + 0.8 * Max[Q(5, 1), Q(5, 4), Q(5, 5)] = 100 + 0.8 * 0 = 100.
    # Episode 2: the tutorial prints "Q(1, 5) = R(1, 5) + 0.8 * Max[Q(1, 2), Q(1, 5)] = 0 + 0.8 * Max(0, 100)
    # = 80", a misprint: the update is Q(3, 1) = R(3, 1) + 0.8 * Max[Q(1, 3), Q(1, 5)], as its next sentence
    # says ("Q(1, 3) = 0 and Q(1, 5) = 100 ... Q(3, 1) = 80"). Then Q(1, 5) = 100 again, unchanged.
    # (It also credits that 100 to "R(5, 1)"; the reward is R(1, 5) = 100, R(5, 1) = 0.)
    a = answers("notes-rooms-filling")
    assert a["td_targets"] == [100, 80, 100]
    final = [[0.0] * 6 for _ in range(6)]
    final[1][5], final[3][1] = 100, 80
    assert a["q_table"] == final
    assert a["greedy_policy"][3] == "to 1"  # the only non-zero entry of row 3


def test_mnemstudio_rooms_converged():
    # The route the tutorial reads off the converged table from room 2: 2 - 3 - 1 - 5. Each step's update
    # gives back the entry it started from (the table is a fixed point of Q = r + 0.8·max Q(s',·)):
    # 0 + 0.8·400 = 320, 0 + 0.8·500 = 400, 100 + 0.8·500 = 500.
    a = answers("mnemstudio-rooms-converged")
    assert a["td_targets"] == [320, 400, 500]
    assert a["td_errors"] == [0, 0, 0]
    assert a["q_table"] == CONVERGED
    assert max(max(row) for row in a["q_table"]) == 500
    normalised = sorted({round(v / 500 * 100, 1) for row in CONVERGED for v in row if v})
    assert normalised == [51.2, 64, 80, 100]
    # "From State 2 the maximum Q values suggests the action to go to state 3 ... From State 1 ... state 5".
    policy = a["greedy_policy"]
    assert policy[2] == "to 3" and policy[1] == "to 5"


def test_hf_mouse_maze():
    # Timestep 1: Q(start, right) = 0 + 0.1·(1 + 0.99·0 − 0) = 0.1.
    # Timestep 2: the poison ends the episode: Q(cheese, down) = 0 + 0.1·(−10 − 0) = −1.
    a = answers("hf-mouse-maze")
    assert a["td_targets"] == [1, -10]
    assert a["q_table"] == [[0, pytest.approx(0.1), 0, 0], [0, 0, 0, pytest.approx(-1)]]
    assert a["greedy_policy"][0] == "right"  # the first move of the course's optimal policy


def test_table_filling_slips_are_named():
    # α = 1 makes the "no α" slip invisible, but dropping γ still shows: 0 + max(0, 100) = 100.
    built = problem("notes-rooms-filling")
    part = next(p for p in marking.checkpoints(built) if p.name == "td_targets[1]")
    assert marking.diagnose(built, part, Answer(100, None, "100")).id == "no_gamma"


def test_from_bank_rejects_a_malformed_entry():
    good = {k: v for k, v in ENTRIES[IDS.index("hf-mouse-maze")].items()}
    for broken in ({**good, "transitions": "start,right,1"}, {**good, "policy": ["nowhere"]},
                   {k: v for k, v in good.items() if k != "alpha"}, {**good, "q": "0,0"}, {**good, "q": []},
                   {**good, "q": [[0, 0, 0, 0], [0, 0]]}):
        with pytest.raises(ValueError):
            qlearning.from_bank(broken)
