"""Mock exams as data: blueprints (problems/exams/*.toml or a user's file), the paper a blueprint and
a seed produce, and the marking of a submitted paper. No terminal code here.

A blueprint: title, minutes, and [[section]] tables of one kind each:
- calculations (the default): topic, or topics (a pool to draw from; "all" = every topic), difficulty;
- `kind = "concept"`: concept questions, from `chapters` (default: all), one chapter per question
  as far as the chapters go; difficulty optional;
- `kind = "design"`: system-design scenarios; difficulty optional;
each with questions and points (points per question). The same blueprint and seed give the same paper
on any machine: each question's seed is drawn from a Random seeded with "exam/<seed>/<section>/<question>".
"""

from __future__ import annotations

import json
import random
import tomllib
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Iterable

from mlquiz import engine, registry
from mlquiz.errors import UserError, short
from mlquiz.model import DIFFICULTIES, Problem
from mlquiz.questions import from_record, kind, record_of
from mlquiz.text import Msg, msg


SECTION_KINDS = ("calculation", "concept", "design")


@dataclass(frozen=True)
class Section:
    """`questions` questions of `points` each: calculations on one topic or drawn from a pool of
    topics, concept questions from chapters (all if none named), or design scenarios. An empty
    difficulty means any (concept and design sections)."""

    topics: tuple[str, ...]
    difficulty: str
    questions: int
    points: float
    kind: str = "calculation"


@dataclass(frozen=True)
class Blueprint:
    name: str
    title: str
    minutes: float
    sections: tuple[Section, ...]


@dataclass(frozen=True)
class Question:
    """One question of a paper: which problem (topic, level, seed), its kind, and its points."""

    number: int
    topic: str
    difficulty: str
    seed: int
    points: float
    kind: str = "calculation"
    item: str = ""  # the concept question's or the design scenario's id


@dataclass
class PartResult:
    name: str
    prompt: Msg
    status: str  # right, carried, wrong, blank
    answer: str
    expected: Any
    points: float
    earned: float
    remark: Msg | None = None
    misconception: str = ""  # the id of the misconception named, if any
    detail: Msg | None = None  # what a wrong vector or matrix gets wrong (a slip, or which entries)
    by: str = "auto"  # "self": marked by the student against key points


@dataclass
class QuestionResult:
    question: Question
    problem: Problem
    parts: list[PartResult] = field(default_factory=list)

    @property
    def earned(self) -> float:
        return sum(p.earned for p in self.parts)


def split_score(parts: Iterable[tuple[str, float, float]]) -> dict[str, list[float]]:
    """[earned, possible] of the parts marked automatically and of those the student marked, from
    each part's (by, earned, points): of a marked paper or of a stored result."""
    out = {"auto": [0.0, 0.0], "self": [0.0, 0.0]}
    for by, earned, points in parts:
        out[by][0] += earned
        out[by][1] += points
    return out


def builtin_blueprints() -> list[str]:
    return sorted(p.stem for p in (engine.problems_dir() / "exams").glob("*.toml"))


def load_blueprint(name: str) -> Blueprint:
    """A shipped blueprint by name (`final`, `quick`) or a TOML file by path."""
    path = Path(name).expanduser()
    if not (name.endswith(".toml") or path.is_file()):
        path = engine.problems_dir() / "exams" / f"{name}.toml"
        if not path.is_file():
            raise UserError(msg("ui.blueprint.unknown", name=short(name), shipped=builtin_blueprints()))
    where = str(path)
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except FileNotFoundError:
        raise UserError(msg("ui.blueprint.missing", where=where)) from None
    except IsADirectoryError:
        raise UserError(msg("ui.blueprint.directory", where=where)) from None
    except tomllib.TOMLDecodeError as exc:
        raise UserError(msg("ui.blueprint.toml", where=where, reason=str(exc))) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(msg("ui.blueprint.unreadable", where=where, reason=str(exc))) from None
    return _validated(data, path.stem, where)


