"""The command line. Commands parse their options and delegate; heavy modules (numpy, sympy, Rich,
the topics) are imported inside the commands, so `mlquiz --help` stays fast.

Errors the user can fix (UserError, a bad option) become one line on stderr and exit code 2 here,
in `_Group.main`, the one place that handles them; Ctrl-C exits with 130.
"""

from __future__ import annotations

import sys
from typing import Any, Optional

import typer
from typer.core import TyperGroup

from mlquiz import __version__, registry
from mlquiz.errors import UserError


class _Group(TyperGroup):
    def main(self, args: Any = None, prog_name: Any = None, complete_var: Any = None,
             standalone_mode: bool = True, **extra: Any) -> Any:
        try:
            code = super().main(args=args, prog_name="mlquiz", complete_var=complete_var,
                                standalone_mode=False, **extra)
            code = code if isinstance(code, int) else 0
        except UserError as exc:
            code = _fail(str(exc))
        except KeyboardInterrupt:
            code = 130
        except Exception as exc:  # Click's usage errors (bad option, missing argument), Abort on EOF
            message = getattr(exc, "format_message", None)
            if message is None:
                if type(exc).__name__ == "Abort":
                    code = 130
                else:
                    raise
            else:
                code = _fail(_usage_line(exc))
        if standalone_mode:
            sys.exit(code)
        return code


def _usage_line(exc: Any) -> str:
    text = " ".join(exc.format_message().split())
    ctx = getattr(exc, "ctx", None)
    where = ctx.command_path if ctx is not None else "mlquiz"
    return f"{text} (see `{where} --help`)"


def _fail(message: str) -> int:
    # One line whatever the user typed: control characters and line breaks are shown escaped.
    message = "".join(c if c.isprintable() else repr(c)[1:-1] for c in message)
    sys.stderr.write(f"mlquiz: error: {message}\n")
    sys.stderr.flush()
    return 2


app = typer.Typer(
    cls=_Group, add_completion=False, no_args_is_help=True, rich_markup_mode=None,
    pretty_exceptions_enable=False,
    help="Practise, solve and check the hand-calculated problems of the SE3332 machine-learning exam.",
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"mlquiz {__version__}")
        raise typer.Exit()


@app.callback()
def _root(version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                       help="Print the version and exit.")) -> None:
    """mlquiz: randomized practice problems, worked solutions and answer checking."""


TopicArg = typer.Argument(..., help="A topic or alias (see `mlquiz list`).", show_default=False)
SeedOpt = typer.Option(None, "--seed", help="Seed of the problem; the same seed gives the same problem.")
DifficultyOpt = typer.Option("medium", "--difficulty", "-d", help="easy, medium or hard.")
JsonOpt = typer.Option(False, "--json", help="Print one JSON object instead of the rendered view.")


@app.command("list")
def list_topics(as_json: bool = JsonOpt) -> None:
    """The topics, with what each covers and the format of its --data."""
    if as_json:
        import json

        typer.echo(json.dumps([{"name": t.name, "aliases": list(t.aliases), "summary": t.summary,
                                "data_format": t.data_format} for t in registry.TOPICS], indent=2))
        return
    from mlquiz import render

    render.make_console().print(render.topics_view(registry.TOPICS))


@app.command()
def practice(
    topic: str = TopicArg,
    seed: Optional[int] = SeedOpt,
    difficulty: str = DifficultyOpt,
    count: int = typer.Option(1, "--count", "-n", min=1, max=50, help="How many problems in a row."),
    bank: bool = typer.Option(False, "--bank", help="Draw from the fixed bank of worked examples instead."),
) -> None:
    """A fresh problem answered interactively: each answer marked at once, then the full solution."""
    from mlquiz import engine, interact, render

    registry.info(topic)
    engine.check_difficulty(difficulty)
    first = engine.check_seed(seed) if seed is not None else engine.new_seed()

    def problems():
        for i in range(count):
            if bank:
                yield engine.from_bank(topic, first + i)
            else:
                yield engine.generate(topic, (first + i) % engine.MAX_SEED, difficulty)

    console = render.make_console()
    interact.practise(console, problems(), record=_practice_recorder(console))


