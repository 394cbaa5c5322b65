"""Linear and ridge regression against independent oracles (plain loops, central finite differences,
numpy lstsq, scikit-learn), the published four-point example, the named slips and bad input."""

import json
import math
import tomllib

import numpy as np
import pytest
from typer.testing import CliRunner

from mlquiz import engine, marking, registry
from mlquiz.answers import Answer
from mlquiz.cli import app
from mlquiz.errors import UserError
from mlquiz.model import answer_at
from mlquiz.text import join, render
from mlquiz.topics import linreg
from topic_helpers import declared_misconceptions

runner = CliRunner()
ELKIES = "-1,1;0,2;1,2;2,0"      # Elkies, Harvard Math 21b (2008), problem set 2, problem 2


# --------------------------------------------------------------------------- the oracle (test-only code)

def oracle(given):
    """Every answer, computed with plain loops, finite differences and lstsq, not the solver's code."""
    xs = [[1.0, *s["x"]] for s in given["samples"]]
    rs = [s["r"] for s in given["samples"]]
    lam, lr, steps = given["lambda"], given["lr"], given["steps"]
    n, m = len(rs), len(xs[0])

    def predict(w):
        return [sum(wj * xj for wj, xj in zip(w, x)) for x in xs]

    def loss(w):
        return sum((r - y) ** 2 for r, y in zip(rs, predict(w))) / (2 * n) + lam / 2 * sum(wj * wj for wj in w)

    def numeric_gradient(w, eps=1e-6):
        out = []
        for j in range(m):
            plus, minus = list(w), list(w)
            plus[j] += eps
            minus[j] -= eps
            out.append((loss(plus) - loss(minus)) / (2 * eps))
        return out

    def exact_gradient(w):  # a plain loop over the samples
        ys = predict(w)
        return [-sum((r - y) * x[j] for r, y, x in zip(rs, ys, xs)) / n + lam * w[j] for j in range(m)]

    w = list(given["w"])
    gradient = numeric_gradient(w)
    for _ in range(steps):
        g = exact_gradient(w)
        w = [wj - lr * gj for wj, gj in zip(w, g)]
    # ridge as least squares on an augmented system: ‖r − Xw‖² + λ‖w‖² = ‖[r; 0] − [X; √λ I] w‖²
    X = np.array(xs)
    A = np.vstack([X, math.sqrt(lam) * np.eye(m)])
    b = np.concatenate([rs, np.zeros(m)])
    closed = np.linalg.lstsq(A, b, rcond=None)[0]
    return {"predictions": predict(given["w"]), "loss": loss(given["w"]), "gradient": gradient, "w_new": w,
            "loss_new": loss(w), "closed_form": closed.tolist()}


def assert_matches_oracle(given, answers, gradient_tol=1e-5):
    expected = oracle(given)
    scale = 1 + max(abs(v) for v in expected["gradient"])
    np.testing.assert_allclose(answers["predictions"], expected["predictions"], rtol=1e-9, atol=1e-9)
    assert answers["loss"] == pytest.approx(expected["loss"], rel=1e-9, abs=1e-9)
    np.testing.assert_allclose(answers["gradient"], expected["gradient"], rtol=gradient_tol, atol=gradient_tol * scale)
    np.testing.assert_allclose(answers["w_new"], expected["w_new"], rtol=1e-8, atol=1e-8)
    assert answers["loss_new"] == pytest.approx(expected["loss_new"], rel=1e-8, abs=1e-9)
    np.testing.assert_allclose(answers["closed_form"], expected["closed_form"], rtol=1e-7, atol=1e-7)


def answers(*args):
    result = runner.invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)["answers"]


def check(*args):
    result = runner.invoke(app, ["check", "linreg", *args, "--json"])
    assert result.exit_code == 0, result.output
    return {m["name"]: m for m in json.loads(result.output)["marks"]}


# --------------------------------------------------------------------------- published example

def test_published_four_point_example():
    """Elkies prints the normal equation [6 2; 2 4][a; b] = [1; 5] (slope first) and a* = −3/10,
    b* = 7/5; the course's w = [w0, w1] = [b, a] with XᵀX = [4 2; 2 6], Xᵀr = [5, 1]."""
    a = answers("solve", "linreg", "--data", ELKIES)
    assert a["closed_form"] == pytest.approx([7 / 5, -3 / 10], abs=1e-12)
    problem = engine.from_data("linreg", {"data": ELKIES})
    lines = " ".join(str(line) for line in problem.solution.step_by_id("closed_form").lines)
    assert "[4, 2; 2, 6]" in lines and "[5, 1]" in lines and "det = 4·6 − 2² = 20" in lines


