"""Mock exams: blueprints, papers, marking, persistence, resume, history and review."""

import json
import os
import re
import shlex
import shutil
import signal
import sqlite3
import subprocess
import sys
import time

import pexpect
import pytest
from typer.testing import CliRunner

from conftest import mlquiz_command, subprocess_env
from mlquiz import exam, registry
from mlquiz.cli import app
from mlquiz.store import DB_NAME, Store
from test_cli import assert_one_line_error
from test_contract import typed

runner = CliRunner()


def paper_answers(blueprint, seed):
    """The right typed answers for every part of a paper, in order."""
    paper = exam.make_paper(exam.load_blueprint(blueprint), seed)
    return paper, [[answer_text(p.expected) for p in problem.parts] for problem in exam.problems_for(paper)]


def answer_text(expected):
    """A calculation's value typed in full; a concept's letters or t/f; a written part some words."""
    if expected is None:
        return "We collect labelled data, clean it and validate on a held-out set."
    if isinstance(expected, bool):
        return "t" if expected else "f"
    return typed(expected)


# --------------------------------------------------------------------------- blueprints and papers

def test_shipped_blueprints():
    final = exam.load_blueprint("final")
    assert {t for s in final.sections for t in s.topics} == set(registry.names())
    assert sum(s.points * s.questions for s in final.sections) == 100 and final.minutes == 90
    quick = exam.load_blueprint("quick")
    assert sum(s.questions for s in quick.sections) == 3 and quick.minutes == 15


def test_same_seed_same_paper():
    plan = exam.load_blueprint("final")
    assert exam.make_paper(plan, 12) == exam.make_paper(plan, 12)
    assert exam.make_paper(plan, 12) != exam.make_paper(plan, 13)
    assert exam.make_paper(plan, 12)[0].seed == 378024362  # pinned: a TA's seed must not drift


@pytest.mark.parametrize("text, key", [
    ("minutes = 10\n", "section"),
    ("minutes = -1\n[[section]]\ntopic='conv'\n", "minutes"),
    ("minutes = 10\n[[section]]\ntopic='nosuch'\n", "section[1].topic"),
    ("minutes = 10\n[[section]]\ntopic='conv'\ndifficulty='extreme'\n", "section[1].difficulty"),
    ("minutes = 10\n[[section]]\ntopic='conv'\nquestions=0\n", "section[1].questions"),
    ("minutes = 10\n[[section]]\ntopic='conv'\npoints='ten'\n", "section[1].points"),
    ("minutes = 10\n[[section]]\ntopic='conv'\ncolour='red'\n", "section[1].colour"),
    ("minutes = [\n", "not valid TOML"),
])
def test_malformed_blueprint_names_key_and_file(tmp_path, text, key):
    path = tmp_path / "my-paper.toml"
    path.write_text(text)
    result = runner.invoke(app, ["exam", "--blueprint", str(path)])
    assert_one_line_error(result, key)
    assert str(path) in result.output


def test_unknown_blueprint():
    assert_one_line_error(runner.invoke(app, ["exam", "--blueprint", "nosuch"]), "no blueprint 'nosuch'")


# --------------------------------------------------------------------------- marking

def test_partial_credit_and_carried_forward():
    paper, answers = paper_answers("final", 3)
    problems = exam.problems_for(paper)
    pca_index = next(i for i, q in enumerate(paper) if q.topic == "pca")
    q, problem = paper[pca_index], problems[pca_index]
    names = [p.name for p in problem.parts]
    right = dict(zip(names, answers[pca_index]))
    full = exam.mark_question(q, problem, right)
    assert full.earned == pytest.approx(q.points)
    blank = exam.mark_question(q, problem, {})
    assert blank.earned == 0 and {p.status for p in blank.parts} == {"blank"}
    # a slip in the covariance; eigenvalues computed from the wrong matrix earn their marks
    import numpy as np

    cov = np.array(problem.solution.answers["covariance"])
    cov[0][0] += 1.0
    slipped = dict(right, covariance="; ".join(", ".join(repr(v) for v in row) for row in cov.tolist()),
                   eigenvalues=", ".join(repr(float(v)) for v in sorted(np.linalg.eigvalsh(cov), reverse=True)))
    result = exam.mark_question(q, problem, slipped)
    statuses = {p.name: p.status for p in result.parts}
    assert statuses["covariance"] == "wrong" and statuses["eigenvalues"] == "carried"
    # partial credit: the covariance has 3 of its 4 entries right, so it earns 3/4 of its share
    share = q.points / len(names)
    assert result.earned == pytest.approx(share * (len(names) - 1) + share * 3 / 4)
    entry = next(p for p in result.parts if p.name == "covariance")
    assert entry.earned == pytest.approx(share * 3 / 4) and "[0][0]" in str(entry.detail)


