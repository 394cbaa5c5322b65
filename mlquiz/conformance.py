"""The shared conformance suite: `check_topic(name)` runs every check a topic must pass.

In the spirit of scikit-learn's `check_estimator`: a topic that passes it works with `practice`,
`show`, `solve`, `check`, the exam and the records, with no edit anywhere else. The test suite runs
it for every registered topic (tests/test_conformance.py); a TA writing a new topic runs it too:

    python -c "from mlquiz.conformance import check_topic; check_topic('mytopic')"

Each check raises AssertionError naming the topic, the seed and what is wrong.
"""

from __future__ import annotations

import json
import re
import time
from typing import Any, Callable

from mlquiz import engine, marking, registry, text
from mlquiz.answers import Answer
from mlquiz.errors import UserError
from mlquiz.model import DIFFICULTIES, Problem, answer_at
from mlquiz.options import OPTION_KINDS

RESERVED = {"json", "work", "help", "seed", "difficulty"}
HOSTILE = ["", " ", "\t\n", "nan", "inf", "-inf", "1e999", "-0", "0", "-1", "1/0", "0,0;0,0", "9" * 5000,
           "(" * 300 + "1" + ")" * 300, "__import__('os')", "2**2**2**2**2", "1;;2", ",,,", "\x00", "💥",
           "４，２；１，３", "（1+2）", "1e308,1e308;1e308,1e308", "-1,2;3,4", "[" * 100, "1,2;3,4;" * 500,
           "a=1,b=2", "end", "../../etc/passwd", "A[1]=2", "1,2,3;4,5"]
# Words that stand in for sentences in another language's catalogue: every text key of a domain
# must exist in every language, with the same placeholders.


def _each_problem(name: str, seeds: range) -> list[Problem]:
    problems = []
    for difficulty in DIFFICULTIES:
        for seed in seeds:
            problems.append(engine.generate(name, seed, difficulty))
    return problems


def check_options(name: str) -> None:
    info = registry.info(name)
    keys = [o.key for o in info.options]
    assert len(keys) == len(set(keys)), f"{name}: two options share a name"
    for option in info.options:
        where = f"{name}: option --{option.name}"
        assert option.kind in OPTION_KINDS, where
        assert option.key.isidentifier() and option.name not in RESERVED, f"{where}: reserved or not a name"
        for lang in text.LANGUAGES:
            assert f"{name}.option.{option.name}" in text.catalogue(name, lang), f"{where}: no help text ({lang})"
        if option.default is not None and option.kind != "flag":
            assert option.min is None or option.default >= option.min, f"{where}: default below min"
            assert option.max is None or option.default <= option.max, f"{where}: default above max"


def check_texts(name: str) -> None:
    """Every key in every language, with the same placeholders; the topic's summary texts exist."""
    for domain in ("ui", name):
        english = text.catalogue(domain, text.FALLBACK)
        for key in (f"{name}.topic.summary", f"{name}.topic.data_format"):
            assert domain == "ui" or key in english, f"{name}: no text {key}"
        for lang in text.LANGUAGES:
            other = text.catalogue(domain, lang)
            missing = sorted(set(english) - set(other))
            extra = sorted(set(other) - set(english))
            assert not missing and not extra, f"{domain} ({lang}): missing {missing[:5]}, extra {extra[:5]}"
            for key, template in english.items():
                if key == "ui.both":  # `{en}` / `{zh}`: a text written in both languages, shown in one
                    continue
                assert text.placeholders(template) == text.placeholders(other[key]), \
                    f"{key} ({lang}): placeholders differ"


def _render_all(problem: Problem) -> None:
    """Every Msg of a problem resolves in every language (a missing key or placeholder fails)."""
    for lang in text.LANGUAGES:
        text.join(problem.statement, lang)
        for part in problem.parts:
            text.render(part.prompt, lang)
            for _, remark in part.accepted:
                text.render(remark, lang)
        for step in problem.solution.steps:
            for item in (step.title, step.formula, *step.lines, step.note):
                text.render(item, lang)
        for note in problem.solution.notes:
            text.render(note, lang)
        if problem.table:
            headers, rows = problem.table
            for cell in [*headers, *(c for row in rows for c in row)]:
                text.render(cell, lang)


