"""All terminal output: Rich views of the plain records in `mlquiz.model`, and the JSON form.

The one place where Msgs become words (in the current language) and numbers become text (through
`mlquiz.numbers.fmt`). Rich is imported here and in the interactive loops only; topics never see
it. Colour follows Rich's rules: none when output is not a terminal, none when NO_COLOR is set.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from rich import box
from rich.console import Console, Group
from rich.markup import escape
from rich.padding import Padding
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from mlquiz.model import Problem, Solution, Step, Verdict, path_name
from mlquiz.numbers import fmt
from mlquiz.text import Msg, has_text, join, render, say

MAX_TABLE_ROWS = 40


def make_console(stderr: bool = False) -> Console:
    return Console(stderr=stderr, highlight=False, soft_wrap=False)


def format_value(value: Any, places: int | None = None) -> str:
    """A value as the student reads it (the one formatter, mlquiz.numbers.fmt); the answers
    true/false in the run's language."""
    if isinstance(value, Msg):
        return render(value)
    if value in ("true", "false") or isinstance(value, bool):
        return say(f"ui.boolean.{str(value).lower()}")
    return fmt(value, places)


def plain(value: Any) -> Any:
    """A JSON-ready copy: floats stay floats, tuples become lists, NaN becomes null, Msgs text."""
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    if isinstance(value, Msg):
        return render(value)
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if hasattr(value, "item") and callable(value.item):  # a numpy scalar that slipped through
        return value.item()
    return value


def _table(title: str | None, columns: list[str], **options: Any) -> Table:
    grid = Table(title=title, box=box.SIMPLE_HEAD, show_edge=False, title_justify="left", **options)
    for column in columns:
        grid.add_column(column, overflow="fold")
    return grid


def _columns(*keys: str) -> list[str]:
    return [say(f"ui.column.{k}") for k in keys]


# --------------------------------------------------------------------------- topics

def topics_view(topics: Any) -> Table:
    grid = _table(None, _columns("topic", "covers", "data"))
    for t in topics:
        name = t.name + (f" ({', '.join(t.aliases)})" if t.aliases else "")
        grid.add_row(name, escape(say(f"{t.name}.topic.summary")), escape(say(f"{t.name}.topic.data_format")))
    return grid


def chapters_view(chapters: Any) -> Table:
    from mlquiz.concepts import KINDS

    grid = _table(say("ui.list.chapters_title"), [say("ui.list.chapter"), say("ui.list.name"), say("ui.list.questions"),
                                                  say("ui.list.kinds")])
    for c in chapters:
        counts = {k: sum(1 for q in c.questions if q["kind"] == k) for k in KINDS}
        kinds = " · ".join(f"{say('ui.concept.kind.' + k)} {n}" for k, n in counts.items() if n)
        grid.add_row(c.id, escape(render(Msg("ui.both", tuple(c.names.items())))), str(len(c.questions)), escape(kinds))
    total = sum(len(c.questions) for c in chapters)
    grid.caption = say("ui.list.chapters_total", count=total, chapters=len(chapters))
    return grid


def scenarios_view(scenarios: Any, brief: bool = False) -> Any:
    if brief:
        return Text(say("ui.list.design_brief", count=len(scenarios)))
    grid = _table(say("ui.list.design_title"), [say("ui.list.scenario"), say("ui.list.name"), say("ui.list.level")])
    for x in scenarios:
        grid.add_row(x["id"], escape(render(Msg("ui.both", tuple((lang, x[lang]["title"]) for lang in ("en", "zh"))))),
                     say(f"ui.difficulty.{x['difficulty']}"))
    return grid


# --------------------------------------------------------------------------- problem

def problem_title(problem: Problem) -> str:
    if problem.source.startswith("bank:"):
        where = say("ui.problem.bank", id=problem.source[5:], seed=problem.seed)
    elif problem.seed is not None:
        where = say("ui.problem.seed", seed=problem.seed)
    else:
        where = say("ui.problem.your_data")
    level = "" if problem.difficulty == "custom" else f" · {say('ui.difficulty.' + problem.difficulty)}"
    return f"{problem.topic}{level} · {where}"