# --------------------------------------------------------------------------- scripted (stdin not a terminal)

def test_scripted_exam_full_marks_history_and_review():
    paper, answers = paper_answers("quick", 5)
    script = "\n".join(a for question in answers for a in question) + "\n:submit\ny\n"
    result = runner.invoke(app, ["exam", "--blueprint", "quick", "--seed", "5"], input=script)
    assert result.exit_code == 0, result.output
    assert "30 / 30 points" in result.output
    history = json.loads(runner.invoke(app, ["history", "--json"]).output)
    assert history["exams"][0]["score"] == 30 and history["exams"][0]["finished"]
    shown = runner.invoke(app, ["history"]).output
    assert "Quick check" in shown and "100%" in shown
    reviewed = runner.invoke(app, ["review", "1"])
    assert reviewed.exit_code == 0 and "30 / 30 points" in reviewed.output and "Solution" in reviewed.output
    assert_one_line_error(runner.invoke(app, ["review", "7"]), "no exam 7")


def test_scripted_navigation_change_and_blanks():
    paper, answers = paper_answers("quick", 5)
    first = answers[0]
    blanks = sum(len(a) for a in answers[1:])
    script = "999\n:p\n:g 1\n" + "\n".join(first) + "\n:goto 9\n:flag\n:o\n:bogus\n:submit\nn\n:submit\ny\n"
    result = runner.invoke(app, ["exam", "--blueprint", "quick", "--seed", "5"], input=script)
    assert result.exit_code == 0, result.output
    assert "question 2 flagged" in result.output and "unknown command" in result.output
    assert f"{blanks} parts blank" in result.output and "not submitted" in result.output
    assert "10 / 30 points" in result.output  # question 1 right after changing 999


def test_unparseable_exam_answer_is_not_saved():
    result = runner.invoke(app, ["exam", "--blueprint", "quick", "--seed", "5"], input="abc\n:submit\ny\n")
    assert "not saved" in result.output and "0 / 30 points" in result.output


def test_eof_pauses_and_resume_continues():
    paper, answers = paper_answers("quick", 5)
    first = runner.invoke(app, ["exam", "--blueprint", "quick", "--seed", "5"], input=answers[0][0] + "\n")
    assert first.exit_code == 0 and "paused" in first.output
    assert_one_line_error(runner.invoke(app, ["exam"]), "still running")
    rest = [a for question in answers for a in question][1:]
    second = runner.invoke(app, ["exam", "--resume"], input="\n".join(rest) + "\n:submit\ny\n")
    assert second.exit_code == 0, second.output
    assert "Resuming exam 1" in second.output and "30 / 30 points" in second.output
    assert_one_line_error(runner.invoke(app, ["exam", "--resume"]), "no unfinished exam")


def test_resume_after_the_clock_ran_out_marks_saved_answers():
    paper, answers = paper_answers("quick", 5)
    runner.invoke(app, ["exam", "--blueprint", "quick", "--seed", "5", "--minutes", "0.02"], input=answers[0][0] + "\n")
    time.sleep(1.5)
    result = runner.invoke(app, ["exam", "--resume"])
    assert result.exit_code == 0 and "ran out of time" in result.output
    points = 10 / len(answers[0])  # one part of question 1 right
    assert f"{points:g} / 30 points" in result.output


