"""Hypothesis properties for every topic and difficulty: solvable, checkable, reproducible,
well-posed, hand-computable — and a right answer is never diagnosed as a misconception."""

import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mlquiz import engine, marking, registry
from mlquiz.answers import AnswerError, parse_answer
from mlquiz.checking import judge
from mlquiz.model import DIFFICULTIES
from test_contract import perturbed, typed

SEEDS = st.integers(min_value=0, max_value=engine.MAX_SEED - 1)
CASES = [(t.name, d) for t in registry.topics() for d in DIFFICULTIES]
PROPERTY = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _flat(value):
    return [x for item in value for x in _flat(item)] if isinstance(value, list) else [value]


@pytest.mark.parametrize("topic, difficulty", CASES)
@PROPERTY
@given(seed=SEEDS)
def test_generated_problems(topic, difficulty, seed):
    problem = engine.generate(topic, seed, difficulty)
    assert engine.generate(topic, seed, difficulty).given == problem.given  # the seed reproduces it
    registry.load(topic).well_posed(problem)  # the topic's own rules (its conformance hook)
    work = []
    for part in problem.parts:
        assert judge(part, typed(part.expected)).right
        assert judge(part, perturbed(part)).status == "wrong"
        work.append(f"{part.name}={typed(part.expected)}")
    # the whole right paper is marked right, with no misconception named anywhere
    report = marking.mark(problem, marking.parse_work(work, marking.checkpoints(problem)))
    assert report.verdict == "all-right", report.summary
    assert all(m.misconception is None for m in report.marks)
    for part in problem.parts:
        assert marking.explain(problem, part, typed(part.expected)) is None


@given(st.floats(allow_nan=False, allow_infinity=False, min_value=-1e12, max_value=1e12))
def test_any_number_typed_in_full_reads_back(x):
    assert parse_answer(repr(x)).value == pytest.approx(x, rel=1e-12, abs=1e-300)


@given(st.lists(st.lists(st.integers(-999, 999), min_size=2, max_size=2), min_size=1, max_size=4))
def test_matrices_read_back(rows):
    text = "; ".join(", ".join(map(str, row)) for row in rows)
    value = parse_answer(text).value
    assert value == ([list(map(float, r)) for r in rows] if len(rows) > 1 else list(map(float, rows[0])))


@settings(max_examples=500, deadline=200)
@given(st.text(max_size=300))
def test_the_parser_never_fails_any_other_way(text):
    try:
        answer = parse_answer(text)
    except AnswerError as exc:
        assert "\n" not in str(exc)
        return
    values = _flat(answer.value) if isinstance(answer.value, list) else [answer.value]
    assert all(math.isfinite(v) for v in values)


@settings(max_examples=300, deadline=200)
@given(st.recursive(st.sampled_from(["1", "2", "e", "pi", "0", "-1", "0.5"]),
                    lambda inner: st.one_of(
                        st.tuples(inner, st.sampled_from(["+", "-", "*", "/", "^", "**"]), inner).map("".join),
                        inner.map(lambda x: f"({x})"),
                        inner.map(lambda x: f"{'sqrt' if len(x) % 2 else 'ln'}({x})"),
                        inner.map(lambda x: f"-{x}")), max_leaves=30))
def test_expressions_are_bounded(text):
    try:
        parse_answer(text)
    except AnswerError:
        pass
