"""Skills, their FSRS review state and `mlquiz stats`: attempts from practice and exams, ratings,
misconceptions as skills, filters, the clock hook, the v3 schema, and speed on 10,000 attempts."""

import json
import random
import sqlite3
import subprocess
import sys
import time

from typer.testing import CliRunner

from mlquiz import engine, exam, skills
from mlquiz.cli import app
from mlquiz.store import DB_NAME, SCHEMA, SCHEMA_VERSION, Store

from conftest import mlquiz_command, subprocess_env

runner = CliRunner()


def stats_json(*extra, env=None):
    result = runner.invoke(app, ["stats", "--json", *extra], env=env)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def practise(topic, seed, difficulty, answers):
    result = runner.invoke(app, ["practice", topic, "--seed", str(seed), "-d", difficulty],
                           input="\n".join(answers) + "\n")
    assert result.exit_code == 0, result.output


def attempt(statuses, tries=None, hints=None, seconds=None, source="practice"):
    n = len(statuses)
    return skills.Attempt(0.0, "pca", "medium", "calculation", source, list(statuses), tries or [1] * n,
                          hints or [0] * n, seconds or [60.0] * n, [])


def test_ratings_follow_the_outcomes():
    assert skills.rating_of(attempt(["right", "right"])) == 3  # Good
    assert skills.rating_of(attempt(["right", "right"], seconds=[10.0, 12.0])) == 4  # Easy: also fast
    assert skills.rating_of(attempt(["right", "right"], tries=[1, 2])) == 2  # Hard: after a retry
    assert skills.rating_of(attempt(["right", "right"], hints=[1, 0])) == 2  # Hard: after a hint
    assert skills.rating_of(attempt(["right", "wrong"])) == 1  # Again
    assert skills.rating_of(attempt(["right", "skipped"])) == 1
    assert skills.rating_of(attempt([])) == 1


def test_stats_with_no_history_says_so():
    result = runner.invoke(app, ["stats"])
    assert result.exit_code == 0 and "No practice or exam results yet" in result.output
    assert stats_json()["skills"] == []
    zh = runner.invoke(app, ["stats", "--lang", "zh"])
    assert zh.exit_code == 0 and "还没有练习或考试记录" in zh.output


def test_after_one_practice_the_skill_has_a_state_and_comes_due_later():
    problem = engine.generate("entropy", 3, "easy")
    practise("entropy", 3, "easy", [str(p.expected) for p in problem.parts])
    data = stats_json()
    [row] = data["skills"]
    assert row["skill"] == "entropy/easy" and row["attempts"] == 1 and row["parts"] == 3
    assert row["first_try_accuracy"] == 1.0 and row["misconceptions"] == {}
    assert row["fsrs"]["state"] in ("learning", "review") and row["fsrs"]["stability"] > 0
    assert row["due"] is False and row["recall"] > 0.9
    later = stats_json("--now", "2030-01-01")
    assert later["skills"][0]["due"] is True and later["skills"][0]["recall"] < row["recall"]
    assert stats_json(env={"MLQUIZ_NOW": "2030-01-01"})["skills"][0]["due"] is True
    shown = runner.invoke(app, ["stats"])
    assert shown.exit_code == 0 and "entropy/easy" in shown.output and "100%" in shown.output


def test_a_misconception_shown_twice_becomes_a_skill():
    for seed in (3, 4):
        entropy = engine.generate("entropy", seed, "easy").parts[0].expected
        practise("entropy", seed, "easy", [f"ln(2)*{entropy}", "skip", "skip", "skip"])
    names = {row["skill"]: row for row in stats_json()["skills"]}
    assert names["entropy/easy"]["misconceptions"] == {"natural_log": 2}
    assert names["entropy!natural_log"]["misconceptions"] == {"natural_log": 1}
    assert names["entropy!natural_log"]["fsrs"]["state"] in ("learning", "relearning")


