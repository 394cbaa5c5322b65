"""Question kinds: what the exam paper, marking, the records and rendering dispatch on.

- calculation: a worked numeric problem of a topic (a Problem with parts and a solution);
- concept: a question of the concept bank (mlquiz.concepts), one part;
- design: a system-design scenario (mlquiz.design), six parts in the course's template order.
Each kind loads a stored record, says whether a typed text can be read, marks a paper's answers,
and, for a written part, gives what the student needs to mark it (model answer, key points). A new
kind is one more class with these methods in KINDS; the exam, the store and the review take it.

A question is stored as a *record*: what was asked (kind, topic, difficulty, seed, source, the
generator's version and the given data), never just a seed, so a later generator cannot rewrite a
student's history.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from mlquiz.errors import UserError
from mlquiz.model import Part, Problem
from mlquiz.text import Msg, msg


@dataclass
class PartMark:
    """The mark of one part of a question in an exam: status right / carried / wrong / blank."""

    status: str
    remark: Msg | None = None
    misconception: str = ""
    fraction: float = 0.0          # the share of the part's points earned
    detail: Msg | None = None      # what a wrong vector or matrix gets wrong; why a wrong pick is wrong
    by: str = "auto"               # "self": a free-text part the student marks against key points


@dataclass(frozen=True)
class SelfMarking:
    """What a student needs to mark a free-text part: the model answer, the key points, and for
    each key point whether its keywords occur in the text (a hint, never the mark)."""

    model: Msg
    points: list[Msg]
    covered: list[bool]


class QuestionKind(Protocol):
    name: str

    def load(self, record: dict[str, Any]) -> Problem: ...

    def readable(self, problem: Problem, part: Part, text: str) -> Msg | None: ...

    def mark(self, problem: Problem, answers: dict[str, str]) -> dict[str, PartMark]: ...

    def self_marking(self, problem: Problem, part: str, text: str) -> SelfMarking: ...


def record_of(problem: Problem) -> dict[str, Any]:
    return {"kind": problem.kind, "topic": problem.topic, "difficulty": problem.difficulty, "seed": problem.seed,
            "source": problem.source, "version": problem.version, "given": problem.given}


class Calculation:
    name = "calculation"

    def load(self, record: dict[str, Any]) -> Problem:
        """The problem as it was asked: solved again from its stored given data."""
        from mlquiz import engine

        problem = engine.build(record["topic"], record["given"], record["difficulty"], record["seed"], record["source"])
        problem.version = record["version"]
        return problem

    def readable(self, problem: Problem, part: Part, text: str) -> Msg | None:
        """None if the text can be read as an answer to the part, else why not."""
        from mlquiz.checking import judge

        verdict = judge(part, text)
        if verdict.status != "unparsed":
            return None
        if part.kind == "choice":
            return verdict.message
        return msg("ui.answer.unreadable", reason=verdict.message, forms=msg("ui.answer.forms"))

    def mark(self, problem: Problem, answers: dict[str, str]) -> dict[str, PartMark]:
        """Each asked part's mark. A part that follows correctly from the student's own earlier wrong
        values is `carried` (error carried forward), as `check` decides; a misconception is named
        as in `check` and in practice. A wrong vector or matrix with no named mistake earns the
        share of its entries that are right."""
        from mlquiz import marking

        given = {name: text for name, text in answers.items() if text.strip()}
        marks: dict[str, PartMark] = {}
        if given:
            parts = marking.checkpoints(problem)
            items = []
            for name, text in given.items():
                try:
                    marking.parse_work([f"{name}={text}"], parts)
                    items.append(f"{name}={text}")
                except UserError:
                    marks[name] = PartMark("wrong")
            report = marking.mark(problem, marking.parse_work(items, parts))
            for m in report.marks:
                if m.status != "skipped":
                    found = m.misconception.id if m.misconception is not None else ""
                    marks.setdefault(m.part.name, PartMark(m.status, m.remark, found, m.fraction, m.detail))
        return {part.name: marks.get(part.name, PartMark("wrong")) if answers.get(part.name, "").strip()
                else PartMark("blank") for part in problem.parts}


    def self_marking(self, problem: Problem, part: str, text: str) -> SelfMarking:
        raise ValueError("a calculation has no self-marked part")


def joined(reasons: tuple[Msg, ...] | list[Msg]) -> Msg | None:
    """Several two-language texts as one, a line each."""
    from mlquiz.concepts import literal
    from mlquiz.text import LANGUAGES

    if not reasons:
        return None
    return literal(**{lang: "\n".join(r.values[lang] for r in reasons) for lang in LANGUAGES})


def _unreadable(reason: Msg) -> Msg:
    return msg("ui.answer.unreadable_pick", reason=reason)


class Concept:
    """A concept question (mlquiz.concepts): one part, marked automatically, except a short answer,
    which the student marks against its key points."""

    name = "concept"

    def load(self, record: dict[str, Any]) -> Problem:
        from mlquiz import concepts

        return concepts.from_given(record["given"], record["seed"])

    def readable(self, problem: Problem, part: Part, text: str) -> Msg | None:
        from mlquiz import concepts, selection

        try:
            concepts.read(problem, text)
        except selection.Unreadable as exc:
            return _unreadable(exc.reason)
        return None

    def mark(self, problem: Problem, answers: dict[str, str]) -> dict[str, PartMark]:
        from mlquiz import concepts, selection

        text = answers.get("answer", "").strip()
        if not text:
            return {"answer": PartMark("blank", by="self" if problem.given["question"]["kind"] == "short" else "auto")}
        try:
            value = concepts.read(problem, text)
        except selection.Unreadable:
            return {"answer": PartMark("wrong")}
        found = concepts.mark_answer(problem, value)
        if found.fraction is None:
            return {"answer": PartMark("unmarked", by="self")}
        return {"answer": PartMark(found.status, fraction=found.fraction, detail=joined(found.reasons))}

    def self_marking(self, problem: Problem, part: str, text: str) -> SelfMarking:
        from mlquiz import concepts

        return SelfMarking(concepts.model_answer(problem) or concepts.explanation(problem), concepts.key_points(problem),
                           concepts.keyword_hint(problem, text))


class Design:
    """A system-design question (mlquiz.design): task type, models and metrics picked and marked
    automatically; data, features and training written and self-marked."""

    name = "design"

    def load(self, record: dict[str, Any]) -> Problem:
        from mlquiz import design

        return design.from_given(record["given"], record["seed"])

    def readable(self, problem: Problem, part: Part, text: str) -> Msg | None:
        from mlquiz import design, selection

        try:
            design.read(problem, part.name, text)
        except selection.Unreadable as exc:
            return _unreadable(exc.reason)
        return None

    def mark(self, problem: Problem, answers: dict[str, str]) -> dict[str, PartMark]:
        from mlquiz import design, selection

        marks = {}
        for part in problem.parts:
            text = answers.get(part.name, "").strip()
            written = part.name in design.WRITTEN
            if not text:
                marks[part.name] = PartMark("blank", by="self" if written else "auto")
            elif written:
                marks[part.name] = PartMark("unmarked", by="self")
            else:
                try:
                    found = design.mark_pick(problem, part.name, design.read(problem, part.name, text))
                except selection.Unreadable:
                    marks[part.name] = PartMark("wrong")
                    continue
                marks[part.name] = PartMark(found.status, fraction=found.fraction, detail=joined(found.reasons))
        return marks

    def self_marking(self, problem: Problem, part: str, text: str) -> SelfMarking:
        from mlquiz import design

        return SelfMarking(design.model_text(problem, part), design.key_points(problem, part),
                           design.keyword_hint(problem, part, text))


KINDS: dict[str, QuestionKind] = {"calculation": Calculation(), "concept": Concept(), "design": Design()}


def kind(name: str) -> QuestionKind:
    return KINDS[name]


def from_record(record: dict[str, Any]) -> Problem:
    return kind(record.get("kind", "calculation")).load(record)
