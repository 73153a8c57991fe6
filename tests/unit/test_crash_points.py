"""The crash tests' hook (core.crash_points): a process passing the named point SIGKILLs itself
once; another name, no marker, or the marker already written: nothing happens."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from core.crash_points import ENV

REPO = Path(__file__).resolve().parents[2]
PASS = "from core.crash_points import crash_point; crash_point('rights.erase'); print('alive')"


def _run(wanted: str | None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != ENV}
    env["PYTHONPATH"] = str(REPO)
    if wanted is not None:
        env[ENV] = wanted
    return subprocess.run(
        [sys.executable, "-c", PASS], env=env, capture_output=True, text=True, timeout=30
    )


def test_the_named_point_kills_once_and_other_settings_do_nothing(tmp_path: Path) -> None:
    marker = tmp_path / "killed"
    assert _run(None).stdout == "alive\n"
    assert _run(f"other.point@{marker}").stdout == "alive\n"
    assert _run("rights.erase").stdout == "alive\n"  # no marker: never kills
    assert not marker.exists()
    killed = _run(f"rights.erase@{marker}")
    assert killed.returncode == -signal.SIGKILL
    assert killed.stdout == ""
    assert marker.exists()
    assert _run(f"rights.erase@{marker}").stdout == "alive\n"  # the restart goes on
