"""Concept questions: the bank (schema, coverage), the answer readers, marking, drawing a quiz, and
`mlquiz quiz` as a student uses it."""

import json
import random

import pytest
from typer.testing import CliRunner

from mlquiz import concepts, selection
from mlquiz.cli import app
from mlquiz.questions import kind
from test_cli import assert_one_line_error

runner = CliRunner()

# The chapters of the course notes (SE3332-notes.zh.txt), in their order, and the bank's id for each.
NOTES_CHAPTERS = {
    "intro": "泛化性与过拟合", "linreg": "线性回归", "tree": "决策树", "bayes": "贝叶斯分类", "knn": "K-近邻",
    "logistic": "逻辑回归", "svm": "支持向量机", "mlp": "多层感知机", "language": "语言模型",
    "transformer": "Transformer", "llm": "大语言模型", "cnn": "卷积神经网络", "vision": "机器视觉",
    "clustering": "聚类", "dimred": "降维", "generative": "生成式模型", "rl": "强化学习",
}


def all_questions():
    return [(c, q) for c in concepts.chapters() for q in c.questions]


# --------------------------------------------------------------------------- the bank

def test_the_shipped_bank_is_valid():
    assert concepts.check_files(concepts.files()) == []


def test_every_chapter_of_the_notes_has_at_least_six_and_two_hundred_in_all():
    chapters = concepts.chapters()
    assert [c.id for c in chapters] == list(NOTES_CHAPTERS)
    for c in chapters:
        assert len(c.questions) >= 6, c.id
        assert NOTES_CHAPTERS[c.id] in c.notes, c.id  # the chapter names the notes' heading it covers
    assert sum(len(c.questions) for c in chapters) >= 200


def test_every_kind_and_level_is_present():
    questions = [q for _, q in all_questions()]
    assert {q["kind"] for q in questions} == set(concepts.KINDS)
    assert {q["difficulty"] for q in questions} == {"easy", "medium", "hard"}
    ids = [q["id"] for q in questions]
    assert len(ids) == len(set(ids))
    for c in concepts.chapters():  # every chapter has something to self-mark and something marked at once
        kinds = {q["kind"] for q in c.questions}
        assert "short" in kinds and kinds & set(concepts.AUTO), c.id


def test_true_false_answers_are_balanced():
    answers = [q["answer"] for _, q in all_questions() if q["kind"] == "truefalse"]
    assert 0.3 < sum(answers) / len(answers) < 0.7


def test_no_option_refers_to_other_options():
    """Options are shuffled, so `all of the above` or `both a and b` would be wrong."""
    banned = ("all of the above", "none of the above", "以上都", "以上皆", "以上均")
    for _, q in all_questions():
        for lang in ("en", "zh"):
            for option in q[lang].get("options", []):
                assert not any(b in option.lower() for b in banned), (q["id"], option)


@pytest.mark.parametrize("broken, complaint", [
    ({"answer": "e"}, "not among the options"),
    ({"answer": ["a"]}, "a single-choice answer is one letter"),
    ({"kind": "essay"}, "kind must be one of"),
    ({"id": "other-01"}, "id must be"),
    ({"difficulty": "extreme"}, "difficulty"),
    ({"source": ""}, "source"),
    ({"tolerance": 0.5}, "only numeric"),
    ({"colour": "red"}, "unknown keys"),
])
def test_the_validator_names_each_defect(broken, complaint):
    question = {"id": "demo-01", "kind": "single", "difficulty": "easy", "tags": ["x"], "source": "notes: Intro",
                "answer": "b",
                "en": {"question": "Which?", "options": ["one", "two", "three"], "explanation": "Because.",
                       "wrong": {"a": "no", "c": "no"}},
                "zh": {"question": "哪个？", "options": ["一", "二", "三"], "explanation": "因为。",
                       "wrong": {"a": "不", "c": "不"}}}
    assert concepts.question_problems(question, "demo", "q") == []
    problems = concepts.question_problems({**question, **broken}, "demo", "q")
    assert any(complaint in p for p in problems), problems


