"""Feature-map values against scipy.signal (correlate2d / convolve2d), numpy's sliding windows and
a plain window loop written here (never the solver's own code); the MathWorks bank example; each
misconception worked by hand; carried-forward marking; one-line errors."""

import tomllib
from pathlib import Path

import numpy as np
import pytest
from numpy.lib.stride_tricks import sliding_window_view
from scipy.signal import convolve2d, correlate2d

from mlquiz import engine, marking, text
from mlquiz.conformance import check_topic
from mlquiz.errors import UserError
from mlquiz.topics import convolve
from topic_helpers import declared_misconceptions, diagnosed

FOLDER = Path(convolve.__file__).resolve().parents[2] / "problems" / "convolve"
SMALL = {"input": "1,2,0;0,1,3;2,1,1", "kernel": "1,0;0,-1", "bias": "1"}
MAGIC5 = [[17, 24, 1, 8, 15], [23, 5, 7, 14, 16], [4, 6, 13, 20, 22], [10, 12, 19, 21, 3], [11, 18, 25, 2, 9]]
MAGIC3 = [[8, 1, 6], [3, 5, 7], [4, 9, 2]]


def user(**raw):
    """A problem from the user's own options, typed as on the command line."""
    return engine.from_data("convolve", raw)


# --------------------------------------------------------------------------- the independent oracle

def oracle(given):
    """Every answer from scipy.signal.correlate2d on the zero-padded input (stride by slicing),
    numpy's sliding windows for pooling, and C built column by column from unit inputs."""
    x = np.array(given["input"], dtype=float)
    k = np.array(given["kernel"], dtype=float)
    s, p, b = given["stride"], given["padding"], float(given["bias"])
    y = correlate2d(np.pad(x, p), k, mode="valid")[::s, ::s] + b
    out = {"output_size": y.shape[0], "feature_map": y}
    a = np.maximum(y, 0.0) if given["relu"] else y
    if given["relu"]:
        out["activated"] = a
    if given["pool"]:
        windows = sliding_window_view(a, (given["pool_size"],) * 2)[::given["pool_stride"], ::given["pool_stride"]]
        out["pooled"] = windows.max(axis=(2, 3)) if given["pool"] == "max" else windows.mean(axis=(2, 3))
    n = x.shape[0]
    if p == 0 and n <= 6:
        columns = []
        for r in range(n * n):
            unit = np.zeros(n * n)
            unit[r] = 1.0
            columns.append(correlate2d(unit.reshape(n, n), k, mode="valid")[::s, ::s].ravel())
        c = np.array(columns).T
        assert np.allclose(c @ x.ravel() + b, y.ravel())
        out["conv_matrix"] = c
    return out


def loop_map(given):
    """A plain window loop: y[i][j] = Σ X_p[i·S + u][j·S + v]·K[u][v] + b while the window fits."""
    x, k = given["input"], given["kernel"]
    n, f, s, p = len(x), len(k), given["stride"], given["padding"]
    xp = [[0.0] * (n + 2 * p) for _ in range(n + 2 * p)]
    for i in range(n):
        for j in range(n):
            xp[i + p][j + p] = x[i][j]
    starts = [t for t in range(0, n + 2 * p - f + 1, s)]
    return [[sum(xp[i + u][j + v] * k[u][v] for u in range(f) for v in range(f)) + given["bias"] for j in starts]
            for i in starts]


def check_against_oracle(given, answers):
    expected = oracle(given)
    assert set(answers) == set(expected)
    assert answers["output_size"] == expected["output_size"]
    for key in ("feature_map", "activated", "pooled", "conv_matrix"):
        if key in expected:
            assert np.allclose(np.array(answers[key], dtype=float), expected[key], atol=1e-9), key
    assert np.allclose(np.array(loop_map(given)), expected["feature_map"])


def test_generated_problems_against_the_oracle():
    for difficulty in ("easy", "medium", "hard"):
        for seed in range(60):
            problem = engine.generate("convolve", seed, difficulty)
            check_against_oracle(problem.given, problem.solution.answers)


@pytest.mark.parametrize("raw", [
    {**SMALL},
    {**SMALL, "padding": "1", "relu": True, "pool": "max"},
    {**SMALL, "padding": "2", "stride": "2", "relu": True, "pool": "avg", "pool_size": "2", "pool_stride": "1"},
    {"input": "1,2,3,4,5;6,7,8,9,10;1,0,1,0,1;2,2,2,2,2;-1,-2,-3,-4,-5", "kernel": "1,0,-1;2,0,-2;1,0,-1",
     "stride": "2", "bias": "0.5", "relu": True, "pool": "max", "pool_size": "2", "pool_stride": "1"},
    {"input": "0,1,2,3,4,5;5,4,3,2,1,0;1,1,1,1,1,1;2,0,2,0,2,0;0,3,0,3,0,3;1,2,3,1,2,3",
     "kernel": "1,2;3,4", "stride": "3"},
    {"input": "1,2,3,4,5,6,7;7,6,5,4,3,2,1;1,0,1,0,1,0,1;0,1,0,1,0,1,0;2,2,2,2,2,2,2;3,1,3,1,3,1,3;1,1,1,1,1,1,1",
     "kernel": "1,-1,0;0,2,1;-1,0,1", "padding": "1", "pool": "avg", "pool_size": "3", "pool_stride": "2"},
])
def test_user_data_against_the_oracle(raw):
    problem = user(**raw)
    check_against_oracle(problem.given, problem.solution.answers)


