"""The command line. Commands parse their options and delegate; heavy modules (numpy, sympy, Rich,
the topics) are imported inside the commands, so `mlquiz --help` stays fast.

Errors the user can fix (UserError, a bad option) become one line on stderr and exit code 2 here,
in `_Group.main`, the one place that handles them; Ctrl-C exits with 130.
"""

from __future__ import annotations

import os
import sys
from typing import Any, Optional

import typer
import typer.core
from typer.core import TyperCommand, TyperGroup

from mlquiz import __version__
from mlquiz.errors import UserError
from mlquiz.text import LANGUAGES, choose_language, msg, say, set_language, template


# --------------------------------------------------------------------------- language

def _language(argv: list[str]) -> str:
    """The language of this run: --lang anywhere on the line, else MLQUIZ_LANG, the stored setting
    or the locale (mlquiz.text.choose_language)."""
    flag = None
    for i, arg in enumerate(argv):
        if arg == "--lang" and i + 1 < len(argv):
            flag = argv[i + 1]
        elif arg.startswith("--lang="):
            flag = arg.split("=", 1)[1]
    if flag is not None and flag.strip().lower() not in LANGUAGES:
        raise UserError(msg("ui.error.lang", value=repr(flag), choices=list(LANGUAGES)))
    stored = None
    if flag is None and not os.environ.get("MLQUIZ_LANG"):
        from mlquiz import config

        stored = config.load().get("lang")
    return choose_language(flag, stored=stored)


# Typer marks its own few words (Options, Commands, default: …) for gettext; mlquiz gives them in
# the run's language from its catalogue (ui.click.*).
CLICK_WORDS = {"Options": "options", "Arguments": "arguments", "Commands": "commands", "required": "required",
               "default: {default}": "default", "env var: {var}": "env_var", "(dynamic)": "dynamic",
               "Aborted!": "aborted", "Missing command.": "missing_command",
               "No such command {name!r}.": "no_such_command"}


def _click_word(text: str) -> str:
    key = CLICK_WORDS.get(text)
    return template(f"ui.click.{key}") if key else text


typer.core._ = _click_word  # type: ignore[attr-defined]


class _Formatter(typer.Context.formatter_class):  # type: ignore[misc, name-defined]
    """Click's help layout with its two fixed English phrases in the run's language."""

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        super().write_usage(prog, args, prefix=say("ui.click.usage") + " ")

    def write_dl(self, rows: Any, *args: Any, **kwargs: Any) -> None:
        help_text = "Show this message and exit."
        super().write_dl([(term, say("ui.click.help") if text == help_text else text) for term, text in rows],
                         *args, **kwargs)


class _Context(typer.Context):
    formatter_class = _Formatter


class _Command(TyperCommand):
    context_class = _Context


def _localise(command: Any) -> None:
    """Help texts are catalogue keys until a run knows its language; then they become words."""
    for attribute in ("help", "short_help"):
        value = getattr(command, attribute, None)
        if isinstance(value, str) and value.startswith("ui."):
            setattr(command, attribute, say(value))
    for param in getattr(command, "params", ()):
        if isinstance(getattr(param, "help", None), str) and param.help.startswith("ui."):
            param.help = say(param.help)
    for sub in getattr(command, "commands", {}).values():
        _localise(sub)


