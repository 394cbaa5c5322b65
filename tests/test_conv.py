"""Layer sizes against brute force: sliding windows counted, transposed convolutions scattered."""

import random

import numpy as np
import pytest

from mlquiz import engine, text
from mlquiz.errors import UserError
from mlquiz.model import path_name
from mlquiz.options import DataText
from mlquiz.text import Msg, render
from mlquiz.topics import conv


def windows(n, f, p, s, d):
    """Count the positions of a dilated window sliding over the padded input."""
    padded, span, count, start = n + 2 * p, d * (f - 1) + 1, 0, 0
    while start + span <= padded:
        count += 1
        start += s
    return count


def transposed_size(n, f, p, s, d):
    """Scatter every input position into the output and crop p on each side."""
    touched = {i * s + j * d for i in range(n) for j in range(f)}
    return max(touched) + 1 - 2 * p


def parameters(kind, f, c_in, c_out):
    if kind == "pool":
        return 0
    return np.zeros((c_out, c_in, f, f)).size + np.zeros(c_out).size


def solved(data):
    return engine.from_data("conv", {"data": data})


def answers(data):
    return solved(data).solution.answers


def test_examples():
    assert answers("n=32,f=5,p=2,s=1")["output_size"] == 32
    assert answers("n=7,f=3,p=0,s=2")["output_size"] == 3
    chain = answers("input n=32 c=3; conv f=5 p=2 s=1 c=16; pool f=2 s=2; conv f=3 s=1 c=32; deconv f=2 s=2 c=8")
    assert chain["shapes"] == [[16, 32, 32], [16, 16, 16], [32, 14, 14], [8, 28, 28]]
    assert chain["parameters"] == [(5 * 5 * 3 + 1) * 16, 0, (3 * 3 * 16 + 1) * 32, (2 * 2 * 32 + 1) * 8]


def test_against_brute_force_on_random_chains():
    rng = random.Random(6)
    checked = 0
    while checked < 400:
        n, c = rng.randint(1, 40), rng.randint(1, 4)
        layers, side, channels, expected = [], n, c, []
        for _ in range(rng.randint(1, 4)):
            kind = rng.choice(conv.KINDS)
            layer = {"kind": kind, "f": rng.randint(1, 5), "p": rng.randint(0, 2), "s": rng.randint(1, 3),
                     "d": rng.choice((1, 1, 2)), "c": None if kind == "pool" else rng.randint(1, 8)}
            side = (transposed_size(side, layer["f"], layer["p"], layer["s"], layer["d"]) if kind == "deconv"
                    else windows(side, layer["f"], layer["p"], layer["s"], layer["d"]))
            if side < 1:
                break
            count = parameters(kind, layer["f"], channels, layer["c"])
            channels = channels if kind == "pool" else layer["c"]
            layers.append(layer)
            expected.append(([channels, side, side], count))
        if len(expected) != len(layers) or not layers:
            continue
        answers_ = conv.solve({"input": {"n": n, "c": c}, "layers": layers}).answers
        assert answers_["shapes"] == [e[0] for e in expected]
        assert answers_["parameters"] == [e[1] for e in expected]
        assert answers_["total_parameters"] == sum(e[1] for e in expected)
        checked += 1


@pytest.mark.parametrize("data, fragment", [
    ("n=3,f=5,p=0,s=1", "layer 1"), ("input n=8 c=1; conv f=3 c=4; pool f=9", "layer 2"),
    ("n=32,f=x", "not one of"), ("input n=8; conv f=3", "needs c="), ("input n=8 c=1; relu f=3", "conv, pool or deconv"),
    ("n=32,f=0", "f, s, d ≥ 1"), ("f=3", "input side n="),
])
def test_bad_data_names_the_problem(data, fragment):
    with pytest.raises(UserError, match=fragment):
        solved(data)


@pytest.mark.parametrize("data", ["", "   ", ";"])
def test_missing_data_names_the_problem(data):
    with pytest.raises(UserError, match="needs --data|has no layer"):
        conv.parse_data({"data": DataText(data)})
    with pytest.raises(UserError, match="needs --data"):
        conv.parse_data({"data": None})


