"""PCA against scikit-learn and numpy.linalg, and the course example (with its erratum)."""

import random
from fractions import Fraction

import numpy as np
import pytest
from sklearn.decomposition import PCA

from mlquiz import engine
from mlquiz.errors import UserError
from mlquiz.topics import pca


def solved(text, **options):
    return pca.solve(pca.parse_data(text, {"has_data": True, **options}))


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
    assert any("eigenvalue is 0" in note for note in solution.notes)


@pytest.mark.parametrize("text, fragment", [("1,2", "at least two points"), ("1,2;3", "different lengths"),
                                            ("1,a;2,3", "not a number")])
def test_bad_data(text, fragment):
    with pytest.raises(UserError, match=fragment):
        pca.parse_data(text, {"has_data": True})


def test_generated_problems_are_well_posed():
    for seed in range(60):
        for difficulty in ("easy", "medium", "hard"):
            problem = engine.generate("pca", seed, difficulty)
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
