"""The two engines the tests run on: a SQLite file and a PostgreSQL server.

``TEST_POSTGRES_URL`` (``postgresql+asyncpg://user@host:port/db``, as ``.ci/postgres start DIR``
prints) names a server on which each test gets a fresh, empty database of its own, dropped
afterwards. A test run never starts or installs a server itself: without the URL the PostgreSQL
variants (marker ``postgresql``, see tests/conftest.py) are left out of the run and the pytest
header says so; with ``REQUIRE_POSTGRES=1`` (as ``.ci/run`` sets) they stay in and fail instead.
"""

from __future__ import annotations

import atexit
import os
import shutil
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

#: The marker of every test that needs the PostgreSQL server (set in tests/conftest.py).
POSTGRES_MARK = "postgresql"


def postgres_required() -> bool:
    """``REQUIRE_POSTGRES=1``: a missing server fails the PostgreSQL variants, never skips them."""
    return os.environ.get("REQUIRE_POSTGRES", "") not in ("", "0")


def postgres_server_url() -> str:
    """The server's URL (TEST_POSTGRES_URL); a test that gets this far without one fails."""
    url = os.environ.get("TEST_POSTGRES_URL", "")
    if not url:
        pytest.fail(
            "no PostgreSQL server: set TEST_POSTGRES_URL (e.g. from .ci/postgres start DIR)"
        )
    return url


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


#: This run's migrated SQLite file, copied for each test that asks for a migrated database.
_TEMPLATE: dict[str, Path] = {}


async def migrate_for_test(url: str) -> None:
    """``storage.db.migrate(url)``, faster for a new database: a new SQLite file starts as a copy
    of one migrated once per run (a fresh migration costs about half a second a test), a new
    PostgreSQL database as a copy of a migrated template (:mod:`tests.postgres_template`; Alembic
    costs about 3 s a database there, the copy a tenth of a second). ``migrate`` still checks
    that the copy is at the newest revision. A database that already holds tables migrates as
    usual."""
    from storage.db import migrate  # kept out of the conftest's imports

    parsed = make_url(url)
    file = parsed.database or ""
    if parsed.get_backend_name() == "sqlite" and file not in ("", ":memory:"):
        if "file" not in _TEMPLATE:
            template = _template_path()
            await migrate(f"sqlite+aiosqlite:///{template}")
            _TEMPLATE["file"] = template
        _start_from(_TEMPLATE["file"], Path(file))
    elif parsed.get_backend_name() == "postgresql":
        from tests.postgres_template import start_from_template

        await start_from_template(url)
    await migrate(url)


def _template_path() -> Path:
    folder = Path(tempfile.mkdtemp(prefix="aduan-test-schema-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    return folder / "migrated.db"


def _start_from(template: Path, target: Path) -> None:
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(template, target)