# --------------------------------------------------------------------------- storage

def test_corrupt_database_is_one_line_and_untouched(tmp_path, monkeypatch):
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("MLQUIZ_HOME", str(home))
    db = home / DB_NAME
    db.write_bytes(b"this is not a database" * 100)
    before = db.read_bytes()
    result = runner.invoke(app, ["history"])
    assert_one_line_error(result, str(db))
    assert "move it away" in result.output
    assert db.read_bytes() == before


def test_newer_database_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("MLQUIZ_HOME", str(tmp_path))
    with sqlite3.connect(tmp_path / DB_NAME) as connection:
        connection.execute("PRAGMA user_version = 99")
        connection.execute("CREATE TABLE exam (id INTEGER)")
    assert_one_line_error(runner.invoke(app, ["history"]), "newer mlquiz")


def test_foreign_sqlite_file_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("MLQUIZ_HOME", str(tmp_path))
    with sqlite3.connect(tmp_path / DB_NAME) as connection:
        connection.execute("CREATE TABLE photos (id INTEGER)")
    assert_one_line_error(runner.invoke(app, ["history"]), "not an mlquiz database")


def test_practice_is_recorded_once_per_finished_problem():
    from mlquiz import engine

    first = len(engine.generate("conv", 1, "easy").parts)
    runner.invoke(app, ["practice", "conv", "--seed", "1", "-d", "easy", "--count", "2"], input="skip\n" * first)
    rows = Store().practice_rows()
    assert len(rows) == 1 and rows[0]["topic"] == "conv" and rows[0]["seed"] == 1  # the unfinished 2nd is not


WRITER = """
import sys
from mlquiz import engine
from mlquiz.interact import Outcome
from mlquiz.store import Store
store = Store()
problem = engine.generate("entropy", 1, "easy")
for i in range(int(sys.argv[1])):
    store.record_practice(problem, [Outcome("entropy", "right", 1), Outcome("information_gain", "wrong", 2)])
"""


def test_two_processes_recording_at_once_lose_nothing():
    env = subprocess_env()
    writers = [subprocess.Popen([sys.executable, "-c", WRITER, "150"], env=env) for _ in range(2)]
    assert all(w.wait(timeout=120) == 0 for w in writers)
    assert len(Store().practice_rows()) == 300


# --------------------------------------------------------------------------- in a real terminal

CPR_REQUEST = "\x1b[6n"


def expect(child, pattern, timeout=30):
    """Like child.expect, answering prompt_toolkit's cursor-position requests as a terminal does
    (without an answer it leaves out the bottom toolbar)."""
    while True:
        if child.expect([pattern, re_escape(CPR_REQUEST)], timeout=timeout) == 0:
            return child.match
        child.send("\x1b[1;1R")


def re_escape(text):
    import re

    return re.escape(text)


def spawn_exam(*args, term="xterm"):
    command, *rest = mlquiz_command()
    env = dict(subprocess_env(), TERM=term)
    return pexpect.spawn(command, [*rest, "exam", *args], env=env, encoding="utf-8", timeout=30, dimensions=(50, 120))


def test_quick_exam_in_a_terminal_answer_back_change_flag_submit():
    paper, answers = paper_answers("quick", 8)
    child = spawn_exam("--blueprint", "quick", "--seed", "8", "--minutes", "2")
    expect(child, "Press Enter to start")
    child.sendline("")
    expect(child, "Q1a")
    expect(child, r"\d\d:\d\d left")                        # the countdown toolbar
    child.sendline("12345")                                  # a wrong answer, changed below
    expect(child, "Q1b" if len(answers[0]) > 1 else "Q2a")
    child.sendline(":g 1")
    expect(child, "Q1a")
    child.sendline(answers[0][0])                            # change the answer
    for answer in answers[0][1:]:
        child.sendline(answer)
    expect(child, "Q2a")
    child.sendline(":flag")
    expect(child, "question 2 flagged")
    child.sendline(":submit")
    expect(child, "blank")
    child.sendline("y")
    expect(child, "points")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    record = json.loads(runner.invoke(app, ["history", "--json"]).output)["exams"][0]
    assert record["score"] == 10 and record["finished"]


