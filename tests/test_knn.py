"""KNN against scipy.spatial.distance, scikit-learn's scalers and KNeighborsClassifier, and a plain
vote loop written here (never the solver's own code)."""

import zlib
from pathlib import Path

import numpy as np
import pytest
from scipy.spatial import distance as sd
from sklearn.neighbors import KNeighborsClassifier
from sklearn.preprocessing import MinMaxScaler, StandardScaler

from mlquiz import engine, marking, text
from mlquiz.errors import UserError
from mlquiz.topics import knn
from topic_helpers import declared_misconceptions, diagnosed

FOLDER = Path(knn.__file__).resolve().parents[2] / "problems" / "knn"
TISSUE = {"data": "7,7,Bad; 7,4,Bad; 3,4,Good; 1,4,Good", "query": "3,7"}


def user(**raw):
    """A problem from the user's own options, typed as on the command line."""
    return engine.from_data("knn", raw)


# --------------------------------------------------------------------------- the independent oracle

def oracle(given):
    """Distances (similarities for cosine), 1-based neighbours, votes and prediction, from scipy,
    scikit-learn and a plain loop."""
    x = np.array(given["x"], dtype=float)
    q = np.array([given["query"]], dtype=float)
    if given["normalize"] != "none":
        scaler = (MinMaxScaler() if given["normalize"] == "minmax" else StandardScaler()).fit(x)
        constant = np.ptp(x, axis=0) == 0
        x, q = scaler.transform(x), scaler.transform(q)
        x[:, constant], q[:, constant] = 0.0, 0.0  # sklearn leaves a constant column at 0 too (minmax: x − min)
    metric = given["metric"]
    if metric == "cosine":
        values = [1 - sd.cosine(row, q[0]) for row in x]
        order = sorted(range(len(values)), key=lambda i: (-round(values[i], 9), i))
    else:
        if metric == "euclidean":
            values = [sd.euclidean(row, q[0]) for row in x]
        elif metric == "manhattan":
            values = [sd.cityblock(row, q[0]) for row in x]
        else:
            values = [sd.minkowski(row, q[0], given["p"]) for row in x]
        order = sorted(range(len(values)), key=lambda i: (round(values[i], 9), i))
    k = given["k"]
    chosen = order[:k]
    votes = {label: 0.0 for label in dict.fromkeys(given["labels"])}
    zero = any(round(values[i], 9) == 0 for i in chosen)
    for i in chosen:
        if not given["weighted"]:
            w = 1.0
        elif metric == "cosine":
            w = values[i]
        elif zero:
            w = 1.0 if round(values[i], 9) == 0 else 0.0
        else:
            w = 1 / values[i]
        votes[given["labels"][i]] += w
    best = max(votes[given["labels"][i]] for i in chosen)  # only the neighbours' labels can win
    tied = [c for c, v in votes.items() if abs(v - best) < 1e-9]
    prediction = next(given["labels"][i] for i in chosen if given["labels"][i] in tied)
    return {"distances": values, "neighbors": [i + 1 for i in chosen], "votes": votes,
            "prediction": prediction, "scaled_x": x, "scaled_q": q[0]}


def sklearn_agrees(given, answers):
    """KNeighborsClassifier on the (scaled) data gives the same neighbours and label (cosine: by the
    cosine distance 1 − s, the same ranking)."""
    o = oracle(given)
    metric = {"euclidean": "euclidean", "manhattan": "manhattan", "minkowski": "minkowski",
              "cosine": "cosine"}[given["metric"]]
    kwargs = {"p": given["p"]} if metric == "minkowski" else {}
    weights = "distance" if given["weighted"] and metric != "cosine" else "uniform"
    model = KNeighborsClassifier(n_neighbors=given["k"], metric=metric, weights=weights, algorithm="brute", **kwargs)
    model.fit(o["scaled_x"], given["labels"])
    _, idx = model.kneighbors([o["scaled_q"]])
    assert [int(i) + 1 for i in idx[0]] == answers["neighbors"]
    if not (given["weighted"] and metric == "cosine"):
        assert model.predict([o["scaled_q"]])[0] == answers["prediction"]


