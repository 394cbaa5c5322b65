"""All terminal output: Rich views of the plain records in `mlquiz.model`, and the JSON form.

Rich is imported here and in the CLI's interactive loop only; topics never see it. Colour follows
Rich's rules: none when output is not a terminal, none when NO_COLOR is set.
"""

from __future__ import annotations

import json
import math
from typing import Any

from rich import box
from rich.console import Console, Group
from rich.markup import escape
from rich.padding import Padding
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from mlquiz.model import Problem, Solution, Step, Verdict
from mlquiz.topics.common import resolve, split_name

MARKS = {"right": "✓", "wrong": "✗"}
MAX_TABLE_ROWS = 40


def make_console(stderr: bool = False) -> Console:
    return Console(stderr=stderr, highlight=False, soft_wrap=False)


# --------------------------------------------------------------------------- values

def format_value(value: Any, places: int = 4) -> str:
    """Numbers to `places` decimals (no trailing zeros), vectors `[a, b]`, matrices `[[..], [..]]`."""
    if value is None:
        return "undefined"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "undefined"
        if value != 0 and abs(value) < 10 ** (-places):
            return f"{value:.3g}"
        text = f"{value:.{places}f}".rstrip("0").rstrip(".")
        return "0" if text in ("-0", "") else text
    if isinstance(value, dict):
        return ", ".join(f"{k}: {format_value(v, places)}" for k, v in value.items())
    if isinstance(value, (list, tuple)):  # an unknown entry (e.g. channels not given) shows as ?
        return "[" + ", ".join("?" if v is None else format_value(v, places) for v in value) + "]"
    return str(value)


def plain(value: Any) -> Any:
    """A JSON-ready copy: floats stay floats, tuples become lists, NaN becomes null."""
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if hasattr(value, "item") and callable(value.item):  # a numpy scalar that slipped through
        return value.item()
    return value


# --------------------------------------------------------------------------- topics

def topics_view(topics: Any) -> Table:
    grid = Table(box=box.SIMPLE_HEAD, show_edge=False)
    for column in ("topic", "what it covers", "--data"):
        grid.add_column(column, overflow="fold")
    for t in topics:
        name = t.name + (f" ({', '.join(t.aliases)})" if t.aliases else "")
        grid.add_row(name, escape(t.summary), escape(t.data_format))
    return grid


# --------------------------------------------------------------------------- problem

def problem_title(problem: Problem) -> str:
    where = f"seed {problem.seed}" if problem.seed is not None else "your data"
    if problem.source.startswith("bank:"):
        where = f"bank problem {problem.source[5:]} (seed {problem.seed})"
    level = "" if problem.difficulty == "custom" else f" · {problem.difficulty}"
    return f"{problem.topic}{level} · {where}"


def data_table(headers: list[str], rows: list[list[str]]) -> Table:
    grid = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    for header in headers:
        grid.add_column(escape(str(header)), justify="left")
    for row in rows:
        grid.add_row(*(escape(str(c)) for c in row))
    return grid


def problem_view(problem: Problem, with_parts: bool = True) -> Panel:
    items: list[Any] = [Text(problem.statement)]
    if problem.table:
        headers, rows = problem.table
        items += [Text(""), data_table(headers, rows[:MAX_TABLE_ROWS])]
        if len(rows) > MAX_TABLE_ROWS:
            items.append(Text(f"… and {len(rows) - MAX_TABLE_ROWS} more rows", style="dim"))
    if with_parts and problem.parts:
        items.append(Text(""))
        items.append(Text("Find:", style="bold"))
        for i, part in enumerate(problem.parts, start=1):
            items.append(Text(f"  {i}. {part.prompt}"))
    return Panel(Group(*items), title=escape(problem_title(problem)), title_align="left",
                 box=box.ROUNDED, expand=False)


# --------------------------------------------------------------------------- solution

def is_matrix(value: Any) -> bool:
    return (isinstance(value, list) and len(value) > 1 and all(isinstance(r, list) for r in value)
            and all(not isinstance(x, list) for r in value for x in r))


def matrix_view(value: list[list[Any]], marked: tuple[tuple[int, int], ...] = ()) -> Table:
    """A matrix as a small grid; marked cells get a * and bold (visible without colour too)."""
    grid = Table(box=box.SQUARE, show_header=False, pad_edge=True, padding=(0, 1))
    for _ in value[0]:
        grid.add_column(justify="right")
    for i, row in enumerate(value):
        cells = []
        for j, x in enumerate(row):
            text = format_value(x)
            cells.append(Text(text + "*", style="bold yellow") if (i, j) in marked else Text(text))
        grid.add_row(*cells)
    return grid


