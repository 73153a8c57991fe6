"""Peak memory of ``aduan run``'s import path, per framework: what a bot process holds before it
has done anything (``python -m bench`` prints one row per ``BOT_FRAMEWORK`` after its table).

A fresh interpreter imports what ``aduan run`` imports before it touches the database: the
command (``cli.main``), the runtime it builds (``runtime.bootstrap``) and the channel adapter of
its framework (``runtime.deps.make_channel``, which imports only that framework). Its peak RSS
(``ru_maxrss``) is read in the child, so nothing of the benchmark process counts.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from bench.errors import BenchError

ROOT = Path(__file__).resolve().parents[1]

#: Loaded by the run path they would be held for the life of the bot (see
#: tests/integration/test_run_imports.py, which fails on them).
NOT_FOR_RUN = ("alembic", "openpyxl", "emulator", "web", "yaml")

_SCRIPT = """
import json, resource, sys
import cli.main
import runtime.bootstrap
from runtime.deps import make_channel
from runtime.settings import Settings

settings = Settings()
make_channel(settings, settings.bot_token.get_secret_value())
loaded = sorted({name.partition(".")[0] for name in sys.modules} & set(sys.argv[1:]))
print(json.dumps({"peak_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
                  "loaded": loaded}))
"""


@dataclass(frozen=True)
class ImportPath:
    framework: str
    peak_rss_mb: float
    loaded: tuple[str, ...]  # modules of NOT_FOR_RUN it imported (empty: none)

    def row(self) -> str:
        extra = f" (also loaded: {', '.join(self.loaded)})" if self.loaded else ""
        return f"| `aduan run` import path ({self.framework}) | {self.peak_rss_mb:.1f} |{extra}"


def measure(framework: str) -> ImportPath:
    env = {
        **os.environ,
        "BOT_FRAMEWORK": framework,
        "BOT_TOKEN": "700000:import-path",
        "LOG_LEVEL": "WARNING",
    }
    done = subprocess.run(
        [sys.executable, "-c", _SCRIPT, *NOT_FOR_RUN],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise BenchError(f"the import path of aduan run failed ({framework}): {done.stderr}")
    result = json.loads(done.stdout.strip().splitlines()[-1])
    return ImportPath(framework, result["peak_kib"] / 1024, tuple(result["loaded"]))


def table(frameworks: tuple[str, ...]) -> list[str]:
    """The rows, one per framework, under their header."""
    rows = [measure(framework) for framework in frameworks]
    return ["| import path | peak RSS MB |", "|---|---|", *(row.row() for row in rows)]