def check_problem(problem: Problem) -> None:
    """Structure of one problem: deterministic, JSON-able, answers come from steps, parts from steps."""
    where = f"{problem.topic}/{problem.difficulty}/seed {problem.seed}"
    module = registry.load(problem.topic)
    info = registry.info(problem.topic)
    json.dumps(problem.given, allow_nan=False)
    again = module.solve(problem.given)
    assert json.dumps(again.answers, sort_keys=True, default=str) == \
        json.dumps(problem.solution.answers, sort_keys=True, default=str), f"{where}: solve is not deterministic"
    json.dumps(problem.solution.answers, default=lambda o: None)
    produced = {p for step in problem.solution.steps for p in step.answers}
    for key in problem.solution.answers:
        assert key in info.answers, f"{where}: answer {key!r} is not declared in topic.toml"
        assert any(p[0] == key for p in produced), f"{where}: no step produces answer {key!r}"
    for path in produced:
        answer_at(problem.solution.answers, path)
    ids = [s.id for s in problem.solution.steps]
    assert len(ids) == len(set(ids)), f"{where}: duplicate step ids"
    assert problem.parts, f"{where}: asks for nothing"
    for part in problem.parts:
        step = problem.solution.step_by_id(part.step)
        assert step is not None, f"{where}: part {part.name} names no step ({part.step!r})"
        assert any(part.path[:len(p)] == p for p in step.answers), \
            f"{where}: step {part.step!r} does not produce {part.name}"
        assert answer_at(problem.solution.answers, part.path) == part.expected, f"{where}: {part.name} expected"
    _render_all(problem)


def check_marking(problem: Problem) -> set[str]:
    """The right paper is all right with nothing named; returns the misconceptions that fire on
    this problem when a student holds them."""
    where = f"{problem.topic}/{problem.difficulty}/seed {problem.seed}"
    parts = marking.checkpoints(problem)
    work = {p.path: marking.Work(text="", answer=Answer.exact(p.expected))
            for p in parts}
    report = marking.mark(problem, work)
    assert report.verdict == "all-right", f"{where}: a right paper is marked {report.verdict}"
    assert all(m.misconception is None for m in report.marks), f"{where}: a misconception named on a right value"
    fired = set()
    variants = registry.load(problem.topic).VARIANTS
    for item in marking.misconceptions(problem.topic):
        for part in parts:
            if part.path[0] not in item.applies_to or part.kind == "choice":
                continue
            try:
                value = variants[item.id](problem.given, part.path, part.expected, {})
            except marking.VARIANT_FAILURES:
                continue
            if value is None:
                continue
            found = marking.diagnose(problem, part, Answer.exact(value))
            if found is not None:
                fired.add(found.id)
    return fired


def check_hints(problem: Problem) -> None:
    """Every step a part points at has its two worded hints (the idea, the symbols) in every language."""
    for part in problem.parts:
        kind = part.step.split("/", 1)[0]
        for level in ("idea", "symbols"):
            for lang in text.LANGUAGES:
                key = f"{problem.topic}.hint.{kind}.{level}"
                assert text.has_text(key, lang), f"{problem.topic}: no {key} ({lang})"


def check_round_trip(problem: Problem) -> None:
    """`as_options(given)` typed back into `solve` gives the same answers (what --data promises)."""
    module = registry.load(problem.topic)
    raw = module.as_options(problem.given)
    again = engine.from_data(problem.topic, raw).solution.answers
    for key, value in problem.solution.answers.items():  # typed data may ask for more, never for less
        assert key in again, f"{problem.topic}/seed {problem.seed}: {key} lost in the round trip"
        _close(again[key], value, f"{problem.topic}/seed {problem.seed}: {key}")


