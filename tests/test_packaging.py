"""The wheel carries problems/ and works from an installed copy, run from another directory."""

import os
import subprocess
import sys
import sysconfig
import venv

import pytest

from conftest import ROOT


@pytest.mark.slow
def test_wheel_installs_and_finds_its_data(tmp_path):
    dist = tmp_path / "dist"
    subprocess.run([sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "--no-build-isolation",
                    "-w", str(dist), "-q"], check=True, cwd=tmp_path)
    wheel = next(dist.glob("mlquiz-*.whl"))
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    python = env_dir / "bin" / "python"
    # The runtime dependencies come from this environment, so the test needs no network.
    site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          capture_output=True, text=True, check=True).stdout.strip()
    subprocess.run([str(python), "-m", "pip", "install", "--no-deps", "-q", str(wheel)], check=True)
    # Added after the install, so pip does not see this environment's own mlquiz; the venv's
    # site-packages comes first on sys.path, so the wheel's copy is the one imported.
    with open(os.path.join(site, "deps.pth"), "w") as handle:
        handle.write(sysconfig.get_paths()["purelib"] + "\n")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    listing = subprocess.run([str(env_dir / "bin" / "mlquiz"), "list"], cwd=elsewhere, env=env,
                             capture_output=True, text=True)
    assert listing.returncode == 0, listing.stderr
    assert "entropy" in listing.stdout
    bank = subprocess.run([str(env_dir / "bin" / "mlquiz"), "show", "entropy", "--bank", "--seed", "1"],
                          cwd=elsewhere, env=env, capture_output=True, text=True)
    assert bank.returncode == 0, bank.stderr
    assert "playtennis" in bank.stdout
    where = subprocess.run([str(python), "-c", "import mlquiz.engine as e; print(e.problems_dir())"],
                           cwd=elsewhere, env=env, capture_output=True, text=True).stdout
    assert "site-packages" in where
