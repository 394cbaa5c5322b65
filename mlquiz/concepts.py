"""Concept questions: the bank in `problems/concepts/NN-<chapter>.toml`, its validation, the quiz a
seed draws from it, and the marking. Plain data only: no terminal code.

A chapter file holds `[chapter]` (id, order, en, zh, notes) and `[[question]]` tables (id, kind,
difficulty, tags, source, answer, tolerance, and the texts under `en.` and `zh.`), both languages
side by side. Kinds:

- single / multi: options shown in an order the seed shuffles; the answer is one letter / a set;
- truefalse: a statement, the answer true or false, the explanation the reason;
- ordering: items authored in the right order, shown shuffled; the answer is the order of letters;
- matching: pairs authored matched; the right-hand column is shown shuffled;
- numeric: a number within a relative tolerance;
- short: free text, self-marked against key points (keywords give a hint which points look missing).

A question is asked as a `Problem` of kind "concept" whose `given` holds the whole question in both
languages and the shuffled order, so a stored record shows what was asked even after the bank changes.
"""

from __future__ import annotations

import math
import random
import sys
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from mlquiz import selection
from mlquiz.errors import UserError, short
from mlquiz.model import DIFFICULTIES, Part, Problem, Solution
from mlquiz.paths import problems_dir
from mlquiz.text import LANGUAGES, Msg, msg

KINDS = ("single", "multi", "truefalse", "ordering", "matching", "numeric", "short")
AUTO = ("single", "multi", "truefalse", "ordering", "matching", "numeric")
DEFAULT_TOLERANCE = 0.01
VERSION = 1


@dataclass(frozen=True)
class Chapter:
    id: str
    order: int
    names: dict[str, str]
    notes: str
    questions: tuple[dict[str, Any], ...]


def both(texts: dict[str, Any], key: str) -> Msg:
    """A text written in both languages, shown in the current one (catalogue key `ui.both`)."""
    return msg("ui.both", **{lang: texts[lang][key] for lang in LANGUAGES})


def literal(**values: str) -> Msg:
    return msg("ui.both", **values)


# --------------------------------------------------------------------------- validation

def _texts_problems(question: dict[str, Any], where: str) -> list[str]:
    kind = question.get("kind")
    need = {"question", "explanation"}
    need |= {"single": {"options", "wrong"}, "multi": {"options", "wrong"}, "ordering": {"items"},
             "matching": {"pairs"}, "short": {"model_answer", "key_points", "keywords"}}.get(kind, set())
    allowed = need | ({"unit"} if kind == "numeric" else set())
    problems = []
    shapes = {}
    for lang in LANGUAGES:
        texts = question.get(lang)
        if not isinstance(texts, dict):
            problems.append(f"{where}: no {lang}.* texts")
            continue
        missing = need - set(texts)
        extra = set(texts) - allowed
        if missing:
            problems.append(f"{where}: {lang} lacks {sorted(missing)}")
        if extra:
            problems.append(f"{where}: {lang} has keys {sorted(extra)} that a {kind} question does not use")
        for key in ("question", "explanation", "model_answer", "unit"):
            if key in texts and (not isinstance(texts[key], str) or (key != "unit" and not texts[key].strip())):
                problems.append(f"{where}: {lang}.{key} must be non-empty text")
        shape = {}
        for key in ("options", "items", "key_points"):
            if key in texts:
                value = texts[key]
                if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
                    problems.append(f"{where}: {lang}.{key} must be a list of non-empty texts")
                    continue
                if len(set(value)) != len(value):
                    problems.append(f"{where}: {lang}.{key} repeats an entry")
                shape[key] = len(value)
        if "pairs" in texts:
            pairs = texts["pairs"]
            if not isinstance(pairs, list) or not all(isinstance(p, list) and len(p) == 2 and
                                                      all(isinstance(s, str) and s.strip() for s in p) for p in pairs):
                problems.append(f"{where}: {lang}.pairs must be [[left, right], …]")
            else:
                shape["pairs"] = len(pairs)
                if len({p[1] for p in pairs}) != len(pairs) or len({p[0] for p in pairs}) != len(pairs):
                    problems.append(f"{where}: {lang}.pairs repeats an entry")
        if "keywords" in texts:
            words = texts["keywords"]
            if not isinstance(words, list) or not all(isinstance(w, list) and w and all(isinstance(s, str) and s.strip()
                                                                                         for s in w) for w in words):
                problems.append(f"{where}: {lang}.keywords must be one non-empty list of words per key point")
            else:
                shape["keywords"] = len(words)
        if "wrong" in texts:
            if not isinstance(texts["wrong"], dict) or not all(isinstance(v, str) and v.strip()
                                                               for v in texts["wrong"].values()):
                problems.append(f"{where}: {lang}.wrong must map letters to reasons")
            else:
                shape["wrong"] = tuple(sorted(texts["wrong"]))
        shapes[lang] = shape
    if len(shapes) == len(LANGUAGES) and len({repr(sorted(s.items())) for s in shapes.values()}) > 1:
        problems.append(f"{where}: the languages differ in shape: {shapes}")
    return problems


