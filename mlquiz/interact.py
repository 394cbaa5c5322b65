"""The interactive practice loop: ask each part, judge at once, hint, reveal, score.

Input comes from a terminal (with line editing) or, when stdin is not a terminal, one answer per
line, so a session can be scripted. EOF ends the session with the score so far; Ctrl-C does the
same and the CLI exits with 130.
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field, replace
from typing import Callable, Iterable

from rich.console import Console

from mlquiz import render
from mlquiz.checking import is_yes, judge
from mlquiz.errors import UserError
from mlquiz.marking import explain_wrong, parse_work
from mlquiz.model import Part, Problem
from mlquiz.text import msg, say

TRIES = 2
SKIP_WORDS = {"skip", "s", "pass"}
HINT_WORDS = {"?", "hint", "h"}


def line_reader(console: Console) -> Callable[[str], str]:
    """A function that shows a prompt and returns one line; raises EOFError at end of input."""
    if sys.stdin.isatty():
        return lambda prompt: console.input(prompt)

    def read(prompt: str) -> str:
        console.print(prompt, end="")
        line = sys.stdin.readline()
        if not line:
            console.print()
            raise EOFError
        console.print(line.rstrip("\n"), markup=False, highlight=False)
        return line.rstrip("\n")

    return read


@dataclass
class Outcome:
    """How one part went: right / wrong / skipped, after how many tries, with how many hints, the
    misconception named (if any) and the seconds it took. Stored with the problem."""

    part: str
    status: str = "skipped"
    tries: int = 0
    hints: int = 0
    misconception: str = ""
    seconds: float = 0.0
    answer: str = ""


@dataclass
class Score:
    asked: int = 0
    right: int = 0
    first_try: int = 0
    outcomes: list[Outcome] = field(default_factory=list)
    ended: bool = False  # input ended (EOF) before the last problem


def ask_part(console: Console, read: Callable[[str], str], problem: Problem, part: Part, number: int,
             score: Score) -> Outcome:
    choices = "  [dim]" + render.escape(say("ui.practice.one_of", choices=list(part.choices))) + "[/dim]" \
        if part.choices else ""
    console.print(f"\n[bold][{number}/{len(problem.parts)}][/bold] {render.escape(str(part.prompt))}{choices}")
    outcome = Outcome(part.name)
    started = time.monotonic()
    score.asked += 1
    _ask(console, read, problem, part, score, outcome)
    outcome.seconds = round(time.monotonic() - started, 1)
    score.outcomes.append(outcome)
    return outcome


def _ask(console: Console, read: Callable[[str], str], problem: Problem, part: Part, score: Score,
         outcome: Outcome) -> None:
    """Ask until right, out of tries, or skipped (EOF and Ctrl-C propagate: the part is not counted)."""
    while True:
        text = read(say("ui.practice.prompt")).strip()
        if text.lower() in HINT_WORDS:
            outcome.hints += 1
            console.print(render.hint_text(problem.topic, problem.solution.step_of(part), outcome.hints))
            continue
        if text.lower() in SKIP_WORDS:
            console.print(render.reveal_text(part.expected))
            return
        verdict = judge(part, text)
        if verdict.status == "unparsed":
            forms = msg("ui.answer.forms_choice") if part.kind == "choice" else msg("ui.answer.forms")
            console.print(render.unparsed_text(verdict.message, forms))
            continue
        outcome.tries += 1
        outcome.answer = text
        if verdict.right:
            score.right += 1
            score.first_try += outcome.tries == 1
            outcome.status = "right"
            console.print(render.verdict_text(verdict, 0))
            return
        outcome.status = "wrong"
        found, detail = explain_wrong(problem, part, text)
        if found is not None:
            outcome.misconception = found.id
            verdict = replace(verdict, message=render.misconception_text(found))
        elif detail is not None:
            verdict = replace(verdict, message=detail)
        console.print(render.verdict_text(verdict, TRIES - outcome.tries))
        if outcome.tries >= TRIES:
            console.print(render.reveal_text(part.expected))
            return


def practise(console: Console, problems: Iterable[Problem], read: Callable[[str], str] | None = None,
             record: Callable[[Problem, list[Outcome]], None] | None = None,
             similar: Callable[[Problem], Problem] | None = None) -> Score:
    """Run the loop over the problems; returns the score (also when input ends early).
    `record` is called once per problem with its parts' outcomes — also for a problem left
    half-way by EOF or Ctrl-C (its unanswered parts are not recorded). After the last problem,
    if a part was missed, `similar` makes a similar problem (same topic and level, a fresh seed)
    when the student asks for one."""
    read = read or line_reader(console)
    score = Score()
    queue = iter(problems)
    try:
        problem = next(queue, None)
        while problem is not None:
            first = len(score.outcomes)
            console.print(render.problem_view(problem))
            console.print(f"[dim]{render.escape(say('ui.practice.instructions'))}[/dim]")
            try:
                for number, part in enumerate(problem.parts, start=1):
                    ask_part(console, read, problem, part, number, score)
            finally:
                if record is not None and len(score.outcomes) > first:
                    record(problem, score.outcomes[first:])
            console.print()
            console.print(render.solution_view(problem.solution))
            console.print(render.score_text(score.right, score.asked, score.first_try))
            upcoming = next(queue, None)
            missed = any(o.status != "right" or o.tries > 1 for o in score.outcomes[first:])
            if upcoming is None and missed and similar is not None and is_yes(read(say("ui.practice.similar"))):
                upcoming = similar(problem)
            problem = upcoming
    except (EOFError, KeyboardInterrupt) as stop:
        score.ended = True
        console.print()
        console.print(render.score_text(score.right, score.asked, score.first_try))
        if isinstance(stop, KeyboardInterrupt):
            raise
    return score


def collect_work(console: Console, parts: list[Part], read: Callable[[str], str] | None = None) -> list[str]:
    """Ask for each checkpoint in derivation order (Enter skips); return `name=value` items.
    EOF ends the questions early and marks what was given."""
    read = read or line_reader(console)
    items: list[str] = []
    console.print(f"[dim]{render.escape(say('ui.check.instructions'))}[/dim]")
    try:
        for number, part in enumerate(parts, start=1):
            console.print(f"[bold][{number}/{len(parts)}][/bold] {render.escape(str(part.prompt))} "
                          f"[dim]({render.escape(part.name)})[/dim]")
            while True:
                text = read(say("ui.check.prompt")).strip()
                if not text:
                    break
                try:
                    parse_work([f"{part.name}={text}"], parts)
                except UserError as exc:
                    console.print(render.unparsed_text(exc.message, msg("ui.answer.forms")))
                    continue
                items.append(f"{part.name}={text}")
                break
    except EOFError:
        console.print()
    return items
