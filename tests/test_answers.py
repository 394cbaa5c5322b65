import math

import numpy as np
import pytest

from mlquiz.answers import AnswerError, parse_answer, parse_number


@pytest.mark.parametrize("text, value", [
    ("0.971", 0.971), ("-3/4", -0.75), ("75%", 0.75), ("1e-3", 0.001), ("log2(3)", math.log2(3)),
    ("ln(2)", math.log(2)), ("log(8, 2)", 3.0), ("log(100)", 2.0), ("exp(-1)", math.exp(-1)),
    ("sqrt(2)", math.sqrt(2)), ("e", math.e), ("pi", math.pi), ("2^3", 8.0), ("2**3", 8.0),
    ("2^3^2", 512.0), ("-2^2", -4.0), ("(1+2)*3", 9.0), ("-(2/3)*log2(2/3) - (1/3)*log2(1/3)", 0.9182958340544896),
    ("０．５", 0.5), ("−0.25", -0.25), ("1/2·4", 2.0), ("50 %", 0.5), (".5", 0.5), ("-0", 0.0),
])
def test_scalars(text, value):
    assert parse_answer(text).value == pytest.approx(value, rel=1e-12)


@pytest.mark.parametrize("text, value", [
    ("0.71, -0.70", [0.71, -0.70]), ("[0.71, -0.70]", [0.71, -0.70]), ("1, 2; 3, 4", [[1, 2], [3, 4]]),
    ("[[1, 2], [3, 4]]", [[1, 2], [3, 4]]), ("[1,2];[3,4]", [[1, 2], [3, 4]]), ("１，２；３，４", [[1, 2], [3, 4]]),
    ("log(8, 2), sqrt(4)", [3.0, 2.0]), ("（1+1）, 3", [2.0, 3.0]),
])
def test_vectors_and_matrices(text, value):
    assert np.allclose(parse_answer(text).value, value, rtol=1e-12, atol=0)


def test_decimals_are_recorded_for_plain_literals_only():
    assert parse_answer("0.06").decimals == 2
    assert parse_answer("-0.700").decimals == 3
    assert parse_answer("3/4").decimals is None
    assert parse_answer("0.71, log2(3)").decimals == [2, None]


@pytest.mark.parametrize("text, fragment", [
    ("abc", "unknown name"), ("", "empty"), ("   ", "empty"), ("1/0", "division by zero"),
    ("__import__('os')", "unexpected character"), ("2**2**2**2**2", "too large"), ("1e999", "too large"),
    ("nan", "unknown name"), ("inf", "unknown name"), ("(" * 200 + "1" + ")" * 200, "deeply nested"),
    ("1, 2; 3", "different lengths"), ("log(-1)", "not positive"), ("sqrt(-1)", "negative"),
    ("1 2", "unexpected"), ("(1", "ends too early"), ("log(1,2,3)", "takes"), ("9" * 3000, "longer than"),
    ("(-8)^(1/3)", "not a real number"), ("0^-1", "division by zero"), ("exp(1000)", "too large"),
])
def test_rejections_are_one_line(text, fragment):
    with pytest.raises(AnswerError) as info:
        parse_answer(text)
    assert fragment in str(info.value)
    assert "\n" not in str(info.value)


def test_parse_number_rejects_vectors():
    assert parse_number("1/4") == 0.25
    with pytest.raises(AnswerError):
        parse_number("1, 2")
