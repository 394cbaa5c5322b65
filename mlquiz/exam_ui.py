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
from mlquiz.checking import is_yes
from mlquiz.exam import Question, QuestionResult, mark_question, result_json, split_score
from mlquiz.marking import misconceptions
from mlquiz.model import Part, Problem
from mlquiz.questions import kind
from mlquiz.store import Store
from mlquiz.text import render as words
from mlquiz.text import say

LETTERS = "abcdefghijklmnopqrstuvwxyz"


def clock(seconds: float) -> str:
    seconds = max(0, int(seconds + 0.999))
    return f"{seconds // 60:02d}:{seconds % 60:02d}"


def timed(prompt: str, deadline: float, status: Callable[[], str]) -> str:
    """The prompt with the time left in front, where no toolbar can show it."""
    return say("ui.exam.timed_prompt", left=clock(deadline - time.time()), status=status(), prompt=prompt)


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
            return say("ui.exam.toolbar", left=clock(self.deadline - time.time()), status=self.status())

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


def topic_label(q: Question) -> str:
    """The topic column: a calculation's topic, `svm (concept)` for a concept question on a chapter,
    `design` for the design question (a chapter may share its id with a calculation topic)."""
    return say("ui.exam.concept_topic", chapter=q.topic) if q.kind == "concept" else q.topic


def _columns(*keys: str) -> list[str]:
    return [say(f"ui.exam.column.{k}") for k in keys]


def _grid(title: str | None, columns: list[str]) -> Table:
    grid = Table(title=title, box=render.box.SIMPLE_HEAD, show_edge=False, title_justify="left")
    for column in columns:
        grid.add_column(column, overflow="fold")
    return grid


def cover_view(state: ExamState, minutes_left: float) -> Group:
    grid = _grid(None, _columns("question", "topic", "level", "parts", "points"))
    for q, p in zip(state.paper, state.problems):
        grid.add_row(str(q.number), topic_label(q), say(f"ui.difficulty.{q.difficulty}"), str(len(p.parts)),
                     render.format_value(q.points))
    total = sum(q.points for q in state.paper)
    return Group(Text(state.title, style="bold"),
                 Text(say("ui.exam.cover", questions=len(state.paper), points=render.format_value(total),
                          minutes=render.format_value(minutes_left))),
                 grid, Text(say("ui.exam.commands_title"), style="bold"), Text(say("ui.exam.commands")))


def question_view(state: ExamState) -> Group:
    q, problem = state.paper[state.current], state.problems[state.current]
    items: list[Any] = [render.problem_view(problem, with_parts=False)]
    key = "ui.exam.question_flagged" if q.number in state.flags else "ui.exam.question"
    items.append(Text(say(key, number=q.number, total=len(state.paper), points=render.format_value(q.points)),
                      style="bold"))
    for i, part in enumerate(problem.parts):
        current = state.answers.get((q.number, part.name), "")
        items.append(Text(f"  ({LETTERS[i]}) {words(part.prompt)}" + (f"   ← {current}" if current else "")))
    return Group(*items)


def overview_view(state: ExamState) -> Table:
    grid = _grid(say("ui.exam.overview"), _columns("question", "topic", "answered", "blank", "flag"))
    for q, p in zip(state.paper, state.problems):
        done = sum(1 for part in p.parts if state.answers.get((q.number, part.name)))
        grid.add_row(str(q.number), topic_label(q), f"{done}/{len(p.parts)}", str(len(p.parts) - done),
                     "⚑" if q.number in state.flags else "")
    return grid


def _valid(problem: Problem, part: Part, text: str) -> str:
    """"" if the text is a readable answer for the part, else why not (one line). Only whether it
    can be read is used here: the exam shows no marks before submission."""
    reason = kind(problem.kind).readable(problem, part, text)
    return "" if reason is None else words(reason)


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
        console.print("\n[bold red]" + render.escape(say("ui.exam.time_up")) + "[/bold red] "
                      + render.escape(say("ui.exam.time_up_detail")))


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
        console.print("  " + say("ui.exam.goto_range", last=len(state.paper)), style="yellow")
        return False
    if word in ("f", "flag"):
        number = state.paper[state.current].number
        flagged = number not in state.flags
        store.set_flag(state.exam_id, number, flagged)
        (state.flags.add if flagged else state.flags.discard)(number)
        console.print("  " + say("ui.exam.flagged" if flagged else "ui.exam.unflagged", number=number))
        return False
    if word in ("o", "overview"):
        console.print(overview_view(state))
        return False
    if word in ("s", "submit"):
        blanks = state.blanks()
        note = say("ui.exam.blanks", count=len(blanks), blanks=blanks) if blanks else say("ui.exam.no_blanks")
        answer = reader.ask(say("ui.exam.submit_now", note=note))
        if is_yes(answer):
            raise Submit()
        console.print("  " + say("ui.exam.not_submitted"))
        return False
    if word in ("h", "help", "?"):
        console.print(Text(say("ui.exam.commands")))
        return False
    console.print("  " + say("ui.exam.unknown_command", command=repr(text.strip())), style="yellow")
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
            command = _as_command(reader.ask(say("ui.exam.end_of_paper")))
            if command:
                if _command(console, store, state, reader, command):
                    shown = -1
            else:
                console.print("  " + say("ui.exam.type_a_command"))
            continue
        part = problem.parts[part_index]
        current = state.answers.get((q.number, part.name), "")
        label = f"Q{q.number}{LETTERS[part_index]}" + (f" [{current}]" if current else "")
        try:
            text = reader.ask(f"{label}> ").strip()
        except TimeUp as up:  # what is on the page counts: a readable answer left on the line is saved
            typed = up.typed.strip()
            if typed and not _valid(problem, part, typed):
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
        problem_text = _valid(problem, part, text)
        if problem_text:
            console.print(Text("  " + say("ui.exam.not_saved", reason=problem_text), style="yellow"))
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


