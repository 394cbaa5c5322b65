"""Plain data types shared by every topic, the renderers and the checker.

Nothing here knows about terminals: a topic returns these records and the rendering module
(`mlquiz.render`) or the JSON writer walks them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

KINDS = ("number", "integer", "vector", "matrix", "choice")
DIFFICULTIES = ("easy", "medium", "hard")


@dataclass(frozen=True)
class Tolerance:
    """|student − expected| ≤ max(absolute, relative·|expected|), element by element.

    The default accepts a value rounded by hand to three significant figures (at most a 0.5 %
    relative error) plus the drift that rounding intermediate values causes, and rejects a wrong
    method, which in this course moves a result by far more (ln for log₂ is 31 %, n for n−1 is
    33 % or more on these small data sets).
    """

    relative: float = 0.006
    absolute: float = 0.0015

    def allows(self, student: float, expected: float) -> bool:
        return abs(student - expected) <= max(self.absolute, self.relative * abs(expected))


DEFAULT_TOLERANCE = Tolerance()
EXACT = Tolerance(relative=0.0, absolute=1e-9)


@dataclass(frozen=True)
class Part:
    """One thing the student is asked for.

    `name` is the answer name used by `--json` and `--work` (an entry of a per-attribute answer is
    written `information_gain[Outlook]`). `step` is the title of the solution step that computes
    it, so a hint can show that step's formula. `sign_free` accepts v or −v for a vector, or for
    each row of a matrix (eigenvectors).
    """

    name: str
    prompt: str
    kind: str
    expected: Any
    tolerance: Tolerance = DEFAULT_TOLERANCE
    choices: tuple[str, ...] = ()
    step: str = ""
    sign_free: bool = False
    accepted: tuple[tuple[Any, str], ...] = ()  # other values that are also right, with a remark

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown part kind {self.kind!r}")


@dataclass(frozen=True)
class Step:
    """One step of a worked solution.

    formula: the general rule, e.g. `H(D) = −Σ pₖ·log₂ pₖ`;
    substituted: the rule with this problem's numbers, e.g. `−(2/3)·log₂(2/3) − (1/3)·log₂(1/3)`;
    value: the plain result (number, list, nested list or text);
    exact: an exact form where one helps (a fraction, a surd), else "";
    answer: the answer name this step produces, if any;
    marked: (row, column) cells of a matrix value that this step changed.
    """

    title: str
    formula: str
    substituted: str
    value: Any
    exact: str = ""
    answer: str = ""
    note: str = ""
    marked: tuple[tuple[int, int], ...] = ()  # matrix cells this step changed (rendered highlighted)


@dataclass
class Solution:
    steps: list[Step]
    answers: dict[str, Any]
    notes: list[str] = field(default_factory=list)

    def step_of(self, part: "Part") -> Step | None:
        """The step that computes a part: by the part's step title, else by its answer name."""
        for step in self.steps:
            if part.step and step.title == part.step:
                return step
        return self.step_for(part.name)

    def step_for(self, answer_name: str) -> Step | None:
        base = answer_name.split("[", 1)[0]
        for step in self.steps:
            if step.answer in (answer_name, base):
                return step
        return None


@dataclass
class Problem:
    """A generated (or bank, or user-supplied) problem with its solution.

    given: the topic's data, JSON-able; it is what `solve` needs to recompute everything.
    table: (headers, rows) for the data table shown with the statement, or None.
    source: "random", "bank:<id>" or "data".
    """

    topic: str
    seed: int | None
    difficulty: str
    given: dict[str, Any]
    statement: str
    parts: list[Part]
    solution: Solution
    table: tuple[list[str], list[list[str]]] | None = None
    source: str = "random"


@dataclass(frozen=True)
class Verdict:
    """How one answer to one part was judged.

    status: "right", "wrong" or "unparsed"; message: a short explanation for the student
    (the misconception or remark when one is recognised).
    """

    part: str
    status: str
    student: Any
    expected: Any
    message: str = ""
    misconception: str = ""

    @property
    def right(self) -> bool:
        return self.status == "right"
