"""The naive Bayes solver against independent oracles (scikit-learn's CategoricalNB and a plain
counting loop written here) and published worked examples (Mitchell; Han, Kamber & Pei)."""

import json
import math
import warnings

import numpy as np
import pytest
from sklearn.naive_bayes import CategoricalNB
from test_cli import assert_one_line_error
from typer.testing import CliRunner

from mlquiz import engine, marking, text
from mlquiz.answers import Answer
from mlquiz.cli import app
from mlquiz.topics import naivebayes

runner = CliRunner()
PLAYTENNIS = engine.problems_dir() / "naivebayes" / "playtennis.csv"
MITCHELL_QUERY = "Outlook=Sunny,Temperature=Cool,Humidity=High,Wind=Strong"


def solve_json(*args):
    result = runner.invoke(app, ["solve", "naivebayes", *args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


# --------------------------------------------------------------------------- the oracles

def sklearn_oracle(given):
    """Priors, likelihoods, scores and posteriors from scikit-learn's CategoricalNB(alpha=α), keyed by
    class name. Categories are encoded over the whole table (plus an unseen query value, through
    min_categories), so K_j is the number of distinct values, as the course counts it."""
    columns, rows = given["columns"], given["rows"]
    t = columns.index(given["target"])
    names = [name for name, _ in given["query"]]
    js = [columns.index(name) for name in names]
    categories = []
    for j, (_, value) in zip(js, given["query"]):
        seen = sorted({row[j] for row in rows})
        categories.append(seen + ([value] if value not in seen else []))
    X = np.array([[categories[i].index(row[j]) for i, j in enumerate(js)] for row in rows])
    y = np.array([row[t] for row in rows])
    model = CategoricalNB(alpha=given["alpha"], min_categories=np.array([len(c) for c in categories]))
    with warnings.catch_warnings(), np.errstate(divide="ignore", invalid="ignore"):
        warnings.simplefilter("ignore")
        model.fit(X, y)
        xq = np.array([[categories[i].index(value) for i, (_, value) in enumerate(given["query"])]])
        joint = np.exp(model.predict_joint_log_proba(xq)[0])
        proba = model.predict_proba(xq)[0]
    labels = list(model.classes_)
    out = {"priors": {}, "likelihoods": {}, "scores": {}, "posteriors": {}}
    for ci, label in enumerate(labels):
        out["priors"][label] = math.exp(model.class_log_prior_[ci])
        out["likelihoods"][label] = [math.exp(model.feature_log_prob_[i][ci][xq[0][i]]) for i in range(len(js))]
        out["scores"][label] = joint[ci]
        out["posteriors"][label] = proba[ci]
    return out


def counting_oracle(given):
    """The same quantities by looping over the rows, with exact fractions-free float arithmetic."""
    columns, rows, alpha = given["columns"], given["rows"], given["alpha"]
    t = columns.index(given["target"])
    classes = []
    for row in rows:
        if row[t] not in classes:
            classes.append(row[t])
    out = {"priors": {}, "likelihoods": {}, "scores": {}}
    for c in classes:
        members = [row for row in rows if row[t] == c]
        out["priors"][c] = len(members) / len(rows)
        row_likelihoods = []
        for name, value in given["query"]:
            j = columns.index(name)
            k = len({row[j] for row in rows} | {value})
            hits = len([row for row in members if row[j] == value])
            row_likelihoods.append((hits + alpha) / (len(members) + alpha * k))
        out["likelihoods"][c] = row_likelihoods
        score = out["priors"][c]
        for p in row_likelihoods:
            score *= p
        out["scores"][c] = score
    total = sum(out["scores"].values())
    out["posteriors"] = {c: s / total for c, s in out["scores"].items()} if total else None
    return out, classes


def assert_matches_oracles(given, answers):
    ours_counting, classes = counting_oracle(given)
    assert list(answers["priors"]) == classes  # classes in order of first appearance
    for key in ("priors", "scores"):
        for c in classes:
            assert answers[key][c] == pytest.approx(ours_counting[key][c], rel=1e-12, abs=1e-15)
    for c in classes:
        np.testing.assert_allclose(answers["likelihoods"][c], ours_counting["likelihoods"][c], rtol=1e-12)
    sk = sklearn_oracle(given)
    for c in classes:
        assert answers["priors"][c] == pytest.approx(sk["priors"][c], rel=1e-9)
        np.testing.assert_allclose(answers["likelihoods"][c], sk["likelihoods"][c], rtol=1e-9)
        assert answers["scores"][c] == pytest.approx(sk["scores"][c], rel=1e-9, abs=1e-300)
    if answers["posteriors"] is not None:
        for c in classes:
            assert answers["posteriors"][c] == pytest.approx(sk["posteriors"][c], rel=1e-9, abs=1e-12)
        best = max(sk["posteriors"], key=sk["posteriors"].get)
        assert answers["prediction"] == best


# --------------------------------------------------------------------------- the acceptance example

def test_acceptance_playtennis_plain_counting():
    """Issue 12: predicts No with scores ≈ 0.0053 (Yes) and 0.0206 (No)."""
    out = solve_json("--data", str(PLAYTENNIS), "--target", "Play", "--query", MITCHELL_QUERY, "--alpha", "0")
    a = out["answers"]
    assert a["prediction"] == "No"
    assert a["scores"]["Yes"] == pytest.approx(0.0053, abs=5e-5)
    assert a["scores"]["No"] == pytest.approx(0.0206, abs=5e-5)
    assert a["posteriors"]["No"] == pytest.approx(0.795, abs=5e-4)   # Mitchell: .795
    assert a["priors"] == pytest.approx({"No": 5 / 14, "Yes": 9 / 14})
    assert a["likelihoods"]["Yes"] == pytest.approx([2 / 9, 3 / 9, 3 / 9, 3 / 9])
    assert a["likelihoods"]["No"] == pytest.approx([3 / 5, 1 / 5, 4 / 5, 3 / 5])
    assert_matches_oracles(out["given"], a)


def test_playtennis_with_laplace_default_and_case_insensitive_names():
    out = solve_json("--data", str(PLAYTENNIS), "--target", "play",
                     "--query", "outlook=SUNNY,temperature=cool,Humidity=high,WIND=strong")
    a = out["answers"]
    assert out["given"]["query"] == [["Outlook", "Sunny"], ["Temperature", "Cool"], ["Humidity", "High"],
                                     ["Wind", "Strong"]]  # printed as in the data
    assert a["likelihoods"]["Yes"] == pytest.approx([3 / 12, 4 / 12, 4 / 11, 4 / 11])  # K = 3, 3, 2, 2
    assert a["likelihoods"]["No"] == pytest.approx([4 / 8, 2 / 8, 5 / 7, 4 / 7])
    assert a["prediction"] == "No"
    assert_matches_oracles(out["given"], a)


def test_inline_table_target_defaults_to_last_column():
    a = solve_json("--data", "Outlook,Wind,Play; Sunny,Weak,No; Sunny,Strong,No; Rain,Weak,Yes; Rain,Strong,Yes;"
                   " Rain,Weak,No", "--query", "Outlook=Rain")["answers"]
    assert list(a["priors"]) == ["No", "Yes"]
    assert a["likelihoods"]["No"] == pytest.approx([(1 + 1) / (3 + 2)])
    assert a["likelihoods"]["Yes"] == pytest.approx([(2 + 1) / (2 + 2)])


def test_zero_count_and_every_score_zero_gives_null_and_exit_0():
    data = "Outlook,Wind,Play; Sunny,Weak,No; Sunny,Strong,No; Rain,Weak,Yes; Rain,Strong,Yes"
    out = solve_json("--data", data, "--query", "Outlook=Sunny,Wind=Calm", "--alpha", "0")
    a = out["answers"]
    assert a["scores"] == {"No": 0.0, "Yes": 0.0}
    assert a["posteriors"] is None and a["prediction"] is None
    notes = " ".join(out["notes"])
    assert "Zero-count problem" in notes and "K = 3" in notes and "undefined" in notes
    one = solve_json("--data", data, "--query", "Outlook=Sunny", "--alpha", "0")
    assert one["answers"]["scores"]["Yes"] == 0 and one["answers"]["prediction"] == "No"
    assert "Zero-count problem" in " ".join(one["notes"])
    smoothed = solve_json("--data", data, "--query", "Outlook=Sunny,Wind=Calm")
    assert smoothed["answers"]["likelihoods"]["No"] == pytest.approx([3 / 4, 1 / 5])  # K_Wind = 2 + 1 unseen
    assert_matches_oracles(smoothed["given"], smoothed["answers"])


# --------------------------------------------------------------------------- the bank

def bank_problem(entry_id):
    entries = engine.bank_entries("naivebayes")
    index = next(i for i, e in enumerate(entries) if e["id"] == entry_id)
    return engine.from_bank("naivebayes", index)


def test_bank_mitchell_playtennis():
    """Mitchell (1997), Section 6.9.1: .0053, .0206, v_NB = no, .795; P(strong|yes) = .33, P(strong|no) = .60."""
    problem = bank_problem("mitchell-playtennis")
    a = problem.solution.answers
    assert problem.citation.startswith("T. M. Mitchell")
    assert round(a["priors"]["Yes"], 2) == 0.64 and round(a["priors"]["No"], 2) == 0.36
    assert round(a["likelihoods"]["Yes"][3], 2) == 0.33 and round(a["likelihoods"]["No"][3], 2) == 0.60
    assert round(a["scores"]["Yes"], 4) == 0.0053 and round(a["scores"]["No"], 4) == 0.0206
    assert round(a["posteriors"]["No"], 3) == 0.795
    assert a["prediction"] == "No"


def test_bank_han_buys_computer():
    """Han, Kamber & Pei (2011), Example 8.4: P(X|yes) = 0.044, P(X|no) = 0.019, × prior: 0.028 and 0.007."""
    problem = bank_problem("han-buys-computer")
    a = problem.solution.answers
    assert round(a["priors"]["yes"], 3) == 0.643 and round(a["priors"]["no"], 3) == 0.357
    assert a["likelihoods"]["yes"] == pytest.approx([2 / 9, 4 / 9, 6 / 9, 6 / 9])
    assert a["likelihoods"]["no"] == pytest.approx([3 / 5, 2 / 5, 1 / 5, 2 / 5])
    assert round(math.prod(a["likelihoods"]["yes"]), 3) == 0.044
    assert round(math.prod(a["likelihoods"]["no"]), 3) == 0.019
    assert round(a["scores"]["yes"], 3) == 0.028 and round(a["scores"]["no"], 3) == 0.007
    assert a["prediction"] == "yes"


def test_every_bank_entry_matches_the_oracles():
    for i, _ in enumerate(engine.bank_entries("naivebayes")):
        problem = engine.from_bank("naivebayes", i)
        assert_matches_oracles(problem.given, problem.solution.answers)


# --------------------------------------------------------------------------- generated problems

@pytest.mark.parametrize("difficulty", ["easy", "medium", "hard"])
def test_generated_problems_against_the_oracles(difficulty):
    for seed in range(40):
        problem = engine.generate("naivebayes", seed, difficulty)
        g, a = problem.given, problem.solution.answers
        assert_matches_oracles(g, a)
        assert 6 <= len(g["rows"]) <= 12 and 1 <= len(g["query"]) <= 3
        if difficulty == "easy":
            assert g["alpha"] == 0 and all(s > 0 for s in a["scores"].values())
            for c, values in a["likelihoods"].items():  # simple fractions: denominators are class counts ≤ 6
                n_c = round(a["priors"][c] * len(g["rows"]))
                assert n_c <= 6 and all(abs(v * n_c - round(v * n_c)) < 1e-9 for v in values)
        else:
            assert g["alpha"] == 1
        if difficulty == "hard":  # a zero count that the smoothing rescues
            plain = naivebayes.compute(g, alpha=0.0)
            assert any(0.0 in v for v in plain["likelihoods"].values())


# --------------------------------------------------------------------------- misconceptions, by hand

HAND = "A,B,Y; a1,b1,P; a1,b2,P; a2,b1,P; a1,b1,N; a2,b2,N"
# count(P) = 3, count(N) = 2, K_A = K_B = 2, query A=a1, B=b1, α = 1:
# right: P(P) = 3/5, P(N) = 2/5; P(a1|P) = P(b1|P) = (2+1)/(3+2) = 3/5; P(a1|N) = P(b1|N) = (1+1)/(2+2) = 1/2;
# score(P) = 0.6·0.36 = 0.216, score(N) = 0.4·0.25 = 0.1; P(P|x) = 0.216/0.316.
HAND_SLIPS = [
    ("laplace_plus_one", ("likelihoods", "P"), [3 / 4, 3 / 4]),          # (2+1)/(3+1)
    ("laplace_plus_one", ("scores", "P"), 0.6 * (3 / 4) ** 2),
    ("no_smoothing", ("likelihoods", "P"), [2 / 3, 2 / 3]),              # 2/3
    ("no_smoothing", ("scores", "P"), 0.6 * (2 / 3) ** 2),
    ("smoothed_prior", ("priors", "P"), (3 + 1) / (5 + 2)),
    ("joint_frequency", ("likelihoods", "P"), [3 / 7, 3 / 7]),          # (2+1)/(5+2)
    ("joint_frequency", ("likelihoods", "N"), [2 / 7, 2 / 7]),          # (1+1)/(5+2)
    ("no_prior", ("scores", "P"), 0.36),
    ("no_prior", ("posteriors", "P"), 0.36 / (0.36 + 0.25)),
    ("unnormalised", ("posteriors", "P"), 0.216),
    ("unnormalised", ("posteriors", "N"), 0.1),
]


def hand_problem():
    return engine.from_data("naivebayes", {"data": HAND, "query": "A=a1,B=b1"})


def test_hand_example_right_values():
    a = hand_problem().solution.answers
    assert a["priors"] == pytest.approx({"P": 0.6, "N": 0.4})
    assert a["likelihoods"] == {"P": pytest.approx([0.6, 0.6]), "N": pytest.approx([0.5, 0.5])}
    assert a["scores"] == pytest.approx({"P": 0.216, "N": 0.1})
    assert a["posteriors"]["P"] == pytest.approx(0.216 / 0.316)
    assert a["prediction"] == "P"


@pytest.mark.parametrize("mistake, path, value", HAND_SLIPS)
def test_each_misconception_is_named(mistake, path, value):
    problem = hand_problem()
    part = next(p for p in marking.checkpoints(problem) if p.path == path)
    decimals = [None] * len(value) if isinstance(value, list) else None
    found = marking.diagnose(problem, part, Answer(value, decimals, str(value)))
    assert found is not None and found.id == mistake


def test_smoothing_misconceptions_do_not_apply_without_smoothing():
    problem = engine.from_data("naivebayes", {"data": HAND, "query": "A=a1,B=b1", "alpha": "0"})
    for mistake in ("laplace_plus_one", "no_smoothing", "smoothed_prior"):
        assert naivebayes.VARIANTS[mistake](problem.given, ("likelihoods", "P"), None, {}) is None


def test_right_values_name_no_misconception():
    for seed in range(10):
        for difficulty in ("easy", "medium", "hard"):
            problem = engine.generate("naivebayes", seed, difficulty)
            for part in marking.checkpoints(problem):
                if part.kind != "choice":
                    answer = Answer(part.expected, [None] * len(part.expected) if isinstance(part.expected, list)
                                    else None, "")
                    assert marking.diagnose(problem, part, answer) is None


def test_check_names_the_laplace_slip_and_carries_it_forward():
    """Issue 12 acceptance: `check` names the Laplace denominator +1 instead of +K."""
    result = runner.invoke(app, ["check", "nb", "--data", HAND, "--query", "A=a1,B=b1", "--json",
                                 "--work", "priors=0.6,0.4",
                                 "--work", "likelihoods[P]=0.75,0.75", "--work", "likelihoods[N]=0.667,0.667",
                                 "--work", "scores[P]=0.3375", "--work", "scores[N]=0.178",
                                 "--work", "posteriors[P]=0.655", "--work", "prediction=P"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    marks = {m["name"]: m for m in report["marks"]}
    assert marks["likelihoods[P]"]["misconception"]["id"] == "laplace_plus_one"
    assert marks["scores[P]"]["status"] == "carried" and marks["scores[N]"]["status"] == "carried"
    assert marks["posteriors[P]"]["status"] == "carried"
    assert marks["prediction"]["status"] == "right"
    assert report["verdict"] == "method"


# --------------------------------------------------------------------------- bad input

@pytest.mark.parametrize("args, fragment", [
    (("--data", "A,Y; a,P", "--query", "B=b"), "no attribute"),
    (("--data", "A,Y; a,P", "--query", "Y=P"), "class column"),
    (("--data", "A,Y; a,P", "--query", "A"), "attribute=value"),
    (("--data", "A,Y; a,P", "--query", "A=a,a=b"), "twice"),
    (("--data", "A,Y; a,P; b", "--query", "A=a"), "row 3 has 1 cells"),
    (("--data", "A,Y", "--query", "A=a"), "header row"),
    (("--data", "A,Y; a,P", "--query", "A=a", "--target", "Z"), "no column"),
    (("--data", "Y; P; N", "--query", "Y=P"), "attribute column"),
    (("--data", "A,Y; a,P", "--query", "A=a", "--alpha", "-1"), "--alpha"),
    (("--data", "A,Y; a,P"), "--query"),
    (("--data", "missing-file.csv", "--query", "A=a"), "missing-file.csv"),
])
def test_bad_input_is_one_line(args, fragment):
    assert_one_line_error(runner.invoke(app, ["solve", "naivebayes", *args]), fragment)


def test_chinese_derivation_renders():
    problem = engine.generate("naivebayes", 3, "hard")
    sentences = text.join(problem.statement, "zh")
    assert "朴素贝叶斯" in sentences and "拉普拉斯平滑" in sentences
    for note in problem.solution.notes:
        text.render(note, "zh")

