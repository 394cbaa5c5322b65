"""Skip-gram word2vec against an independent oracle (numpy written out here, a plain loop and central
finite differences of the loss), the published UCL example, the misconceptions by hand, bad input."""

import json
import math
import random

import numpy as np
import pytest
from typer.testing import CliRunner

from mlquiz import engine, marking, registry
from mlquiz.cli import app
from mlquiz.errors import UserError
from mlquiz.model import answer_at
from mlquiz.text import Msg, join, render
from mlquiz.topics import word2vec as topic
from topic_helpers import declared_misconceptions, diagnosed

runner = CliRunner()
SMALL = {"center": "1,0", "outside": "1,1;0,1;-1,2", "target": "2", "lr": "0.5"}


# --------------------------------------------------------------------------- the oracle

def plain_loss(v, u, o):
    """−ln p(o|c) by a plain loop, natural log, shifted by the largest score."""
    scores = [sum(a * b for a, b in zip(row, v)) for row in u]
    top = max(scores)
    total = sum(math.exp(s - top) for s in scores)
    return -(scores[o - 1] - top - math.log(total))


def numeric_gradient(v, u, o, eps=1e-6):
    grad = []
    for j in range(len(v)):
        plus, minus = list(v), list(v)
        plus[j] += eps
        minus[j] -= eps
        grad.append((plain_loss(plus, u, o) - plain_loss(minus, u, o)) / (2 * eps))
    return np.array(grad)


def check_against_oracle(given, answers):
    v = np.asarray(given["center"], float)
    u = np.asarray(given["outside"], float)
    o, lr = given["target"], given["lr"]
    scores = u @ v
    np.testing.assert_allclose(answers["scores"], scores, atol=1e-12)
    e = np.exp(scores - scores.max())
    p = e / e.sum()
    np.testing.assert_allclose(answers["probabilities"], p, atol=1e-12)
    assert sum(answers["probabilities"]) == pytest.approx(1.0)
    assert answers["loss"] == pytest.approx(plain_loss(list(v), u.tolist(), o), abs=1e-9)
    grad = numeric_gradient(list(v), u.tolist(), o)
    np.testing.assert_allclose(answers["grad_center"], grad, atol=1e-6)
    np.testing.assert_allclose(answers["center_new"], v - lr * grad, atol=1e-6)
    # one descent step with a small rate lowers the loss
    small = v - 1e-4 * np.asarray(answers["grad_center"])
    assert plain_loss(list(small), u.tolist(), o) <= answers["loss"] + 1e-12


def random_given(rng):
    n, d = rng.randint(2, 6), rng.randint(1, 4)
    return {"center": [rng.uniform(-2, 2) for _ in range(d)],
            "outside": [[rng.uniform(-2, 2) for _ in range(d)] for _ in range(n)],
            "target": rng.randint(1, n), "lr": rng.choice((0.1, 0.5, 1.0, 0.03))}


def test_random_problems_match_the_oracle():
    rng = random.Random(13)
    for _ in range(200):
        given = random_given(rng)
        check_against_oracle(given, topic.solve(given).answers)


def test_generated_problems_match_the_oracle():
    for difficulty in ("easy", "medium", "hard"):
        for seed in range(40):
            problem = engine.generate("word2vec", seed, difficulty)
            check_against_oracle(problem.given, problem.solution.answers)


# --------------------------------------------------------------------------- acceptance and bank

