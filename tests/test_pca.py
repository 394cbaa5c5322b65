"""PCA against scikit-learn and numpy.linalg, and the course example (with its erratum)."""

import json
import random
import re
from fractions import Fraction

import numpy as np
import pytest
from sklearn.decomposition import PCA
from typer.testing import CliRunner

from mlquiz import engine
from mlquiz.errors import UserError
from mlquiz.model import answer_at
from mlquiz.text import Msg, join, render
from mlquiz.topics import pca


def problem_of(text, **options):
    return engine.from_data("pca", {"data": text, **{k: str(v) for k, v in options.items()}})


def solved(text, **options):
    return problem_of(text, **options).solution


def shown(line):
    return render(line) if isinstance(line, Msg) else line


def step_text(solution, step_id):
    return "\n".join(shown(line) for line in solution.step_by_id(step_id).lines)


def test_course_example_corrected():
    a = solved("2.5,2.4;0.4,0.7;2.2,2.9").answers
    np.testing.assert_allclose(a["mean"], [1.7, 2.0])
    np.testing.assert_allclose(a["covariance"], [[1.29, 1.23], [1.23, 1.33]], atol=1e-12)  # the notes print 1.26
    np.testing.assert_allclose(a["eigenvalues"], [2.5402, 0.0798], atol=5e-5)               # not 2.53 / 0.06
    np.testing.assert_allclose(a["eigenvectors"], [[0.7013, 0.7128], [0.7128, -0.7013]], atol=5e-5)
    np.testing.assert_allclose(a["explained_variance_ratio"], [0.9695, 0.0305], atol=5e-5)


def test_against_sklearn_and_eigh_on_random_sets():
    rng = random.Random(5)
    for _ in range(220):
        n, d = rng.randint(3, 8), rng.randint(2, 3)
        points = np.round(np.array([[rng.uniform(-5, 5) for _ in range(d)] for _ in range(n)]), 1)
        text = ";".join(",".join(repr(float(v)) for v in p) for p in points)
        a = solved(text, k=d).answers
        model = PCA(n_components=d).fit(points)
        np.testing.assert_allclose(a["eigenvalues"], model.explained_variance_, rtol=1e-7, atol=1e-9)
        np.testing.assert_allclose(a["explained_variance_ratio"], model.explained_variance_ratio_, atol=1e-9)
        np.testing.assert_allclose(a["covariance"], np.cov(points.T), atol=1e-9)
        values = np.linalg.eigvalsh(np.cov(points.T))[::-1]
        np.testing.assert_allclose(a["eigenvalues"], values, atol=1e-9)
        gaps = np.abs(np.diff(values))
        if gaps.min() > 1e-6:  # eigenvectors are defined up to sign only for distinct eigenvalues
            for ours, theirs in zip(a["eigenvectors"], model.components_):
                assert abs(abs(np.dot(ours, theirs)) - 1) < 1e-7
                first = next(v for v in ours if abs(v) > 1e-12)
                assert first > 0
            scores = model.transform(points)
            for c in range(d):
                sign = np.sign(np.dot(a["eigenvectors"][c], model.components_[c]))
                np.testing.assert_allclose(np.array(a["projections"])[:, c], sign * scores[:, c], atol=1e-7)


def test_collinear_points_give_a_zero_eigenvalue_note():
    solution = solved("1,2;2,4;3,6")
    assert solution.answers["eigenvalues"][1] == pytest.approx(0, abs=1e-12)
    assert any("eigenvalue is 0" in render(note) for note in solution.notes)


@pytest.mark.parametrize("text, fragment", [("1,2", "at least two points"), ("1,2;3", "different lengths"),
                                            ("1,a;2,3", "not a number")])
def test_bad_data(text, fragment):
    with pytest.raises(UserError, match=fragment):
        problem_of(text)