def _answer_problems(question: dict[str, Any], where: str) -> list[str]:
    kind = question.get("kind")
    texts = question.get("en") if isinstance(question.get("en"), dict) else {}
    answer = question.get("answer")
    problems = []
    if kind in ("ordering", "matching", "short"):
        if "answer" in question:
            problems.append(f"{where}: a {kind} question has no `answer` key (its texts hold it)")
    elif "answer" not in question:
        problems.append(f"{where}: no answer")
    if kind in ("single", "multi"):
        options = texts.get("options", [])
        if not 3 <= len(options) <= 6:
            problems.append(f"{where}: {len(options)} options (3–6 wanted)")
        letters = selection.LETTERS[:len(options)]
        right = [answer] if kind == "single" else answer
        if kind == "single" and not (isinstance(answer, str) and len(answer) == 1):
            problems.append(f"{where}: a single-choice answer is one letter")
        elif kind == "multi" and not (isinstance(answer, list) and len(answer) >= 2
                                      and all(isinstance(a, str) for a in answer)):
            problems.append(f"{where}: a multiple-choice answer is a list of at least two letters")
        elif any(a not in letters for a in right) or len(set(right)) != len(right):
            problems.append(f"{where}: answer {answer!r} is not among the options {letters}")
        elif kind == "multi" and len(right) == len(options):
            problems.append(f"{where}: every option is right; leave at least one wrong")
        else:
            wrong = set(letters) - set(right)
            given = set(texts.get("wrong", {}))
            if given != wrong:
                problems.append(f"{where}: `wrong` must explain exactly the wrong options {sorted(wrong)}, "
                                f"has {sorted(given)}")
    if kind == "truefalse" and not isinstance(answer, bool):
        problems.append(f"{where}: a true/false answer is true or false")
    if kind == "numeric":
        if isinstance(answer, bool) or not isinstance(answer, (int, float)) or not math.isfinite(answer):
            problems.append(f"{where}: a numeric answer is a number")
        tolerance = question.get("tolerance", DEFAULT_TOLERANCE)
        if isinstance(tolerance, bool) or not isinstance(tolerance, (int, float)) or not 0 <= tolerance <= 0.1:
            problems.append(f"{where}: tolerance is a relative tolerance in [0, 0.1]")
    elif "tolerance" in question:
        problems.append(f"{where}: only numeric questions have a tolerance")
    if kind == "ordering" and not 3 <= len(texts.get("items", [])) <= 6:
        problems.append(f"{where}: 3–6 items to order")
    if kind == "matching" and not 3 <= len(texts.get("pairs", [])) <= 6:
        problems.append(f"{where}: 3–6 pairs to match")
    if kind == "short":
        points = texts.get("key_points", [])
        if not 2 <= len(points) <= 6:
            problems.append(f"{where}: 2–6 key points")
        if len(texts.get("keywords", [])) != len(points):
            problems.append(f"{where}: one keyword list per key point")
    return problems


def question_problems(question: Any, chapter: str, where: str) -> list[str]:
    if not isinstance(question, dict):
        return [f"{where}: not a table"]
    qid = question.get("id")
    where = f"{where} ({qid})" if isinstance(qid, str) else where
    problems = []
    if not isinstance(qid, str) or not qid.startswith(f"{chapter}-") or not qid[len(chapter) + 1:].isdigit():
        problems.append(f"{where}: id must be `{chapter}-NN`")
    if question.get("kind") not in KINDS:
        problems.append(f"{where}: kind must be one of {KINDS}")
        return problems
    if question.get("difficulty") not in DIFFICULTIES:
        problems.append(f"{where}: difficulty must be one of {DIFFICULTIES}")
    tags = question.get("tags")
    if not isinstance(tags, list) or not tags or not all(isinstance(t, str) and t.strip() for t in tags):
        problems.append(f"{where}: tags must be a non-empty list of words")
    if not isinstance(question.get("source"), str) or not question["source"].strip():
        problems.append(f"{where}: source (where this is taught) is required")
    unknown = set(question) - {"id", "kind", "difficulty", "tags", "source", "answer", "tolerance", *LANGUAGES}
    if unknown:
        problems.append(f"{where}: unknown keys {sorted(unknown)}")
    return problems + _texts_problems(question, where) + _answer_problems(question, where)


