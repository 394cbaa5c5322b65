"""Policy gradient (returns, the REINFORCE step of a softmax policy, the Monte Carlo estimate) against
an independent oracle (a plain loop of discounted sums written forwards, scipy's softmax, central finite
differences of log π), the published Sutton & Barto Exercise 3.8, the misconceptions by hand, bad input."""

import json
import math

import numpy as np
import pytest
from scipy.special import log_softmax, softmax
from typer.testing import CliRunner

from mlquiz import engine, marking
from mlquiz.cli import app
from mlquiz.errors import UserError
from mlquiz.model import DIFFICULTIES
from mlquiz.text import Msg, join, render
from mlquiz.topics import policy as topic
from topic_helpers import declared_misconceptions, diagnosed

runner = CliRunner()
FULL = {"rewards": "-1,2,6", "gamma": "0.5", "logits": "1,2,0", "action": "2", "alpha": "0.5",
        "episodes": "4; 6; 2"}


# --------------------------------------------------------------------------- the oracle

def oracle_returns(rewards, gamma):
    """A plain loop, forwards: G_t = Σ_{k=t..T} γ^(k−t) r_k (no recursion)."""
    out = []
    for t in range(len(rewards)):
        total = 0.0
        for k in range(t, len(rewards)):
            total += gamma ** (k - t) * rewards[k]
        out.append(total)
    return out


def numeric_grad_log_prob(theta, action, eps=1e-6):
    """Central finite differences of log π(a) = log_softmax(θ)[a] (a is 1-based)."""
    theta = np.asarray(theta, float)
    grad = np.zeros_like(theta)
    for i in range(len(theta)):
        plus, minus = theta.copy(), theta.copy()
        plus[i] += eps
        minus[i] -= eps
        grad[i] = (log_softmax(plus)[action - 1] - log_softmax(minus)[action - 1]) / (2 * eps)
    return grad


def check_against_oracle(given, answers):
    if given.get("rewards"):
        assert answers["returns"] == pytest.approx(oracle_returns(given["rewards"], given["gamma"]), abs=1e-9)
    if given.get("logits"):
        theta = np.asarray(given["logits"], float)
        np.testing.assert_allclose(answers["probabilities"], softmax(theta), atol=1e-9)
        grad = numeric_grad_log_prob(theta, given["action"])
        np.testing.assert_allclose(answers["grad_log_prob"], grad, atol=1e-6)
        g = given["return"] if given.get("return") is not None else \
            oracle_returns(given["rewards"], given["gamma"])[0]
        np.testing.assert_allclose(answers["logits_new"], theta + given["alpha"] * g * grad, atol=1e-5)
    if given.get("episodes"):
        assert answers["mc_estimate"] == pytest.approx(sum(given["episodes"]) / len(given["episodes"]))


def every_problem(seeds=range(40)):
    for difficulty in DIFFICULTIES:
        for seed in seeds:
            yield engine.generate("policy", seed, difficulty)


def test_generated_problems_match_the_oracle():
    for problem in every_problem():
        check_against_oracle(problem.given, problem.solution.answers)


def test_user_data_matches_the_oracle():
    for raw in (FULL, {"logits": "0.5,-1,2,0", "action": "4", "alpha": "1", "return": "-3"},
                {"rewards": "1,0,0,0,5,-2", "gamma": "0.9"}, {"episodes": "1.5, 2; -3"}):
        problem = engine.from_data("policy", raw)
        check_against_oracle(problem.given, problem.solution.answers)


# --------------------------------------------------------------------------- published numbers

def test_bank_sutton_barto_exercise_3_8():
    """γ = 0.5, R1..R5 = −1, 2, 6, 3, 2: G0..G4 = 2, 6, 8, 4, 2 (the course's G_1..G_5)."""
    entries = engine.bank_entries("policy")
    index = [e["id"] for e in entries].index("sutton-barto-exercise-3-8")
    problem = engine.from_bank("policy", index)
    assert problem.solution.answers["returns"] == [2, 6, 8, 4, 2]
    assert [p.name for p in problem.parts] == [f"returns[{i}]" for i in (4, 3, 2, 1, 0)]


def test_every_bank_entry_has_a_source_and_titles():
    for i, entry in enumerate(engine.bank_entries("policy")):
        assert entry["source"].strip()
        for lang in ("en", "zh"):
            assert render(Msg(f"policy.bank.{entry['id']}"), lang)
        engine.from_bank("policy", i)