def test_the_validator_sees_languages_that_differ():
    question = {"id": "demo-01", "kind": "ordering", "difficulty": "easy", "tags": ["x"], "source": "notes",
                "en": {"question": "Order", "items": ["a", "b", "c"], "explanation": "."},
                "zh": {"question": "排序", "items": ["甲", "乙"], "explanation": "。"}}
    assert any("languages differ" in p for p in concepts.question_problems(question, "demo", "q"))


# --------------------------------------------------------------------------- readers

@pytest.mark.parametrize("text, count, expected", [
    ("b", 4, ["b"]), ("B", 4, ["b"]), ("ｂ", 4, ["b"]), ("(b)", 4, ["b"]), ("a c", 4, ["a", "c"]),
    ("a,c", 4, ["a", "c"]), ("ac", 4, ["a", "c"]), ("a、c", 4, ["a", "c"]), ("c > a", 4, ["c", "a"]),
])
def test_letters(text, count, expected):
    assert selection.letters(text, count) == expected


@pytest.mark.parametrize("text", ["", "e", "a a", "1", "a;drop table", "💥", "ab9", "\x00", "z" * 5000])
def test_letters_refuse_with_a_reason(text):
    with pytest.raises(selection.Unreadable):
        selection.letters(text, 4)


def test_order_matches_truth_and_ticks():
    assert selection.order("c a b", 3) == ["c", "a", "b"]
    with pytest.raises(selection.Unreadable):
        selection.order("c a", 3)
    assert selection.matches("1b 2a 3c", 3) == ["b", "a", "c"]
    assert selection.matches("2-a, 1-b, 3-c", 3) == ["b", "a", "c"]
    assert selection.matches("bac", 3) == ["b", "a", "c"]
    for bad in ("1b 2b 3c", "1b 2a", "1b 2a 4c", "b a"):
        with pytest.raises(selection.Unreadable):
            selection.matches(bad, 3)
    assert [selection.truth(t) for t in ("t", "True", "对", "是", "√", "f", "错", "否", "×", "ｆ")] == \
        [True] * 5 + [False] * 5
    assert selection.ticked("1 3", 4) == [0, 2] and selection.ticked("13", 4) == [0, 2]
    assert selection.ticked("all", 3) == [0, 1, 2] and selection.ticked("全部", 3) == [0, 1, 2]
    assert selection.ticked("none", 3) == [] and selection.ticked("无", 3) == []
    for bad in ("5", "x", "1 9"):
        with pytest.raises(selection.Unreadable):
            selection.ticked(bad, 4)


def test_pick_fraction():
    assert selection.pick_fraction(["a", "c"], ["a", "c"]) == 1
    assert selection.pick_fraction(["a"], ["a", "c"]) == 0.5
    assert selection.pick_fraction(["a", "b"], ["a", "c"]) == 0  # one right, one wrong
    assert selection.pick_fraction(["a", "b", "c", "d"], ["a", "c"]) == 0  # ticking everything earns nothing


def test_keyword_hint():
    assert selection.covered("We add an L2 Regularisation term", [["regulari"], ["valid"]]) == [True, False]


# --------------------------------------------------------------------------- marking every question

def typed_right(problem):
    expected = problem.parts[0].expected
    return ("t" if expected else "f") if isinstance(expected, bool) else str(expected)


@pytest.mark.parametrize("seed", [0, 7, 2024])
def test_every_question_marks_its_own_answer_right(seed):
    for c, q in all_questions():
        problem = concepts.problem_for(c, q, seed)
        if q["kind"] == "short":
            assert concepts.mark_answer(problem, "some text").fraction is None
            continue
        found = concepts.mark_answer(problem, concepts.read(problem, typed_right(problem)))
        assert (found.status, found.fraction) == ("right", 1.0), q["id"]


def test_every_wrong_choice_is_marked_wrong_with_its_reason():
    for c, q in all_questions():
        if q["kind"] != "single":
            continue
        problem = concepts.problem_for(c, q, 5)
        right = problem.parts[0].expected
        for letter in selection.LETTERS[:len(problem.given["shown"])]:
            if letter != right:
                found = concepts.mark_answer(problem, letter)
                assert found.fraction == 0 and found.status == "wrong" and len(found.reasons) == 1, q["id"]
                authored = selection.LETTERS[problem.given["shown"][selection.LETTERS.index(letter)]]
                assert found.reasons[0].values["en"].endswith(q["en"]["wrong"][authored])


