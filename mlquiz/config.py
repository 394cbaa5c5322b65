"""The user's stored settings (`mlquiz config set lang zh`): a small TOML file beside the database.

Settings are few and plain (key = "value"); the file is written whole on each change.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from mlquiz.errors import UserError
from mlquiz.paths import data_dir
from mlquiz.text import LANGUAGES, msg

KEYS = {"lang": LANGUAGES}
FILE_NAME = "config.toml"


def path() -> Path:
    return data_dir() / FILE_NAME


def load() -> dict[str, str]:
    """The stored settings; a missing or unreadable file means none (it never stops a command)."""
    try:
        with path().open("rb") as handle:
            data = tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError):
        return {}
    return {k: v for k, v in data.items() if k in KEYS and isinstance(v, str) and v in KEYS[k]}


def set_value(key: str, value: str) -> None:
    if key not in KEYS:
        raise UserError(msg("ui.config.unknown_key", key=key, keys=sorted(KEYS)))
    value = value.strip().lower()
    if value not in KEYS[key]:
        raise UserError(msg("ui.config.bad_value", key=key, value=value, values=list(KEYS[key])))
    settings = {**load(), key: value}
    target = path()
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text("".join(f'{k} = "{v}"\n' for k, v in sorted(settings.items())), encoding="utf-8")
    except OSError as exc:
        raise UserError(msg("ui.config.unwritable", path=str(target), reason=exc.strerror or str(exc))) from None
