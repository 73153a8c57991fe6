"""The schema is made by Alembic alone: the migrations build exactly what the models describe."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.engine import Connection

from storage.db import create_engine, migrate
from storage.models import Base


def _differences(connection: Connection) -> list[object]:
    context = MigrationContext.configure(connection)
    return list(compare_metadata(context, Base.metadata))


def _tables(connection: Connection) -> set[str]:
    return set(inspect(connection).get_table_names())


async def test_migrations_match_the_models_and_run_twice(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'schema.db'}"
    await migrate(url)
    await migrate(url)  # the program migrates on every start: a second run changes nothing
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            assert await connection.run_sync(_differences) == []
            tables = await connection.run_sync(_tables)
    finally:
        await engine.dispose()
    expected = {"citizens", "conversations", "reports", "report_photos", "report_events"}
    assert expected | {"inbox", "outbox", "alembic_version"} <= tables
