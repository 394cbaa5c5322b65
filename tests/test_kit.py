"""The topic kit's promises, each tried as a user would (issue: a new topic is one module and its
data folder): options per topic, one derivation builder, text as data, bounded generators."""

import ast
import json
import re
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mlquiz import engine, marking, registry, render
from mlquiz.cli import app
from mlquiz.options import looks_like_path

runner = CliRunner()
ROOT = Path(__file__).resolve().parent.parent


def run(*args, input=None):
    result = runner.invoke(app, [str(a) for a in args], input=input)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result


def error_line(result):
    assert result.exit_code == 2, result.output
    [line] = [line for line in result.output.splitlines() if line.strip()]
    return line


# --------------------------------------------------------------------------- options belong to the topic

def test_each_topic_help_lists_exactly_its_options():
    for topic in registry.topics():
        for command in ("solve", "check"):
            shown = set(re.findall(r"^\s+(--[a-z0-9-]+)", run(command, topic.name, "--help").output, re.M))
            wanted = {o.flag for o in topic.options} | {"--json", "--lang", "--help"} | ({"--work"} if command == "check" else set())
            assert shown == wanted, (command, topic.name)
    assert "--transitions" not in run("solve", "conv", "--help").output
    assert "--transitions" in run("solve", "qlearning", "--help").output


def test_the_same_option_name_means_different_things_per_topic():
    assert "class column" in run("solve", "entropy", "--help").output  # --target: a CSV column
    assert json.loads(run("solve", "backprop", "--x", "1,2", "--w1", "0.5,-0.3;0.1,0.2", "--w2", "0.3,0.4",
                          "--target", "1", "--json").output)["answers"]["loss"] > 0  # --target: a vector


def test_fractions_work_in_every_numeric_option_and_in_data():
    record = json.loads(run("solve", "pca", "--data", "1/2,1;3,4;5,7", "--json").output)
    assert record["answers"]["mean"][0] == pytest.approx(17 / 6)
    half = json.loads(run("solve", "qlearning", "--q", "0,0;0,0", "--transitions", "0,1,1,1",
                          "--alpha", "1/2", "--gamma", "9/10", "--json").output)
    assert half["given"]["alpha"] == 0.5 and half["given"]["gamma"] == pytest.approx(0.9)
    assert not looks_like_path("1/2,1;3,4") and looks_like_path("data/points.csv")


def test_range_checks_are_generic_and_one_line():
    assert "--k" in error_line(run("solve", "pca", "--data", "1,2;3,4;5,7", "--k", "0"))
    assert "--gamma" in error_line(run("solve", "qlearning", "--q", "0,0", "--transitions", "0,0,1,0",
                                       "--gamma", "2"))
    assert "--base must be one of 2, e, 10" in error_line(run("solve", "entropy", "--data", "4,2;1,3",
                                                              "--base", "3"))


def test_an_option_of_another_topic_is_refused_in_this_topics_terms():
    line = error_line(run("solve", "conv", "--data", "n=32,f=5", "--transitions", "0,0,1,end"))
    assert "--transitions does not apply to conv" in line and "--data" in line


# --------------------------------------------------------------------------- answer names at the user's edge

def test_a_column_named_like_an_index_works(tmp_path):
    path = tmp_path / "odd names.csv"
    path.write_text("A[1],B x=1,Y\nu,p,1\nv,p,2\nu,q,1\nv,q,1\nu,p,2\n", encoding="utf-8")
    answers = json.loads(run("solve", "entropy", "--data", path, "--target", "Y", "--json").output)["answers"]
    gain = answers["information_gain"]["A[1]"]
    report = json.loads(run("check", "entropy", "--data", path, "--target", "Y", "--json",
                            "--work", f"information_gain[A[1]]={gain:.4f}",
                            "--work", "information_gain[B x=1]=0.1").output)
    marks = {m["name"]: m["status"] for m in report["marks"]}
    assert marks["information_gain[A[1]]"] == "right" and marks["information_gain[B x=1]"] == "wrong"


