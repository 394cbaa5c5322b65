"""Mock exams as data: blueprints (problems/exams/*.toml or a user's file), the paper a blueprint and
a seed produce, and the marking of a submitted paper. No terminal code here.

A blueprint: title, minutes, and [[section]] tables with topic, difficulty, questions and points
(points per question). The same blueprint and seed give the same paper on any machine: each
question's seed is drawn from a Random seeded with "exam/<seed>/<section>/<question>".
"""

from __future__ import annotations

import random
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mlquiz import engine, registry
from mlquiz.errors import UserError, short
from mlquiz.model import DIFFICULTIES, Problem


@dataclass(frozen=True)
class Section:
    topic: str
    difficulty: str
    questions: int
    points: float


@dataclass(frozen=True)
class Blueprint:
    name: str
    title: str
    minutes: float
    sections: tuple[Section, ...]


@dataclass(frozen=True)
class Question:
    """One question of a paper: which problem, and how many points it is worth."""

    number: int
    topic: str
    difficulty: str
    seed: int
    points: float


@dataclass
class PartResult:
    name: str
    prompt: str
    status: str  # right, carried, wrong, blank
    answer: str
    expected: Any
    points: float
    earned: float
    remark: str = ""


@dataclass
class QuestionResult:
    question: Question
    problem: Problem
    parts: list[PartResult] = field(default_factory=list)

    @property
    def earned(self) -> float:
        return sum(p.earned for p in self.parts)


def builtin_blueprints() -> list[str]:
    return sorted(p.stem for p in (engine.problems_dir() / "exams").glob("*.toml"))


def load_blueprint(name: str) -> Blueprint:
    """A shipped blueprint by name (`final`, `quick`) or a TOML file by path."""
    path = Path(name).expanduser()
    if not (name.endswith(".toml") or path.is_file()):
        path = engine.problems_dir() / "exams" / f"{name}.toml"
        if not path.is_file():
            raise UserError(f"no blueprint {short(name)}; shipped ones: {', '.join(builtin_blueprints())}, "
                            "or give a path to your own .toml file")
    where = str(path)
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except FileNotFoundError:
        raise UserError(f"{where}: no such blueprint file") from None
    except IsADirectoryError:
        raise UserError(f"{where}: is a directory, not a blueprint file") from None
    except tomllib.TOMLDecodeError as exc:
        raise UserError(f"{where}: not valid TOML ({exc})") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(f"{where}: cannot read it ({exc})") from None
    return _validated(data, path.stem, where)


def _validated(data: dict, name: str, where: str) -> Blueprint:
    def bad(key: str, what: str) -> UserError:
        return UserError(f"{where}: key '{key}' {what}")

    title = data.get("title", name)
    if not isinstance(title, str) or not title.strip():
        raise bad("title", "must be a non-empty string")
    minutes = data.get("minutes")
    if isinstance(minutes, bool) or not isinstance(minutes, (int, float)) or not 0 < minutes <= 600:
        raise bad("minutes", "must be a number of minutes from 0 to 600")
    sections = data.get("section")
    if not isinstance(sections, list) or not sections:
        raise bad("section", "must list at least one [[section]] with topic, difficulty, questions and points")
    out = []
    for i, section in enumerate(sections, start=1):
        key = f"section[{i}]"
        if not isinstance(section, dict):
            raise bad(key, "must be a table")
        topic = section.get("topic")
        if not isinstance(topic, str):
            raise bad(f"{key}.topic", "is missing (a topic name such as entropy)")
        try:
            topic = registry.info(topic).name
        except UserError:
            raise bad(f"{key}.topic", f"names an unknown topic {short(topic)}") from None
        difficulty = section.get("difficulty", "medium")
        if difficulty not in DIFFICULTIES:
            raise bad(f"{key}.difficulty", "must be easy, medium or hard")
        questions = section.get("questions", 1)
        if isinstance(questions, bool) or not isinstance(questions, int) or not 1 <= questions <= 20:
            raise bad(f"{key}.questions", "must be a whole number from 1 to 20")
        points = section.get("points", 10)
        if isinstance(points, bool) or not isinstance(points, (int, float)) or not 0 < points <= 1000:
            raise bad(f"{key}.points", "must be a positive number of points per question")
        unknown = set(section) - {"topic", "difficulty", "questions", "points"}
        if unknown:
            raise bad(f"{key}.{sorted(unknown)[0]}", "is not a section key (topic, difficulty, questions, points)")
        out.append(Section(topic, difficulty, questions, float(points)))
    unknown = set(data) - {"title", "minutes", "section"}
    if unknown:
        raise bad(sorted(unknown)[0], "is not a blueprint key (title, minutes, section)")
    return Blueprint(name, title, float(minutes), tuple(out))


def make_paper(blueprint: Blueprint, seed: int) -> list[Question]:
    paper = []
    for s, section in enumerate(blueprint.sections):
        for q in range(section.questions):
            sub = random.Random(f"exam/{seed}/{s}/{q}").randrange(engine.MAX_SEED)
            paper.append(Question(len(paper) + 1, section.topic, section.difficulty, sub, section.points))
    return paper


def problems_for(paper: list[Question]) -> list[Problem]:
    return [engine.generate(q.topic, q.seed, q.difficulty) for q in paper]


def mark_question(question: Question, problem: Problem, answers: dict[str, str]) -> QuestionResult:
    """Partial credit per part; a part that follows correctly from the student's own earlier wrong
    values earns its marks (error carried forward), as the check machinery decides."""
    from mlquiz import marking

    result = QuestionResult(question, problem)
    share = question.points / len(problem.parts)
    given = {name: text for name, text in answers.items() if text.strip()}
    statuses: dict[str, tuple[str, str]] = {}
    if given:
        parts = marking.checkpoints(problem)
        items = []
        for name, text in given.items():
            try:
                marking.parse_work([f"{name}={text}"], parts)
                items.append(f"{name}={text}")
            except UserError:
                statuses[name] = ("wrong", "")
        report = marking.mark(problem, marking.parse_work(items, parts))
        for m in report.marks:
            if m.status == "skipped":
                continue
            statuses.setdefault(m.part.name, (m.status, m.remark))
            for entry in m.entries:
                statuses.setdefault(m.part.name + entry, (m.status, m.remark))
    for part in problem.parts:
        text = answers.get(part.name, "").strip()
        status, remark = ("blank", "") if not text else statuses.get(part.name, ("wrong", ""))
        earned = share if status in ("right", "carried") else 0.0
        result.parts.append(PartResult(part.name, part.prompt, status, text, part.expected, share, earned, remark))
    return result
