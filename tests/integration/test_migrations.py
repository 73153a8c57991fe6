"""The schema is made by Alembic alone: the migrations build exactly what the models describe."""

from __future__ import annotations

import asyncio
from datetime import date

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection

from storage.db import create_engine, migrate, upgrade_sync
from storage.models import Base


def _differences(connection: Connection) -> list[object]:
    context = MigrationContext.configure(connection)
    return list(compare_metadata(context, Base.metadata))


def _iso(value: object) -> str | None:
    return None if value is None else str(value)


def _tables(connection: Connection) -> set[str]:
    return set(inspect(connection).get_table_names())


async def test_migrations_match_the_models_and_run_twice(database_url: str) -> None:
    url = database_url
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


async def test_reports_open_before_the_clock_get_an_agenda(database_url: str) -> None:
    """Upgrading from 0002: open reports are looked at on their deadline, finished ones the day
    after their quiet period; the Ombudsman day is 12 weeks after submission."""
    url = database_url
    # asyncpg binds typed values; SQLite stores dates as ISO text.
    day = date.fromisoformat if url.startswith("postgresql") else str
    await asyncio.to_thread(upgrade_sync, url, "0002")
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.execute(
                text(
                    "INSERT INTO citizens (channel, user_id, chat_id, name, username, language,"
                    " consent_at, consent_version, created_at) VALUES ('telegram', '1', '1', '',"
                    " '', 'id', '2026-11-02 01:00:00', '1', '2026-11-02 01:00:00')"
                )
            )
            for number, status, due in (
                ("A", "didisposisi", day("2026-11-10")),
                ("B", "selesai", day("2026-11-20")),
                ("C", "diarsipkan", None),
            ):
                await connection.execute(
                    text(
                        "INSERT INTO reports (tracking_no, citizen_id, channel, report_type,"
                        " category, region_code, address_detail, description, privacy, status,"
                        " due_date, created_at, updated_at, rating_comment) VALUES (:n, 1,"
                        " 'telegram', 'pengaduan', 'sampah', '64.08', '', 'x', 'biasa', :s, :d,"
                        " '2026-11-02 01:00:00', '2026-11-02 01:00:00', '')"
                    ),
                    {"n": number, "s": status, "d": due},
                )
    finally:
        await engine.dispose()
    await migrate(url)
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            rows = await connection.execute(
                text("SELECT tracking_no, next_notice_on, ombudsman_on FROM reports ORDER BY 1")
            )
            agenda = {row[0]: (_iso(row[1]), _iso(row[2])) for row in rows}
    finally:
        await engine.dispose()
    assert agenda == {
        "A": ("2026-11-10", "2027-01-25"),
        "B": ("2026-11-21", None),
        "C": (None, None),
    }