class _Group(TyperGroup):
    context_class = _Context

    def main(self, args: Any = None, prog_name: Any = None, complete_var: Any = None,
             standalone_mode: bool = True, **extra: Any) -> Any:
        argv = list(sys.argv[1:] if args is None else args)
        try:
            set_language(_language(argv))
            _localise(self)
            code = super().main(args=argv, prog_name="mlquiz", complete_var=complete_var,
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
                code = _fail(_topic_option_line(exc) or _usage_line(exc))
        if standalone_mode:
            sys.exit(code)
        return code


def _usage_line(exc: Any) -> str:
    """Click's usage error, in the run's language where it is one of the usual kinds."""
    ctx = getattr(exc, "ctx", None)
    where = ctx.command_path if ctx is not None else "mlquiz"
    param = getattr(exc, "param", None)
    argument = getattr(param, "param_type_name", "") == "argument"
    name = "" if param is None else (param.name or "").upper() if argument else param.opts[0]
    kind = type(exc).__name__
    if kind == "NoSuchOption":
        text = say("ui.click.no_such_option", option=exc.option_name)
    elif kind == "MissingParameter" and name:
        text = say("ui.click.missing_argument" if argument else "ui.click.missing_option", param=name)
    elif kind == "BadParameter" and name:
        text = say("ui.click.bad_parameter", param=name, reason=" ".join(exc.message.split()))
    else:
        text = " ".join(exc.format_message().split())
    return say("ui.click.see_help", text=text, command=where)


def _topic_option_line(exc: Any) -> str:
    """An option a topic's `solve`/`check` does not take, said in terms of that topic."""
    ctx = getattr(exc, "ctx", None)
    flag = getattr(exc, "option_name", None)
    if type(exc).__name__ != "NoSuchOption" or ctx is None or ctx.parent is None or not flag:
        return ""
    command = ctx.parent.command.name
    if command not in ("solve", "check"):
        return ""
    from mlquiz import registry

    topic = registry.info(ctx.command.name)
    if flag == "--work" and command == "solve":
        return say("ui.error.work_is_for_check", topic=topic.name)
    return say("ui.error.option_not_for", flag=flag, topic=topic.name, command=command,
               options=[o.flag for o in topic.options])


def _fail(message: str) -> int:
    # One line whatever the user typed: control characters and line breaks are shown escaped.
    message = "".join(c if c.isprintable() else repr(c)[1:-1] for c in message)
    sys.stderr.write(say("ui.error.prefix", message=message) + "\n")
    sys.stderr.flush()
    return 2


app = typer.Typer(
    cls=_Group, add_completion=False, no_args_is_help=True, rich_markup_mode=None,
    pretty_exceptions_enable=False,
    help="ui.cli.app",
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"mlquiz {__version__}")
        raise typer.Exit()


@app.callback()
def _root(version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                       help="ui.cli.version"),
          lang: Optional[str] = typer.Option(None, "--lang", metavar="en|zh", help="ui.cli.lang",
                                             expose_value=False)) -> None:
    pass


TopicArg = typer.Argument(..., help="ui.cli.topic_argument", show_default=False)
SeedOpt = typer.Option(None, "--seed", help="ui.cli.seed")
DifficultyOpt = typer.Option("medium", "--difficulty", "-d", help="ui.cli.difficulty")
JsonOpt = typer.Option(False, "--json", help="ui.cli.json")
# --lang is read before the command line is parsed (the help texts must already be in that
# language); the option is declared on every command so that it is accepted and listed there.
LangOpt = typer.Option(None, "--lang", metavar="en|zh", help="ui.cli.lang", expose_value=False)


@app.command("list", help="ui.cli.list", cls=_Command)
def list_topics(
    what: Optional[str] = typer.Argument(None, metavar="topics|chapters|design", help="ui.cli.list_what",
                                         show_default=False),
    as_json: bool = JsonOpt,
    lang: Optional[str] = LangOpt,
) -> None:
    from mlquiz import registry

    if what not in (None, "topics", "chapters", "design"):
        raise UserError(msg("ui.list.unknown", what=repr(what)))
    if as_json:
        import json

        if what in (None, "topics"):
            data: Any = [{"name": t.name, "aliases": list(t.aliases), "summary": say(f"{t.name}.topic.summary"),
                          "data_format": say(f"{t.name}.topic.data_format")} for t in registry.topics()]
        elif what == "chapters":
            from mlquiz import concepts

            data = [{"id": c.id, "name": c.names, "notes": c.notes, "questions": len(c.questions),
                     "kinds": {k: sum(1 for q in c.questions if q["kind"] == k) for k in concepts.KINDS}}
                    for c in concepts.chapters()]
        else:
            from mlquiz import design

            data = [{"id": x["id"], "title": {lang: x[lang]["title"] for lang in ("en", "zh")},
                     "difficulty": x["difficulty"], "tasks": x["tasks"]} for x in design.scenarios()]
        typer.echo(json.dumps(data, indent=2, ensure_ascii=False))
        return
    from mlquiz import render

    console = render.make_console()
    if what in (None, "topics"):
        console.print(render.topics_view(registry.topics()))
    if what in (None, "chapters"):
        from mlquiz import concepts

        console.print(render.chapters_view(concepts.chapters()))
    if what in (None, "design"):
        from mlquiz import design

        console.print(render.scenarios_view(design.scenarios(), brief=what is None))