def answers(*args):
    result = runner.invoke(app, ["solve", *args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)["answers"]


def test_alias_json_and_a_worked_example():
    """Scores [1, 0, −1] give the course notes' softmax numbers [0.6652, 0.2447, 0.0900]."""
    a = answers("skipgram", "--center", "1,0", "--outside", "1,1;0,1;-1,2", "--target", "2", "--lr", "0.5")
    assert set(a) == {"scores", "probabilities", "loss", "grad_center", "center_new"}
    assert a["scores"] == pytest.approx([1.0, 0.0, -1.0])
    assert a["probabilities"] == pytest.approx([0.6652, 0.2447, 0.0900], abs=1e-4)
    assert a["loss"] == pytest.approx(1.4076, abs=1e-4)
    # −u_o + Σ p u = −[0, 1] + [0.6652 − 0.0900, 0.6652 + 0.2447 + 2·0.0900]
    assert a["grad_center"] == pytest.approx([0.5752, 0.0900], abs=1e-4)
    assert a["center_new"] == pytest.approx([0.7124, -0.0450], abs=1e-4)
    assert registry.info("skipgram").name == "word2vec"
    assert registry.info("word2vec").order == 180


def test_default_learning_rate_and_separate_negative_values():
    a = answers("word2vec", "--center", "-1,2", "--outside", "1,0;0,1", "--target", "1")
    e = np.exp([-1.0, 2.0])
    p = e / e.sum()
    assert a["loss"] == pytest.approx(-math.log(p[0]))
    grad = -np.array([1.0, 0.0]) + p @ np.eye(2)
    assert a["center_new"] == pytest.approx(list(np.array([-1.0, 2.0]) - 0.1 * grad))
    assert answers("word2vec", "--center=-1,2", "--outside", "1,0;0,1", "--target", "1") == a


def test_large_scores_do_not_overflow():
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        a = engine.from_data("word2vec", {"center": "1000", "outside": "1;0;-1", "target": "3"}).solution.answers
    assert a["probabilities"] == pytest.approx([1.0, 0.0, 0.0])
    assert a["loss"] == pytest.approx(2000.0)
    assert a["grad_center"] == pytest.approx([2.0])


def bank_problem(entry_id):
    entries = engine.bank_entries("word2vec")
    return engine.from_bank("word2vec", [e["id"] for e in entries].index(entry_id))


def test_bank_ucl_cut_government():
    """UCL PUBL0099 lecture 7: score −0.064, e^score 0.938, denominator 5.094, p = 0.184, ln p = −1.69."""
    problem = bank_problem("ucl-cut-government")
    a = problem.solution.answers
    assert round(a["scores"][1], 3) == -0.064
    assert [round(s, 3) for s in a["scores"]] == [0.010, -0.064, 0.113, -0.122, 0.132]
    exps = np.exp(a["scores"])
    assert round(float(exps[1]), 3) == 0.938
    assert [round(float(x), 3) for x in exps] == [1.010, 0.938, 1.120, 0.885, 1.141]
    assert round(float(exps.sum()), 3) == 5.094
    assert round(a["probabilities"][1], 3) == 0.184
    assert round(a["loss"], 2) == 1.69
    check_against_oracle(problem.given, a)
    assert problem.citation.startswith("UCL")


def test_every_bank_entry_has_a_source_and_titles():
    for i, entry in enumerate(engine.bank_entries("word2vec")):
        assert entry["source"].strip()
        for lang in ("en", "zh"):
            assert render(Msg(f"word2vec.bank.{entry['id']}"), lang)
        engine.from_bank("word2vec", i)


# --------------------------------------------------------------------------- structure

def every_problem():
    for difficulty in ("easy", "medium", "hard"):
        for seed in range(30):
            yield engine.generate("word2vec", seed, difficulty)
    yield engine.from_data("word2vec", SMALL)


def test_every_text_resolves_and_every_answer_comes_from_a_step():
    declared = set(registry.info("word2vec").answers)
    for problem in every_problem():
        for lang in ("en", "zh"):
            assert join(problem.statement, lang)
            for step in problem.solution.steps:
                for item in (step.title, step.formula, *step.lines):
                    render(item, lang) if isinstance(item, Msg) else item
            for note in problem.solution.notes:
                render(note, lang)
        produced = {path for step in problem.solution.steps for path in step.answers}
        assert {(name,) for name in problem.solution.answers} == produced
        assert set(problem.solution.answers) == declared
        for part in problem.parts:
            assert answer_at(problem.solution.answers, part.path) == part.expected


def test_generated_problems_are_well_posed_and_hand_sized():
    for problem in every_problem():
        if problem.source != "random":
            continue
        topic.well_posed(problem)
        g = problem.given
        values = [*g["center"], *(x for row in g["outside"] for x in row)]
        if problem.difficulty == "easy":
            assert all(x == int(x) for x in values) and len(g["outside"]) == 3
        elif problem.difficulty == "medium":
            assert all(2 * x == int(2 * x) for x in values)
        else:
            assert all(abs(10 * x - round(10 * x)) < 1e-9 for x in values) and len(g["center"]) == 3
    degenerate = engine.generate("word2vec", 0, "easy")
    degenerate.solution.answers["probabilities"] = [0.95, 0.04, 0.01]
    with pytest.raises(AssertionError):
        topic.well_posed(degenerate)


def test_as_options_poses_the_same_problem_again():
    for problem in every_problem():
        again = engine.from_data("word2vec", topic.as_options(problem.given))
        assert again.given == problem.given


def test_carried_forward_values_flow_through_the_derivation():
    given = engine.from_data("word2vec", SMALL).given
    carried = topic.solve(given, {("scores",): [0.0, 0.0, 0.0]}).answers
    assert carried["probabilities"] == pytest.approx([1 / 3] * 3)
    carried = topic.solve(given, {("probabilities",): [0.5, 0.25, 0.25]}).answers
    assert carried["loss"] == pytest.approx(math.log(4))
    assert carried["grad_center"] == pytest.approx([0.25, 0.25])  # −[0,1] + [0.5−0.25, 0.5+0.25+0.5]
    carried = topic.solve(given, {("grad_center",): [1.0, -1.0]}).answers
    assert carried["center_new"] == pytest.approx([0.5, 0.5])


def test_check_marks_a_carried_error_right_downstream():
    problem = engine.from_data("word2vec", SMALL)
    parts = marking.checkpoints(problem)
    work = marking.parse_work(["scores=0,0,0", "probabilities=1/3,1/3,1/3", "loss=1.0986"], parts)
    status = {m.part.name: m.status for m in marking.mark(problem, work).marks}
    assert status["scores"] == "wrong"
    assert status["probabilities"] in ("right", "carried") and status["loss"] in ("right", "carried")


# --------------------------------------------------------------------------- misconceptions

def test_misconceptions_are_declared_and_explained():
    assert len(declared_misconceptions("word2vec", topic.VARIANTS)) >= 3


def test_misconceptions_by_hand():
    problem = engine.from_data("word2vec", SMALL)
    v = np.array([1.0, 0.0])
    u = np.array([[1.0, 1.0], [0.0, 1.0], [-1.0, 2.0]])
    s = u @ v
    p = np.exp(s) / np.exp(s).sum()
    grad = -u[1] + p @ u
    assert diagnosed(problem, "probabilities", (1 / (1 + np.exp(-s))).tolist()) == "sigmoid_probabilities"
    assert diagnosed(problem, "loss", -math.log2(p[1])) == "log2_loss"
    assert diagnosed(problem, "loss", -math.log10(p[1])) == "log10_loss"
    assert diagnosed(problem, "loss", float(-s[1])) == "no_normaliser"
    assert diagnosed(problem, "grad_center", (-u[1]).tolist()) == "no_normaliser"
    assert diagnosed(problem, "grad_center", (-u[1] + p[0] * u[0] + p[2] * u[2]).tolist()) == "sum_without_target"
    assert diagnosed(problem, "grad_center", (-grad).tolist()) == "gradient_sign"
    assert diagnosed(problem, "center_new", (v + 0.5 * grad).tolist()) == "ascent_step"
    assert diagnosed(problem, "center_new", (v - grad).tolist()) == "no_learning_rate"
    # with η = 1 leaving η out changes nothing
    unit = engine.from_data("word2vec", {**SMALL, "lr": "1"})
    assert topic.VARIANTS["no_learning_rate"](unit.given, ("center_new",), None, {}) is None
    # a right value is never named
    for part in problem.parts:
        assert diagnosed(problem, part.name, part.expected) is None


def test_every_misconception_fires_on_generated_problems():
    from mlquiz.conformance import check_marking

    fired = set()
    for problem in list(every_problem())[::3]:
        fired |= check_marking(problem)
    assert fired == set(topic.VARIANTS)


# --------------------------------------------------------------------------- bad input

@pytest.mark.parametrize("raw, key", [
    ({**SMALL, "outside": "1,1"}, "word2vec.error.vocabulary"),
    ({**SMALL, "outside": "1,1,1;0,1,0"}, "word2vec.error.width"),
    ({**SMALL, "target": "4"}, "word2vec.error.target_range"),
    ({"center": "1", "outside": ";".join(["1"] * 11), "target": "1"}, "word2vec.error.too_big"),
    ({**SMALL, "center": "1e7,1"}, "word2vec.error.too_large"),
    ({**SMALL, "outside": "1e300,0;0,1;1,1"}, "word2vec.error.too_large"),
])
def test_bad_user_data_is_one_clear_line(raw, key):
    with pytest.raises(UserError) as caught:
        engine.from_data("word2vec", raw)
    assert caught.value.message.key == key
    for lang in ("en", "zh"):
        text = render(caught.value.message, lang)
        assert text and "\n" not in text and "{" not in text


@pytest.mark.parametrize("change", [{"lr": "0"}, {"lr": "-1"}, {"lr": "101"}, {"target": "0"},
                                    {"target": "1.5"}, {"target": None}, {"center": None}, {"center": "1,2;3,4"},
                                    {"outside": "a"}])
def test_options_are_read_and_range_checked_generically(change):
    with pytest.raises(UserError):
        engine.from_data("word2vec", {**SMALL, **change})


def test_cli_error_is_one_line():
    result = runner.invoke(app, ["solve", "word2vec", "--center", "1,2", "--outside", "1,2;3,4", "--target", "3"])
    assert result.exit_code == 2, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("mlquiz: error:")
