"""The entropy bank (problems/entropy/bank.toml): every entry against the numbers its source prints.

Several textbooks compute the gain as a difference of values already rounded to three decimals
(0.940 − 0.694 = 0.246); where that moves the third decimal, the test asserts the true value and says
what the source prints."""


import pytest

from mlquiz.topics import entropy
from topic_helpers import bank_problem


def problem(entry_id):
    return bank_problem("entropy", entry_id)


def answers(entry_id):
    return problem(entry_id).solution.answers


def printed(value, shown, places=3):
    """The source prints `shown`: the true value rounds to it."""
    return round(value, places) == pytest.approx(shown, abs=1e-12)


def test_notes_income():
    # The notes write H(D) = −0.5 log₂ 0.5 − 0.5 log₂ 0.5 and
    # H(D|A) = 0.6·(−4/6 log₂ 4/6 − 2/6 log₂ 2/6) + 0.4·(−1/4 log₂ 1/4 − 3/4 log₂ 3/4), and stop at
    # "IG(D|A) = ⋯": the values of those expressions.
    a = answers("notes-income")
    assert a["entropy"] == pytest.approx(1.0)
    assert a["conditional_entropy"] == pytest.approx(0.6 * 0.9183 + 0.4 * 0.8113, abs=1e-4)
    assert printed(a["conditional_entropy"], 0.8755, 4) and printed(a["information_gain"], 0.1245, 4)


def test_playtennis_mitchell():
    built = problem("playtennis")
    a = built.solution.answers
    gains = a["information_gain"]
    assert printed(a["entropy"], 0.940)
    # Mitchell prints Gain(S, Outlook) = 0.246 and Gain(S, Humidity) = 0.151, from rounded parts
    # (.940 − (7/14).985 − (7/14).592); the true gains are 0.24675 and 0.15184.
    assert gains["Outlook"] == pytest.approx(0.246, abs=1e-3) and printed(gains["Outlook"], 0.247)
    assert gains["Humidity"] == pytest.approx(0.151, abs=1e-3) and printed(gains["Humidity"], 0.152)
    assert printed(gains["Wind"], 0.048) and printed(gains["Temperature"], 0.029)
    # Figure 3.3: the branch entropies .985 / .592 (Humidity) and .811 / 1.00 (Wind).
    steps = built.solution
    assert [round(h, 3) for h in steps.step_by_id("branches/Humidity").value] == [0.985, 0.592]
    assert [round(h, 3) for h in steps.step_by_id("branches/Wind").value] == [0.811, 1.0]
    assert a["best_attribute"] == "Outlook"


def test_playtennis_extended_han():
    # The same table relabelled is Han et al.'s Table 8.1 (Temperature = income): SplitInfo = 1.557,
    # GainRatio(income) = 0.029/1.557 = 0.019, Gini(D) = 0.459.
    built = problem("playtennis-extended")
    a = built.solution.answers
    assert printed(built.solution.step_by_id("split_info/Temperature").value, 1.557)
    assert printed(a["gain_ratio"]["Temperature"], 0.019)
    assert printed(a["gini"], 0.459)


def test_loan_li_hang():
    # 例5.2: H(D) = 0.971, g(D,A1) = 0.083 (年龄), g(D,A2) = 0.324 (有工作), g(D,A3) = 0.420 (有自己的房子).
    a = answers("loan-small")
    gains = a["information_gain"]
    assert printed(a["entropy"], 0.971)
    assert printed(gains["Age"], 0.083) and printed(gains["Job"], 0.324) and printed(gains["House"], 0.420)
    assert a["best_attribute"] == "House"


def test_han_buys_computer():
    a = answers("han-buys-computer")
    gains = a["information_gain"]
    assert printed(a["entropy"], 0.940)
    assert printed(a["conditional_entropy"]["age"], 0.694)
    # Han prints Gain(age) = 0.940 − 0.694 = 0.246 and Gain(student) = 0.151, both from rounded parts;
    # the true gains are 0.24675 and 0.15184.
    assert gains["age"] == pytest.approx(0.246, abs=1e-3) and printed(gains["age"], 0.247)
    assert gains["student"] == pytest.approx(0.151, abs=1e-3) and printed(gains["student"], 0.152)
    assert printed(gains["income"], 0.029) and printed(gains["credit_rating"], 0.048)
    assert a["best_attribute"] == "age"
    # Examples 8.2 and 8.3, from the same table with the extended questions.
    extended = entropy.solve({**problem("han-buys-computer").given, "extended": True})
    assert printed(extended.step_by_id("split_info/income").value, 1.557)
    assert printed(extended.answers["gain_ratio"]["income"], 0.019)
    assert printed(extended.answers["gini"], 0.459)


def test_cmu_coins():
    a = answers("cmu-coins")
    gains = a["information_gain"]
    assert a["entropy"] == pytest.approx(1.0)
    assert printed(gains["rarity"], 0.082) and printed(gains["age"], 0.082) and printed(gains["wear"], 0.459)
    assert a["best_attribute"] == "wear"