@app.command(help="ui.cli.practice", cls=_Command)
def practice(
    topic: Optional[str] = typer.Argument(None, help="ui.cli.practice_topic", show_default=False),
    seed: Optional[int] = SeedOpt,
    difficulty: str = DifficultyOpt,
    count: int = typer.Option(1, "--count", "-n", min=1, max=50, help="ui.cli.count"),
    bank: bool = typer.Option(False, "--bank", help="ui.cli.bank"),
    mixed: bool = typer.Option(False, "--mixed", help="ui.cli.mixed"),
    again: bool = typer.Option(False, "--again", help="ui.cli.again"),
    lang: Optional[str] = LangOpt,
) -> None:
    from mlquiz import engine, interact, render

    if again:
        if topic is not None or mixed or bank:
            raise UserError(msg("ui.practice.again_alone"))
        topic, difficulty = _last_practised()
    if topic is not None and mixed:
        raise UserError(msg("ui.practice.mixed_or_topic"))
    if topic is None and bank:
        raise UserError(msg("ui.practice.bank_needs_topic"))
    from mlquiz import registry

    names = [registry.info(topic).name] if topic is not None else registry.names()
    engine.check_difficulty(difficulty)
    first = engine.check_seed(seed) if seed is not None else engine.new_seed()

    def problems():
        order = _interleaved(names, count, first)
        for i in range(count):
            if bank:
                yield engine.from_bank(order[i], first + i)
            else:
                yield engine.generate(order[i], (first + i) % engine.MAX_SEED, difficulty)

    def similar(problem: Any) -> Any:
        level = difficulty if problem.difficulty not in ("easy", "medium", "hard") else problem.difficulty
        return engine.generate(problem.topic, engine.new_seed(), level)

    console = render.make_console()
    interact.practise(console, problems(), record=_practice_recorder(console), similar=similar)


def _interleaved(names: list[str], count: int, seed: int) -> list[str]:
    """Topics for a mixed session: each in turn in an order drawn from the seed, never the same
    topic twice in a row (with one topic, that topic)."""
    import random

    rng = random.Random(f"mlquiz/mixed/{seed}")
    order: list[str] = []
    while len(order) < count:
        batch = names[:]
        rng.shuffle(batch)
        if order and len(batch) > 1 and batch[0] == order[-1]:
            batch.append(batch.pop(0))
        order += batch
    return order[:count]


def _last_practised() -> tuple[str, str]:
    """The topic and difficulty of the last practised problem (for --again)."""
    from mlquiz.store import Store

    rows = [row for row in Store().practice_rows() if row["kind"] == "calculation"]
    if not rows:
        raise UserError(msg("ui.practice.nothing_again"))
    last = rows[-1]
    level = last["difficulty"] if last["difficulty"] in ("easy", "medium", "hard") else "medium"
    return last["topic"], level


def _practice_recorder(console: Any) -> Any:
    """Record finished practice problems; if the data directory is unusable, say so once and go on."""
    from mlquiz.store import Store

    store = Store()
    try:
        store.connect()
    except UserError as exc:
        console.print(f"[yellow]{render_escape(say('ui.practice.not_recording', reason=str(exc)))}[/yellow]")
        return None

    def record(problem: Any, outcomes: Any) -> None:
        store.record_practice(problem, outcomes)

    return record


def render_escape(text: str) -> str:
    from rich.markup import escape

    return escape(text)