def data_table(headers: list[Any], rows: list[list[str]]) -> Table:
    grid = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False)
    for header in headers:
        grid.add_column(escape(render(header)), justify="left")
    for row in rows:
        grid.add_row(*(escape(render(c)) for c in row))
    return grid


def problem_view(problem: Problem, with_parts: bool = True) -> Panel:
    if problem.kind != "calculation":
        return question_view(problem, with_parts)
    items: list[Any] = []
    title = f"{problem.topic}.bank.{problem.source[5:]}"
    if problem.source.startswith("bank:") and has_text(title):
        items.append(Text(say(title), style="bold"))
    items.append(Text(join(problem.statement)))
    if problem.table:
        headers, rows = problem.table
        items += [Text(""), data_table(headers, rows[:MAX_TABLE_ROWS])]
        if len(rows) > MAX_TABLE_ROWS:
            items.append(Text(say("ui.problem.more_rows", count=len(rows) - MAX_TABLE_ROWS), style="dim"))
    if problem.citation:
        items.append(Text(say("ui.problem.citation", source=problem.citation), style="dim"))
    if with_parts and problem.parts:
        items.append(Text(""))
        items.append(Text(say("ui.problem.find"), style="bold"))
        for i, part in enumerate(problem.parts, start=1):
            items.append(Text(f"  {i}. {render(part.prompt)}"))
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
    lines: list[Any] = [Text(f"{number}. {render(step.title)}", style="bold")]
    lines.append(Text("   " + render(step.formula), style="cyan"))
    substituted = [render(line) for line in step.lines]
    for line in substituted:
        for row in line.splitlines():
            lines.append(Text("   " + row))
    result = format_value(step.value)
    if step.marked and is_matrix(step.value):
        lines.append(Padding(matrix_view(step.value, step.marked), (0, 0, 0, 3)))
        lines.append(Text("   " + say("ui.solution.marked_cell"), style="dim"))
    elif step.value is not None and not isinstance(step.value, dict) and not (substituted and substituted[-1].endswith(result)):
        lines.append(Text("   = " + result, style="green"))
    if step.note is not None:
        lines.append(Text("   " + render(step.note), style="yellow"))
    return Group(*lines)


def solution_view(solution: Solution) -> Group:
    items: list[Any] = [Text(say("ui.solution.title"), style="bold underline")]
    for i, step in enumerate(solution.steps, start=1):
        items.append(step_view(i, step))
    for note in solution.notes:
        items.append(Text(say("ui.solution.note", note=note), style="yellow"))
    return Group(*items)


def answers_view(problem: Problem) -> Table:
    grid = _table(say("ui.solution.answers"), _columns("name", "value"))
    for name, value in flatten_answers(problem.solution.answers):
        grid.add_row(escape(name), escape(format_value(value)))
    return grid


def flatten_answers(answers: dict[str, Any]) -> list[tuple[str, Any]]:
    rows = []
    for name, value in answers.items():
        if isinstance(value, dict):
            rows += [(path_name((name, key)), v) for key, v in value.items()]
        else:
            rows.append((name, value))
    return rows


# --------------------------------------------------------------------------- practice feedback

def verdict_text(verdict: Verdict, tries_left: int) -> Text:
    if verdict.status == "right":
        message = say("ui.practice.right")
        if verdict.message is not None:
            message = say("ui.practice.right_with", remark=verdict.message)
        return Text("  " + message, style="green")
    text = Text("  " + say("ui.practice.wrong"), style="red")
    if verdict.message is not None:
        text.append(say("ui.practice.because", reason=verdict.message))
    if tries_left:
        key = "ui.practice.try_again_one" if tries_left == 1 else "ui.practice.try_again"
        text.append(say(key, count=tries_left))
    return text


def misconception_text(found: Any) -> Msg:
    return Msg("ui.check.misconception", (("name", found.name), ("explanation", found.explanation),
                                          ("rule", found.rule)))


def reveal_text(expected: Any) -> Text:
    return Text("  " + say("ui.practice.reveal", value=format_value(expected)), style="yellow")


def unparsed_text(message: Any, forms: Any) -> Text:
    return Text("  " + say("ui.practice.unparsed", reason=message, forms=forms), style="yellow")


