"""System-design scenarios: the catalogue and scenario files, marking the picks, self-marking the
written sections, and `mlquiz design` as a student uses it."""

import json

import pytest
from typer.testing import CliRunner

from mlquiz import design, selection
from mlquiz.cli import app
from mlquiz.questions import from_record, kind, record_of
from test_cli import assert_one_line_error

runner = CliRunner()


def test_the_shipped_files_are_valid_and_there_are_thirty_scenarios():
    problems, count = design.check()
    assert problems == [] and count >= 30


def test_every_task_type_is_accepted_somewhere_twice():
    for task in design.TASKS:
        assert sum(task in s["tasks"] for s in design.scenarios()) >= 2, task


def test_the_issue_s_scenarios_are_there():
    titles = " ".join(s["en"]["title"].lower() for s in design.scenarios())
    for wanted in ("face", "spam", "house", "segment", "recommend", "translat", "caption", "robot", "game",
                   "anomal", "medical"):
        assert wanted in titles, wanted


def test_good_and_bad_models_have_reasons_in_both_languages():
    for s in design.scenarios():
        for lang in ("en", "zh"):
            assert set(s[lang]["why"]) == set(s["models"]["good"]) | set(s["models"]["bad"])
            assert set(s[lang]["metric_why"]) == set(s["metrics"]["good"]) | set(s["metrics"]["bad"])


def test_validator_names_defects():
    s = dict(design.scenarios()[0])
    catalogue = design.catalogue()
    assert design.scenario_problems(s, catalogue, "s") == []
    bad = dict(s, tasks=["astrology"])
    assert any("tasks" in p for p in design.scenario_problems(bad, catalogue, "s"))
    bad = dict(s, models={"good": ["nosuchmodel", "cnn"], "bad": s["models"]["bad"]})
    assert any("not in the catalogue" in p for p in design.scenario_problems(bad, catalogue, "s"))
    bad = dict(s, en=dict(s["en"], why={}))
    assert any("one reason" in p for p in design.scenario_problems(bad, catalogue, "s"))


def letters_of(problem, section, ids):
    return [selection.LETTERS[problem.given["shown"][section].index(i)] for i in ids]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_picks_are_marked_with_partial_credit_and_reasons(seed):
    for s in design.scenarios():
        problem = design.problem_for(s, seed)
        good, bad = s["models"]["good"], s["models"]["bad"]
        right = design.mark_pick(problem, "models", letters_of(problem, "models", good))
        assert (right.status, right.fraction, right.reasons) == ("right", 1.0, ())
        half = design.mark_pick(problem, "models", letters_of(problem, "models", good[:1]))
        assert half.fraction == pytest.approx(1 / len(good))
        mixed = design.mark_pick(problem, "models", letters_of(problem, "models", good + bad[:1]))
        assert mixed.fraction == pytest.approx((len(good) - 1) / len(good)) and len(mixed.reasons) == 1
        assert s["en"]["why"][bad[0]] in mixed.reasons[0].values["en"]
        everything = design.mark_pick(problem, "models", letters_of(problem, "models", good + bad))
        assert everything.fraction == pytest.approx(max(0, len(good) - len(bad)) / len(good))
        task = design.mark_pick(problem, "task", letters_of(problem, "task", s["tasks"][:1]))
        assert task.fraction == 1
        wrong_task = next(t for t in design.TASKS if t not in s["tasks"])
        assert design.mark_pick(problem, "task", letters_of(problem, "task", [wrong_task])).fraction == 0
        assert design.mark_pick(problem, "task",
                                letters_of(problem, "task", [s["tasks"][0], wrong_task])).fraction == 0.5
        metrics = design.mark_pick(problem, "metrics", letters_of(problem, "metrics", s["metrics"]["good"]))
        assert metrics.fraction == 1


def test_the_question_kind_marks_picks_and_leaves_writing_to_the_student():
    s = design.scenarios()[0]
    problem = design.problem_for(s, 4)
    answers = {p.name: p.expected or "we collect labelled data" for p in problem.parts}
    marks = kind("design").mark(problem, answers)
    assert [marks[n].status for n in design.SECTIONS] == ["right", "right", "unmarked", "unmarked", "unmarked",
                                                           "right"]
    assert {marks[n].by for n in design.WRITTEN} == {"self"}
    marking = kind("design").self_marking(problem, "training", "use cross-validation and early stopping")
    assert len(marking.points) == len(s["en"]["training"]["key_points"]) and any(marking.covered) in (True, False)


def test_keywords_of_the_model_answer_are_found_in_it():
    """Each section's model answer, typed as the student's text, is seen to cover most key points:
    the keywords are words the model answer itself uses."""
    seen = total = 0
    for s in design.scenarios():
        problem = design.problem_for(s, 1)
        for section in design.WRITTEN:
            for lang in ("en", "zh"):
                covered = design.keyword_hint(problem, section, s[lang][section]["answer"])
                seen += sum(covered)
                total += len(covered)
    assert seen / total > 0.7


def test_a_record_keeps_the_scenario_as_asked():
    problem = design.problem_for(design.scenarios()[2], 9)
    record = json.loads(json.dumps(record_of(problem)))
    again = from_record(record)
    assert again.given == problem.given and [p.expected for p in again.parts] == [p.expected for p in problem.parts]


# --------------------------------------------------------------------------- the command

def script_for(problem, written="We clean the data, normalise it and split it into train and test sets."):
    lines = []
    for part in problem.parts:
        if part.name in design.WRITTEN:
            lines += [written, "1"]
        else:
            lines.append(part.expected)
    return "\n".join(lines) + "\n"


def test_design_walks_the_template_and_prints_it_filled():
    s = design.scenario("spam-filter") if any(x["id"] == "spam-filter" for x in design.scenarios()) \
        else design.scenarios()[0]
    problem = design.problem_for(s, 5)
    result = runner.invoke(app, ["design", "--scenario", s["id"], "--seed", "5"], input=script_for(problem))
    assert result.exit_code == 0, result.output
    out = result.output
    for heading in ("Task type", "Model choice", "Data collection", "Feature engineering", "Training",
                    "Your answer in the course's template", "model answer"):
        assert heading in out, heading
    assert "marked automatically: 3 / 3" in out
    assert "Self-marked: 1 of" in out


def test_design_same_seed_same_scenario_and_json():
    one = json.loads(runner.invoke(app, ["design", "--seed", "8", "--json"]).output)
    two = json.loads(runner.invoke(app, ["design", "--seed", "8", "--json"]).output)
    assert one == two and [p["name"] for p in one[0]["parts"]] == list(design.SECTIONS)
    assert one[0]["parts"][2]["key_points"]


def test_design_piped_and_ended_early():
    result = runner.invoke(app, ["design", "--seed", "2"], input="a\n")
    assert result.exit_code == 0 and "Score:" in result.output


def test_design_bad_input():
    assert_one_line_error(runner.invoke(app, ["design", "--scenario", "nosuch"]), "unknown scenario")
    assert_one_line_error(runner.invoke(app, ["design", "--difficulty", "x"]), "x")


def test_design_in_chinese():
    result = runner.invoke(app, ["design", "--lang", "zh", "--seed", "2"], input="a\n")
    assert result.exit_code == 0 and "任务类型" in result.output and "得分" in result.output


def test_list_design():
    assert "System design:" in runner.invoke(app, ["list"]).output
    data = json.loads(runner.invoke(app, ["list", "design", "--json"]).output)
    assert len(data) >= 30