def test_one_misconception_is_not_yet_a_skill():
    entropy = engine.generate("entropy", 3, "easy").parts[0].expected
    practise("entropy", 3, "easy", [f"ln(2)*{entropy}", "skip", "skip", "skip"])
    assert [row["skill"] for row in stats_json()["skills"]] == ["entropy/easy"]


def test_exam_results_feed_the_same_skills():
    paper = exam.make_paper(exam.load_blueprint("quick"), 5)
    problems = exam.problems_for(paper)
    answers = [{part.name: str(part.expected) for part in p.parts} for p in problems]
    results = [exam.mark_question(q, p, a) for q, p, a in zip(paper, problems, answers)]
    store = Store()
    number = store.new_exam("quick", "Quick", 5, 15, exam.paper_json(paper, problems))
    store.finish_exam(number, sum(r.earned for r in results), sum(q.points for q in paper), exam.result_json(results))
    rows = {row["skill"]: row for row in stats_json()["skills"]}
    assert set(rows) == {f"{q.topic}/{q.difficulty}" for q in paper}
    assert all(row["first_try_accuracy"] == 1.0 and row["fsrs"]["stability"] > 0 for row in rows.values())


def test_since_and_topic_filter_what_is_counted():
    practise("conv", 1, "easy", ["skip", "skip"])
    practise("entropy", 3, "easy", ["skip", "skip", "skip"])
    assert [r["skill"] for r in stats_json("--topic", "cnn")["skills"]] == ["conv/easy"]
    assert stats_json("--since", "2999-01-01")["skills"] == []
    assert stats_json("--since", "2000-01-01")["attempts"] == 2


def test_bad_filters_are_one_line_errors():
    for args in (["--since", "May"], ["--now", "soon"], ["--topic", "nope"]):
        result = runner.invoke(app, ["stats", *args])
        assert result.exit_code == 2 and "Traceback" not in result.output
        assert len(result.output.strip().splitlines()) == 1 and "mlquiz: error:" in result.output


def test_a_version_2_database_is_upgraded_with_nothing_lost(tmp_path, monkeypatch):
    home = tmp_path / "v2"
    home.mkdir()
    raw = sqlite3.connect(home / DB_NAME)
    for statement in SCHEMA.split(";"):
        if statement.strip() and "setting" not in statement and "INDEX" not in statement:
            raw.execute(statement)
    raw.execute("INSERT INTO item (at, topic, kind, difficulty, seed, source, version, given, parts_right, "
                "parts_asked) VALUES (1.7e9, 'conv', 'calculation', 'easy', 1, 'random', 1, '{}', 1, 2)")
    raw.execute("INSERT INTO outcome VALUES (1, 0, 'output_size', 'right', 1, 0, '', 5.0, '3')")
    raw.execute("INSERT INTO outcome VALUES (1, 1, 'parameters', 'wrong', 2, 0, 'no_bias', 9.0, '400')")
    raw.execute("PRAGMA user_version = 2")
    raw.commit()
    raw.close()
    monkeypatch.setenv("MLQUIZ_HOME", str(home))
    store = Store()
    store.connect()
    assert store.connect().execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 3
    assert [(r["topic"], r["seed"]) for r in store.practice_rows()] == [("conv", 1)]
    assert [o["misconception"] for o in store.outcomes(1)] == ["", "no_bias"]
    store.set_setting("exam_date", "2026-06-20")
    assert store.setting("exam_date") == "2026-06-20"
    [row] = stats_json()["skills"]
    assert row["skill"] == "conv/easy" and row["misconceptions"] == {"no_bias": 1}


