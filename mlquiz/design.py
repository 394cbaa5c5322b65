"""System-design questions: the scenarios in `problems/design/scenarios.toml`, the vocabularies of
task types, models and metrics in `problems/design/catalogue.toml`, and the marking. No terminal code.

A design question walks the course's answer template section by section: the task type, the models
(pick all that fit), data and preprocessing, features, training and validation, the metrics. The
three picks are marked automatically (models and metrics with partial credit, and a reason for every
wrong pick); the three free-text sections are self-marked against key points.
"""

from __future__ import annotations

import random
import sys
import tomllib
from functools import lru_cache
from pathlib import Path
from typing import Any

from mlquiz import selection
from mlquiz.concepts import ConceptMark, literal
from mlquiz.errors import UserError, short
from mlquiz.model import DIFFICULTIES, Part, Problem, Solution
from mlquiz.paths import problems_dir
from mlquiz.text import LANGUAGES, Msg, msg

TASKS = ("classification", "regression", "clustering", "dimreduction", "generation", "reinforcement")
PICKS = ("task", "models", "metrics")
WRITTEN = ("data", "features", "training")
SECTIONS = ("task", "models", "data", "features", "training", "metrics")  # the order they are asked
VERSION = 1


def _read(path: Path) -> dict[str, Any]:
    with path.open("rb") as handle:
        return tomllib.load(handle)


def folder() -> Path:
    return problems_dir() / "design"


# --------------------------------------------------------------------------- validation

def catalogue_problems(data: dict[str, Any]) -> list[str]:
    problems = []
    for group in ("task", "model", "metric"):
        entries = data.get(group)
        if not isinstance(entries, dict) or not entries:
            problems.append(f"catalogue: no [{group}.*] tables")
            continue
        for name, entry in entries.items():
            if not isinstance(entry, dict) or any(not isinstance(entry.get(lang), str) or not entry[lang].strip()
                                                  for lang in LANGUAGES):
                problems.append(f"catalogue: {group}.{name} needs en and zh names")
            elif set(entry) - set(LANGUAGES):
                problems.append(f"catalogue: {group}.{name} has unknown keys {sorted(set(entry) - set(LANGUAGES))}")
    if isinstance(data.get("task"), dict) and set(data["task"]) != set(TASKS):
        problems.append(f"catalogue: the task types must be exactly {TASKS}")
    return problems


def _section_problems(texts: dict[str, Any], section: str, where: str) -> list[str]:
    entry = texts.get(section)
    if not isinstance(entry, dict):
        return [f"{where}: no {section}.answer / key_points / keywords"]
    problems = []
    if set(entry) != {"answer", "key_points", "keywords"}:
        problems.append(f"{where}: {section} must have exactly answer, key_points, keywords")
    if not isinstance(entry.get("answer"), str) or not entry["answer"].strip():
        problems.append(f"{where}: {section}.answer must be text")
    points = entry.get("key_points")
    if not isinstance(points, list) or not 2 <= len(points) <= 6 or not all(isinstance(p, str) and p.strip()
                                                                            for p in points):
        problems.append(f"{where}: {section}.key_points must be 2–6 texts")
    words = entry.get("keywords")
    if not isinstance(words, list) or not isinstance(points, list) or len(words) != len(points) or \
            not all(isinstance(w, list) and w and all(isinstance(s, str) and s.strip() for s in w) for w in words):
        problems.append(f"{where}: {section}.keywords must be one non-empty list per key point")
    return problems