@app.command(help="ui.cli.quiz", cls=_Command)
def quiz(
    chapters: Optional[list[str]] = typer.Argument(None, metavar="CHAPTER", help="ui.cli.quiz_chapters",
                                                   show_default=False),
    count: int = typer.Option(5, "--count", "-n", min=1, max=100, help="ui.cli.quiz_count"),
    kinds: Optional[list[str]] = typer.Option(None, "--kind", "-k", help="ui.cli.quiz_kind"),
    difficulty: Optional[str] = typer.Option(None, "--difficulty", "-d", help="ui.cli.quiz_difficulty"),
    seed: Optional[int] = SeedOpt,
    as_json: bool = JsonOpt,
    lang: Optional[str] = LangOpt,
) -> None:
    from mlquiz import concepts, engine, quiz_ui, render

    wanted = [concepts.chapter(c).id for c in chapters] if chapters else None
    chosen = sorted({k.strip().lower() for text in (kinds or []) for k in text.replace("，", ",").split(",")
                     if k.strip()})
    unknown = [k for k in chosen if k not in concepts.KINDS]
    if unknown:
        raise UserError(msg("ui.quiz.unknown_kind", kind=repr(unknown[0]), kinds=list(concepts.KINDS)))
    if difficulty is not None:
        engine.check_difficulty(difficulty)
    seed = engine.check_seed(seed) if seed is not None else engine.new_seed()
    drawn = concepts.draw(seed, count, wanted, chosen or None, difficulty)
    if not drawn:
        raise UserError(msg("ui.quiz.none_left"))
    problems = [concepts.problem_for(c, q, seed) for c, q in drawn]
    if as_json:
        typer.echo(render.questions_json(problems, seed))
        return
    console = render.make_console()
    console.print(render.quiz_intro(seed, len(problems), count))
    quiz_ui.quiz(console, problems, _practice_recorder(console))


@app.command(help="ui.cli.design", cls=_Command)
def design(
    scenario: Optional[str] = typer.Option(None, "--scenario", "-s", help="ui.cli.design_scenario"),
    difficulty: Optional[str] = typer.Option(None, "--difficulty", "-d", help="ui.cli.quiz_difficulty"),
    seed: Optional[int] = SeedOpt,
    as_json: bool = JsonOpt,
    lang: Optional[str] = LangOpt,
) -> None:
    from mlquiz import design as designs, engine, quiz_ui, render

    if difficulty is not None:
        engine.check_difficulty(difficulty)
    seed = engine.check_seed(seed) if seed is not None else engine.new_seed()
    chosen = designs.scenario(scenario) if scenario is not None else designs.draw(seed, difficulty)
    problem = designs.problem_for(chosen, seed)
    if as_json:
        typer.echo(render.questions_json([problem], seed))
        return
    console = render.make_console()
    console.print(render.design_intro(seed, chosen["id"]))
    quiz_ui.design_session(console, problem, _practice_recorder(console))


@app.command(help="ui.cli.show", cls=_Command)
def show(
    topic: str = TopicArg,
    seed: Optional[int] = SeedOpt,
    difficulty: str = DifficultyOpt,
    solution: bool = typer.Option(False, "--solution", help="ui.cli.solution"),
    bank: bool = typer.Option(False, "--bank", help="ui.cli.show_bank"),
    as_json: bool = JsonOpt,
    lang: Optional[str] = LangOpt,
) -> None:
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


# --------------------------------------------------------------------------- solve and check: one command per topic

METAVARS = {"number": "NUMBER", "integer": "INTEGER", "vector": "A,B,…", "matrix": "A,B;C,D", "table": "DATA|FILE",
            "choice": "CHOICE", "text": "TEXT"}


def _topic_command(info: Any, checking: bool) -> Any:
    """The `solve TOPIC` / `check TOPIC` command, made from the topic's declared options."""
    import inspect

    params = []
    for option in info.options:
        help_text = say(f"{info.name}.option.{option.name}")
        if option.kind == "flag":
            default, annotation = typer.Option(False, option.flag, help=help_text), bool
        else:
            metavar = "|".join(option.choices) if option.choices else METAVARS[option.kind]
            default = typer.Option(None, option.flag, help=help_text, metavar=metavar, show_default=False)
            annotation = Optional[str]
        params.append(inspect.Parameter(f"o_{option.key}", inspect.Parameter.KEYWORD_ONLY,
                                        default=default, annotation=annotation))
    if checking:
        params.append(inspect.Parameter("work", inspect.Parameter.KEYWORD_ONLY, annotation=Optional[list[str]],
                                        default=typer.Option(None, "--work", metavar="NAME=VALUE", help="ui.cli.work")))
    params.append(inspect.Parameter("as_json", inspect.Parameter.KEYWORD_ONLY, default=JsonOpt, annotation=bool))
    params.append(inspect.Parameter("lang", inspect.Parameter.KEYWORD_ONLY, default=LangOpt, annotation=Optional[str]))

    def command(**values: Any) -> None:
        from mlquiz import engine

        raw = {o.key: values[f"o_{o.key}"] for o in info.options}
        problem = engine.from_data(info.name, raw)
        if checking:
            _check(problem, values["work"] or [], values["as_json"])
        else:
            _solve(problem, values["as_json"])

    command.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
    command.__annotations__ = {p.name: p.annotation for p in params}
    sub = typer.Typer(add_completion=False, rich_markup_mode=None)
    summary = say(f"{info.name}.topic.summary")
    sub.command(name=info.name, help=say("ui.cli.check_topic" if checking else "ui.cli.solve_topic", summary=summary),
                short_help=summary, cls=_Command)(command)
    built = typer.main.get_command(sub)
    _localise(built)
    return built