HINT_LEVELS = 3


def hint_text(topic: str, step: Step | None, level: int) -> Text:
    """The level-th hint for a step (1: the idea in words; 2: the formula with its symbols
    explained; 3: the formula with this problem's numbers put in, not worked out)."""
    if step is None:
        return Text("  " + say("ui.practice.no_hint"), style="yellow")
    kind = step.id.split("/", 1)[0]
    if level == 1:
        idea = f"{topic}.hint.{kind}.idea"
        body = say("ui.practice.hint_idea", text=Msg(idea) if has_text(idea) else step.title)
    elif level == 2:
        symbols = f"{topic}.hint.{kind}.symbols"
        body = say("ui.practice.hint_formula", formula=step.formula, symbols=Msg(symbols) if has_text(symbols) else "")
    else:
        rows = [kept for line in step.lines for row in render(line).splitlines() if (kept := _unevaluated(row))]
        body = say("ui.practice.hint_numbers", lines="\n    ".join(rows)) if rows else \
            say("ui.practice.hint_no_numbers", formula=step.formula)
    text = say("ui.practice.hint_level", level=min(level, HINT_LEVELS), levels=HINT_LEVELS, body=body)
    if level >= HINT_LEVELS:
        text += "\n  " + say("ui.practice.hint_last")
    return Text("  " + text, style="cyan")


def _unevaluated(line: str) -> str:
    """A substitution line without the values it comes to (`… = 0.9183` → `…`), segment by
    segment (`λ1 = 10.5; λ2 = 0.5` gives nothing away); "" if nothing but results is left."""
    kept = []
    for segment in line.split("; "):
        segment = re.sub(r"\s=\s[−\d.\[\], ]+$", "", segment)
        if any(ch.isdigit() for ch in segment) and re.search(r"[−+·/×()²√Σ]|\d\s*[−+]", segment):
            kept.append(segment)
    return "; ".join(kept)


def score_text(right: int, asked: int, first_try: int) -> Text:
    return Text(say("ui.practice.score", right=right, asked=asked, first_try=first_try), style="bold")


# --------------------------------------------------------------------------- concept and design questions

def question_title(problem: Problem) -> str:
    """`Decision trees · medium · tree-04 · seed 3` for a concept question; `design · Spam filtering
    · easy · seed 3` for a scenario."""
    item = problem.source.split(":", 1)[1]
    level = say(f"ui.difficulty.{problem.difficulty}")
    seed = say("ui.problem.seed", seed=problem.seed) if problem.seed is not None else ""
    if problem.kind == "concept":
        head = render(Msg("ui.both", tuple(problem.given["chapter_names"].items())))
        return " · ".join(x for x in (head, level, item, seed) if x)
    return " · ".join(x for x in (say("ui.design.name"), render(problem.statement[0]), level, seed) if x)


def question_view(problem: Problem, with_parts: bool = True) -> Panel:
    body = problem.statement if problem.kind == "concept" else problem.statement[1:]
    items: list[Any] = [Text(render(line)) for line in body]
    if with_parts:
        for i, part in enumerate(problem.parts, start=1):
            items.append(Text(f"  {i}. {render(part.prompt)}"))
    return Panel(Group(*items), title=escape(question_title(problem)), title_align="left", box=box.ROUNDED,
                 expand=False)


def quiz_intro(seed: int, asked: int, wanted: int) -> Text:
    text = say("ui.quiz.intro", seed=seed, count=asked)
    if asked < wanted:
        text += " " + say("ui.quiz.fewer", count=asked, wanted=wanted)
    return Text(text + "\n" + say("ui.quiz.how"), style="dim")


def design_intro(seed: int, scenario: str) -> Text:
    return Text(say("ui.design.intro", seed=seed, scenario=scenario) + "\n" + say("ui.design.how"), style="dim")


