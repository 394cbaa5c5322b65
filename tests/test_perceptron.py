"""The perceptron topic: the issue's acceptance example, the published bank example, an independent
plain-loop oracle over many seeds (scikit-learn too in the slow sweep), each misconception by hand, bad input."""

import json
import warnings
from fractions import Fraction

import pytest
from typer.testing import CliRunner

from mlquiz import engine, marking, registry, text
from mlquiz.answers import Answer
from mlquiz.cli import app
from mlquiz.model import DIFFICULTIES

runner = CliRunner()


# --------------------------------------------------------------------------- the oracle

def plain_loop(samples, labels, w, lr, max_epochs):
    """The course's rule, written out here (not the solver's code), in exact fractions:
    visit the samples in order, pass after pass; update when r·(w0 + w·x) ≤ 0."""
    q = lambda v: Fraction(str(v))  # the one-decimal numbers typed, exactly
    w = [q(v) for v in w]
    eta = q(lr)
    updates, passes, converged = [], 0, False
    for _ in range(max_epochs):
        passes += 1
        changed = False
        for i in range(len(samples)):
            x = [Fraction(1)] + [q(v) for v in samples[i]]
            r = labels[i]
            a = sum(wj * xj for wj, xj in zip(w, x))
            if r * a <= 0:
                w = [wj + eta * r * xj for wj, xj in zip(w, x)]
                updates.append(i + 1)
                changed = True
        if not changed:
            converged = True
            break
    return updates, [float(v) for v in w], passes, converged


def agrees(given, answers):
    updates, w, passes, converged = plain_loop(given["samples"], given["labels"], given["w"], given["lr"],
                                               given["max_epochs"])
    assert answers["updates"] == updates
    assert answers["w_final"] == pytest.approx(w, abs=1e-9)
    assert answers["epochs"] == passes
    assert answers["converged"] == ("true" if converged else "false")