class _TopicCommands(TyperGroup):
    """`solve` and `check`: a subcommand per registered topic (and its aliases), made on demand."""

    context_class = _Context
    checking = False

    def list_commands(self, ctx: Any) -> list[str]:
        from mlquiz import registry

        return registry.names()

    def get_command(self, ctx: Any, name: str) -> Any:
        from mlquiz import registry

        return _topic_command(registry.info(name), self.checking)


class _CheckCommands(_TopicCommands):
    checking = True


def _solve(problem: Any, as_json: bool) -> None:
    from mlquiz import render

    if as_json:
        typer.echo(render.problem_json(problem))
        return
    console = render.make_console()
    console.print(render.problem_view(problem, with_parts=False))
    console.print(render.solution_view(problem.solution))
    console.print(render.answers_view(problem))


def _check(problem: Any, work: list[str], as_json: bool) -> None:
    from mlquiz import interact, marking, render

    parts = marking.checkpoints(problem)
    console = render.make_console()
    if not work:
        if as_json:
            raise UserError(msg("ui.check.json_needs_work"))
        console.print(render.problem_view(problem, with_parts=False))
        work = interact.collect_work(console, parts)
    report = marking.mark(problem, marking.parse_work(work, parts))
    if as_json:
        typer.echo(render.report_json(report))
    else:
        console.print(render.report_view(report))


app.add_typer(typer.Typer(cls=_TopicCommands, no_args_is_help=True, rich_markup_mode=None),
              name="solve", help="ui.cli.solve")
app.add_typer(typer.Typer(cls=_CheckCommands, no_args_is_help=True, rich_markup_mode=None),
              name="check", help="ui.cli.check")


@app.command(help="ui.cli.exam", cls=_Command)
def exam(
    blueprint: str = typer.Option("final", "--blueprint", "-b", help="ui.cli.blueprint"),
    seed: Optional[int] = SeedOpt,
    minutes: Optional[float] = typer.Option(None, "--minutes", "-m", help="ui.cli.minutes"),
    resume: bool = typer.Option(False, "--resume", help="ui.cli.resume"),
    abandon: bool = typer.Option(False, "--abandon", help="ui.cli.abandon"),
    lang: Optional[str] = LangOpt,
) -> None:
    from mlquiz import engine, exam as exams, exam_ui, render
    from mlquiz.store import Store

    if abandon and resume:
        raise UserError(msg("ui.exam.abandon_and_resume"))
    console = render.make_console()
    store = Store()
    store.connect()
    open_row = store.open_exam()
    if abandon:
        _abandon(console, store, open_row)
        return
    if resume:
        if open_row is None:
            raise UserError(msg("ui.exam.nothing_to_resume"))
        row = open_row
    else:
        if open_row is not None and open_row["deadline"] > time_now():
            raise UserError(msg("ui.exam.still_running", number=open_row["id"]))
        if open_row is not None:  # its time ran out while away: mark what was saved
            _finish_expired(console, store, open_row)
        if minutes is not None and not 0 < minutes <= 600:
            raise UserError(msg("ui.exam.minutes"))
        plan = exams.load_blueprint(blueprint)
        seed = engine.check_seed(seed) if seed is not None else engine.new_seed()
        paper = exams.make_paper(plan, seed)
        problems = exams.problems_for(paper)
        limit = minutes if minutes is not None else plan.minutes
        title = say("ui.exam.title", title=plan.title, seed=seed)
        state = exam_ui.ExamState(0, title, time_now() + limit * 60, paper, problems)
        console.print(exam_ui.cover_view(state, limit))
        if sys.stdin.isatty():
            try:
                input(say("ui.exam.press_enter"))
            except EOFError:
                return
        exam_id = store.new_exam(plan.name, state.title, seed, limit, exams.paper_json(paper, problems))
        row = store.exam(exam_id)
    state = _state_of(store, row)
    if state.deadline <= time_now():
        _finish_expired(console, store, row)
        return
    if resume:
        console.print(say("ui.exam.resuming", number=row["id"], left=exam_ui.clock(state.deadline - time_now())))
    try:
        exam_ui.run(console, store, state, exam_ui.make_reader(console, state))
    except (EOFError, KeyboardInterrupt) as stop:
        console.print("\n" + say("ui.exam.paused", number=row["id"]))
        raise typer.Exit(130 if isinstance(stop, KeyboardInterrupt) else 0) from None
    results = exam_ui.finish(store, state, self_mark=exam_ui.self_marker(console, store, state))
    console.print(exam_ui.paper_view(state.title, results))


