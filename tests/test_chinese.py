"""中文界面: the language is chosen by --lang, MLQUIZ_LANG, the stored setting or the locale, and
then everything a user reads is Chinese; layouts hold with double-width characters."""

import json
import re
import subprocess

import pexpect
import pytest
from rich.cells import cell_len
from rich.console import Console
from typer.testing import CliRunner

from conftest import mlquiz_command, subprocess_env
from mlquiz import engine, exam, exam_ui, marking, registry, render, text
from mlquiz.cli import app
from test_contract import typed
from test_exam import expect, paper_answers

runner = CliRunner()
# Symbols of formulas (log, IG, SplitInfo, …), units and the course's Latin names (sigmoid, PCA,
# DQN): the only Latin words a Chinese page may show besides the problem's own names.
FORMULA_WORDS = {"log", "ln", "max", "argmax", "IG", "Gini", "SplitInfo", "GainRatio", "ID", "TD", "DQN", "Q",
                 "target", "sigmoid", "out", "hid", "new", "grad", "in", "PC", "PCA", "tr", "det", "end", "min",
                 "mlquiz", "json", "data", "seed", "learning",  # learning: Q-learning, the method's name
                 "tanh", "softmax", "xh", "hh", "hy"}  # the RNN's functions and W_xh, W_hh, W_hy


@pytest.fixture
def chinese():
    text.set_language("zh")
    yield
    text.set_language("en")


def shell(*args, **env):
    command = mlquiz_command()
    base = {k: v for k, v in subprocess_env().items() if k not in ("LANG", "LC_ALL", "LC_MESSAGES", "MLQUIZ_LANG")}
    return subprocess.run([*command, *args], env={**base, **env}, capture_output=True, text=True, timeout=60)


def test_the_locale_chooses_chinese():
    result = shell("show", "entropy", "--seed", "1", "--solution", LANG="zh_CN.UTF-8")
    assert result.returncode == 0, result.stderr
    assert "信息增益" in result.stdout and "条件熵" in result.stdout
    assert not re.search(r"[A-Za-z]{2,} [a-z]{2,} [a-z]{2,}", result.stdout)  # no English sentence


def test_the_flag_and_the_variable_override_the_locale():
    assert "Entropy of the whole set" in shell("--lang", "en", "show", "entropy", "--seed", "1", "--solution",
                                                LANG="zh_CN.UTF-8").stdout
    assert "Entropy of the whole set" in shell("show", "entropy", "--seed", "1", "--solution", "--lang", "en",
                                                LC_ALL="zh_CN.UTF-8").stdout
    assert "信息增益" in shell("show", "entropy", "--seed", "1", "--solution", MLQUIZ_LANG="zh",
                              LANG="en_US.UTF-8").stdout
    assert "信息增益" in shell("show", "entropy", "--seed", "1", "--solution", LANG="en_US.UTF-8",
                              LC_ALL="zh_CN.UTF-8").stdout


def test_a_stored_setting_is_used_and_the_variable_beats_it():
    assert runner.invoke(app, ["config", "set", "lang", "zh"]).exit_code == 0
    shown = runner.invoke(app, ["show", "entropy", "--seed", "1"])
    assert "信息熵" in shown.output or "熵" in shown.output
    assert "Find:" in shell("show", "entropy", "--seed", "1", MLQUIZ_LANG="en",
                            MLQUIZ_HOME=subprocess_env().get("MLQUIZ_HOME", "")).stdout
    bad = runner.invoke(app, ["--lang", "fr", "list"])
    assert bad.exit_code == 2 and "--lang" in bad.output


def test_help_and_errors_are_chinese():
    result = runner.invoke(app, ["--lang", "zh", "solve", "entropy", "--help"])
    assert result.exit_code == 0 and "用法" in result.output and "选项" in result.output
    assert "Show this message" not in result.output and "Usage" not in result.output
    for args in (["--lang", "zh", "solve", "pca", "--data", "1,2;x,4"], ["--lang", "zh", "review", "7"],
                 ["--lang", "zh", "solve", "entropy", "--data", "4,2", "--lr", "1"],
                 ["--lang", "zh", "show", "nosuch"], ["--lang", "zh", "check", "entropy", "--data", "4,2;1,3",
                                                      "--work", "nosuch=1"]):
        error = runner.invoke(app, args)
        assert error.exit_code == 2, args
        line = error.output.strip()
        assert "\n" not in line and re.search(r"[\u4e00-\u9fff]", line), (args, line)
        prose = re.sub(r"`[^`]*`", "", line)  # commands quoted in backticks stay as typed
        assert not re.search(r"[A-Za-z]{3,} [a-z]{3,} [a-z]{3,}", prose), (args, line)