def check_against_oracle(given, answers):
    o = oracle(given)
    assert np.allclose(answers["distances"], o["distances"], rtol=1e-9, atol=1e-12)
    assert answers["neighbors"] == o["neighbors"]
    assert set(answers["votes"]) == set(o["votes"])
    for label, value in o["votes"].items():
        assert answers["votes"][label] == pytest.approx(value, rel=1e-9, abs=1e-12)
    assert answers["prediction"] == o["prediction"]
    if given["normalize"] != "none":
        assert np.allclose(answers["scaled_data"], o["scaled_x"], atol=1e-12)
        assert np.allclose(answers["scaled_query"], o["scaled_q"], atol=1e-12)


def test_generated_problems_against_the_oracle():
    for difficulty in ("easy", "medium", "hard"):
        for seed in range(30):
            problem = engine.generate("knn", seed, difficulty)
            check_against_oracle(problem.given, problem.solution.answers)
            if seed < 8:
                sklearn_agrees(problem.given, problem.solution.answers)


@pytest.mark.parametrize("metric", ["euclidean", "manhattan", "minkowski", "cosine"])
@pytest.mark.parametrize("normalize", ["none", "minmax", "zscore"])
@pytest.mark.parametrize("weighted", [False, True])
def test_user_data_against_the_oracle(metric, normalize, weighted):
    rng = np.random.default_rng(zlib.crc32(f"{metric}/{normalize}/{weighted}".encode()))  # not hash(): salted
    for _ in range(15):
        n, d = rng.integers(3, 9), rng.integers(1, 4)
        x = rng.uniform(0.5, 20, size=(n, d)).round(1)
        labels = [str(v) for v in rng.choice(["A", "B", "C"], size=n)]
        query = rng.uniform(0.5, 20, size=d).round(1)
        data = "; ".join(",".join([*map(repr, map(float, row)), label]) for row, label in zip(x, labels))
        raw = {"data": data, "query": ",".join(map(repr, map(float, query))), "k": str(int(rng.integers(1, n + 1))),
               "metric": metric, "p": "3", "normalize": normalize, "weighted": weighted}
        try:
            problem = user(**raw)
        except UserError:  # cosine of a point that scales to the zero vector (e.g. the minimum in min-max)
            scaled = oracle({**knn._given(x.tolist(), labels, query.tolist(), 1, "euclidean", normalize=normalize)})
            assert metric == "cosine" and (not scaled["scaled_q"].any() or not scaled["scaled_x"].all(axis=1).all()
                                           or (scaled["scaled_x"] == 0).all(axis=1).any())
            continue
        check_against_oracle(problem.given, problem.solution.answers)


# --------------------------------------------------------------------------- published example

def test_teknomo_tissue_example():
    """Teknomo's KNN tutorial prints square distances 16, 25, 9, 13; the 3 nearest are (3,4), (1,4),
    (7,7); 2 Good against 1 Bad: Good."""
    a = user(**TISSUE).solution.answers
    assert [round(v * v, 9) for v in a["distances"]] == [16, 25, 9, 13]
    assert a["neighbors"] == [3, 4, 1] and a["votes"] == {"Bad": 1, "Good": 2} and a["prediction"] == "Good"


def test_bank_entries_match_their_sources():
    entries = engine.bank_entries("knn")
    assert [e["id"] for e in entries] == ["teknomo-tissue", "listendata-tshirt"]
    problem = engine.from_bank("knn", 0)
    a = problem.solution.answers
    assert problem.given["target"] == "Y" and problem.given["features"] == ["X1", "X2"]
    assert [round(v * v, 9) for v in a["distances"]] == [16, 25, 9, 13]
    assert a["neighbors"] == [3, 4, 1] and a["prediction"] == "Good"
    assert "Teknomo" in problem.citation

    shirt = engine.from_bank("knn", 1)
    a = shirt.solution.answers
    printed = [4.24, 3.61, 3.61, 2.24, 1.41, 2.24, 2.00, 3.16, 3.61, 4.00, 4.12, 5.66, 7.07, 7.28, 8.60, 9.22, 9.49, 11.40]
    assert [round(v, 2) for v in a["distances"]] == printed
    assert [round(a["distances"][i - 1], 1) for i in a["neighbors"]] == [1.4, 2.0, 2.2, 2.2, 3.2]
    assert a["neighbors"] == [5, 7, 4, 6, 8]  # (160,60), (163,61), (160,59), (163,60), (160,64)
    assert a["votes"] == {"M": 4, "L": 1} and a["prediction"] == "M"