def time_now() -> float:
    import time

    return time.time()


def _state_of(store: Any, row: Any) -> Any:
    """The exam as it was asked: its stored questions, with the answers and flags saved so far."""
    from mlquiz import exam as exams, exam_ui

    paper, problems = exams.paper_from_json(row["paper"])
    state = exam_ui.ExamState(row["id"], row["title"], row["deadline"], paper, problems)
    state.answers = store.answers(row["id"])
    state.flags = store.flags(row["id"])
    return state


def _finish_expired(console: Any, store: Any, row: Any) -> None:
    from mlquiz import exam_ui

    state = _state_of(store, row)
    console.print(say("ui.exam.expired", number=row["id"]))
    results = exam_ui.finish(store, state)
    console.print(exam_ui.paper_view(state.title, results))


def _abandon(console: Any, store: Any, row: Any) -> None:
    from mlquiz import exam_ui

    if row is None:
        raise UserError(msg("ui.exam.nothing_to_abandon"))
    exam_ui.finish(store, _state_of(store, row), abandoned=True)
    console.print(say("ui.exam.abandoned", number=row["id"]))


@app.command(help="ui.cli.history", cls=_Command)
def history(as_json: bool = JsonOpt, lang: Optional[str] = LangOpt) -> None:
    import json as jsonlib

    from mlquiz import render
    from mlquiz.store import Store

    store = Store()
    exams_rows, practice = store.exams(), store.practice_by_topic()
    if as_json:
        typer.echo(jsonlib.dumps({
            "exams": [{"id": r["id"], "title": r["title"], "blueprint": r["blueprint"], "seed": r["seed"],
                       "started_at": r["started_at"], "finished": r["finished_at"] is not None,
                       "abandoned": r["abandoned_at"] is not None, "score": r["score"], "max_score": r["max_score"],
                       "marked": _marked_by(r["result"])}
                      for r in exams_rows],
            "practice": [{"topic": r["topic"], "kind": r["kind"], "sessions": r["sessions"], "parts_right": r["right"],
                          "parts_asked": r["asked"]} for r in practice]}, indent=2, ensure_ascii=False))
        return
    render.make_console().print(render.history_view(exams_rows, practice))


def _marked_by(result: str | None) -> dict[str, list[float]] | None:
    """Points [earned, possible] marked automatically and marked by the student, from a stored result."""
    import json as jsonlib

    from mlquiz.exam import split_score

    if not result:
        return None
    return split_score((part.get("by", "auto"), part["earned"], part["points"])
                       for question in jsonlib.loads(result)["questions"] for part in question["parts"])


@app.command(help="ui.cli.stats", cls=_Command)
def stats(as_json: bool = JsonOpt,
          since: Optional[str] = typer.Option(None, "--since", metavar="YYYY-MM-DD", help="ui.cli.since"),
          topic: Optional[str] = typer.Option(None, "--topic", metavar="TOPIC", help="ui.cli.stats_topic"),
          now: Optional[str] = typer.Option(None, "--now", metavar="YYYY-MM-DD", help="ui.cli.now"),
          lang: Optional[str] = LangOpt) -> None:
    """Per skill: attempts, first-try accuracy, trend, time, misconceptions and FSRS recall."""
    import json as jsonlib

    from mlquiz import skills
    from mlquiz.store import Store

    moment = skills.now(now)
    start = skills.day_start(since) if since is not None else None
    name = None
    if topic is not None:
        from mlquiz import registry

        name = registry.info(topic).name
    data = skills.stats(Store(), moment, since=start, topic=name)
    if as_json:
        typer.echo(jsonlib.dumps(data, indent=2, ensure_ascii=False))
        return
    from mlquiz import render

    render.make_console().print(render.stats_view(data))