# --------------------------------------------------------------------------- the published example

def bank(entry_id):
    with (FOLDER / "bank.toml").open("rb") as handle:
        entries = tomllib.load(handle)["problem"]
    return engine.from_bank("convolve", [e["id"] for e in entries].index(entry_id))


def test_d2l_cross_correlation_bank_entry():
    """Dive into Deep Learning 7.2.1: X = 0…8 (3×3), K = [0 1; 2 3] → [19 25; 37 43]."""
    problem = bank("d2l-cross-correlation")
    a = problem.solution.answers
    assert a["output_size"] == 2 and a["feature_map"] == [[19, 25], [37, 43]]
    # true convolution (K rotated to [3 2; 1 0]) gives 0·3 + 1·2 + 3·1 + 4·0 = 5 at the corner
    assert diagnosed(problem, "feature_map", [[5, 11], [23, 29]]) == "kernel_flipped"
    assert len(a["conv_matrix"]) == 4 and a["conv_matrix"][0] == [0, 1, 0, 2, 3, 0, 0, 0, 0]


def test_d2l_pooling_bank_entries():
    """Dive into Deep Learning 7.5.1: 2×2 pooling (stride 1) of 0…8 → max [4 5; 7 8], avg [2 3; 5 6]."""
    assert bank("d2l-max-pooling").solution.answers["pooled"] == [[4, 5], [7, 8]]
    assert bank("d2l-avg-pooling").solution.answers["pooled"] == [[2, 3], [5, 6]]


def test_mathworks_magic_correlation_bank_entry():
    """MathWorks 'What Is Image Filtering in the Spatial Domain?': A = magic(5), h = magic(3); the (2,4)
    output pixel is 585 for correlation and 575 for convolution (kernel rotated 180°)."""
    problem = bank("mathworks-magic-correlation")
    a = problem.solution.answers
    assert problem.given["input"] == MAGIC5 and problem.given["kernel"] == MAGIC3
    assert a["output_size"] == 5
    assert a["feature_map"][1][3] == 585                      # correlation, pixel (2,4)
    assert convolve2d(MAGIC5, MAGIC3, mode="same")[1][3] == 575  # convolution, pixel (2,4)
    flipped = convolve2d(MAGIC5, MAGIC3, mode="same").astype(float).tolist()
    assert diagnosed(problem, "feature_map", flipped) == "kernel_flipped"
    assert "conv_matrix" not in a  # padding 1: no C (the notes' C is for padding 0)


# --------------------------------------------------------------------------- misconceptions

def test_misconception_data_and_texts():
    items = declared_misconceptions("convolve", convolve.VARIANTS)
    assert len(items) >= 3
    assert {"kernel_flipped", "padding_forgotten", "no_plus_one", "pool_stride_from_conv"} <= set(items)