def test_exam_clock_runs_out_in_a_terminal():
    child = spawn_exam("--blueprint", "quick", "--seed", "8", "--minutes", "0.05")
    expect(child, "Press Enter to start")
    child.sendline("")
    expect(child, "Q1a")
    expect(child, "Time is up", timeout=20)
    expect(child, "Solution")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert json.loads(runner.invoke(app, ["history", "--json"]).output)["exams"][0]["finished"]


def test_kill_mid_exam_then_resume_keeps_every_answer():
    paper, answers = paper_answers("quick", 8)
    flat = [a for question in answers for a in question]
    child = spawn_exam("--blueprint", "quick", "--seed", "8", "--minutes", "5")
    expect(child, "Press Enter to start")
    child.sendline("")
    expect(child, "Q1a")
    for answer in flat[:3]:
        child.sendline(answer)
        expect(child, "> ")
    time.sleep(0.5)
    os.kill(child.pid, signal.SIGKILL)
    child.close()
    assert len(Store().answers(1)) == 3
    result = runner.invoke(app, ["exam", "--resume"], input="\n".join(flat[3:]) + "\n:submit\ny\n")
    assert result.exit_code == 0, result.output
    assert "30 / 30 points" in result.output


@pytest.mark.skipif(shutil.which("tmux") is None, reason="needs tmux to read the screen")
def test_countdown_updates_while_the_student_thinks(tmp_path):
    """Read the screen twice through tmux without typing: the time left must have gone down."""
    session = f"mlquiz-{os.getpid()}"
    env = subprocess_env()
    command = " ".join([*mlquiz_command(), "exam", "--blueprint", "quick", "--seed", "3", "--minutes", "3"])
    exports = " ".join(f"{k}={shlex.quote(v)}" for k, v in env.items()
                       if k in ("PYTHONPATH", "MLQUIZ_HOME", "NO_COLOR", "PATH"))
    subprocess.run(["tmux", "new-session", "-d", "-s", session, "-x", "100", "-y", "40",
                    f"env {exports} TERM=xterm {command}"], check=True)
    try:
        def screen():
            return subprocess.run(["tmux", "capture-pane", "-p", "-t", session], capture_output=True,
                                  text=True).stdout

        def wait_for(pattern, seconds=20):
            end = time.time() + seconds
            while time.time() < end:
                found = re.search(pattern, screen())
                if found:
                    return found
                time.sleep(0.2)
            raise AssertionError(f"{pattern!r} never appeared:\n{screen()}")

        wait_for("Press Enter to start")
        subprocess.run(["tmux", "send-keys", "-t", session, "Enter"], check=True)
        first = wait_for(r"(\d\d):(\d\d) left")
        time.sleep(3)
        later = wait_for(r"(\d\d):(\d\d) left")
        seconds = [int(m.group(1)) * 60 + int(m.group(2)) for m in (first, later)]
        assert seconds[0] - seconds[1] >= 2, seconds
    finally:
        subprocess.run(["tmux", "kill-session", "-t", session], capture_output=True)


def test_a_section_draws_from_a_pool_of_topics(tmp_path):
    path = tmp_path / "pool.toml"
    path.write_text('minutes = 30\n[[section]]\ntopics = ["entropy", "pca", "conv"]\nquestions = 5\npoints = 4\n')
    plan = exam.load_blueprint(str(path))
    topics = [q.topic for q in exam.make_paper(plan, 7)]
    assert set(topics[:3]) == {"entropy", "pca", "conv"} and len(topics) == 5  # each once before repeats
    assert topics == [q.topic for q in exam.make_paper(plan, 7)]  # the seed decides
    both = tmp_path / "both.toml"
    both.write_text('minutes = 30\n[[section]]\ntopic = "pca"\ntopics = ["conv"]\n')
    assert runner.invoke(app, ["exam", "--blueprint", str(both)]).exit_code == 2
