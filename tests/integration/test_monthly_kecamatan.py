"""The monthly summary per kecamatan (runtime/monthly.py, ``run_areas``): on the first working day
of the month each kecamatan's group gets its own kecamatan's page (the renderer the
coordinator's uses, scoped as the console scopes the kecamatan: its reports and its desa's),
with a line per late unit of its area and nothing from outside it; once per month and
kecamatan, whatever the workers and rounds; a kecamatan without a group gets nothing. On SQLite
and PostgreSQL (the fixtures of tests/integration/test_console.py: two of March's three reports
are Desa Sepaso's, in Kecamatan Sangatta Utara (64.08.09), one of them late by the 9th)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import select

from runtime.monthly import MonthlySummaries
from storage.models import MonthlyAreaSummaryRun, OutboxMessage
from tests.integration.database import Database
from tests.integration.test_console import Filed, World, filed, opened_world, wita
from tests.integration.test_console_reporting import _cards
from tests.integration.test_monthly_summary import pdf_text
from web.console.summary_pdf import month_renderer
from web.posters.render import latin1

__all__ = ["filed"]  # the fixture, shared with test_console.py

OWN = "-100400"  # Kecamatan 64.08.09's group
OTHER = "-100500"  # another kecamatan's group


@pytest.fixture
async def world(database_url: str, tmp_path: Path) -> AsyncIterator[World]:
    async with opened_world(Database(database_url), tmp_path) as found:
        async with found.db.uow() as uow:
            other = next(
                u for u in await uow.units.of_kind("kecamatan") if u.code != "kec-64-08-09"
            )
            for unit_id, chat in ((found.units["kec-64-08-09"], OWN), (other.id, OTHER)):
                await uow.units.bind(
                    unit_id, channel="telegram", chat_id=chat, title="g", by="1", now=found.clock()
                )
            await uow.commit()
        yield found


def job(world: World) -> MonthlySummaries:
    return MonthlySummaries(world.db.uow, world.deps, month_renderer(world.config))


async def documents(world: World, chat: str) -> list[dict[str, object]]:
    async with world.db.uow() as uow:
        rows = await uow.session.scalars(
            select(OutboxMessage).where(OutboxMessage.chat_id == chat).order_by(OutboxMessage.id)
        )
        return [row.payload for row in rows if row.payload.get("kind") == "send_file"]


async def test_each_kecamatans_group_gets_its_own_page_once(
    world: World, filed: Filed, tmp_path: Path
) -> None:
    assert await job(world).run_areas(wita(4, 1, 7)) == 0  # before the morning time
    world.clock.set(wita(4, 1, 9))  # the console's today, for the comparison below
    first, second = job(world), job(world)  # two workers
    results = await asyncio.gather(first.run_areas(wita(4, 1, 9)), second.run_areas(wita(4, 1, 9)))
    assert sum(results) == 2, results
    assert await first.run_areas(wita(4, 1, 11)) == 0  # a later round the same day
    assert await job(world).run_areas(wita(4, 2, 9)) == 0  # a restarted worker the next day

    own, other = await documents(world, OWN), await documents(world, OTHER)
    assert len(own) == 1
    assert len(other) == 1
    assert own[0]["filename"] == "ringkasan-2026-03.pdf"
    assert "Maret 2026" in str(own[0]["caption"])
    text = pdf_text(own[0], tmp_path)
    assert "Ringkasan bulanan: Maret 2026" in text
    late = text.split("Unit dengan laporan terlambat", 1)[1]
    assert "Desa Sepaso: 1 terlambat dari 2 laporan masuk" in late
    assert "Dinas Pekerjaan Umum" not in text  # outside the kecamatan's reach
    # Every headline figure as the kecamatan sees it on the console's /ringkasan.
    client = await world.client("kec-64-08-09")
    try:
        page = await (await client.get("/ringkasan?bulan=2026-03")).text()
    finally:
        await client.close()
    cards = _cards(page)
    assert cards
    flat = " ".join(text.split())
    for name, (value, _was, _tone) in cards.items():
        assert latin1(f"{name}: {value} (") in flat, name
    assert "Laporan masuk: 2 (" in flat

    elsewhere = " ".join(pdf_text(other[0], tmp_path).split())
    assert "Laporan masuk: 0 (" in elsewhere
    assert "Sepaso" not in elsewhere
    async with world.db.uow() as uow:
        runs = (await uow.session.scalars(select(MonthlyAreaSummaryRun))).all()
    assert sorted(r.month for r in runs) == ["2026-03", "2026-03"]


async def test_a_kecamatan_without_a_group_gets_nothing_and_the_coordinators_goes_alone(
    world: World, filed: Filed
) -> None:
    async with world.db.uow() as uow:
        for unit_id in {c.unit_id for c in await uow.units.active_chats()}:
            unit = await uow.units.get(unit_id)
            if unit is not None and unit.kind == "kecamatan":
                for chat in await uow.units.chats_of(unit_id):
                    await uow.session.delete(chat)
        await uow.commit()
    worker = job(world)
    assert await worker.run_areas(wita(4, 1, 9)) == 0
    assert await worker.run(wita(4, 1, 9)) is True
    assert await documents(world, OWN) == []
    assert await documents(world, OTHER) == []
    assert len(await documents(world, "-100100")) == 1