def test_full_example_by_hand():
    a = engine.from_data("policy", FULL).solution.answers
    assert a["returns"] == [1.5, 5, 6]  # G_3 = 6, G_2 = 2 + 0.5·6, G_1 = −1 + 0.5·5
    e = [math.e, math.e ** 2, 1.0]
    pi = [x / sum(e) for x in e]
    assert a["probabilities"] == pytest.approx(pi)
    grad = [-pi[0], 1 - pi[1], -pi[2]]
    assert a["grad_log_prob"] == pytest.approx(grad)
    assert a["logits_new"] == pytest.approx([t + 0.5 * 1.5 * g for t, g in zip([1, 2, 0], grad)])
    assert a["mc_estimate"] == 4


def test_minus_values_work_as_separate_arguments_and_with_equals():
    for args in (["--rewards", "-1,2,6"], ["--rewards=-1,2,6"]):
        result = runner.invoke(app, ["solve", "policy", *args, "--gamma", "0.5", "--json"])
        assert result.exit_code == 0, result.output
        assert json.loads(result.output)["answers"]["returns"] == [1.5, 5, 6]


def test_aliases():
    for alias in ("reinforce", "returns", "pg"):
        result = runner.invoke(app, ["solve", alias, "--episodes", "1;2;3", "--json"])
        assert result.exit_code == 0, result.output
        assert json.loads(result.output)["answers"]["mc_estimate"] == 2


def test_given_return_wins_over_g1():
    a = engine.from_data("policy", {**FULL, "return": "-1"}).solution.answers
    np.testing.assert_allclose(a["logits_new"], np.array([1, 2, 0]) - 0.5 * np.array(a["grad_log_prob"]))


# --------------------------------------------------------------------------- generated problems

def test_generated_problems_are_well_posed_and_hand_sized():
    for problem in every_problem(range(30)):
        topic.well_posed(problem)
        g = problem.given
        assert all(float(r) == int(r) for r in g["rewards"])
        if problem.difficulty == "easy":
            assert problem.solution.answers["probabilities"] == [0.5, 0.5]


def test_every_text_resolves_and_every_answer_comes_from_a_step():
    for problem in every_problem(range(5)):
        for lang in ("en", "zh"):
            assert join(problem.statement, lang)
        produced = {p[0] for s in problem.solution.steps for p in s.answers}
        assert set(problem.solution.answers) <= produced


def test_as_options_poses_the_same_problem_again():
    for problem in every_problem(range(10)):
        again = engine.from_data("policy", topic.as_options(problem.given))
        assert again.given == problem.given


def test_carried_forward_values_flow_through_the_derivation():
    given = engine.from_data("policy", FULL).given
    carried = topic.solve(given, {("returns", 2): 5.0}).answers  # a wrong G_3
    assert carried["returns"][1] == pytest.approx(2 + 0.5 * 5)
    carried = topic.solve(given, {("returns", 0): 3.0}).answers  # a wrong G_1 moves the step
    np.testing.assert_allclose(carried["logits_new"],
                               np.array([1, 2, 0]) + 0.5 * 3 * np.array(carried["grad_log_prob"]))
    carried = topic.solve(given, {("probabilities",): [0.2, 0.5, 0.3]}).answers
    assert carried["grad_log_prob"] == pytest.approx([-0.2, 0.5, -0.3])


def test_check_marks_a_carried_error_right_downstream():
    problem = engine.from_data("policy", FULL)
    parts = marking.checkpoints(problem)
    work = marking.parse_work(["returns[2]=5", "returns[1]=4.5", "returns[0]=1.25"], parts)
    status = {m.part.name: m.status for m in marking.mark(problem, work).marks}
    assert status["returns[2]"] == "wrong"
    assert status["returns[1]"] in ("right", "carried") and status["returns[0]"] in ("right", "carried")


# --------------------------------------------------------------------------- misconceptions

def test_misconceptions_are_declared_and_explained():
    assert len(declared_misconceptions("policy", topic.VARIANTS)) >= 3


