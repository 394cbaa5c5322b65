"""`mlquiz quiz` and `mlquiz design` through a real pseudo-terminal, in English and in Chinese."""

import json

import pexpect
from typer.testing import CliRunner

from mlquiz.cli import app
from test_pty import spawn

runner = CliRunner()


def expected_answers(*args):
    return json.loads(runner.invoke(app, [*args, "--json"]).output)


def test_quiz_in_a_terminal():
    asked = expected_answers("quiz", "--count", "2", "--seed", "5", "--kind", "single")
    child = spawn("quiz", "--count", "2", "--seed", "5", "--kind", "single")
    child.expect("Quiz seed 5")
    child.expect(r"one letter, a–\w\)> ")
    child.sendline("zz")
    child.expect("Not read")
    child.expect(r"\)> ")
    child.sendline(asked[0]["answer"])
    child.expect("Right")
    child.expect("Why:")
    child.expect(r"\)> ")
    child.sendline("skip")
    child.expect("Skipped")
    child.expect(r"Score: 1 / 2")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0


def test_short_answer_self_marked_in_chinese():
    asked = expected_answers("quiz", "--count", "1", "--seed", "2", "--kind", "short", "--lang", "zh")
    child = spawn("quiz", "--lang", "zh", "--count", "1", "--seed", "2", "--kind", "short")
    child.expect("测验种子 2")
    child.expect("你的答案")
    child.sendline("过拟合 正则化 交叉验证")
    child.expect("参考答案")
    child.expect("要点")
    child.expect("你答到了哪些要点")
    child.sendline("9")
    child.expect("无法识别")
    child.sendline("1")
    child.expect(f"自评：答到 {len(asked[0]['key_points'])} 个要点中的 1 个")
    child.expect("得分")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0


def design_walk(child, problem, lines):
    for part in problem["parts"]:
        child.expect(r"\n> ")
        if "key_points" in part:
            child.sendline(lines["written"])
            child.expect(lines["ask"])
            child.sendline("1")
        else:
            child.sendline(part["answer"])


def test_design_in_a_terminal_english_and_chinese():
    for lang, words in (("en", {"written": "clean and normalise the data, split train and test",
                                "ask": "Which key points", "done": "Your answer in the course's template"}),
                        ("zh", {"written": "清洗数据，归一化，划分训练集和测试集",
                                "ask": "你答到了哪些要点", "done": "按课程答题模板"})):
        problem = expected_answers("design", "--seed", "3", "--lang", lang)[0]
        child = spawn("design", "--seed", "3", "--lang", lang)
        design_walk(child, problem, words)
        child.expect(words["done"])
        child.expect(pexpect.EOF)
        child.close()
        assert child.exitstatus == 0, lang
