"""Marking a student's hand calculation step by step, as a human marker would.

For each checkpoint (an answer the derivation produces, in derivation order):
  right            — the student's value matches the right value (tolerance, or rounding to the
                     digits written);
  carried forward  — wrong against the right value, but right given the student's own earlier
                     values (method marks: the error was made earlier);
  wrong            — neither; then each misconception of the topic that applies to this answer is
                     tried, and one whose wrong method reproduces the student's value is named;
                     otherwise it looks like an arithmetic slip.
Misconceptions are data: `problems/<topic>/misconceptions.toml` says which answers each applies to,
the topic's text catalogue holds its words, and the topic module's VARIANTS compute the wrong
value. Answers are addressed by path tuples; names with brackets exist only in `parse_work`, the
user's edge. Nothing here prints.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from mlquiz import registry
from mlquiz.answers import Answer, AnswerError, parse_answer, shape_of
from mlquiz.checking import coerce_shape, describe_shape, judge, matches
from mlquiz.errors import UserError, short
from mlquiz.model import DEFAULT_TOLERANCE, AnswerPath, Part, Problem, Step, answer_at, path_name, resolve
from mlquiz.shapes import Slip, find_slip, wrong_entries
from mlquiz.text import Msg, msg

# A wrong method's value could not be computed for this problem (e.g. a division by zero the
# right method avoids): that misconception simply does not explain the value.
VARIANT_FAILURES = (ArithmeticError, ValueError)


@dataclass(frozen=True)
class Misconception:
    topic: str
    id: str
    applies_to: tuple[str, ...]

    def text(self, part: str) -> Msg:
        return msg(f"{self.topic}.misconception.{self.id}.{part}")

    @property
    def name(self) -> Msg:
        return self.text("name")

    @property
    def explanation(self) -> Msg:
        return self.text("explanation")

    @property
    def rule(self) -> Msg:
        return self.text("rule")


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
    remark: Msg | None = None
    entries: tuple[tuple, ...] = ()  # the entry paths the student gave, when only some were given
    slip: Slip | None = None         # a whole-answer transformation (transposed, sign, scale, order)
    wrong_entries: tuple[tuple, ...] = ()  # of a vector or matrix judged entry by entry
    size: int = 1                    # entries in the answer

    @property
    def fraction(self) -> float:
        """The share of the answer that is right: 1, 0, or for a vector or matrix with no named
        mistake the share of its entries that are right (the exam's partial credit)."""
        if self.status in ("right", "carried"):
            return 1.0
        if self.status == "skipped" or self.misconception is not None or self.slip is not None:
            return 0.0
        return 1 - len(self.wrong_entries) / self.size if self.wrong_entries else 0.0

    @property
    def detail(self) -> Msg | None:
        return detail(self.slip, self.wrong_entries, self.size)


@dataclass
class Report:
    problem: Problem
    marks: list[Mark]
    summary: Msg
    first_wrong: int | None = None
    verdict: str = ""  # all-right, slip, method, nothing


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
    """Every answer the derivation produces, in order, as Parts (the topic's own where it has one).
    A dict-valued answer, a list of labels, or an answer whose entries are asked as parts (each
    point's projection) is marked entry by entry."""
    module = registry.load(problem.topic)
    own = {part.path: part for part in problem.parts}
    tolerance = getattr(module, "TOLERANCE", DEFAULT_TOLERANCE)
    out: list[Part] = []
    seen: set[AnswerPath] = set()

    def add(path: AnswerPath, step: Step, value: Any) -> None:
        if path in seen or not _defined(value):
            return
        seen.add(path)
        if path in own:
            out.append(own[path])
            return
        asked_inside = any(len(p) > len(path) and p[:len(path)] == path for p in own)
        if isinstance(value, dict) or (isinstance(value, list) and value and (isinstance(value[0], str)
                                                                              or asked_inside)):
            for key, entry in (value.items() if isinstance(value, dict) else enumerate(value)):
                add((*path, key), step, entry)
            return
        prompt = msg("ui.check.value_of", name=path_name(path))
        choices = ()
        if isinstance(value, str):
            choices = tuple(dict.fromkeys(v for p in own.values() if p.path[:1] == path[:1] for v in p.choices))
        out.append(Part(path, prompt, _inferred_kind(value), value, tolerance, choices=choices, step=step.id))

    for step in problem.solution.steps:
        for path in step.answers:
            add(path, step, answer_at(problem.solution.answers, path))
    return out


# --------------------------------------------------------------------------- reading the student's work

@dataclass
class Work:
    """What the student wrote for one checkpoint: a whole value, or some entries of it."""

    text: str
    answer: Answer | None = None        # the whole value
    entries: dict[tuple, Answer] = field(default_factory=dict)  # entry path → value


def _indices(text: str) -> tuple[tuple[int, ...], str] | None:
    """`[0][1] = 0.5` → ((0, 1), " 0.5"); None if `text` is not index brackets then `=`."""
    keys: list[int] = []
    rest = text
    while rest.startswith("["):
        close = rest.find("]")
        inner = rest[1:close].strip() if close > 0 else ""
        if not inner.lstrip("-").isdigit():
            return None
        keys.append(int(inner))
        rest = rest[close + 1:].lstrip()
    if not keys or not rest.startswith("="):
        return None
    return tuple(keys), rest[1:]


def _groups(parts: list[Part]) -> dict[str, list[Part]]:
    """Answers marked entry by entry (td_targets[0], td_targets[1], …) under their whole name."""
    groups: dict[str, list[Part]] = {}
    for part in parts:
        if len(part.path) > 1:
            groups.setdefault(path_name(part.path[:-1]), []).append(part)
    return {name: members for name, members in groups.items()
            if all(len(m.path) == len(members[0].path) for m in members)}


def split_item(item: str, parts: list[Part]) -> list[tuple[Part, tuple, Any]]:
    """`name=value` → [(checkpoint, entry path, value text)], the name matched against the
    checkpoints' own names (so a name containing `[`, `]`, `=`, `,` or spaces works): the whole
    checkpoint, an entry of it (`covariance[0][1]=…`), or a whole answer that is marked entry by
    entry (`td_targets=5, -1`), split into its entries in order."""
    text = item.strip()
    for part in sorted(parts, key=lambda p: -len(p.name)):
        if not text.startswith(part.name):
            continue
        rest = text[len(part.name):].lstrip()
        if rest.startswith("="):
            return [(part, (), rest[1:])]
        found = _indices(rest)
        if found is not None and part.kind != "choice":
            return [(part, found[0], found[1])]
    for name, members in sorted(_groups(parts).items(), key=lambda g: -len(g[0])):
        rest = text[len(name):].lstrip() if text.startswith(name) else ""
        if rest.startswith("="):
            return _spread(name, members, rest[1:])
    if "=" not in text:
        raise UserError(msg("ui.check.error_form", item=short(item)))
    known = list(dict.fromkeys([*(str(p.path[0]) for p in parts), *_groups(parts)]))
    raise UserError(msg("ui.check.error_unknown", name=short(text.split("=", 1)[0]), known=known))


def _spread(name: str, members: list[Part], text: str) -> list[tuple[Part, tuple, Any]]:
    """A whole answer typed at once, given to its entries in order: labels or numbers
    comma-separated, or vectors as the rows of a matrix (`shapes=3,8,8; 4,6,6`)."""
    if all(m.kind == "choice" for m in members):
        cells: list[Any] = [c.strip() for c in text.replace("，", ",").split(",")]
    else:
        try:
            answer = parse_answer(text)
        except AnswerError as exc:
            raise UserError(msg("ui.check.error_value", name=short(name, 40), value=short(text),
                                reason=exc.message)) from None
        shapes = {len(shape_of(m.expected)) for m in members}
        value, decimals = answer.value, answer.decimals
        if shapes == {0} and not (isinstance(value, list) and value and isinstance(value[0], list)):
            pairs = zip(value, decimals) if isinstance(value, list) else [(value, decimals)]
        elif shapes == {1}:
            pairs = zip(value, decimals) if isinstance(value, list) and value and isinstance(value[0], list) \
                else [(value, decimals)]
        else:
            raise UserError(msg("ui.check.error_whole", name=short(name, 40), first=members[0].name))
        cells = [Answer(v, d, text) for v, d in pairs]
    if len(cells) != len(members):
        raise UserError(msg("ui.check.error_count", name=short(name, 40), count=len(members), got=len(cells),
                            entries=[m.name for m in members]))
    return [(m, (), cell) for m, cell in zip(members, cells)]


def parse_work(items: list[str], parts: list[Part]) -> dict[AnswerPath, Work]:
    """`name=value` strings (from --work) → Work per checkpoint path. Bad input: UserError."""
    work: dict[AnswerPath, Work] = {}
    for item in items:
        for part, path, text in split_item(item, parts):
            _read_one(work, part, path, text)
    return work


def _read_one(work: dict[AnswerPath, Work], part: Part, path: tuple, typed: Any) -> None:
    """One checkpoint's value: text as typed, or an Answer already read from a whole answer."""
    name = short(part.name + "".join(f"[{k}]" for k in path), 40)
    entry = work.setdefault(part.path, Work(text=""))
    text = typed.text if isinstance(typed, Answer) else typed
    try:
        if isinstance(typed, Answer):
            answer = typed
        else:
            answer = Answer(text.strip(), None, text.strip()) if part.kind == "choice" else parse_answer(text)
    except AnswerError as exc:
        raise UserError(msg("ui.check.error_value", name=name, value=short(text), reason=exc.message)) from None
    if path:
        try:
            target = resolve(part.expected, path)
        except (KeyError, IndexError, ValueError, TypeError):
            raise UserError(msg("ui.check.error_entry", name=name, whole=part.name,
                                entry="".join(f"[{k}]" for k in path), shape=describe_shape(part.expected))) from None
        if shape_of(answer.value) != shape_of(target):
            raise UserError(msg("ui.check.error_shape", name=name, expected=describe_shape(target),
                                got=describe_shape(answer.value)))
        entry.entries[path] = answer
    else:
        answer = coerce_shape(answer, part) if part.kind != "choice" else answer
        if part.kind != "choice" and shape_of(answer.value) != shape_of(part.expected) \
                and not is_transposed_shape(answer.value, part.expected):
            raise UserError(msg("ui.check.error_shape", name=name, expected=describe_shape(part.expected),
                                got=describe_shape(answer.value)))
        entry.answer = answer
    entry.text = (entry.text + "; " if entry.text else "") + text.strip()


def is_transposed_shape(value: Any, expected: Any) -> bool:
    """A non-square matrix typed the other way round: read, so that the slip can be named."""
    shape = shape_of(expected)
    return len(shape) == 2 and shape[0] != shape[1] and shape_of(value) == shape[::-1]


# --------------------------------------------------------------------------- misconceptions

@lru_cache(maxsize=None)
def misconceptions(topic: str) -> tuple[Misconception, ...]:
    """The topic's misconceptions, checked: known answers, a variant each, no duplicate ids."""
    info = registry.info(topic)
    path = info.folder / "misconceptions.toml"
    if not path.is_file():
        return ()
    with path.open("rb") as handle:
        data = tomllib.load(handle)
    variants = getattr(registry.load(topic), "VARIANTS", {})
    out: list[Misconception] = []
    for i, item in enumerate(data.get("misconception", []), start=1):
        where = f"{path}: misconception {i}"
        if set(item) - {"id", "applies_to"} or not isinstance(item.get("id"), str):
            raise ValueError(f"{where}: needs exactly id and applies_to (its words are in text.<lang>.toml)")
        applies = item.get("applies_to")
        if not isinstance(applies, list) or not applies:
            raise ValueError(f"{where} ({item['id']}): applies_to must list answer names")
        unknown = [a for a in applies if a not in info.answers]
        if unknown:
            raise ValueError(f"{where} ({item['id']}): applies_to names {unknown[0]!r}, not an answer of {topic}")
        if item["id"] not in variants:
            raise ValueError(f"{where}: no VARIANTS[{item['id']!r}] in {info.module}")
        if any(m.id == item["id"] for m in out):
            raise ValueError(f"{where}: duplicate id {item['id']!r}")
        out.append(Misconception(info.name, item["id"], tuple(applies)))
    return tuple(out)


def diagnose(problem: Problem, part: Part, answer: Answer,
             override: dict[AnswerPath, Any] | None = None) -> Misconception | None:
    """The first misconception whose wrong method reproduces the student's value at this answer."""
    if part.kind == "choice" or matches(part, answer, part.expected):
        return None
    variants = registry.load(problem.topic).VARIANTS
    for item in misconceptions(problem.topic):
        if part.path[0] not in item.applies_to:
            continue
        try:
            candidate = variants[item.id](problem.given, part.path, answer.value, dict(override or {}))
        except VARIANT_FAILURES:
            continue
        if candidate is not None and shape_of(candidate) == shape_of(answer.value) and matches(part, answer, candidate):
            return item
    return None


def telling(problem: Problem, misconception: str) -> bool:
    """Would this misconception change one of the problem's answers (so that a student who holds
    it is caught)? Used to choose review problems by seed search."""
    item = next((m for m in misconceptions(problem.topic) if m.id == misconception), None)
    if item is None:
        return False
    variant = registry.load(problem.topic).VARIANTS[item.id]
    for part in problem.parts:
        if part.kind == "choice" or part.path[0] not in item.applies_to:
            continue
        try:
            candidate = variant(problem.given, part.path, part.expected, {})
        except VARIANT_FAILURES:
            continue
        if candidate is not None and shape_of(candidate) == shape_of(part.expected) and \
                not matches(part, Answer.exact(candidate, ""), part.expected):
            return True
    return False


def find_shape_slip(problem: Problem, part: Part, value: Any, expected: Any) -> tuple[Slip | None, tuple, int]:
    """For a wrong vector or matrix: the whole-answer slip it shows, else its wrong entries."""
    if part.kind not in ("vector", "matrix", "integer") or not isinstance(expected, list):
        return None, (), 1
    size = len([x for row in expected for x in (row if isinstance(row, list) else [row])])
    given = problem.given
    samples = len(given["samples"]) if isinstance(given.get("samples"), list) else None
    eta = given.get("lr") if isinstance(given.get("lr"), (int, float)) else None
    slip = find_slip(value, expected, part.tolerance, eta=eta, samples=samples)
    if slip is not None:
        return slip, (), size
    return None, tuple(wrong_entries(value, expected, part.tolerance)), size


def detail(slip: Slip | None, wrong: tuple, size: int) -> Msg | None:
    """What a wrong vector or matrix gets wrong, in words (None when there is nothing to add)."""
    if slip is not None:
        key = f"ui.slip.{slip.kind}" + (f"_{slip.named}" if slip.named else "")
        return msg(key, factor=slip.factor if slip.factor is not None else 0)
    if wrong and len(wrong) < size:
        names = ["".join(f"[{k}]" for k in path) for path in wrong]
        return msg("ui.slip.entries_one" if len(wrong) == 1 else "ui.slip.entries", entries=names,
                   right=size - len(wrong), size=size)
    return None


def explain_wrong(problem: Problem, part: Part, text: str) -> tuple[Misconception | None, Msg | None]:
    """For practice, the same diagnosis as `check`: the misconception that explains a wrong typed
    answer, or else what a wrong vector or matrix gets wrong (a slip such as a transposition, or
    which entries)."""
    found = explain(problem, part, text)
    if found is not None or part.kind == "choice":
        return found, None
    try:
        value = coerce_shape(parse_answer(text), part).value
    except AnswerError:
        return None, None
    slip, wrong, size = find_shape_slip(problem, part, value, part.expected)
    return None, detail(slip, wrong, size)


def explain(problem: Problem, part: Part, text: str) -> Misconception | None:
    """For practice: the misconception that explains a wrong typed answer, or None."""
    if part.kind == "choice":
        return None
    try:
        answer = coerce_shape(parse_answer(text), part)
    except AnswerError:
        return None
    return diagnose(problem, part, answer)


# --------------------------------------------------------------------------- marking

def _student_value(work: Work, part: Part) -> tuple[Any, Answer | None]:
    """The student's whole value: as typed, or the right value with the entries they gave."""
    if work.answer is not None:
        return work.answer.value, work.answer
    value = part.expected
    for path, answer in work.entries.items():
        value = replace_entry(value, path, answer.value)
    return value, None


def replace_entry(value: Any, path: tuple, new: Any) -> Any:
    if not path:
        return new
    copy = list(value)
    copy[path[0]] = replace_entry(value[path[0]], path[1:], new)
    return copy


def _is_right(part: Part, work: Work, expected: Any) -> tuple[bool, Msg | None]:
    if work.answer is None:
        for path, answer in work.entries.items():
            target = resolve(expected, path)
            sub = Part(part.path, part.prompt, "integer" if part.kind == "integer" else _inferred_kind(target),
                       target, part.tolerance)
            if not matches(sub, answer, target):
                return False, None
        return True, None
    if part.kind == "choice":
        verdict = judge(Part(part.path, part.prompt, "choice", expected, choices=part.choices), work.answer.text)
        return verdict.right, None
    if matches(part, work.answer, expected):
        return True, None
    if expected is part.expected:
        for value, remark in part.accepted:
            if matches(part, work.answer, value):
                return True, remark
    return False, None


def mark(problem: Problem, work: dict[AnswerPath, Work]) -> Report:
    module = registry.load(problem.topic)
    override: dict[AnswerPath, Any] = {}
    marks: list[Mark] = []
    for part in checkpoints(problem):
        step = problem.solution.step_of(part)
        entry = work.get(part.path)
        if entry is None:
            marks.append(Mark(part, step, "skipped", expected=part.expected))
            continue
        student, whole = _student_value(entry, part)
        right, remark = _is_right(part, entry, part.expected)
        carried = None
        status = "right" if right else "wrong"
        if not right and override:
            try:
                carried = answer_at(module.solve(problem.given, override=dict(override)).answers, part.path)
            except (UserError, *VARIANT_FAILURES):
                carried = None  # the student's values make the rest undefined (e.g. a zero divisor)
            if carried is not None and _is_right(part, entry, carried)[0]:
                status = "carried"
        found, slip, wrong, size = None, None, (), 1
        if status == "wrong":
            probe = whole or Answer.exact(student, entry.text)
            found = diagnose(problem, part, probe, override)
            if found is None:
                slip, wrong, size = find_shape_slip(problem, part, student,
                                                    part.expected if carried is None else carried)
        marks.append(Mark(part, step, status, student, part.expected, carried, found, remark, tuple(entry.entries),
                          slip, wrong, size))
        override[part.path] = student
    return _summarise(problem, marks)


def _summarise(problem: Problem, marks: list[Mark]) -> Report:
    given = [m for m in marks if m.status != "skipped"]
    wrong = [i for i, m in enumerate(marks) if m.status == "wrong"]
    if not given:
        return Report(problem, marks, msg("ui.check.summary_nothing"), None, "nothing")
    if not wrong:
        return Report(problem, marks, msg("ui.check.summary_all_right", count=len(given)), None, "all-right")
    first = wrong[0]
    first_mark = marks[first]
    number, name = first + 1, first_mark.part.name
    later = marks[first + 1:]
    if first_mark.misconception is not None:
        return Report(problem, marks, msg("ui.check.summary_method", step=number, name=name,
                                          misconception=first_mark.misconception.name), first, "method")
    if first_mark.slip is not None:
        return Report(problem, marks, msg("ui.check.summary_method", step=number, name=name,
                                          misconception=first_mark.detail), first, "method")
    if all(m.status in ("right", "carried", "skipped") for m in later):
        carried = sum(1 for m in later if m.status == "carried")
        key = "ui.check.summary_slip" if not carried else \
            "ui.check.summary_slip_carried_one" if carried == 1 else "ui.check.summary_slip_carried"
        return Report(problem, marks, msg(key, step=number, name=name, carried=carried), first, "slip")
    others = [i + 1 for i in wrong[1:]]
    named = [marks[i - 1] for i in others if marks[i - 1].misconception is not None]
    key = "ui.check.summary_slip_then_named" if named else "ui.check.summary_slip_then_wrong"
    key += "_one" if len(others) == 1 else ""
    summary = msg(key, step=number, name=name, others=others,
                  misconception=named[0].misconception.name if named else "")
    return Report(problem, marks, summary, first, "method" if named else "slip")