def _practice_recorder(console: Any) -> Any:
    """Record finished practice problems; if the data directory is unusable, say so once and go on."""
    from mlquiz.store import Store

    store = Store()
    try:
        store.connect()
    except UserError as exc:
        console.print(f"[yellow]mlquiz: not recording this session: {render_escape(str(exc))}[/yellow]")
        return None

    def record(problem: Any, right: int, asked: int) -> None:
        store.record_practice(problem.topic, problem.difficulty, problem.seed, problem.source, right, asked)

    return record


def render_escape(text: str) -> str:
    from rich.markup import escape

    return escape(text)


@app.command()
def show(
    topic: str = TopicArg,
    seed: Optional[int] = SeedOpt,
    difficulty: str = DifficultyOpt,
    solution: bool = typer.Option(False, "--solution", help="Also print the worked solution."),
    bank: bool = typer.Option(False, "--bank", help="Show a problem of the fixed bank instead."),
    as_json: bool = JsonOpt,
) -> None:
    """Print a problem (and with --solution its worked solution) without asking anything."""
    from mlquiz import engine, render

    problem = engine.from_bank(topic, seed) if bank else engine.generate(topic, seed, difficulty)
    if as_json:
        typer.echo(render.problem_json(problem, with_solution=solution))
        return
    console = render.make_console()
    console.print(render.problem_view(problem))
    if solution:
        console.print(render.solution_view(problem.solution))
        console.print(render.answers_view(problem))


def _data_command(check: bool):
    """`solve` and `check` take the same topic options; `check` also takes --work."""

    def command(
        topic: str = TopicArg,
        data: Optional[str] = typer.Option(None, "--data", help="Your numbers, or a file (see `mlquiz list`)."),
        target: Optional[str] = typer.Option(None, "--target", help="entropy: the class column; backprop: targets r."),
        base: Optional[str] = typer.Option(None, "--base", help="entropy: log base 2, e or 10 (default 2)."),
        k: Optional[int] = typer.Option(None, "--k", help="pca: components to project on (default 1)."),
        x: Optional[str] = typer.Option(None, "--x", help="backprop: input vector (; between batch samples)."),
        w1: Optional[str] = typer.Option(None, "--w1", help="backprop: first-layer weights, rows = neurons."),
        b1: Optional[str] = typer.Option(None, "--b1", help="backprop: first-layer biases."),
        w2: Optional[str] = typer.Option(None, "--w2", help="backprop: second-layer weights, rows = neurons."),
        b2: Optional[str] = typer.Option(None, "--b2", help="backprop: second-layer biases."),
        lr: Optional[str] = typer.Option(None, "--lr", help="backprop: learning rate η (default 0.5)."),
        fixed_bias: bool = typer.Option(False, "--fixed-bias", help="backprop: do not update the biases."),
        upstream: Optional[str] = typer.Option(None, "--upstream", help="backprop: δ_y arriving at a single unit."),
        q: Optional[str] = typer.Option(None, "--q", help="qlearning: the Q-table, rows = states."),
        transitions: Optional[str] = typer.Option(None, "--transitions", help="qlearning: s,a,r,s' (end = terminal)."),
        alpha: Optional[str] = typer.Option(None, "--alpha", help="qlearning: learning rate α (default 0.5)."),
        gamma: Optional[str] = typer.Option(None, "--gamma", help="qlearning: discount γ (default 0.9)."),
        target_q: Optional[str] = typer.Option(None, "--target-q", help="qlearning: a separate target table (DQN)."),
        work: Optional[list[str]] = typer.Option(None, "--work", hidden=not check,
                                                 help="name=value of a step you computed (repeatable)."),
        as_json: bool = JsonOpt,
    ) -> None:
        from mlquiz import engine, render

        if work and not check:
            raise UserError("--work belongs to `mlquiz check`")
        options = dict(target=target, base=base, k=k, x=x, w1=w1, b1=b1, w2=w2, b2=b2, lr=lr, fixed_bias=fixed_bias,
                       upstream=upstream, q=q, transitions=transitions, alpha=alpha, gamma=gamma, target_q=target_q)
        problem = engine.from_data(topic, data, options)
        if check:
            _check(problem, work or [], as_json)
            return
        if as_json:
            typer.echo(render.problem_json(problem))
            return
        console = render.make_console()
        console.print(render.problem_view(problem, with_parts=False))
        console.print(render.solution_view(problem.solution))
        console.print(render.answers_view(problem))

    command.__doc__ = ("Check your hand calculation step by step: where it went wrong, and why." if check
                       else "Solve your own numbers step by step.")
    return command


