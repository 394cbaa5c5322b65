"""Plain data types shared by every topic, the renderers and the checker.

Nothing here knows about terminals or languages: text is held as `Msg` (a catalogue key and its
values) and turned into words by the renderer. An answer is addressed by a *path*, a tuple such as
("entropy",), ("information_gain", "Outlook") or ("q_tables", 0); brackets appear only where a
user reads or types a name (`information_gain[Outlook]`), see `path_name`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Union

from mlquiz.text import Msg

KINDS = ("number", "integer", "vector", "matrix", "choice", "pick", "text")
DIFFICULTIES = ("easy", "medium", "hard")

AnswerPath = tuple  # (name, key, key, …): keys are str (dict) or int (list index)
Line = Union[str, Msg]


def as_path(path: Any) -> AnswerPath:
    return tuple(path) if isinstance(path, (tuple, list)) else (path,)


def path_name(path: AnswerPath) -> str:
    """("information_gain", "Outlook") → `information_gain[Outlook]`; ("q_tables", 0) → `q_tables[0]`."""
    return str(path[0]) + "".join(f"[{key}]" for key in path[1:])


def resolve(value: Any, keys: Any) -> Any:
    """Follow keys (dict keys or list indices) into a nested value."""
    for key in keys:
        value = value[key] if isinstance(value, dict) else value[int(key)]
    return value


def answer_at(answers: dict[str, Any], path: AnswerPath) -> Any:
    return resolve(answers[path[0]], path[1:])


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


@dataclass(frozen=True)
class Part:
    """One thing the student is asked for.

    path: the answer's address (its `--json` key and `--work` name are `path_name(path)`);
    step: the id of the solution step that computes it (its formula is the first hint);
    sign_free: v or −v is right for a vector, or for each row of a matrix (eigenvectors);
    accepted: other values that are also right, each with a remark.
    """

    path: AnswerPath
    prompt: Msg
    kind: str
    expected: Any
    tolerance: Tolerance = DEFAULT_TOLERANCE
    choices: tuple[str, ...] = ()
    step: str = ""
    sign_free: bool = False
    accepted: tuple[tuple[Any, Msg], ...] = ()

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown part kind {self.kind!r}")
        object.__setattr__(self, "path", as_path(self.path))

    @property
    def name(self) -> str:
        return path_name(self.path)


@dataclass(frozen=True)
class Step:
    """One step of a worked solution.

    id: stable within the topic (`entropy`, `gain/Outlook`, `target/2`), what parts point at;
    title: what the step computes; formula: the general rule, a Msg whose template is the formula;
    lines: the rule with this problem's numbers (symbol lines as text, lines with words as Msg);
    value: the plain result; answers: the answer paths this step produces;
    marked: (row, column) cells of a matrix value that this step changed.
    """

    id: str
    title: Msg
    formula: Msg
    lines: tuple[Line, ...]
    value: Any
    answers: tuple[AnswerPath, ...] = ()
    note: Msg | None = None
    marked: tuple[tuple[int, int], ...] = ()


@dataclass
class Solution:
    steps: list[Step]
    answers: dict[str, Any]
    notes: list[Msg] = field(default_factory=list)

    def step_by_id(self, step_id: str) -> Step | None:
        return next((s for s in self.steps if s.id == step_id), None)

    def step_for(self, path: AnswerPath) -> Step | None:
        """The step that produces an answer, or the one producing the answer it belongs to."""
        path = as_path(path)
        for length in range(len(path), 0, -1):
            for step in self.steps:
                if path[:length] in step.answers:
                    return step
        return None

    def step_of(self, part: Part) -> Step | None:
        return (self.step_by_id(part.step) if part.step else None) or self.step_for(part.path)


@dataclass
class Problem:
    """A question with its worked solution.

    kind: the question kind ("calculation": a worked numeric problem of a topic);
    given: the topic's data, JSON-able: what `solve` needs to recompute everything;
    statement: sentences (Msg) of the problem text; table: (headers, rows) shown with it, or None;
    source: "random", "bank:<id>" or "data"; version: the topic generator's version;
    citation: for a bank problem, where the example is published.
    """

    topic: str
    seed: int | None
    difficulty: str
    given: dict[str, Any]
    statement: tuple[Msg, ...]
    parts: list[Part]
    solution: Solution
    table: tuple[list[Line], list[list[Line]]] | None = None
    source: str = "random"
    kind: str = "calculation"
    version: int = 1
    citation: str = ""


@dataclass(frozen=True)
class Verdict:
    """How one typed answer to one part was judged: status "right", "wrong" or "unparsed"; message:
    why (a Msg), or None."""

    part: str
    status: str
    student: Any
    expected: Any
    message: Msg | None = None

    @property
    def right(self) -> bool:
        return self.status == "right"
