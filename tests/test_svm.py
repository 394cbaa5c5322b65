"""SVM: the published example, an independent oracle (plain numpy, scikit-learn's hinge_loss, finite
differences and one-sided directional derivatives), each misconception by hand, bad input."""

import random

import numpy as np
import pytest
from sklearn.metrics import hinge_loss

from mlquiz import engine, marking
from mlquiz.answers import parse_answer
from mlquiz.errors import UserError
from mlquiz.model import Part
from mlquiz.text import Msg, join, render
from mlquiz.topics import svm
from topic_helpers import declared_misconceptions

HAND = {"data": "2,3,1;1,1,-1;4,5,1;0,1,-1", "w": "-1,1,-0.5", "lambda": "0.5", "lr": "0.1"}
BOUNDARY = {"data": "1,2,-1;2,2,-1;4,2,1;3,2,1", "w": "-3,1,0", "lambda": "0.1", "lr": "0.5"}


# --------------------------------------------------------------------------- the oracle (no solver code)

def arrays(given):
    xs = np.array([s["x"] for s in given["samples"]], dtype=float)
    ys = np.array([s["y"] for s in given["samples"]], dtype=float)
    w = np.array(given["w"], dtype=float)
    return xs, ys, w


def full_loss(given, w):
    """The course's batch loss (1/N)·Σ max(0, 1 − y(wᵀx + w0)) + (λ/2)‖w‖², w = [w0, w1, …]."""
    xs, ys, _ = arrays(given)
    m = ys * (xs @ w[1:] + w[0])
    return float(np.mean(np.maximum(0.0, 1.0 - m)) + given["lambda"] / 2 * np.sum(w[1:] ** 2))


def active_loss(given, w, active):
    """The loss with the active set held fixed: smooth, its gradient is the course's subgradient."""
    xs, ys, _ = arrays(given)
    m = ys * (xs @ w[1:] + w[0])
    return float(np.sum((1.0 - m)[active]) / len(ys) + given["lambda"] / 2 * np.sum(w[1:] ** 2))


def finite_difference(f, w, eps=1e-6):
    grad = np.zeros_like(w)
    for j in range(len(w)):
        plus, minus = w.copy(), w.copy()
        plus[j] += eps
        minus[j] -= eps
        grad[j] = (f(plus) - f(minus)) / (2 * eps)
    return grad


def oracle_check(given, answers, rng):
    """Every answer of one problem against a computation written here."""
    xs, ys, w = arrays(given)
    n = len(ys)
    scores = xs @ w[1:] + w[0]
    m = ys * scores
    np.testing.assert_allclose(answers["functional_margins"], m, atol=1e-12)
    norm = np.linalg.norm(w[1:])
    if norm > 0:
        np.testing.assert_allclose(answers["distances"], m / norm, atol=1e-12)
        assert answers["margin"] == pytest.approx(2 / norm, abs=1e-12)
    else:
        assert answers["distances"] is None and answers["margin"] is None
    on_margin = np.isclose(m, 1.0, rtol=0, atol=1e-9)
    hinge = np.where(on_margin, 0.0, np.maximum(0.0, 1.0 - m))
    np.testing.assert_allclose(answers["hinge_losses"], hinge, atol=1e-12)
    # scikit-learn's hinge_loss needs both classes in y (with one class it binarises the labels wrongly)
    mean_hinge = hinge_loss(ys, scores) if len(set(ys)) == 2 else float(np.mean(np.maximum(0.0, 1.0 - m)))
    assert answers["loss"] == pytest.approx(mean_hinge + given["lambda"] / 2 * norm ** 2, abs=1e-9)
    assert answers["support_vectors"] == [i + 1 for i in range(n) if on_margin[i]]
    active = (m < 1) & ~on_margin
    assert answers["violations"] == [i + 1 for i in range(n) if active[i]]
    gradient = np.array(answers["gradient"])
    np.testing.assert_allclose(gradient, finite_difference(lambda v: active_loss(given, v, active), w), atol=1e-6)
    if not np.any(np.abs(m - 1) < 1e-4):  # differentiable here: the true gradient
        np.testing.assert_allclose(gradient, finite_difference(lambda v: full_loss(given, v), w), atol=1e-6)
    for _ in range(4):  # a subgradient: every one-sided directional derivative is at least gᵀv
        v = np.array([rng.uniform(-1, 1) for _ in w])
        eps = 1e-7
        assert (full_loss(given, w + eps * v) - full_loss(given, w)) / eps >= gradient @ v - 1e-5
    np.testing.assert_allclose(answers["w_new"], w - given["lr"] * gradient, atol=1e-12)


