"""Q-learning updates against a separate plain loop."""

import random
from pathlib import Path

import pytest

from mlquiz import engine, registry, text
from mlquiz.errors import UserError
from mlquiz.model import answer_at
from mlquiz.topics import qlearning
from topic_helpers import declared_misconceptions, diagnosed

FOLDER = Path(qlearning.__file__).resolve().parents[2] / "problems" / "qlearning"


def plain_loop(q, transitions, alpha, gamma, target_q=None):
    q = [row[:] for row in q]
    for s, a, r, nxt in transitions:
        table = target_q if target_q is not None else q
        y = r if nxt is None else r + gamma * max(table[nxt])
        q[s][a] = q[s][a] + alpha * (y - q[s][a])
    return q


def flat(value):
    return [x for item in value for x in flat(item)] if isinstance(value, list) else [value]


def close(x, y, tolerance=1e-9):
    """Equal numbers in equal shapes (pytest.approx does not nest)."""
    return len(flat(x)) == len(flat(y)) and all(abs(a - b) <= tolerance for a, b in zip(flat(x), flat(y)))


def user(**raw):
    """A problem from the user's own options, typed as on the command line."""
    return engine.from_data("qlearning", raw)


def test_issue_example():
    a = user(q="0,0;0,0;0,0", transitions="0,1,5,1; 1,0,-1,end", alpha="0.5", gamma="0.9").solution.answers
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
    given = user(q="0,0;0,0;0,0", transitions="1,1,10,end; 0,1,0,1", alpha="1", gamma="0.9").given
    assert qlearning.solve(given).answers["q_table"] == [[0, 9.0], [0, 10.0], [0, 0]]


def test_defaults_and_data_as_the_q_table(tmp_path):
    """--alpha 0.5 and --gamma 0.9 by default; --data gives the Q-table like --q, inline or as a file."""
    plain = user(q="0,0;0,0;0,0", transitions="0,1,5,1; 1,0,-1,end")
    assert (plain.given["alpha"], plain.given["gamma"]) == (0.5, 0.9)
    assert user(data="0,0;0,0;0,0", transitions="0,1,5,1; 1,0,-1,end").solution.answers == plain.solution.answers
    path = tmp_path / "q.txt"
    path.write_text("0,0;0,0;0,0\n")
    assert user(data=str(path), transitions="0,1,5,1; 1,0,-1,end").solution.answers == plain.solution.answers
    # --q wins over --data, as before
    assert user(q="0,0;0,0;0,0", data="9,9;9,9;9,9", transitions="0,1,5,1; 1,0,-1,end").given["q"] == plain.given["q"]
    terminal = user(q="0,0", transitions="0,0,1,TERMINAL; 0,1,2,None; 0,0,1/2,end").given["transitions"]
    assert terminal == [[0, 0, 1, None], [0, 1, 2, None], [0, 0, 0.5, None]]


# Each error is one line naming what is wrong: the topic's own (qlearning.error.*) or, for what
# topic.toml declares (ranges, matrix shapes), the generic option errors of mlquiz.options.
@pytest.mark.parametrize("options, key, fragment", [
    ({"q": "0,0", "transitions": "0,1,5"}, "qlearning.error.transition_length", "s,a,r,s'"),
    ({"q": "0,0", "transitions": "3,0,1,0"}, "qlearning.error.state_range", "outside"),
    ({"q": "0,0", "transitions": "0,5,1,0"}, "qlearning.error.action_range", "action outside"),
    ({"q": "0,0", "transitions": "0,0,1,0", "alpha": "2"}, "ui.error.option_range_above", "--alpha"),
    ({"q": "0,0;0", "transitions": "0,0,1,0"}, "ui.error.data_ragged", "different lengths"),
    ({"transitions": "0,0,1,0"}, "qlearning.error.missing", "needs --q"),
    ({"q": "0,0", "transitions": "0,0,1,0", "target_q": "0,0;0,0"}, "qlearning.error.target_shape", "same shape"),
    ({"q": "0,0", "transitions": "0,0,x,0"}, "qlearning.error.reward", "reward 'x'"),
    ({"q": "0,0", "transitions": "0.5,0,1,0"}, "qlearning.error.transition", "whole number"),
    ({"q": "0,0", "transitions": "0,0,1,0", "alpha": "0"}, "ui.error.option_range_above", "--alpha"),
    ({"q": "0,0", "transitions": "0,0,1,0", "gamma": "-0.1"}, "ui.error.option_range", "--gamma"),
    ({"q": "0,0", "transitions": "0,0,1,0", "gamma": "abc"}, "ui.error.option_number", "--gamma"),
    ({"q": "0,0", "transitions": "0,0,1,0;" * 200}, "qlearning.error.too_big", "at most 50 states"),
])
def test_bad_options(options, key, fragment):
    with pytest.raises(UserError) as caught:
        user(**options)
    rendered = text.render(caught.value.message)
    assert caught.value.message.key == key and fragment in rendered and "\n" not in rendered


