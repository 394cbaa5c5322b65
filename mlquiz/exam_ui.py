"""The timed exam in the terminal: cover screen, one question at a time, a live countdown,
navigation commands, submission, and the marked paper.

Input: in a terminal, prompt_toolkit — its bottom toolbar redraws every half second, so the time
left stays current while the student thinks, and the prompt is ended cleanly when the clock
reaches zero (an answer left on the line then counts). With stdin not a terminal, or TERM=dumb,
lines are read one by one (each wait bounded by the time left, which each prompt shows), so an
exam can be scripted. Every answer is saved to the store as it is entered.
"""

from __future__ import annotations

import asyncio
import json
import os
import select
import sys
import time
import unicodedata
from dataclasses import dataclass, field
from typing import Any, Callable

from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

from mlquiz import render
from mlquiz.answers import FORMS_HELP
from mlquiz.checking import judge
from mlquiz.exam import Question, QuestionResult, mark_question
from mlquiz.model import Part, Problem
from mlquiz.store import Store

LETTERS = "abcdefghijklmnopqrstuvwxyz"
COMMANDS = (
    ":next (:n)  next question      :prev (:p)  previous question   :goto N (:g N)  question N\n"
    ":flag (:f)  flag / unflag      :overview (:o)  answered, flagged, blank\n"
    ":submit (:s)  hand in          :help (:h)  this list\n"
    "Enter on an empty line keeps the answer shown and moves on. Answers can be changed until you submit."
)


def clock(seconds: float) -> str:
    seconds = max(0, int(seconds + 0.999))
    return f"{seconds // 60:02d}:{seconds % 60:02d}"


def timed(prompt: str, deadline: float, status: Callable[[], str]) -> str:
    """The prompt with the time left in front, where no toolbar can show it."""
    return f"[{clock(deadline - time.time())} left · {status()}] {prompt}"


# --------------------------------------------------------------------------- reading with a deadline

class TimeUp(Exception):
    """The clock reached zero at a prompt; `typed` is the text left on the line, not entered."""

    def __init__(self, typed: str = ""):
        super().__init__(typed)
        self.typed = typed


class TerminalInput:
    """prompt_toolkit prompt with a live countdown toolbar; raises TimeUp at the deadline, with
    the text on the line (typed but not entered). A terminal that does not answer cursor-position
    requests (CPR) gets no toolbar, so there the time left is put in the prompt itself."""

    def __init__(self, deadline: float, status: Callable[[], str]):
        from prompt_toolkit import PromptSession

        self.deadline = deadline
        self.status = status
        self.session: Any = PromptSession()

    def ask(self, prompt: str) -> str:
        from prompt_toolkit.renderer import CPR_Support

        if time.time() >= self.deadline:
            raise TimeUp()
        app = self.session.app

        def message() -> str:  # redrawn every half second, like the toolbar
            if app.renderer.cpr_support is CPR_Support.NOT_SUPPORTED:
                return timed(prompt, self.deadline, self.status)
            return prompt

        def toolbar() -> str:
            return f" ⏱ {clock(self.deadline - time.time())} left · {self.status()} · :help for commands"

        async def time_up() -> None:
            await asyncio.sleep(self.deadline - time.time())
            if not app.is_done:  # Enter may have been pressed in the same instant
                app.exit()  # the prompt returns None

        # The clock is a background task of the prompt itself, not a wait_for around it: the prompt
        # then runs as the only task, and the KeyboardInterrupt it raises on Ctrl-C leaves asyncio
        # cleanly (with wait_for it was left in an unretrieved task and printed as a traceback).
        text = self.session.prompt(message, bottom_toolbar=toolbar, refresh_interval=0.5,
                                   pre_run=lambda: app.create_background_task(time_up()))
        if text is None:  # ended by the clock; the line is still in the prompt's buffer
            raise TimeUp(self.session.default_buffer.text)
        return text