def synthetic_history(store, count, seed=0):
    """`count` practised problems over 60 days, a few parts each, across every topic and level."""
    from mlquiz import registry

    rng = random.Random(seed)
    topics = registry.names()
    start = time.time() - 60 * 86400
    db = store.connect()
    db.execute("BEGIN")
    for i in range(count):
        at = start + i * 60 * 86400 / count
        db.execute("INSERT INTO item (at, topic, kind, difficulty, seed, source, version, given, parts_right, "
                   "parts_asked) VALUES (?,?,?,?,?,?,?,?,?,?)",
                   (at, rng.choice(topics), "calculation", rng.choice(["easy", "medium", "hard"]), i, "random", 1,
                    "{}", 0, 3))
        item = db.execute("SELECT last_insert_rowid()").fetchone()[0]
        db.executemany("INSERT INTO outcome VALUES (?,?,?,?,?,?,?,?,?)",
                       [(item, p, f"part{p}", rng.choice(["right", "right", "wrong", "skipped"]), rng.randint(1, 2),
                         rng.randint(0, 1), rng.choice(["", "", "", "slip"]), rng.uniform(5, 120), "")
                        for p in range(3)])
    db.execute("COMMIT")


def test_stats_on_ten_thousand_attempts_takes_under_a_second(tmp_path, monkeypatch):
    synthetic_history(Store(), 10_000)
    started = time.perf_counter()
    result = subprocess.run([*mlquiz_command(), "stats"], capture_output=True, text=True, env=subprocess_env())
    elapsed = time.perf_counter() - started
    assert result.returncode == 0, result.stderr
    assert "10000 attempts" in result.stdout
    assert elapsed < 1.0, elapsed


def test_help_loads_neither_fsrs_nor_plotext():
    code = "import sys; from mlquiz.cli import main; sys.argv = ['mlquiz', '--help']\n" \
           "try:\n    main()\nexcept SystemExit:\n    pass\n" \
           "print(sorted(m for m in ('fsrs', 'plotext', 'numpy', 'sympy') if m in sys.modules))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=subprocess_env())
    assert result.stdout.strip().splitlines()[-1] == "[]"


# --------------------------------------------------------------------------- review

def review(*args, answers=(), env=None):
    result = runner.invoke(app, ["review", *args], input="\n".join(answers) + "\n", env=env)
    assert result.exit_code == 0, result.output
    return result.output


def test_a_fresh_home_reviews_new_skills_then_due_ones_with_a_fresh_seed():
    output = review("-n", "1", answers=["skip"] * 3)
    assert "0 due, 1 new" in output and "New: entropy/easy" in output
    [row] = stats_json()["skills"]
    assert row["skill"] == "entropy/easy" and row["fsrs"]["state"] == "learning" and row["fsrs"]["due"]
    [first] = Store().practice_rows()
    later = {"MLQUIZ_NOW": "2030-01-01"}
    output = review("-n", "1", answers=["skip"] * 3, env=later)
    assert "1 due" in output and "Due: entropy/easy" in output
    first_seed, second_seed = [r["seed"] for r in Store().practice_rows()]
    assert first_seed == first["seed"] and second_seed != first_seed
    [row] = stats_json(env=later)["skills"]
    assert row["attempts"] == 2 and row["fsrs"]["due"] > "2030-01-01"  # reviewed at the moved clock


def test_due_items_come_most_overdue_first_with_topics_interleaved():
    history = [skills.Attempt(t, topic, "easy", "calculation", "practice", ["wrong"], [1], [0], [5.0], [])
               for t, topic in ((1.70e9, "pca"), (1.70e9 + 10, "pca"), (1.70e9 + 20, "conv"))]
    history[1].difficulty = "medium"
    states = skills.skills(history)
    queue = skills.review_queue(states, ["pca", "conv"], skills.parse_moment("2030-01-01"))
    assert [d.skill for d in queue[:3]] == ["pca/easy", "conv/easy", "pca/medium"]
    assert [d.skill for d in queue[3:]] == ["conv/medium", "pca/hard", "conv/hard"] and all(d.new for d in queue[3:])


def test_nothing_to_review_says_so(monkeypatch):
    from mlquiz import concepts, registry

    monkeypatch.setattr(registry, "names", lambda: [])
    monkeypatch.setattr(concepts, "chapters", lambda: ())  # no new concept chapter either
    output = review()
    assert "Nothing is due" in output