def test_generated_sizes_are_integral_except_the_hard_floor():
    for seed in range(80):
        for difficulty in ("easy", "medium"):
            problem = engine.generate("conv", seed, difficulty)
            assert not problem.solution.notes  # no flooring below hard
        hard = engine.generate("conv", seed, "hard")
        assert any(note.key == "conv.note.floor" for note in hard.solution.notes)
        assert any("floor" in render(note) for note in hard.solution.notes)
        kinds = [layer["kind"] for layer in hard.given["layers"]]
        assert "deconv" in kinds and any(layer.get("d", 1) > 1 for layer in hard.given["layers"])


def test_generated_problems_are_well_posed():
    for difficulty in ("easy", "medium", "hard"):
        for seed in range(100):
            conv.well_posed(engine.generate("conv", seed, difficulty))


# --------------------------------------------------------------------------- the port's fixes

def test_single_layer_c_is_the_output_channels_with_one_input_channel_by_default():
    """Bug: `n=32,f=5,p=2,s=1,c=16` dropped c= and showed a `?` shape and no parameter count."""
    problem = solved("n=32,f=5,p=2,s=1,c=16")
    a = problem.solution.answers
    assert a["shapes"] == [[16, 32, 32]]
    assert a["parameters"] == [(5 * 5 * 1 + 1) * 16] and a["total_parameters"] == 416
    assert problem.given["input"]["c"] == 1
    assert [n.key for n in problem.solution.notes] == ["conv.note.c_in_default"]  # the default is said
    assert "1 input and 16 output channels" in text.join(problem.statement)
    assert [p.name for p in problem.parts] == ["output_size", "parameters[0]"]
    assert "?" not in "".join(render(line) for step in problem.solution.steps for line in step.lines)


def test_single_layer_c_in_gives_the_input_channels():
    problem = solved("n=32,f=5,p=2,s=1,c=16,c_in=3")
    a = problem.solution.answers
    assert a["shapes"] == [[16, 32, 32]] and a["parameters"] == [(5 * 5 * 3 + 1) * 16]
    assert not problem.solution.notes
    assert answers("n=32,f=5,p=2,s=1,c_out=16,c_in=3") == a  # the old spelling c_out= still works
    assert answers("n=32,f=5,p=2,s=1,c_out=16")["parameters"] == [416]


def test_single_layer_without_channels_is_still_solved_with_unknown_counts():
    a = answers("n=32,f=5,p=2,s=1")
    assert a == {"output_size": 32, "shapes": [[None, 32, 32]], "parameters": [None], "total_parameters": None}


@pytest.mark.parametrize("data, fragment", [
    ("n=32,f=5,c_in=3", "c_in= .*needs c="),                      # c_in alone would be ignored
    ("n=32,f=5,c=16,c_out=8", "c= and c_out="), ("n=32,f=5,c_out=8,c=16", "c= and c_out="),
    ("n=32,f=5,f=3", "f= appears twice"),
    ("input n=8 c_in=3; conv f=3 c=4", "not one of n=, c="),       # input takes n and c only
    ("input n=8 c=1; conv f=3 n=5 c=4", "not one of f=, p=, s=, d=, c="),
    ("input n=8 c=1; pool f=2 s=2 c=4", "not one of f=, p=, s=, d= "),  # a pool keeps its channels
    ("input n=8 c=1; conv f=3 c_in=2 c=4", "not one of"),
])
def test_no_field_is_silently_ignored(data, fragment):
    with pytest.raises(UserError, match=fragment):
        solved(data)