# --------------------------------------------------------------------------- the conventions

def test_ties_in_distance_go_to_the_lower_index():
    a = user(data="1,A; 3,B; 3,A; 5,B", query="2", k="2").solution.answers
    assert a["distances"] == [1, 1, 1, 3] and a["neighbors"] == [1, 2]


def test_vote_tie_goes_to_the_nearest_tied_label():
    a = user(data="0,A; 2,B; 4,A; 5,B", query="1.5", k="4").solution.answers
    assert a["votes"] == {"A": 2, "B": 2} and a["neighbors"][0] == 2 and a["prediction"] == "B"
    problem = user(data="0,A; 2,B; 4,A; 5,B", query="1.5", k="4")
    assert any(n.key == "knn.note.vote_tie" for n in problem.solution.notes)


def test_weighted_votes_and_a_zero_distance():
    a = user(data="1,A; 2,B; 4,B", query="0", k="3", weighted=True).solution.answers
    assert a["votes"]["A"] == pytest.approx(1.0) and a["votes"]["B"] == pytest.approx(0.5 + 0.25)
    assert a["prediction"] == "A"
    zero = user(data="1,A; 2,B; 1,B; 3,B", query="1", k="3", weighted=True)
    assert zero.solution.answers["votes"] == {"A": 1.0, "B": 1.0} and zero.solution.answers["prediction"] == "A"
    assert any(n.key == "knn.note.zero_distance" for n in zero.solution.notes)


def test_cosine_ranks_by_similarity_largest_first():
    a = user(data="1,0,A; 1,1,B; 0,1,B", query="2,1", k="1", metric="cosine").solution.answers
    assert a["distances"] == pytest.approx([2 / 5 ** 0.5, 3 / 10 ** 0.5, 1 / 5 ** 0.5])
    assert a["neighbors"] == [2] and a["prediction"] == "B"


def test_normalisation_uses_the_training_statistics_and_a_constant_column_scales_to_zero():
    problem = user(data="0,5,A; 10,5,B; 5,5,A", query="20,7", k="1", normalize="minmax")
    a = problem.solution.answers
    assert a["scaled_data"] == [[0, 0], [1, 0], [0.5, 0]] and a["scaled_query"] == [2, 0]
    assert any(n.key == "knn.note.constant_column" for n in problem.solution.notes)
    z = user(data="1,A; 3,B; 5,A; 7,B", query="4", k="1", normalize="zscore").solution.answers
    sigma = 5 ** 0.5  # population σ of 1, 3, 5, 7
    assert [row[0] for row in z["scaled_data"]] == pytest.approx([-3 / sigma, -1 / sigma, 1 / sigma, 3 / sigma])


def test_hard_problems_need_their_normalisation():
    for seed in range(15):
        problem = engine.generate("knn", seed, "hard")
        raw = knn.solve({**problem.given, "normalize": "none"}).answers
        assert problem.given["normalize"] != "none" and raw["prediction"] != problem.solution.answers["prediction"]


def test_csv_file_with_header_and_target(tmp_path):
    path = tmp_path / "tissue.csv"
    path.write_text("Class,X1,X2\nBad,7,7\nBad,7,4\nGood,3,4\nGood,1,4\n")
    a = user(data=str(path), query="3,7", target="class").solution.answers
    assert a["neighbors"] == [3, 4, 1] and a["prediction"] == "Good"


def test_options_typed_back_pose_the_same_problem():
    for seed in range(10):
        for difficulty in ("easy", "medium", "hard"):
            problem = engine.generate("knn", seed, difficulty)
            assert user(**knn.as_options(problem.given)).solution.answers == problem.solution.answers