def test_misconceptions_worked_by_hand():
    # X = [1 2 0; 0 1 3; 2 1 1], K = [1 0; 0 −1], b = 1: y11 = 1 − 1 + 1 = 1, y12 = 2 − 3 + 1 = 0, …
    small = user(**SMALL)
    assert small.solution.answers["feature_map"] == [[1, 0], [0, 1]]
    assert diagnosed(small, "feature_map", [[1, 0], [0, 1]]) is None          # right: nothing named
    # flipped K = [−1 0; 0 1]: y11 = −1 + 1 + 1 = 1, y12 = −2 + 3 + 1 = 2, y21 = 0 + 1 + 1 = 2, y22 = 1
    assert diagnosed(small, "feature_map", [[1, 2], [2, 1]]) == "kernel_flipped"
    assert diagnosed(small, "feature_map", [[0, -1], [-1, 0]]) == "bias_forgotten"
    assert diagnosed(small, "output_size", 1) == "no_plus_one"                # (3 − 2)/1 without + 1

    padded = user(**SMALL, padding="1")                                       # M = ⌊(3 + 2 − 2)/1⌋ + 1 = 4
    assert padded.solution.answers["output_size"] == 4
    assert diagnosed(padded, "output_size", 2) == "padding_forgotten"
    assert diagnosed(padded, "output_size", 3) == "no_plus_one"
    assert diagnosed(padded, "feature_map", [[1, 0], [0, 1]]) == "padding_forgotten"

    # X[i][j] = 5i + j + 1 (5×5), K = [1 0; 0 0] picks the window's corner: Y = X[1..4][1..4];
    # max pooling 2×2 stride 2 gives [7 9; 17 19], moved with the conv stride 1 it gives a 3×3 map.
    ramp = ";".join(",".join(str(5 * i + j + 1) for j in range(5)) for i in range(5))
    pooled = user(input=ramp, kernel="1,0;0,0", pool="max")
    assert pooled.solution.answers["pooled"] == [[7, 9], [17, 19]]
    assert diagnosed(pooled, "pooled", [[7, 8, 9], [12, 13, 14], [17, 18, 19]]) == "pool_stride_from_conv"

    # C for a 3×3 input and K = [1 2; 3 4]: row 1 (y11) is [1 2 0 3 4 0 0 0 0] row-major;
    # flattening column by column puts x21 second: [1 3 0 2 4 0 0 0 0], rows y11, y21, y12, y22.
    matrix = user(input="1,2,0;0,1,3;2,1,1", kernel="1,2;3,4")
    c = matrix.solution.answers["conv_matrix"]
    assert c[0] == [1, 2, 0, 3, 4, 0, 0, 0, 0]
    order = [0, 3, 6, 1, 4, 7, 2, 5, 8]
    by_columns = [[c[r][q] for q in order] for r in (0, 2, 1, 3)]
    assert by_columns[0] == [1, 3, 0, 2, 4, 0, 0, 0, 0]
    assert diagnosed(matrix, "conv_matrix", by_columns) == "column_major"
    flipped = [[4, 3, 0, 2, 1, 0, 0, 0, 0], [0, 4, 3, 0, 2, 1, 0, 0, 0], [0, 0, 0, 4, 3, 0, 2, 1, 0],
               [0, 0, 0, 0, 4, 3, 0, 2, 1]]
    assert diagnosed(matrix, "conv_matrix", flipped) == "kernel_flipped"


def test_carried_forward_relu_and_pooling_from_the_students_map():
    problem = user(**SMALL, padding="1", relu=True, pool="max")
    parts = marking.checkpoints(problem)
    wrong = "1,1,0,0;2,1,-1,0;0,0,1,-2;3,0,1,0"
    work = marking.parse_work(["output_size=4", f"feature_map={wrong}", "activated=1,1,0,0;2,1,0,0;0,0,1,0;3,0,1,0",
                               "pooled=2,0;3,1"], parts)
    statuses = {m.part.name: m.status for m in marking.mark(problem, work).marks}
    assert statuses["feature_map"] == "wrong"
    assert statuses["activated"] == "carried" and statuses["pooled"] == "carried"


def test_pooling_floor_and_order():
    # conv → ReLU → pool: avg pooling of the activated map, not of the raw map.
    problem = user(input="1,0,2;0,-3,1;2,1,0", kernel="1,0;0,1", relu=True, pool="avg", pool_size="2",
                   pool_stride="1")
    y = correlate2d([[1, 0, 2], [0, -3, 1], [2, 1, 0]], [[1, 0], [0, 1]], mode="valid")
    assert problem.solution.answers["pooled"] == [[float(np.maximum(y, 0).mean())]]
    floored = user(input="1,2,3,4,5;1,2,3,4,5;1,2,3,4,5;1,2,3,4,5;1,2,3,4,5", kernel="1,0;0,2", stride="2")
    assert floored.solution.answers["output_size"] == 2  # ⌊(5 − 2)/2⌋ + 1
    assert any(note.key == "convolve.note.floor" for note in floored.solution.notes)


# --------------------------------------------------------------------------- bad input

@pytest.mark.parametrize("raw, fragment", [
    ({**SMALL, "input": "1,2,3;4,5,6"}, "--input"),
    ({**SMALL, "kernel": "1,2,3;4,5,6"}, "--kernel"),
    ({**SMALL, "kernel": "1,2,3,4;1,2,3,4;1,2,3,4;1,2,3,4"}, "kernel"),
    ({**SMALL, "pool": "max", "pool_size": "3"}, "pool"),
    ({**SMALL, "input": "1e12,1,1;1,1,1;1,1,1"}, "--input"),
    ({**SMALL, "input": ";".join([",".join(["1"] * 31)] * 31)}, "--input"),
    ({**SMALL, "stride": "0"}, "--stride"),
    ({**SMALL, "pool": "min"}, "--pool"),
])
def test_bad_input_is_one_line(raw, fragment):
    with pytest.raises(UserError) as info:
        user(**raw)
    message = str(info.value)
    assert "\n" not in message and fragment in message


# --------------------------------------------------------------------------- text is data, conformance

def test_every_text_resolves_in_both_languages():
    for difficulty in ("easy", "medium", "hard"):
        for seed in range(8):
            problem = engine.generate("convolve", seed, difficulty)
            for lang in ("en", "zh"):
                assert text.join(problem.statement, lang)
                for step in problem.solution.steps:
                    text.render(step.title, lang), text.render(step.formula, lang)


def test_conformance():
    check_topic("convolve", seeds=range(6))