def _problems():
    for difficulty in ("easy", "medium", "hard"):
        for seed in range(60):
            yield engine.generate("conv", seed, difficulty)
    for data in ("n=32,f=5,p=2,s=1", "n=32,f=5,p=2,s=1,c=16", "n=32,f=5,p=2,s=1,c=1,c_in=3", "n=7,f=3,d=2,s=2",
                 "input n=32 c=3; conv f=5 p=2 s=1 c=16; pool f=2 s=2; conv f=3 s=1 c=32; deconv f=2 s=2 c=8",
                 "input n=32; conv f=5 p=2 s=1 c=16; pool f=2 s=2", "input n=9 c=1; pool f=2 s=3; deconv f=3 d=2 s=2 c=1"):
        yield solved(data)


def test_hard_statement_reads_as_sentences_with_the_question_last():
    """Bug: "…(f: window, …, c: output channels): What padding would …" ran legend and question together."""
    for seed in range(40):
        problem = engine.generate("conv", seed, "hard")
        sentences = [render(m) for m in problem.statement]
        assert len(sentences) == 3
        assert all(s[0].isupper() and s[-1] in ".?" for s in sentences)
        assert sentences[-1].startswith("What padding") and sentences[-1].endswith("?")
        assert "):" not in text.join(problem.statement) and ": What" not in text.join(problem.statement)
        assert sentences[1].startswith("In the table") and problem.table is not None


def test_channel_counts_are_singular_or_plural_never_parenthesised():
    """Bug: "An input of 3 channel(s)"."""
    one = text.join(solved("input n=8 c=1; conv f=3 c=4; pool f=2 s=2").statement)
    many = text.join(solved("input n=8 c=3; conv f=3 c=4; pool f=2 s=2").statement)
    assert "An input of 1 channel of size 8×8" in one
    assert "An input of 3 channels of size 8×8" in many
    assert "1 input channel and 1 output channel" in text.join(solved("n=8,f=3,c=1").statement)
    assert "3 input channels and 1 output channel" in text.join(solved("n=8,f=3,c=1,c_in=3").statement)
    for problem in _problems():
        assert "(s)" not in text.join(problem.statement)


SIZE_FORMULAS = {("conv", False): "conv.formula.size", ("pool", False): "conv.formula.size",
                 ("conv", True): "conv.formula.size_dilated", ("pool", True): "conv.formula.size_dilated",
                 ("deconv", False): "conv.formula.deconv_size", ("deconv", True): "conv.formula.deconv_size_dilated"}


def _expected_formula(problem, path):
    layers = problem.given["layers"]
    if path[0] in ("output_size", "shapes"):
        layer = layers[path[1] if path[0] == "shapes" else -1]
        return SIZE_FORMULAS[(layer["kind"], layer.get("d", 1) != 1)]
    return {"parameters": "conv.formula.parameters", "total_parameters": "conv.formula.total",
            "same_padding": "conv.formula.same_padding"}[path[0]]


def test_each_part_is_explained_by_the_step_that_computes_it():
    """Bug: the chain's output_size was explained with the parameter-count formula (parts found
    their step by title, answers were built apart from the steps)."""
    for problem in _problems():
        for part in problem.parts:
            step = problem.solution.step_of(part)
            assert step is not None and step.id == part.step, part.name
            assert part.path in step.answers, part.name
            assert step.formula.key == _expected_formula(problem, part.path), (part.name, step.formula.key)
        output = problem.solution.step_for(("output_size",))
        assert output.formula.key == _expected_formula(problem, ("output_size",))
        assert output.id == f"size/{len(problem.given['layers'])}"


def test_every_answer_comes_from_a_step():
    for problem in _problems():
        produced = {path for step in problem.solution.steps for path in step.answers}
        a = problem.solution.answers
        wanted = {("output_size",), ("total_parameters",)}
        wanted |= {(name, i) for name in ("shapes", "parameters", "same_padding") for i in range(len(a.get(name, [])))}
        assert produced == wanted, sorted(map(path_name, produced ^ wanted))


def _rendered(value):
    if isinstance(value, Msg):
        out = render(value)
        assert "{" not in out and "}" not in out
        return out
    assert isinstance(value, str)
    return value


