"""k-means against a plain Lloyd loop written here (numpy, never the solver's own code), scipy's
distances and scikit-learn's KMeans(init=…, n_init=1, tol=0, algorithm="lloyd") where no cluster
empties; the published worked example of the bank; misconceptions worked by hand."""

from pathlib import Path

import numpy as np
import pytest
from scipy.spatial.distance import cdist
from sklearn.cluster import KMeans

from mlquiz import engine, marking, text
from mlquiz.errors import UserError
from mlquiz.topics import kmeans
from topic_helpers import declared_misconceptions, diagnosed

FOLDER = Path(kmeans.__file__).resolve().parents[2] / "problems" / "kmeans"
# The classic exercise: A1, A2, A3, B1, B2, B3, C1, C2 with seeds A1, B1, C1.
EIGHT = {"data": "2,10; 2,5; 8,4; 5,8; 7,5; 6,4; 1,2; 4,9", "centers": "2,10; 5,8; 1,2"}
# Teknomo's medicines A, B, C, D (weight index, pH), the first two points as seeds.
MEDICINES = {"data": "1,1; 2,1; 4,3; 5,4", "k": "2"}


def user(**raw):
    """A problem from the user's own options, typed as on the command line."""
    return engine.from_data("kmeans", raw)


# --------------------------------------------------------------------------- the independent oracle

def oracle(given):
    """A plain Lloyd loop: first distances (scipy cdist), first assignments and centres, the final
    ones, the number of rounds (the confirming one included) and the SSE."""
    x = np.array(given["x"], dtype=float)
    c = np.array(given["centers"], dtype=float)
    out, previous, rounds = {}, None, 0
    labels = None
    for r in range(1, given["max_iterations"] + 1):
        rounds = r
        dist = cdist(x, c)
        labels = np.argmin(np.round(dist, 9), axis=1)  # argmin takes the first (lowest) index on a tie
        if r == 1:
            out["first_distances"] = dist
            out["first_assignments"] = labels + 1
        if previous is not None and np.array_equal(labels, previous):
            break
        new = c.copy()
        for j in range(len(c)):
            if np.any(labels == j):
                new[j] = x[labels == j].mean(axis=0)
        c = new
        if r == 1:
            out["first_centers"] = c.copy()
        previous = labels
    out["assignments"] = labels + 1
    out["centers"] = c
    out["iterations"] = rounds
    out["sse"] = float(((x - c[labels]) ** 2).sum())
    return out


def check_against_oracle(given, answers):
    want = oracle(given)
    for key in ("first_distances", "first_centers", "centers"):
        assert np.allclose(answers[key], want[key], atol=1e-9), key
    for key in ("first_assignments", "assignments"):
        assert list(answers[key]) == [int(v) for v in want[key]], key
    assert answers["iterations"] == want["iterations"]
    assert answers["sse"] == pytest.approx(want["sse"], abs=1e-9)


def sklearn_agrees(given, answers):
    """scikit-learn's Lloyd from the same initial centres (only where no cluster empties, since
    scikit-learn moves an empty cluster's centre)."""
    x = np.array(given["x"], dtype=float)
    model = KMeans(n_clusters=len(given["centers"]), init=np.array(given["centers"], dtype=float), n_init=1,
                   tol=0, algorithm="lloyd", max_iter=given["max_iterations"]).fit(x)
    assert [int(v) + 1 for v in model.labels_] == answers["assignments"]
    assert np.allclose(model.cluster_centers_, answers["centers"], atol=1e-9)
    assert model.inertia_ == pytest.approx(answers["sse"], abs=1e-6)


def test_generated_problems_against_the_oracle():
    for difficulty in ("easy", "medium", "hard"):
        for seed in range(40):
            problem = engine.generate("kmeans", seed, difficulty)
            check_against_oracle(problem.given, problem.solution.answers)
            sklearn_agrees(problem.given, problem.solution.answers)


@pytest.mark.parametrize("raw", [
    EIGHT, MEDICINES,
    {"data": "1;2;3;10;11;12;20", "k": "3"},
    {"data": "0,0,0; 1,2,1; 5,5,4; 6,4,5; 9,9,9", "centers": "0,0,0; 9,9,9"},
    {"data": "1;2;8;9", "centers": "-1; 20"},  # cluster 2 empties in round 1 and keeps its centre
    {"data": "1,1; 2,1; 4,3; 5,4", "k": "2", "max_iterations": "2"},  # stopped before converging
])
def test_user_data_against_the_oracle(raw):
    problem = user(**raw)
    check_against_oracle(problem.given, problem.solution.answers)


# --------------------------------------------------------------------------- published examples

