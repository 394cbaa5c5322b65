"""Every word a user reads comes from a catalogue, looked up by key with named placeholders.

Catalogues are TOML files of dotted keys: `problems/ui/text.<lang>.toml` for the shared interface
(keys `ui.…`) and `problems/<topic>/text.<lang>.toml` for a topic (keys `<topic>.…`). Code never
holds a sentence: it holds a `Msg` (a key and its values), and the one renderer turns it into text
in the current language when it is shown. A stored Msg (an exam paper, a practice record) can be
shown again later, in either language.

Placeholders are `{name}`; a value is text, a number (formatted by `mlquiz.numbers.fmt`), a list
(joined with the language's list separator) or another Msg.
"""

from __future__ import annotations

import os
import string
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

LANGUAGES = ("en", "zh")
FALLBACK = "en"
_current = [FALLBACK]


def set_language(lang: str) -> None:
    _current[0] = lang if lang in LANGUAGES else FALLBACK


def language() -> str:
    return _current[0]


def choose_language(flag: str | None = None, environ: dict[str, str] | None = None,
                    stored: str | None = None) -> str:
    """--lang, else MLQUIZ_LANG, else the stored setting (`mlquiz config set lang`), else the locale
    (LC_ALL, LC_MESSAGES, LANG: the first one set; `zh…` is Chinese), else English."""
    env = os.environ if environ is None else environ
    for wanted in (flag, env.get("MLQUIZ_LANG"), stored):
        wanted = (wanted or "").strip().lower()
        if wanted:
            return next((lang for lang in LANGUAGES if wanted.startswith(lang)), FALLBACK)
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(name, "").strip().lower()
        if value:
            return next((lang for lang in LANGUAGES if value.startswith(lang)), FALLBACK)
    return FALLBACK


@dataclass(frozen=True)
class Msg:
    """A sentence to show: a catalogue key and the values of its placeholders."""

    key: str
    args: tuple[tuple[str, Any], ...] = ()

    @property
    def values(self) -> dict[str, Any]:
        return dict(self.args)

    def __str__(self) -> str:
        return render(self)

    def to_json(self) -> dict[str, Any]:
        return {"key": self.key, "args": {k: _value_json(v) for k, v in self.args}}

    @staticmethod
    def from_json(data: dict[str, Any]) -> "Msg":
        return Msg(data["key"], tuple((k, _value_from_json(v)) for k, v in data.get("args", {}).items()))


def msg(key: str, /, **values: Any) -> Msg:
    return Msg(key, tuple((k, _frozen(v)) for k, v in values.items()))


def _frozen(value: Any) -> Any:
    return tuple(_frozen(v) for v in value) if isinstance(value, list) else value


def _value_json(value: Any) -> Any:
    if isinstance(value, Msg):
        return {"$msg": value.to_json()}
    if isinstance(value, tuple):
        return [_value_json(v) for v in value]
    return value


def _value_from_json(value: Any) -> Any:
    if isinstance(value, dict) and "$msg" in value:
        return Msg.from_json(value["$msg"])
    if isinstance(value, list):
        return tuple(_value_from_json(v) for v in value)
    return value


class Texts:
    """`T = Texts("entropy")`; `T("title.entropy", attribute="Outlook")` → Msg("entropy.title.entropy", …)."""

    def __init__(self, domain: str):
        self.domain = domain

    def __call__(self, key: str, /, **values: Any) -> Msg:
        return msg(f"{self.domain}.{key}", **values)


# --------------------------------------------------------------------------- catalogues

def _folder(domain: str) -> Path:
    if domain == "ui":
        from mlquiz.paths import problems_dir

        return problems_dir() / "ui"
    from mlquiz import registry

    return registry.info(domain).folder


def _flatten(prefix: str, table: dict[str, Any], out: dict[str, str], where: Path) -> None:
    for key, value in table.items():
        full = f"{prefix}.{key}"
        if isinstance(value, dict):
            _flatten(full, value, out, where)
        elif isinstance(value, str):
            out[full] = value
        else:
            raise ValueError(f"{where}: {full} must be text")


@lru_cache(maxsize=None)
def _catalogue_at(domain: str, folder: Path, lang: str) -> dict[str, str]:
    """All of a folder's catalogue files in one language: `text.<lang>.toml` and any
    `text-<part>.<lang>.toml` (e.g. text-hints, text-bank), merged; a key defined twice is an error."""
    out: dict[str, str] = {}
    for path in sorted(folder.glob(f"text*.{lang}.toml")):
        with path.open("rb") as handle:
            data = tomllib.load(handle)
        found: dict[str, str] = {}
        _flatten(domain, data, found, path)
        twice = sorted(set(found) & set(out))
        if twice:
            raise ValueError(f"{path}: {twice[0]} is defined in another catalogue file too")
        out.update(found)
    return out


def catalogue(domain: str, lang: str | None = None) -> dict[str, str]:
    """All keys of one domain ("ui" or a topic) in one language, `domain.`-prefixed."""
    return _catalogue_at(domain, _folder(domain), lang or language())


def template(key: str, lang: str | None = None) -> str:
    domain = key.split(".", 1)[0]
    lang = lang or language()
    found = catalogue(domain, lang).get(key)
    if found is None and lang != FALLBACK:
        found = catalogue(domain, FALLBACK).get(key)
    if found is None:
        raise KeyError(f"no text for {key!r}")
    return found


def has_text(key: str, lang: str | None = None) -> bool:
    return key in catalogue(key.split(".", 1)[0], lang or language())


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def render(message: Any, lang: str | None = None) -> str:
    """A Msg (or a plain value) as text in the language."""
    if isinstance(message, Msg):
        values = {k: render(v, lang) for k, v in message.args}
        return template(message.key, lang).format_map(values)
    if isinstance(message, (tuple, list)):
        return template("ui.list_separator", lang).join(render(v, lang) for v in message)
    if isinstance(message, bool):
        return str(message).lower()
    if isinstance(message, (int, float)):
        from mlquiz.numbers import fmt

        return fmt(message)
    return "" if message is None else str(message)


def say(key: str, /, **values: Any) -> str:
    """The text of a key, now (for messages that are shown at once)."""
    return render(msg(key, **values))


def join(parts: Any, lang: str | None = None) -> str:
    """Sentences of a statement, joined as the language writes them."""
    sep = template("ui.sentence_separator", lang)
    return sep.join(text for text in (render(p, lang) for p in parts) if text)