def test_bank_entry_is_the_published_example():
    with open(registry.info("linreg").folder / "bank.toml", "rb") as handle:
        entries = tomllib.load(handle)["problem"]
    assert [e["id"] for e in entries] == ["elkies-four-points", "strang-4-3-1"]
    assert "Elkies" in entries[0]["source"] and "7/5" in entries[0]["source"]
    assert "Strang" in entries[1]["source"] and "[36; 112]" in entries[1]["source"]
    for i in range(len(entries)):
        problem = engine.from_bank("linreg", i)
        assert_matches_oracle(problem.given, problem.solution.answers)
        assert any(p.path == ("closed_form",) for p in problem.parts)
    assert engine.from_bank("linreg", 0).solution.answers["closed_form"] == pytest.approx([1.4, -0.3], abs=1e-12)


def test_strang_problem_4_3_1():
    """Strang prints AᵀA = [4 8; 8 26], Aᵀb = [36; 112], x̂ = (C, D) = (1, 4), p = [1, 5, 13, 17]."""
    problem = engine.from_bank("linreg", 1)
    w = problem.solution.answers["closed_form"]
    assert w == pytest.approx([1, 4], abs=1e-12)
    t = [0, 1, 3, 4]
    assert [w[0] + w[1] * ti for ti in t] == pytest.approx([1, 5, 13, 17])
    lines = " ".join(str(line) for line in problem.solution.step_by_id("closed_form").lines)
    assert "XᵀX = [4, 8; 8, 26]" in lines and "Xᵀr = [36, 112]" in lines


def test_hand_worked_gradient_steps():
    """From w = [0, 0] with η = 0.1: r − y = [1, 2, 2, 0], ∇L = [−5/4, −1/4], w(1) = [0.125, 0.025],
    ∇L(w(1)) = [−1.1125, −0.15], w(2) = [0.23625, 0.04]."""
    a = answers("solve", "linreg", "--data", ELKIES, "--steps", "2")
    assert a["predictions"] == [0, 0, 0, 0] and a["loss"] == pytest.approx(9 / 8)
    assert a["gradient"] == pytest.approx([-1.25, -0.25])
    assert a["w_new"] == pytest.approx([0.23625, 0.04])


# --------------------------------------------------------------------------- oracle over many problems

def test_generated_problems_agree_with_the_oracle():
    for difficulty in ("easy", "medium", "hard"):
        for seed in range(60):
            problem = engine.generate("linreg", seed, difficulty)
            assert_matches_oracle(problem.given, problem.solution.answers)
            linreg.well_posed(problem)


def test_least_squares_and_ridge_against_scikit_learn():
    sklearn = pytest.importorskip("sklearn.linear_model")
    for seed in range(20):
        problem = engine.generate("linreg", seed, "hard")
        g, a = problem.given, problem.solution.answers
        X = np.array([s["x"] for s in g["samples"]])
        r = np.array([s["r"] for s in g["samples"]])
        ones = np.hstack([np.ones((len(r), 1)), X])
        # the course's closed form penalises w0: Ridge on [1, x] without a separate intercept
        course = sklearn.Ridge(alpha=g["lambda"], fit_intercept=False).fit(ones, r).coef_
        np.testing.assert_allclose(a["closed_form"], course, rtol=1e-7, atol=1e-9)
        # scikit-learn's own intercept is unpenalised: that is the "penalty left off w0" slip
        own = sklearn.Ridge(alpha=g["lambda"]).fit(X, r)
        slip = linreg.VARIANTS["ridge_no_w0"](g, ("closed_form",), None, {})
        np.testing.assert_allclose(slip, [own.intercept_, *own.coef_], rtol=1e-7, atol=1e-9)
    for seed in range(20):
        g = engine.generate("linreg", seed, "medium").given
        X = np.array([s["x"] for s in g["samples"]])
        r = np.array([s["r"] for s in g["samples"]])
        fit = sklearn.LinearRegression().fit(X, r)
        closed = engine.generate("linreg", seed, "medium").solution.answers["closed_form"]
        np.testing.assert_allclose(closed, [fit.intercept_, *fit.coef_], rtol=1e-7, atol=1e-9)


