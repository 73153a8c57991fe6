"""Alembic environment: runs the migrations over the database whose URL it is given.

``storage.db`` hands Alembic a configuration with the scripts' folder and ``sqlalchemy.url``; that
URL is all this file reads. It reads no settings and no ``.env``, and it imports nothing of the
program (not ``storage.models``, not ``storage.db``): what the migrations do must not change when
the program changes. So the two things it needs of the program are copied here as they were:

- the naming convention of constraints and indexes (``storage.models.NAMING``), which Alembic
  applies to every constraint a migration leaves unnamed;
- the SQLite connection settings that change what a migration does or whether it waits: foreign
  keys enforced (a table copied and dropped cascades to the rows that point at it, which is why
  0008 adds columns in place), write-ahead log, and the wait for another writer.

A new model column shows up in ``tests/integration/test_migrations.py``, which compares the
migrated schema with the models and prints what a new revision must add.
"""

from __future__ import annotations

import asyncio
from typing import Any

from alembic import context
from sqlalchemy import MetaData, event, text
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.ext.asyncio import create_async_engine

#: The advisory lock key under which PostgreSQL migrations run (any fixed 64-bit number).
MIGRATION_LOCK = 0x616475616E  # "aduan"
#: How long a SQLite migration waits for another process's write, in seconds.
SQLITE_BUSY_SECONDS = 15
#: The names Alembic gives unnamed constraints and indexes (as the models name them).
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

config = context.config
target_metadata = MetaData(naming_convention=NAMING)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_SECONDS * 1000}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        if connection.dialect.name == "postgresql":
            # Workers starting together migrate one after another: the first upgrades, the
            # others then find the schema current. Released when the transaction ends.
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
        context.run_migrations()


async def _run_online(database_url: str) -> None:
    url = make_url(database_url)
    if url.get_backend_name() == "sqlite":
        engine = create_async_engine(url, connect_args={"timeout": SQLITE_BUSY_SECONDS})
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
    else:
        engine = create_async_engine(url)
    async with engine.connect() as connection:
        await connection.run_sync(_run)
        await connection.commit()
    await engine.dispose()


if context.is_offline_mode():
    context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=target_metadata)
    with context.begin_transaction():
        context.run_migrations()
else:
    asyncio.run(_run_online(config.get_main_option("sqlalchemy.url") or ""))
