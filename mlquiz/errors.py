"""The one exception type for problems the user can fix (bad data, bad file, bad option).

A UserError holds a `Msg` (catalogue key and values), so it is shown in the user's language; the
CLI prints it as one line and exits with code 2. Everything else is a bug and is not caught.
"""

from __future__ import annotations

from typing import Any


class UserError(Exception):
    def __init__(self, message: Any):
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        from mlquiz.text import render

        return render(self.message)


def short(text: Any, limit: int = 30) -> str:
    """The user's text for an error message: quoted, and cut if long (an error stays one line)."""
    text = " ".join(str(text).split())
    return repr(text if len(text) <= limit else text[: limit - 1] + "…")