# --------------------------------------------------------------------------- published example

def test_published_example_vms_tutorials():
    """VMS Tutorials' linear SVM example: w = [1, 0], b = −3 on A(1,2)−, B(2,2)−, C(4,2)+, D(5,2)+;
    y·f = 2, 1, 1, 2; B and C are the support vectors; margin lines x1 = 2 and x1 = 4 (margin 2)."""
    entries = engine.bank_entries("svm")
    index = next(i for i, e in enumerate(entries) if e["id"] == "vms-linear-svm-example")
    problem = engine.from_bank("svm", index)
    a = problem.solution.answers
    assert a["functional_margins"] == [2.0, 1.0, 1.0, 2.0]
    assert a["support_vectors"] == [2, 3]
    assert a["violations"] == []
    assert a["margin"] == 2.0
    assert a["hinge_losses"] == [0.0, 0.0, 0.0, 0.0] and a["loss"] == 0.0
    assert a["gradient"] == [0.0, 0.0, 0.0] and a["w_new"] == [-3.0, 1.0, 0.0]
    assert problem.citation or entries[index]["source"]


def test_published_example_li_hang_7_1():
    """Li Hang, Statistical Learning Methods, Example 7.1: x1 = (3,3)+, x2 = (4,3)+, x3 = (1,1)−; the
    maximum-margin hyperplane is ½x⁽¹⁾ + ½x⁽²⁾ − 2 = 0 with support vectors x1 and x3."""
    from sklearn.svm import SVC

    entries = engine.bank_entries("svm")
    index = next(i for i, e in enumerate(entries) if e["id"] == "lihang-example-7-1")
    problem = engine.from_bank("svm", index)
    a = problem.solution.answers
    assert a["functional_margins"] == [1.0, 1.5, 1.0]
    assert a["support_vectors"] == [1, 3] and a["violations"] == []
    assert a["margin"] == pytest.approx(2 * np.sqrt(2))  # 2/‖(½, ½)‖ = 2/(√2/2)
    assert a["distances"] == pytest.approx([np.sqrt(2), 1.5 * np.sqrt(2), np.sqrt(2)])
    fit = SVC(kernel="linear", C=1e6).fit([[3, 3], [4, 3], [1, 1]], [1, 1, -1])  # the book's w and b
    np.testing.assert_allclose([fit.intercept_[0], *fit.coef_[0]], problem.given["w"], atol=1e-3)
    assert sorted(fit.support_ + 1) == a["support_vectors"]


def test_every_bank_entry_has_a_source_and_a_title():
    for entry in engine.bank_entries("svm"):
        assert entry["source"].strip()
        for lang in ("en", "zh"):
            assert render(Msg(f"svm.bank.{entry['id']}"), lang)


# --------------------------------------------------------------------------- oracle over generated problems

def test_generated_problems_against_the_oracle():
    rng = random.Random(7)
    for difficulty in ("easy", "medium", "hard"):
        for seed in range(60):
            problem = engine.generate("svm", seed, difficulty)
            oracle_check(problem.given, problem.solution.answers, rng)
            svm.well_posed(problem)


def test_random_real_valued_problems_against_the_oracle():
    """Off the generator's grid: real-valued data, several features, margins near but not at 1."""
    rng = random.Random(11)
    for _ in range(150):
        n, d = rng.randint(2, 8), rng.randint(1, 4)
        given = {"samples": [{"x": [rng.uniform(-3, 3) for _ in range(d)], "y": rng.choice((1, -1))}
                             for _ in range(n)],
                 "w": [rng.uniform(-2, 2) for _ in range(d + 1)], "lambda": rng.choice((0.0, 0.1, 0.7)),
                 "lr": rng.choice((0.1, 0.5, 1.0))}
        oracle_check(given, svm.solve(given).answers, rng)