def test_gradient_descent_on_the_ridge_loss_converges_to_the_n_lambda_fixed_point():
    """The conventions' remark: GD on the 1/(2N) loss goes to (XᵀX + NλI)⁻¹Xᵀr, not (XᵀX + λI)⁻¹Xᵀr."""
    problem = engine.from_data("linreg", {"data": ELKIES, "lambda": "1", "lr": "0.1", "steps": "5000"})
    w = np.array(problem.solution.answers["w_new"])
    X = np.array([[1, -1], [1, 0], [1, 1], [1, 2]], float)
    r = np.array([1, 2, 2, 0], float)
    np.testing.assert_allclose(w, np.linalg.solve(X.T @ X + 4 * np.eye(2), X.T @ r), atol=1e-9)
    assert not np.allclose(w, problem.solution.answers["closed_form"], atol=1e-3)
    notes = " ".join(render(n) for n in problem.solution.notes)
    assert "NλI" in notes and "scikit-learn" in notes


def test_user_data_with_many_steps_and_three_features():
    rng = np.random.default_rng(5)
    for _ in range(30):
        n, d = int(rng.integers(2, 7)), int(rng.integers(1, 4))
        rows = np.round(rng.uniform(-3, 3, size=(n, d + 1)), 1)
        w = np.round(rng.uniform(-1, 1, size=d + 1), 1)
        data = ";".join(",".join(repr(float(v)) for v in row) for row in rows)
        raw = {"data": data, "w": ",".join(repr(float(v)) for v in w), "lr": "0.05",
               "steps": str(int(rng.integers(1, 40))), "lambda": repr(float(rng.choice([0, 0.1, 1])))}
        problem = engine.from_data("linreg", raw)
        if "closed_form" in problem.solution.answers:
            assert_matches_oracle(problem.given, problem.solution.answers)


# --------------------------------------------------------------------------- carried forward

def test_the_students_gradient_is_carried_into_the_step():
    given = engine.from_data("linreg", {"data": ELKIES, "w": "1,1", "lambda": "1"}).given
    carried = linreg.solve(given, {("gradient",): [1.0, 2.0]}).answers
    assert carried["w_new"] == pytest.approx([0.9, 0.8])
    assert carried["gradient"] == pytest.approx([1.25, 2.75])  # the right value is still recorded
    carried = linreg.solve(given, {("predictions",): [0.0, 0.0, 0.0, 0.0]}).answers
    assert carried["loss"] == pytest.approx(9 / 8 + 1)
    assert carried["gradient"] == pytest.approx([-1.25 + 1, -0.25 + 1])


# --------------------------------------------------------------------------- misconceptions

def test_misconceptions_are_declared_and_explained():
    assert len(declared_misconceptions("linreg", linreg.VARIANTS)) >= 3


def test_misconception_values_by_hand():
    """Elkies' points, w = [1, 1], λ = 1, η = 0.1: y = [0, 1, 2, 3], r − y = [1, 1, 0, −3],
    Σ(r − y)² = 11, Xᵀ(r − y) = [−1, −7]."""
    given = engine.from_data("linreg", {"data": ELKIES, "w": "1,1", "lambda": "1"}).given
    a = linreg.solve(given).answers
    assert a["loss"] == pytest.approx(11 / 8 + 1) and a["gradient"] == pytest.approx([1.25, 2.75])
    assert a["closed_form"] == pytest.approx([33 / 31, -5 / 31])
    v = linreg.VARIANTS
    assert v["summed_loss"](given, ("loss",), None, {}) == pytest.approx(11 / 2 + 1)
    assert v["summed_loss"](given, ("gradient",), None, {}) == pytest.approx([1 + 1, 7 + 1])
    assert v["ridge_gradient_sign"](given, ("gradient",), None, {}) == pytest.approx([-0.25 + 1, -1.75 + 1])
    assert v["ridge_no_w0"](given, ("loss",), None, {}) == pytest.approx(11 / 8 + 0.5)
    assert v["ridge_no_w0"](given, ("gradient",), None, {}) == pytest.approx([0.25, 2.75])
    assert v["ridge_no_w0"](given, ("closed_form",), None, {}) == pytest.approx([33 / 24, -6 / 24])
    assert v["ridge_n_lambda"](given, ("closed_form",), None, {}) == pytest.approx([48 / 76, -2 / 76])
    assert v["no_learning_rate"](given, ("w_new",), None, {}) == pytest.approx([1 - 1.25, 1 - 2.75])
    # without ridge the ridge slips do not apply
    plain = engine.from_data("linreg", {"data": ELKIES}).given
    for name in ("ridge_gradient_sign", "ridge_no_w0", "ridge_n_lambda"):
        assert v[name](plain, ("gradient",), None, {}) is None
        assert v[name](plain, ("closed_form",), None, {}) is None


