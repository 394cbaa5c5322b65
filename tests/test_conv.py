"""Layer sizes against brute force: sliding windows counted, transposed convolutions scattered."""

import random

import numpy as np
import pytest

from mlquiz import engine
from mlquiz.errors import UserError
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


def test_examples():
    assert conv.solve(conv.parse_data("n=32,f=5,p=2,s=1", {})).answers["output_size"] == 32
    assert conv.solve(conv.parse_data("n=7,f=3,p=0,s=2", {})).answers["output_size"] == 3
    chain = conv.solve(conv.parse_data(
        "input n=32 c=3; conv f=5 p=2 s=1 c=16; pool f=2 s=2; conv f=3 s=1 c=32; deconv f=2 s=2 c=8", {})).answers
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
        answers = conv.solve({"input": {"n": n, "c": c}, "layers": layers}).answers
        assert answers["shapes"] == [e[0] for e in expected]
        assert answers["parameters"] == [e[1] for e in expected]
        assert answers["total_parameters"] == sum(e[1] for e in expected)
        checked += 1


@pytest.mark.parametrize("text, fragment", [
    ("n=3,f=5,p=0,s=1", "layer 1"), ("input n=8 c=1; conv f=3 c=4; pool f=9", "layer 2"),
    ("n=32,f=x", "not one of"), ("input n=8; conv f=3", "needs c="), ("input n=8 c=1; relu f=3", "conv, pool or deconv"),
    ("n=32,f=0", "f, s, d ≥ 1"), ("f=3", "input side n="), ("", "needs --data"),
])
def test_bad_data_names_the_problem(text, fragment):
    with pytest.raises(UserError, match=fragment):
        conv.parse_data(text, {"has_data": True})


def test_generated_sizes_are_integral_except_the_hard_floor():
    for seed in range(80):
        for difficulty in ("easy", "medium"):
            problem = engine.generate("conv", seed, difficulty)
            assert not problem.solution.notes  # no flooring below hard
        hard = engine.generate("conv", seed, "hard")
        assert any("floor" in note for note in hard.solution.notes)
        kinds = [layer["kind"] for layer in hard.given["layers"]]
        assert "deconv" in kinds and any(layer.get("d", 1) > 1 for layer in hard.given["layers"])