def test_ordering_and_matching_earn_a_share():
    for c, q in all_questions():
        if q["kind"] not in ("ordering", "matching"):
            continue
        problem = concepts.problem_for(c, q, 3)
        letters = [x[-1] for x in problem.parts[0].expected.split()]  # `1b 2a 3c` → b a c
        swapped = [letters[1], letters[0], *letters[2:]]
        found = concepts.mark_answer(problem, swapped)
        n = len(letters)
        assert found.fraction == pytest.approx((n - 2) / n) and found.status in ("partial", "wrong"), q["id"]


def test_numeric_tolerance():
    c, q = next((c, q) for c, q in all_questions() if q["kind"] == "numeric" and q["answer"] > 0.1)
    problem = concepts.problem_for(c, q, 1)
    tolerance = q.get("tolerance", concepts.DEFAULT_TOLERANCE)
    assert concepts.mark_answer(problem, q["answer"] * (1 + tolerance / 2)).status == "right"
    assert concepts.mark_answer(problem, q["answer"] * (1 + 3 * tolerance + 0.01)).status == "wrong"


def test_shuffling_moves_the_answer_and_is_reproducible():
    singles = [(c, q) for c, q in all_questions() if q["kind"] == "single"]
    letters = {concepts.problem_for(c, q, 11).parts[0].expected for c, q in singles}
    assert len(letters) >= 3  # the right letter is not always the authored one
    c, q = singles[0]
    assert concepts.problem_for(c, q, 11).given == concepts.problem_for(c, q, 11).given
    for c, q in all_questions():
        if q["kind"] == "ordering":  # never shown already in order
            for seed in range(30):
                assert concepts.problem_for(c, q, seed).given["shown"] != sorted(range(len(q["en"]["items"])))


def test_a_record_shows_what_was_asked():
    c, q = all_questions()[0]
    problem = concepts.problem_for(c, q, 4)
    from mlquiz.questions import from_record, record_of

    record = json.loads(json.dumps(record_of(problem)))
    again = from_record(record)
    assert again.given == problem.given and again.parts[0].expected == problem.parts[0].expected
    record["given"]["question"]["en"]["question"] = "Changed later"
    assert "Changed later" in str(from_record(record).statement[0])  # the stored text, not the bank's


def test_the_question_kind_marks_an_exam_part():
    c, q = next((c, q) for c, q in all_questions() if q["kind"] == "multi")
    problem = concepts.problem_for(c, q, 2)
    concept = kind("concept")
    assert concept.readable(problem, problem.parts[0], "zz") is not None
    right = problem.parts[0].expected
    assert concept.mark(problem, {"answer": right})["answer"].fraction == 1
    assert concept.mark(problem, {"answer": ""})["answer"].status == "blank"
    short = next((c, q) for c, q in all_questions() if q["kind"] == "short")
    problem = concepts.problem_for(*short, 2)
    mark = concept.mark(problem, {"answer": "my words"})["answer"]
    assert (mark.status, mark.by) == ("unmarked", "self")
    marking = concept.self_marking(problem, "answer", "my words")
    assert len(marking.points) == len(short[1]["en"]["key_points"]) == len(marking.covered)


# --------------------------------------------------------------------------- drawing

def test_five_questions_from_five_chapters_same_seed_same_questions():
    first = concepts.draw(1, 5)
    assert len({c.id for c, _ in first}) == 5
    assert [q["id"] for _, q in first] == [q["id"] for _, q in concepts.draw(1, 5)]
    assert [q["id"] for _, q in first] != [q["id"] for _, q in concepts.draw(2, 5)]


def test_filters():
    drawn = concepts.draw(3, 40, ["svm", "cnn"], ["single", "truefalse"], "medium")
    assert drawn and all(c.id in ("svm", "cnn") and q["kind"] in ("single", "truefalse")
                         and q["difficulty"] == "medium" for c, q in drawn)
    assert len({q["id"] for _, q in drawn}) == len(drawn)  # never twice


# --------------------------------------------------------------------------- the command

