"""The four other core topics through the CLI, as issue 3's acceptance describes."""

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from mlquiz import engine, registry
from mlquiz.cli import app
from test_cli import assert_one_line_error
from test_contract import typed

runner = CliRunner()


def answers(*args):
    result = runner.invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)["answers"]


def test_list_shows_the_topics_in_course_order():
    names = [t["name"] for t in json.loads(runner.invoke(app, ["list", "--json"]).output)]
    assert names == ["entropy", "backprop", "pca", "conv", "qlearning", "linreg", "perceptron", "logistic",
                     "softmax", "svm", "naivebayes", "knn", "kmeans", "metrics", "convolve", "attention", "rnn",
                     "word2vec", "policy", "generative"]


def test_pca_acceptance():
    a = answers("solve", "pca", "--data", "2.5,2.4;0.4,0.7;2.2,2.9")
    np.testing.assert_allclose(a["covariance"], [[1.29, 1.23], [1.23, 1.33]], atol=1e-12)
    assert a["eigenvalues"] == pytest.approx([2.5402, 0.0798], abs=5e-5)


def test_backprop_acceptance():
    a = answers("solve", "backprop", "--x", "0.05,0.10", "--target", "0.01,0.99", "--w1", "0.15,0.20;0.25,0.30",
                "--b1", "0.35,0.35", "--w2", "0.40,0.45;0.50,0.55", "--b2", "0.60,0.60", "--lr", "0.5", "--fixed-bias")
    assert a["loss"] == pytest.approx(0.29837, abs=5e-6)
    assert a["w2_new"][0][0] == pytest.approx(0.35892, abs=5e-6)
    assert a["w1_new"][0][0] == pytest.approx(0.14978, abs=5e-6)


def test_conv_acceptance():
    assert answers("solve", "conv", "--data", "n=32,f=5,p=2,s=1")["output_size"] == 32
    assert answers("solve", "conv", "--data", "n=7,f=3,p=0,s=2")["output_size"] == 3


def test_qlearning_and_alias():
    a = answers("solve", "q", "--q", "0,0;0,0;0,0", "--transitions", "0,1,5,1; 1,0,-1,end", "--alpha", "0.5",
                "--gamma", "0.9")
    assert a["q_table"] == [[0, 2.5], [-0.5, 0], [0, 0]]
    rendered = runner.invoke(app, ["solve", "qlearning", "--q", "0,0;0,0", "--transitions", "0,1,5,1"]).output
    assert "2.5*" in rendered  # the changed cell is marked


def test_pca_csv_with_header(tmp_path):
    path = tmp_path / "points.csv"
    path.write_text("x,y\n2.5,2.4\n0.4,0.7\n2.2,2.9\n")
    assert answers("solve", "pca", "--data", str(path))["eigenvalues"][0] == pytest.approx(2.5402, abs=5e-5)


@pytest.mark.parametrize("args, fragment", [
    (("solve", "pca", "--data", "1,2"), "at least two points"),
    (("solve", "pca", "--data", "1,2;3"), "different lengths"),
    (("solve", "pca", "--data", "1,2;3,4", "--k", "3"), "--k"),
    (("solve", "pca", "--data", "1,2;3,4", "--k", "0"), "--k"),
    (("solve", "conv", "--data", "n=3,f=5"), "layer 1"),
    (("solve", "conv", "--data", "n=32,f=5,q=1"), "not one of"),
    (("solve", "backprop", "--x", "1,2", "--w1", "1,2,3"), "--w1 rows need 2"),
    (("solve", "backprop", "--x", "1,2"), "needs --w1"),
    (("solve", "backprop", "--x", "1,x", "--w1", "1,2"), "not a number"),
    (("solve", "qlearning", "--q", "0,0", "--transitions", "0,0,1"), "s,a,r,s'"),
    (("solve", "qlearning", "--q", "0,0", "--transitions", "0,0,1,0", "--gamma", "abc"), "--gamma"),
    (("solve", "entropy", "--data", "4,2", "--lr", "0.5"), "--lr does not apply to entropy"),
])
def test_malformed_data_is_one_line(args, fragment):
    assert_one_line_error(runner.invoke(app, list(args)), fragment)


@pytest.mark.parametrize("topic", registry.names())
def test_practice_show_for_every_topic(topic):
    problem = engine.generate(topic, 9, "medium")
    script = "\n".join(typed(p.expected) for p in problem.parts) + "\n"
    result = runner.invoke(app, ["practice", topic, "--seed", "9"], input=script)
    assert result.exit_code == 0, result.output
    n = len(problem.parts)
    assert f"Score: {n}/{n} parts right ({n} on the first try)" in result.output
    shown = runner.invoke(app, ["show", topic, "--seed", "9", "--solution"])
    assert shown.exit_code == 0 and "Solution" in shown.output
