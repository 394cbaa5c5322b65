"""Topic names → modules, imported only when a command needs them.

Adding a topic: write `mlquiz/topics/<name>.py` implementing the interface described in
`mlquiz/topics/__init__.py`, and add one `TopicInfo` line below.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from types import ModuleType

from mlquiz.errors import UserError


@dataclass(frozen=True)
class TopicInfo:
    name: str
    module: str
    summary: str
    data_format: str
    aliases: tuple[str, ...] = ()


TOPICS: tuple[TopicInfo, ...] = (
    TopicInfo("entropy", "mlquiz.topics.entropy",
              "Entropy, information gain, Gini and gain ratio; the attribute ID3 splits on",
              '"4,2;1,3" (rows: branches of one attribute, columns: class counts) '
              "or FILE.csv --target COLUMN", aliases=("infogain", "id3", "ig")),
)


def _index() -> dict[str, TopicInfo]:
    index = {}
    for info in TOPICS:
        for key in (info.name, *info.aliases):
            index[key] = info
    return index


def info(name: str) -> TopicInfo:
    found = _index().get(name.strip().lower())
    if found is None:
        known = ", ".join(t.name for t in TOPICS)
        raise UserError(f"unknown topic {name!r}; choose one of: {known} (see `mlquiz list`)")
    return found


def load(name: str) -> ModuleType:
    """The topic module for a name or alias (imported now, on first use)."""
    return importlib.import_module(info(name).module)