def _close(x: Any, y: Any, where: str) -> None:
    if isinstance(x, dict):
        assert isinstance(y, dict) and set(x) == set(y), where
        for k in x:
            _close(x[k], y[k], where)
    elif isinstance(x, list):
        assert isinstance(y, list) and len(x) == len(y), where
        for a, b in zip(x, y):
            _close(a, b, where)
    elif isinstance(x, float) and isinstance(y, (int, float)):
        assert abs(x - y) <= 1e-9 * max(1.0, abs(y)), f"{where}: {x} != {y}"
    else:
        assert x == y, f"{where}: {x!r} != {y!r}"


def check_hostile(name: str, problem: Problem) -> None:
    """Every option, given each hostile value (the others valid), solves or fails with a UserError."""
    module = registry.load(name)
    base = module.as_options(problem.given)
    for option in registry.info(name).options:
        for value in (True, False) if option.kind == "flag" else HOSTILE:
            raw = {**base, option.key: value}
            start = time.monotonic()
            try:
                solved = engine.from_data(name, raw)
                _render_all(solved)
            except UserError as exc:
                message = str(exc)
                assert "\n" not in message.strip() and message, f"{name} --{option.name} {value[:20]!r}: {message!r}"
            assert time.monotonic() - start < 5, f"{name} --{option.name} {str(value)[:20]!r}: too slow"


def check_topic(name: str, seeds: range = range(12), on: Callable[[str], None] | None = None) -> None:
    """Run every check on one topic; `on` is told each check's name as it starts."""
    say = on or (lambda _: None)
    info = registry.info(name)
    module = registry.load(name)
    for attribute in ("generate", "parse_data", "solve", "statement", "parts", "table", "well_posed",
                      "as_options", "VARIANTS"):
        assert hasattr(module, attribute), f"{name}: the module has no {attribute}"
    say("options")
    check_options(name)
    say("texts")
    check_texts(name)
    marking.misconceptions(name)  # validated on load: known answers, a variant each
    say("generate")
    fired: set[str] = set()
    problems = _each_problem(name, seeds)
    for problem in problems:
        again = engine.generate(name, problem.seed, problem.difficulty)
        assert again.given == problem.given, f"{name}: seed {problem.seed} does not reproduce its problem"
        module.well_posed(problem)
        check_problem(problem)
        fired |= check_marking(problem)
        check_round_trip(problem)
    say("hints")
    for problem in problems:
        check_hints(problem)
    say("bank")
    if (info.folder / "bank.toml").is_file():
        entries = engine.bank_entries(name)
        ids = [entry["id"] for entry in entries]
        assert len(ids) == len(set(ids)), f"{name}: duplicate bank ids"
        for i, entry in enumerate(entries):
            where = f"{name}: bank entry {entry['id']}"
            assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", entry["id"]), f"{where}: id is not kebab-case"
            assert isinstance(entry.get("source"), str) and entry["source"].strip(), f"{where} names no source"
            assert "title" not in entry, f"{where}: titles are text (text-bank.<lang>.toml)"
            for lang in text.LANGUAGES:
                assert text.has_text(f"{name}.bank.{entry['id']}", lang), f"{where}: no title ({lang})"
            problem = engine.from_bank(name, i)
            assert engine.from_bank(name, i + len(entries)).given == problem.given, f"{where}: seeds do not wrap"
            check_problem(problem)
            fired |= check_marking(problem)
            check_round_trip(problem)
        titles = {k for k in text.catalogue(name, text.FALLBACK) if k.startswith(f"{name}.bank.")}
        assert titles == {f"{name}.bank.{i}" for i in ids}, f"{name}: bank titles without an entry"
    say("misconceptions")
    silent = sorted({m.id for m in marking.misconceptions(name)} - fired)
    assert not silent, f"{name}: misconceptions fire on no generated or bank problem: {silent}"
    say("hostile")
    check_hostile(name, problems[len(problems) // 2])