@pytest.mark.parametrize("raw, fragment", [
    ({**TISSUE, "query": "3"}, "--query"),
    ({**TISSUE, "k": "5"}, "--k"),
    ({"data": "0,0,A; 1,2,B", "query": "1,1", "metric": "cosine", "k": "1"}, "cosine"),
    ({"data": "1,2,A; 1,x,B", "query": "1,1"}, "x"),
    ({"data": "1,2,A; 1,2", "query": "1,1"}, "row 2"),
    ({"data": "1,2,A", "query": "1,1", "target": "nosuch"}, "nosuch"),
    ({"data": "1,1e12,A; 1,2,B", "query": "1,1"}, "row 1"),
    ({**TISSUE, "metric": "chebyshev"}, "--metric"),
    ({**TISSUE, "p": "0.5"}, "--p"),
])
def test_bad_input_is_one_line(raw, fragment):
    with pytest.raises(UserError) as info:
        user(**raw)
    message = str(info.value)
    assert "\n" not in message and fragment in message


# --------------------------------------------------------------------------- misconceptions

def test_misconception_data_and_texts():
    items = declared_misconceptions("knn", knn.VARIANTS)
    assert len(items) >= 3 and "no_normalisation" in items


def test_misconceptions_worked_by_hand():
    tissue = user(**TISSUE)
    assert diagnosed(tissue, "distances", [16, 25, 9, 13]) == "no_root"  # Teknomo's own square distances
    assert diagnosed(tissue, "neighbors", [2, 3, 0]) == "zero_based"
    assert diagnosed(tissue, "distances", [4, 5, 3, 13 ** 0.5]) is None  # the right value names nothing

    # minmax: x1 in 0..10, x2 in 100..300; query (2, 120): raw distances are x2-dominated.
    scaled = user(data="0,100,A; 10,120,B; 2,300,A", query="2,120", k="1", normalize="minmax")
    raw = [(4 + 400) ** 0.5, 64 ** 0.5, 180.0]
    assert diagnosed(scaled, "distances", raw) == "no_normalisation"
    assert scaled.solution.answers["neighbors"] == [1] and diagnosed(scaled, "neighbors", [2]) == "no_normalisation"

    # z-score with n − 1: x = 1, 3, 5, 7 (mean 4; sample σ = √(20/3)).
    z = user(data="1,A; 3,B; 5,A; 7,B", query="4", k="1", normalize="zscore")
    s = (20 / 3) ** 0.5
    assert diagnosed(z, "scaled_data", [[-3 / s], [-1 / s], [1 / s], [3 / s]]) == "sample_std"

    cosine = user(data="1,0,A; 1,1,B; 0,1,B", query="2,1", k="1", metric="cosine")
    assert diagnosed(cosine, "neighbors", [3]) == "similarity_ascending"

    weighted = user(data="1,A; 2,B; 4,B", query="0", k="3", weighted=True)
    assert diagnosed(weighted, "votes[B]", 2) == "unweighted_votes"


def test_carried_forward_neighbours_from_the_students_distances():
    problem = user(**TISSUE)
    parts = marking.checkpoints(problem)
    work = marking.parse_work(["distances=4,5,3,6", "neighbors=3,1,2", "votes[Bad]=2", "votes[Good]=1",
                               "prediction=Bad"], parts)
    report = marking.mark(problem, work)
    statuses = {m.part.name: m.status for m in report.marks}
    assert statuses["distances"] == "wrong" and statuses["neighbors"] == "carried"
    assert statuses["votes[Bad]"] == "carried" and statuses["prediction"] == "carried"


# --------------------------------------------------------------------------- text is data

def test_every_text_resolves_in_both_languages():
    for difficulty in ("easy", "medium", "hard"):
        for seed in range(8):
            problem = engine.generate("knn", seed, difficulty)
            for lang in ("en", "zh"):
                assert text.join(problem.statement, lang)
                for step in problem.solution.steps:
                    text.render(step.title, lang), text.render(step.formula, lang)