def _latin_words(page: str, problem) -> set[str]:
    """Latin words of a page once the problem's own names (attributes, classes, states, answer
    names, the topic) are taken out."""
    names = {problem.topic, *(name for name, _ in render.flatten_answers(problem.solution.answers))}
    stack = [problem.given]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            names.add(item)
        elif isinstance(item, dict):
            stack += [*map(str, item), *item.values()]
        elif isinstance(item, list):
            stack += item
    for name in sorted(names, key=len, reverse=True):
        if len(name) > 1:
            page = page.replace(name, " ")
    return set(re.findall(r"[A-Za-z]{2,}", page)) - FORMULA_WORDS


@pytest.mark.parametrize("topic", registry.names())
def test_every_solution_reads_in_chinese(topic, chinese):
    for difficulty in ("easy", "medium", "hard"):
        for seed in range(6):
            problem = engine.generate(topic, seed, difficulty)
            console = Console(width=100, no_color=True, record=True)
            with console.capture() as capture:
                console.print(render.problem_view(problem))
                console.print(render.solution_view(problem.solution))
                console.print(render.answers_view(problem))
            page = capture.get()
            assert re.search(r"[\u4e00-\u9fff]", page)
            assert not _latin_words(page, problem), (topic, difficulty, seed, _latin_words(page, problem))


@pytest.mark.parametrize("width", [100, 80, 60])
def test_layout_holds_with_double_width_characters(width, chinese):
    def widest(*views):
        console = Console(width=width, no_color=True)
        with console.capture() as capture:
            for view in views:
                console.print(view)
        return max(map(cell_len, capture.get().splitlines()))

    for topic in registry.names():
        problem = engine.generate(topic, 3, "hard")
        parts = marking.checkpoints(problem)
        work = marking.parse_work([f"{p.name}={typed(p.expected)}" for p in parts[:2]], parts)
        assert widest(render.problem_view(problem), render.solution_view(problem.solution),
                      render.answers_view(problem), render.report_view(marking.mark(problem, work))) <= width
    paper = exam.make_paper(exam.load_blueprint("quick"), 4)
    problems = exam.problems_for(paper)
    state = exam_ui.ExamState(1, "模拟考试", 0, paper, problems)
    results = [exam.mark_question(q, p, {}) for q, p in zip(paper, problems)]
    assert widest(exam_ui.cover_view(state, 15), exam_ui.question_view(state), exam_ui.overview_view(state),
                  exam_ui.paper_view("模拟考试", results)) <= width


def test_json_keys_stay_english_and_prose_follows_the_language():
    record = json.loads(runner.invoke(app, ["--lang", "zh", "show", "entropy", "--seed", "2", "--solution",
                                            "--json"]).output)
    assert {"topic", "seed", "statement", "given", "parts", "answers", "steps"} <= set(record)
    assert re.search(r"[\u4e00-\u9fff]", record["statement"]) and re.search(r"[\u4e00-\u9fff]",
                                                                         record["steps"][0]["title"])
    assert "entropy" in record["answers"]


def test_a_chinese_mock_exam_in_a_terminal():
    paper, answers = paper_answers("quick", 8)
    command, *rest = mlquiz_command()
    env = dict(subprocess_env(), TERM="xterm", MLQUIZ_LANG="zh")
    child = pexpect.spawn(command, [*rest, "exam", "--blueprint", "quick", "--seed", "8", "--minutes", "3"],
                          env=env, encoding="utf-8", timeout=30, dimensions=(50, 120))
    expect(child, "按 Enter 开始")
    child.sendline("")
    expect(child, "Q1a")
    expect(child, "剩余")                                     # the countdown, in Chinese
    for question in answers:
        for answer in question:
            child.sendline(answer)
    expect(child, "试卷末尾")
    child.sendline("：s")                                     # a full-width colon from a Chinese keyboard
    expect(child, "交卷吗")
    child.sendline("是")
    expect(child, "30 / 30")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    review = runner.invoke(app, ["--lang", "zh", "review", "1"])
    assert review.exit_code == 0 and "30 / 30" in review.output and "解答" in review.output
    history = runner.invoke(app, ["--lang", "zh", "history"])
    assert "模拟考试" in history.output or "考试" in history.output
