import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path, monkeypatch):
    """Every test gets its own data directory, no colour and English, whatever the machine has set."""
    monkeypatch.setenv("MLQUIZ_HOME", str(tmp_path / "mlquiz-home"))
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("COLUMNS", "80")
    for name in ("MLQUIZ_LANG", "LC_ALL", "LC_MESSAGES", "LANG"):  # English unless a test asks otherwise
        monkeypatch.delenv(name, raising=False)
    from mlquiz import text

    text.set_language("en")


def mlquiz_command() -> list[str]:
    """How a subprocess runs this checkout's mlquiz."""
    return [sys.executable, "-m", "mlquiz"]


def subprocess_env() -> dict:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    env["NO_COLOR"] = "1"
    return env