def questions_json(problems: list[Problem], seed: int) -> str:
    """Concept or design questions as shown, with their answers, in the current language."""
    from mlquiz import concepts, design

    out = []
    for problem in problems:
        record: dict[str, Any] = {"kind": problem.kind, "id": problem.source.split(":", 1)[1], "seed": seed,
                                  "difficulty": problem.difficulty, "statement": [render(m) for m in problem.statement]}
        if problem.kind == "concept":
            question = problem.given["question"]
            record.update({"chapter": problem.topic, "type": question["kind"], "source": problem.citation,
                           "answer": problem.parts[0].expected, "explanation": render(concepts.explanation(problem))})
            if question["kind"] == "short":
                record["model_answer"] = render(concepts.model_answer(problem))
                record["key_points"] = [render(m) for m in concepts.key_points(problem)]
        else:
            record["parts"] = [{"name": p.name, "prompt": render(p.prompt), "answer": p.expected,
                                "model_answer": render(design.model_text(problem, p.name)),
                                **({"key_points": [render(m) for m in design.key_points(problem, p.name)]}
                                   if p.name in design.WRITTEN else {})} for p in problem.parts]
        out.append(record)
    return json.dumps(out, indent=2, ensure_ascii=False)


def concept_heading(number: int, total: int) -> Text:
    return Text("\n" + say("ui.quiz.heading", number=number, total=total), style="bold")


def unreadable_pick(reason: Msg) -> Text:
    return Text("  " + say("ui.select.unreadable", reason=reason), style="yellow")


def _verdict_line(status: str, expected: Any) -> Text:
    style = {"right": "green", "partial": "yellow"}.get(status, "red")
    return Text("  " + say(f"ui.quiz.{status}", expected=format_value(expected)), style=style)


def shown(value: Any) -> Any:
    """True/False as the language writes them (对/错)."""
    return say("ui.quiz.true") if value is True else say("ui.quiz.false") if value is False else value


def concept_feedback(problem: Problem, found: Any) -> Group:
    """Right / partly / wrong with the right answer, why each wrong pick is wrong, and the explanation."""
    from mlquiz import concepts

    expected = shown(problem.parts[0].expected)
    items: list[Any] = [_verdict_line(found.status if found is not None else "skipped", expected)]
    for reason in (found.reasons if found is not None else ()):
        items.append(Text("    ✗ " + render(reason), style="red"))
    items.append(Text("  " + say("ui.quiz.why", text=concepts.explanation(problem))))
    if problem.citation:
        items.append(Text("  " + say("ui.problem.citation", source=source_text(problem.citation)), style="dim"))
    return Group(*items)


def source_text(source: str) -> str:
    """A bank source as written (`notes: 决策树; Bishop PRML §1.3`), the notes named in the
    current language."""
    return re.sub(r"\bnotes:\s*", say("ui.quiz.notes"), source)


def self_marking_view(text: str, marking: Any) -> Group:
    items: list[Any] = [Text("  " + say("ui.self.yours", text=text or say("ui.exam.blank"))),
                        Text("  " + say("ui.self.model", text=marking.model), style="cyan"),
                        Text("  " + say("ui.self.points"), style="bold")]
    for i, (point, seen) in enumerate(zip(marking.points, marking.covered), start=1):
        hint = say("ui.self.seen" if seen else "ui.self.missing")
        items.append(Text(f"    {i}. {render(point)}  ({hint})", style=None if seen else "yellow"))
    return Group(*items)


def self_marked_msg(count: int, total: int) -> Msg:
    return Msg("ui.self.marked", (("count", count), ("total", total)))


def self_marked_text(count: int, total: int) -> Text:
    return Text("  " + render(self_marked_msg(count, total)), style="green" if count * 2 >= total else "yellow")


def not_self_marked() -> Text:
    return Text("\n  " + say("ui.self.not_marked"), style="yellow")


def self_marking_intro(count: int) -> Text:
    return Text("\n" + say("ui.self.intro", count=count), style="bold")


def self_mark_heading(number: int, problem: Problem, part: str) -> Group:
    prompt = next(p.prompt for p in problem.parts if p.name == part)
    return Group(Text("\n" + say("ui.self.heading", number=number, title=question_title(problem)), style="bold"),
                 Text("  " + render(prompt if problem.kind == "design" else problem.statement[0])))