def test_generated_problems_are_well_posed():
    for seed in range(60):
        for difficulty in ("easy", "medium", "hard"):
            problem = engine.generate("pca", seed, difficulty)
            pca.well_posed(problem)
            values = problem.solution.answers["eigenvalues"]
            assert values[0] > values[1] > 0 and values[0] - values[1] > 0.1  # distinct, no zero
            assert len(problem.given["points"]) == len(set(map(tuple, problem.given["points"])))
            if difficulty == "easy":
                assert 3 <= len(problem.given["points"]) <= 4
                for v in values:  # rational, halves at most: |S − λI| = 0 factors by hand
                    assert Fraction(v).limit_denominator(100) * 2 == int(round(2 * v))
            if difficulty == "hard":
                assert "reconstruction_error" in problem.solution.answers
                other = problem.solution.answers["eigenvectors"][1]
                q = problem.given["query"]
                centred = np.array(problem.given["points"][q]) - np.array(problem.solution.answers["mean"])
                assert problem.solution.answers["reconstruction_error"] == pytest.approx(np.dot(other, centred) ** 2)


# --------------------------------------------------------------------------- the topic-kit interface

def test_every_text_resolves_and_every_answer_has_its_step():
    problems = [engine.generate("pca", seed, d) for seed in range(40) for d in ("easy", "medium", "hard")]
    problems += [problem_of(t) for t in ("2.5,2.4;0.4,0.7;2.2,2.9", "1,2;2,4;3,6", "0,0;2,0;0,2;2,2",
                                         "1,2,3;2,1,0;4,4,4;0,1,5", "1;2;4", "1,2,3,4;2,1,0,3;4,4,4,1;0,1,5,2")]
    for problem in problems:
        assert join(problem.statement)
        headers, rows = problem.table
        assert [shown(h) for h in headers][0] == "point" and len(rows) == len(problem.given["points"])
        solution = problem.solution
        ids = [step.id for step in solution.steps]
        assert len(ids) == len(set(ids))
        for step in solution.steps:
            assert render(step.title) and render(step.formula)
            for line in step.lines:
                assert shown(line)
                assert not re.search(r"\d[e]−?\d", shown(line))  # no float noise such as 5.55e−17
        for note in solution.notes:
            assert render(note)
        produced = {path for step in solution.steps for path in step.answers}
        assert {(name,) for name in solution.answers} <= produced
        for part in problem.parts:
            assert render(part.prompt)
            assert solution.step_by_id(part.step) is not None
            assert part.path in solution.step_by_id(part.step).answers or part.path[:1] in solution.step_by_id(
                part.step).answers
            assert part.expected == answer_at(solution.answers, part.path)
            for _, remark in part.accepted:
                assert render(remark)


def test_parts_point_at_stable_step_ids():
    problem = engine.generate("pca", 7, "hard")
    q = problem.given["query"]
    assert [(p.path, p.step) for p in problem.parts] == [
        (("mean",), "mean"), (("covariance",), "covariance"), (("eigenvalues",), "eigenvalues"),
        (("eigenvectors",), "eigenvectors"), (("explained_variance_ratio",), "ratios"),
        (("projections", q), "projections"), (("reconstruction_error",), "reconstruction")]
    projection = problem.parts[5]
    assert projection.name == f"projections[{q}]"
    assert [value for value, _ in projection.accepted] == [-projection.expected]


def test_carried_forward_covariance_and_mean():
    given = problem_of("2.5,2.4;0.4,0.7;2.2,2.9").given
    slip = [[1.26, 1.23], [1.23, 1.33]]  # the notes' misprint, carried forward
    a = pca.solve(given, {("covariance",): slip}).answers
    np.testing.assert_allclose(a["covariance"], [[1.29, 1.23], [1.23, 1.33]])  # the right value is still recorded
    values = np.linalg.eigvalsh(slip)[::-1]  # 2.5255, 0.0645: the eigenvalues follow the student's S
    np.testing.assert_allclose(a["eigenvalues"], values, atol=1e-12)
    np.testing.assert_allclose(a["explained_variance_ratio"], values / 2.59, atol=1e-12)
    shifted = pca.solve(given, {("mean",): [1.5, 2.0]}).answers
    assert shifted["mean"] == pytest.approx([1.7, 2.0])
    # centred on the student's mean: (1.0, 0.4), (−1.1, −1.3), (0.7, 0.9)
    assert shifted["covariance"][0][0] == pytest.approx((1.0 ** 2 + 1.1 ** 2 + 0.7 ** 2) / 2)