def test_review_next_item_takes_under_a_third_of_a_second():
    from mlquiz import registry

    store = Store()
    synthetic_history(store, 10_000)
    times = []
    for _ in range(3):  # the best of three: a busy machine must not fail it
        started = time.perf_counter()
        states = skills.skills(skills.attempts(store))
        [first, *_] = skills.review_queue(states, registry.names(), skills.now("2030-01-01"))
        engine.generate(first.topic, engine.new_seed(), first.difficulty)
        times.append(time.perf_counter() - started)
    assert min(times) < 0.3, times


def test_review_in_a_terminal_keeps_what_was_done_on_ctrl_c():
    import pexpect

    command, *rest = mlquiz_command()
    child = pexpect.spawn(command, [*rest, "review", "-n", "3"], env=subprocess_env(), encoding="utf-8", timeout=30,
                          dimensions=(40, 100))
    child.expect("0 due, 3 new")
    child.expect("New: entropy/easy")
    for _ in range(3):
        child.expect("answer> ")
        child.sendline("skip")
    child.expect("New: backprop/easy")
    child.expect("answer> ")
    child.sendintr()
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    assert [r["skill"] for r in stats_json()["skills"]] == ["entropy/easy"]


# --------------------------------------------------------------------------- plan

def test_following_the_plan_leaves_every_skill_above_the_target_on_exam_day():
    from datetime import datetime, timedelta

    from fsrs import Rating, Scheduler

    practise("entropy", 3, "easy", ["skip", "skip", "skip"])  # weak: Again
    problem = engine.generate("conv", 1, "easy")
    practise("conv", 1, "easy", [str(p.expected) for p in problem.parts])  # strong: Good
    for seed in (3, 4):
        entropy = engine.generate("entropy", seed, "easy").parts[0].expected
        practise("entropy", seed, "easy", [f"ln(2)*{entropy}", "skip", "skip", "skip"])
    moment = skills.now()
    exam_day = (moment + timedelta(days=14)).date().isoformat()
    shown = runner.invoke(app, ["plan", "--exam-date", exam_day])
    assert shown.exit_code == 0, shown.output
    assert "Day by day" in shown.output and "entropy/easy" in shown.output
    assert Store().setting("exam_date") == exam_day
    result = runner.invoke(app, ["plan", "--json", "--now", moment.isoformat()])  # the stored date
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["exam_day"] == exam_day and data["days"]
    assert {row["skill"] for row in data["skills"]} == {"entropy/easy", "conv/easy", "entropy!natural_log"}
    # Follow the plan, each review going well, with a scheduler of our own.
    fsrs = Scheduler(enable_fuzzing=False)
    cards = {name: skill.card for name, skill in skills.skills(skills.attempts(Store())).items()}
    for day in data["days"]:
        for name, count in day["reviews"].items():
            for _ in range(count):
                cards[name], _ = fsrs.review_card(cards[name], Rating.Good, datetime.fromisoformat(day["at"]))
    exam_at = datetime.fromisoformat(data["exam_at"])
    assert exam_at.date().isoformat() == exam_day
    for name, card in cards.items():
        assert fsrs.get_card_retrievability(card, exam_at) >= data["target"], name
    assert any(row["recall_on_exam_day_without_review"] < data["target"] for row in data["skills"])


def test_plan_errors_and_no_history():
    from datetime import timedelta

    assert "no exam date yet" in runner.invoke(app, ["plan"]).output
    assert runner.invoke(app, ["plan", "--exam-date", "2020-01-01"]).exit_code == 2
    assert runner.invoke(app, ["plan", "--exam-date", "soon"]).exit_code == 2
    empty = runner.invoke(app, ["plan", "--exam-date", "2999-01-01"])
    assert empty.exit_code == 2 and "more than 400 days" in empty.output
    in_a_month = (skills.now() + timedelta(days=30)).date().isoformat()
    empty = runner.invoke(app, ["plan", "--exam-date", in_a_month])
    assert empty.exit_code == 0 and "Nothing practised yet" in empty.output