def scenario_problems(scenario: Any, catalogue: dict[str, Any], where: str) -> list[str]:
    if not isinstance(scenario, dict):
        return [f"{where}: not a table"]
    sid = scenario.get("id")
    where = f"{where} ({sid})" if isinstance(sid, str) else where
    problems = []
    if not isinstance(sid, str) or not sid or sid != sid.lower() or " " in sid:
        problems.append(f"{where}: id must be a lower-case word")
    if scenario.get("difficulty") not in DIFFICULTIES:
        problems.append(f"{where}: difficulty must be one of {DIFFICULTIES}")
    tags = scenario.get("tags")
    if not isinstance(tags, list) or not tags or not all(isinstance(t, str) for t in tags):
        problems.append(f"{where}: tags must be a non-empty list")
    tasks = scenario.get("tasks")
    if not isinstance(tasks, list) or not tasks or any(t not in TASKS for t in tasks) or len(set(tasks)) != len(tasks):
        problems.append(f"{where}: tasks must be distinct task types among {TASKS}")
    for group, known, (low, high) in (("models", "model", (2, 5)), ("metrics", "metric", (1, 4))):
        entry = scenario.get(group)
        if not isinstance(entry, dict) or set(entry) != {"good", "bad"}:
            problems.append(f"{where}: {group} must have good and bad lists")
            continue
        for side in ("good", "bad"):
            ids = entry[side]
            if not isinstance(ids, list) or not low <= len(ids) <= high or len(set(ids)) != len(ids):
                problems.append(f"{where}: {group}.{side} must list {low}–{high} distinct ids")
                continue
            unknown = [i for i in ids if i not in catalogue.get(known, {})]
            if unknown:
                problems.append(f"{where}: {group}.{side} has ids not in the catalogue: {unknown}")
        if isinstance(entry["good"], list) and isinstance(entry["bad"], list) and set(entry["good"]) & set(entry["bad"]):
            problems.append(f"{where}: {group} lists an id as both good and bad")
    unknown = set(scenario) - {"id", "difficulty", "tags", "tasks", "models", "metrics", *LANGUAGES}
    if unknown:
        problems.append(f"{where}: unknown keys {sorted(unknown)}")
    for lang in LANGUAGES:
        texts = scenario.get(lang)
        if not isinstance(texts, dict):
            problems.append(f"{where}: no {lang}.* texts")
            continue
        for key in ("title", "scenario", "task"):
            if not isinstance(texts.get(key), str) or not texts[key].strip():
                problems.append(f"{where}: {lang}.{key} must be text")
        for key, group in (("why", "models"), ("metric_why", "metrics")):
            reasons = texts.get(key)
            entry = scenario.get(group)
            wanted = set(entry.get("good", []) + entry.get("bad", [])) if isinstance(entry, dict) else set()
            if not isinstance(reasons, dict) or set(reasons) != wanted or \
                    not all(isinstance(v, str) and v.strip() for v in reasons.values()):
                problems.append(f"{where}: {lang}.{key} must give one reason for each of {sorted(wanted)}")
        for section in WRITTEN:
            problems += _section_problems(texts, section, f"{where} {lang}")
        unknown = set(texts) - {"title", "scenario", "task", "why", "metric_why", *WRITTEN}
        if unknown:
            problems.append(f"{where}: {lang} has unknown keys {sorted(unknown)}")
    if all(isinstance(scenario.get(lang), dict) for lang in LANGUAGES):
        shapes = [[len(scenario[lang].get(s, {}).get("key_points", []) or []) for s in WRITTEN] for lang in LANGUAGES]
        if shapes[0] != shapes[1]:
            problems.append(f"{where}: the languages have different numbers of key points: {shapes}")
    return problems


def check() -> tuple[list[str], int]:
    """(problems, number of scenarios) of the shipped files."""
    try:
        catalogue = _read(folder() / "catalogue.toml")
        data = _read(folder() / "scenarios.toml")
    except (OSError, tomllib.TOMLDecodeError) as exc:
        return [str(exc)], 0
    problems = catalogue_problems(catalogue)
    scenarios = data.get("scenario")
    if not isinstance(scenarios, list) or not scenarios:
        return problems + ["scenarios: no [[scenario]] tables"], 0
    ids = [s.get("id") for s in scenarios if isinstance(s, dict)]
    repeated = sorted({i for i in ids if isinstance(i, str) and ids.count(i) > 1})
    if repeated:
        problems.append(f"scenarios: repeated ids {repeated}")
    for i, scenario in enumerate(scenarios, start=1):
        problems += scenario_problems(scenario, catalogue, f"scenario {i}")
    return problems, len(scenarios)


@lru_cache(maxsize=1)
def _loaded() -> tuple[dict[str, Any], tuple[dict[str, Any], ...]]:
    problems, _ = check()
    if problems:
        raise ValueError("; ".join(problems[:5]))
    return _read(folder() / "catalogue.toml"), tuple(_read(folder() / "scenarios.toml")["scenario"])


def catalogue() -> dict[str, Any]:
    return _loaded()[0]


def scenarios() -> tuple[dict[str, Any], ...]:
    return _loaded()[1]


def scenario(sid: str) -> dict[str, Any]:
    for s in scenarios():
        if s["id"] == sid.strip().lower():
            return s
    raise UserError(msg("ui.design.unknown", name=short(sid), scenarios=[s["id"] for s in scenarios()]))


def draw(seed: int, difficulty: str | None = None) -> dict[str, Any]:
    pool = [s for s in scenarios() if difficulty is None or s["difficulty"] == difficulty]
    return random.Random(f"design/{seed}").choice(pool or list(scenarios()))


# --------------------------------------------------------------------------- a scenario as a Problem

def problem_for(s: dict[str, Any], seed: int) -> Problem:
    rng = random.Random(f"design/{seed}/{s['id']}")
    models = s["models"]["good"] + s["models"]["bad"]
    metrics = s["metrics"]["good"] + s["metrics"]["bad"]
    rng.shuffle(models)
    rng.shuffle(metrics)
    cat = catalogue()
    names = {group: {i: cat[group][i] for i in ids}
             for group, ids in (("task", TASKS), ("model", models), ("metric", metrics))}
    given = {"scenario": s, "names": names, "shown": {"task": list(TASKS), "models": models, "metrics": metrics}}
    return from_given(given, seed)