def finish(store: Store, state: ExamState, abandoned: bool = False,
           self_mark: Callable[[list[QuestionResult]], None] | None = None) -> list[QuestionResult]:
    """Mark the paper and close the exam: submitted (or timed out), or abandoned with what was
    saved. Written answers are then marked by the student (`self_mark`), where one is given; a
    written answer not self-marked earns nothing and is shown as unmarked. The marks are stored,
    so a review shows them as given now."""
    results = mark(state)
    if self_mark is not None and not abandoned:
        self_mark(results)
    if abandoned:
        store.abandon_exam(state.exam_id)
    store.finish_exam(state.exam_id, sum(r.earned for r in results), sum(r.question.points for r in results),
                      result_json(results))
    return results


STATUS_STYLES = {"right": "green", "carried": "yellow", "wrong": "red", "blank": "dim", "partial": "yellow",
                 "self": "cyan", "unmarked": "dim"}


def self_marker(console: Console, store: Store, state: ExamState) -> Callable[[list[QuestionResult]], None]:
    """The self-marking step after submission, reading lines without a clock."""
    from mlquiz.interact import line_reader
    from mlquiz.quiz_ui import self_mark_exam

    def run_it(results: list[QuestionResult]) -> None:
        self_mark_exam(console, line_reader(console), results, state.answers,
                       lambda number, part, text: _save(store, state, number, part, text))

    return run_it


def paper_view(title: str, results: list[QuestionResult]) -> Group:
    total = sum(r.earned for r in results)
    possible = sum(r.question.points for r in results)
    heading = Text(say("ui.exam.result_title", title=title, earned=render.format_value(total, 1),
                       possible=render.format_value(possible, 1)), style="bold")
    summary = _grid(None, _columns("question", "topic", "points", "parts_right"))
    for r in results:
        right = sum(1 for p in r.parts if p.status in ("right", "carried"))
        summary.add_row(str(r.question.number), topic_label(r.question),
                        f"{render.format_value(r.earned, 1)} / {render.format_value(r.question.points, 1)}",
                        f"{right}/{len(r.parts)}")
    by_topic = _grid(say("ui.exam.by_topic"), _columns("topic", "points", "percent"))
    topics: dict[str, list[float]] = {}
    for r in results:
        entry = topics.setdefault(topic_label(r.question), [0.0, 0.0])
        entry[0] += r.earned
        entry[1] += r.question.points
    for topic, (earned, points) in topics.items():
        by_topic.add_row(topic, f"{render.format_value(earned, 1)} / {render.format_value(points, 1)}",
                         f"{100 * earned / points:.0f}%")
    split = split_score((p.by, p.earned, p.points) for r in results for p in r.parts)
    if split["self"][1]:
        heading.append("\n" + say("ui.exam.split", auto=render.format_value(split["auto"][0], 1),
                                  auto_possible=render.format_value(split["auto"][1], 1),
                                  self=render.format_value(split["self"][0], 1),
                                  self_possible=render.format_value(split["self"][1], 1)), style="bold")
    items: list[Any] = [heading, summary, by_topic]
    for r in results:
        items.append(Text("\n" + say("ui.exam.question_heading", number=r.question.number, topic=topic_label(r.question),
                                     seed=r.question.seed), style="bold"))
        items.append(render.problem_view(r.problem, with_parts=False))
        grid = _grid(None, _columns("part", "yours", "right", "mark"))
        named = []
        for i, p in enumerate(r.parts):
            mark = say(f"ui.exam.mark.{p.status}")
            if p.remark is not None:
                mark += " — " + words(p.remark)
            if p.detail is not None:
                mark += " — " + words(p.detail)
            if p.misconception:
                found = next(m for m in misconceptions(r.problem.topic) if m.id == p.misconception)
                mark += " — " + words(found.name)
                named.append((LETTERS[i], found))
            right = say("ui.exam.see_model") if p.expected is None else render.format_value(render.shown(p.expected))
            grid.add_row(f"({LETTERS[i]}) {p.name}", render.escape(p.answer or say("ui.exam.blank")),
                         render.escape(right), render.escape(mark), style=STATUS_STYLES.get(p.status, ""))
        items.append(grid)
        for letter, found in named:
            items.append(Text(f"({letter}) " + words(render.misconception_text(found)), style="red"))
        if r.problem.kind == "calculation":
            items.append(render.solution_view(r.problem.solution))
        else:
            items.append(render.question_review(r.problem))
    return Group(*items)


def make_reader(console: Console, state: ExamState) -> Any:
    def status() -> str:
        return say("ui.exam.status", number=state.current + 1, total=len(state.paper))

    if sys.stdin.isatty() and os.environ.get("TERM") != "dumb":
        return TerminalInput(state.deadline, status)
    return LineInput(console, state.deadline, status)
