"""The PCA bank (problems/pca/bank.toml): every entry reproduces the numbers its source prints, to
the precision printed (the TRUE value where the source has a slip, named in a comment), and passes
the conformance checks a generated problem passes.

Eigenvectors, and so projections, are right with either sign: a source's vector is compared up to
sign (the solver prints the first non-zero component positive)."""


import numpy as np
import pytest

from mlquiz import checking, engine
from mlquiz.topics import pca
from topic_helpers import bank_problem, printed

TOPIC = "pca"


def entries():
    return engine.bank_entries(TOPIC)


def problem(entry_id):
    return bank_problem(TOPIC, entry_id)


def printed_up_to_sign(vector, shown):
    """An eigenvector (or the projections on it) agrees with the printed one, or with its negative."""
    flipped = [s[1:] if s.startswith("-") else "-" + s for s in shown]
    try:
        printed(vector, shown)
    except AssertionError:
        printed(vector, flipped)


# --------------------------------------------------------------------------- the bank as data

def test_the_bank_problem_is_the_problem_typed_at_solve():
    built = problem("notes-abc")
    typed = engine.from_data(TOPIC, {"data": "2.5,2.4;0.4,0.7;2.2,2.9"})
    assert built.given == typed.given
    listed = pca.from_bank({"id": "rows", "data": [[2.5, 2.4], [0.4, 0.7], [2.2, 2.9]]})
    assert listed == built.given
    asked = pca.from_bank({"id": "asked", "data": "2.5,2.4;0.4,0.7;2.2,2.9", "query": "B"})
    assert asked["query"] == 1 and asked["reconstruct"] is True


def test_a_malformed_entry_is_a_value_error():
    for broken in ({"id": "bad"},                                          # no data
                   {"id": "bad", "data": "1,2;x,4"},                        # not a number
                   {"id": "bad", "data": "1,2;3"},                          # ragged rows
                   {"id": "bad", "data": "1,2"},                            # one point
                   {"id": "bad", "data": "1,2;3,4;5,7", "k": 3},            # k beyond the dimension
                   {"id": "bad", "data": "1,2;3,4;5,7", "query": "Z"},      # no such point
                   {"id": "bad", "data": [[1, 2], [3, "a"]]}):
        with pytest.raises(ValueError, match="bank:bad: "):
            pca.from_bank(broken)


# --------------------------------------------------------------------------- published numbers

def test_course_notes_example_with_the_correction():
    """The notes print x̄ = [1.7, 2], cov(x,y) = 1.23 and cov(y,y) = 1.33 (right) but cov(x,x) = 1.26:
    (0.8² + 1.3² + 0.5²)/2 = (0.64 + 1.69 + 0.25)/2 = 1.29 (course-conventions.md, erratum 2). Their
    λ = 0.06, 2.53, v = [0.713, −0.696], [0.696, 0.713] and contributions 0.02, 0.98 follow from the slip
    (and list the smaller eigenvalue first): the true values, asserted here, are those of the
    conventions' erratum, λ = 2.5402, 0.0798, v ≈ [0.7013, 0.7128], [0.7128, −0.7013], p = 0.9695, 0.0305."""
    built = problem("notes-abc")
    a = built.solution.answers
    printed(a["mean"], ["1.7", "2"])
    printed(a["covariance"], [["1.29", "1.23"], ["1.23", "1.33"]])  # the notes' misprint: 1.26
    printed(a["eigenvalues"], ["2.5402", "0.0798"])                 # the notes: 2.53, 0.06
    printed_up_to_sign(a["eigenvectors"][0], ["0.7013", "0.7128"])  # the notes: [0.696, 0.713]
    printed_up_to_sign(a["eigenvectors"][1], ["0.7128", "-0.7013"])  # the notes: [0.713, −0.696]
    printed(a["explained_variance_ratio"], ["0.9695", "0.0305"])    # the notes: 0.98, 0.02
    # A student who copies the notes' 1.26 is marked wrong, not accepted by the rounding tolerance.
    covariance = next(part for part in built.parts if part.name == "covariance")
    assert checking.judge(covariance, "1.29,1.23;1.23,1.33").status == "right"
    assert checking.judge(covariance, "1.26,1.23;1.23,1.33").status == "wrong"


def test_smith_tutorial():
    """Smith prints the mean (1.81, 1.91), the covariance to 9 decimals, the eigenvalues 0.0490833989 and
    1.28402771 with eigenvectors (−.735178656, .677873399) and (−.677873399, −.735178656), and the data
    transformed on the main eigenvector alone (his sign: −.827970186, 1.77758033, …)."""
    a = problem("smith-tutorial").solution.answers
    printed(a["mean"], ["1.81", "1.91"])
    printed(a["covariance"], [["0.616555556", "0.615444444"], ["0.615444444", "0.716555556"]])
    printed(a["eigenvalues"], ["1.28402771", "0.0490833989"])
    printed_up_to_sign(a["eigenvectors"][0], ["-0.677873399", "-0.735178656"])
    printed_up_to_sign(a["eigenvectors"][1], ["-0.735178656", "0.677873399"])
    printed_up_to_sign(a["projections"], ["-0.827970186", "1.77758033", "-0.992197494", "-0.274210416",
                                          "-1.67580142", "-0.912949103", "0.0991094375", "1.14457216",
                                          "0.438046137", "1.22382056"])
    # Smith prints no contribution; from his eigenvalues it is 1.28402771/1.33311111 = 0.963181.
    assert a["explained_variance_ratio"][0] == pytest.approx(1.28402771 / (1.28402771 + 0.0490833989), abs=1e-8)


def test_brownlee_from_scratch():
    """Brownlee's NumPy run prints M = [3. 4.], V = [[4. 4.] [4. 4.]], values [8. 0.], the vectors as
    columns [0.70710678, 0.70710678] and [-0.70710678, 0.70710678], and the projection on the first,
    [-2.82842712, 0, 2.82842712]."""
    built = problem("brownlee-scratch")
    a = built.solution.answers
    printed(a["mean"], ["3", "4"])
    printed(a["covariance"], [["4", "4"], ["4", "4"]])
    printed(a["eigenvalues"], ["8", "0"])
    printed_up_to_sign(a["eigenvectors"][0], ["0.70710678", "0.70710678"])
    printed_up_to_sign(a["eigenvectors"][1], ["-0.70710678", "0.70710678"])
    printed_up_to_sign(a["projections"], ["-2.82842712", "0", "2.82842712"])
    np.testing.assert_allclose(a["explained_variance_ratio"], [1.0, 0.0], atol=1e-12)
    assert any(note.key == "pca.note.zero" for note in built.solution.notes)  # the zero eigenvalue is named