def test_generated_tables_have_the_stated_shape_and_clear_policies():
    for seed in range(80):
        for difficulty in ("easy", "medium", "hard"):
            problem = engine.generate("qlearning", seed, difficulty)
            given = problem.given
            assert all(len(row) == len(given["actions"]) for row in given["q"])
            final = problem.solution.answers["q_table"]
            for s in given.get("policy_states") or []:
                assert abs(final[s][0] - final[s][1]) > 0.05
            qlearning.well_posed(problem)
        hard = engine.generate("qlearning", seed, "hard").given
        assert hard["target_q"] is not None or any(t[3] is None for t in hard["transitions"])


# --------------------------------------------------------------------------- the topic kit

def test_steps_produce_every_answer_and_parts_point_at_steps():
    problem = user(q="0,0;0,0;0,0", transitions="0,1,5,1; 1,0,-1,end")
    solution = problem.solution
    assert [s.id for s in solution.steps] == ["target/1", "error/1", "update/1", "target/2", "error/2", "update/2",
                                              "policy"]
    assert solution.step_by_id("update/2").answers == (("q_tables", 1), ("q_table",))
    assert solution.step_by_id("update/2").marked == ((1, 0),)
    produced = {p for step in solution.steps for p in step.answers}
    for name in solution.answers:
        assert any(p[0] == name for p in produced), name
    assert set(solution.answers) == set(registry.info("qlearning").answers)
    assert [(p.name, p.step) for p in problem.parts] == [("td_targets[0]", "target/1"), ("td_targets[1]", "target/2"),
                                                          ("q_table", "update/2")]
    single = engine.generate("qlearning", 0, "easy")
    assert [(p.path, p.step) for p in single.parts] == [(("td_targets", 0), "target/1"), (("td_errors", 0), "error/1"),
                                                         (("q_table", 1, 0), "update/1")]
    medium = engine.generate("qlearning", 0, "medium")
    assert all(p.step == "policy" for p in medium.parts if p.path[0] == "greedy_policy")


def test_carried_forward_tables_go_through_the_steps():
    """The student's own table after transition 1 is what transition 2 starts from; the final table
    is what the last update computes from it."""
    given = user(q="0,0;2,4;0,0", transitions="0,1,5,1; 1,0,0,0").given
    mine = [[1.0, 1.0], [2.0, 4.0], [0.0, 0.0]]
    carried = qlearning.solve(given, {("q_tables", 0): mine}).answers
    assert carried["td_targets"][1] == pytest.approx(0.9 * 1.0)
    assert close(carried["q_table"], [[1, 1], [2 + 0.5 * (0.9 - 2), 4], [0, 0]])
    assert qlearning.solve(given, {("td_targets", 0): 9}).answers["q_tables"][0] == [[0, 4.5], [2, 4], [0, 0]]
    assert qlearning.solve(given, {("td_errors", 0): 2}).answers["q_table"][0] == [0, 1.0]
    assert qlearning.solve(given).answers["q_table"] == [[0, 4.3], [2.935, 4], [0, 0]]


