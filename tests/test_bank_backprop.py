"""The backprop bank (problems/backprop/bank.toml): every entry reproduces the numbers its source
prints, to the precision printed, and passes the conformance checks a generated problem passes.

Sign convention: the course's δ is −∂L/∂a (δ_out = y(1 − y)(r − y)). Mazur writes δ = ∂E/∂net, the
opposite sign; Han, Kamber and Pei's Err_j = O_j(1 − O_j)(T_j − O_j) is the course's δ. Gradients
(grad_w1, grad_w2) are ∂L/∂W in every source, as in the solver.
"""


import pytest

from mlquiz import engine
from mlquiz.topics import backprop
from topic_helpers import bank_problem, printed

TOPIC = "backprop"


def entries():
    return engine.bank_entries(TOPIC)


def problem(entry_id):
    return bank_problem(TOPIC, entry_id)


# --------------------------------------------------------------------------- the bank as data

def test_a_malformed_entry_is_a_value_error():
    good = next(entry for entry in entries() if entry["id"] == "mazur-2-2-2")
    for broken in ({k: v for k, v in good.items() if k != "w1"},             # a required option missing
                   {**good, "w1": [[0.15, "a"], [0.25, 0.30]]},               # not a number
                   {**good, "w2": [[0.4, 0.45, 0.5], [0.5, 0.55, 0.6]]},      # W2 does not fit W1
                   {**good, "lr": 0.0}):                                        # outside --lr's range
        with pytest.raises(ValueError, match="bank:mazur-2-2-2: "):
            backprop.from_bank(broken)


# --------------------------------------------------------------------------- published numbers

def test_cs231n_sigmoid_neuron():
    """CS231n prints: the sigmoid 'receives the input 1.0 and computes the output 0.73', its local
    gradient '(1 - 0.73) * 0.73 ~= 0.2'; the circuit figure's gradients are dw0 = -0.20, dw1 = -0.39,
    dw2 = 0.20. With df = 1 (upstream 1) and lr = 1, w_new − w and b_new − b are those gradients."""
    built = problem("cs231n-sigmoid-neuron")
    a = built.solution.answers
    printed(a["pre_activation"], "1.0")
    printed(a["output"], "0.73")
    printed(a["sigmoid_derivative"], "0.2")
    printed(a["delta"], "0.2")
    w, b = built.given["w"], built.given["b"]
    printed([new - old for new, old in zip(a["w_new"], w)], ["-0.20", "-0.39"])
    printed(a["b_new"] - b, "0.20")


def test_mazur_2_2_2():
    """Every number below is printed in Mazur's post (to the decimals shown)."""
    a = problem("mazur-2-2-2").solution.answers
    printed(a["hidden"], ["0.593269992", "0.596884378"])
    printed(a["output"], ["0.75136507", "0.772928465"])
    printed(a["loss"], "0.298371109")                      # E_total
    # δ_o1: Mazur's ∂E/∂out_o1 = 0.74136507 times ∂out_o1/∂net_o1 = 0.186815602, opposite sign here.
    assert a["delta_output"][0] == pytest.approx(-0.74136507 * 0.186815602, abs=1e-9)
    printed(a["grad_w2"][0][0], "0.082167041")              # ∂E_total/∂w5
    printed(a["w2_new"], [["0.35891648", "0.408666186"], ["0.511301270", "0.561370121"]])  # w5+ … w8+
    printed(a["grad_w1"][0][0], "0.000438568")              # ∂E_total/∂w1, with the old w5 … w8
    printed(a["w1_new"], [["0.149780716", "0.19956143"], ["0.24975114", "0.29950229"]])    # w1+ … w4+
    assert "b1_new" not in [p.name for p in problem("mazur-2-2-2").parts]  # the post keeps b1, b2 fixed


def test_han_kamber_pei_example_9_1():
    """Han, Kamber & Pei, Example 9.1: the tables of net input and output, of the error at each node
    and of the weight and bias updates (three decimals, four for the errors)."""
    built = problem("han-kamber-3-2-1")
    a = built.solution.answers
    printed(a["hidden"], ["0.332", "0.525"])               # O4, O5
    printed(a["output"], ["0.474"])                        # O6
    # The book prints Err6 = 0.1311: it multiplies the rounded O6 = 0.474, (0.474)(0.526)(0.526) =
    # 0.13115. With O6 unrounded (0.473889) Err6 = 0.131169, which is 0.1312 to the printed 4 decimals.
    printed(a["delta_output"], ["0.1312"])
    printed(a["delta_hidden"], ["-0.0087", "-0.0065"])     # Err4, Err5
    printed(a["w2_new"], [["-0.261", "-0.138"]])           # w46, w56
    printed(a["w1_new"], [["0.192", "0.4", "-0.508"],      # w14, w24, w34
                          ["-0.306", "0.1", "0.194"]])     # w15, w25, w35
    printed(a["b2_new"], ["0.218"])                        # θ6
    printed(a["b1_new"], ["-0.408", "0.194"])              # θ4, θ5
    # Not printed in the book, but fixed by its printed output O6 = 0.474: L = ½(1 − O6)².
    printed(a["loss"], f"{0.5 * (1 - 0.474) ** 2:.3f}")