def chapter_problems(data: dict[str, Any], where: str) -> list[str]:
    head = data.get("chapter")
    if not isinstance(head, dict):
        return [f"{where}: no [chapter] table"]
    problems = []
    cid = head.get("id")
    if not isinstance(cid, str) or not cid.isidentifier() or cid != cid.lower():
        problems.append(f"{where}: chapter id must be a lower-case word")
        cid = "?"
    if isinstance(head.get("order"), bool) or not isinstance(head.get("order"), int):
        problems.append(f"{where}: chapter order must be an integer")
    for key in (*LANGUAGES, "notes"):
        if not isinstance(head.get(key), str) or not head[key].strip():
            problems.append(f"{where}: chapter {key} must be non-empty text")
    questions = data.get("question")
    if not isinstance(questions, list) or not questions:
        return problems + [f"{where}: no [[question]] tables"]
    ids = [q.get("id") for q in questions if isinstance(q, dict)]
    repeated = sorted({i for i in ids if ids.count(i) > 1 and isinstance(i, str)})
    if repeated:
        problems.append(f"{where}: repeated ids {repeated}")
    for i, question in enumerate(questions, start=1):
        problems += question_problems(question, cid, f"{where} question {i}")
    return problems


def _read(path: Path) -> dict[str, Any]:
    with path.open("rb") as handle:
        return tomllib.load(handle)


def files() -> list[Path]:
    return sorted((problems_dir() / "concepts").glob("*.toml"))


@lru_cache(maxsize=1)
def chapters() -> tuple[Chapter, ...]:
    """Every chapter of the bank, in course order. A malformed shipped file is a bug: it raises."""
    out = []
    for path in files():
        data = _read(path)
        problems = chapter_problems(data, path.name)
        if problems:
            raise ValueError("; ".join(problems[:5]))
        head = data["chapter"]
        out.append(Chapter(head["id"], head["order"], {lang: head[lang] for lang in LANGUAGES}, head["notes"],
                           tuple(data["question"])))
    ids = [c.id for c in out]
    if len(set(ids)) != len(ids):
        raise ValueError(f"repeated chapter ids in {ids}")
    return tuple(sorted(out, key=lambda c: c.order))


def chapter(name: str) -> Chapter:
    wanted = name.strip().lower()
    for c in chapters():
        if c.id == wanted or c.names["en"].lower() == wanted or c.names["zh"] == name.strip():
            return c
    raise UserError(msg("ui.quiz.unknown_chapter", name=short(name), chapters=[c.id for c in chapters()]))


def question_by_id(qid: str) -> tuple[Chapter, dict[str, Any]]:
    for c in chapters():
        for q in c.questions:
            if q["id"] == qid:
                return c, q
    raise UserError(msg("ui.quiz.unknown_question", id=short(qid)))


# --------------------------------------------------------------------------- drawing a quiz

def draw(seed: int, count: int, chapter_ids: list[str] | None = None, kinds: list[str] | None = None,
         difficulty: str | None = None) -> list[tuple[Chapter, dict[str, Any]]]:
    """`count` questions for a seed: the chapters in an order the seed shuffles, one question from
    each in turn (so five questions come from five chapters), never the same question twice. Fewer
    come back when the filters leave fewer."""
    rng = random.Random(f"quiz/{seed}")
    pool = [c for c in chapters() if chapter_ids is None or c.id in chapter_ids]
    candidates = {c.id: [q for q in c.questions if (not kinds or q["kind"] in kinds)
                         and (difficulty is None or q["difficulty"] == difficulty)] for c in pool}
    pool = [c for c in pool if candidates[c.id]]
    rng.shuffle(pool)
    drawn: list[tuple[Chapter, dict[str, Any]]] = []
    while len(drawn) < count and any(candidates[c.id] for c in pool):
        for c in pool:
            if len(drawn) == count:
                break
            if candidates[c.id]:
                question = candidates[c.id].pop(rng.randrange(len(candidates[c.id])))
                drawn.append((c, question))
    return drawn