def step_view(number: int, step: Step) -> Group:
    lines: list[Any] = [Text(f"{number}. {step.title}", style="bold")]
    lines.append(Text("   " + step.formula, style="cyan"))
    for line in step.substituted.splitlines():
        lines.append(Text("   " + line))
    result = format_value(step.value)
    if step.exact and step.exact != result:
        result = f"{step.exact} ≈ {result}"
    if step.marked and is_matrix(step.value):
        lines.append(Padding(matrix_view(step.value, step.marked), (0, 0, 0, 3)))
        lines.append(Text("   * the cell this update changed", style="dim"))
    elif step.value is not None and not isinstance(step.value, dict) and not step.substituted.endswith(result):
        lines.append(Text("   = " + result, style="green"))
    if step.note:
        lines.append(Text("   " + step.note, style="yellow"))
    return Group(*lines)


def solution_view(solution: Solution) -> Group:
    items: list[Any] = [Text("Solution", style="bold underline")]
    for i, step in enumerate(solution.steps, start=1):
        items.append(step_view(i, step))
    for note in solution.notes:
        items.append(Text("Note: " + note, style="yellow"))
    return Group(*items)


def answers_view(problem: Problem) -> Table:
    grid = Table(title="Answers", box=box.SIMPLE_HEAD, show_edge=False, title_justify="left")
    grid.add_column("name")
    grid.add_column("value")
    for name, value in flatten_answers(problem.solution.answers):
        grid.add_row(escape(name), escape(format_value(value)))
    return grid


def flatten_answers(answers: dict[str, Any]) -> list[tuple[str, Any]]:
    rows = []
    for name, value in answers.items():
        if isinstance(value, dict):
            rows += [(f"{name}[{key}]", v) for key, v in value.items()]
        else:
            rows.append((name, value))
    return rows


# --------------------------------------------------------------------------- practice feedback

def verdict_text(verdict: Verdict, tries_left: int) -> Text:
    if verdict.status == "right":
        return Text("  ✓ right" + (f" — {verdict.message}" if verdict.message else ""), style="green")
    text = Text("  ✗ not right", style="red")
    if verdict.message:
        text.append(": " + verdict.message)
    if tries_left:
        text.append(f" — try again ({tries_left} {'try' if tries_left == 1 else 'tries'} left, "
                    "? for a hint, skip to see it)")
    return text


def reveal_text(expected: Any) -> Text:
    return Text(f"  → the right value is {format_value(expected)}", style="yellow")


def unparsed_text(message: str, forms: str) -> Text:
    return Text(f"  could not read that: {message}; {forms}", style="yellow")


def hint_text(step: Step | None) -> Text:
    if step is None:
        return Text("  no hint for this part", style="yellow")
    return Text(f"  hint ({step.title}): {step.formula}", style="cyan")


def score_text(right: int, asked: int, first_try: int) -> Text:
    return Text(f"Score: {right}/{asked} parts right ({first_try} on the first try)", style="bold")


# --------------------------------------------------------------------------- JSON

def problem_json(problem: Problem, with_solution: bool = True) -> str:
    record: dict[str, Any] = {
        "topic": problem.topic, "seed": problem.seed, "difficulty": problem.difficulty,
        "source": problem.source, "statement": problem.statement, "given": plain(problem.given),
        "parts": [{"name": p.name, "prompt": p.prompt, "kind": p.kind} for p in problem.parts],
    }
    if with_solution:
        record["answers"] = plain(problem.solution.answers)
        record["steps"] = [{"title": s.title, "formula": s.formula, "substituted": s.substituted,
                            "value": plain(s.value)} for s in problem.solution.steps]
        record["notes"] = list(problem.solution.notes)
    return json.dumps(record, ensure_ascii=False, indent=2)


# --------------------------------------------------------------------------- marking reports

STATUS_MARKS = {"right": "✓", "wrong": "✗", "carried": "✓ carried forward", "skipped": "–"}