def test_every_text_resolves():
    for problem in _problems():
        assert text.join(problem.statement)
        for part in problem.parts:
            _rendered(part.prompt)
        for step in problem.solution.steps:
            _rendered(step.title), _rendered(step.formula)
            for line in step.lines:
                _rendered(line)
            if step.note is not None:
                _rendered(step.note)
        for note in problem.solution.notes:
            _rendered(note)
        if problem.table:
            headers, rows = problem.table
            for cell in [*headers, *(c for row in rows for c in row)]:
                _rendered(cell)


def test_carried_forward_shape_feeds_the_next_layer():
    given = conv.parse_data({"data": DataText("input n=32 c=3; conv f=3 c=8; pool f=2 s=2")})
    assert conv.solve(given).answers["shapes"] == [[8, 30, 30], [8, 15, 15]]
    carried = conv.solve(given, {("shapes", 0): [8, 28, 28]}).answers
    assert carried["shapes"] == [[8, 30, 30], [8, 14, 14]]  # the right first shape, the second from the student's


def test_misconception_variants_take_paths():
    single = solved("n=32,f=3,p=0,s=1").given
    assert conv.VARIANTS["no_plus_one"](single, ("output_size",), 29, {}) == 29
    assert conv.VARIANTS["padding_once"](solved("n=32,f=5,p=2,s=1").given, ("output_size",), 0, {}) == 30
    chain = solved("input n=8 c=1; deconv f=2 s=2 c=4").given
    assert conv.VARIANTS["transposed_as_conv"](chain, ("shapes", 0), None, {}) == [4, 4, 4]
    assert conv.VARIANTS["no_plus_one"](chain, ("shapes", 0), None, {}) is None
    layer = solved("input n=32 c=3; conv f=5 p=2 s=1 c=16; pool f=2 s=2; conv f=3 c=8").given
    assert conv.VARIANTS["no_bias"](layer, ("parameters", 0), None, {}) == 5 * 5 * 3 * 16
    assert conv.VARIANTS["no_bias"](layer, ("total_parameters",), None, {}) == 5 * 5 * 3 * 16 + 3 * 3 * 16 * 8
    assert conv.VARIANTS["no_input_channels"](layer, ("parameters", 2), None, {}) == (3 * 3 + 1) * 8
    # the student's own earlier shape is used for a later layer
    assert conv.VARIANTS["no_plus_one"](layer, ("shapes", 2), None, {("shapes", 1): [16, 10, 10]}) == [8, 7, 7]
    assert conv.VARIANTS["no_bias"](layer, ("parameters", 2), None, {("shapes", 1): [4, 16, 16]}) == 3 * 3 * 4 * 8


def test_as_options_poses_the_same_problem_again():
    for difficulty in ("easy", "medium", "hard"):
        for seed in range(40):
            problem = engine.generate("conv", seed, difficulty)
            again = engine.from_data("conv", conv.as_options(problem.given))
            assert again.solution.answers == problem.solution.answers, (difficulty, seed)
            assert [p.name for p in again.parts] == [p.name for p in problem.parts]


def test_same_padding_can_be_asked_of_typed_data():
    data = "input n=27 c=3; conv f=3 p=1 d=2 c=16; pool f=2 s=2; conv f=5 c=4"
    problem = engine.from_data("conv", {"data": data, "same_padding": "3,1"})
    assert problem.solution.answers["same_padding"] == [2, 2]
    assert [p.name for p in problem.parts][-2:] == ["same_padding[0]", "same_padding[1]"]
    assert [p.step for p in problem.parts][-2:] == ["same_padding/3", "same_padding/1"]
    assert "same_padding" not in answers(data)
    with pytest.raises(UserError, match="not a layer number"):
        engine.from_data("conv", {"data": data, "same_padding": "4"})
    with pytest.raises(UserError, match="not a layer number"):
        engine.from_data("conv", {"data": data, "same_padding": "1.5"})
    with pytest.raises(UserError, match="listed twice"):
        engine.from_data("conv", {"data": data, "same_padding": "1,1"})
    with pytest.raises(UserError, match="is odd"):
        engine.from_data("conv", {"data": "input n=8 c=1; conv f=2 c=4", "same_padding": "1"})