def _check(problem: Any, work: list[str], as_json: bool) -> None:
    from mlquiz import interact, marking, render

    parts = marking.checkpoints(problem)
    console = render.make_console()
    if not work:
        if as_json:
            raise UserError("--json needs the values as --work name=value")
        console.print(render.problem_view(problem, with_parts=False))
        work = interact.collect_work(console, parts)
    report = marking.mark(problem, marking.parse_work(work, parts))
    if as_json:
        typer.echo(render.report_json(report))
    else:
        console.print(render.report_view(report))


app.command("solve")(_data_command(check=False))
app.command("check")(_data_command(check=True))


@app.command()
def exam(
    blueprint: str = typer.Option("final", "--blueprint", "-b", help="A shipped paper (final, quick) or your .toml."),
    seed: Optional[int] = SeedOpt,
    minutes: Optional[float] = typer.Option(None, "--minutes", "-m", help="Override the paper's time limit."),
    resume: bool = typer.Option(False, "--resume", help="Continue the unfinished exam (its clock kept running)."),
    abandon: bool = typer.Option(False, "--abandon", help="Give up the unfinished exam: it is marked as it stands "
                                                          "and kept in history as abandoned."),
) -> None:
    """A timed mock exam: questions across topics, a live countdown, marked when you submit."""
    from mlquiz import engine, exam as exams, exam_ui, render
    from mlquiz.store import Store

    if abandon and resume:
        raise UserError("--abandon and --resume cannot be used together")
    console = render.make_console()
    store = Store()
    store.connect()
    open_row = store.open_exam()
    if abandon:
        _abandon(console, store, open_row)
        return
    if resume:
        if open_row is None:
            raise UserError("there is no unfinished exam to resume; start one with `mlquiz exam`")
        row = open_row
    else:
        if open_row is not None and open_row["deadline"] > time_now():
            raise UserError(f"exam {open_row['id']} is still running; continue it with `mlquiz exam --resume` "
                            "or give it up with `mlquiz exam --abandon`")
        if open_row is not None:  # its time ran out while away: mark what was saved
            _finish_expired(console, store, open_row)
        if minutes is not None and not 0 < minutes <= 600:
            raise UserError("--minutes must be more than 0 and at most 600")
        plan = exams.load_blueprint(blueprint)
        seed = engine.check_seed(seed) if seed is not None else engine.new_seed()
        paper = exams.make_paper(plan, seed)
        limit = minutes if minutes is not None else plan.minutes
        state = exam_ui.ExamState(0, f"{plan.title} (seed {seed})", time_now() + limit * 60, paper,
                                  exams.problems_for(paper))
        console.print(exam_ui.cover_view(state, limit))
        if sys.stdin.isatty():
            try:
                input("Press Enter to start; the clock starts now. ")
            except EOFError:
                return
        exam_id = store.new_exam(plan.name, state.title, seed, limit, [q.__dict__ for q in paper])
        row = store.exam(exam_id)
    state = _state_of(store, row)
    if state.deadline <= time_now():
        _finish_expired(console, store, row)
        return
    if resume:
        console.print(f"Resuming exam {row['id']}: {exam_ui.clock(state.deadline - time_now())} left.")
    try:
        exam_ui.run(console, store, state, exam_ui.make_reader(console, state))
    except (EOFError, KeyboardInterrupt) as stop:
        console.print(f"\nExam {row['id']} paused; every answer you entered is saved. The clock keeps running: "
                      "continue with `mlquiz exam --resume`.")
        raise typer.Exit(130 if isinstance(stop, KeyboardInterrupt) else 0) from None
    results = exam_ui.finish(store, state)
    console.print(exam_ui.paper_view(state.title, results))


