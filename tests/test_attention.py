"""Attention (tokens as columns) against an independent row-form oracle, the course notes' own
example, the published example in the bank, the misconceptions and bad input."""

import random
import tomllib

import numpy as np
import pytest
from scipy.special import softmax

from mlquiz import engine, marking, registry
from mlquiz.errors import UserError
from mlquiz.text import render
from mlquiz.topics import attention
from topic_helpers import declared_misconceptions

NOTES_RAW = [10.0, 20.0, 30.0]
NOTES_SCALED = [0.09003057, 0.24472847, 0.66524096]        # the notes' printed softmax of [1, 2, 3]
NOTES_UNSCALED = [2.06106005e-09, 4.53978686e-05, 9.99954600e-01]  # …and of [10, 20, 30]


def oracle(given):
    """Row form (tokens as rows), as deep-learning libraries write it: S = Q_r K_rᵀ/√d, softmax over
    the last axis, O = W V_r; the course's matrices are the transposes."""
    if given["mode"] == "h":
        x = np.array(given["h"], float).T                 # tokens as rows
        qr = x @ np.array(given["wq"], float).T
        kr = x @ np.array(given["wk"], float).T
        vr = x @ np.array(given["wv"], float).T
    else:
        qr, kr, vr = (np.array(given[n], float).T for n in ("q", "k", "v"))
    d = qr.shape[1]
    s = np.einsum("id,jd->ij", qr, kr) / np.sqrt(d)
    w = softmax(s, axis=-1)
    o = np.einsum("ij,jc->ic", w, vr)
    out = {"scores": s.T, "weights": w.T, "output": o.T}
    if given["mode"] == "h":
        out.update(queries=qr.T, keys=kr.T, values=vr.T)
    return out


def agrees(given):
    answers = attention.solve(given).answers
    expected = oracle(given)
    assert set(answers) == set(expected)
    for name, value in expected.items():
        np.testing.assert_allclose(np.array(answers[name]), value, rtol=1e-9, atol=1e-12, err_msg=name)


def notes_given():
    """The notes' example: one query and three keys of dimension d = 100 with kᵀq = 10, 20, 30."""
    q = [[10.0]] + [[0.0]] * 99
    k = [[1.0, 2.0, 3.0]] + [[0.0, 0.0, 0.0]] * 99
    return {"mode": "qkv", "q": q, "k": k, "v": [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]}


# --------------------------------------------------------------------------- acceptance

def test_the_course_notes_example_with_and_without_sqrt_d():
    given = notes_given()
    answers = attention.solve(given).answers
    np.testing.assert_allclose(np.ravel(answers["scores"]), [1, 2, 3])
    np.testing.assert_allclose(np.ravel(answers["weights"]), NOTES_SCALED, atol=5e-9)
    np.testing.assert_allclose(np.ravel(answers["weights"]), [0.0900, 0.2447, 0.6652], atol=5e-5)
    np.testing.assert_allclose(np.ravel(answers["output"]), NOTES_SCALED, atol=5e-9)  # V = I
    unscaled = attention.VARIANTS["no_sqrt_d"](given, ("weights",), None, {})
    np.testing.assert_allclose(np.ravel(unscaled), NOTES_UNSCALED, rtol=1e-6)
    assert np.ravel(unscaled)[0] == pytest.approx(2.1e-9, rel=0.02)
    np.testing.assert_allclose(np.ravel(attention.VARIANTS["no_sqrt_d"](given, ("scores",), None, {})), NOTES_RAW)


def test_forgetting_sqrt_d_is_named_by_check():
    problem = engine.from_bank("attention", 0)
    assert problem.given == notes_given()
    work = marking.parse_work(["scores=10;20;30", "weights=0.0000;0.0000;1.0000"], problem.parts)
    report = marking.mark(problem, work)
    named = {m.misconception.id for m in report.marks if m.misconception is not None}
    assert "no_sqrt_d" in named


def test_bank_entries_reproduce_their_printed_numbers():
    with open(registry.info("attention").folder / "bank.toml", "rb") as handle:
        entries = tomllib.load(handle)["problem"]
    assert [e["id"] for e in entries] == ["course-notes-sqrt-d", "raschka-your-journey"]
    assert all(e["source"].strip() for e in entries)
    # Raschka, Build a LLM From Scratch, §3.3.1: query x(2) of "Your journey starts with one step".
    problem = engine.from_bank("attention", 1)
    given = problem.given
    answers = problem.solution.answers
    raw = np.ravel(answers["scores"]) * np.sqrt(3)
    np.testing.assert_allclose(raw, [0.9544, 1.4950, 1.4754, 0.8434, 0.7070, 1.0865], atol=5e-5)
    book_weights = attention.VARIANTS["no_sqrt_d"](given, ("weights",), None, {})
    np.testing.assert_allclose(np.ravel(book_weights), [0.1385, 0.2379, 0.2333, 0.1240, 0.1082, 0.1581], atol=5e-5)
    book_context = attention.VARIANTS["no_sqrt_d"](given, ("output",), None, {})
    np.testing.assert_allclose(np.ravel(book_context), [0.4419, 0.6515, 0.5683], atol=5e-5)
    agrees(given)
    # the course's √d: the weights still sum to 1 and move towards uniform
    assert sum(np.ravel(answers["weights"])) == pytest.approx(1)
    assert np.ptp(answers["weights"]) < np.ptp(book_weights)