def test_a_margin_a_hair_from_one_is_a_support_vector():
    """0.3·3 + 0.1 = 0.9999999999999999 in floating point: rounded to 9 decimals it is exactly 1."""
    given = {"samples": [{"x": [3.0], "y": 1}, {"x": [0.0], "y": -1}], "w": [0.1, 0.3], "lambda": 0.0, "lr": 0.1}
    a = svm.solve(given).answers
    assert a["functional_margins"][0] != 1.0
    assert a["support_vectors"] == [1] and a["violations"] == [2]
    assert a["hinge_losses"][0] == 0.0


def test_zero_weights_leave_distances_and_margin_undefined():
    problem = engine.from_data("svm", {"data": "1,1;-1,-1"})
    a = problem.solution.answers
    assert a["distances"] is None and a["margin"] is None
    assert a["functional_margins"] == [0.0, 0.0] and a["violations"] == [1, 2]
    assert a["gradient"] == [0.0, -1.0] and a["loss"] == 1.0
    assert [p.name for p in problem.parts if p.name in ("distances", "margin")] == []
    assert join(problem.statement, "zh")


def test_csv_file_with_a_target_column(tmp_path):
    path = tmp_path / "points.csv"
    path.write_text("label,x1,x2\n-1,1,2\n-1,2,2\n1,4,2\n1,5,2\n", encoding="utf-8")
    a = engine.from_data("svm", {"data": str(path), "target": "Label", "w": "-3,1,0"}).solution.answers
    assert a["functional_margins"] == [2.0, 1.0, 1.0, 2.0] and a["support_vectors"] == [2, 3]
    path.write_text("x1,x2,y\n1,2,-1\n4,2,1\n", encoding="utf-8")
    assert engine.from_data("svm", {"data": str(path), "w": "-3,1,0"}).solution.answers["functional_margins"] == [2.0, 1.0]


# --------------------------------------------------------------------------- carried forward

def test_carried_forward_margins_feed_the_later_steps():
    given = engine.from_data("svm", HAND).given
    a = svm.solve(given, {("functional_margins",): [1.0, 0.5, 0.5, 1.5]}).answers
    assert a["support_vectors"] == [1] and a["violations"] == [2, 3]
    assert a["hinge_losses"] == [0.0, 0.5, 0.5, 0.0]
    carried = svm.solve(given, {("gradient",): [0.0, 1.0, 0.0]}).answers
    assert carried["w_new"] == pytest.approx([-1.0, 0.9, -0.5])


# --------------------------------------------------------------------------- misconceptions, by hand

def diagnosed(raw, name, typed):
    problem = engine.from_data("svm", raw)
    part = next(p for p in marking.checkpoints(problem) if p.name == name)
    found = marking.diagnose(problem, part, parse_answer(typed))
    return found.id if found else None


def test_misconceptions_are_declared_and_explained():
    assert len(declared_misconceptions("svm", svm.VARIANTS)) >= 3


def test_margin_slips_by_hand():
    # ‖w‖ = √(1² + 0.5²) = 1.118034: 2/‖w‖ = 1.788854 (right), 1/‖w‖ = 0.894427, ½‖w‖ = 0.559017;
    # with w0 in the norm √(1 + 1 + 0.25) = 1.5: 2/1.5 = 1.333333.
    assert diagnosed(HAND, "margin", "1.7889") is None
    assert diagnosed(HAND, "margin", "0.8944") == "margin_one_over_norm"
    assert diagnosed(HAND, "margin", "0.5590") == "margin_half_norm"
    assert diagnosed(HAND, "margin", "1.3333") == "bias_in_norm"


def test_loss_slips_by_hand():
    # margins −0.5, 0.5, 0.5, 1.5 → hinge 1.5, 0.5, 0.5, 0; mean 0.625; (0.5/2)·1.25 = 0.3125
    assert diagnosed(HAND, "loss", "0.9375") is None
    assert diagnosed(HAND, "loss", "2.8125") == "summed_hinge"              # 2.5 + 0.3125
    assert diagnosed(HAND, "loss", "0.9045") == "penalty_norm_not_squared"  # 0.625 + 0.25·1.118034
    assert diagnosed(HAND, "loss", "1.1875") == "bias_in_norm"              # 0.625 + 0.25·2.25


