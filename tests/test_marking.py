"""`mlquiz check`: step-by-step marking, carried-forward method marks, named misconceptions.

Every wrong value below is worked out by hand, the way a student who holds the misconception would,
never by calling the topic's variant."""

import json
import math

import numpy as np
import pytest
from typer.testing import CliRunner

from mlquiz import marking, registry
from mlquiz.cli import app
from test_cli import assert_one_line_error

runner = CliRunner()
PCA = ["--data", "2.5,2.4;0.4,0.7;2.2,2.9"]
MAZUR = ["--x", "0.05,0.10", "--target", "0.01,0.99", "--w1", "0.15,0.20;0.25,0.30", "--b1", "0.35,0.35",
         "--w2", "0.40,0.45;0.50,0.55", "--b2", "0.60,0.60", "--lr", "0.5"]
QL = ["--q", "0,0;2,4;0,0", "--transitions", "0,1,5,1; 1,0,1,2", "--alpha", "0.5", "--gamma", "0.9"]


def check(topic, *args):
    result = runner.invoke(app, ["check", topic, *args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def mark_of(report, name):
    return next(m for m in report["marks"] if m["name"] == name)


def named(report, name):
    found = mark_of(report, name)["misconception"]
    return found and found["id"]


def work(*pairs):
    return [arg for name, value in pairs for arg in ("--work", f"{name}={value}")]


# --------------------------------------------------------------------------- acceptance

def test_pca_slip_with_eigenvalues_carried_forward():
    report = check("pca", *PCA, *work(("covariance", "1.26,1.23;1.23,1.33"), ("eigenvalues", "2.53,0.06")))
    assert mark_of(report, "covariance")["status"] == "wrong"
    # the course notes' own example: 1.26 is the notes' slip, and it is named as such
    assert mark_of(report, "covariance")["misconception"]["id"] == "notes_covariance_slip"
    assert mark_of(report, "eigenvalues")["status"] == "carried"
    assert report["verdict"] == "method" and report["first_wrong"] == 2
    other = check("pca", "--data", "2.5,2.4;0.4,0.7;2.2,3.0", *work(("covariance", "1.26,1.23;1.23,1.33")))
    assert mark_of(other, "covariance")["misconception"] is None  # on other data it is only a slip
    assert "course notes" in report["summary"] and "arithmetic slip at step 2" in other["summary"]
    text = runner.invoke(app, ["check", "pca", *PCA, *work(("covariance", "1.26,1.23;1.23,1.33"),
                                                           ("eigenvalues", "2.53,0.06"))]).output
    assert "◀ first error" in text and "carried" in text and "course notes" in text


def test_single_covariance_entry_can_be_addressed():
    report = check("pca", *PCA, *work(("covariance[0][0]", "1.26"), ("eigenvalues", "2.53,0.06")))
    assert mark_of(report, "covariance")["status"] == "wrong"
    assert mark_of(report, "eigenvalues")["status"] == "carried"


def test_conv_missing_plus_one():
    report = check("conv", "--data", "n=32,f=3,p=0,s=1", *work(("output_size", "29")))
    assert named(report, "output_size") == "no_plus_one"
    text = runner.invoke(app, ["check", "conv", "--data", "n=32,f=3,p=0,s=1", "--work", "output_size=29"]).output
    assert "forgets the +1" in text


def test_entropy_natural_log():
    report = check("entropy", "--data", "4,2;1,3", *work(("entropy", "0.693")))
    assert named(report, "entropy") == "natural_log"
    assert report["verdict"] == "method"


def test_all_right_and_nothing_given():
    report = check("entropy", "--data", "4,2;1,3", *work(("entropy", "1"), ("information_gain", "0.1245")))
    assert report["verdict"] == "all-right"


# --------------------------------------------------------------------------- every misconception, by hand

H1 = -(2 / 3) * math.log2(2 / 3) - (1 / 3) * math.log2(1 / 3)   # 0.9183
H2 = -(1 / 4) * math.log2(1 / 4) - (3 / 4) * math.log2(3 / 4)   # 0.8113


@pytest.mark.parametrize("name, value, misconception", [
    ("entropy", f"{-2 * 0.5 * math.log(0.5):.4f}", "natural_log"),
    ("entropy", f"{-2 * 0.5 * math.log10(0.5):.4f}", "log10"),
    ("conditional_entropy", f"{H1 + H2:.4f}", "unweighted_sum"),
    ("conditional_entropy", f"{(H1 + H2) / 2:.4f}", "plain_average"),
    ("conditional_entropy", f"{6 * H1 + 4 * H2:.4f}", "count_weighted"),
])
def test_entropy_misconceptions(name, value, misconception):
    assert named(check("entropy", "--data", "4,2;1,3", *work((name, value))), name) == misconception


def test_pca_misconceptions():
    # divided by n = 3: s11 = (0.64 + 1.69 + 0.25)/3
    assert named(check("pca", *PCA, *work(("covariance", "0.86, 0.82; 0.82, 0.8867"))), "covariance") == "covariance_over_n"
    # v from (S − λI)v = 0 as [s12, λ − s11], not divided by its length
    lam1, lam2 = 2.5402, 0.0798
    unit = f"1.23, {lam1 - 1.29:.4f}; 1.23, {lam2 - 1.29:.4f}"
    assert named(check("pca", *PCA, *work(("eigenvectors", unit))), "eigenvectors") == "not_normalised"
    # smallest first, as the notes list them
    assert named(check("pca", *PCA, *work(("eigenvalues", "0.0798, 2.5402"))), "eigenvalues") == "ascending_order"
    # vᵀx on the raw points
    v = (0.7013, 0.7128)
    raw = ", ".join(f"{v[0] * x + v[1] * y:.4f}" for x, y in ((2.5, 2.4), (0.4, 0.7), (2.2, 2.9)))
    assert named(check("pca", *PCA, *work(("projections", raw))), "projections") == "not_centred"


def test_conv_misconceptions():
    assert named(check("conv", "--data", "n=32,f=5,p=2,s=1", *work(("output_size", str((32 + 2 - 5) // 1 + 1)))),
                 "output_size") == "padding_once"
    chain = ["--data", "input n=8 c=1; deconv f=2 s=2 c=4"]
    assert named(check("conv", *chain, *work(("shapes[0]", f"4, {(8 - 2) // 2 + 1}, {(8 - 2) // 2 + 1}"))),
                 "shapes[0]") == "transposed_as_conv"
    layer = ["--data", "input n=32 c=3; conv f=5 p=2 s=1 c=16"]
    assert named(check("conv", *layer, *work(("parameters[0]", str(5 * 5 * 3 * 16)))), "parameters[0]") == "no_bias"
    assert named(check("conv", *layer, *work(("parameters[0]", str((5 * 5 + 1) * 16)))),
                 "parameters[0]") == "no_input_channels"


def test_qlearning_misconceptions():
    # transition 1: s=0, a=1, r=5, s'=1; the next transition takes action 0 in state 1 (Q = 2); max Q(1,·) = 4
    assert named(check("qlearning", *QL, *work(("td_targets[0]", str(5 + 0.9 * 2)))), "td_targets[0]") == "sarsa"
    assert named(check("qlearning", *QL, *work(("td_targets[0]", str(5 + 4)))), "td_targets[0]") == "no_gamma"
    assert named(check("qlearning", *["--q", "3,1;2,4;0,0", *QL[2:]], *work(("td_targets[0]", str(5 + 0.9 * 3)))),
                 "td_targets[0]") == "current_state"
    assert named(check("qlearning", *QL, *work(("q_tables[0]", f"0, {5 + 0.9 * 4}; 2, 4; 0, 0"))),
                 "q_tables[0]") == "no_alpha"


def sigmoid(a):
    return 1 / (1 + np.exp(-a))


def mazur_by_hand():
    x, r = np.array([0.05, 0.10]), np.array([0.01, 0.99])
    w1, w2 = np.array([[0.15, 0.20], [0.25, 0.30]]), np.array([[0.40, 0.45], [0.50, 0.55]])
    a1 = w1 @ x + 0.35
    h = sigmoid(a1)
    a2 = w2 @ h + 0.60
    y = sigmoid(a2)
    d_out = y * (1 - y) * (r - y)
    return x, r, w1, w2, a1, h, a2, y, d_out


def vec(v):
    return ", ".join(f"{float(x):.6f}" for x in v)


def mat(m):
    return "; ".join(vec(row) for row in m)


def test_backprop_misconceptions():
    x, r, w1, w2, a1, h, a2, y, d_out = mazur_by_hand()
    assert named(check("backprop", *MAZUR, *work(("delta_output", vec(r - y)))), "delta_output") == "no_sigmoid_derivative"
    assert named(check("backprop", *MAZUR, *work(("delta_output", vec(a2 * (1 - a2) * (r - y))))),
                 "delta_output") == "preactivation_derivative"
    w2_new = w2 + 0.5 * np.outer(d_out, h)
    assert named(check("backprop", *MAZUR, *work(("delta_hidden", vec(h * (1 - h) * (w2_new.T @ d_out))))),
                 "delta_hidden") == "updated_w2"
    assert named(check("backprop", *MAZUR, *work(("w2_new", mat(w2 + np.outer(d_out, h)))))
                 , "w2_new") == "no_learning_rate"
    unit = ["--x", "1,2", "--w1", "0.5,-0.3", "--b1", "0.2", "--upstream", "0.8", "--lr", "0.5"]
    a = 0.5 * 1 - 0.3 * 2 + 0.2
    assert named(check("backprop", *unit, *work(("sigmoid_derivative", f"{a * (1 - a):.6f}"))),
                 "sigmoid_derivative") == "preactivation_derivative"
    assert named(check("backprop", *unit, *work(("delta", "0.8"))), "delta") == "no_sigmoid_derivative"


def test_backprop_opposite_sign_is_a_remark_not_an_error():
    *_, d_out = mazur_by_hand()
    report = check("backprop", *MAZUR, *work(("delta_output", vec(-d_out))))
    m = mark_of(report, "delta_output")
    assert m["status"] == "right" and "opposite sign" in m["remark"]


def test_backprop_hidden_delta_wrong_updates_carried_forward():
    """A network with gradients large enough that a slip in δ_hid shows in the updated W₁."""
    x, r = np.array([1.0, 2.0]), np.array([1.0, 0.0])
    w1, w2 = np.array([[0.5, -0.4], [0.3, 0.8]]), np.array([[0.7, -0.6], [-0.2, 0.9]])
    h = sigmoid(w1 @ x)
    y = sigmoid(w2 @ h)
    d_out = y * (1 - y) * (r - y)
    wrong_hidden = h * (1 - h) * (w2.T @ d_out) * 2        # a slip in the hidden delta
    grad_w1 = -np.outer(wrong_hidden, x)
    args = ["--x", "1,2", "--target", "1,0", "--w1", "0.5,-0.4;0.3,0.8", "--w2", "0.7,-0.6;-0.2,0.9", "--lr", "1"]
    report = check("backprop", *args, *work(("delta_output", vec(d_out)), ("delta_hidden", vec(wrong_hidden)),
                                            ("grad_w1", mat(grad_w1)), ("w1_new", mat(w1 - grad_w1))))
    assert mark_of(report, "delta_output")["status"] == "right"
    assert mark_of(report, "delta_hidden")["status"] == "wrong"
    assert mark_of(report, "grad_w1")["status"] == "carried"
    assert mark_of(report, "w1_new")["status"] == "carried"
    assert report["verdict"] == "slip"


def test_every_catalogued_misconception_has_a_variant_and_vice_versa():
    for topic in registry.topics():
        module = registry.load(topic.name)
        ids = {m.id for m in marking.misconceptions(topic.name)}
        assert len(ids) >= 3, topic.name
        assert ids == set(module.VARIANTS), topic.name


# --------------------------------------------------------------------------- bad --work

@pytest.mark.parametrize("args, fragment", [
    (["--work", "nosuch=1"], "unknown name 'nosuch'"),
    (["--work", "covariance=abc"], "cannot read 'abc'"),
    (["--work", "covariance=1,2,3"], "expected a 2×2 matrix"),
    (["--work", "covariance[5][0]=1"], "has no entry [5][0]"),
    (["--work", "eigenvalues"], "write name=value"),
    (["--work", "mean=1/0"], "division by zero"),
])
def test_bad_work_is_one_line(args, fragment):
    assert_one_line_error(runner.invoke(app, ["check", "pca", *PCA, *args]), fragment)


def test_work_is_only_for_check():
    assert_one_line_error(runner.invoke(app, ["solve", "pca", *PCA, "--work", "mean=1,2"]), "belongs to `mlquiz check`")


# --------------------------------------------------------------------------- interactive

def test_interactive_check_asks_in_order_and_skips_on_enter():
    result = runner.invoke(app, ["check", "entropy", "--data", "4,2;1,3"], input="0.693\n\nabc\n0.8755\n")
    assert result.exit_code == 0, result.output
    assert result.output.index("[1/") < result.output.index("[2/")
    assert "could not read that" in result.output
    assert "Natural log" in result.output and "(skipped)" in result.output


def test_practice_names_the_misconception():
    result = runner.invoke(app, ["practice", "conv", "--seed", "1", "--difficulty", "easy"], input="")
    from mlquiz import engine

    problem = engine.generate("conv", 1, "easy")
    layer, n = problem.given["layers"][0], problem.given["input"]["n"]
    wrong = (n + 2 * layer["p"] - layer["f"]) // layer["s"]
    result = runner.invoke(app, ["practice", "conv", "--seed", "1", "--difficulty", "easy"], input=f"{wrong}\n")
    assert "forgets the +1" in result.output
