"""The monthly summary to the leadership (runtime/monthly.py): on the first working day of the
month, after the morning time, the coordinator's group gets one PDF of last month's summary
with the figures of the console's /ringkasan and a line per late unit; never twice (another
round, another worker), not on a first day that is a weekend or holiday, and nothing without a
coordinator group. On SQLite and PostgreSQL (the fixtures of tests/integration/test_console.py:
three reports filed on Monday 2 March 2026, one of Desa Sepaso's late by the 9th)."""

from __future__ import annotations

import asyncio
import base64
import logging
import re
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import select

from runtime.monthly import MonthlySummaries
from storage.models import MonthlySummaryRun, OutboxMessage
from tests.integration.database import Database
from tests.integration.test_console import Filed, World, filed, opened_world, wita
from tests.integration.test_console_reporting import _cards
from web.console.summary_pdf import month_renderer
from web.posters.render import latin1

__all__ = ["filed"]  # the fixture, shared with test_console.py

COORDINATOR_CHAT = "-100100"


@pytest.fixture
async def world(database_url: str, tmp_path: Path) -> AsyncIterator[World]:
    async with opened_world(Database(database_url), tmp_path) as found:
        yield found


def job(world: World) -> MonthlySummaries:
    """One worker's job, as runtime/bootstrap.py builds it."""
    return MonthlySummaries(world.db.uow, world.deps, month_renderer(world.config))


async def documents(world: World) -> list[dict[str, object]]:
    async with world.db.uow() as uow:
        rows = await uow.session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.chat_id == COORDINATOR_CHAT)
            .order_by(OutboxMessage.id)
        )
        return [row.payload for row in rows if row.payload.get("kind") == "send_file"]


def pdf_text(payload: dict[str, object], tmp_path: Path) -> str:
    assert payload["binary"] is True
    path = tmp_path / "summary.pdf"
    path.write_bytes(base64.b64decode(str(payload["content"])))
    done = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True
    )
    return done.stdout


async def test_the_group_gets_last_months_summary_once_with_the_consoles_figures(
    world: World, filed: Filed, tmp_path: Path
) -> None:
    # Wednesday 1 April 2026, a working day: nothing before the morning time, then March's.
    world.clock.set(wita(4, 1, 7))
    assert await job(world).run(world.clock()) is False
    world.clock.set(wita(4, 1, 9))
    first, second = job(world), job(world)  # two workers
    results = await asyncio.gather(
        first.run(world.clock()), second.run(world.clock()), return_exceptions=True
    )
    assert sum(r is True for r in results) == 1, results
    assert await first.run(wita(4, 1, 11)) is False  # a later round the same day
    assert await job(world).run(wita(4, 2, 9)) is False  # a restarted worker the next day
    sent = await documents(world)
    assert len(sent) == 1
    assert sent[0]["filename"] == "ringkasan-2026-03.pdf"
    assert "Maret 2026" in str(sent[0]["caption"])
    text = pdf_text(sent[0], tmp_path)
    assert "Ringkasan bulanan: Maret 2026" in text
    late = text.split("Unit dengan laporan terlambat", 1)[1]
    assert "Desa Sepaso: 1 terlambat dari 2 laporan masuk" in late
    assert "Dinas Pekerjaan Umum" in late
    assert "Sampah & Lingkungan: 2" in text
    assert "Jalan & Jembatan: 1" in text
    # Every headline figure as the console's /ringkasan shows it for March on the same day.
    client = await world.client("diskominfo")
    try:
        page = await (await client.get("/ringkasan?bulan=2026-03")).text()
    finally:
        await client.close()
    cards = _cards(page)
    assert cards
    flat = " ".join(text.split())
    for name, (value, _was, _tone) in cards.items():
        assert latin1(f"{name}: {value} (") in flat, name
    async with world.db.uow() as uow:
        runs = (await uow.session.scalars(select(MonthlySummaryRun))).all()
    assert [r.month for r in runs] == ["2026-03"]


async def test_a_first_day_off_waits_for_the_first_working_day(world: World) -> None:
    # Saturday 1 August 2026: nothing; Monday 3 August: July's summary.
    assert await job(world).run(wita(8, 1, 9)) is False
    assert await job(world).run(wita(8, 2, 9)) is False
    assert await documents(world) == []
    assert await job(world).run(wita(8, 3, 9)) is True
    sent = await documents(world)
    assert [d["filename"] for d in sent] == ["ringkasan-2026-07.pdf"]


async def test_without_a_coordinator_group_nothing_is_sent_and_it_is_said_once(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    async with world.db.uow() as uow:
        coordinator = await uow.units.coordinator()
        assert coordinator is not None
        for chat in await uow.units.chats_of(coordinator.id):
            await uow.session.delete(chat)
        await uow.commit()
    worker = job(world)
    with caplog.at_level(logging.WARNING, logger="runtime.monthly"):
        assert await worker.run(wita(4, 1, 9)) is False
        assert await worker.run(wita(4, 1, 10)) is False
    said = [r for r in caplog.records if re.search("no coordinator group", r.getMessage())]
    assert len(said) == 1
    assert await documents(world) == []
    async with world.db.uow() as uow:
        assert (await uow.session.scalars(select(MonthlySummaryRun))).all() == []