def _validated(data: dict, name: str, where: str) -> Blueprint:
    def bad(key: str, what: str, **values: Any) -> UserError:
        return UserError(msg("ui.blueprint.bad_key", where=where, key=key, what=msg(f"ui.blueprint.{what}", **values)))

    title = data.get("title", name)
    if not isinstance(title, str) or not title.strip():
        raise bad("title", "title")
    minutes = data.get("minutes")
    if isinstance(minutes, bool) or not isinstance(minutes, (int, float)) or not 0 < minutes <= 600:
        raise bad("minutes", "minutes")
    sections = data.get("section")
    if not isinstance(sections, list) or not sections:
        raise bad("section", "section")
    out = []
    for i, section in enumerate(sections, start=1):
        key = f"section[{i}]"
        if not isinstance(section, dict):
            raise bad(key, "table")
        kind = section.get("kind", "calculation")
        if kind not in SECTION_KINDS:
            raise bad(f"{key}.kind", "kind", kinds=list(SECTION_KINDS))
        allowed = {"kind", "difficulty", "questions", "points"}
        if kind == "calculation":
            allowed |= {"topic", "topics"}
            topics = _section_topics(section, key, bad)
        elif kind == "concept":
            allowed.add("chapters")
            topics = _section_chapters(section, key, bad)
        else:
            topics = ()
        difficulty = section.get("difficulty", "medium" if kind == "calculation" else "")
        if difficulty not in DIFFICULTIES and not (kind != "calculation" and difficulty == ""):
            raise bad(f"{key}.difficulty", "difficulty")
        questions = section.get("questions", 1)
        if isinstance(questions, bool) or not isinstance(questions, int) or not 1 <= questions <= 20:
            raise bad(f"{key}.questions", "questions")
        points = section.get("points", 10)
        if isinstance(points, bool) or not isinstance(points, (int, float)) or not 0 < points <= 1000:
            raise bad(f"{key}.points", "points")
        unknown = set(section) - allowed
        if unknown:
            raise bad(f"{key}.{sorted(unknown)[0]}", "section_key")
        out.append(Section(topics, difficulty, questions, float(points), kind))
    unknown = set(data) - {"title", "minutes", "section"}
    if unknown:
        raise bad(sorted(unknown)[0], "blueprint_key")
    return Blueprint(name, title, float(minutes), tuple(out))


def _section_topics(section: dict[str, Any], key: str, bad: Any) -> tuple[str, ...]:
    if ("topic" in section) == ("topics" in section):
        raise bad(f"{key}.topic", "topic_missing")
    field = "topic" if "topic" in section else "topics"
    named = section[field]
    if field == "topics" and named == "all":
        return tuple(t.name for t in registry.topics())
    named = [named] if field == "topic" else named
    if not isinstance(named, list) or not named or not all(isinstance(t, str) for t in named):
        raise bad(f"{key}.{field}", "topic_missing")
    return _known(named, lambda topic: registry.info(topic).name,
                  lambda topic: bad(f"{key}.{field}", "topic_unknown", topic=short(topic)))


def _section_chapters(section: dict[str, Any], key: str, bad: Any) -> tuple[str, ...]:
    from mlquiz import concepts

    named = section.get("chapters", [])
    if not isinstance(named, list) or not all(isinstance(c, str) for c in named):
        raise bad(f"{key}.chapters", "chapters")
    return _known(named, lambda name: concepts.chapter(name).id,
                  lambda name: bad(f"{key}.chapters", "chapter_unknown", chapter=short(name)))


def _known(named: list[str], lookup: Any, unknown: Any) -> tuple[str, ...]:
    """Each name as `lookup` spells it (an alias becomes its topic), once each; the first name
    `lookup` does not know raises `unknown(name)`."""
    out = []
    for name in named:
        try:
            out.append(lookup(name))
        except UserError:
            raise unknown(name) from None
    return tuple(dict.fromkeys(out))


def make_paper(blueprint: Blueprint, seed: int) -> list[Question]:
    """The questions a blueprint and a seed give; a section with a pool of topics draws them from
    the pool without repeating one until all have been used."""
    paper: list[Question] = []
    for s, section in enumerate(blueprint.sections):
        if section.kind != "calculation":
            paper += _drawn_items(section, seed, s, len(paper))
            continue
        drawn: list[str] = []
        order = random.Random(f"exam/{seed}/{s}/topics")
        while len(drawn) < section.questions:
            pool = list(section.topics)
            order.shuffle(pool)
            drawn += pool
        for q in range(section.questions):
            sub = random.Random(f"exam/{seed}/{s}/{q}").randrange(engine.MAX_SEED)
            paper.append(Question(len(paper) + 1, drawn[q], section.difficulty, sub, section.points))
    return paper