def test_check_names_the_slips():
    marks = check("--data", ELKIES, "--work", "loss=4.5", "--work", "gradient=-5,-1")
    assert marks["loss"]["misconception"]["id"] == "summed_loss"
    assert marks["gradient"]["misconception"]["id"] == "summed_loss"
    ridge = ["--data", ELKIES, "--w", "1,1", "--lambda", "1"]
    marks = check(*ridge, "--work", "gradient=0.25,2.75", "--work", "closed_form=1.375,-0.25")
    assert marks["gradient"]["misconception"]["id"] == "ridge_no_w0"
    assert marks["closed_form"]["misconception"]["id"] == "ridge_no_w0"
    marks = check(*ridge, "--work", "gradient=0.75,-0.75", "--work", "closed_form=0.6316,-0.0263")
    assert marks["gradient"]["misconception"]["id"] == "ridge_gradient_sign"
    assert marks["closed_form"]["misconception"]["id"] == "ridge_n_lambda"
    marks = check(*ridge, "--work", "w_new=-0.25,-1.75")
    assert marks["w_new"]["misconception"]["id"] == "no_learning_rate"


def test_right_values_name_nothing():
    for difficulty in ("easy", "medium", "hard"):
        for seed in range(10):
            problem = engine.generate("linreg", seed, difficulty)
            for part in marking.checkpoints(problem):
                value = part.expected
                nones = [None] * len(value) if isinstance(value, list) else None
                assert marking.diagnose(problem, part, Answer(value, nones, str(value))) is None


# --------------------------------------------------------------------------- input

def test_aliases_csv_and_target_column(tmp_path):
    for alias in ("linear", "ridge", "regression"):
        assert registry.info(alias).name == "linreg"
    path = tmp_path / "points.csv"
    path.write_text("y,x\n1,-1\n2,0\n2,1\n0,2\n", encoding="utf-8")
    a = answers("solve", "linreg", "--data", str(path), "--target", "y")
    assert a["closed_form"] == pytest.approx([1.4, -0.3])
    path.write_text("x,y\n-1,1\n0,2\n1,2\n2,0\n", encoding="utf-8")
    assert answers("solve", "linreg", "--data", str(path))["closed_form"] == pytest.approx([1.4, -0.3])


@pytest.mark.parametrize("raw, key", [
    ({"data": "1,2;3"}, "linreg.error.ragged"),
    ({"data": "1,2;3,x"}, "linreg.error.cell"),
    ({"data": "1,2"}, "linreg.error.few_samples"),
    ({"data": "1;2"}, "linreg.error.width"),
    ({"data": ELKIES, "w": "1,2,3"}, "linreg.error.w_length"),
    ({"data": "1e300,1;2,2"}, "linreg.error.too_large"),
    ({"data": "a,b\n1,2\n3,4", "target": "c"}, "linreg.error.target_column"),
    ({"data": "100,1;-100,2", "lr": "50", "steps": "10000"}, "linreg.error.diverged"),
])
def test_bad_input_is_one_line(raw, key):
    with pytest.raises(UserError) as caught:
        engine.from_data("linreg", raw)
    assert caught.value.message.key == key
    for lang in ("en", "zh"):
        assert "\n" not in render(caught.value.message, lang)


def test_singular_data_has_no_closed_form_but_still_descends():
    problem = engine.from_data("linreg", {"data": "1,1;1,2;1,3"})
    assert "closed_form" not in problem.solution.answers
    assert any("singular" in render(n) for n in problem.solution.notes)
    assert problem.solution.answers["w_new"] == pytest.approx([0.2, 0.2])


def test_texts_render_and_every_answer_comes_from_a_step():
    declared = set(registry.info("linreg").answers)
    problems = [engine.generate("linreg", s, d) for d in ("easy", "medium", "hard") for s in range(10)]
    problems.append(engine.from_data("linreg", {"data": ELKIES, "steps": "50", "lambda": "0.5"}))
    for problem in problems:
        for lang in ("en", "zh"):
            assert join(problem.statement, lang) if _takes_lang() else join(problem.statement)
        produced = {path for step in problem.solution.steps for path in step.answers}
        assert {(name,) for name in problem.solution.answers} == produced
        assert set(problem.solution.answers) <= declared
        for part in problem.parts:
            assert answer_at(problem.solution.answers, part.path) == part.expected
        again = engine.from_data("linreg", linreg.as_options(problem.given))
        assert again.given == problem.given


def _takes_lang():
    import inspect
    return len(inspect.signature(join).parameters) > 1
