"""A parent that has imported the bot once and forks a real bot process for each start.

The crash tests SIGKILL ``aduan run`` and start it again, several times per test. A fresh
interpreter spends most of its start importing aiogram, python-telegram-bot, SQLAlchemy and
pydantic (5-10 s on a busy two-core machine). A child forked from this parent is still a process
of its own (its own memory, database connections, sockets and event loop, killed by SIGKILL like
any other), but starts from the imported modules. The parent never opens a connection, starts a
thread or runs an event loop, so nothing it holds is shared with the children.

``tests/e2e/test_smoke.py`` keeps one SIGKILL test on a cold ``python -m cli.main run``, so the
real entry point stays covered.

Protocol: one JSON object per line on stdin, one answer per line on stdout.
``{"op": "spawn", "env": {...}, "cwd": "...", "log": "..."}`` → ``{"pid": 123}``;
``{"op": "wait", "pid": 123, "timeout": 15}`` → ``{"status": 0}``, a negative signal number
as :class:`subprocess.Popen` reports it, or ``null`` if it is still running after ``timeout``.
"""

from __future__ import annotations

import json
import os
import sys
import time
import traceback
from typing import Any

# The expensive imports, done once here; every child starts with them loaded.
import aiogram  # noqa: F401
import telegram  # noqa: F401

import bot.channels.aiogram_channel
import bot.channels.ptb_channel  # noqa: F401
import runtime.bootstrap  # noqa: F401
import storage.db  # noqa: F401
from cli.main import main as cli_main


def _run_child(env: dict[str, str], cwd: str, log: str) -> None:
    """In the forked child: become ``aduan run`` with its own stdio, directory and environment."""
    code = 1
    try:
        stdin = os.open(os.devnull, os.O_RDONLY)
        out = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        os.dup2(stdin, 0)
        os.dup2(out, 1)
        os.dup2(out, 2)
        os.chdir(cwd)
        os.environ.clear()
        os.environ.update(env)
        code = cli_main(["run"])
    except SystemExit as stop:
        code = stop.code if isinstance(stop.code, int) else 1
    except BaseException:
        traceback.print_exc()
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)


def _wait(pid: int, timeout: float) -> int | None:
    deadline = time.monotonic() + timeout
    while True:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return -os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)
        if time.monotonic() >= deadline:
            return None
        time.sleep(0.02)


def _answer(request: dict[str, Any]) -> dict[str, Any]:
    if request["op"] == "spawn":
        sys.stdout.flush()
        pid = os.fork()
        if pid == 0:
            _run_child(request["env"], request["cwd"], request["log"])
        return {"pid": pid}
    if request["op"] == "wait":
        return {"status": _wait(int(request["pid"]), float(request["timeout"]))}
    return {"error": f"unknown op {request['op']!r}"}


def serve() -> None:
    print(json.dumps({"ready": True}), flush=True)
    for line in sys.stdin:
        print(json.dumps(_answer(json.loads(line))), flush=True)


if __name__ == "__main__":
    serve()
