"""The schema is made by Alembic alone: the migrations build exactly what the models describe."""

from __future__ import annotations

import asyncio
import warnings
from datetime import date
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection

from storage.db import create_engine, migrate, upgrade_sync
from storage.models import Base, described_by_models


def _differences(connection: Connection) -> list[object]:
    # The full-text search objects are engine-specific SQL that no model describes.
    opts = {"include_name": lambda name, kind, _parents: described_by_models(name, kind)}
    context = MigrationContext.configure(connection, opts=opts)
    with warnings.catch_warnings():
        # SQLite's reflection leaves out indexes on expressions (the roll-up's per-day index
        # on coalesce(day, day)); PostgreSQL's compares them.
        warnings.filterwarnings("ignore", "Skipped unsupported reflection of expression-based")
        warnings.filterwarnings("ignore", "autogenerate skipping metadata-specified expression")
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


def _downgrade(url: str, revision: str) -> None:
    from alembic import command

    from storage.db import _alembic_config

    command.downgrade(_alembic_config(url), revision)


async def test_the_rollup_is_filled_from_existing_reports_and_goes_away_on_downgrade(
    database_url: str,
) -> None:
    """Upgrading from 0009: the console's roll-up counts the reports already there (a report
    never filed, without ``created_on``, nowhere); downgrading removes tables and triggers, and
    reports can be written after it."""
    url = database_url
    day = date.fromisoformat if url.startswith("postgresql") else str
    await asyncio.to_thread(upgrade_sync, url, "0009")
    rows = [
        # number, unit, filed, status, verify days, on time, rating, category
        ("A", None, "2026-03-02", "selesai", 2, True, 5, "sampah"),
        ("B", None, "2026-03-02", "diproses", 4, False, None, "jalan"),
        ("C", None, "2026-03-31", "baru", None, None, None, "sampah"),
        ("D", None, None, "baru", None, None, None, "sampah"),
    ]
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.execute(
                text(
                    "INSERT INTO citizens (channel, user_id, chat_id, name, username, language,"
                    " consent_at, consent_version, created_at) VALUES ('telegram', '1', '1', '',"
                    " '', 'id', '2026-03-02 01:00:00', '1', '2026-03-02 01:00:00')"
                )
            )
            for number, unit, filed, status, verify, on_time, rating, category in rows:
                await connection.execute(
                    text(
                        "INSERT INTO reports (tracking_no, citizen_id, channel, report_type,"
                        " category, region_code, address_detail, description, privacy, status,"
                        " unit_id, created_at, updated_at, rating_comment, created_on,"
                        " verify_days, verify_on_time, rating, stage_paused, reopened) VALUES"
                        " (:n, 1, 'telegram', 'pengaduan', :c, '64.08', '', 'x', 'biasa', :s,"
                        " :u, '2026-03-02 01:00:00', '2026-03-02 01:00:00', '', :f, :v, :o, :r,"
                        " 0, :re)"
                    ),
                    {
                        "n": number,
                        "c": category,
                        "s": status,
                        "u": unit,
                        "f": None if filed is None else day(filed),
                        "v": verify,
                        "o": on_time,
                        "r": rating,
                        "re": number == "B",
                    },
                )
    finally:
        await engine.dispose()
    await asyncio.to_thread(upgrade_sync, url, "0010")
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            got = {
                (str(r[0]),): tuple(r[1:])
                for r in await connection.execute(
                    text(
                        "SELECT day, unit_key, received, verify_on_time, verify_ended,"
                        " reopened, rating_sum, rated, rated_good, status_selesai,"
                        " status_diproses, status_baru, type_pengaduan FROM report_rollup"
                    )
                )
            }
            categories = set(
                await connection.execute(
                    text("SELECT month, category, n FROM report_rollup_categories")
                )
            )
            histograms = set(
                await connection.execute(
                    text("SELECT month, measure, days, n FROM report_rollup_days")
                )
            )
    finally:
        await engine.dispose()
    assert got == {
        ("2026-03-02",): (0, 2, 1, 2, 1, 5, 1, 1, 1, 1, 0, 2),
        ("2026-03-31",): (0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1),
    }
    assert categories == {("2026-03", "sampah", 2), ("2026-03", "jalan", 1)}
    assert histograms == {("2026-03", "verify_days", 2, 1), ("2026-03", "verify_days", 4, 1)}

    await asyncio.to_thread(_downgrade, url, "0009")
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            tables = await connection.run_sync(_tables)
            # No trigger is left behind to write into a table that is gone.
            await connection.execute(
                text("UPDATE reports SET status = 'selesai', rating = 4, created_on = NULL")
            )
    finally:
        await engine.dispose()
    assert not {"report_rollup", "report_rollup_categories", "report_rollup_days"} & tables
    await migrate(url)  # and up again, from what the reports say now
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            left = await connection.scalar(text("SELECT count(*) FROM report_rollup"))
    finally:
        await engine.dispose()
    assert left == 0