# --------------------------------------------------------------------------- a question as a Problem

def _shuffled(n: int, rng: random.Random) -> list[int]:
    order = list(range(n))
    rng.shuffle(order)
    return order


def problem_for(c: Chapter, question: dict[str, Any], seed: int) -> Problem:
    """The question as asked on this seed (the display order of options, items or matches)."""
    rng = random.Random(f"concept/{seed}/{question['id']}")
    kind = question["kind"]
    en = question["en"]
    size = len(en.get("options") or en.get("items") or en.get("pairs") or [])
    shown = _shuffled(size, rng) if kind in ("single", "multi", "ordering", "matching") else []
    if kind == "ordering" and shown == sorted(shown) and size > 1:  # never show the answer itself
        shown = shown[1:] + shown[:1]
    given = {"chapter": c.id, "chapter_names": c.names, "question": question, "shown": shown}
    return from_given(given, seed)


def from_given(given: dict[str, Any], seed: int | None) -> Problem:
    question = given["question"]
    kind = question["kind"]
    shown = given["shown"]
    statement: list[Msg] = [both(question, "question")]
    if kind in ("single", "multi"):
        statement += [literal(**{lang: f"  {selection.LETTERS[i]}) {question[lang]['options'][j]}" for lang in LANGUAGES})
                      for i, j in enumerate(shown)]
    elif kind == "ordering":
        statement += [literal(**{lang: f"  {selection.LETTERS[i]}) {question[lang]['items'][j]}" for lang in LANGUAGES})
                      for i, j in enumerate(shown)]
    elif kind == "truefalse":
        statement += [msg("ui.concept.true_option"), msg("ui.concept.false_option")]
    elif kind == "matching":
        for i in range(len(shown)):
            statement.append(literal(**{lang: f"  {i + 1}. {question[lang]['pairs'][i][0]}" for lang in LANGUAGES}))
        statement += [literal(**{lang: f"  {selection.LETTERS[i]}) {question[lang]['pairs'][j][1]}" for lang in LANGUAGES})
                      for i, j in enumerate(shown)]
    part = Part(("answer",), msg(f"ui.concept.ask.{kind}", last=selection.LETTERS[max(len(shown), 1) - 1],
                                 count=len(shown), unit=question["en"].get("unit", "")),
                "text" if kind == "short" else "pick", expected_answer(given),
                choices=tuple(selection.LETTERS[:len(shown)]))
    return Problem(given["chapter"], seed, question["difficulty"], given, tuple(statement), [part],
                   Solution([], {"answer": expected_answer(given)}), source=f"concept:{question['id']}",
                   kind="concept", version=VERSION, citation=question.get("source", ""))


def _display_letter(given: dict[str, Any], authored: str) -> str:
    return selection.LETTERS[given["shown"].index(selection.LETTERS.index(authored))]


def expected_answer(given: dict[str, Any]) -> Any:
    """The right answer as the student would type it for this display order."""
    question, shown = given["question"], given["shown"]
    kind = question["kind"]
    if kind == "single":
        return _display_letter(given, question["answer"])
    if kind == "multi":
        return " ".join(sorted(_display_letter(given, a) for a in question["answer"]))
    if kind == "truefalse":
        return question["answer"]
    if kind == "numeric":
        return question["answer"]
    if kind == "ordering":
        return " ".join(selection.LETTERS[shown.index(i)] for i in range(len(shown)))
    if kind == "matching":
        return " ".join(f"{i + 1}{selection.LETTERS[shown.index(i)]}" for i in range(len(shown)))
    return None


def read(problem: Problem, text: str) -> Any:
    """The answer as data, or raise selection.Unreadable."""
    question = problem.given["question"]
    kind = question["kind"]
    count = len(problem.given["shown"])
    if kind == "single":
        return selection.one_letter(text, count)
    if kind == "multi":
        return sorted(selection.letters(text, count))
    if kind == "truefalse":  # shown as a) true, b) false
        word = selection.clean(text)
        return word == "a" if word in ("a", "b") else selection.truth(text)
    if kind == "ordering":
        return selection.order(text, count)
    if kind == "matching":
        return selection.matches(text, count)
    if kind == "numeric":
        from mlquiz.answers import AnswerError, parse_number

        try:
            return parse_number(text)
        except AnswerError as exc:
            raise selection.Unreadable(msg("ui.select.number", reason=str(exc))) from None
    if not text.strip():
        raise selection.Unreadable(msg("ui.select.text"))
    return text.strip()