def test_every_text_resolves():
    problems = [engine.generate("qlearning", seed, d) for seed in range(150) for d in ("easy", "medium", "hard")]
    problems += [user(q="0,0;0,0;0,0", transitions="0,1,5,1; 1,0,-1,end"),
                 user(q="1,1;2,2", transitions="0,0,1,1; 1,1,0,end", target_q="0,1;1,0", alpha="1/2")]
    for problem in problems:
        text.join(problem.statement)
        for part in problem.parts:
            text.render(part.prompt)
        for step in problem.solution.steps:
            for item in (step.title, step.formula, *step.lines, step.note):
                text.render(item)
        for note in problem.solution.notes:
            text.render(note)
        for header in problem.table[0]:
            text.render(header)
    assert any(p.solution.notes for p in problems)  # the tie note is among them


def test_statement_and_derivation_read_as_before():
    problem = user(q="0,0;0,0;0,0", transitions="0,1,5,1; 1,0,-1,end", alpha="0.5", gamma="0.9")
    assert text.join(problem.statement) == (
        "A Q-table has states 0, 1, 2 (rows) and actions 0, 1 (columns). With learning rate α = 0.5 and "
        "discount γ = 0.9, apply the Q-learning update for each transition (s, a, r, s') in order; 'end' marks "
        "a terminal next state. Transitions: (0, 1, 5, 1); (1, 0, −1, end)")
    steps = problem.solution.steps
    assert text.render(steps[0].title) == "TD target of transition 1"
    assert text.render(steps[0].formula) == "y = r + γ·max_a' Q(s',a')  (r alone if s' is terminal)"
    assert steps[0].lines == ("5 + 0.9·max(0, 0) = 5 + 0.9·0",)
    assert text.render(steps[3].lines[0]) == "s' is terminal, so y = r = −1"
    assert text.render(steps[5].title) == "Transition 2: (1, 0, −1, end)"
    assert steps[5].lines == ("Q(1, 0) ← 0 + 0.5·(−1) = −0.5",)
    assert text.render(problem.parts[0].prompt) == "the TD target of transition 1: (0, 1, 5, 1)"
    dqn = user(q="1,1;2,2", transitions="0,0,1,1", target_q="0,1;1,0")
    assert text.render(dqn.solution.steps[0].formula).startswith("y = r + γ·max_a' Q_target(s',a')")
    assert "The TD target uses a separate, frozen target table Q_target (as in DQN)." in text.join(dqn.statement)
    assert dqn.table[1][2] == ["0 (Q_target)", "0", "1"]


def test_options_typed_back_pose_the_same_problem():
    for seed in range(20):
        for difficulty in ("easy", "medium", "hard"):
            problem = engine.generate("qlearning", seed, difficulty)
            again = user(**qlearning.as_options(problem.given)).solution.answers
            for name in ("td_targets", "td_errors", "q_tables", "q_table"):
                assert close(again[name], problem.solution.answers[name], 1e-12)
            assert again["greedy_policy"] == problem.solution.answers["greedy_policy"]


# --------------------------------------------------------------------------- misconceptions

def test_misconception_data_and_texts():
    items = declared_misconceptions("qlearning", qlearning.VARIANTS)
    assert all(set(item) == {"id", "applies_to"} for item in items.values())


QL = {"q": "0,0;2,4;0,0", "transitions": "0,1,5,1; 1,0,1,2", "alpha": "0.5", "gamma": "0.9"}


def test_existing_misconceptions_still_named():
    """As tests/test_marking.py checks through the CLI: each wrong target worked out by hand."""
    problem = user(**QL)
    assert diagnosed(problem, "td_targets[0]", 5 + 0.9 * 2) == "sarsa"
    assert diagnosed(problem, "td_targets[0]", 5 + 4) == "no_gamma"
    assert diagnosed(user(**{**QL, "q": "3,1;2,4;0,0"}), "td_targets[0]", 5 + 0.9 * 3) == "current_state"
    assert diagnosed(problem, "q_tables[0]", [[0, 5 + 0.9 * 4], [2, 4], [0, 0]]) == "no_alpha"
    assert diagnosed(problem, "td_targets[0]", 5 + 0.9 * 4) is None  # the right value names nothing