def test_eight_points_first_round_as_printed():
    """geekdaxue/askdatascience (Han, Kamber & Pei's exercise): the printed first round."""
    a = user(**EIGHT).solution.answers
    d = a["first_distances"]
    assert d[1] == pytest.approx([5, 18 ** 0.5, 10 ** 0.5])         # A2: 5, √18, √10
    assert d[2] == pytest.approx([72 ** 0.5, 5, 53 ** 0.5])          # A3: √72, √25, √53
    assert d[4] == pytest.approx([50 ** 0.5, 13 ** 0.5, 45 ** 0.5])  # B2
    assert d[5] == pytest.approx([52 ** 0.5, 17 ** 0.5, 29 ** 0.5])  # B3
    assert d[7] == pytest.approx([5 ** 0.5, 2 ** 0.5, 58 ** 0.5])    # C2
    # clusters {A1}, {B1, A3, B2, B3, C2}, {C1, A2}
    assert a["first_assignments"] == [1, 3, 2, 2, 2, 2, 3, 2]
    assert a["first_centers"] == [[2, 10], [6, 6], [1.5, 3.5]]


def test_bank_entry_is_the_published_example():
    entries = engine.bank_entries("kmeans")
    assert entries and all(e.get("source") for e in entries)
    bank = engine.from_bank("kmeans", 0)
    assert bank.given == user(**EIGHT).given
    assert bank.solution.answers["first_centers"] == [[2, 10], [6, 6], [1.5, 3.5]]
    # the run goes on to {A1, B1, C2}, {A3, B2, B3}, {A2, C1}
    a = bank.solution.answers
    assert a["assignments"] == [1, 3, 2, 1, 2, 2, 3, 1]
    assert np.allclose(a["centers"], [[11 / 3, 9], [7, 13 / 3], [1.5, 3.5]])


def test_medicines_first_points_as_seeds():
    """The four medicines of Teknomo's k-means tutorial (A(1,1), B(2,1), C(4,3), D(5,4), A and B as
    seeds; only this set-up was checked against the page): worked by hand here, B, C, D go to
    cluster 2 first, whose centre is (11/3, 8/3); then {A, B} and {C, D} with centres (1.5, 1) and
    (4.5, 3.5), stable after that: 3 rounds with the confirming one."""
    a = user(**MEDICINES).solution.answers
    assert a["first_assignments"] == [1, 2, 2, 2]
    assert np.allclose(a["first_centers"], [[1, 1], [11 / 3, 8 / 3]])
    assert a["assignments"] == [1, 1, 2, 2] and a["centers"] == [[1.5, 1], [4.5, 3.5]]
    assert a["iterations"] == 3


# --------------------------------------------------------------------------- conventions

def test_a_run_stable_after_its_first_update_reports_two():
    a = user(data="0;1;10;11", centers="0;11").solution.answers
    assert a["first_assignments"] == a["assignments"] == [1, 1, 2, 2] and a["iterations"] == 2


def test_ties_go_to_the_lower_numbered_centre():
    problem = user(data="5;0;10", centers="0;10", **{"max_iterations": "1"})
    assert problem.solution.answers["first_assignments"] == [1, 1, 2]
    assert problem.solution.notes  # the tie is said


def test_an_empty_cluster_keeps_its_centre_and_says_so():
    problem = user(data="1;2;8;9", centers="-1;20")
    a = problem.solution.answers
    assert a["first_assignments"] == [1, 1, 1, 1] and a["first_centers"] == [[5], [20]]
    keys = {m.key for m in problem.solution.notes}
    assert "kmeans.note.empty" in keys


def test_max_iterations_stops_with_the_last_rounds_answers():
    problem = user(**MEDICINES, **{"max_iterations": "1"})
    a = problem.solution.answers
    assert a["iterations"] == 1 and a["assignments"] == [1, 2, 2, 2]
    assert np.allclose(a["centers"], [[1, 1], [11 / 3, 8 / 3]])
    assert "kmeans.note.stopped" in {m.key for m in problem.solution.notes}


def test_csv_file_with_a_header(tmp_path):
    path = tmp_path / "points.csv"
    path.write_text("weight,pH\n1,1\n2,1\n4,3\n5,4\n")
    assert user(data=str(path), k="2").solution.answers == user(**MEDICINES).solution.answers


def test_options_typed_back_pose_the_same_problem():
    for seed in range(5):
        for difficulty in ("easy", "medium", "hard"):
            problem = engine.generate("kmeans", seed, difficulty)
            again = engine.from_data("kmeans", kmeans.as_options(problem.given))
            assert again.given == problem.given


def test_well_posed_levels():
    for seed in range(15):
        for difficulty in ("easy", "medium", "hard"):
            problem = engine.generate("kmeans", seed, difficulty)
            g, a = problem.given, problem.solution.answers
            assert 2 <= len(g["x"]) <= 6 and 1 <= len(g["x"][0]) <= 3
            assert a["iterations"] >= 2
            if difficulty == "easy":
                assert all(v * 2 == int(v * 2) for row in a["centers"] for v in row)