# --------------------------------------------------------------------------- oracle

def random_given(rng):
    n_q, n_k = rng.randint(1, 4), rng.randint(1, 4)
    d, d_v, d_h = rng.randint(1, 5), rng.randint(1, 4), rng.randint(1, 4)
    m = lambda r, c: [[rng.uniform(-2, 2) for _ in range(c)] for _ in range(r)]  # noqa: E731
    if rng.random() < 0.5:
        return {"mode": "qkv", "q": m(d, n_q), "k": m(d, n_k), "v": m(d_v, n_k)}
    return {"mode": "h", "h": m(d_h, n_k), "wq": m(d, d_h), "wk": m(d, d_h), "wv": m(d_v, d_h)}


def test_random_inputs_match_the_row_form_oracle():
    rng = random.Random(13)
    for _ in range(300):
        agrees(random_given(rng))


def test_generated_problems_match_the_oracle_and_are_well_posed():
    for difficulty in ("easy", "medium", "hard"):
        for seed in range(20):
            problem = engine.generate("attention", seed, difficulty)
            agrees(problem.given)
            attention.well_posed(problem)
            weights = np.array(problem.solution.answers["weights"])
            np.testing.assert_allclose(weights.sum(axis=0), 1)


def test_generated_numbers_are_hand_sized():
    for difficulty in ("easy", "medium", "hard"):
        for seed in range(15):
            given = engine.generate("attention", seed, difficulty).given
            entries = [x for key, value in given.items() if key != "mode" for row in value for x in row]
            assert all(float(x).is_integer() and abs(x) <= 3 for x in entries)
            d = len(given["q"] if given["mode"] == "qkv" else given["wq"])
            assert d in (2, 4) if difficulty != "easy" else d == 4


def test_user_data_h_mode_and_carried_forward_values():
    problem = engine.from_data("attention", {"h": "1,0;0,1", "wq": "1,1;0,1", "wk": "1,0;1,1", "wv": "2,0;0,2"})
    assert [p.name for p in problem.parts] == ["queries", "keys", "values", "scores", "weights", "output"]
    agrees(problem.given)
    own_q = [[1.0, 0.0], [0.0, 1.0]]
    carried = attention.solve(problem.given, {("queries",): own_q}).answers
    k = np.array(carried["keys"])
    np.testing.assert_allclose(carried["scores"], k.T @ np.array(own_q) / np.sqrt(2))
    own_scores = [[0.0, 1.0], [1.0, 0.0]]
    carried = attention.solve(problem.given, {("scores",): own_scores}).answers
    np.testing.assert_allclose(carried["weights"], softmax(np.array(own_scores), axis=0))


# --------------------------------------------------------------------------- misconceptions

SMALL = {"mode": "qkv", "q": [[1.0, 0.0], [0.0, 1.0], [1.0, 1.0], [0.0, 0.0]],
         "k": [[1.0, 0.0, 1.0], [0.0, 1.0, 1.0], [1.0, 1.0, 0.0], [1.0, 0.0, 0.0]], "v": [[1.0, 2.0, 3.0], [0.0, 1.0, 0.0]]}