def tally_text(tally: Any) -> Text:
    total = tally.auto + tally.self
    possible = tally.auto_possible + tally.self_possible
    return Text("\n" + say("ui.quiz.score", earned=format_value(total, 2), possible=format_value(possible, 2),
                           auto=format_value(tally.auto, 2), auto_possible=format_value(tally.auto_possible, 2),
                           self=format_value(tally.self, 2), self_possible=format_value(tally.self_possible, 2)),
                style="bold")


def design_part_heading(number: int, total: int, part: Any) -> Text:
    return Text("\n" + f"[{number}/{total}] " + render(part.prompt), style="bold")


def design_feedback(problem: Problem, section: str, found: Any) -> Group:
    from mlquiz import design

    right = design.picked_text(problem, section, part_letters(problem, section))
    items: list[Any] = [_verdict_line(found.status, render(right))]
    for reason in found.reasons:
        items.append(Text("    ✗ " + render(reason), style="red"))
    items.append(Text("  " + render(design.model_text(problem, section)).replace("\n", "\n  "), style="cyan"))
    return Group(*items)


def question_review(problem: Problem) -> Group:
    """What a marked concept or design question teaches: the explanation (and a short answer's
    model answer and key points), or each section's model answer."""
    from mlquiz import concepts, design

    items: list[Any] = []
    if problem.kind == "concept":
        model = concepts.model_answer(problem)
        if model is not None:
            items.append(Text(say("ui.self.model", text=model), style="cyan"))
            items += [Text(f"  {i}. {render(point)}") for i, point in
                      enumerate(concepts.key_points(problem), start=1)]
        items.append(Text(say("ui.quiz.why", text=concepts.explanation(problem))))
    else:
        for section in TEMPLATE_ROWS:
            items.append(Text(say(f"ui.design.section.{section}"), style="bold"))
            items.append(Text("  " + render(design.model_text(problem, section)).replace("\n", "\n  ")))
    return Group(*items)


def part_letters(problem: Problem, name: str) -> list[str]:
    part = next(p for p in problem.parts if p.name == name)
    return str(part.expected).split()


TEMPLATE_ROWS = ("task", "data", "features", "models", "training", "metrics")  # the notes' template order


def template_view(problem: Problem, answers: dict[str, tuple[str, Any]]) -> Group:
    """The answer template filled with the student's answers, beside the model answer."""
    from mlquiz import design

    grid = _table(say("ui.design.template_title"), [say("ui.design.column.section"), say("ui.design.column.yours"),
                                                     say("ui.design.column.model")])
    for section in TEMPLATE_ROWS:
        text, value = answers.get(section, ("", None))
        if section in design.PICKS and value is not None:
            yours = render(design.picked_text(problem, section, value))
        else:
            yours = text or say("ui.exam.blank")
        grid.add_row(say(f"ui.design.section.{section}"), escape(yours), escape(render(design.model_text(problem, section))))
    opening = Text(say("ui.design.template_opening", title=problem.statement[0]), style="italic")
    return Group(Text(""), opening, grid)


# --------------------------------------------------------------------------- JSON

def problem_json(problem: Problem, with_solution: bool = True) -> str:
    record: dict[str, Any] = {
        "topic": problem.topic, "seed": problem.seed, "difficulty": problem.difficulty,
        "source": problem.source, "statement": join(problem.statement), "given": plain(problem.given),
        "parts": [{"name": p.name, "prompt": render(p.prompt), "kind": p.kind} for p in problem.parts],
    }
    if with_solution:
        record["answers"] = plain(problem.solution.answers)
        record["steps"] = [{"id": s.id, "title": render(s.title), "formula": render(s.formula),
                            "substituted": "\n".join(render(line) for line in s.lines),
                            "value": plain(s.value), "answers": [path_name(p) for p in s.answers]}
                           for s in problem.solution.steps]
        record["notes"] = [render(n) for n in problem.solution.notes]
    return json.dumps(record, ensure_ascii=False, indent=2)


# --------------------------------------------------------------------------- marking reports

STATUS_STYLES = {"wrong": "red", "carried": "yellow", "right": "green", "skipped": "dim"}


def _entries(value: Any, entries: tuple) -> str:
    from mlquiz.model import resolve

    return ", ".join(f"{''.join(f'[{k}]' for k in e)} = {format_value(resolve(value, e))}" for e in entries)


