"""A migration means what it meant when it was written: the settings in force while it runs
(the environment, ``.env``) change nothing it writes.

Migration 0008 measures the stages of the reports filed before it from their timelines. It used
to read the region's timezone, local holidays, categories file and deadlines from the settings,
so two deployments upgrading the same data got different numbers, and the same deployment got
others after changing a setting. Its frozen rule uses the defaults of that day."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import text

from storage.db import create_engine, migrate, upgrade_sync

#: Settings as unlike the defaults as the program accepts (UTC instead of WITA, shorter
#: deadlines, two local holidays in the week measured, the category under inspection).
_ENVIRONMENT = {
    "VERIFY_WORKING_DAYS": "1",
    "FOLLOW_UP_WORKING_DAYS": "1",
    "RESOLVE_PENGADUAN_WORKING_DAYS": "2",
    "LOCAL_HOLIDAYS": "2026-03-03,2026-03-05",
}
_CATEGORIES = """
[[category]]
code = "sampah"
name_id = "Sampah"
name_en = "Waste"
handler = "area"
area_level = "desa"
photo_required = false
pengawasan = true
"""

# Filed Monday 2 March 2026, 01:00 WITA (Sunday 17:00 UTC). A: verified Wednesday 4 March,
# followed up Monday 16 March, not finished yet. B: never verified.
_FILED = datetime(2026, 3, 1, 17, tzinfo=UTC)
_TIMELINES = {
    "A": [
        ("baru", "didisposisi", datetime(2026, 3, 4, 1, tzinfo=UTC)),
        ("didisposisi", "diproses", datetime(2026, 3, 16, 1, tzinfo=UTC)),
    ],
    "B": [],
}
_COLUMNS = (
    "tracking_no, created_on, verified_on, verify_days, verify_on_time, followed_up_on,"
    " follow_up_days, follow_up_on_time, finished_on, stage_due"
)
#: What the default settings give: 2 working days to verify (3 allowed), 8 to follow up (5
#: allowed, late), the finish stage (14 working days for a plain pengaduan; Nyepi, Idulfitri and
#: its cuti bersama fall in between) due on 13 April.
_DEFAULT_NUMBERS = {
    "A": ("2026-03-02", "2026-03-04", 2, True, "2026-03-16", 8, False, None, "2026-04-13"),
    "B": ("2026-03-02", None, None, None, None, None, None, None, "2026-03-05"),
}


def _stamp(moment: datetime, url: str) -> object:
    """asyncpg binds typed values; SQLite keeps the program's UTC text."""
    if url.startswith("postgresql"):
        return moment
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ")


def _iso(value: object) -> object:
    return value.isoformat() if isinstance(value, date) else value


async def _reports_filed_at_0007(url: str) -> None:
    await asyncio.to_thread(upgrade_sync, url, "0007")
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.execute(
                text(
                    "INSERT INTO citizens (channel, user_id, chat_id, name, username, language,"
                    " consent_at, consent_version, created_at) VALUES ('telegram', '1', '1', '',"
                    " '', 'id', :at, '1', :at)"
                ),
                {"at": _stamp(_FILED, url)},
            )
            for number, steps in _TIMELINES.items():
                report_id = await connection.scalar(
                    text(
                        "INSERT INTO reports (tracking_no, citizen_id, channel, report_type,"
                        " category, region_code, address_detail, description, privacy, status,"
                        " created_at, updated_at, rating_comment) VALUES (:n, 1, 'telegram',"
                        " 'pengaduan', 'sampah', '64.08', '', 'x', 'biasa', :s, :at, :at, '')"
                        " RETURNING id"
                    ),
                    {
                        "n": number,
                        "s": steps[-1][1] if steps else "baru",
                        "at": _stamp(_FILED, url),
                    },
                )
                for before, after, at in steps:
                    await connection.execute(
                        text(
                            "INSERT INTO report_events (report_id, kind, status_from, status_to,"
                            " actor, note, created_at) VALUES (:r, 'x', :f, :t, 'sistem', '', :at)"
                        ),
                        {"r": report_id, "f": before, "t": after, "at": _stamp(at, url)},
                    )
    finally:
        await engine.dispose()


async def _measured(url: str) -> dict[str, tuple[object, ...]]:
    engine = create_engine(url)
    try:
        async with engine.connect() as connection:
            rows = await connection.execute(text(f"SELECT {_COLUMNS} FROM reports ORDER BY 1"))
            return {row[0]: tuple(_iso(v) for v in row[1:]) for row in rows}
    finally:
        await engine.dispose()


def _normalised(numbers: dict[str, tuple[object, ...]]) -> dict[str, tuple[object, ...]]:
    # SQLite gives booleans back as 0/1.
    return {
        key: tuple(bool(v) if i in (3, 6) and v is not None else v for i, v in enumerate(row))
        for key, row in numbers.items()
    }


async def test_the_stage_backfill_gives_the_default_numbers_whatever_the_settings(
    database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Upgrading across 0008 with unusual settings in the environment and in ``.env`` (which the
    program reads from the folder it starts in) measures the old reports as the defaults do."""
    await _reports_filed_at_0007(database_url)
    categories = tmp_path / "categories.toml"
    categories.write_text(_CATEGORIES, encoding="utf-8")
    folder = tmp_path / "deployment"
    folder.mkdir()
    (folder / ".env").write_text(f"TIMEZONE=UTC\nCATEGORIES_FILE={categories}\n", encoding="utf-8")
    monkeypatch.chdir(folder)
    for name, value in _ENVIRONMENT.items():
        monkeypatch.setenv(name, value)

    await migrate(database_url)

    assert _normalised(await _measured(database_url)) == _DEFAULT_NUMBERS


async def test_the_defaults_give_those_numbers(database_url: str) -> None:
    """The same upgrade with no settings at all: the expected numbers above are the defaults'."""
    await _reports_filed_at_0007(database_url)
    await migrate(database_url)
    assert _normalised(await _measured(database_url)) == _DEFAULT_NUMBERS