def test_whole_answer_names_work_where_only_entries_are_checkpoints():
    q = ["--q", "0,0;0,0", "--transitions", "0,1,5,1;1,0,-1,end", "--alpha", "0.5", "--gamma", "0.9"]
    report = json.loads(run("check", "qlearning", *q, "--json", "--work", "td_targets=5,-1",
                            "--work", "greedy_policy=1,1").output)
    statuses = {m["name"]: m["status"] for m in report["marks"] if m["status"] != "skipped"}
    assert statuses == {"td_targets[0]": "right", "td_targets[1]": "right",
                        "greedy_policy[0]": "right", "greedy_policy[1]": "right"}
    table = ROOT / "problems" / "entropy" / "playtennis.csv"
    gains = json.loads(run("solve", "entropy", "--data", table, "--target", "Play", "--json").output)
    typed = ",".join(f"{v:.4f}" for v in gains["answers"]["information_gain"].values())
    report = json.loads(run("check", "entropy", "--data", table, "--target", "Play", "--json",
                            "--work", f"information_gain={typed}").output)
    assert [m["status"] for m in report["marks"] if m["name"].startswith("information_gain")] == ["right"] * 4
    shapes = json.loads(run("solve", "conv", "--data", "input n=8 c=3; conv f=3 c=4; pool f=2 s=2",
                            "--json").output)["answers"]
    whole = "; ".join(",".join(map(str, s)) for s in shapes["shapes"])
    report = json.loads(run("check", "conv", "--data", "input n=8 c=3; conv f=3 c=4; pool f=2 s=2", "--json",
                            "--work", f"shapes={whole}",
                            "--work", "parameters=" + ",".join(map(str, shapes["parameters"]))).output)
    assert {m["status"] for m in report["marks"] if m["status"] != "skipped"} == {"right"}
    line = error_line(run("check", "qlearning", *q, "--work", "td_targets=5"))
    assert "expected 2 values" in line


def test_bank_seeds_wrap_like_random_ones():
    result = run("practice", "entropy", "--bank", "--seed", "999999999", "--count", "2", input="skip\n" * 40)
    assert result.exit_code == 0 and result.output.count("bank problem") == 2


# --------------------------------------------------------------------------- text is data

def test_no_sentence_is_written_in_topic_code():
    for path in sorted((ROOT / "mlquiz" / "topics").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docs = {id(n.body[0].value) for n in ast.walk(tree)
                if isinstance(n, (ast.Module, ast.FunctionDef, ast.ClassDef))
                and n.body and isinstance(n.body[0], ast.Expr) and isinstance(n.body[0].value, ast.Constant)}
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docs:
                assert not re.search(r"[A-Za-z]{2,}(?: [a-z]{2,}){2,}", node.value), f"{path.name}:{node.lineno}"


def test_one_number_formatter_in_derivations_and_results():
    """Substitution lines and the result under them print a negative number the same way."""
    for topic in ("backprop", "qlearning", "pca"):
        for seed in range(15):
            problem = engine.generate(topic, seed, "hard")
            console = render.make_console()
            with console.capture() as capture:
                console.print(render.solution_view(problem.solution))
                console.print(render.answers_view(problem))
            assert not re.search(r"(?<![\w.])-\d", capture.get()), (topic, seed)


def test_a_mistyped_applies_to_is_an_error(tmp_path, monkeypatch):
    folder = tmp_path / "toymean"
    shutil.copytree(ROOT / "tests" / "toy" / "topics" / "toymean", folder)
    (folder / "misconceptions.toml").write_text('[[misconception]]\nid = "population_variance"\n'
                                                'applies_to = ["varience"]\n', encoding="utf-8")
    monkeypatch.setenv("MLQUIZ_TOPIC_PATH", str(tmp_path))
    monkeypatch.syspath_prepend(str(ROOT / "tests" / "toy"))
    marking.misconceptions.cache_clear()
    try:
        with pytest.raises(ValueError, match="varience"):
            marking.misconceptions("toymean")
    finally:
        marking.misconceptions.cache_clear()


def test_a_generator_that_finds_nothing_stops_with_a_clear_error():
    with pytest.raises(RuntimeError, match="no well-posed problem in 3 tries"):
        for _ in engine.attempts(3):
            pass