def _options(given: dict[str, Any], section: str) -> Msg:
    group = {"task": "task", "models": "model", "metrics": "metric"}[section]
    ids = given["shown"][section]
    return literal(**{lang: "\n".join(f"     {selection.LETTERS[i]}) {given['names'][group][x][lang]}"
                                      for i, x in enumerate(ids)) for lang in LANGUAGES})


def from_given(given: dict[str, Any], seed: int | None) -> Problem:
    s = given["scenario"]
    statement = (literal(**{lang: s[lang]["title"] for lang in LANGUAGES}),
                 literal(**{lang: s[lang]["scenario"] for lang in LANGUAGES}))
    parts = []
    for section in SECTIONS:
        if section in PICKS:
            count = len(given["shown"][section])
            parts.append(Part((section,), msg(f"ui.design.ask.{section}", options=_options(given, section),
                                              last=selection.LETTERS[count - 1]),
                              "pick", expected(given, section), choices=tuple(selection.LETTERS[:count])))
        else:
            parts.append(Part((section,), msg(f"ui.design.ask.{section}"), "text", None))
    answers = {p.name: p.expected for p in parts}
    return Problem("design", seed, s["difficulty"], given, statement, parts, Solution([], answers),
                   source=f"design:{s['id']}", kind="design", version=VERSION)


def _right(given: dict[str, Any], section: str) -> list[str]:
    s = given["scenario"]
    return s["tasks"] if section == "task" else s[section]["good"]


def expected(given: dict[str, Any], section: str) -> str:
    shown = given["shown"][section]
    return " ".join(sorted(selection.LETTERS[shown.index(x)] for x in _right(given, section)))


def read(problem: Problem, section: str, text: str) -> Any:
    if section in PICKS:
        picked = selection.letters(text, len(problem.given["shown"][section]))
        return sorted(picked)
    if not text.strip():
        raise selection.Unreadable(msg("ui.select.text"))
    return text.strip()


def mark_pick(problem: Problem, section: str, picked: list[str]) -> ConceptMark:
    given = problem.given
    s = given["scenario"]
    ids = [given["shown"][section][selection.LETTERS.index(p)] for p in picked]
    right = _right(given, section)
    if section == "task":
        hits = [i for i in ids if i in right]
        fraction = 1.0 if hits and len(hits) == len(ids) else 0.5 if hits else 0.0
        reasons = () if fraction == 1.0 else (literal(**{lang: s[lang]["task"] for lang in LANGUAGES}),)
    else:
        fraction = selection.pick_fraction(ids, right)
        key = "why" if section == "models" else "metric_why"
        group = "model" if section == "models" else "metric"
        reasons = tuple(literal(**{lang: f"{given['names'][group][i][lang]}: {s[lang][key][i]}" for lang in LANGUAGES})
                        for i in ids if i not in right)
    status = "right" if fraction == 1.0 else "partial" if fraction > 0 else "wrong"
    return ConceptMark(fraction, status, reasons)


def key_points(problem: Problem, section: str) -> list[Msg]:
    s = problem.given["scenario"]
    return [literal(**{lang: s[lang][section]["key_points"][i] for lang in LANGUAGES})
            for i in range(len(s["en"][section]["key_points"]))]


def keyword_hint(problem: Problem, section: str, text: str) -> list[bool]:
    s = problem.given["scenario"]
    lists = [sum((s[lang][section]["keywords"][i] for lang in LANGUAGES), [])
             for i in range(len(s["en"][section]["keywords"]))]
    return selection.covered(text, lists)


def model_text(problem: Problem, section: str) -> Msg:
    """The model answer of one section, in both languages."""
    given = problem.given
    s = given["scenario"]
    if section == "task":
        names = picked_text(problem, "task", [selection.LETTERS[TASKS.index(t)] for t in s["tasks"]])
        return literal(**{lang: f"{names.values[lang]} — {s[lang]['task']}" for lang in LANGUAGES})
    if section in ("models", "metrics"):
        key, group = ("why", "model") if section == "models" else ("metric_why", "metric")
        return literal(**{lang: "\n".join(f"{given['names'][group][i][lang]}: {s[lang][key][i]}"
                                          for i in s[section]["good"]) for lang in LANGUAGES})
    return literal(**{lang: s[lang][section]["answer"] for lang in LANGUAGES})


SEPARATORS = {"en": ", ", "zh": "、"}


def picked_text(problem: Problem, section: str, picked: list[str]) -> Msg:
    """The names of the picked options, in both languages."""
    group = {"task": "task", "models": "model", "metrics": "metric"}[section]
    ids = [problem.given["shown"][section][selection.LETTERS.index(p)] for p in picked]
    return literal(**{lang: SEPARATORS.get(lang, ", ").join(problem.given["names"][group][i][lang] for i in ids)
                      for lang in LANGUAGES})


def main(argv: list[str]) -> int:
    if argv[:1] != ["check"]:
        print("usage: python -m mlquiz.design check", file=sys.stderr)
        return 2
    problems, count = check()
    for line in problems:
        print(line)
    print(f"{count} scenarios, {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
