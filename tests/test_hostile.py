"""Hostile input for every command: whatever is typed, the answer is a sensible result or one line
of error with exit code 2 — never a traceback, a hang or a huge allocation."""

import os
import sqlite3
import time

import pexpect
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rich.cells import cell_len
from typer.testing import CliRunner

from conftest import mlquiz_command, subprocess_env
from mlquiz import engine, registry, store
from mlquiz.cli import app
from test_contract import typed

runner = CliRunner()

NASTY = ["", " ", "\t\n", "٣,٤;١,٢", "４，２；１，３", "（1+2）", "nan", "inf", "-inf", "1e999", "-0", "0,0;0,0",
         "9" * 10_000, "(" * 500 + "1" + ")" * 500, "__import__('os')", "2**2**2**2**2", "1/0", "1;;2", ",,,",
         "\x00", "💥", "n=999999999,f=1", "input n=5 c=1;" + "conv f=1 c=1;" * 40, "1e308,1e308;1e308,1e308",
         "-1,2;3,4", "n=32,f=5,p=2,s=1;" * 3, "0.1" * 3000, "[" * 100, "1,2;3,4;" * 3000]
TEXT = st.one_of(st.sampled_from(NASTY), st.text(max_size=60),
                 st.text(alphabet="0123456789.,;-+/()[]eE ，；（）nsfpdc=", max_size=80))
FAST = settings(max_examples=60, deadline=5000, suppress_health_check=[HealthCheck.too_slow,
                                                                    HealthCheck.function_scoped_fixture])


def assert_clean(result, allowed=(0, 2)):
    """Exit 0 with output, or exit 2 with exactly one line starting `mlquiz: error:`; no traceback."""
    assert result.exit_code in allowed, (result.exit_code, result.output[-500:])
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    if result.exit_code == 2:
        lines = [line for line in result.output.splitlines() if line.strip()]
        assert len(lines) == 1 and lines[0].startswith("mlquiz: error:"), result.output[-500:]
        assert len(lines[0]) < 400


def run(*args, **kwargs):
    start = time.monotonic()
    result = runner.invoke(app, [str(a) for a in args], **kwargs)
    assert time.monotonic() - start < 10, args  # bounded: no hang
    return result


@pytest.mark.parametrize("topic", registry.names())
@FAST
@given(data=TEXT)
def test_any_data(topic, data):
    assert_clean(run("solve", topic, "--data", data))


@FAST
@given(values=st.lists(TEXT, min_size=1, max_size=4))
def test_backprop_and_qlearning_options(values):
    v = (values * 4)[:4]
    assert_clean(run("solve", "backprop", "--x", v[0], "--w1", v[1], "--w2", v[2], "--target", v[3]))
    assert_clean(run("solve", "backprop", "--x", "1,2", "--w1", "0.5,0.5", "--upstream", v[0], "--lr", v[1]))
    assert_clean(run("solve", "qlearning", "--q", v[0], "--transitions", v[1], "--alpha", v[2], "--gamma", v[3]))
    assert_clean(run("solve", "qlearning", "--q", "0,0;0,0", "--transitions", "0,1,1,1", "--target-q", v[0]))


@FAST
@given(name=st.one_of(st.sampled_from(["mean", "covariance", "covariance[0][0]", "eigenvalues[9]",
                                       "covariance[x]", "[", "", "projections[0]"]), st.text(max_size=20)),
       value=TEXT)
def test_any_work(name, value):
    assert_clean(run("check", "pca", "--data", "2.5,2.4;0.4,0.7;2.2,2.9", "--work", f"{name}={value}"))


@FAST
@given(answers=st.lists(TEXT, max_size=8))
def test_any_typed_answers_in_practice_and_check(answers):
    script = "\n".join(a.replace("\n", " ") for a in answers) + "\n"
    assert_clean(run("practice", "entropy", "--seed", "1", "-d", "easy", input=script))
    assert_clean(run("check", "conv", "--data", "n=32,f=3", input=script))


@FAST
@given(answers=st.lists(TEXT, max_size=8))
def test_any_typed_answers_in_an_exam(answers):
    script = "\n".join(a.replace("\n", " ") for a in answers) + "\n:submit\ny\n"
    assert_clean(run("exam", "--blueprint", "quick", "--seed", "2", input=script))


@FAST
@given(answers=st.lists(TEXT, max_size=12), seed=st.integers(0, 50))
def test_any_typed_answers_in_a_quiz_and_a_design(answers, seed):
    script = "\n".join(a.replace("\n", " ") for a in answers) + "\n"
    assert_clean(run("quiz", "--count", "4", "--seed", str(seed), input=script))
    assert_clean(run("design", "--seed", str(seed), input=script))