class LineInput:
    """One line at a time from a pipe, a file or a TERM=dumb terminal; the time left is shown in
    the prompt. The wait for a line to begin is bounded by the time left, and TimeUp is raised
    without `typed`: a line counts only once its newline is read, so text typed but not entered
    when the time runs out is not seen (a terminal's kernel holds it until Enter) and not saved."""

    def __init__(self, console: Console, deadline: float, status: Callable[[], str]):
        self.console = console
        self.deadline = deadline
        self.status = status

    def ask(self, prompt: str) -> str:
        remaining = self.deadline - time.time()
        if remaining <= 0:
            raise TimeUp()
        self.console.print(timed(prompt, self.deadline, self.status), end="", markup=False)
        try:
            ready, _, _ = select.select([sys.stdin], [], [], remaining)
        except (ValueError, OSError):  # not selectable (e.g. some test harness streams): read directly
            ready = [sys.stdin]
        if not ready:
            self.console.print()
            raise TimeUp()
        line = sys.stdin.readline()
        if not line:
            self.console.print()
            raise EOFError
        if not sys.stdin.isatty():  # a terminal has echoed the line already
            self.console.print(line.rstrip("\n"), markup=False, highlight=False)
        return line.rstrip("\n")


# --------------------------------------------------------------------------- the session

@dataclass
class ExamState:
    exam_id: int
    title: str
    deadline: float
    paper: list[Question]
    problems: list[Problem]
    answers: dict[tuple[int, str], str] = field(default_factory=dict)
    flags: set[int] = field(default_factory=set)
    current: int = 0  # question index

    def first_blank(self) -> tuple[int, int]:
        """(question index, part index) of the first unanswered part, or the last part."""
        for qi, (q, p) in enumerate(zip(self.paper, self.problems)):
            for pi, part in enumerate(p.parts):
                if not self.answers.get((q.number, part.name)):
                    return qi, pi
        return len(self.paper) - 1, len(self.problems[-1].parts)

    def blanks(self) -> list[str]:
        return [f"Q{q.number}{LETTERS[i]}" for q, p in zip(self.paper, self.problems)
                for i, part in enumerate(p.parts) if not self.answers.get((q.number, part.name))]


def cover_view(state: ExamState, minutes_left: float) -> Group:
    grid = Table(box=render.box.SIMPLE_HEAD, show_edge=False)
    for column in ("question", "topic", "level", "parts", "points"):
        grid.add_column(column)
    for q, p in zip(state.paper, state.problems):
        grid.add_row(str(q.number), q.topic, q.difficulty, str(len(p.parts)), render.format_value(q.points))
    total = sum(q.points for q in state.paper)
    return Group(Text(state.title, style="bold"),
                 Text(f"{len(state.paper)} questions, {render.format_value(total)} points, "
                      f"{render.format_value(minutes_left)} min. No marks or hints until you submit."),
                 grid, Text("Commands at any prompt:", style="bold"), Text(COMMANDS))


def question_view(state: ExamState) -> Group:
    q, problem = state.paper[state.current], state.problems[state.current]
    items: list[Any] = [render.problem_view(problem, with_parts=False)]
    flag = "  [flagged]" if q.number in state.flags else ""
    items.append(Text(f"Question {q.number} of {len(state.paper)} · {render.format_value(q.points)} points{flag}",
                      style="bold"))
    for i, part in enumerate(problem.parts):
        current = state.answers.get((q.number, part.name), "")
        items.append(Text(f"  ({LETTERS[i]}) {part.prompt}" + (f"   ← {current}" if current else "")))
    return Group(*items)


def overview_view(state: ExamState) -> Table:
    grid = Table(title="Overview", box=render.box.SIMPLE_HEAD, show_edge=False, title_justify="left")
    for column in ("question", "topic", "answered", "blank", "flag"):
        grid.add_column(column)
    for q, p in zip(state.paper, state.problems):
        done = sum(1 for part in p.parts if state.answers.get((q.number, part.name)))
        grid.add_row(str(q.number), q.topic, f"{done}/{len(p.parts)}", str(len(p.parts) - done),
                     "⚑" if q.number in state.flags else "")
    return grid


def _valid(part: Part, text: str) -> str:
    """"" if the text is a readable answer for the part, else why not (one line). Only whether it
    can be read is used here: the exam shows no marks before submission."""
    verdict = judge(part, text)
    if verdict.status != "unparsed":
        return ""
    return verdict.message if part.kind == "choice" else f"{verdict.message}; {FORMS_HELP}"