def report_view(report: Any) -> Group:
    """The marking table (first wrong step highlighted), a diagnosis per wrong step, the summary."""
    grid = Table(title="Marking", box=box.SIMPLE_HEAD, show_edge=False, title_justify="left")
    for column in ("#", "step", "yours", "right", "mark"):
        grid.add_column(column, overflow="fold")
    for i, m in enumerate(report.marks, start=1):
        if m.status == "skipped":
            yours = "(skipped)"
        elif m.entries:
            yours = ", ".join(f"{e} = {format_value(_entry(m.student, e))}" for e in m.entries)
        else:
            yours = format_value(m.student)
        right = format_value(m.expected)
        if m.entries:
            right = ", ".join(f"{e} = {format_value(_entry(m.expected, e))}" for e in m.entries)
        if m.status == "carried":
            right += f" (from yours: {format_value(m.carried_expected)})"
        mark = STATUS_MARKS[m.status] + (" (remark)" if m.remark else "")
        style = "bold red" if report.first_wrong == i - 1 else {"wrong": "red", "carried": "yellow",
                                                                "right": "green", "skipped": "dim"}[m.status]
        if report.first_wrong == i - 1:
            mark += "  ◀ first error"
        grid.add_row(str(i), escape(m.part.name), escape(yours), escape(right), mark, style=style)
    items: list[Any] = [grid]
    for i, m in enumerate(report.marks, start=1):
        if m.remark:
            items.append(Text(f"Step {i} ({m.part.name}): right — {m.remark}.", style="green"))
        if m.status == "carried":
            items.append(Text(f"Step {i} ({m.part.name}): wrong against the right value, but it follows correctly "
                              "from your earlier values (method mark).", style="yellow"))
        if m.status != "wrong":
            continue
        if m.misconception is not None:
            text = Text(f"Step {i} ({m.part.name}): {m.misconception.name}. ", style="red")
            text.append(m.misconception.explanation + " ", style="default")
            text.append("Right rule: " + m.misconception.rule, style="cyan")
        else:
            text = Text(f"Step {i} ({m.part.name}): looks like an arithmetic slip. ", style="red")
            if m.step is not None:
                text.append(f"{m.step.formula}; here: {m.step.substituted.splitlines()[0]}", style="cyan")
                text.append(f" → {format_value(m.expected if m.carried_expected is None else m.carried_expected)}")
        items.append(text)
    items.append(Text(report.summary, style="bold"))
    return Group(*items)


def _entry(value: Any, path: str) -> Any:
    return resolve(value, split_name("x" + path)[1])


def report_json(report: Any) -> str:
    marks = [{"name": m.part.name, "step": m.step.title if m.step else "", "status": m.status,
              "student": plain(m.student), "expected": plain(m.expected),
              "carried_forward_expected": plain(m.carried_expected),
              "misconception": None if m.misconception is None else {
                  "id": m.misconception.id, "name": m.misconception.name,
                  "explanation": m.misconception.explanation, "rule": m.misconception.rule},
              "remark": m.remark} for m in report.marks]
    return json.dumps({"topic": report.problem.topic, "given": plain(report.problem.given), "marks": marks,
                       "first_wrong": None if report.first_wrong is None else report.first_wrong + 1,
                       "verdict": report.verdict, "summary": report.summary}, ensure_ascii=False, indent=2)


# --------------------------------------------------------------------------- history

def history_view(exams: Any, practice: Any) -> Group:
    import datetime

    def when(stamp: float) -> str:
        return datetime.datetime.fromtimestamp(stamp).strftime("%Y-%m-%d %H:%M")

    items: list[Any] = []
    grid = Table(title="Exams", box=box.SIMPLE_HEAD, show_edge=False, title_justify="left")
    for column in ("#", "started", "paper", "score", "percent"):
        grid.add_column(column)
    for row in exams:
        if row["finished_at"] is None:
            score, percent = "unfinished", ""
        else:
            score = f"{format_value(row['score'], 1)} / {format_value(row['max_score'], 1)}"
            percent = f"{100 * row['score'] / row['max_score']:.0f}%" if row["max_score"] else ""
        grid.add_row(str(row["id"]), when(row["started_at"]), escape(row["title"]), score, percent)
    items.append(grid if exams else Text("No exams yet: `mlquiz exam --blueprint quick` is a 15-minute one."))
    table = Table(title="Practice by topic", box=box.SIMPLE_HEAD, show_edge=False, title_justify="left")
    for column in ("topic", "problems", "parts right", "percent", "last"):
        table.add_column(column)
    for row in practice:
        percent = f"{100 * row['right'] / row['asked']:.0f}%" if row["asked"] else ""
        table.add_row(row["topic"], str(row["sessions"]), f"{row['right']}/{row['asked']}", percent, when(row["last"]))
    items.append(table if practice else Text("No practice recorded yet."))
    return Group(*items)
