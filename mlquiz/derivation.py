"""The one derivation builder every topic uses.

A topic's `solve(given, override)` creates a `Derivation(override)` and adds its steps in order.
A step that produces an answer names its path; `step()` records the right value and returns the
value the rest of the derivation goes on with: the student's own value when the checker carried
it forward (`override`), else the right one. That is the only place where carried-forward marking
touches a topic. `solution()` nests the recorded answers: ("information_gain", "Outlook") becomes
answers["information_gain"]["Outlook"], ("q_tables", 2) answers["q_tables"][2].
"""

from __future__ import annotations

from typing import Any, Iterable

from mlquiz.model import AnswerPath, Line, Solution, Step, as_path
from mlquiz.text import Msg


class Derivation:
    def __init__(self, override: dict[AnswerPath, Any] | None = None):
        self.override = {as_path(k): v for k, v in (override or {}).items()}
        self.steps: list[Step] = []
        self.notes: list[Msg] = []
        self._answers: dict[AnswerPath, Any] = {}

    def step(self, step_id: str, title: Msg, formula: Msg, lines: Line | Iterable[Line] = (), value: Any = None,
             *, answer: Any = None, also: Iterable[tuple[Any, Any]] = (), note: Msg | None = None,
             marked: tuple[tuple[int, int], ...] = ()) -> Any:
        """Add a step; return `value`, or the carried-forward value of its answer.

        answer: the path of the answer this step's value is; also: (path, value) of further
        answers the same step produces (their carried values are read with `carried`)."""
        if any(s.id == step_id for s in self.steps):
            raise ValueError(f"duplicate step id {step_id!r}")
        lines = (lines,) if isinstance(lines, (str, Msg)) else tuple(lines)
        paths = []
        if answer is not None:
            paths.append(self._record(answer, value))
        for path, produced in also:
            paths.append(self._record(path, produced))
        self.steps.append(Step(step_id, title, formula, lines, value, tuple(paths), note, marked))
        return self.carried(answer, value) if answer is not None else value

    def _record(self, path: Any, value: Any) -> AnswerPath:
        path = as_path(path)
        if path in self._answers:
            raise ValueError(f"answer {path!r} produced twice")
        self._answers[path] = value
        return path

    def carried(self, path: Any, value: Any) -> Any:
        """The value to go on with for an answer: the student's (carried forward) or `value`."""
        path = as_path(path)
        if path not in self.override:
            return value
        student = self.override[path]
        return float(student) if isinstance(value, float) and not isinstance(student, list) else student

    def answer(self, path: Any, value: Any) -> None:
        """Record an answer that the last step produces as well (e.g. the final table)."""
        path = self._record(path, value)
        last = self.steps[-1]
        self.steps[-1] = Step(last.id, last.title, last.formula, last.lines, last.value,
                              (*last.answers, path), last.note, last.marked)

    def note(self, message: Msg) -> None:
        if message not in self.notes:
            self.notes.append(message)

    def solution(self) -> Solution:
        return Solution(self.steps, nest(self._answers), self.notes)


def nest(flat: dict[AnswerPath, Any]) -> dict[str, Any]:
    """{("a",): 1, ("b", "x"): 2, ("c", 0): 3} → {"a": 1, "b": {"x": 2}, "c": [3]} (int keys → lists)."""
    root: dict[Any, Any] = {}
    for path, value in flat.items():
        node = root
        for key in path[:-1]:
            node = node.setdefault(key, {})
        node[path[-1]] = value
    return _lists(root)


def _lists(node: Any) -> Any:
    if not isinstance(node, dict):
        return node
    items = {k: _lists(v) for k, v in node.items()}
    if items and all(isinstance(k, int) for k in items):
        return [items[i] for i in sorted(items)]
    return items
