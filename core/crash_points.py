"""Named moments at which a test makes the bot SIGKILL itself (the crash tests' hook).

``TEST_CRASH_POINT=<name>@<marker file>`` in the environment of ``aduan run``: the first time the
process passes :func:`crash_point` ``(<name>)`` it writes the marker file and sends itself
SIGKILL, with no cleanup, as a power cut would; the marker keeps the restarted process from
doing it again. Unset (always, outside the tests) it does nothing. The points sit inside a
transaction that has done its work but not committed it: what survives the kill is what the
database had before.
"""

from __future__ import annotations

import os
import signal
from pathlib import Path

ENV = "TEST_CRASH_POINT"


def crash_point(name: str) -> None:
    """SIGKILL this process here once, when ``TEST_CRASH_POINT`` names ``name``."""
    wanted = os.environ.get(ENV)
    if not wanted:
        return
    point, _, marker = wanted.partition("@")
    if point != name or not marker:
        return
    path = Path(marker)
    if path.exists():
        return
    path.write_text(name, encoding="utf-8")
    os.kill(os.getpid(), signal.SIGKILL)
