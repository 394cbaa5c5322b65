"""Drive the interactive commands through a real pseudo-terminal, as a student would."""

import pexpect

from conftest import mlquiz_command, subprocess_env


def spawn(*args):
    command, *rest = mlquiz_command()
    return pexpect.spawn(command, [*rest, *args], env=subprocess_env(), encoding="utf-8", timeout=30,
                         dimensions=(40, 100))


def test_practice_entropy_in_a_terminal():
    from mlquiz import engine

    problem = engine.generate("entropy", 11, "easy")
    child = spawn("practice", "entropy", "--seed", "11", "--difficulty", "easy")
    child.expect("seed 11")
    child.expect("answer> ")
    child.sendline("abc")
    child.expect("could not read that")
    child.expect("answer> ")
    child.sendline("?")
    child.expect("hint")
    child.expect("answer> ")
    for i, part in enumerate(problem.parts):
        child.sendline(f"{part.expected:.4f}")
        child.expect("right")
        if i + 1 < len(problem.parts):
            child.expect("answer> ")
    child.expect("Score: 3/3 parts right")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0


def test_ctrl_c_ends_with_score_and_130():
    child = spawn("practice", "entropy", "--seed", "4")
    child.expect("answer> ")
    child.sendintr()
    child.expect("Score: 0/1")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130


def test_check_entropy_in_a_terminal():
    child = spawn("check", "entropy", "--data", "4,2;1,3")
    child.expect(r"\[1/\d+\]")
    child.expect("yours> ")
    child.sendline("0.693")
    child.expect("yours> ")
    child.sendline("")          # skip gini
    child.expect("yours> ")
    child.sendline("0.8755")
    child.expect("yours> ")
    child.sendeof()
    child.expect("Natural log instead of log")
    child.expect("Method wrong at step 1")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
