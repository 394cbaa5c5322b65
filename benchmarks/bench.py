"""Start-up and throughput figures for the notes.

(a) wall time of `mlquiz --help` divided by that of `python -c "import typer"` (median of several
    interleaved runs): ≤ 1.6 means numpy, sympy and the topics are not loaded for help (numpy
    alone would double it); what help does cost is reading the interface's text catalogue and the
    stored language setting, since help is shown in the user's language;
(b) problems generated and solved per second, in-process, per topic and difficulty.

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--seconds", type=float, default=1.0)
    args = parser.parse_args()
    m, b, ratio = help_ratio(args.runs)
    print(f"mlquiz --help: {m * 1000:.0f} ms; import typer: {b * 1000:.0f} ms; ratio {ratio:.2f} (target ≤ 1.6)")
    from mlquiz import registry
    from mlquiz.model import DIFFICULTIES

    for topic in registry.topics():
        for difficulty in DIFFICULTIES:
            rate = throughput(topic.name, difficulty, args.seconds)
            print(f"{topic.name:10} {difficulty:6}: {rate:8.0f} problems generated and solved per second")


if __name__ == "__main__":
    main()