@pytest.mark.parametrize("args", [
    ("show", "entropy", "--seed", "99999999999999999999"), ("show", "pca", "--seed", "-5"),
    ("show", "conv", "--difficulty", "💥"), ("practice", "q", "--count", "0"), ("practice", "q", "--count", "1e9"),
    ("solve", "pca", "--data", "1,2;3,4", "--k", "-1"), ("solve", "pca", "--data", "1,2;3,4", "--k", "nan"),
    ("solve", "entropy", "--data", "4,2", "--base", "nan"), ("exam", "--minutes", "nan"), ("exam", "--minutes", "inf"),
    ("exam", "--minutes", "-1"), ("exam", "--blueprint", ""), ("review", "-1"), ("review", "abc"),
    ("solve", "", "--data", "1"), ("solve", "💥", "--data", "1"), ("list", "--json", "--bogus"),
    ("quiz", "💥"), ("quiz", ""), ("quiz", "--count", "0"), ("quiz", "--count", "1e9"), ("quiz", "--kind", ""),
    ("quiz", "--kind", ",,,"), ("quiz", "--kind", "single;rm"), ("quiz", "--seed", "-1"), ("quiz", "-d", "\x00"),
    ("design", "--scenario", ""), ("design", "--scenario", "../../etc/passwd"), ("design", "--seed", "1e99"),
    ("list", "💥"), ("list", "chapters", "extra"),
])
def test_option_values(args):
    assert_clean(run(*args))


# --------------------------------------------------------------------------- files

def test_files(tmp_path):
    cases = {"empty.csv": b"", "bom.csv": "\ufeffA,Y\nx,1\ny,2\n".encode(), "ragged.csv": b"A,B,Y\n1,2,3\n1\n",
             "text.csv": b"x,y\n1,a\n2,b\n", "binary.csv": bytes(range(256)), "blank.csv": b"\n\n\n"}
    for name, content in cases.items():
        (tmp_path / name).write_bytes(content)
    for name in cases:
        for topic, extra in (("entropy", ["--target", "Y"]), ("pca", [])):
            assert_clean(run("solve", topic, "--data", str(tmp_path / name), *extra))
    assert run("solve", "entropy", "--data", str(tmp_path / "bom.csv"), "--target", "Y").exit_code == 0
    assert_clean(run("solve", "pca", "--data", str(tmp_path / "missing.csv")), allowed=(2,))
    assert_clean(run("solve", "pca", "--data", str(tmp_path)), allowed=(2,))
    assert_clean(run("solve", "entropy", "--data", str(tmp_path / "bom.csv"), "--target", "nope"), allowed=(2,))


@pytest.mark.skipif(os.geteuid() == 0, reason="root can read a file whatever its mode")
def test_unreadable_file(tmp_path):
    path = tmp_path / "secret.csv"
    path.write_text("A,Y\nx,1\n")
    path.chmod(0)
    assert_clean(run("solve", "entropy", "--data", str(path), "--target", "Y"), allowed=(2,))


def test_hundred_thousand_rows(tmp_path):
    path = tmp_path / "big.csv"
    lines = ["Outlook,Wind,Play"] + [f"{['Sunny', 'Rain', 'Overcast'][i % 3]},{['Weak', 'Strong'][i % 7 % 2]},"
                                     f"{['Yes', 'No'][i % 5 % 2]}" for i in range(100_000)]
    path.write_text("\n".join(lines))
    start = time.monotonic()
    assert run("solve", "entropy", "--data", str(path), "--target", "Play").exit_code == 0
    ids = tmp_path / "ids.csv"
    ids.write_text("id,Play\n" + "\n".join(f"{i},{i % 2}" for i in range(100_000)))
    assert_clean(run("solve", "entropy", "--data", str(ids), "--target", "Play"), allowed=(2,))
    big_pca = tmp_path / "points.csv"
    big_pca.write_text("\n".join(f"{i % 17},{i % 13}" for i in range(100_000)))
    assert_clean(run("solve", "pca", "--data", str(big_pca)), allowed=(2,))
    assert time.monotonic() - start < 15


# --------------------------------------------------------------------------- interactive endings

@pytest.mark.parametrize("topic", registry.names())
def test_eof_at_every_prompt_of_practice_ends_cleanly(topic):
    problem = engine.generate(topic, 4, "medium")
    answers = [typed(p.expected) for p in problem.parts]
    for cut in range(len(answers) + 1):
        result = run("practice", topic, "--seed", "4", input="\n".join(answers[:cut]) + ("\n" if cut else ""))
        assert_clean(result, allowed=(0,))
        assert f"Score: {cut}/" in result.output


def test_eof_at_every_prompt_of_check_and_exam():
    for cut in range(4):
        assert_clean(run("check", "entropy", "--data", "4,2;1,3", input="1\n" * cut), allowed=(0,))
        result = run("exam", "--blueprint", "quick", "--seed", "1", input="1\n" * cut)
        assert_clean(result, allowed=(0,))
        assert "paused" in result.output
        run("exam", "--resume", input=":submit\ny\n")


