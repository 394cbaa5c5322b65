"""Judging a typed answer against a Part: shape, tolerance, rounding to the digits typed, choices."""

from __future__ import annotations

import unicodedata
from typing import Any

from mlquiz.answers import Answer, AnswerError, parse_answer, shape_of
from mlquiz.model import Part, Tolerance, Verdict
from mlquiz.text import Msg, msg


def rounded_match(student: float, expected: float, decimals: int | None) -> bool:
    """True when `student` is `expected` rounded to the digits the student wrote.

    Only trusted for at least two decimals or three significant figures, so `0.06` counts for
    0.0645 but `0` does not count for 0.4.
    """
    if decimals is None or student == 0 and decimals < 2:
        return False
    significant = len(f"{abs(student):.{decimals}f}".replace(".", "").lstrip("0"))
    if decimals < 2 and significant < 3:
        return False
    half_unit = 0.5 * 10.0 ** (-decimals)
    if half_unit > 0.08 * abs(expected):
        return False  # too coarse for so small a value: 0.01 would excuse anything near 0.0138
    return abs(student - expected) <= half_unit + 1e-12


def _close(student: float, expected: float, decimals: Any, tolerance: Tolerance) -> bool:
    return tolerance.allows(student, expected) or rounded_match(student, expected, decimals)


def _flat(value: Any) -> list[float]:
    if isinstance(value, list):
        return [x for item in value for x in _flat(item)]
    return [value]


def values_match(student: Any, decimals: Any, expected: Any, tolerance: Tolerance,
                 sign_free: bool = False) -> bool:
    """Element-wise comparison of equal shapes; with sign_free, each vector (or matrix row) may be
    negated as a whole."""
    if shape_of(student) != shape_of(expected):
        return False
    if sign_free and isinstance(expected, list):
        rows = expected if isinstance(expected[0], list) else [expected]
        s_rows = student if isinstance(student[0], list) else [student]
        d_rows = decimals if isinstance(decimals[0], list) else [decimals]
        return all(
            values_match(s, d, e, tolerance) or values_match([-x for x in s], d, e, tolerance)
            for s, d, e in zip(s_rows, d_rows, rows)
        )
    return all(_close(s, e, d, tolerance)
               for s, d, e in zip(_flat(student), _flat(decimals), _flat(expected)))


def coerce_shape(answer: Answer, part: Part) -> Answer:
    """A 1-element vector for a number, or a flat list of the right length for a 1×n matrix."""
    value, decimals = answer.value, answer.decimals
    wanted = shape_of(part.expected)
    if not wanted and isinstance(value, list) and len(_flat(value)) == 1:
        value, decimals = _flat(value)[0], _flat(decimals)[0]
    if len(wanted) == 1 and not isinstance(value, list):
        value, decimals = [value], [decimals]
    if len(wanted) == 2 and isinstance(value, list) and value and not isinstance(value[0], list):
        if wanted[0] == 1:
            value, decimals = [value], [decimals]
        elif wanted[1] == 1 and len(value) == wanted[0]:
            value, decimals = [[v] for v in value], [[d] for d in decimals]
    return Answer(value, decimals, answer.text)


def describe_shape(value: Any) -> Msg:
    shape = shape_of(value)
    if not shape:
        return msg("ui.shape.number")
    if len(shape) == 1:
        return msg("ui.shape.vector", count=shape[0])
    return msg("ui.shape.matrix", rows=shape[0], columns=shape[1])


def normalise_choice(text: str) -> str:
    """Case, spaces and full-width forms (NFKC: `Ａ` is `A`) do not matter in a choice."""
    return " ".join(unicodedata.normalize("NFKC", text).strip().lower().split())


# Either language's habits for yes/true and no/false (对/错, 是/否, √/×).
TRUE_WORDS = {"true", "t", "yes", "y", "对", "是", "正确", "√", "✓"}
FALSE_WORDS = {"false", "f", "no", "n", "错", "否", "错误", "×", "✗"}


def resolve_choice(chosen: str, options: list[str]) -> str:
    """What a typed choice stands for: an option's name, its number (1, 2, …), its letter (a, b, …,
    full width too, already folded by NFKC), or a yes/no word in either language."""
    if chosen in options:
        return chosen
    if chosen.isdigit() and 1 <= int(chosen) <= len(options):
        return options[int(chosen) - 1]
    if len(chosen) == 1 and "a" <= chosen <= "z" and ord(chosen) - ord("a") < len(options):
        return options[ord(chosen) - ord("a")]
    for words in (TRUE_WORDS, FALSE_WORDS):
        if chosen in words:
            return next((o for o in options if o in words), chosen)
    return chosen


def is_yes(text: str) -> bool:
    return normalise_choice(text) in TRUE_WORDS


def judge(part: Part, text: str) -> Verdict:
    """Judge the typed text for one part. Unparseable text gives status "unparsed" (not an attempt)."""
    if part.kind == "choice":
        chosen = normalise_choice(text)
        if not chosen:
            return Verdict(part.name, "unparsed", text, part.expected, msg("ui.parse.empty"))
        options = {normalise_choice(c): c for c in part.choices}
        chosen = resolve_choice(chosen, [normalise_choice(c) for c in part.choices])
        if options and chosen not in options:
            return Verdict(part.name, "unparsed", text, part.expected,
                           msg("ui.answer.choose_one", choices=list(part.choices)))
        right = chosen == normalise_choice(str(part.expected))
        return Verdict(part.name, "right" if right else "wrong", options.get(chosen, text), part.expected)
    try:
        answer = coerce_shape(parse_answer(text), part)
    except AnswerError as exc:
        return Verdict(part.name, "unparsed", text, part.expected, exc.message)
    wanted = shape_of(part.expected)
    if len(wanted) == 2 and wanted[0] != wanted[1] and shape_of(answer.value) == wanted[::-1]:
        return Verdict(part.name, "wrong", answer.value, part.expected)  # transposed: a slip to name
    if shape_of(answer.value) != wanted:
        return Verdict(part.name, "unparsed", answer.value, part.expected,
                       msg("ui.answer.shape", expected=describe_shape(part.expected),
                           got=describe_shape(answer.value)))
    if matches(part, answer, part.expected):
        return Verdict(part.name, "right", answer.value, part.expected)
    for value, remark in part.accepted:
        if matches(part, answer, value):
            return Verdict(part.name, "right", answer.value, part.expected, remark)
    return Verdict(part.name, "wrong", answer.value, part.expected)


def matches(part: Part, answer: Answer, expected: Any) -> bool:
    """Does the parsed answer equal `expected` under the part's rules (exact for integers)?"""
    if shape_of(answer.value) != shape_of(expected):
        return False
    if part.kind == "integer":
        return all(abs(s - e) < 1e-9 for s, e in zip(_flat(answer.value), _flat(expected)))
    return values_match(answer.value, answer.decimals, expected, part.tolerance, part.sign_free)
