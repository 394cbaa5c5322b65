"""The one exception type for problems the user can fix (bad data, bad file, bad option)."""


class UserError(Exception):
    """A message for the user; the CLI prints it as one line and exits with code 2."""
