"""Records keep what was asked: practice items and exam papers are stored with their given data,
the generator version and per-part outcomes; an old (version 1) database is migrated forward."""

import json
import shutil
import sqlite3
from pathlib import Path

from typer.testing import CliRunner

from mlquiz import engine, exam
from mlquiz.cli import app
from mlquiz.store import DB_NAME, SCHEMA_VERSION, Store

runner = CliRunner()
V1 = Path(__file__).resolve().parent / "data" / "v1-mlquiz.sqlite3"  # written by mlquiz before records


def test_practice_stores_the_problem_and_each_part(tmp_path):
    problem = engine.generate("entropy", 3, "easy")
    right = [str(p.expected) for p in problem.parts]
    typed = ["?", "0.5", right[0], right[1], "skip"]  # a hint, a wrong try, a right one; a right one; a skip
    result = runner.invoke(app, ["practice", "entropy", "--seed", "3", "-d", "easy"], input="\n".join(typed) + "\n")
    assert result.exit_code == 0, result.output
    store = Store()
    [item] = store.practice_rows()
    assert item["topic"] == "entropy" and item["seed"] == 3 and item["version"] == 1 and item["kind"] == "calculation"
    assert json.loads(item["given"]) == problem.given
    assert (item["parts_right"], item["parts_asked"]) == (2, 3)
    outcomes = store.outcomes(item["id"])
    assert [(o["part"], o["status"], o["tries"], o["hints"]) for o in outcomes] == [
        ("entropy", "right", 2, 1), ("conditional_entropy", "right", 1, 0), ("information_gain", "skipped", 0, 0)]
    assert all(o["seconds"] >= 0 for o in outcomes)


def test_a_named_misconception_is_stored():
    entropy = engine.generate("entropy", 3, "easy").parts[0].expected
    result = runner.invoke(app, ["practice", "entropy", "--seed", "3", "-d", "easy"],
                           input="\n".join([f"ln(2)*{entropy}", "skip", "skip", "skip"]) + "\n")
    assert result.exit_code == 0, result.output
    [item] = Store().practice_rows()
    assert Store().outcomes(item["id"])[0]["misconception"] == "natural_log"


def test_a_version_1_database_is_migrated(tmp_path, monkeypatch):
    home = tmp_path / "old"
    home.mkdir()
    shutil.copy(V1, home / DB_NAME)
    monkeypatch.setenv("MLQUIZ_HOME", str(home))
    store = Store()
    store.connect()
    raw = sqlite3.connect(home / DB_NAME)
    assert raw.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    assert raw.execute("SELECT name FROM sqlite_master WHERE name='setting'").fetchone() is not None
    items = store.practice_rows()
    assert [(r["topic"], r["seed"], r["difficulty"]) for r in items] == [("conv", 1, "easy"), ("entropy", 3, "medium")]
    assert json.loads(items[1]["given"]) == engine.generate("entropy", 3, "medium").given
    assert (items[0]["parts_right"], items[0]["parts_asked"]) == (0, 2)
    finished, open_one = store.exams()
    paper, problems = exam.paper_from_json(finished["paper"])
    assert [q.seed for q in paper] == [q.seed for q in exam.make_paper(exam.load_blueprint("quick"), 5)]
    assert all(p.given == engine.generate(q.topic, q.seed, q.difficulty).given for q, p in zip(paper, problems))
    result = json.loads(finished["result"])
    assert sum(q["earned"] for q in result["questions"]) == finished["score"]
    assert all("status" in p and "answer" in p for q in result["questions"] for p in q["parts"])
    assert open_one["finished_at"] is None
    history = runner.invoke(app, ["history"])
    assert history.exit_code == 0 and "23.3 / 30" in history.output and "conv" in history.output
    review = runner.invoke(app, ["review", "1"])
    assert review.exit_code == 0 and "23.3 / 30" in review.output
