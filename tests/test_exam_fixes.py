"""Exam fixes: Ctrl-C, the answer on the line when time runs out, --abandon, the start prompt,
full-width commands and the countdown where the terminal cannot draw a toolbar."""

import json

import pexpect
from typer.testing import CliRunner

from mlquiz.cli import app
from test_cli import assert_one_line_error
from test_exam import expect, spawn_exam

runner = CliRunner()


def start(*args):
    """An exam in a pseudo-terminal, past the cover, at its first prompt."""
    child = spawn_exam("--blueprint", "quick", "--seed", "8", *args)
    expect(child, "Press Enter to start")
    child.sendline("")
    expect(child, "Q1a")
    return child


def finish(child, code):
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == code, child.before
    return child.before


def test_ctrl_c_prints_only_the_pause_message():
    child = start("--minutes", "5")
    expect(child, r"\d\d:\d\d left")                          # the prompt is up, with its toolbar
    child.sendintr()
    expect(child, "paused")
    rest = finish(child, 130)
    assert "Traceback" not in rest and "Task exception" not in rest, rest