def test_variants_take_tuple_paths():
    given = problem_of("2.5,2.4;0.4,0.7;2.2,2.9").given
    over_n = pca.VARIANTS["covariance_over_n"]
    np.testing.assert_allclose(over_n(given, ("covariance",), None, {}), [[0.86, 0.82], [0.82, 1.33 * 2 / 3]])
    assert over_n(given, ("covariance", 0, 0), None, {}) == pytest.approx(0.86)
    ascending = pca.VARIANTS["ascending_order"]
    assert ascending(given, ("eigenvalues",), None, {}) == pytest.approx([0.0798, 2.5402], abs=5e-5)
    assert ascending(given, ("eigenvalues", 0), None, {}) == pytest.approx(0.0798, abs=5e-5)
    unit = [[1.23, 2.5402 - 1.29], [1.23, 0.0798 - 1.29]]
    lengths = np.linalg.norm(unit, axis=1)
    wrong = pca.VARIANTS["not_normalised"](given, ("eigenvectors",), unit, {})
    np.testing.assert_allclose(np.linalg.norm(wrong, axis=1), lengths, rtol=1e-3)
    raw = pca.VARIANTS["not_centred"](given, ("projections",), None, {})
    assert raw[0] == pytest.approx(0.7013 * 2.5 + 0.7128 * 2.4, abs=1e-3)
    own = pca.VARIANTS["not_centred"](given, ("projections", 1), None, {("eigenvectors",): [[1, 0], [0, 1]]})
    assert own == pytest.approx(0.4)


# --------------------------------------------------------------------------- fixes

