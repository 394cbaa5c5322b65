"""The topics: every folder `problems/<topic>/` that has a `topic.toml`, imported only when needed.

A topic is its module (named by `module` in topic.toml) and its data folder:

    problems/<topic>/topic.toml        name, module, aliases, order, version, answers, [options.*]
    problems/<topic>/text.<lang>.toml  every word the topic shows (keys `<topic>.…`)
    problems/<topic>/misconceptions.toml, bank.toml (optional)

Further folders of topics can be added with MLQUIZ_TOPIC_PATH (folders separated like PATH), which
is how a TA's own topic, or a test's throw-away one, joins without editing the package.
Reading the registry needs no numpy: `mlquiz --help` and every `--help` stay fast.
"""

from __future__ import annotations

import importlib
import os
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from types import ModuleType

from mlquiz.errors import UserError, short
from mlquiz.paths import problems_dir
from mlquiz.options import Option, from_toml
from mlquiz.text import msg

TOPIC_KEYS = {"name", "module", "aliases", "order", "version", "answers", "options", "kind"}


@dataclass(frozen=True)
class TopicInfo:
    name: str
    module: str
    folder: Path
    aliases: tuple[str, ...]
    order: int
    version: int
    answers: tuple[str, ...]
    options: tuple[Option, ...]
    kind: str = "calculation"

    def option(self, key: str) -> Option | None:
        return next((o for o in self.options if o.key == key), None)


def _read(folder: Path) -> TopicInfo:
    where = str(folder / "topic.toml")
    with (folder / "topic.toml").open("rb") as handle:
        data = tomllib.load(handle)
    unknown = set(data) - TOPIC_KEYS
    if unknown:
        raise ValueError(f"{where}: unknown key {sorted(unknown)[0]!r}")
    name = data.get("name")
    if name != folder.name:
        raise ValueError(f"{where}: name must be the folder's name, {folder.name!r}")
    if not isinstance(data.get("module"), str):
        raise ValueError(f"{where}: module (the Python module of the topic) is missing")
    answers = data.get("answers")
    if not isinstance(answers, list) or not answers or not all(isinstance(a, str) for a in answers):
        raise ValueError(f"{where}: answers must list the topic's answer names")
    options = tuple(from_toml(k, v, where) for k, v in data.get("options", {}).items())
    return TopicInfo(name, data["module"], folder, tuple(data.get("aliases", ())), int(data.get("order", 1000)),
                     int(data.get("version", 1)), tuple(answers), options, data.get("kind", "calculation"))


def roots() -> list[Path]:
    extra = [Path(p) for p in os.environ.get("MLQUIZ_TOPIC_PATH", "").split(os.pathsep) if p]
    return [problems_dir(), *extra]


@lru_cache(maxsize=8)
def _topics(key: tuple[Path, ...]) -> tuple[TopicInfo, ...]:
    found = [_read(folder) for root in key if root.is_dir()
             for folder in sorted(root.iterdir()) if (folder / "topic.toml").is_file()]
    return tuple(sorted(found, key=lambda t: (t.order, t.name)))


def topics() -> tuple[TopicInfo, ...]:
    """Every registered topic, in the order of their `order` keys."""
    return _topics(tuple(roots()))


def names() -> list[str]:
    return [t.name for t in topics()]


def info(name: str) -> TopicInfo:
    wanted = name.strip().lower()
    for topic in topics():
        if wanted == topic.name or wanted in topic.aliases:
            return topic
    raise UserError(msg("ui.error.unknown_topic", topic=short(name), known=names()))


def load(name: str) -> ModuleType:
    """The topic module for a name or alias (imported now, on first use)."""
    return importlib.import_module(info(name).module)
