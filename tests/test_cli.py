"""The commands as a user runs them (Typer's CliRunner)."""

import json

import pytest
from typer.testing import CliRunner

from mlquiz.cli import app

runner = CliRunner()


def run(*args, input=None):
    return runner.invoke(app, list(args), input=input)


def assert_one_line_error(result, fragment):
    assert result.exit_code == 2, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1, result.output
    assert lines[0].startswith("mlquiz: error:") and fragment in lines[0], lines[0]
    assert "Traceback" not in result.output


def test_version_and_help():
    assert run("--version").output.strip().startswith("mlquiz ")
    result = run("--help")
    assert result.exit_code == 0 and "practice" in result.output and "solve" in result.output


def test_list_plain_and_json():
    result = run("list")
    assert result.exit_code == 0 and "entropy" in result.output
    topics = json.loads(run("list", "--json").output)
    assert {"name", "aliases", "summary", "data_format"} <= set(topics[0])
    assert "entropy" in [t["name"] for t in topics]


def test_solve_counts_json_information_gain():
    result = run("solve", "entropy", "--data", "4,2;1,3", "--json")
    assert result.exit_code == 0, result.output
    record = json.loads(result.output)
    assert set(record) >= {"topic", "seed", "given", "answers", "steps"}
    assert record["answers"]["information_gain"] == pytest.approx(0.1245, abs=5e-4)
    assert record["steps"][0]["title"] and "formula" in record["steps"][0] and "value" in record["steps"][0]


def test_solve_alias_and_bases():
    bits = json.loads(run("solve", "infogain", "--data", "4,2;1,3", "--json").output)["answers"]["entropy"]
    nats = json.loads(run("solve", "entropy", "--data", "4,2;1,3", "--base", "e", "--json").output)
    assert bits == pytest.approx(1.0) and nats["answers"]["entropy"] == pytest.approx(0.693147, abs=1e-6)


def test_solve_csv_table(tmp_path):
    from mlquiz.engine import problems_dir

    csv_path = tmp_path / "weather.csv"
    csv_path.write_text((problems_dir() / "entropy" / "playtennis.csv").read_text(), encoding="utf-8")
    result = run("solve", "entropy", "--data", str(csv_path), "--target", "play")
    assert result.exit_code == 0, result.output
    assert "Outlook" in result.output and "0.2467" in result.output
    record = json.loads(run("solve", "entropy", "--data", str(csv_path), "--target", "Play", "--json").output)
    assert record["answers"]["best_attribute"] == "Outlook"


def test_csv_with_bom_is_read(tmp_path):
    path = tmp_path / "t.csv"
    path.write_bytes("\ufeffA,Y\nx,1\ny,2\nx,1\n".encode("utf-8"))
    assert run("solve", "entropy", "--data", str(path), "--target", "Y").exit_code == 0


def test_show_is_reproducible_and_solution():
    first, second = run("show", "entropy", "--seed", "7"), run("show", "entropy", "--seed", "7")
    assert first.exit_code == 0 and first.output == second.output and "seed 7" in first.output
    solved = run("show", "entropy", "--seed", "7", "--solution")
    assert "Solution" in solved.output and "Answers" in solved.output
    record = json.loads(run("show", "entropy", "--seed", "7", "--difficulty", "hard", "--json", "--solution").output)
    assert record["seed"] == 7 and "gain_ratio" in record["answers"]


def test_practice_scripted_answers():
    from mlquiz import engine

    problem = engine.generate("entropy", 3, "easy")
    answers = [f"{p.expected:.4f}" for p in problem.parts]
    result = run("practice", "entropy", "--seed", "3", "--difficulty", "easy", input="abc\n?\n" + "\n".join(answers) + "\n")
    assert result.exit_code == 0, result.output
    assert "seed 3" in result.output
    assert "could not read that" in result.output and "log2(3)" in result.output  # explains the forms
    assert "hint" in result.output
    assert f"Score: {len(answers)}/{len(answers)} parts right" in result.output


def test_practice_wrong_twice_reveals_and_eof_ends_cleanly():
    result = run("practice", "entropy", "--seed", "3", "--difficulty", "easy", input="0.1\n0.2\n")
    assert result.exit_code == 0
    assert "the right value is" in result.output
    assert "Score: 0/2 parts right" in result.output  # EOF at the second part: the score so far


def test_practice_skip_and_count():
    result = run("practice", "entropy", "--seed", "5", "-d", "easy", "--count", "2", input="skip\n" * 6)
    assert result.exit_code == 0 and result.output.count("Solution") == 2
    assert "seed 5" in result.output and "seed 6" in result.output


def test_practice_from_bank():
    result = run("practice", "entropy", "--bank", "--seed", "0", input="1\n0.8755\n0.1245\n")
    assert "notes-income" in result.output and "Score: 3/3" in result.output


@pytest.mark.parametrize("args, fragment", [
    (("solve", "entropy", "--data", "4,x"), "'x' in row 1"),
    (("solve", "entropy", "--data", "4,2;1"), "different numbers of classes"),
    (("solve", "entropy", "--data", "4,2;0,0"), "no samples"),
    (("solve", "entropy", "--data", ""), "empty"),
    (("solve", "entropy"), "needs --data"),
    (("solve", "entropy", "--data", "4,2", "--base", "3"), "--base"),
    (("solve", "nosuch", "--data", "1"), "unknown topic"),
    (("solve", "entropy", "--data", "missing.csv", "--target", "y"), "no such file"),
    (("solve", "entropy", "--data", "problems/entropy/playtennis.csv"), "--target"),
    (("solve", "entropy", "--data", "problems/entropy/playtennis.csv", "--target", "nope"), "no column 'nope'"),
    (("show", "entropy", "--difficulty", "extreme"), "unknown difficulty"),
    (("show", "entropy", "--seed", "-1"), "--seed"),
    (("show", "entropy", "--frobnicate"), "No such option"),
    (("review", "--minutes", "0"), "--minutes"),
    (("show", "entropy", "--seed", "abc"), "valid integer"),
])
def test_errors_are_one_line_exit_2(args, fragment, monkeypatch):
    from mlquiz.engine import problems_dir

    monkeypatch.chdir(problems_dir().parent)
    assert_one_line_error(run(*args), fragment)


def test_file_errors(tmp_path):
    assert_one_line_error(run("solve", "entropy", "--data", str(tmp_path), "--target", "y"), "directory")
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    assert_one_line_error(run("solve", "entropy", "--data", str(empty), "--target", "y"), "empty")
    ragged = tmp_path / "ragged.csv"
    ragged.write_text("a,b,y\n1,2,3\n1,2\n")
    assert_one_line_error(run("solve", "entropy", "--data", str(ragged), "--target", "y"), "row 3 has 2 cells")
    binary = tmp_path / "bin.csv"
    binary.write_bytes(b"\xff\xfe\x00\x81")
    assert_one_line_error(run("solve", "entropy", "--data", str(binary), "--target", "y"), "UTF-8")