def _drawn_items(section: Section, seed: int, s: int, before: int) -> list[Question]:
    """A concept section's questions (one chapter each, as far as the chapters go) or a design
    section's scenarios (all different)."""
    from mlquiz import concepts, design

    sub = random.Random(f"exam/{seed}/{s}/items").randrange(engine.MAX_SEED)
    difficulty = section.difficulty or None
    if section.kind == "concept":
        drawn = concepts.draw(sub, section.questions, list(section.topics) or None, difficulty=difficulty)
        if len(drawn) < section.questions:  # a difficulty filter left too few: take any level
            drawn = concepts.draw(sub, section.questions, list(section.topics) or None)
        items = [(c.id, q["id"], q["difficulty"]) for c, q in drawn]
    else:
        pool = [x for x in design.scenarios() if difficulty is None or x["difficulty"] == difficulty]
        random.Random(sub).shuffle(pool)
        items = [("design", x["id"], x["difficulty"]) for x in pool[:section.questions]]
    return [Question(before + i + 1, topic, level, random.Random(f"exam/{seed}/{s}/{i}").randrange(engine.MAX_SEED),
                     section.points, section.kind, item) for i, (topic, item, level) in enumerate(items)]


def problem_of(question: Question) -> Problem:
    if question.kind == "concept":
        from mlquiz import concepts

        chapter, asked = concepts.question_by_id(question.item)
        return concepts.problem_for(chapter, asked, question.seed)
    if question.kind == "design":
        from mlquiz import design

        return design.problem_for(design.scenario(question.item), question.seed)
    return engine.generate(question.topic, question.seed, question.difficulty)


def problems_for(paper: list[Question]) -> list[Problem]:
    return [problem_of(q) for q in paper]


# --------------------------------------------------------------------------- stored papers and results

def paper_json(paper: list[Question], problems: list[Problem]) -> str:
    """The paper as asked: each question with its problem's record (given data, generator version)."""
    return json.dumps([{**asdict(q), "problem": record_of(p)} for q, p in zip(paper, problems)])


def paper_from_json(text: str) -> tuple[list[Question], list[Problem]]:
    rows = json.loads(text)
    paper = [Question(**{k: v for k, v in row.items() if k != "problem"}) for row in rows]
    return paper, [from_record(row["problem"]) for row in rows]


def mark_question(question: Question, problem: Problem, answers: dict[str, str]) -> QuestionResult:
    """Partial credit per part, as the question's kind marks it (see mlquiz.questions)."""
    result = QuestionResult(question, problem)
    share = question.points / len(problem.parts)
    marks = kind(problem.kind).mark(problem, answers)
    for part in problem.parts:
        m = marks[part.name]
        result.parts.append(PartResult(part.name, part.prompt, m.status, answers.get(part.name, "").strip(),
                                       part.expected, share, share * m.fraction, m.remark, m.misconception,
                                       m.detail, m.by))
    return result


def result_json(results: list[QuestionResult]) -> dict[str, Any]:
    """What is stored when a paper is marked: every part's answer, mark and named mistake, so a
    review shows the marks given then, never a re-marking."""
    return {"questions": [{"number": r.question.number, "topic": r.question.topic, "points": r.question.points,
                           "earned": r.earned,
                           "parts": [{"name": p.name, "prompt": p.prompt.to_json(), "status": p.status,
                                      "answer": p.answer, "expected": p.expected, "points": p.points,
                                      "earned": p.earned, "remark": p.remark.to_json() if p.remark else None,
                                      "misconception": p.misconception, "by": p.by,
                                      "detail": p.detail.to_json() if p.detail else None} for p in r.parts]}
                          for r in results]}


def results_from_json(data: dict[str, Any], paper: list[Question], problems: list[Problem]) -> list[QuestionResult]:
    out = []
    for stored, question, problem in zip(data["questions"], paper, problems):
        result = QuestionResult(question, problem)
        for p in stored["parts"]:
            result.parts.append(PartResult(p["name"], Msg.from_json(p["prompt"]), p["status"], p["answer"],
                                           p["expected"], p["points"], p["earned"],
                                           Msg.from_json(p["remark"]) if p["remark"] else None, p["misconception"],
                                           Msg.from_json(p["detail"]) if p.get("detail") else None,
                                           p.get("by", "auto")))
        out.append(result)
    return out
