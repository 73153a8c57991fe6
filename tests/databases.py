"""The two engines the tests run on: a SQLite file always, PostgreSQL when a server is given.

``TEST_POSTGRES_URL`` (``postgresql+asyncpg://user@host:port/db``, as ``.ci/postgres`` prints)
names a server on which each test gets a fresh, empty database of its own, dropped afterwards.
Without it the PostgreSQL variants are skipped on a developer's machine, and fail where
``REQUIRE_POSTGRES=1`` says a server must be there (``.ci/run`` sets it).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import make_url

#: Every engine an integration test runs on (test ids end in ``[sqlite]`` / ``[postgresql]``).
ENGINES = ("sqlite", "postgresql")


def postgres_server_url() -> str:
    """The server's URL, or a skip (a failure where ``REQUIRE_POSTGRES=1``)."""
    url = os.environ.get("TEST_POSTGRES_URL", "")
    if url:
        return url
    if os.environ.get("REQUIRE_POSTGRES") == "1":
        pytest.fail("REQUIRE_POSTGRES=1 but TEST_POSTGRES_URL is not set (see .ci/postgres)")
    pytest.skip("no PostgreSQL server: set TEST_POSTGRES_URL (see .ci/postgres)")


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
