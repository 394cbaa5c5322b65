"""The mock final shaped like the real paper: calculations drawn from pools, a concept section and
one system-design question; self-marking after submission; auto- and self-marked points apart."""

import json

import pexpect
import pytest
from typer.testing import CliRunner

from conftest import mlquiz_command, subprocess_env
from mlquiz import design, exam, registry
from mlquiz.cli import app
from test_cli import assert_one_line_error
from test_exam import answer_text

runner = CliRunner()


def test_final_has_calculations_concepts_and_one_design_question():
    plan = exam.load_blueprint("final")
    kinds = [s.kind for s in plan.sections]
    assert kinds.count("design") == 1 and "concept" in kinds and "calculation" in kinds
    assert {t for s in plan.sections if s.kind == "calculation" for t in s.topics} == set(registry.names())
    assert sum(s.points * s.questions for s in plan.sections) == 100 and plan.minutes == 90
    for seed in range(20):
        paper = exam.make_paper(plan, seed)
        assert sum(q.kind == "design" for q in paper) == 1
        concepts = [q for q in paper if q.kind == "concept"]
        assert len(concepts) == 10 and len({q.topic for q in concepts}) == 10  # ten different chapters
        assert len({q.item for q in concepts}) == 10
        calculations = [q.topic for q in paper if q.kind == "calculation"]
        assert len(calculations) == 5 and len(set(calculations)) == 5
    assert exam.make_paper(plan, 12) == exam.make_paper(plan, 12)


def test_sections_draw_from_all_topics_and_named_chapters(tmp_path):
    path = tmp_path / "mine.toml"
    path.write_text('minutes = 30\n[[section]]\ntopics = "all"\nquestions = 3\n'
                    '[[section]]\nkind = "concept"\nchapters = ["svm", "cnn"]\nquestions = 4\ndifficulty = "easy"\n'
                    '[[section]]\nkind = "design"\ndifficulty = "hard"\n')
    plan = exam.load_blueprint(str(path))
    assert plan.sections[0].topics == tuple(registry.names())
    paper = exam.make_paper(plan, 1)
    concepts = [q for q in paper if q.kind == "concept"]
    assert {q.topic for q in concepts} == {"svm", "cnn"} and all(q.difficulty == "easy" for q in concepts)
    assert design.scenario(paper[-1].item)["difficulty"] == "hard"
    assert [q.number for q in paper] == list(range(1, len(paper) + 1))


@pytest.mark.parametrize("section, key", [
    ('kind = "essay"', "section[1].kind"),
    ('kind = "concept"\nchapters = ["astrology"]', "section[1].chapters"),
    ('kind = "concept"\ntopic = "pca"', "section[1].topic"),
    ('kind = "design"\nchapters = ["svm"]', "section[1].chapters"),
])
def test_malformed_sections(tmp_path, section, key):
    path = tmp_path / "bad.toml"
    path.write_text(f"minutes = 10\n[[section]]\n{section}\n")
    assert_one_line_error(runner.invoke(app, ["exam", "--blueprint", str(path)]), key)


def written_points(paper, problems):
    return sum(q.points / len(p.parts) for q, p in zip(paper, problems) for part in p.parts if part.expected is None)


def paper_script(seed, ticks="all"):
    paper = exam.make_paper(exam.load_blueprint("final"), seed)
    problems = exam.problems_for(paper)
    lines = [answer_text(p.expected) for problem in problems for p in problem.parts]
    written = sum(1 for problem in problems for p in problem.parts if p.expected is None)
    return "\n".join(lines) + "\n:submit\ny\n" + f"{ticks}\n" * written, paper, problems


def test_final_taken_scripted_self_marked_and_reviewed():
    script, paper, problems = paper_script(4)
    result = runner.invoke(app, ["exam", "--blueprint", "final", "--seed", "4"], input=script)
    assert result.exit_code == 0, result.output
    out = result.output
    assert "Now mark your written answers" in out and "Model answer:" in out
    assert "100 / 100 points" in out
    self_points = written_points(paper, problems)  # design's written sections and short concept answers
    assert self_points >= 10
    assert f"marked by you against key points: {self_points:g} / {self_points:g}" in out
    stored = json.loads(runner.invoke(app, ["history", "--json"]).output)["exams"][0]
    assert stored["score"] == 100
    assert stored["marked"]["self"] == pytest.approx([self_points, self_points])
    assert stored["marked"]["auto"] == pytest.approx([100 - self_points, 100 - self_points])
    reviewed = runner.invoke(app, ["review", "1"]).output
    assert "marked by you against key points" in reviewed and "marked by you" in reviewed.split("marked by you against key points")[1]


def test_unticked_written_answers_earn_nothing_and_say_so():
    script, paper, problems = paper_script(4, ticks="none")
    out = runner.invoke(app, ["exam", "--blueprint", "final", "--seed", "4"], input=script).output
    assert f"{100 - written_points(paper, problems):g} / 100 points" in out


def test_self_marking_cut_short_leaves_parts_unmarked():
    script, paper, problems = paper_script(4)
    cut = script[:script.index(":submit\ny\n") + len(":submit\ny\n")]  # end of input before any tick
    out = runner.invoke(app, ["exam", "--blueprint", "final", "--seed", "4"], input=cut).output
    assert "not self-marked (0)" in out


WORDS = {"zh": {"start": "Enter 开始", "end": "试卷末尾", "submit": "交卷", "intro": "现在自评", "model": "参考答案",
               "ask": "你答到了哪些要点", "split": "对照要点自评", "text": "收集并清洗数据，归一化，交叉验证"},
         "en": {"start": "Press Enter", "end": "End of paper", "submit": "Submit now", "intro": "Now mark",
                "model": "Model answer", "ask": "Which key points", "split": "marked by you against key points",
                "text": "clean the data, normalise it, cross-validate"}}


@pytest.mark.parametrize("lang, term", [("zh", "dumb"), ("en", "xterm-256color")])
def test_final_in_a_terminal(lang, term):
    """The mock final through a pty (line input in Chinese; the prompt_toolkit prompt with its live
    clock in English): go to the design question, answer it, submit, self-mark its three written
    sections."""
    words = WORDS[lang]
    paper = exam.make_paper(exam.load_blueprint("final"), 6)
    number = next(q.number for q in paper if q.kind == "design")
    problem = exam.problems_for(paper)[number - 1]
    command, *rest = mlquiz_command()
    child = pexpect.spawn(command, [*rest, "exam", "--lang", lang, "--seed", "6", "--minutes", "5"],
                          env=dict(subprocess_env(), TERM=term), encoding="utf-8", timeout=30,
                          dimensions=(50, 120))
    child.expect(words["start"])
    child.sendline("")
    child.expect("Q1a")
    child.sendline(f":g {number}")
    for i, part in enumerate(problem.parts):
        child.expect(f"Q{number}{'abcdef'[i]}")
        child.sendline(part.expected if part.expected is not None else words["text"])
    child.expect(words["end"])
    child.sendline(":submit")
    child.expect(words["submit"])
    child.sendline("y")
    child.expect(words["intro"])
    for _ in range(3):
        child.expect(words["model"])
        child.expect(words["ask"])
        child.sendline("1")
    child.expect(words["split"])
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