def _as_command(text: str) -> str:
    """The text as a :command, or "" if it is not one. Full-width forms count as their plain
    forms (NFKC): a Chinese keyboard types `：submit`."""
    text = unicodedata.normalize("NFKC", text).strip()
    return text if text.startswith(":") else ""


class Submit(Exception):
    """Raised to leave the question loop and hand the paper in."""


def run(console: Console, store: Store, state: ExamState, reader: Any) -> None:
    """The question loop; returns when the paper is submitted (by the student or the clock)."""
    try:
        _loop(console, store, state, reader)
    except Submit:
        pass
    except TimeUp:
        console.print("\n[bold red]Time is up.[/bold red] Your paper is submitted with your answers, including "
                      "any readable one typed but not yet entered.")


def _command(console: Console, store: Store, state: ExamState, reader: Any, text: str) -> bool:
    """Handle a :command. Returns True when the current question changed (re-show it)."""
    word, _, argument = text[1:].strip().partition(" ")
    word = word.lower()
    last = len(state.paper) - 1
    if word in ("n", "next"):
        state.current = min(state.current + 1, last)
        return True
    if word in ("p", "prev", "previous"):
        state.current = max(state.current - 1, 0)
        return True
    if word in ("g", "goto", "go"):
        if argument.strip().isdigit() and 1 <= int(argument) <= len(state.paper):
            state.current = int(argument) - 1
            return True
        console.print(f"  :goto takes a question number from 1 to {len(state.paper)}", style="yellow")
        return False
    if word in ("f", "flag"):
        number = state.paper[state.current].number
        flagged = number not in state.flags
        store.set_flag(state.exam_id, number, flagged)
        (state.flags.add if flagged else state.flags.discard)(number)
        console.print(f"  question {number} {'flagged' if flagged else 'unflagged'}")
        return False
    if word in ("o", "overview"):
        console.print(overview_view(state))
        return False
    if word in ("s", "submit"):
        blanks = state.blanks()
        note = f"{len(blanks)} blank: {', '.join(blanks)}. " if blanks else "No blanks. "
        answer = reader.ask(f"{note}Submit now? (y/N) ")
        if unicodedata.normalize("NFKC", answer).strip().lower() in ("y", "yes"):
            raise Submit()
        console.print("  not submitted; carry on")
        return False
    if word in ("h", "help", "?"):
        console.print(Text(COMMANDS))
        return False
    console.print(f"  unknown command {text.strip()!r}; :help lists them", style="yellow")
    return False


def _loop(console: Console, store: Store, state: ExamState, reader: Any) -> None:
    state.current, start_part = state.first_blank()  # a resumed exam goes on where it stopped
    shown = -1
    part_index = 0
    while True:
        if state.current != shown:
            console.print(question_view(state))
            shown, part_index, start_part = state.current, start_part, 0
        q, problem = state.paper[state.current], state.problems[state.current]
        if part_index >= len(problem.parts):
            if state.current < len(state.paper) - 1:
                state.current += 1
                continue
            console.print(overview_view(state))
            command = _as_command(reader.ask("End of paper — :submit to hand in, :goto N to revisit> "))
            if command:
                if _command(console, store, state, reader, command):
                    shown = -1
            else:
                console.print("  type a command, e.g. :submit or :goto 1")
            continue
        part = problem.parts[part_index]
        current = state.answers.get((q.number, part.name), "")
        label = f"Q{q.number}{LETTERS[part_index]}" + (f" [{current}]" if current else "")
        try:
            text = reader.ask(f"{label}> ").strip()
        except TimeUp as up:  # what is on the page counts: a readable answer left on the line is saved
            typed = up.typed.strip()
            if typed and not _valid(part, typed):
                _save(store, state, q.number, part.name, typed)
            raise
        command = _as_command(text)
        if command:
            if _command(console, store, state, reader, command):
                shown = -1
            continue
        if not text:
            part_index += 1
            continue
        problem_text = _valid(part, text)
        if problem_text:
            console.print(Text(f"  not saved: {problem_text}", style="yellow"))
            continue
        _save(store, state, q.number, part.name, text)
        part_index += 1