@app.command(help="ui.cli.review", cls=_Command)
def review(exam_id: Optional[int] = typer.Argument(None, metavar="[N]", help="ui.cli.exam_number", show_default=False),
           minutes: Optional[float] = typer.Option(None, "--minutes", min=1, max=600, help="ui.cli.review_minutes"),
           count: int = typer.Option(10, "--count", "-n", min=1, max=200, help="ui.cli.review_count"),
           now: Optional[str] = typer.Option(None, "--now", metavar="YYYY-MM-DD", help="ui.cli.now"),
           lang: Optional[str] = LangOpt) -> None:
    """With no number: a spaced review of the due skills (then new ones), every problem with a
    fresh seed. With an exam's number: its stored paper and stored marks, nothing generated or
    marked again."""
    if exam_id is None:
        _spaced_review(minutes, count, now)
        return
    import json as jsonlib

    from mlquiz import exam as exams, exam_ui, render
    from mlquiz.store import Store

    store = Store()
    row = store.exam(exam_id)
    if row is None:
        raise UserError(msg("ui.exam.no_such", number=exam_id))
    if row["finished_at"] is None:
        raise UserError(msg("ui.exam.not_finished", number=exam_id))
    paper, problems = exams.paper_from_json(row["paper"])
    results = exams.results_from_json(jsonlib.loads(row["result"]), paper, problems)
    title = row["title"] if row["abandoned_at"] is None else say("ui.exam.abandoned_title", title=row["title"])
    render.make_console().print(exam_ui.paper_view(title, results))


@app.command(help="ui.cli.plan", cls=_Command)
def plan(exam_date: Optional[str] = typer.Option(None, "--exam-date", metavar="YYYY-MM-DD", help="ui.cli.exam_date"),
         target: float = typer.Option(0.9, "--target", min=0.5, max=0.99, help="ui.cli.target"),
         as_json: bool = JsonOpt,
         now: Optional[str] = typer.Option(None, "--now", metavar="YYYY-MM-DD", help="ui.cli.now"),
         lang: Optional[str] = LangOpt) -> None:
    """Predicted recall on the exam day per skill, and what to review each day until then."""
    import json as jsonlib

    from mlquiz import skills
    from mlquiz.store import Store

    store = Store()
    if exam_date is not None:
        skills.day_start(exam_date)
    day = exam_date or store.setting("exam_date")
    if day is None:
        raise UserError(msg("ui.plan.no_date"))
    moment = skills.now(now)
    data = skills.make_plan(skills.skills(skills.attempts(store)), moment, day, target)
    if exam_date is not None:
        store.set_setting("exam_date", data["exam_day"])
    if as_json:
        typer.echo(jsonlib.dumps(data, indent=2, ensure_ascii=False))
        return
    from mlquiz import render

    render.make_console().print(render.plan_view(data))


@app.command("export", help="ui.cli.export", cls=_Command)
def export(history_file: str = typer.Option(..., "--history", metavar="FILE.json", help="ui.cli.history_file"),
           lang: Optional[str] = LangOpt) -> None:
    import json as jsonlib

    from mlquiz.store import Store

    data = Store().export_history()
    try:
        with open(history_file, "w", encoding="utf-8") as handle:
            jsonlib.dump(data, handle, ensure_ascii=False, indent=1)
    except OSError as exc:
        raise UserError(msg("ui.transfer.cannot_write", path=history_file, reason=exc.strerror or str(exc))) from None
    typer.echo(say("ui.transfer.exported", items=len(data["items"]), exams=len(data["exams"]), path=history_file))


@app.command("import", help="ui.cli.import", cls=_Command)
def import_(history_file: str = typer.Argument(..., metavar="FILE.json", help="ui.cli.history_file"),
            lang: Optional[str] = LangOpt) -> None:
    import json as jsonlib

    from mlquiz.store import Store

    try:
        with open(history_file, encoding="utf-8") as handle:
            data = jsonlib.load(handle)
    except OSError as exc:
        raise UserError(msg("ui.transfer.cannot_read", path=history_file, reason=exc.strerror or str(exc))) from None
    except ValueError:
        raise UserError(msg("ui.transfer.not_history")) from None
    items, exams = Store().import_history(data)
    typer.echo(say("ui.transfer.imported", items=items, exams=exams, path=history_file))


