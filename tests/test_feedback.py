"""Feedback like a good marker: which entries are wrong, whole-answer slips named, one diagnosis in
practice, check and the exam's review, and hints that get more specific."""

import json
import math

from typer.testing import CliRunner

from mlquiz import engine, exam, exam_ui, render
from mlquiz.cli import app
from mlquiz.marking import checkpoints, find_shape_slip
from mlquiz.shapes import find_slip, wrong_entries
from mlquiz.model import DEFAULT_TOLERANCE

runner = CliRunner()
NETWORK = ["--x", "0.05,0.10", "--target", "0.01,0.99", "--w1", "0.15,0.20;0.25,0.30", "--b1", "0.35,0.35",
           "--w2", "0.40,0.45;0.50,0.55", "--b2", "0.60,0.60", "--lr", "0.5"]


def check(topic, *args):
    result = runner.invoke(app, ["check", topic, *args, "--json"])
    assert result.exit_code == 0, result.output
    return {m["name"]: m for m in json.loads(result.output)["marks"]}


def matrix(value):
    return "; ".join(",".join(f"{x:.6f}" for x in row) for row in value)


def answers(topic, *args):
    return json.loads(runner.invoke(app, ["solve", topic, *args, "--json"]).output)["answers"]


def test_a_transposed_gradient_is_named():
    grad = answers("backprop", *NETWORK)["grad_w2"]
    transposed = [list(c) for c in zip(*grad)]
    mark = check("backprop", *NETWORK, "--work", f"grad_w2={matrix(transposed)}")["grad_w2"]
    assert mark["status"] == "wrong" and mark["slip"] == "transposed" and "transposed" in mark["detail"]


def test_one_wrong_entry_is_pointed_at():
    grad = answers("backprop", *NETWORK)["grad_w2"]
    grad[1][0] += 0.05
    mark = check("backprop", *NETWORK, "--work", f"grad_w2={matrix(grad)}")["grad_w2"]
    assert mark["slip"] is None and mark["wrong_entries"] == [[1, 0]]
    assert "[1][0]" in mark["detail"] and "3 of 4" in mark["detail"]


def test_scaled_by_the_learning_rate_and_a_flipped_sign():
    grad = answers("backprop", *NETWORK)["grad_w1"]
    marks = check("backprop", *NETWORK, "--work", f"grad_w1={matrix([[0.5 * x for x in r] for r in grad])}")
    assert marks["grad_w1"]["slip"] == "scaled" and "η = 0.5" in marks["grad_w1"]["detail"]
    marks = check("backprop", *NETWORK, "--work", f"grad_w1={matrix([[-x for x in r] for r in grad])}")
    assert marks["grad_w1"]["slip"] == "negated"


def test_dimensions_in_the_wrong_order():
    data = "input n=8 c=3; conv f=3 c=4"
    shapes = answers("conv", "--data", data)["shapes"]
    c, h, w = shapes[0]
    marks = check("conv", "--data", data, "--work", f"shapes[0]={h},{w},{c}")
    assert marks["shapes[0]"]["slip"] == "order" and "(c, h, w)" in marks["shapes[0]"]["detail"]


def test_a_batch_averaged_instead_of_summed():
    tolerance = DEFAULT_TOLERANCE
    right = [[0.4, -0.2], [0.1, 0.3]]
    averaged = [[x / 2 for x in row] for row in right]
    slip = find_slip(averaged, right, tolerance, eta=0.5, samples=2)
    assert slip is not None and slip.kind == "scaled"  # η and 1/N coincide here: either names it
    slip = find_slip([[x / 3 for x in row] for row in right], right, tolerance, eta=0.5, samples=3)
    assert slip.named == "per_n"
    assert find_slip([[x * 2.7 for x in row] for row in right], right, tolerance, eta=0.5, samples=3) is None
    assert wrong_entries([[0.4, 0.0], [0.1, 0.3]], right, tolerance) == [(0, 1)]


def test_practice_names_the_same_slip():
    grad = answers("backprop", *NETWORK)["grad_w2"]
    problem = engine.from_data("backprop", {k[2:].replace("-", "_"): v for k, v in zip(NETWORK[::2], NETWORK[1::2])})
    part = next(p for p in checkpoints(problem) if p.name == "grad_w2")
    slip, wrong, size = find_shape_slip(problem, part, [list(c) for c in zip(*grad)], part.expected)
    assert slip.kind == "transposed" and size == 4


def test_the_exam_review_names_the_misconception():
    plan = exam.load_blueprint("quick")
    paper = exam.make_paper(plan, 5)
    problems = exam.problems_for(paper)
    index = next(i for i, q in enumerate(paper) if q.topic == "entropy")
    problem = problems[index]
    answers_typed = {p.name: repr(p.expected * math.log(2)) if p.name == "entropy" else "" for p in problem.parts}
    result = exam.mark_question(paper[index], problem, answers_typed)
    entropy = next(p for p in result.parts if p.name == "entropy")
    assert entropy.status == "wrong" and entropy.misconception == "natural_log" and entropy.earned == 0
    console = render.make_console()
    with console.capture() as capture:
        console.print(exam_ui.paper_view("Quick", [result]))
    assert "Natural log instead of log₂" in capture.get()


def test_three_hints_get_more_specific():
    problem = engine.generate("entropy", 3, "hard")
    step = problem.solution.step_by_id(problem.parts[-2].step)
    hints = [render.hint_text(problem.topic, step, level).plain for level in (1, 2, 3)]
    assert len(set(hints)) == 3
    assert "GainRatio" not in hints[0] and "=" in hints[1]
    assert any(ch.isdigit() for ch in hints[2].split(":", 1)[1])


def test_numbers_keep_four_significant_figures():
    from mlquiz.numbers import fmt

    assert fmt(0.000439) == "0.000439" and fmt(0.00043856773) == "0.0004386"
    assert fmt(0.9183) == "0.9183" and fmt(12.345678) == "12.3457" and fmt(-0.0053) == "−0.0053"
    grad = answers("backprop", *NETWORK)["grad_w1"]
    shown = runner.invoke(app, ["solve", "backprop", *NETWORK]).output
    assert f"{grad[0][0]:.4g}" in shown  # 0.0004386, not 0.0004


def test_practice_with_no_topic_mixes_topics():
    result = runner.invoke(app, ["practice", "--count", "5", "--seed", "3"], input="skip\n" * 200)
    assert result.exit_code == 0, result.output
    topics = [line.split("─ ", 1)[1].split(" ·", 1)[0] for line in result.output.splitlines() if line.startswith("╭─")]
    assert len(topics) == 5 and len(set(topics)) == 5
    assert all(a != b for a, b in zip(topics, topics[1:]))
    again = runner.invoke(app, ["practice", "--again"], input="")
    assert again.exit_code == 0 and f"{topics[-1]} · medium" in again.output


def test_a_similar_problem_is_offered_after_a_miss():
    result = runner.invoke(app, ["practice", "entropy", "-d", "easy", "--seed", "2"],
                           input="skip\nskip\nskip\ny\nskip\n")
    titles = [line for line in result.output.splitlines() if line.startswith("╭─ entropy · easy")]
    assert len(titles) == 2 and "seed 2 " in titles[0] and "seed 2 " not in titles[1]
    assert "similar problem" in result.output
    assert runner.invoke(app, ["practice", "--again", "entropy"]).exit_code == 2
    assert runner.invoke(app, ["practice", "--bank"]).exit_code == 2