def report_view(report: Any) -> Group:
    """The marking table (first wrong step highlighted), a diagnosis per wrong step, the summary."""
    grid = _table(say("ui.check.title"), _columns("number", "step", "yours", "right", "mark"))
    for i, m in enumerate(report.marks, start=1):
        if m.status == "skipped":
            yours = say("ui.check.skipped")
        elif m.entries:
            yours = _entries(m.student, m.entries)
        else:
            yours = format_value(m.student)
        right = _entries(m.expected, m.entries) if m.entries else format_value(m.expected)
        if m.status == "carried":
            right += " " + say("ui.check.from_yours", value=format_value(m.carried_expected))
        mark = say(f"ui.check.status.{m.status}") + (" " + say("ui.check.with_remark") if m.remark else "")
        style = STATUS_STYLES[m.status]
        if report.first_wrong == i - 1:
            mark += "  " + say("ui.check.first_error")
            style = "bold red"
        grid.add_row(str(i), escape(m.part.name), escape(yours), escape(right), mark, style=style)
    items: list[Any] = [grid]
    for i, m in enumerate(report.marks, start=1):
        where = say("ui.check.where", step=i, name=m.part.name)
        if m.remark is not None:
            items.append(Text(say("ui.check.right_remark", where=where, remark=m.remark), style="green"))
        if m.status == "carried":
            items.append(Text(say("ui.check.carried", where=where), style="yellow"))
        if m.status != "wrong":
            continue
        gap = say("ui.sentence_separator")
        if m.misconception is not None:
            text = Text(say("ui.check.named", where=where, name=m.misconception.name) + gap, style="red")
            text.append(render(m.misconception.explanation) + gap, style="default")
            text.append(say("ui.check.right_rule", rule=m.misconception.rule), style="cyan")
        elif m.slip is not None:
            text = Text(say("ui.check.named", where=where, name=m.detail), style="red")
        else:
            text = Text(say("ui.check.slip", where=where) + gap, style="red")
            if m.detail is not None:
                text.append(render(m.detail) + gap)
            if m.step is not None:
                first_line = render(m.step.lines[0]).splitlines()[0] if m.step.lines else ""
                text.append(say("ui.check.slip_detail", formula=m.step.formula, line=first_line), style="cyan")
                text.append(" → " + format_value(m.expected if m.carried_expected is None else m.carried_expected))
        items.append(text)
    items.append(Text(render(report.summary), style="bold"))
    return Group(*items)


def report_json(report: Any) -> str:
    marks = [{"name": m.part.name, "step": m.step.id if m.step else "",
              "step_title": render(m.step.title) if m.step else "", "status": m.status,
              "student": plain(m.student), "expected": plain(m.expected),
              "carried_forward_expected": plain(m.carried_expected),
              "misconception": None if m.misconception is None else {
                  "id": m.misconception.id, "name": render(m.misconception.name),
                  "explanation": render(m.misconception.explanation), "rule": render(m.misconception.rule)},
              "remark": render(m.remark) if m.remark is not None else "",
              "slip": None if m.slip is None else m.slip.kind,
              "wrong_entries": [list(path) for path in m.wrong_entries],
              "detail": render(m.detail) if m.detail is not None else ""} for m in report.marks]
    return json.dumps({"topic": report.problem.topic, "given": plain(report.problem.given), "marks": marks,
                       "first_wrong": None if report.first_wrong is None else report.first_wrong + 1,
                       "verdict": report.verdict, "summary": render(report.summary)}, ensure_ascii=False, indent=2)


# --------------------------------------------------------------------------- history

def when(stamp: float) -> str:
    import datetime

    return datetime.datetime.fromtimestamp(stamp).strftime("%Y-%m-%d %H:%M")