def test_quiz_acceptance_five_chapters_marked_and_reproducible():
    out = json.loads(runner.invoke(app, ["quiz", "--count", "5", "--seed", "1", "--json"]).output)
    again = json.loads(runner.invoke(app, ["quiz", "--count", "5", "--seed", "1", "--json"]).output)
    assert out == again and len({q["chapter"] for q in out}) == 5
    answers = []
    for q in out:
        answers += ["some words", "all"] if q["type"] == "short" else \
            [("t" if q["answer"] else "f") if isinstance(q["answer"], bool) else str(q["answer"])]
    result = runner.invoke(app, ["quiz", "--count", "5", "--seed", "1"], input="\n".join(answers) + "\n")
    assert result.exit_code == 0, result.output
    assert "Quiz seed 1" in result.output and "Score: 5 / 5" in result.output
    assert result.output.count("Why:") >= 4


def test_quiz_piped_b_works_without_a_terminal():
    result = runner.invoke(app, ["quiz", "--count", "1", "--seed", "3"], input="b\n")
    assert result.exit_code == 0, result.output
    assert "Score:" in result.output and "Not read" not in result.output


def test_quiz_records_practice_for_stats():
    runner.invoke(app, ["quiz", "svm", "--count", "2", "--seed", "4", "--kind", "single"], input="a\na\n")
    stats = json.loads(runner.invoke(app, ["stats", "--json"]).output)
    assert any(s["skill"] == "svm/concept" for s in stats["skills"]), stats["skills"]


def test_quiz_bad_input_is_one_line_and_exit_2():
    assert_one_line_error(runner.invoke(app, ["quiz", "nosuch"]), "unknown chapter")
    assert_one_line_error(runner.invoke(app, ["quiz", "--kind", "essay"]), "unknown question kind")
    assert_one_line_error(runner.invoke(app, ["quiz", "--difficulty", "extreme"]), "extreme")
    assert_one_line_error(runner.invoke(app, ["quiz", "svm", "--kind", "ordering", "--difficulty", "easy",
                                              "--kind", "numeric"]), "no concept question")


def test_quiz_in_chinese():
    result = runner.invoke(app, ["quiz", "--lang", "zh", "--count", "1", "--seed", "3"], input="b\n")
    assert result.exit_code == 0 and "测验种子 3" in result.output and "得分" in result.output


def test_skip_and_unreadable_answers():
    out = json.loads(runner.invoke(app, ["quiz", "--count", "1", "--seed", "1", "--kind", "single",
                                         "--json"]).output)[0]
    result = runner.invoke(app, ["quiz", "--count", "1", "--seed", "1", "--kind", "single"],
                           input="zz\nskip\n")
    assert "Not read" in result.output and f"The answer: {out['answer']}" in result.output


def test_list_chapters():
    shown = runner.invoke(app, ["list", "chapters"]).output
    assert "transformer" in shown and "questions in 17 chapters" in shown
    data = json.loads(runner.invoke(app, ["list", "chapters", "--json"]).output)
    assert sum(c["questions"] for c in data) >= 200 and all(c["questions"] >= 6 for c in data)


def test_random_answers_never_crash():
    rng = random.Random(0)
    junk = ["", "a", "b c", "1b 2a", "t", "3.5", "💥", "all", "(((", "1/0", "a" * 300, "对", "１", "-"]
    for c, q in all_questions():
        problem = concepts.problem_for(c, q, rng.randrange(1000))
        for text in junk:
            try:
                value = concepts.read(problem, text)
            except selection.Unreadable:
                continue
            concepts.mark_answer(problem, value)


def test_chinese_texts_are_written_in_chinese():
    """Every Chinese sentence of the bank and the scenarios contains Chinese; Latin letters appear
    only as the course's abbreviations and formula symbols, never as whole English sentences."""
    import re

    from mlquiz import design

    def sentences(texts):
        for key, value in texts.items():
            if key in ("keywords",) or key.endswith("keywords"):
                continue
            if isinstance(value, str):
                yield value
            elif isinstance(value, list):
                for v in value:
                    yield from (sentences({"": v}) if isinstance(v, (str, list)) else ())
            elif isinstance(value, dict):
                yield from sentences(value)

    texts = [q["zh"] for _, q in all_questions()] + [s["zh"] for s in design.scenarios()]
    for zh in texts:
        for sentence in sentences(zh):
            english = re.findall(r"\b[A-Za-z]{2,}(?: [A-Za-z]{2,}){3,}\b", sentence)  # four English words in a row
            assert not english, (english, sentence)
            if len(sentence) > 60:  # a sentence, not a formula
                assert re.search(r"[\u4e00-\u9fff]", sentence), sentence


