"""A migrated PostgreSQL database to copy: ``CREATE DATABASE ... TEMPLATE`` instead of Alembic.

Running the migrations on a new PostgreSQL database costs about three seconds; copying a
database that is already at the newest revision costs about a tenth of one. The template is
named after the migration scripts' contents (``aduan_template_<digest>``), so a branch whose
migrations differ gets a template of its own and a run never copies a schema other than the
one its scripts make. It is built under a temporary name and renamed only once migrated: a run
that dies half-way leaves no template that looks finished, and two runs building it at once
both succeed (the second drops its own copy). Nobody ever connects to the template itself, which
is what PostgreSQL needs to copy it. It stays on the test server between runs.
"""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

from sqlalchemy.engine import make_url

from storage.db import MIGRATIONS_DIR

#: The template's name once made in this process.
_MADE: dict[str, str] = {}


def template_name() -> str:
    """``aduan_template_`` and a digest of every file under the migrations folder."""
    digest = hashlib.sha256()
    for path in sorted(MIGRATIONS_DIR.rglob("*.py")):
        digest.update(path.relative_to(MIGRATIONS_DIR).as_posix().encode())
        digest.update(path.read_bytes())
    return f"aduan_template_{digest.hexdigest()[:16]}"


async def _connect(url: str, database: str | None = None) -> Any:
    import asyncpg  # the [postgres] extra; part of [dev]

    parsed = make_url(url).set(drivername="postgresql")
    if database is not None:
        parsed = parsed.set(database=database)
    return await asyncpg.connect(parsed.render_as_string(hide_password=False))


async def _exists(admin: Any, name: str) -> bool:
    return bool(await admin.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", name))


async def ensure_template(url: str) -> str:
    """The template's name on the server of ``url``; built (migrated by Alembic) if missing."""
    from storage.db import migrate

    name = template_name()
    if _MADE.get(url_server(url)) == name:
        return name
    admin = await _connect(url, "postgres")
    try:
        if not await _exists(admin, name):
            building = f"{name}_{uuid.uuid4().hex[:8]}"
            await admin.execute(f'CREATE DATABASE "{building}"')
            try:
                await migrate(
                    make_url(url).set(database=building).render_as_string(hide_password=False)
                )
                await admin.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1",
                    building,
                )
                if not await _exists(admin, name):
                    await admin.execute(f'ALTER DATABASE "{building}" RENAME TO "{name}"')
            except Exception:
                if not await _exists(admin, name):
                    raise
            finally:
                await admin.execute(f'DROP DATABASE IF EXISTS "{building}" WITH (FORCE)')
    finally:
        await admin.close()
    _MADE[url_server(url)] = name
    return name


def url_server(url: str) -> str:
    """``url`` without its database: which server a template was made on."""
    return make_url(url).set(database="").render_as_string(hide_password=False)


async def start_from_template(url: str) -> bool:
    """Replace the empty database of ``url`` by a copy of the template; whether it did.

    A database that holds any table, or that someone is connected to, is left as it is (then
    ``migrate`` does the usual work)."""
    database = make_url(url).database or ""
    probe = await _connect(url)
    try:
        empty = not await probe.fetchval(
            "SELECT count(*) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', "
            "'information_schema')"
        )
    finally:
        await probe.close()
    if not empty:
        return False
    template = await ensure_template(url)
    admin = await _connect(url, "postgres")
    try:
        import asyncpg

        try:
            await admin.execute(f'DROP DATABASE "{database}"')
        except asyncpg.ObjectInUseError:
            return False  # someone else is connected: leave it to Alembic
        await admin.execute(f'CREATE DATABASE "{database}" TEMPLATE "{template}"')
    finally:
        await admin.close()
    return True
