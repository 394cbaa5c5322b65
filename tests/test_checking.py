import pytest

from mlquiz.checking import judge, rounded_match
from mlquiz.model import DEFAULT_TOLERANCE, Part, Tolerance


def number(expected, **kw):
    return Part("x", "x", "number", expected, **kw)


@pytest.mark.parametrize("typed", ["0.971", "0.97", "0.9710", "0.970", "0.972"])
def test_three_significant_figures_are_accepted(typed):
    assert judge(number(0.9709505944546686), typed).right


@pytest.mark.parametrize("typed", ["0.673", "0.96", "1.0", "0.5", "0.98"])
def test_wrong_methods_are_rejected(typed):
    assert not judge(number(0.9709505944546686), typed).right


def test_default_tolerance_is_documented_values():
    assert DEFAULT_TOLERANCE == Tolerance(relative=0.006, absolute=0.0015)


def test_rounding_to_the_digits_written():
    assert rounded_match(0.06, 0.0645, 2)
    assert not rounded_match(0.06, 0.0655, 2)
    assert not rounded_match(0.0, 0.4, 0)          # too few digits to trust
    assert rounded_match(2.53, 2.5348, 2)
    assert not rounded_match(2.53, 2.5352, 2)
    assert not rounded_match(1.3, 1.29, 1)          # one decimal, two significant figures


def test_integers_are_exact_and_choices_exact():
    part = Part("n", "n", "integer", 29)
    assert judge(part, "29").right and judge(part, "29.0").right
    assert not judge(part, "30").right and not judge(part, "28.9").right
    choice = Part("best", "b", "choice", "Outlook", choices=("Outlook", "Wind"))
    assert judge(choice, " outlook ").right and judge(choice, "1").right
    assert not judge(choice, "wind").right
    assert judge(choice, "Humidity").status == "unparsed"


def test_vectors_shape_and_sign_free():
    part = Part("v", "v", "vector", [0.7013, 0.7128], sign_free=True)
    assert judge(part, "0.701, 0.713").right
    assert judge(part, "-0.701, -0.713").right
    assert not judge(part, "0.701, -0.713").right
    assert judge(part, "0.7, 0.7, 0.7").status == "unparsed"
    matrix = Part("m", "m", "matrix", [[1.29, 1.23], [1.23, 1.33]])
    assert judge(matrix, "1.29, 1.23; 1.23, 1.33").right
    assert not judge(matrix, "1.26, 1.23; 1.23, 1.33").right


def test_unparsed_is_not_an_attempt():
    verdict = judge(number(1.0), "abc")
    assert verdict.status == "unparsed" and not verdict.right


def test_choices_in_either_languages_habits():
    from mlquiz.checking import is_yes, judge
    from mlquiz.model import Part
    from mlquiz.text import msg

    truth = Part(("claim",), msg("ui.check.value_of", name="claim"), "choice", "true", choices=("true", "false"))
    for typed in ("对", "是", "正确", "TRUE", "ｔｒｕｅ", "√", "1", "a", "Ａ"):
        assert judge(truth, typed).right, typed
    for typed in ("错", "否", "false", "×", "2", "ｂ"):
        assert judge(truth, typed).status == "wrong", typed
    attribute = Part(("best",), msg("ui.check.value_of", name="best"), "choice", "Wind",
                     choices=("Outlook", "Wind"))
    assert judge(attribute, "ｗｉｎｄ").right and judge(attribute, "２").right and judge(attribute, "b").right
    assert all(is_yes(w) for w in ("y", "Ｙ", "是", "对")) and not any(is_yes(w) for w in ("n", "否", ""))
