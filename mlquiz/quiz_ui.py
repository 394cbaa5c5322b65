"""The interactive flows of concept questions and design scenarios: `mlquiz quiz`, `mlquiz design`,
and the self-marking of free-text parts after an exam is handed in.

Input comes from a terminal or, when stdin is not a terminal, one line per answer (so a session can be
piped). EOF ends a session with the score so far. What the student types is recorded as each question
is finished.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Callable, Iterable

from rich.console import Console

from mlquiz import concepts, design, render, selection
from mlquiz.interact import Outcome, line_reader
from mlquiz.model import Problem
from mlquiz.questions import kind
from mlquiz.text import render as words
from mlquiz.text import say

SKIP_WORDS = {"skip", "跳过"}
Reader = Callable[[str], str]
Recorder = Callable[[Problem, list[Outcome]], None]


@dataclass
class Tally:
    """Points earned and possible, split into automatically marked and self-marked."""

    auto: float = 0.0
    auto_possible: float = 0.0
    self: float = 0.0
    self_possible: float = 0.0

    def add(self, fraction: float, by: str) -> None:
        if by == "self":
            self.self += fraction
            self.self_possible += 1
        else:
            self.auto += fraction
            self.auto_possible += 1


def _ask(console: Console, read: Reader, prompt: str, check: Callable[[str], Any]) -> tuple[str, Any]:
    """Ask until the text can be read (or the student skips: returns ("", None))."""
    while True:
        text = read(prompt).strip()
        if text.lower() in SKIP_WORDS:
            return "", None
        try:
            return text, check(text)
        except selection.Unreadable as exc:
            console.print(render.unreadable_pick(exc.reason))


def self_mark(console: Console, read: Reader, marking: Any, text: str) -> list[int]:
    """Show the model answer and the key points (with the keyword hint); return the ticked ones."""
    console.print(render.self_marking_view(text, marking))
    _, ticked = _ask(console, read, say("ui.self.ask", count=len(marking.points)),
                     lambda t: selection.ticked(t, len(marking.points)))
    return ticked or []


def _self_marked(console: Console, read: Reader, problem: Problem, part: str, text: str, outcome: Outcome,
                 tally: Tally) -> None:
    """The student marks a written answer: the outcome and the tally get the share of key points
    ticked. If input ends first, the answer is kept as skipped, worth nothing, and EOFError goes on."""
    marking = kind(problem.kind).self_marking(problem, part, text)
    try:
        ticked = self_mark(console, read, marking, text)
    except EOFError:
        outcome.status = "skipped"
        tally.add(0.0, "self")
        console.print(render.not_self_marked())
        raise
    share = len(ticked) / len(marking.points)
    outcome.status = "right" if share >= 0.5 else "wrong"
    console.print(render.self_marked_text(len(ticked), len(marking.points)))
    tally.add(share, "self")


# --------------------------------------------------------------------------- quiz

class Unfinished(EOFError):
    """Input ended while a question was being marked; `outcome` is what was typed so far."""

    def __init__(self, outcome: Outcome):
        super().__init__()
        self.outcome = outcome


def quiz(console: Console, problems: Iterable[Problem], record: Recorder | None) -> Tally:
    read = line_reader(console)
    tally = Tally()
    problems = list(problems)
    for number, problem in enumerate(problems, start=1):
        console.print(render.concept_heading(number, len(problems)))
        console.print(render.problem_view(problem, with_parts=False))
        try:
            outcome = _quiz_one(console, read, problem, tally)
        except Unfinished as stop:  # the typed answer is still recorded
            if record is not None:
                record(problem, [stop.outcome])
            break
        except EOFError:
            break
        if record is not None:
            record(problem, [outcome])
    console.print(render.tally_text(tally))
    return tally


def _quiz_one(console: Console, read: Reader, problem: Problem, tally: Tally) -> Outcome:
    part = problem.parts[0]
    started = time.monotonic()
    text, value = _ask(console, read, words(part.prompt) + "> ", lambda t: concepts.read(problem, t))
    outcome = Outcome(part.name, answer=text, tries=1)
    if value is None:
        outcome.status = "skipped"
        console.print(render.concept_feedback(problem, None))
        tally.add(0.0, "self" if problem.given["question"]["kind"] == "short" else "auto")
    else:
        found = concepts.mark_answer(problem, value)
        if found.fraction is None:  # a short answer: the student marks it
            try:
                _self_marked(console, read, problem, part.name, text, outcome, tally)
            except EOFError:
                raise Unfinished(outcome) from None
        else:
            outcome.status = "right" if found.status == "right" else "wrong"
            console.print(render.concept_feedback(problem, found))
            tally.add(found.fraction, "auto")
    outcome.seconds = round(time.monotonic() - started, 1)
    return outcome


# --------------------------------------------------------------------------- design

def design_session(console: Console, problem: Problem, record: Recorder | None) -> Tally:
    read = line_reader(console)
    tally = Tally()
    console.print(render.problem_view(problem, with_parts=False))
    answers: dict[str, tuple[str, Any]] = {}
    outcomes: list[Outcome] = []
    try:
        for number, part in enumerate(problem.parts, start=1):
            console.print(render.design_part_heading(number, len(problem.parts), part))
            started = time.monotonic()
            text, value = _ask(console, read, "> ", lambda t, name=part.name: design.read(problem, name, t))
            outcome = Outcome(part.name, answer=text, tries=1)
            answers[part.name] = (text, value)
            if value is None:
                outcome.status = "skipped"
                tally.add(0.0, "self" if part.name in design.WRITTEN else "auto")
            elif part.name in design.WRITTEN:
                try:
                    _self_marked(console, read, problem, part.name, text, outcome, tally)
                except EOFError:  # the answer is kept
                    outcomes.append(outcome)
                    raise
            else:
                found = design.mark_pick(problem, part.name, value)
                outcome.status = "right" if found.status == "right" else "wrong"
                console.print(render.design_feedback(problem, part.name, found))
                tally.add(found.fraction, "auto")
            outcome.seconds = round(time.monotonic() - started, 1)
            outcomes.append(outcome)
    except EOFError:
        pass
    if record is not None and outcomes:
        record(problem, outcomes)
    console.print(render.template_view(problem, answers))
    console.print(render.tally_text(tally))
    return tally


# --------------------------------------------------------------------------- self-marking an exam

def self_mark_exam(console: Console, read: Reader, results: list[Any], saved: dict[tuple[int, str], str],
                   save: Callable[[int, str, str], None]) -> None:
    """After submission: each written answer is shown with its model answer and key points, and the
    student ticks the points covered. Ticks are saved as they are typed (a resumed marking keeps
    them); a part left unmarked (end of input) earns nothing and says so."""
    pending = [(r, p) for r in results for p in r.parts if p.by == "self" and p.status == "unmarked"]
    if not pending:
        return
    console.print(render.self_marking_intro(len(pending)))
    for r, p in pending:
        key = (r.question.number, f"{p.name}#self")
        marking = kind(r.problem.kind).self_marking(r.problem, p.name, p.answer)
        if key in saved:
            ticked = selection.ticked(saved[key], len(marking.points))
        else:
            console.print(render.self_mark_heading(r.question.number, r.problem, p.name))
            try:
                ticked = self_mark(console, read, marking, p.answer)
            except EOFError:
                return
            save(r.question.number, f"{p.name}#self", " ".join(str(i + 1) for i in ticked) or "none")
        p.earned = p.points * len(ticked) / len(marking.points)
        p.status = "self"