def test_readme_lists_every_chapter_with_its_count():
    import re
    from pathlib import Path

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    rows = dict(re.findall(r"^\| `(\w+)` \| [^|]+ \| (\d+) \|$", readme, flags=re.M))
    assert rows == {c.id: str(len(c.questions)) for c in concepts.chapters()}
    total = sum(len(c.questions) for c in concepts.chapters())
    assert f"The bank has {total} questions" in readme


def test_review_asks_a_due_concept_chapter_with_a_question_not_asked_before():
    out = json.loads(runner.invoke(app, ["quiz", "svm", "--count", "1", "--seed", "2", "--json"]).output)
    runner.invoke(app, ["quiz", "svm", "--count", "1", "--seed", "2"], input="zzz\nskip\n")
    result = runner.invoke(app, ["review", "--now", "2027-01-10", "-n", "1"], input="a\nskip\nskip\n")
    assert result.exit_code == 0, result.output
    assert "Concept questions for svm/concept" in result.output and "Support vector machines" in result.output
    assert out[0]["id"] not in result.output
    stats = json.loads(runner.invoke(app, ["stats", "--json"]).output)
    assert next(s for s in stats["skills"] if s["skill"] == "svm/concept")["attempts"] == 2


def test_history_keeps_concepts_apart_from_the_calculation_topic():
    runner.invoke(app, ["quiz", "svm", "--count", "1", "--seed", "2", "--kind", "single"], input="a\n")
    runner.invoke(app, ["practice", "svm", "--seed", "1"], input="skip\n" * 10)
    practice = json.loads(runner.invoke(app, ["history", "--json"]).output)["practice"]
    assert sorted((p["topic"], p["kind"]) for p in practice) == [("svm", "calculation"), ("svm", "concept")]
    assert "svm (concept)" in runner.invoke(app, ["history"]).output
    runner.invoke(app, ["quiz", "intro", "--count", "1", "--seed", "2", "--kind", "single"], input="a\n")
    again = runner.invoke(app, ["practice", "--again"], input="skip\n" * 10)  # the last calculation, not the quiz
    assert again.exit_code == 0 and "svm · medium" in again.output


@pytest.mark.parametrize("erratum, pattern", [
    ("conv output size: +1 and the floor", r"⌊\(N ?\+ ?2P ?− ?F\)/S⌋ ?\+ ?1"),
    ("PCA example: cov(x,x) = 1.29, not 1.26", r"1\.29"),
    ("Laplace denominator count(C) + K", r"count\(C\) ?\+ ?K"),
    ("SVM objective ½‖w‖²", r"½‖w‖²"),
    ("ridge gradient −Xᵀ(r − Xw) + λw", r"−Xᵀ\(r ?− ?Xw\)"),
    ("attention divides by √d", r"√d"),
    ("pooling is its own layer, not the stride", r"[Pp]ool"),
])
def test_every_erratum_of_the_notes_is_taught_right(erratum, pattern):
    """course-conventions.md lists the notes' errors: each is the subject of a question tagged
    notes-erratum whose explanation (or a wrong option's reason) gives the correct form."""
    import re

    taught = [q["id"] for _, q in all_questions() if "notes-erratum" in q["tags"] and
              re.search(pattern, q["en"]["explanation"] + " ".join(q["en"].get("wrong", {}).values()))]
    assert taught, erratum


def test_question_data_modules_are_plain():
    """The bank, the scenarios, the readers and the kinds return plain data: no Rich, no Typer."""
    import subprocess
    import sys

    code = ("import sys, mlquiz.concepts, mlquiz.design, mlquiz.selection, mlquiz.questions; "
            "from mlquiz import concepts, design; concepts.chapters(); design.scenarios(); "
            "print(sorted(m for m in ('rich', 'typer', 'numpy', 'sympy') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