def test_gradient_slips_by_hand():
    # active {1, 2, 3}: Σ(−y) = −1, Σ(−y x1) = −5, Σ(−y x2) = −7; λw = [0.5, −0.25]
    assert diagnosed(HAND, "gradient", "-0.25,-0.75,-2") is None
    assert diagnosed(HAND, "gradient", "-1,-4.5,-7.25") == "summed_hinge"
    # (λ/2)·w/‖w‖ = 0.25·[1, −0.5]/1.118034 = [0.2236, −0.1118]
    assert diagnosed(HAND, "gradient", "-0.25,-1.0264,-1.8618") == "penalty_norm_not_squared"
    # λ·w0 = −0.5 added to ∂L/∂w0
    assert diagnosed(HAND, "gradient", "-0.75,-0.75,-2") == "bias_in_norm"


def test_sample_on_the_margin_counted_active_by_hand():
    # margins 2, 1, 1, 0: right active set {4}; counting m = 1 as active gives {2, 3, 4}
    # right ∂L/∂w1 = 0.1 − 3/4 = −0.65; with {2, 3, 4}: 0.1 + (2 − 4 − 3)/4 = −1.15
    assert diagnosed(BOUNDARY, "gradient", "-0.25,-0.65,-0.5") is None
    assert diagnosed(BOUNDARY, "gradient", "-0.25,-1.15,-0.5") == "boundary_counted_active"
    # w_new = w − 0.5·g: [−3, 1, 0] − 0.5·[−0.25, −1.15, −0.5]
    assert diagnosed(BOUNDARY, "w_new", "-2.875,1.575,0.25") == "boundary_counted_active"
    given = engine.from_data("svm", BOUNDARY).given
    assert svm.VARIANTS["boundary_counted_active"](given, ("violations",), None, {}) == [2, 3, 4]


def test_variants_follow_the_students_carried_values():
    given = engine.from_data("svm", HAND).given
    override = {("functional_margins",): [1.0, 0.5, 0.5, 1.5]}
    # with the student's margins the hinge sum is 1, so the summed loss is 1 + 0.3125
    assert svm.VARIANTS["summed_hinge"](given, ("loss",), None, override) == pytest.approx(1.3125)


# --------------------------------------------------------------------------- bad input

@pytest.mark.parametrize("raw, key", [
    ({"data": "2,3,1;1,1,0"}, "svm.error.label"),
    ({"data": "2,3,1;1,1,2"}, "svm.error.label"),
    ({"data": "1;-1"}, "svm.error.no_features"),
    ({"data": "2,3,1;1,1,-1", "w": "1,2"}, "svm.error.w_length"),
    ({"data": "2,3,1;1,1,-1", "target": "y"}, "svm.error.target_inline"),
    ({"data": "2e300,3,1;1,1,-1"}, "svm.error.too_large"),
    ({"data": "2,3,1;1,1,-1", "w": "1e300,1,1"}, "svm.error.too_large"),
])
def test_bad_input_is_one_clear_line(raw, key):
    with pytest.raises(UserError) as caught:
        engine.from_data("svm", raw)
    assert caught.value.message.key == key
    for lang in ("en", "zh"):
        assert "\n" not in render(caught.value.message, lang)


@pytest.mark.parametrize("raw", [
    {"data": "2,3,1;1,1"}, {"data": "2,3,1;1,1,-1", "lr": "0"}, {"data": "2,3,1;1,1,-1", "lambda": "-1"},
    {"data": "2,3,1;1,1,-1", "w": "a,b,c"},
])
def test_generic_option_errors(raw):
    with pytest.raises(UserError):
        engine.from_data("svm", raw)


def test_a_zero_one_label_error_names_the_row_and_the_fix():
    with pytest.raises(UserError) as caught:
        engine.from_data("svm", {"data": "2,3,1;1,1,0"})
    text = render(caught.value.message, "en")
    assert "row 2" in text and "−1" in text


def test_parts_are_integer_indices_from_one():
    problem = engine.generate("svm", 1, "medium")
    kinds = {p.name: p for p in problem.parts}
    assert isinstance(kinds["support_vectors"], Part) and kinds["support_vectors"].kind == "integer"
    assert min(kinds["support_vectors"].expected + kinds["violations"].expected) >= 1
