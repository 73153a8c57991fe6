"""The schema is made by Alembic alone: the migrations build exactly what the models describe."""

from __future__ import annotations

import asyncio
from datetime import date
from pathlib import Path

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


async def test_reports_filed_before_the_stages_columns_get_their_numbers(tmp_path: Path) -> None:
    """Upgrading from 0005: each report's measured stages are read from its timeline, with the
    same rule as ``core.performance`` (WITA dates, working days, waiting for the reporter left
    out)."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'old.db'}"
    await asyncio.to_thread(upgrade_sync, url, "0005")
    engine = create_engine(url)
    # Times in UTC; WITA is UTC+8. Filed Monday 2 March 2026.
    timeline = {
        "A": [  # verified Wed 4, asked Thu 5, answered Fri 13, followed up Mon 16, done Tue 17
            ("baru", "didisposisi", "2026-03-04 01:00:00"),
            ("didisposisi", "menunggu_pelapor", "2026-03-05 01:00:00"),
            ("menunggu_pelapor", "didisposisi", "2026-03-13 01:00:00"),
            ("didisposisi", "diproses", "2026-03-16 01:00:00"),
            ("diproses", "selesai", "2026-03-17 01:00:00"),
            ("selesai", "diproses", "2026-03-18 01:00:00"),
        ],
        "B": [],  # never verified
        "C": [("baru", "diarsipkan", "2026-03-03 01:00:00")],
    }
    try:
        async with engine.begin() as connection:
            await connection.execute(
                text(
                    "INSERT INTO citizens (channel, user_id, chat_id, name, username, language,"
                    " consent_at, consent_version, created_at) VALUES ('telegram', '1', '1', '',"
                    " '', 'id', '2026-03-02 01:00:00', '1', '2026-03-02 01:00:00')"
                )
            )
            for number, steps in timeline.items():
                status = steps[-1][1] if steps else "baru"
                result = await connection.execute(
                    text(
                        "INSERT INTO reports (tracking_no, citizen_id, channel, report_type,"
                        " category, region_code, address_detail, description, privacy, status,"
                        " created_at, updated_at, rating_comment) VALUES (:n, 1, 'telegram',"
                        " 'pengaduan', 'sampah', '64.08', '', 'x', 'biasa', :s,"
                        " '2026-03-01 17:00:00', '2026-03-01 17:00:00', '')"
                    ),
                    {"n": number, "s": status},
                )
                for before, after, at in steps:
                    await connection.execute(
                        text(
                            "INSERT INTO report_events (report_id, kind, status_from, status_to,"
                            " actor, note, created_at) VALUES (:r, 'x', :f, :t, 'sistem', '', :at)"
                        ),
                        {"r": result.lastrowid, "f": before, "t": after, "at": at},
                    )
    finally:
        await engine.dispose()
    await migrate(url)
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            rows = await connection.execute(
                text(
                    "SELECT tracking_no, created_on, verified_on, verify_days, verify_on_time,"
                    " followed_up_on, follow_up_days, follow_up_on_time, finished_on,"
                    " finish_days, finish_on_time, stage_due, reopened FROM reports ORDER BY 1"
                )
            )
            got = {row[0]: tuple(row[1:]) for row in rows}
    finally:
        await engine.dispose()
    assert got == {
        # 2 → 4 March: 2 working days (3 allowed); 4 → 16 March: 8 working days, 6 waiting;
        # 16 → 17 March: 1 day; reopened on the 18th.
        "A": (
            "2026-03-02",
            "2026-03-04",
            2,
            1,
            "2026-03-16",
            2,
            1,
            "2026-03-17",
            1,
            1,
            None,
            1,
        ),
        # Open: late once the day after Thursday 5 March has come.
        "B": ("2026-03-02", None, None, None, None, None, None, None, None, None, "2026-03-05", 0),
        "C": ("2026-03-02", None, None, None, None, None, None, None, None, None, None, 0),
    }