def sklearn_weights(given, epochs):  # used by tests/test_oracle_perceptron.py
    """scikit-learn's Perceptron, same order (shuffle=False), as many passes as the run made.

    It computes in binary floating point, where η = 0.1 makes an exact 0 activation come out as
    ±1e-17 and flips the ≤ 0 test. So η = 0.1 is run as the same problem scaled by 10 (start weights
    ×10, η = 1: every activation is 10 times the original, the decisions are the same, and every
    number is a whole or half number, exact in floating point); the weights are divided back."""
    import numpy as np
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.linear_model import Perceptron

    scale = 10.0 if given["lr"] == 0.1 else 1.0
    x = np.array(given["samples"], float)
    y = np.array(given["labels"])
    w = [round(v * scale, 9) for v in given["w"]]
    model = Perceptron(eta0=round(given["lr"] * scale, 9), shuffle=False, tol=None, max_iter=epochs,
                       fit_intercept=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        model.fit(x, y, coef_init=np.array([w[1:]], float), intercept_init=np.array([w[0]], float))
    return [float(model.intercept_[0]) / scale, *(float(v) / scale for v in model.coef_[0])]


# --------------------------------------------------------------------------- acceptance

def solve_json(*args):
    result = runner.invoke(app, ["solve", *args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_acceptance_example_agrees_with_a_plain_loop():
    out = solve_json("perceptron", "--data", "2,3,1;1,1,-1;4,5,1")
    updates, w, passes, converged = plain_loop([[2, 3], [1, 1], [4, 5]], [1, -1, 1], [0, 0, 0], 1, 100)
    assert out["answers"]["updates"] == updates == [1, 2, 2, 2, 3, 2, 2, 2]
    assert out["answers"]["w_final"] == w == [-4, 0, 2]
    assert out["answers"]["epochs"] == passes == 7
    assert out["answers"]["converged"] == "true" and converged
    assert [s["id"] for s in out["steps"]][-4:] == ["updates", "w_final", "epochs", "converged"]


def test_alias_defaults_and_options():
    assert registry.info("pla").name == "perceptron"
    info = registry.info("perceptron")
    assert info.order == 70 and info.version == 1
    assert (info.option("lr").default, info.option("max_epochs").default) == (1, 100)
    out = solve_json("pla", "--data", "2,3,1;1,1,-1;4,5,1", "--w", "1,0,0", "--lr", "0.5", "--max-epochs", "2")
    updates, w, passes, converged = plain_loop([[2, 3], [1, 1], [4, 5]], [1, -1, 1], [1, 0, 0], 0.5, 2)
    assert out["answers"]["updates"] == updates and out["answers"]["w_final"] == pytest.approx(w)
    assert out["answers"]["epochs"] == passes == 2 and out["answers"]["converged"] == "false" and not converged


def test_csv_file_with_header_and_target(tmp_path):
    path = tmp_path / "points.csv"
    path.write_text("label,x1,x2\n1,2,3\n-1,1,1\n1,4,5\n")
    out = solve_json("perceptron", "--data", str(path), "--target", "label")
    assert out["answers"]["w_final"] == [-4, 0, 2]
    out = solve_json("perceptron", "--data", str(path), "--target", "1")
    assert out["answers"]["updates"] == [1, 2, 2, 2, 3, 2, 2, 2]


# --------------------------------------------------------------------------- the bank

def test_bank_li_hang_example_2_1():
    """Li Hang, Statistical Learning Methods, Example 2.1 / Table 2.1: misclassified points
    x1, x3, x3, x3, x1, x3, x3; (w, b) after each: ((3,3),1), ((2,2),0), ((1,1),−1), ((0,0),−2),
    ((3,3),−1), ((2,2),−2), ((1,1),−3); the final model sign(x(1) + x(2) − 3)."""
    entries = engine.bank_entries("perceptron")
    assert [e["id"] for e in entries] == ["lihang-example-2-1"]
    assert "Example 2.1" in entries[0]["source"]
    problem = engine.from_bank("perceptron", 0)
    answers = problem.solution.answers
    assert answers["updates"] == [1, 3, 3, 3, 1, 3, 3]
    assert answers["w_final"] == [-3, 1, 1]
    assert answers["epochs"] == 6 and answers["converged"] == "true"
    from mlquiz.topics.perceptron import simulate

    after = [v["after"] for v in simulate(problem.given)["visits"] if v["update"]]
    book = [((3, 3), 1), ((2, 2), 0), ((1, 1), -1), ((0, 0), -2), ((3, 3), -1), ((2, 2), -2), ((1, 1), -3)]
    assert after == [[b, *w] for w, b in book]
    agrees(problem.given, answers)
    for lang in text.LANGUAGES:
        assert text.has_text("perceptron.bank.lihang-example-2-1", lang)


# --------------------------------------------------------------------------- oracle over seeds

@pytest.mark.parametrize("difficulty", DIFFICULTIES)
def test_oracle_many_seeds(difficulty):
    for seed in range(150):
        problem = engine.generate("perceptron", seed, difficulty)
        agrees(problem.given, problem.solution.answers)


def test_generated_problems_are_hand_sized():
    for difficulty in DIFFICULTIES:
        for seed in range(40):
            g = engine.generate("perceptron", seed, difficulty).given
            assert 2 <= len(g["samples"]) <= 6 and 1 <= len(g["samples"][0]) <= 3
            assert g["lr"] in (1, 0.5, 0.1) and set(g["labels"]) == {1, -1}
            assert all(abs(v * 10 - round(v * 10)) < 1e-9 for x in g["samples"] for v in x)
            if difficulty == "easy":
                assert g["w"] == [0, 0, 0][: len(g["w"])] and g["lr"] == 1


# --------------------------------------------------------------------------- misconceptions by hand

def custom(data, **options):
    raw = {"data": data, **{k: str(v) for k, v in options.items()}}
    return engine.from_data("perceptron", raw)


def named(problem, name, value):
    part = next(p for p in marking.checkpoints(problem) if p.name == name)
    found = marking.diagnose(problem, part, Answer(value, [None] * len(value) if isinstance(value, list) else None,
                                                   str(value)))
    return found.id if found else None


def test_zero_is_correct_by_hand():
    # Li Hang's points from w = 0: every first activation is 0; taken as right, nothing ever moves.
    problem = custom("3,3,1; 4,3,1; 1,1,-1")
    assert named(problem, "w_final", [0.0, 0.0, 0.0]) == "zero_is_correct"
    assert named(problem, "epochs", 1) == "zero_is_correct"


def test_no_bias_update_by_hand():
    # x1 = (2,1) +1, x2 = (−1,−2) −1, w = 0. Right: x1 (a = 0) → [1, 2, 1]; x2: a = 1 − 2 − 2 = −3, right.
    # Without the bias: [0, 2, 1]; x2: a = −4, right; a clean second pass.
    problem = custom("2,1,1; -1,-2,-1")
    assert problem.solution.answers["w_final"] == [1, 2, 1]
    assert named(problem, "w_final", [0.0, 2.0, 1.0]) == "no_bias_update"


def test_update_on_correct_by_hand():
    # x = 1 (+1), x = 2 (+1), w = 0. Right: x1 (a = 0) → [1, 1]; x2: a = 3, right; done: w = [1, 1].
    # Judging pass 1 with its start weights (both a = 0) updates x2 as well: [1, 1] + [1, 2] = [2, 3].
    problem = custom("1,1; 2,1")
    assert problem.solution.answers["w_final"] == [1, 1]
    assert named(problem, "w_final", [2.0, 3.0]) == "update_on_correct"


def test_update_on_correct_recognises_a_list_with_an_extra_update():
    # x = 1 (+1), x = 2 (+1), x = −1 (−1), w = 0. Right: x1 → [1, 1]; x2 (a = 3) right; x3 (a = 0) → [0, 2].
    # A student who also updates at x2, which is right (a = 3): [1, 1] → [2, 3], then x3: a = −1, right.
    problem = custom("1,1; 2,1; -1,-1")
    assert problem.solution.answers["updates"] == [1, 3]
    assert named(problem, "updates", [1.0, 2.0]) == "update_on_correct"
    assert named(problem, "updates", [2.0, 3.0]) is None  # x1 (wrong) skipped: another mistake


def test_epochs_without_last_pass_by_hand():
    problem = custom("3,3,1; 4,3,1; 1,1,-1")  # six passes, the sixth clean
    assert named(problem, "epochs", 5) == "epochs_without_last_pass"


def test_check_names_the_slip_and_carries_forward():
    result = runner.invoke(app, ["check", "perceptron", "--data", "1,1; 2,1", "--work", "w_final=2,3"])
    assert result.exit_code == 0, result.output
    assert "already classified correctly" in result.output
    result = runner.invoke(app, ["check", "perceptron", "--data", "3,3,1; 4,3,1; 1,1,-1",
                                 "--work", "updates=1,3,3,3,1,3,2", "--work", "w_final=-1,6,5", "--json"])
    assert result.exit_code == 0, result.output
    marks = {m["name"]: m["status"] for m in json.loads(result.output)["marks"]}
    assert marks["updates"] == "wrong" and marks["w_final"] == "carried"  # [−1, 6, 5] follows from that list


def test_right_values_are_never_named():
    for difficulty in DIFFICULTIES:
        for seed in range(10):
            problem = engine.generate("perceptron", seed, difficulty)
            for part in marking.checkpoints(problem):
                if part.kind != "choice":
                    assert marking.diagnose(problem, part, Answer(part.expected, None, "")) is None


def test_misconceptions_are_declared_and_explained():
    ids = [m.id for m in marking.misconceptions("perceptron")]
    assert len(ids) >= 3 and "update_on_correct" in ids
    for m in ids:
        for field in ("name", "explanation", "rule"):
            for lang in text.LANGUAGES:
                assert text.has_text(f"perceptron.misconception.{m}.{field}", lang)


# --------------------------------------------------------------------------- bad input

@pytest.mark.parametrize("args, fragment", [
    (["--data", "2,3,1;1,1,0"], "label 0"),
    (["--data", "2,3,1;1,1,2"], "+1 and -1"),
    (["--data", "2,3,1;1,1"], "same number"),
    (["--data", "1;-1"], "at least one feature"),
    (["--data", "2,3,1;1,1,-1", "--w", "1,2"], "--w needs 3"),
    (["--data", "2,3,1;1,1,-1", "--lr", "0"], "--lr"),
    (["--data", "2,3,1;1,1,-1", "--max-epochs", "0"], "--max-epochs"),
    (["--data", "2,x,1;1,1,-1"], "--data"),
    (["--data", "a,b,c;1,1,-1", "--target", "nope"], "--target"),
    (["--data", "2,3,1;1,1,-1;4,5,1;0,0,-1;1,2,1;3,3,1", "--max-epochs", "1000"], "--max-epochs"),
])
def test_bad_input_is_one_line(args, fragment):
    result = runner.invoke(app, ["solve", "perceptron", *args])
    assert result.exit_code == 2, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("mlquiz: error:"), result.output
    assert fragment in lines[0]


def test_a_long_run_writes_out_only_the_updates():
    """Beyond a few hundred visits each pass lists its updates and counts the rest; the answers
    still agree with the plain loop (40 points, not separable: the limit is reached)."""
    rows = [[i % 7, i % 5, 1 if i % 3 else -1] for i in range(40)]
    problem = custom(";".join(",".join(map(str, r)) for r in rows))
    g = problem.given
    assert problem.solution.answers["converged"] == "false" and problem.solution.answers["epochs"] == 100
    agrees(g, problem.solution.answers)
    first = problem.solution.step_by_id("epoch/1")
    assert first.lines[0].key == "perceptron.line.quiet"
    assert all(line.key == "perceptron.line.update" for line in first.lines[1:])