def test_fractions_in_inline_data():
    """`1/2` is inline data (not a file name) and number_rows reads it: mean x = 17/6."""
    a = solved("1/2,1;3,4;5,7").answers
    assert a["mean"] == pytest.approx([17 / 6, 4])
    from mlquiz.cli import app

    result = CliRunner().invoke(app, ["solve", "pca", "--data", "1/2,1;3,4;5,7", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["answers"]["mean"] == pytest.approx([17 / 6, 4])


def test_csv_file_with_header_row(tmp_path):
    path = tmp_path / "points.csv"
    path.write_text("x,y\n2.5,2.4\n0.4,0.7\n2.2,2.9\n")
    a = solved(str(path)).answers
    assert a["eigenvalues"][0] == pytest.approx(2.5402, abs=5e-5)
    plain = tmp_path / "plain.csv"
    plain.write_text("2.5,2.4\n0.4,0.7\n2.2,2.9\n")
    assert solved(str(plain)).answers["mean"] == pytest.approx([1.7, 2.0])


@pytest.mark.parametrize("k", ["0", "-1", "3", "1.5"])
def test_k_out_of_range(k):
    with pytest.raises(UserError, match="--k"):
        engine.from_data("pca", {"data": "1,2;3,4", "k": k})


def test_k_defaults_to_one():
    given = engine.from_data("pca", {"data": "1,2;3,5;4,4"}).given
    assert given["k"] == 1
    assert np.array(solved("1,2;3,5;4,4", k=2).answers["projections"]).shape == (3, 2)


def test_covariance_multiple_of_identity():
    """S = (4/3)·I: every vector is an eigenvector; no `v ∝ [0, 0]`, the unit basis vectors are taken."""
    solution = solved("0,0;2,0;0,2;2,2")
    a = solution.answers
    np.testing.assert_allclose(a["covariance"], [[4 / 3, 0], [0, 4 / 3]])
    assert a["eigenvectors"] == [[1.0, 0.0], [0.0, 1.0]]
    for i in (1, 2):
        text = step_text(solution, f"eigenvector/{i}")
        assert "∝ [0, 0]" not in text
        assert "every non-zero vector is an eigenvector" in text
    cov = np.array(a["covariance"])
    for lam, v in zip(a["eigenvalues"], a["eigenvectors"]):
        np.testing.assert_allclose(cov @ v, lam * np.array(v), atol=1e-12)
    three = solved("1,0,0;-1,0,0;0,1,0;0,-1,0;0,0,1;0,0,-1").answers
    assert three["eigenvectors"] == np.eye(3).tolist()


def test_first_row_of_shifted_matrix_zero():
    """S = diag(4/3, 16/3): for λ₂ = 4/3 the first row of S − λI is zero, so the second row is used."""
    solution = solved("0,0;2,0;0,4;2,4")
    a = solution.answers
    assert a["eigenvalues"] == pytest.approx([16 / 3, 4 / 3])
    text = step_text(solution, "eigenvector/2")
    assert "∝ [0, 0]" not in text
    assert "0·x + 4·y = 0 ⇒ v ∝ [4, 0] ⇒ v = [1, 0]" in text
    assert "−4·x + 0·y = 0 ⇒ v ∝ [0, 4] ⇒ v = [0, 1]" in step_text(solution, "eigenvector/1")
    cov = np.array(a["covariance"])
    for lam, v in zip(a["eigenvalues"], a["eigenvectors"]):
        np.testing.assert_allclose(cov @ v, lam * np.array(v), atol=1e-12)


def test_as_options_poses_the_same_problem_again():
    for seed in range(30):
        for difficulty in ("easy", "medium", "hard"):
            problem = engine.generate("pca", seed, difficulty)
            again = engine.from_data("pca", pca.as_options(problem.given))
            assert again.given["points"] == problem.given["points"]
            assert again.given["query"] == problem.given["query"]
            for key, value in problem.solution.answers.items():  # --query also asks for the reconstruction
                np.testing.assert_allclose(again.solution.answers[key], value, rtol=0, atol=1e-12)
            assert [p.name for p in again.parts][:len(problem.parts)] == [p.name for p in problem.parts]


def test_query_option():
    problem = problem_of("2.5,2.4;0.4,0.7;2.2,2.9", query="c")
    assert problem.given["query"] == 2 and problem.given["reconstruct"]
    assert [p.name for p in problem.parts][-2:] == ["projections[2]", "reconstruction_error"]
    assert "Project point C" in join(problem.statement)
    v2 = np.array(problem.solution.answers["eigenvectors"][1])
    centred = np.array([2.2, 2.9]) - np.array([1.7, 2.0])
    assert problem.solution.answers["reconstruction_error"] == pytest.approx(np.dot(v2, centred) ** 2)
    assert problem_of("2.5,2.4;0.4,0.7;2.2,2.9").given["query"] is None
    with pytest.raises(UserError, match="--query"):
        problem_of("2.5,2.4;0.4,0.7;2.2,2.9", query="D")


def test_not_normalised_gives_the_hand_solved_vectors():
    given = problem_of("2.5,2.4;0.4,0.7;2.2,2.9").given
    # with no usable student value: v ∝ [s12, λ − s11] as solved from (S − λI)v = 0, not divided by ‖v‖
    hand = pca.VARIANTS["not_normalised"](given, ("eigenvectors",), None, {})
    np.testing.assert_allclose(hand, [[1.23, 2.5402 - 1.29], [1.23, 0.0798 - 1.29]], atol=1e-4)
    assert pca.VARIANTS["not_normalised"](given, ("eigenvectors", 1), None, {}) == pytest.approx(hand[1])