def test_target_of_the_reward_alone_is_named():
    """Fix: y = r (γ·max Q(s',·) dropped) used to be an arithmetic slip; now it is `no_bootstrap`, and
    it carries on into the TD error, the table after the step and the final table."""
    items = declared_misconceptions("qlearning", qlearning.VARIANTS)
    assert items["no_bootstrap"]["applies_to"] == ["td_targets", "td_errors", "q_tables", "q_table"]
    problem = user(**{**QL, "q": "1,0;2,4;0,0"})  # SARSA, no γ and the row of s all give other values
    assert diagnosed(problem, "td_targets[0]", 5) == "no_bootstrap"
    assert diagnosed(problem, "td_errors[0]", 5 - 0) == "no_bootstrap"
    assert diagnosed(problem, "q_tables[0]", [[1, 2.5], [2, 4], [0, 0]]) == "no_bootstrap"
    # transition 2 starts from that table: y = 1 alone, so Q(1,0) = 2 + 0.5·(1 − 2)
    assert diagnosed(problem, "q_table", [[1, 2.5], [1.5, 4], [0, 0]]) == "no_bootstrap"
    variant = qlearning.VARIANTS["no_bootstrap"]
    assert variant(problem.given, ("td_targets", 1), None, {}) == 1
    terminal = user(q="0,0", transitions="0,0,3,end")
    assert variant(terminal.given, ("td_targets", 0), None, {}) is None  # r alone is right there


def test_forgotten_alpha_redoes_the_whole_run():
    """Fix: at the final table, forgetting α was tried on the last transition only (the student's
    Q(0,1) = y = 8.6 stayed unexplained); now the whole run uses Q(s,a) ← y, so the second target
    bootstraps from 8.6 too: Q(1,0) = 0 + 0.9·8.6 = 7.74."""
    problem = user(q="0,0;2,4;0,0", transitions="0,1,5,1; 1,0,0,0", alpha="0.5", gamma="0.9")
    variant = qlearning.VARIANTS["no_alpha"]
    assert close(variant(problem.given, ("q_table",), None, {}), [[0, 8.6], [7.74, 4], [0, 0]])
    assert diagnosed(problem, "q_table", [[0, 8.6], [7.74, 4], [0, 0]]) == "no_alpha"
    # with the student's own earlier table carried forward, only their last step is redone
    mine = [[0, 4.3], [2, 4], [0, 0]]
    assert close(variant(problem.given, ("q_table",), None, {("q_tables", 0): mine}), [[0, 4.3], [3.87, 4], [0, 0]])
    assert close(variant(problem.given, ("q_tables", 1), None, {("q_tables", 0): mine}), [[0, 4.3], [3.87, 4], [0, 0]])
    single = engine.generate("qlearning", 0, "easy")  # Q(s1, left) asked as a cell
    s, a, r, nxt = single.given["transitions"][0]
    assert variant(single.given, ("q_table", s, a), None, {}) == pytest.approx(
        single.solution.answers["td_targets"][0])


def test_variants_keep_to_what_they_can_explain():
    problem = user(**QL)
    given = problem.given
    # SARSA needs the next transition to start in s'; the last one has none
    assert qlearning.VARIANTS["sarsa"](given, ("td_targets", 1), None, {}) is None
    assert qlearning.VARIANTS["current_state"](user(q="0,0", transitions="0,0,1,0").given,
                                               ("td_targets", 0), None, {}) is None
    for name, variant in qlearning.VARIANTS.items():
        for path in (("td_targets", 0), ("td_errors", 0), ("q_tables", 1), ("q_table",)):
            if path[0] in declared_misconceptions("qlearning", qlearning.VARIANTS)[name]["applies_to"]:
                value = variant(given, path, None, {})
                assert value is None or not close(value, answer_at(problem.solution.answers, path)), name