@pytest.mark.parametrize("raw, fragment", [
    ({"data": "1,2;3,4"}, "--centers"),
    ({"data": "1,2;3,4", "k": "3"}, "--k"),
    ({"data": "1,2;3,4", "centers": "1;2"}, "--centers"),
    ({"data": "1,2;3,4", "centers": "1,2;3,4", "k": "1"}, "--k"),
    ({"data": "1,2;3", "k": "1"}, "row 2"),
    ({"data": "1,x;3,4", "k": "1"}, "x"),
    ({"data": "1,2", "k": "1"}, "two points"),
    ({"data": "1,1e12;3,4", "k": "1"}, "rescale"),
    ({"data": "1,2;3,4", "k": "0"}, "--k"),
    ({"data": "1,2;3,4", "k": "1", "max_iterations": "0"}, "--max"),
    ({"data": "; ".join(["1"] * 201), "k": "101"}, "20000"),
])
def test_bad_input_is_one_line(raw, fragment):
    with pytest.raises(UserError) as info:
        user(**raw)
    message = str(info.value)
    assert "\n" not in message and fragment in message


# --------------------------------------------------------------------------- misconceptions

def test_misconception_data_and_texts():
    items = declared_misconceptions("kmeans", kmeans.VARIANTS)
    assert len(items) >= 3
    assert {"no_root", "centre_included", "seeds_fixed"} <= set(items)


def test_misconceptions_worked_by_hand():
    med = user(**MEDICINES)
    # squared distances: A..D to (1,1) are 0, 1, 13, 25; to (2,1) 1, 0, 8, 18
    assert diagnosed(med, "first_distances", [[0, 1], [1, 0], [13, 8], [25, 18]]) == "no_root"
    # Manhattan: |dx| + |dy|
    assert diagnosed(med, "first_distances", [[0, 1], [1, 0], [5, 4], [7, 6]]) == "manhattan"
    # the old centre (2,1) averaged in with B, C, D: ((2+2+4+5)/4, (1+1+3+4)/4)
    assert diagnosed(med, "first_centers", [[1, 1], [13 / 4, 9 / 4]]) == "centre_included"
    assert diagnosed(med, "first_assignments", [0, 1, 1, 1]) == "zero_based"
    assert diagnosed(med, "assignments", [0, 0, 1, 1]) == "zero_based"
    assert diagnosed(med, "iterations", 2) == "no_confirming_round"
    # final centres (1.5,1), (4.5,3.5): distances 0.5, 0.5, √0.5, √0.5 → SSE 1.5, plain sum 1 + √2
    assert diagnosed(med, "sse", 1 + 2 ** 0.5) == "sse_unsquared"
    # the right values name nothing
    assert diagnosed(med, "sse", 1.5) is None and diagnosed(med, "iterations", 3) is None

    # the notes' "对剩下的每个对象": B (a seed, point 2) kept in cluster 2 for ever → {A}, {B, C, D}
    assert diagnosed(med, "assignments", [1, 2, 2, 2]) == "seeds_fixed"
    # in the eight-point exercise B1 (seed of cluster 2, point 4) really ends in cluster 1
    eight = user(**EIGHT)
    assert eight.solution.answers["assignments"][3] == 1
    wrong = kmeans.VARIANTS["seeds_fixed"](eight.given, ("assignments",), None, {})
    assert wrong[3] == 2 and diagnosed(eight, "assignments", wrong) == "seeds_fixed"


def test_carried_forward_from_the_students_first_assignment():
    problem = user(**MEDICINES)
    parts = marking.checkpoints(problem)
    # distances right, the first assignment wrong ({A, B}, {C, D} at once); the centres from it are
    # (1.5, 1) and (4.5, 3.5), then the run is stable: 2 rounds from there
    work = marking.parse_work(["first_distances=0,1;1,0;3.6056,2.8284;5,4.2426", "first_assignments=1,1,2,2",
                               "first_centers=1.5,1;4.5,3.5", "assignments=1,1,2,2", "centers=1.5,1;4.5,3.5",
                               "iterations=2", "sse=1.5"], parts)
    report = marking.mark(problem, work)
    statuses = {m.part.name: m.status for m in report.marks}
    assert statuses["first_distances"] == "right" and statuses["first_assignments"] == "wrong"
    assert statuses["first_centers"] == "carried" and statuses["iterations"] == "carried"


# --------------------------------------------------------------------------- text is data

def test_every_text_resolves_in_both_languages():
    for difficulty in ("easy", "medium", "hard"):
        for seed in range(6):
            problem = engine.generate("kmeans", seed, difficulty)
            for lang in ("en", "zh"):
                assert text.join(problem.statement, lang)
                for step in problem.solution.steps:
                    text.render(step.title, lang), text.render(step.formula, lang)
