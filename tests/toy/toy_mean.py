"""A throw-away topic for the test that proves the topic kit: mean and sample variance of a list.

It lives outside the package (tests/toy/), joins through MLQUIZ_TOPIC_PATH, and must work with
every command and pass the conformance suite with no edit anywhere else.
"""

from __future__ import annotations

import random
from typing import Any

from mlquiz.derivation import Derivation
from mlquiz.errors import UserError
from mlquiz.model import Part, Solution, answer_at
from mlquiz.text import Texts
from mlquiz.topics.common import attempts, fmt

T = Texts("toymean")


def generate(rng: random.Random, difficulty: str) -> dict:
    size = {"easy": 3, "medium": 4, "hard": 5}[difficulty]
    for _ in attempts():
        xs = [rng.randint(-5, 9) for _ in range(size)]
        if len(set(xs)) > 1:
            return {"xs": xs}


def parse_data(values: dict) -> dict:
    xs = values["data"]
    if len(xs) < 2:
        raise UserError(T("error.two"))
    return {"xs": xs}


def as_options(given: dict) -> dict[str, str]:
    return {"data": ",".join(repr(x) for x in given["xs"])}


def solve(given: dict, override: dict[tuple, Any] | None = None) -> Solution:
    d = Derivation(override)
    xs = given["xs"]
    n = len(xs)
    mean = d.step("mean", T("title.mean"), T("formula.mean"), f"({' + '.join(fmt(x) for x in xs)}) / {n}",
                  sum(xs) / n, answer="mean")
    squares = [(x - mean) ** 2 for x in xs]
    d.step("variance", T("title.variance"), T("formula.variance"),
           f"({' + '.join(fmt(s) for s in squares)}) / {n - 1}", sum(squares) / (n - 1), answer="variance")
    return d.solution()


def statement(given: dict) -> list:
    return [T("statement", xs=[fmt(x) for x in given["xs"]])]


def parts(given: dict, solution: Solution, difficulty: str) -> list[Part]:
    return [Part((name,), T(f"prompt.{name}"), "number", answer_at(solution.answers, (name,)), step=name)
            for name in ("mean", "variance")]


def table(given: dict) -> None:
    return None


def well_posed(problem: Any) -> None:
    assert len(set(problem.given["xs"])) > 1


def _population(given: dict, path: tuple, student: Any, override: dict) -> float:
    xs = given["xs"]
    mean = sum(xs) / len(xs)
    return sum((x - mean) ** 2 for x in xs) / len(xs)


VARIANTS = {"population_variance": _population}


def from_bank(entry: dict) -> dict:
    return {"xs": entry["xs"]}
