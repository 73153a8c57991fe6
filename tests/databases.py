"""The two engines the tests run on: a SQLite file and a PostgreSQL server, always both.

``TEST_POSTGRES_URL`` (``postgresql+asyncpg://user@host:port/db``, as ``.ci/postgres`` prints)
names a server on which each test gets a fresh, empty database of its own, dropped afterwards.
Without it the run starts a throwaway server itself with ``.ci/postgres`` (once, stopped at
exit); the PostgreSQL variants never skip, and fail with the reason when no server can be had.
"""

from __future__ import annotations

import atexit
import os
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import make_url

#: Every engine an integration test runs on (test ids end in ``[sqlite]`` / ``[postgresql]``).
ENGINES = ("sqlite", "postgresql")


#: The server this test run started itself when TEST_POSTGRES_URL named none.
_STARTED: dict[str, str] = {}
_SCRIPT = Path(__file__).resolve().parent.parent / ".ci" / "postgres"


def postgres_server_url() -> str:
    """The server's URL: TEST_POSTGRES_URL, or else a throwaway server this run starts once with
    ``.ci/postgres`` (Debian's packages, installed when missing) and stops at exit. A test that
    needs PostgreSQL never skips: when no server can be had, it fails and says why."""
    url = os.environ.get("TEST_POSTGRES_URL", "")
    if url:
        return url
    if "url" not in _STARTED:
        _STARTED["url"] = _start_server()
    return _STARTED["url"]


def _start_server() -> str:
    directory = tempfile.mkdtemp(prefix="aduan-test-pg-")
    os.chmod(directory, 0o755)  # the server runs as the postgres user
    started = subprocess.run(
        [str(_SCRIPT), "start", directory], capture_output=True, text=True, check=False
    )
    if started.returncode != 0 or not started.stdout.strip():
        pytest.fail(
            "no PostgreSQL server: set TEST_POSTGRES_URL, or let .ci/postgres start one "
            f"(it said: {started.stderr.strip()[-500:]})"
        )

    def stop() -> None:
        subprocess.run([str(_SCRIPT), "stop", directory], capture_output=True, check=False)
        shutil.rmtree(directory, ignore_errors=True)

    atexit.register(stop)
    return started.stdout.strip().splitlines()[-1]


async def _admin(server_url: str) -> Any:
    import asyncpg  # the [postgres] extra; part of [dev]

    url = make_url(server_url).set(drivername="postgresql")
    return await asyncpg.connect(url.render_as_string(hide_password=False))


@asynccontextmanager
async def postgres_database(server_url: str) -> AsyncIterator[str]:
    """A fresh empty database on the server, dropped (with its connections) afterwards."""
    name = f"aduan_test_{uuid.uuid4().hex[:12]}"
    admin = await _admin(server_url)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    try:
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        admin = await _admin(server_url)
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()


@asynccontextmanager
async def database_on(engine: str, folder: Path, name: str = "aduan") -> AsyncIterator[str]:
    """The URL of a new, empty database on ``engine`` (``sqlite`` or ``postgresql``)."""
    if engine == "sqlite":
        yield f"sqlite+aiosqlite:///{folder / f'{name}.db'}"
        return
    async with postgres_database(postgres_server_url()) as url:
        yield url