def history_view(exams: Any, practice: Any) -> Group:
    items: list[Any] = []
    grid = _table(say("ui.history.exams"), _columns("number", "started", "paper", "score", "percent"))
    for row in exams:
        if row["abandoned_at"] is not None:
            score = say("ui.history.abandoned", score=format_value(row["score"], 1),
                        max_score=format_value(row["max_score"], 1))
            percent = ""
        elif row["finished_at"] is None:
            score, percent = say("ui.history.unfinished"), ""
        else:
            score = f"{format_value(row['score'], 1)} / {format_value(row['max_score'], 1)}"
            percent = f"{100 * row['score'] / row['max_score']:.0f}%" if row["max_score"] else ""
        grid.add_row(str(row["id"]), when(row["started_at"]), escape(row["title"]), score, percent)
    items.append(grid if exams else Text(say("ui.history.no_exams")))
    table = _table(say("ui.history.practice"), _columns("topic", "problems", "parts_right", "percent", "last"))
    for row in practice:
        percent = f"{100 * row['right'] / row['asked']:.0f}%" if row["asked"] else ""
        topic = say("ui.exam.concept_topic", chapter=row["topic"]) if row["kind"] == "concept" else row["topic"]
        table.add_row(topic, str(row["sessions"]), f"{row['right']}/{row['asked']}", percent, when(row["last"]))
    items.append(table if practice else Text(say("ui.history.no_practice")))
    return Group(*items)


# --------------------------------------------------------------------------- stats

def _percent(value: Any) -> str:
    return "" if value is None else f"{100 * value:.0f}%"


def stats_view(data: dict[str, Any], width: int = 78) -> Group:
    """The table of skills and, with more than one day of history, two terminal charts (plotext)."""
    if not data["skills"]:
        return Group(Text(say("ui.stats.empty")))
    grid = _table(say("ui.stats.title", attempts=data["attempts"]),
                  _columns("skill", "attempts", "first_try", "recent", "per_part", "recall", "due", "misconceptions"))
    for column in grid.columns[:-1]:
        column.no_wrap = True
    grid.columns[-1].min_width = 14
    for row in data["skills"]:
        trend = "" if row["trend"] is None else (" ↑" if row["trend"] > 0 else " ↓" if row["trend"] < 0 else " →")
        seconds = row["median_seconds_per_part"]
        grid.add_row(escape(row["skill"]), str(row["attempts"]), _percent(row["first_try_accuracy"]),
                     _percent(row["recent_accuracy"]) + trend,
                     "" if seconds is None else say("ui.stats.seconds", seconds=fmt(seconds)),
                     _percent(row["recall"]),
                     say("ui.stats.due_now") if row["due"] else row["fsrs"]["due"][5:16].replace("T", " "),
                     escape(say("ui.list_separator").join(f"{k} ×{v}" for k, v in row["misconceptions"].items())))
    items: list[Any] = [grid]
    if len(data["days"]) > 1:
        items += [_chart(data["days"], "attempts", say("ui.stats.activity"), width),
                  _chart(data["days"], "first_try_accuracy", say("ui.stats.accuracy"), width)]
    return Group(*items)


def _chart(days: list[dict[str, Any]], key: str, title: str, width: int) -> Text:
    import plotext

    plotext.clear_figure()
    labels = [d["day"][5:] for d in days]
    values = [(d[key] or 0) * (100 if key != "attempts" else 1) for d in days]
    if key == "attempts":
        plotext.bar(labels, values)
    else:
        plotext.plot(list(range(len(values))), values, marker="braille")
        plotext.xticks(list(range(len(values))), labels)
        plotext.ylim(0, 100)
    plotext.title(title)
    plotext.theme("clear")
    plotext.plotsize(width, 12)
    return Text.from_ansi(plotext.build())


def plan_view(data: dict[str, Any]) -> Group:
    if not data["skills"]:
        return Group(Text(say("ui.plan.empty", day=data["exam_day"])))
    grid = _table(say("ui.plan.title", day=data["exam_day"], target=_percent(data["target"])),
                  _columns("skill", "recall", "without", "with_plan"))
    for row in data["skills"]:
        grid.add_row(escape(row["skill"]), _percent(row["recall_now"]),
                     _percent(row["recall_on_exam_day_without_review"]), _percent(row["recall_on_exam_day_with_plan"]))
    days = _table(say("ui.plan.days"), _columns("day", "reviews"))
    for day in data["days"]:
        days.add_row(day["day"], escape(say("ui.list_separator").join(
            name if count == 1 else f"{name} ×{count}" for name, count in day["reviews"].items())))
    return Group(grid, days if data["days"] else Text(say("ui.plan.nothing")))
