"""The conv bank (problems/conv/bank.toml): every entry against the numbers its source prints.

Sources: the SE3332 course notes (their size formula (N+2P−F)/S lacks the +1: erratum 1 of
course-conventions.md, so the tests assert the true sizes and check that the notes' value is named as
the no_plus_one slip), Stanford CS231n's "Convolutional Neural Networks" notes, and Dumoulin & Visin,
"A guide to convolution arithmetic for deep learning" (2016)."""


import pytest

from mlquiz import marking
from mlquiz.answers import Answer
from mlquiz.topics import conv
from topic_helpers import bank_problem


def problem(entry_id):
    return bank_problem("conv", entry_id)


def answers(entry_id):
    return problem(entry_id).solution.answers


def test_notes_rgb_kernel():
    # Notes: a 3*5*5 kernel merges 75 values into one. CS231n Example 1: 5*5*3 = 75 weights, +1 bias;
    # Layer Sizing Patterns: F = 5 needs P = 2 to keep the size (32 stays 32).
    a = answers("notes-rgb-kernel")
    assert a["parameters"] == [75 + 1]
    assert a["output_size"] == 32 and a["shapes"] == [[1, 32, 32]]
    assert a["same_padding"] == [2]


def notes_slip(entry_id):
    """The notes' formula (N+2P−F)/S, read with the problem's numbers, is diagnosed as no_plus_one."""
    built = problem(entry_id)
    given = built.given
    layer, n = given["layers"][0], given["input"]["n"]
    notes_value = (n + 2 * layer["p"] - layer["f"]) // layer["s"]
    assert (n + 2 * layer["p"] - layer["f"]) % layer["s"] == 0  # the notes' value is a whole number here
    part = next(p for p in marking.checkpoints(built) if p.name == "output_size")
    found = marking.diagnose(built, part, Answer(notes_value, None, str(notes_value)))
    return notes_value, found and found.id


def test_notes_formula_is_named_as_the_missing_plus_one():
    assert notes_slip("notes-rgb-kernel") == (31, "no_plus_one")
    assert notes_slip("notes-padding-stride") == (2, "no_plus_one")
    assert notes_slip("cs231n-7x7-stride2") == (2, "no_plus_one")


def test_notes_padding_stride():
    # CS231n, Spatial arrangement figure: (5 - 3 + 2)/2 + 1 = 3 (the padded side is 5 + 2 = 7).
    assert answers("notes-padding-stride")["output_size"] == 3


def test_cs231n_7x7():
    # "a 7x7 input and a 3x3 filter with stride 1 and pad 0 we would get a 5x5 output.
    #  With stride 2 we would get a 3x3 output."
    assert answers("cs231n-7x7-stride1")["output_size"] == 5
    assert answers("cs231n-7x7-stride2")["output_size"] == 3


def test_cs231n_alexnet_conv1():
    # (227 - 11)/4 + 1 = 55; output [55x55x96]; 96*11*11*3 = 34,848 weights, 34,944 parameters.
    a = answers("cs231n-alexnet-conv1")
    assert a["output_size"] == 55 and a["shapes"] == [[96, 55, 55]]
    assert a["parameters"] == [34_944] == [96 * 11 * 11 * 3 + 96]


def test_cs231n_vgg16_block():
    # The VGGNet table prints shapes [224x224x64], [224x224x64], [112x112x64], [112x112x128],
    # [112x112x128], [56x56x128] and the weights (3*3*3)*64 = 1,728, (3*3*64)*64 = 36,864,
    # 0, (3*3*64)*128 = 73,728, (3*3*128)*128 = 147,456, 0. Its "weights" leave out the biases; the
    # solver counts parameters, so each conv layer's count is the printed weights + one bias per filter.
    a = answers("cs231n-vgg16-block")
    assert a["shapes"] == [[64, 224, 224], [64, 224, 224], [64, 112, 112],
                           [128, 112, 112], [128, 112, 112], [128, 56, 56]]
    weights = [1_728, 36_864, 0, 73_728, 147_456, 0]
    biases = [64, 64, 0, 128, 128, 0]
    assert a["parameters"] == [w + b for w, b in zip(weights, biases)]
    assert a["total_parameters"] == sum(weights) + sum(biases)
    assert a["same_padding"] == [1]  # "when F = 3, then using P = 1 will retain the original size"
    # A student who copies the table's weights is told the biases are missing.
    built = problem("cs231n-vgg16-block")
    part = next(p for p in marking.checkpoints(built) if p.name == "parameters[0]")
    assert marking.diagnose(built, part, Answer(1_728, None, "1728")).id == "no_bias"


def test_dumoulin_transposed_unit():
    # Section 4.3: i = 4, k = 3, s = 1, p = 0 produces a 2x2 output; the transpose of this
    # convolution has an output of shape 4x4 when applied on a 2x2 input (o' = i' + (k - 1)).
    a = answers("dumoulin-transposed-unit")
    assert [shape[1:] for shape in a["shapes"]] == [[2, 2], [4, 4]]


def test_dumoulin_transposed_strided():
    # Relationship 6 with i = 5, k = 3, s = 2, p = 1: ⌊(5 + 2 − 3)/2⌋ + 1 = 3 (CS231n's demo prints the
    # same (5 - 3 + 2)/2 + 1 = 3); Relationship 13: o' = s(i' − 1) + k − 2p = 2·2 + 3 − 2 = 5.
    a = answers("dumoulin-transposed-strided")
    assert [shape[1:] for shape in a["shapes"]] == [[3, 3], [5, 5]]
    assert a["output_size"] == 5


def test_from_bank_rejects_a_malformed_entry():
    with pytest.raises(ValueError):
        conv.from_bank({"id": "broken", "data": "n=3 f=5"})  # the window does not fit
    with pytest.raises(ValueError):
        conv.from_bank({"id": "broken"})
    with pytest.raises(ValueError):
        conv.from_bank({"id": "broken", "data": "n=7 f=3", "same_padding": ["1"]})