def _save(store: Store, state: ExamState, number: int, part: str, text: str) -> None:
    store.save_answer(state.exam_id, number, part, text)
    state.answers[(number, part)] = text


# --------------------------------------------------------------------------- marking and the marked paper

def mark(state: ExamState) -> list[QuestionResult]:
    return [mark_question(q, p, {part.name: state.answers.get((q.number, part.name), "") for part in p.parts})
            for q, p in zip(state.paper, state.problems)]


def result_record(results: list[QuestionResult], abandoned: bool = False) -> dict[str, Any]:
    return {"abandoned": abandoned,
            "questions": [{"number": r.question.number, "topic": r.question.topic, "points": r.question.points,
                           "earned": r.earned, "parts": {p.name: p.status for p in r.parts}} for r in results]}


def finish(store: Store, state: ExamState, abandoned: bool = False) -> list[QuestionResult]:
    """Mark the paper and close the exam: submitted (or timed out), or abandoned with what was saved."""
    results = mark(state)
    store.finish_exam(state.exam_id, sum(r.earned for r in results), sum(r.question.points for r in results),
                      result_record(results, abandoned))
    return results


def was_abandoned(row: Any) -> bool:
    """Whether a stored exam was given up with `mlquiz exam --abandon` (its result record says so)."""
    return bool(row["result"]) and json.loads(row["result"]).get("abandoned", False)


PART_MARKS = {"right": "✓", "carried": "✓ (follows from your earlier value)", "wrong": "✗", "blank": "–"}


def paper_view(title: str, results: list[QuestionResult]) -> Group:
    total = sum(r.earned for r in results)
    possible = sum(r.question.points for r in results)
    summary = Table(title=f"{title}: {render.format_value(total, 1)} / {render.format_value(possible, 1)} points",
                    box=render.box.SIMPLE_HEAD, show_edge=False, title_justify="left")
    for column in ("question", "topic", "points", "parts right"):
        summary.add_column(column)
    for r in results:
        right = sum(1 for p in r.parts if p.status in ("right", "carried"))
        summary.add_row(str(r.question.number), r.question.topic,
                        f"{render.format_value(r.earned, 1)} / {render.format_value(r.question.points, 1)}",
                        f"{right}/{len(r.parts)}")
    by_topic = Table(title="By topic", box=render.box.SIMPLE_HEAD, show_edge=False, title_justify="left")
    for column in ("topic", "points", "percent"):
        by_topic.add_column(column)
    topics: dict[str, list[float]] = {}
    for r in results:
        entry = topics.setdefault(r.question.topic, [0.0, 0.0])
        entry[0] += r.earned
        entry[1] += r.question.points
    for topic, (earned, points) in topics.items():
        by_topic.add_row(topic, f"{render.format_value(earned, 1)} / {render.format_value(points, 1)}",
                         f"{100 * earned / points:.0f}%")
    items: list[Any] = [summary, by_topic]
    for r in results:
        items.append(Text(f"\nQuestion {r.question.number} ({r.question.topic}, seed {r.question.seed})", style="bold"))
        items.append(render.problem_view(r.problem, with_parts=False))
        grid = Table(box=render.box.SIMPLE_HEAD, show_edge=False)
        for column in ("part", "yours", "right", "mark"):
            grid.add_column(column, overflow="fold")
        for i, p in enumerate(r.parts):
            grid.add_row(f"({LETTERS[i]}) {p.name}", render.escape(p.answer or "(blank)"),
                         render.escape(render.format_value(p.expected)),
                         PART_MARKS[p.status] + (f" — {p.remark}" if p.remark else ""),
                         style={"right": "green", "carried": "yellow", "wrong": "red", "blank": "dim"}[p.status])
        items.append(grid)
        items.append(render.solution_view(r.problem.solution))
    return Group(*items)


def make_reader(console: Console, state: ExamState) -> Any:
    def status() -> str:
        return f"Q{state.current + 1}/{len(state.paper)}"

    if sys.stdin.isatty() and os.environ.get("TERM") != "dumb":
        return TerminalInput(state.deadline, status)
    return LineInput(console, state.deadline, status)


def paper_from_json(text: str) -> list[Question]:
    return [Question(**q) for q in json.loads(text)]