def test_misconceptions_by_hand():
    problem = engine.from_data("policy", {**FULL, "rewards": "-1,2,6,4"})
    # right: G_4 = 4, G_3 = 6 + 2 = 8, G_2 = 2 + 4 = 6, G_1 = −1 + 3 = 2
    assert problem.solution.answers["returns"] == [2, 6, 8, 4]
    # γ on the first reward: G_1 = 0.5·(−1) + 0.25·2 + 0.125·6 + 0.0625·4 = 1 (= γ·G_1)
    assert diagnosed(problem, "returns[0]", 1.0) == "gamma_first"
    assert diagnosed(problem, "returns[3]", 2.0) == "gamma_first"
    # no discount: G_1 = −1 + 2 + 6 + 4 = 11, G_3 = 10
    assert diagnosed(problem, "returns[0]", 11.0) == "no_discount"
    assert diagnosed(problem, "returns[2]", 10.0) == "no_discount"
    # powers counted from step 1: G_3 = 0.25·6 + 0.125·4 = 2 (= γ²·G_3)
    assert diagnosed(problem, "returns[2]", 2.0) == "discount_from_start"
    theta, g = np.array([1.0, 2.0, 0.0]), 2.0  # G = G_1 = 2
    pi = softmax(theta)
    grad = np.array([0.0, 1.0, 0.0]) - pi
    assert diagnosed(problem, "grad_log_prob", (-grad).tolist()) == "gradient_sign"
    assert diagnosed(problem, "logits_new", (theta - 0.5 * g * grad).tolist()) == "gradient_sign"
    only = np.array([0.0, 1 - pi[1], 0.0])
    assert diagnosed(problem, "grad_log_prob", only.tolist()) == "chosen_only"
    assert diagnosed(problem, "logits_new", (theta + 0.5 * g * only).tolist()) == "chosen_only"
    assert diagnosed(problem, "logits_new", (theta + 0.5 * grad).tolist()) == "no_return"
    for part in problem.parts:  # a right value is never named
        assert diagnosed(problem, part.name, part.expected) is None


def test_every_misconception_fires_on_generated_problems():
    from mlquiz.conformance import check_marking

    fired = set()
    for problem in list(every_problem(range(12)))[::2]:
        fired |= check_marking(problem)
    assert fired == set(topic.VARIANTS)


# --------------------------------------------------------------------------- bad input

@pytest.mark.parametrize("raw, key", [
    ({}, "policy.error.missing"),
    ({"gamma": "0.5"}, "policy.error.missing"),
    ({"logits": "1,2"}, "policy.error.action_needed"),
    ({"logits": "1,2", "action": "3", "return": "1"}, "policy.error.action_range"),
    ({"logits": "1", "action": "1", "return": "1"}, "policy.error.logits_size"),
    ({"logits": "1,2", "action": "1"}, "policy.error.return_needed"),
    ({"rewards": "1,2", "action": "1"}, "policy.error.logits_needed"),
    ({"rewards": ",".join(["1"] * 101)}, "policy.error.too_big"),
    ({"rewards": "1e300,1"}, "policy.error.magnitude"),
    ({"logits": "1,2", "action": "1", "return": "1e9"}, "policy.error.magnitude"),
])
def test_bad_user_data_is_one_clear_line(raw, key):
    with pytest.raises(UserError) as caught:
        engine.from_data("policy", raw)
    assert caught.value.message.key == key
    for lang in ("en", "zh"):
        text = render(caught.value.message, lang)
        assert text and "\n" not in text and "{" not in text


@pytest.mark.parametrize("change", [{"alpha": "0"}, {"gamma": "1.5"}, {"gamma": "-0.1"}, {"action": "0"},
                                    {"action": "1.5"}, {"rewards": "1;2"}, {"logits": "a,b"}])
def test_options_are_read_and_range_checked_generically(change):
    with pytest.raises(UserError):
        engine.from_data("policy", {**FULL, **change})


def test_cli_error_is_one_line():
    result = runner.invoke(app, ["solve", "policy", "--logits", "1,2", "--action", "3", "--return", "1"])
    assert result.exit_code == 2, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("mlquiz: error:")


def test_bank_hands_on_rl_three_step_return():
    """Hands-on Modern RL 5.2: rewards 1, 2, 3 with γ = 0.9 give 1 + 1.8 + 2.43 = 5.23."""
    entries = engine.bank_entries("policy")
    index = [e["id"] for e in entries].index("hands-on-rl-three-step-return")
    a = engine.from_bank("policy", index).solution.answers
    assert a["returns"][0] == pytest.approx(5.23)
    assert a["returns"] == pytest.approx([5.23, 4.7, 3])
