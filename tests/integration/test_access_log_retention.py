"""ACCESS_LOG_RETENTION_MONTHS (issue 29): the console's access log is kept for the configured
months and the retention round deletes older entries, once, on SQLite and PostgreSQL; 0 or
nonsense stops the start naming the setting; the record of processing (/pemrosesan) says how
long the log is kept."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from pydantic import SecretStr, ValidationError
from sqlalchemy import select

from cases.retention import RetentionPolicy, months_before, run_retention
from cli.main import main
from runtime.deps import retention_policy
from runtime.settings import Settings
from storage.db import create_engine, session_factory
from storage.models import ConsoleAudit
from tests.integration.case_world import World
from tests.integration.database import Database
from tests.integration.test_console import World as ConsoleWorld
from tests.integration.test_console import open_world
from tests.integration.test_console_processing import read
from web.from_settings import processing_facts


async def _log(world: World) -> list[str]:
    async with world.db.uow() as uow:
        found = await uow.session.scalars(select(ConsoleAudit.subject).order_by(ConsoleAudit.id))
        return list(found)


async def test_entries_older_than_the_period_go_once(world: World, tmp_path: Path) -> None:
    now = world.clock()
    rules = RetentionPolicy(
        identity_months=24, media_months=12, media_dir=tmp_path, access_log_months=24
    )
    cutoff = months_before(now, 24)
    async with world.db.uow() as uow:
        for subject, at in (
            ("old-1", cutoff - timedelta(days=40)),
            ("old-2", cutoff - timedelta(minutes=1)),
            ("kept", cutoff + timedelta(minutes=1)),
            ("today", now),
        ):
            uow.session.add(ConsoleAudit(at=at, action="view", subject=subject))
        await uow.commit()
    other = Database(world.db.url)  # a second engine on the same database: another process
    other.engine = create_engine(other.url)
    other.sessions = session_factory(other.engine)
    try:
        results = await asyncio.gather(
            run_retention(world.db.uow, rules, now), run_retention(other.uow, rules, now)
        )
    finally:
        await other.engine.dispose()
    assert sum(r["access"] for r in results) == 2
    assert await _log(world) == ["kept", "today"]
    assert await run_retention(world.db.uow, rules, now) == {}
    # Not configured (0): nothing is pruned.
    unset = replace(rules, access_log_months=0)
    assert await run_retention(world.db.uow, unset, now + timedelta(days=3650)) == {}
    assert await _log(world) == ["kept", "today"]


def test_the_setting_defaults_to_24_months_and_reaches_the_round() -> None:
    settings = Settings(_env_file=None, bot_token=SecretStr("1:x"))
    assert settings.access_log_retention_months == 24
    assert retention_policy(settings).access_log_months == 24
    chosen = Settings(_env_file=None, access_log_retention_months=" 36 ")
    assert retention_policy(chosen).access_log_months == 36


@pytest.mark.parametrize("value", ["0", "-1", "dua tahun", "1.5", "1201", ""])
def test_zero_or_nonsense_is_refused(value: str) -> None:
    with pytest.raises(ValidationError, match="whole number of months"):
        Settings(_env_file=None, access_log_retention_months=value)


def test_the_command_stops_naming_the_setting(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)  # no .env of the developer's
    monkeypatch.setenv("ACCESS_LOG_RETENTION_MONTHS", "0")
    monkeypatch.setenv("DEFAULT_LANGUAGE", "id")
    assert main(["migrate"]) == 2
    err = capsys.readouterr().err
    assert "ACCESS_LOG_RETENTION_MONTHS: must be a whole number of months from 1 to 1200" in err


@pytest.fixture
async def console(tmp_path: Path) -> AsyncIterator[ConsoleWorld]:
    found = await open_world(Database(tmp_path / "console.db"), tmp_path)
    yield found
    await found.db.engine.dispose()


async def test_the_record_of_processing_names_the_access_logs_period(
    console: ConsoleWorld,
) -> None:
    settings = Settings(_env_file=None, bot_token=SecretStr("1:x"), access_log_retention_months=18)
    console.config = replace(console.config, processing=processing_facts(settings))
    text = await read(console, "diskominfo")
    assert "18 bulan sejak dicatat, lalu dihapus otomatis" in text
    assert "Belum dibatasi" not in text
