"""Marking a student's hand calculation step by step, as a human marker would.

For each checkpoint (a quantity the derivation produces, in derivation order):
  right            — the student's value matches the right value (tolerance, or rounding to the
                     digits written);
  carried forward  — wrong against the right value, but right given the student's own earlier
                     values (method marks: the error was made earlier);
  wrong            — neither; then each misconception of the topic that applies to this step is
                     tried, and one whose wrong method reproduces the student's value is named;
                     otherwise it looks like an arithmetic slip.
Misconception texts are data (problems/<topic>/misconceptions.toml); the wrong methods are
functions in the topic module's VARIANTS table. Nothing here prints.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from mlquiz import registry
from mlquiz.answers import Answer, AnswerError, parse_answer, shape_of
from mlquiz.checking import coerce_shape, describe_shape, judge, matches
from mlquiz.engine import problems_dir
from mlquiz.errors import UserError, short
from mlquiz.model import DEFAULT_TOLERANCE, Part, Problem, Step
from mlquiz.topics.common import answer_at, resolve, split_name


@dataclass(frozen=True)
class Misconception:
    id: str
    name: str
    applies_to: tuple[str, ...]
    explanation: str
    rule: str


@dataclass
class Mark:
    """The marking of one checkpoint. status: right, carried, wrong or skipped."""

    part: Part
    step: Step | None
    status: str
    student: Any = None
    expected: Any = None
    carried_expected: Any = None
    misconception: Misconception | None = None
    remark: str = ""
    entries: tuple[str, ...] = ()  # the entries the student gave, when only some were given


@dataclass
class Report:
    problem: Problem
    marks: list[Mark]
    summary: str
    first_wrong: int | None = None
    verdict: str = ""  # all-right, slip, method, nothing


# --------------------------------------------------------------------------- names and values

def replace_entry(value: Any, path: list[str], new: Any) -> Any:
    if not path:
        return new
    copy = dict(value) if isinstance(value, dict) else list(value)
    key: Any = path[0] if isinstance(value, dict) else int(path[0])
    copy[key] = replace_entry(value[key], path[1:], new)
    return copy


# --------------------------------------------------------------------------- checkpoints

def _inferred_kind(value: Any) -> str:
    if isinstance(value, str):
        return "choice"
    flat = value if not isinstance(value, list) else [x for r in value for x in (r if isinstance(r, list) else [r])]
    flat = flat if isinstance(flat, list) else [flat]
    if all(isinstance(x, int) and not isinstance(x, bool) for x in flat):
        return "integer"
    return {0: "number", 1: "vector", 2: "matrix"}[len(shape_of(value))]


def _defined(value: Any) -> bool:
    """False for an undefined quantity (None anywhere, e.g. a shape whose channels were not given)."""
    if isinstance(value, dict):
        return bool(value) and any(_defined(v) for v in value.values())
    if isinstance(value, list):
        return bool(value) and all(_defined(v) for v in value)
    return value is not None


def checkpoints(problem: Problem) -> list[Part]:
    """Every quantity the derivation produces, in order, as Parts (the topic's own where it has one)."""
    module = registry.load(problem.topic)
    own = {part.name: part for part in problem.parts}
    tolerance = getattr(module, "TOLERANCE", DEFAULT_TOLERANCE)
    out: list[Part] = []
    seen: set[str] = set()

    def add(name: str, step_title: str, value: Any) -> None:
        if name in seen or not _defined(value):
            return
        seen.add(name)
        if name in own:
            out.append(own[name])
            return
        if isinstance(value, dict) or (isinstance(value, list) and value and isinstance(value[0], str)):
            for key, entry in (value.items() if isinstance(value, dict) else enumerate(value)):
                add(f"{name}[{key}]", step_title, entry)
            return
        out.append(Part(name, name.replace("_", " "), _inferred_kind(value), value, tolerance, step=step_title))

    for step in problem.solution.steps:
        if step.answer:
            try:
                value = answer_at(problem.solution.answers, step.answer)
            except (KeyError, IndexError, ValueError):
                value = step.value
            add(step.answer, step.title, value)
    for name, value in problem.solution.answers.items():
        if not any(s == name or s.startswith(name + "[") for s in seen):
            add(name, problem.solution.steps[-1].title, value)
    return out


# --------------------------------------------------------------------------- reading the student's work

@dataclass
class Work:
    """What the student wrote for one checkpoint: a whole value, or some entries of it."""

    text: str
    answer: Answer | None = None        # the whole value
    entries: dict[tuple[str, ...], Answer] = field(default_factory=dict)  # entry path → value


def _find_checkpoint(name: str, parts: list[Part]) -> tuple[Part, list[str]]:
    clean = name.strip()
    by_name = {p.name: p for p in parts}
    if clean in by_name:
        return by_name[clean], []
    # The longest checkpoint name that prefixes the given one: `covariance[0][0]` → covariance, [0, 0].
    for part in sorted(parts, key=lambda p: -len(p.name)):
        if clean.startswith(part.name + "["):
            _, rest = split_name("x" + clean[len(part.name):])
            return part, rest
    known = ", ".join(dict.fromkeys(split_name(p.name)[0] for p in parts))
    raise UserError(f"--work: unknown name {short(name)}; this problem's names are: {known}")


def parse_work(items: list[str], parts: list[Part]) -> dict[str, Work]:
    """`name=value` strings (from --work) → Work per checkpoint name. Bad input: UserError."""
    work: dict[str, Work] = {}
    for item in items:
        if "=" not in item:
            raise UserError(f"--work {short(item)}: write name=value, e.g. --work \"entropy=0.971\"")
        name, text = item.split("=", 1)
        part, path = _find_checkpoint(name, parts)
        entry = work.setdefault(part.name, Work(text=""))
        try:
            if part.kind == "choice":
                answer = Answer(text.strip(), None, text.strip())
            else:
                answer = parse_answer(text)
        except AnswerError as exc:
            raise UserError(f"--work {short(name, 40)}: cannot read {short(text)} ({exc})") from None
        if path:
            try:
                target = resolve(part.expected, path)
            except (KeyError, IndexError, ValueError):
                raise UserError(f"--work {short(name, 40)}: {part.name} has no entry {''.join(f'[{p}]' for p in path)} "
                                f"(it is {describe_shape(part.expected)})") from None
            if shape_of(answer.value) != shape_of(target):
                raise UserError(f"--work {short(name, 40)}: expected {describe_shape(target)}, "
                                f"got {describe_shape(answer.value)}")
            entry.entries[tuple(path)] = answer
        else:
            answer = coerce_shape(answer, part) if part.kind != "choice" else answer
            if part.kind != "choice" and shape_of(answer.value) != shape_of(part.expected):
                raise UserError(f"--work {short(name, 40)}: expected {describe_shape(part.expected)}, "
                                f"got {describe_shape(answer.value)}")
            entry.answer = answer
        entry.text = (entry.text + "; " if entry.text else "") + text.strip()
    return work


# --------------------------------------------------------------------------- misconceptions

@lru_cache(maxsize=None)
def misconceptions(topic: str) -> tuple[Misconception, ...]:
    path = problems_dir() / topic / "misconceptions.toml"
    if not path.is_file():
        return ()
    with path.open("rb") as handle:
        data = tomllib.load(handle)
    return tuple(Misconception(m["id"], m["name"], tuple(m["applies_to"]), m["explanation"], m["rule"])
                 for m in data.get("misconception", []))


def diagnose(problem: Problem, part: Part, answer: Answer, override: dict[str, Any] | None = None) -> Misconception | None:
    """The first misconception whose wrong method reproduces the student's value at this step."""
    module = registry.load(problem.topic)
    variants = getattr(module, "VARIANTS", {})
    base = split_name(part.name)[0]
    for item in misconceptions(problem.topic):
        if base not in item.applies_to or item.id not in variants:
            continue
        try:
            candidate = variants[item.id](problem.given, part.name, answer.value, override or {})
        except (ArithmeticError, ValueError, KeyError, IndexError, TypeError):
            candidate = None
        if candidate is None or shape_of(candidate) != shape_of(answer.value):
            continue
        if matches(part, answer, candidate) and not matches(part, answer, part.expected):
            return item
    return None


def explain(problem: Problem, part: Part, text: str) -> str:
    """For practice: the misconception that explains a wrong typed answer, as one sentence, or ""."""
    if part.kind == "choice":
        return ""
    try:
        answer = coerce_shape(parse_answer(text), part)
    except AnswerError:
        return ""
    found = diagnose(problem, part, answer)
    return "" if found is None else f"{found.name}. {found.explanation} Right rule: {found.rule}"


# --------------------------------------------------------------------------- marking

def _student_value(work: Work, part: Part) -> tuple[Any, Answer | None]:
    """The student's whole value: as typed, or the right value with the entries they gave."""
    if work.answer is not None:
        return work.answer.value, work.answer
    value = part.expected
    for path, answer in work.entries.items():
        value = replace_entry(value, list(path), answer.value)
    return value, None


def _judge_entries(part: Part, work: Work, expected: Any) -> bool:
    for path, answer in work.entries.items():
        sub = Part(part.name, part.prompt, _inferred_kind(resolve(expected, list(path))) if part.kind != "integer"
                   else "integer", resolve(expected, list(path)), part.tolerance)
        if not matches(sub, answer, sub.expected):
            return False
    return True


def _is_right(part: Part, work: Work, expected: Any) -> tuple[bool, str]:
    if work.answer is not None:
        if part.kind == "choice":
            verdict = judge(Part(part.name, part.prompt, "choice", expected, choices=part.choices), work.answer.text)
            return verdict.right, ""
        if matches(part, work.answer, expected):
            return True, ""
        if expected is part.expected:
            for value, remark in part.accepted:
                if matches(part, work.answer, value):
                    return True, remark
        return False, ""
    return _judge_entries(part, work, expected), ""


def mark(problem: Problem, work: dict[str, Work]) -> Report:
    module = registry.load(problem.topic)
    parts = checkpoints(problem)
    override: dict[str, Any] = {}
    marks: list[Mark] = []
    for part in parts:
        step = problem.solution.step_of(part)
        entry = work.get(part.name)
        if entry is None:
            marks.append(Mark(part, step, "skipped", expected=part.expected))
            continue
        student, whole = _student_value(entry, part)
        right, remark = _is_right(part, entry, part.expected)
        carried = None
        status = "right" if right else "wrong"
        if not right and override:
            try:
                carried = answer_at(module.solve(problem.given, override=dict(override)).answers, part.name)
            except (UserError, ArithmeticError, ValueError, KeyError, IndexError, TypeError):
                carried = None
            if carried is not None and _is_right(part, entry, carried)[0]:
                status = "carried"
        found = None
        if status == "wrong":
            probe = whole or Answer(student, _nones(student), entry.text)
            found = diagnose(problem, part, probe, override)
        marks.append(Mark(part, step, status, student, part.expected, carried, found, remark,
                          tuple("".join(f"[{p}]" for p in path) for path in entry.entries)))
        override[part.name] = student
    return _summarise(problem, marks)


def _nones(value: Any) -> Any:
    if isinstance(value, list):
        return [_nones(v) for v in value]
    return None


def _summarise(problem: Problem, marks: list[Mark]) -> Report:
    given = [m for m in marks if m.status != "skipped"]
    wrong = [i for i, m in enumerate(marks) if m.status == "wrong"]
    if not given:
        return Report(problem, marks, "Nothing to mark: no values were given.", None, "nothing")
    if not wrong:
        return Report(problem, marks, f"All {len(given)} checked values are right.", None, "all-right")
    first = wrong[0]
    first_mark = marks[first]
    number = first + 1
    later = marks[first + 1:]
    if first_mark.misconception is not None:
        text = (f"Method wrong at step {number} ({first_mark.part.name}): "
                f"{first_mark.misconception.name}.")
        verdict = "method"
    elif all(m.status in ("right", "carried", "skipped") for m in later):
        carried = sum(1 for m in later if m.status == "carried")
        text = f"Method right, arithmetic slip at step {number} ({first_mark.part.name})"
        text += f"; {carried} later value(s) follow correctly from it (carried forward)." if carried else "."
        verdict = "slip"
    else:
        others = [i + 1 for i in wrong[1:]]
        named = [marks[i - 1] for i in others if marks[i - 1].misconception is not None]
        text = f"First error at step {number} ({first_mark.part.name}), looks like an arithmetic slip; "
        text += f"also wrong at step(s) {', '.join(map(str, others))}"
        text += f", where {named[0].misconception.name.lower()}" if named else ""
        text += "."
        verdict = "method" if named else "slip"
    return Report(problem, marks, text, first, verdict)