def spawn(*args):
    command, *rest = mlquiz_command()
    return pexpect.spawn(command, [*rest, *args], env=dict(subprocess_env(), TERM="xterm"), encoding="utf-8",
                         timeout=30, dimensions=(40, 100))


def answer_cpr_until(child, pattern):
    while child.expect([pattern, r"\x1b\[6n"]) == 1:
        child.send("\x1b[1;1R")


@pytest.mark.parametrize("args, prompt", [
    (("check", "pca", "--data", "1,2;3,5;4,4"), "yours> "),
    (("exam", "--blueprint", "quick", "--seed", "3", "--minutes", "5"), "Q1a"),
])
def test_ctrl_c_exits_130_with_nothing_half_recorded(args, prompt):
    child = spawn(*args)
    if args[0] == "exam":
        answer_cpr_until(child, "Press Enter")
        child.sendline("")
    answer_cpr_until(child, prompt)
    child.sendintr()
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    if args[0] == "exam":
        assert "paused" in child.before
        rows = store.Store().exams()
        assert len(rows) == 1 and rows[0]["finished_at"] is None and store.Store().answers(rows[0]["id"]) == {}


# --------------------------------------------------------------------------- narrow terminals

def test_forty_columns_still_render(monkeypatch):
    monkeypatch.setenv("COLUMNS", "40")
    outputs = [run("list"), run("check", "conv", "--data", "n=32,f=3", "--work", "output_size=29")]
    for topic in registry.topics():
        outputs.append(run("show", topic.name, "--seed", "3", "--solution"))
    outputs.append(run("exam", "--blueprint", "quick", "--seed", "3", input=":submit\ny\n"))
    outputs.append(run("history"))
    for result in outputs:
        assert result.exit_code == 0, result.output
        widest = max(result.output.splitlines(), key=cell_len)
        assert cell_len(widest) <= 40, widest


# --------------------------------------------------------------------------- storage

def test_data_directory_that_cannot_be_created(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("MLQUIZ_HOME", str(blocker / "home"))
    assert_clean(run("history"), allowed=(2,))
    result = run("practice", "conv", "--seed", "1", "-d", "easy", input="skip\nskip\n")
    assert result.exit_code == 0 and "not recording this session" in result.output


def test_locked_database(monkeypatch):
    monkeypatch.setattr(store, "BUSY_SECONDS", 0.2)
    store.Store().connect()
    holder = sqlite3.connect(store.Store().path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        result = run("exam", "--blueprint", "quick", "--seed", "1", input=":submit\ny\n")
        assert result.exit_code == 2 and "Traceback" not in result.output
        last = result.output.strip().splitlines()[-1]
        assert last.startswith("mlquiz: error:") and "locked" in last  # after the cover, when it must write
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def test_full_disk_keeps_what_was_saved(monkeypatch):
    first = run("exam", "--blueprint", "quick", "--seed", "1", input="1\n")
    assert "paused" in first.output
    real_execute = sqlite3.Connection.execute

    class Full(sqlite3.Connection):
        def execute(self, sql, *args):
            if sql.startswith("INSERT INTO answer"):
                raise sqlite3.OperationalError("database or disk is full")
            return real_execute(self, sql, *args)

    real_connect = sqlite3.connect
    monkeypatch.setattr(sqlite3, "connect", lambda *a, **k: real_connect(*a, factory=Full, **k))
    result = run("exam", "--resume", input="2\n")
    assert result.exit_code == 2 and "Traceback" not in result.output
    last = result.output.strip().splitlines()[-1]
    assert last.startswith("mlquiz: error:") and "disk is full" in last
    monkeypatch.setattr(sqlite3, "connect", real_connect)
    assert list(store.Store().answers(1).values()) == ["1"]  # the answer saved before is still there


def test_read_only_data_directory(monkeypatch):
    """As root a chmod cannot make a folder read-only, so SQLite's own answer is simulated."""
    run("exam", "--blueprint", "quick", "--seed", "1", input="1\n")  # one answer saved, exam paused
    real_connect = sqlite3.connect

    class ReadOnly(sqlite3.Connection):
        def execute(self, sql, *args):
            if sql.startswith(("INSERT", "UPDATE", "DELETE", "BEGIN IMMEDIATE")):
                raise sqlite3.OperationalError("attempt to write a readonly database")
            return sqlite3.Connection.execute(self, sql, *args)

    monkeypatch.setattr(sqlite3, "connect", lambda *a, **k: real_connect(*a, factory=ReadOnly, **k))
    result = run("exam", "--resume", input="2\n")
    assert result.exit_code == 2 and "Traceback" not in result.output
    last = result.output.strip().splitlines()[-1]
    assert last.startswith("mlquiz: error:") and "read-only" in last and "MLQUIZ_HOME" in last
    monkeypatch.setattr(sqlite3, "connect", real_connect)
    assert list(store.Store().answers(1).values()) == ["1"]
