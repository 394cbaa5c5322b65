"""Start-up and throughput figures for the notes.

(a) wall time of `mlquiz --help` divided by that of `python -c "import typer"` (median of several
    interleaved runs): ≤ 1.6 means numpy, sympy and the topics are not loaded for help (numpy
    alone would double it); what help does cost is reading the interface's text catalogue and the
    stored language setting, since help is shown in the user's language;
(b) problems generated and solved per second, in-process, per topic and difficulty;
(c) `mlquiz stats` (a whole process) on 10,000 synthetic practised problems (target < 1 s), and the
    time `mlquiz review` needs for its next item on them: skills replayed, queue, problem (< 0.3 s);
(d) the time `mlquiz quiz` and `mlquiz design` take to their first question (a whole process, stdin
    at end of file): loading and checking the 17 chapter files or the scenarios (target < 0.5 s).

Run: .venv/bin/python benchmarks/bench.py [--runs N] [--seconds S]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time


def wall(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
    return time.perf_counter() - start


def help_ratio(runs: int) -> tuple[float, float, float]:
    script = shutil.which("mlquiz")
    mlquiz = [script, "--help"] if script else [sys.executable, "-m", "mlquiz", "--help"]
    typer_only = [sys.executable, "-c", "import typer"]
    wall(mlquiz), wall(typer_only)  # warm the file cache
    ours, base = [], []
    for _ in range(runs):
        ours.append(wall(mlquiz))
        base.append(wall(typer_only))
    m, b = statistics.median(ours), statistics.median(base)
    return m, b, m / b


def throughput(topic: str, difficulty: str, seconds: float) -> float:
    from mlquiz import engine

    engine.generate(topic, 0, difficulty)  # import the topic first
    count, seed, start = 0, 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        engine.generate(topic, seed, difficulty)
        seed += 1
        count += 1
    return count / (time.perf_counter() - start)


def synthetic_history(count: int) -> None:
    """`count` practised problems of three parts over 60 days in the store of $MLQUIZ_HOME."""
    import random

    from mlquiz import registry
    from mlquiz.store import Store

    rng, topics, start = random.Random(0), registry.names(), time.time() - 60 * 86400
    db = Store().connect()
    db.execute("BEGIN")
    for i in range(count):
        cursor = db.execute("INSERT INTO item (at, topic, kind, difficulty, seed, source, version, given, "
                            "parts_right, parts_asked) VALUES (?,?,?,?,?,?,?,?,?,?)",
                            (start + i * 60 * 86400 / count, rng.choice(topics), "calculation",
                             rng.choice(["easy", "medium", "hard"]), i, "random", 1, "{}", 0, 3))
        db.executemany("INSERT INTO outcome VALUES (?,?,?,?,?,?,?,?,?)",
                       [(cursor.lastrowid, p, f"part{p}", rng.choice(["right", "right", "wrong", "skipped"]),
                         rng.randint(1, 2), rng.randint(0, 1), rng.choice(["", "", "", "slip"]),
                         rng.uniform(5, 120), "") for p in range(3)])
    db.execute("COMMIT")


def history_figures(runs: int) -> tuple[float, float]:
    import os
    import tempfile

    from mlquiz import engine, registry, skills
    from mlquiz.store import Store

    with tempfile.TemporaryDirectory() as home:
        os.environ["MLQUIZ_HOME"] = home
        synthetic_history(10_000)
        script = shutil.which("mlquiz")
        stats = [script, "stats"] if script else [sys.executable, "-m", "mlquiz", "stats"]
        wall(stats)
        stats_time = statistics.median(wall(stats) for _ in range(runs))
        times = []
        for _ in range(runs):
            start = time.perf_counter()
            store = Store()
            states = skills.skills(skills.attempts(store))
            first = skills.review_queue(states, registry.names(), skills.now("2030-01-01"))[0]
            engine.generate(first.topic, engine.new_seed(), first.difficulty)
            times.append(time.perf_counter() - start)
            store.close()
        return stats_time, statistics.median(times)


def question_start(command: list[str], runs: int) -> float:
    """Median wall time of a quiz or design session that ends at once (stdin empty)."""
    import os
    import tempfile

    script = shutil.which("mlquiz")
    base = [script] if script else [sys.executable, "-m", "mlquiz"]
    times = []
    with tempfile.TemporaryDirectory() as home:
        env = dict(os.environ, MLQUIZ_HOME=home)
        for _ in range(runs):
            start = time.perf_counter()
            subprocess.run(base + command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, check=True, env=env)
            times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--seconds", type=float, default=1.0)
    args = parser.parse_args()
    m, b, ratio = help_ratio(args.runs)
    print(f"mlquiz --help: {m * 1000:.0f} ms; import typer: {b * 1000:.0f} ms; ratio {ratio:.2f} (target ≤ 1.6)")
    stats_time, review_time = history_figures(max(3, args.runs // 3))
    print(f"mlquiz stats on 10,000 attempts: {stats_time * 1000:.0f} ms (target < 1000 ms); "
          f"review, next item: {review_time * 1000:.0f} ms (target < 300 ms)")
    for command in (["quiz", "--count", "5", "--seed", "1"], ["design", "--seed", "1"]):
        print(f"mlquiz {command[0]} to its first question: {question_start(command, args.runs) * 1000:.0f} ms "
              "(target < 500 ms)")
    from mlquiz import registry
    from mlquiz.model import DIFFICULTIES

    for topic in registry.topics():
        for difficulty in DIFFICULTIES:
            rate = throughput(topic.name, difficulty, args.seconds)
            print(f"{topic.name:10} {difficulty:6}: {rate:8.0f} problems generated and solved per second")


if __name__ == "__main__":
    main()