def test_each_misconception_by_hand():
    q, k, v = (np.array(SMALL[n]) for n in ("q", "k", "v"))
    raw = k.T @ q                                      # [[2, 1], [1, 2], [1, 1]], d = 4
    right = attention.solve(SMALL).answers
    var = attention.VARIANTS
    np.testing.assert_allclose(var["no_sqrt_d"](SMALL, ("scores",), None, {}), raw)
    np.testing.assert_allclose(var["no_sqrt_d"](SMALL, ("weights",), None, {}), softmax(raw, axis=0))
    np.testing.assert_allclose(var["no_sqrt_d"](SMALL, ("output",), None, {}), v @ softmax(raw, axis=0))
    np.testing.assert_allclose(var["divided_by_d"](SMALL, ("scores",), None, {}), raw / 4)
    np.testing.assert_allclose(var["divided_by_d"](SMALL, ("weights",), None, {}), softmax(raw / 4, axis=0))
    by_rows = softmax(raw / 2, axis=1)
    np.testing.assert_allclose(var["softmax_wrong_axis"](SMALL, ("weights",), None, {}), by_rows)
    np.testing.assert_allclose(var["softmax_wrong_axis"](SMALL, ("output",), None, {}), v @ by_rows)
    assert var["softmax_wrong_axis"](SMALL, ("scores",), None, {}) is None
    for name in ("scores", "weights", "output"):
        np.testing.assert_allclose(var["row_form_transposed"](SMALL, (name,), None, {}), np.array(right[name]).T)
    # carried forward: the wrong axis applied to the student's own scores
    own = [[1.0, 0.0], [0.0, 0.0], [0.0, 1.0]]
    np.testing.assert_allclose(var["softmax_wrong_axis"](SMALL, ("weights",), None, {("scores",): own}),
                               softmax(np.array(own), axis=1))


@pytest.mark.parametrize("work, expected", [
    ("scores=2,1;1,2;1,1", "no_sqrt_d"),
    ("scores=0.5,0.25;0.25,0.5;0.25,0.25", "divided_by_d"),
    ("scores=1,0.5,0.5;0.5,1,0.5", "row_form_transposed"),
    ("weights=0.5,0.5;0.25,0.25;0.25,0.25", None),
])
def test_check_names_the_misconception(work, expected):
    problem = engine.from_data("attention", {n: ";".join(",".join(str(x) for x in r) for r in SMALL[n])
                                             for n in ("q", "k", "v")})
    report = marking.mark(problem, marking.parse_work([work], problem.parts))
    named = {m.misconception.id for m in report.marks if m.misconception is not None}
    assert named == ({expected} if expected else set())


def test_wrong_axis_is_named_by_check():
    problem = engine.from_data("attention", {n: ";".join(",".join(str(x) for x in r) for r in SMALL[n])
                                             for n in ("q", "k", "v")})
    rows = softmax(np.array(problem.solution.answers["scores"]), axis=1).round(4)
    typed = ";".join(",".join(str(x) for x in r) for r in rows)
    report = marking.mark(problem, marking.parse_work([f"weights={typed}"], problem.parts))
    assert {m.misconception.id for m in report.marks if m.misconception} == {"softmax_wrong_axis"}


def test_misconceptions_are_declared_and_explained():
    items = declared_misconceptions("attention", attention.VARIANTS)
    assert len(items) >= 3


def test_no_misconception_reproduces_a_right_value_on_generated_problems():
    for difficulty in ("easy", "medium", "hard"):
        for seed in range(15):
            problem = engine.generate("attention", seed, difficulty)
            for part in problem.parts:
                for fn in attention.VARIANTS.values():
                    wrong = fn(problem.given, part.path, None, {})
                    if wrong is None or np.shape(wrong) != np.shape(part.expected):
                        continue
                    assert np.max(np.abs(np.array(wrong) - np.array(part.expected))) > 0.01


# --------------------------------------------------------------------------- bad input

@pytest.mark.parametrize("raw, key", [
    ({"q": "1,0;0,1"}, "needs"),
    ({"q": "1;0", "k": "1,0;0,1", "h": "1,2"}, "h_needs"),
    ({"h": "1,0;0,1", "wq": "1,0"}, "h_needs"),
    ({"h": "1,0;0,1", "wq": "1,0,0", "wk": "1,0", "wv": "1,0"}, "w_width"),
    ({"h": "1,0;0,1", "wq": "1,0", "wk": "1,0;0,1", "wv": "1,0"}, "qk_dim"),
    ({"q": "1;0", "k": "1,0;0,1;1,1", "v": "1,0"}, "qk_dim"),
    ({"q": "1;0", "k": "1,0;0,1", "v": "1,0,2"}, "v_tokens"),
    ({"q": "1;0", "k": "1,0;0,1", "v": "1,1e9"}, "too_large"),
    ({"q": "1;0", "k": ";".join([",".join(["1"] * 11)] * 2), "v": ",".join(["1"] * 11)}, "too_big"),
])
def test_bad_input_is_one_clear_line(raw, key):
    with pytest.raises(UserError) as caught:
        engine.from_data("attention", raw)
    assert caught.value.message.key == f"attention.error.{key}"
    assert "\n" not in render(caught.value.message)


def test_as_options_poses_the_same_problem_again():
    for difficulty in ("easy", "medium", "hard"):
        problem = engine.generate("attention", 5, difficulty)
        again = engine.from_data("attention", attention.as_options(problem.given))
        assert again.given == problem.given