def test_review_follows_the_plan_once_set():
    from datetime import timedelta

    problem = engine.generate("conv", 1, "easy")
    practise("conv", 1, "easy", [str(p.expected) for p in problem.parts])
    tomorrow = (skills.now() + timedelta(days=1)).date().isoformat()
    assert runner.invoke(app, ["plan", "--exam-date", tomorrow]).exit_code == 0
    output = review("-n", "1", answers=["skip"] * 2)
    assert "1 due, 0 new" in output and "Due: conv/easy" in output


# --------------------------------------------------------------------------- export and import

def test_export_and_import_merge_without_duplicates(tmp_path, monkeypatch):
    problem = engine.generate("conv", 1, "easy")
    practise("conv", 1, "easy", [str(p.expected) for p in problem.parts])
    test_exam_results_feed_the_same_skills()
    Store().set_setting("exam_date", "2026-06-20")
    before = stats_json("--now", "2026-12-01")
    exported = tmp_path / "history.json"
    result = runner.invoke(app, ["export", "--history", str(exported)])
    assert result.exit_code == 0 and "1 practised problems and 1 exams" in result.output
    monkeypatch.setenv("MLQUIZ_HOME", str(tmp_path / "other"))
    practise("entropy", 3, "easy", ["skip", "skip", "skip"])  # the other machine has its own record
    for added in ("Added 1 practised problems and 1 exams", "Added 0 practised problems and 0 exams"):
        result = runner.invoke(app, ["import", str(exported)])
        assert result.exit_code == 0 and added in result.output, result.output
    store = Store()
    assert sorted(r["topic"] for r in store.practice_rows()) == ["conv", "entropy"]
    assert len(store.exams()) == 1 and store.setting("exam_date") == "2026-06-20"
    after = {row["skill"]: row for row in stats_json("--now", "2026-12-01")["skills"]}
    for row in before["skills"]:
        if row["skill"] != "entropy/easy":  # the one skill both machines practised
            assert after[row["skill"]]["fsrs"] == row["fsrs"] and after[row["skill"]]["attempts"] == row["attempts"]
    assert runner.invoke(app, ["review", "1"]).exit_code == 0


def test_import_errors_are_one_line(tmp_path):
    (tmp_path / "bad.json").write_text("{not json")
    (tmp_path / "other.json").write_text('{"format": "something else"}')
    (tmp_path / "broken.json").write_text('{"format": "mlquiz-history", "items": [{"at": 1}]}')
    for path, fragment in (("missing.json", "cannot read"), ("bad.json", "not a history"),
                           ("other.json", "not a history"), ("broken.json", "damaged")):
        result = runner.invoke(app, ["import", str(tmp_path / path)])
        assert result.exit_code == 2 and fragment in result.output and len(result.output.strip().splitlines()) == 1
    assert Store().practice_rows() == []


def test_a_misconception_review_draws_a_problem_where_it_changes_the_answer(monkeypatch):
    from mlquiz import cli, marking

    seeds = iter([5, 6, 7, 8, 9] + list(range(100, 200)))
    monkeypatch.setattr(engine, "new_seed", lambda: next(seeds))
    item = skills.Due("conv!no_bias", "conv", "easy", 1.0)
    problem = cli._fresh_problem(item, set())
    assert marking.telling(problem, "no_bias")
    tellings = [marking.telling(engine.generate("conv", s, "easy"), "no_bias") for s in (5, 6, 7, 8, 9)]
    assert problem.seed == [5, 6, 7, 8, 9][tellings.index(True)] if True in tellings else problem.seed >= 100
    plain = cli._fresh_problem(skills.Due("conv/easy", "conv", "easy", 1.0), {("conv", "easy", 100)})
    assert plain.seed != 100
