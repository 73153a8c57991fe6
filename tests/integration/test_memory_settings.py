"""What ``aduan run`` does to keep its memory small while many chats are handled at once
(issue 13: python-telegram-bot's peak RSS). Structural checks; the figures are in bench/README.md.

* Each SQLite connection is a thread of aiosqlite with its own page cache; the cache is kept
  small (the operating system's file cache still holds the hot pages).
* glibc gives every thread that allocates its own malloc arena, which keeps its peak for good;
  the run path caps them (unless the operator set ``MALLOC_ARENA_MAX`` already).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from storage.db import SQLITE_CACHE_KIB, create_engine

ROOT = Path(__file__).resolve().parents[2]


async def test_every_sqlite_connection_keeps_a_small_page_cache(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'aduan.db'}")
    try:
        async with engine.connect() as one, engine.connect() as two:
            for connection in (one, two):
                size = (await connection.execute(text("PRAGMA cache_size"))).scalar_one()
                assert size == -SQLITE_CACHE_KIB  # negative: KiB, not pages
    finally:
        await engine.dispose()
    assert SQLITE_CACHE_KIB <= 1024  # SQLite's own default is 2 MiB a connection


# Eight threads each allocate; glibc's malloc_stats() then names one "Arena N:" per arena.
_ARENAS = """
import ctypes, sys, threading
from cli.main import fewer_malloc_arenas
if sys.argv[1] == "capped":
    fewer_malloc_arenas()
libc = ctypes.CDLL("libc.so.6")
libc.malloc.restype = ctypes.c_void_p
start = threading.Barrier(8)
def work():
    start.wait()
    for _ in range(50):
        libc.free(ctypes.c_void_p(libc.malloc(200_000)))
threads = [threading.Thread(target=work) for _ in range(8)]
for t in threads: t.start()
for t in threads: t.join()
libc.malloc_stats()
"""


def _arenas(mode: str, env: dict[str, str]) -> int:
    done = subprocess.run(
        [sys.executable, "-c", _ARENAS, mode],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return sum(1 for line in done.stderr.splitlines() if line.startswith("Arena "))


@pytest.mark.slow  # a fresh interpreter runs the command
def test_the_run_path_caps_the_malloc_arenas_unless_the_operator_chose() -> None:
    env = {k: v for k, v in os.environ.items() if k != "MALLOC_ARENA_MAX"}
    assert _arenas("free", env) > 2  # the threads got arenas of their own
    assert _arenas("capped", env) <= 2
    # An operator's own choice in the service's environment is left alone.
    assert _arenas("capped", {**env, "MALLOC_ARENA_MAX": "4"}) > 2