def time_now() -> float:
    import time

    return time.time()


def _state_of(store: Any, row: Any) -> Any:
    from mlquiz import exam as exams, exam_ui

    paper = exam_ui.paper_from_json(row["paper"])
    state = exam_ui.ExamState(row["id"], row["title"], row["deadline"], paper, exams.problems_for(paper))
    state.answers = store.answers(row["id"])
    state.flags = store.flags(row["id"])
    return state


def _finish_expired(console: Any, store: Any, row: Any) -> None:
    from mlquiz import exam_ui

    state = _state_of(store, row)
    console.print(f"Exam {row['id']} ran out of time while you were away; marking the answers you saved.")
    results = exam_ui.finish(store, state)
    console.print(exam_ui.paper_view(state.title, results))


def _abandon(console: Any, store: Any, row: Any) -> None:
    from mlquiz import exam_ui

    if row is None:
        raise UserError("there is no unfinished exam to abandon")
    exam_ui.finish(store, _state_of(store, row), abandoned=True)
    console.print(f"Exam {row['id']} abandoned. It stays in `mlquiz history`; `mlquiz review {row['id']}` shows "
                  "the answers it had, marked.")


@app.command()
def history(as_json: bool = JsonOpt) -> None:
    """Past exams and practice sessions, with scores by topic."""
    import json as jsonlib

    from mlquiz import exam_ui, render
    from mlquiz.store import Store

    store = Store()
    exams_rows, practice = store.exams(), store.practice_by_topic()
    abandoned = {r["id"] for r in exams_rows if exam_ui.was_abandoned(r)}
    if as_json:
        typer.echo(jsonlib.dumps({
            "exams": [{"id": r["id"], "title": r["title"], "blueprint": r["blueprint"], "seed": r["seed"],
                       "started_at": r["started_at"], "finished": r["finished_at"] is not None,
                       "abandoned": r["id"] in abandoned, "score": r["score"], "max_score": r["max_score"]}
                      for r in exams_rows],
            "practice": [{"topic": r["topic"], "sessions": r["sessions"], "parts_right": r["right"],
                          "parts_asked": r["asked"]} for r in practice]}, indent=2))
        return
    shown = [dict(r, title=f"{r['title']} · abandoned") if r["id"] in abandoned else r for r in exams_rows]
    render.make_console().print(render.history_view(shown, practice))


@app.command()
def review(exam_id: int = typer.Argument(..., help="The exam number shown by `mlquiz history`.")) -> None:
    """The marked paper of a past exam, with every solution."""
    from mlquiz import exam_ui, render
    from mlquiz.store import Store

    store = Store()
    row = store.exam(exam_id)
    if row is None:
        raise UserError(f"there is no exam {exam_id}; `mlquiz history` lists them")
    if row["finished_at"] is None:
        raise UserError(f"exam {exam_id} is not finished yet; continue it with `mlquiz exam --resume`")
    state = _state_of(store, row)
    render.make_console().print(exam_ui.paper_view(state.title, exam_ui.mark(state)))


def main() -> None:
    app(prog_name="mlquiz")