@dataclass(frozen=True)
class ConceptMark:
    """fraction: the share earned (None for a short answer until it is self-marked); status right /
    partial / wrong / self; reasons: why each wrong pick is wrong (Msgs)."""

    fraction: float | None
    status: str
    reasons: tuple[Msg, ...] = ()


def mark_answer(problem: Problem, value: Any) -> ConceptMark:
    given = problem.given
    question, shown = given["question"], given["shown"]
    kind = question["kind"]
    if kind == "short":
        return ConceptMark(None, "self")
    if kind == "numeric":
        expected = float(question["answer"])
        tolerance = question.get("tolerance", DEFAULT_TOLERANCE)
        ok = abs(value - expected) <= max(tolerance * abs(expected), 1e-9)
        return ConceptMark(1.0 if ok else 0.0, "right" if ok else "wrong")
    if kind == "truefalse":
        ok = value == question["answer"]
        return ConceptMark(1.0 if ok else 0.0, "right" if ok else "wrong")
    if kind in ("single", "multi"):
        authored = [selection.LETTERS[shown[selection.LETTERS.index(v)]] for v in
                    ([value] if kind == "single" else value)]
        right = [question["answer"]] if kind == "single" else question["answer"]
        fraction = selection.pick_fraction(authored, right)
        reasons = tuple(literal(**{lang: f"{_display_letter(given, a)}) {question[lang]['wrong'][a]}"
                                   for lang in LANGUAGES}) for a in authored if a not in right)
        status = "right" if set(authored) == set(right) else "partial" if fraction > 0 else "wrong"
        return ConceptMark(fraction, status, reasons)
    # ordering: the letters in the order typed; matching: the letter typed for each left item
    if kind == "ordering":
        places = [shown[selection.LETTERS.index(v)] for v in value]  # authored index at each position
        good = sum(1 for position, index in enumerate(places) if position == index)
    else:
        good = sum(1 for i, v in enumerate(value) if shown[selection.LETTERS.index(v)] == i)
    fraction = good / len(shown)
    return ConceptMark(fraction, "right" if good == len(shown) else "partial" if good else "wrong")


def key_points(problem: Problem) -> list[Msg]:
    question = problem.given["question"]
    return [literal(**{lang: question[lang]["key_points"][i] for lang in LANGUAGES})
            for i in range(len(question["en"]["key_points"]))]


def keyword_hint(problem: Problem, text: str) -> list[bool]:
    """Per key point: does the text contain one of its keywords, in either language."""
    question = problem.given["question"]
    lists = [sum((question[lang]["keywords"][i] for lang in LANGUAGES), [])
             for i in range(len(question["en"]["keywords"]))]
    return selection.covered(text, lists)


def explanation(problem: Problem) -> Msg:
    return both(problem.given["question"], "explanation")


def model_answer(problem: Problem) -> Msg | None:
    question = problem.given["question"]
    return both(question, "model_answer") if question["kind"] == "short" else None


# --------------------------------------------------------------------------- `python -m mlquiz.concepts check`

def check_files(paths: list[Path]) -> list[str]:
    problems = []
    seen: dict[str, str] = {}
    for path in paths:
        try:
            data = _read(path)
        except (OSError, tomllib.TOMLDecodeError) as exc:
            problems.append(f"{path.name}: {exc}")
            continue
        problems += chapter_problems(data, path.name)
        for q in data.get("question", []):
            if isinstance(q, dict) and isinstance(q.get("id"), str):
                if q["id"] in seen and seen[q["id"]] != path.name:
                    problems.append(f"{path.name}: id {q['id']} also in {seen[q['id']]}")
                seen[q["id"]] = path.name
    return problems


def main(argv: list[str]) -> int:
    if not argv or argv[0] != "check":
        print("usage: python -m mlquiz.concepts check [FILE…]", file=sys.stderr)
        return 2
    paths = [Path(a) for a in argv[1:]] or files()
    problems = check_files(paths)
    for line in problems:
        print(line)
    counts = []
    for path in paths:
        try:
            data = _read(path)
            counts.append(f"{path.name}: {len(data.get('question', []))} questions")
        except (OSError, tomllib.TOMLDecodeError):
            pass
    print("\n".join(counts))
    print(f"{len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