SEED_SEARCH = 40  # fresh seeds tried for a problem on which a misconception changes the answer


def _fresh_problem(item: Any, seen: set) -> Any:
    """A problem of the skill with a seed never practised; for a misconception's skill, one (found
    by seed search) where that misconception would change an answer, when one is found."""
    from mlquiz import engine, marking

    misconception = item.skill.split("!", 1)[1] if "!" in item.skill else None
    problem = None
    for _ in range(SEED_SEARCH if misconception else 1):
        seed = engine.new_seed()
        while (item.topic, item.difficulty, seed) in seen:
            seed = engine.new_seed()
        problem = engine.generate(item.topic, seed, item.difficulty)
        if misconception is None or marking.telling(problem, misconception):
            break
    seen.add((item.topic, item.difficulty, problem.seed))
    return problem


def _fresh_question(chapter: str, store: Any) -> Any:
    """A concept question of the chapter not asked before, while there is one."""
    from mlquiz import concepts, engine

    asked = {row["source"] for row in store.practice_rows() if row["kind"] == "concept"}
    seed = engine.new_seed()
    for attempt in range(50):
        (found, question), = concepts.draw(seed + attempt, 1, [chapter])
        if f"concept:{question['id']}" not in asked:
            break
    return concepts.problem_for(found, question, seed + attempt)


def _spaced_review(minutes: float | None, count: int, now: str | None) -> None:
    import time

    from mlquiz import interact, registry, render, skills
    from mlquiz.store import Store

    moment = skills.now(now)
    hooked = now is not None or bool(os.environ.get("MLQUIZ_NOW"))
    from mlquiz import concepts, quiz_ui

    store = Store()
    states = skills.skills(skills.attempts(store))
    queue = skills.review_queue(states, registry.names(), moment, skills.planned_today(store, states, moment),
                                tuple(c.id for c in concepts.chapters()))[:count]
    console = render.make_console()
    if not queue:
        console.print(say("ui.review.nothing"))
        return
    due = sum(1 for d in queue if not d.new)
    console.print(say("ui.review.start", due=due, new=len(queue) - due))
    seen = skills.used_seeds(states, store)
    deadline = time.monotonic() + minutes * 60 if minutes else None

    def problems():
        for item in queue:
            if item.difficulty == "concept":
                continue
            if deadline is not None and time.monotonic() >= deadline:
                console.print(say("ui.review.time_up"))
                return
            console.print(say("ui.review.new_skill" if item.new else "ui.review.due_skill", skill=item.skill))
            yield _fresh_problem(item, seen)

    def record(problem: Any, outcomes: Any) -> None:
        store.record_practice(problem, outcomes, at=moment.timestamp() if hooked else None)

    ended = False
    if any(item.difficulty != "concept" for item in queue):
        ended = interact.practise(console, problems(), record=record).ended
    chapters = [item for item in queue if item.difficulty == "concept"]
    if chapters and not ended and (deadline is None or time.monotonic() < deadline):
        console.print(say("ui.review.concepts", skills=[item.skill for item in chapters]))
        quiz_ui.quiz(console, [_fresh_question(item.topic, store) for item in chapters], record)


config_app = typer.Typer(cls=_Group, no_args_is_help=True, rich_markup_mode=None)
app.add_typer(config_app, name="config", help="ui.cli.config")


@config_app.command("set", help="ui.cli.config_set", cls=_Command)
def config_set(key: str = typer.Argument(..., help="ui.cli.config_key"),
               value: str = typer.Argument(..., help="ui.cli.config_value"), lang: Optional[str] = LangOpt) -> None:
    from mlquiz import config

    config.set_value(key, value)
    typer.echo(say("ui.config.saved", key=key, value=value.strip().lower(), path=str(config.path())))


@config_app.command("show", help="ui.cli.config_show", cls=_Command)
def config_show(lang: Optional[str] = LangOpt) -> None:
    from mlquiz import config

    settings = config.load()
    for key in sorted(config.KEYS):
        typer.echo(f"{key} = {settings.get(key, say('ui.config.unset'))}")


def main() -> None:
    app(prog_name="mlquiz")
