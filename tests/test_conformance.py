"""The conformance suite for every registered topic, and the proof that a new topic needs only its
module and its data folder: a throw-away topic (tests/toy/) joins through MLQUIZ_TOPIC_PATH and
passes the same suite and every command, with no edit to the package."""

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mlquiz import registry
from mlquiz.conformance import check_topic

TOY = Path(__file__).resolve().parent / "toy"
runner = CliRunner()


@pytest.mark.parametrize("topic", registry.names())
def test_conformance(topic):
    check_topic(topic)


@pytest.fixture
def toy(monkeypatch):
    monkeypatch.setenv("MLQUIZ_TOPIC_PATH", str(TOY / "topics"))
    monkeypatch.syspath_prepend(str(TOY))
    return "toymean"


def test_a_new_topic_is_its_module_and_folder(toy):
    assert toy in registry.names() and registry.info("toy").name == toy
    check_topic(toy)


def test_a_new_topic_works_with_every_command(toy):
    from mlquiz.cli import app

    def run(*args, input=None):
        result = runner.invoke(app, list(args), input=input)
        assert result.exception is None or isinstance(result.exception, SystemExit), result.output
        return result

    listed = json.loads(run("list", "--json").output)
    assert toy in [t["name"] for t in listed]
    solved = json.loads(run("solve", toy, "--data", "1,2,6", "--json").output)
    assert solved["answers"] == {"mean": 3.0, "variance": 7.0}
    assert "--data" in run("solve", toy, "--help").output and "--transitions" not in run("solve", toy, "--help").output
    checked = json.loads(run("check", toy, "--data", "1,2,6", "--work", "mean=3", "--work", "variance=4.6667",
                             "--json").output)
    assert [m["status"] for m in checked["marks"]] == ["right", "wrong"]
    assert checked["marks"][1]["misconception"]["id"] == "population_variance"
    shown = run("show", "toy", "--seed", "4", "--solution")
    assert shown.exit_code == 0 and "Sample variance" in shown.output
    practised = run("practice", toy, "--bank", "--seed", "0", input="3\n7\n")
    assert practised.exit_code == 0 and "Score: 2/2" in practised.output
    bad = run("solve", toy, "--data", "5")
    assert bad.exit_code == 2 and "at least two numbers" in bad.output
