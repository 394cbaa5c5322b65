"""Exam fixes: Ctrl-C, the answer on the line when time runs out, --abandon, the start prompt,
full-width commands and the countdown where the terminal cannot draw a toolbar."""

import io
import json
import re

import pexpect
import pytest
from typer.testing import CliRunner

from mlquiz import exam
from mlquiz.cli import app
from mlquiz.store import Store
from test_cli import assert_one_line_error
from test_exam import expect, paper_answers, spawn_exam

TIMED_PROMPT = r"\[\d\d:\d\d left · Q1/3\] Q1a>"

runner = CliRunner()


def start(*args, term="xterm"):
    """An exam in a pseudo-terminal, past the cover, at its first prompt; the start prompt was
    shown once."""
    child = spawn_exam("--blueprint", "quick", "--seed", "8", *args, term=term)
    child.logfile_read = screen = io.StringIO()
    expect(child, "Press Enter to start")
    child.sendline("")
    expect(child, "Q1a")
    assert screen.getvalue().count("Press Enter to start") == 1, screen.getvalue()
    return child


def finish(child, code):
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == code, child.before
    return child.before


def test_ctrl_c_prints_only_the_pause_message_then_resume_or_abandon():
    child = start("--minutes", "5")
    expect(child, r"\d\d:\d\d left")                          # the prompt is up, with its toolbar
    child.sendintr()
    expect(child, "paused")
    rest = finish(child, 130)
    assert "Traceback" not in rest and "Task exception" not in rest, rest
    refused = runner.invoke(app, ["exam"])                      # the way on: resume or abandon
    assert_one_line_error(refused, "--resume")
    assert "--abandon" in refused.output
    assert runner.invoke(app, ["exam", "--abandon"]).exit_code == 0


@pytest.mark.parametrize("readable", [True, False])
def test_answer_on_the_line_when_time_runs_out_counts_if_readable(readable):
    paper, answers = paper_answers("quick", 8)
    part = exam.problems_for(paper)[0].parts[0]
    typed = answers[0][0] if readable else "abc"
    child = start("--minutes", "0.05")
    child.send(typed)                                           # on the line, Enter not pressed
    expect(child, "Time is up", timeout=20)
    expect(child, "Solution")
    finish(child, 0)
    assert Store().answers(1) == ({(paper[0].number, part.name): typed} if readable else {})
    record = json.loads(runner.invoke(app, ["history", "--json"]).output)["exams"][0]
    assert record["finished"] and record["score"] == (10 / len(answers[0]) if readable else 0)


def paused_exam():
    """Exam 1, left open after its first answer (end of input pauses it, as Ctrl-C does)."""
    paper, answers = paper_answers("quick", 5)
    result = runner.invoke(app, ["exam", "--blueprint", "quick", "--seed", "5"], input=answers[0][0] + "\n")
    assert "paused" in result.output
    return answers


def test_abandon_keeps_the_exam_with_its_answers_and_a_new_one_can_start():
    answers = paused_exam()
    result = runner.invoke(app, ["exam", "--abandon"])
    assert result.exit_code == 0 and "Exam 1 abandoned" in result.output, result.output
    points = 10 / len(answers[0])
    record = json.loads(runner.invoke(app, ["history", "--json"]).output)["exams"][0]
    assert record["abandoned"] is True and record["score"] == pytest.approx(points)
    assert "abandoned" in runner.invoke(app, ["history"]).output
    reviewed = runner.invoke(app, ["review", "1"])
    assert reviewed.exit_code == 0 and f"{points:g} / 30 points" in reviewed.output
    fresh = runner.invoke(app, ["exam", "--blueprint", "quick", "--seed", "5"], input=":submit\ny\n")
    assert fresh.exit_code == 0 and "0 / 30 points" in fresh.output, fresh.output
    exams = json.loads(runner.invoke(app, ["history", "--json"]).output)["exams"]
    assert [e["abandoned"] for e in exams] == [True, False]


def test_abandon_errors():
    assert_one_line_error(runner.invoke(app, ["exam", "--abandon"]), "no unfinished exam to abandon")
    paused_exam()
    assert_one_line_error(runner.invoke(app, ["exam", "--abandon", "--resume"]), "--abandon and --resume")
    assert runner.invoke(app, ["exam", "--resume"], input=":submit\ny\n").exit_code == 0  # still open


def test_full_width_colon_and_letters_are_commands():
    """A Chinese keyboard types ： (and ｙ) in full width; they work as : and y."""
    script = "：g　2\n：flag\n：submit\nｙ\n"
    result = runner.invoke(app, ["exam", "--blueprint", "quick", "--seed", "5"], input=script)
    assert result.exit_code == 0, result.output
    assert "question 2 flagged" in result.output and "0 / 30 points" in result.output
    assert "not saved" not in result.output


def test_line_input_shows_the_time_left_in_each_prompt():
    result = runner.invoke(app, ["exam", "--blueprint", "quick", "--seed", "5"], input=":submit\ny\n")
    assert re.search(TIMED_PROMPT, result.output), result.output


def test_terminal_without_cursor_position_reports_gets_the_time_in_the_prompt():
    """prompt_toolkit cannot draw the bottom toolbar where the terminal does not answer CPR."""
    child = spawn_exam("--blueprint", "quick", "--seed", "8", "--minutes", "5")
    child.expect("Press Enter to start")
    child.sendline("")
    child.expect(TIMED_PROMPT, timeout=10)                      # CPR requests go unanswered
    child.sendline("：submit")
    child.expect(r"Submit now\? \(y/N\)")
    child.sendline("y")
    child.expect("0 / 30 points")
    finish(child, 0)


def test_dumb_terminal_reads_lines_with_the_time_in_the_prompt():
    child = start("--minutes", "5", term="dumb")
    assert re.search(TIMED_PROMPT, child.logfile_read.getvalue())
    child.sendline("30.0")
    child.expect(r"left · Q1/3\] Q1b> ")
    assert child.before.count("30.0") == 1, child.before         # the terminal's echo, not a second copy
    child.sendline(":submit")
    child.expect(r"\(y/N\) ")
    child.sendline("y")
    child.expect("points")
    finish(child, 0)
