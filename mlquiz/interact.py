"""The interactive practice loop: ask each part, judge at once, hint, reveal, score.

Input comes from a terminal (with line editing) or, when stdin is not a terminal, one answer per
line, so a session can be scripted. EOF ends the session with the score so far; Ctrl-C does the
same and the CLI exits with 130.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, replace
from typing import Callable, Iterable

from rich.console import Console

from mlquiz import render
from mlquiz.answers import FORMS_HELP
from mlquiz.checking import judge
from mlquiz.errors import UserError
from mlquiz.marking import explain, parse_work
from mlquiz.model import Part, Problem

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
class Score:
    asked: int = 0
    right: int = 0
    first_try: int = 0


def ask_part(console: Console, read: Callable[[str], str], problem: Problem, part: Part, number: int,
             score: Score) -> None:
    console.print(f"\n[bold][{number}/{len(problem.parts)}][/bold] {render.escape(part.prompt)}"
                  + (f"  [dim](one of: {', '.join(part.choices)})[/dim]" if part.choices else ""))
    wrong = 0
    score.asked += 1
    while True:
        text = read("answer> ").strip()
        if text.lower() in HINT_WORDS:
            console.print(render.hint_text(problem.solution.step_of(part)))
            continue
        if text.lower() in SKIP_WORDS:
            console.print(render.reveal_text(part.expected))
            return
        verdict = judge(part, text)
        if verdict.status == "unparsed":
            forms = "choose one of the listed options" if part.kind == "choice" else FORMS_HELP
            console.print(render.unparsed_text(verdict.message, forms))
            continue
        if verdict.right:
            score.right += 1
            score.first_try += wrong == 0
            console.print(render.verdict_text(verdict, 0))
            return
        wrong += 1
        reason = explain(problem, part, text)
        if reason:
            verdict = replace(verdict, message=reason)
        console.print(render.verdict_text(verdict, TRIES - wrong))
        if wrong >= TRIES:
            console.print(render.reveal_text(part.expected))
            return


def practise(console: Console, problems: Iterable[Problem], read: Callable[[str], str] | None = None,
             record: Callable[[Problem, int, int], None] | None = None) -> Score:
    """Run the loop over the problems; returns the score (also when input ends early).
    `record` is called once per finished problem (an interrupted one is not recorded)."""
    read = read or line_reader(console)
    score = Score()
    try:
        for problem in problems:
            before_right, before_asked = score.right, score.asked
            console.print(render.problem_view(problem))
            console.print("[dim]Type ? for a hint, skip to see the answer. Answers: numbers, 3/4, "
                          "log2(3), vectors 0.71, -0.70, matrices 1, 2; 3, 4.[/dim]")
            for number, part in enumerate(problem.parts, start=1):
                ask_part(console, read, problem, part, number, score)
            console.print()
            console.print(render.solution_view(problem.solution))
            console.print(render.score_text(score.right, score.asked, score.first_try))
            if record is not None:
                record(problem, score.right - before_right, score.asked - before_asked)
    except (EOFError, KeyboardInterrupt) as stop:
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
    console.print("[dim]Type the value you got for each step (Enter skips it). Vectors: 0.71, -0.70; "
                  "matrices: 1, 2; 3, 4.[/dim]")
    try:
        for number, part in enumerate(parts, start=1):
            console.print(f"[bold][{number}/{len(parts)}][/bold] {render.escape(part.prompt)} "
                          f"[dim]({part.name})[/dim]")
            while True:
                text = read("yours> ").strip()
                if not text:
                    break
                try:
                    parse_work([f"{part.name}={text}"], parts)
                except UserError as exc:
                    console.print(render.unparsed_text(str(exc).split(": ", 1)[-1], FORMS_HELP))
                    continue
                items.append(f"{part.name}={text}")
                break
    except EOFError:
        console.print()
    return items
