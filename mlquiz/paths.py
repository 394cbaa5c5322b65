"""Where mlquiz's files are: the shipped data folder and the user's data folder (no heavy imports,
so the command line can find its texts and settings before it loads anything else)."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path


@lru_cache(maxsize=1)
def problems_dir() -> Path:
    """The data folder: inside the installed package, or at the top of a source checkout (found
    once per process: every text looked up goes through it)."""
    packaged = Path(__file__).resolve().parent / "problems"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent / "problems"


def data_dir() -> Path:
    """$MLQUIZ_HOME if set, else platformdirs' user data directory for "mlquiz"."""
    home = os.environ.get("MLQUIZ_HOME")
    if home:
        return Path(home).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir("mlquiz", appauthor=False))
