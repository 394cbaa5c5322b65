"""The one exception type for problems the user can fix (bad data, bad file, bad option)."""


class UserError(Exception):
    """A message for the user; the CLI prints it as one line and exits with code 2."""


def short(text: str, limit: int = 30) -> str:
    """The user's text for an error message: quoted, and cut if long (an error stays one line)."""
    text = " ".join(str(text).split())
    return repr(text if len(text) <= limit else text[: limit - 1] + "…")
