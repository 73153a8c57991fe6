"""The region roll-up (migration 0036) that the public area pages read: kept by triggers on
``reports`` through filing, verifying, following up, finishing, rating, a report moved to
another desa and a report deleted, its figures per kecamatan and desa are the ones a count of
the reports themselves gives (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import delete, select, update

from core.deadlines import UNIT_STAGES
from core.performance import Indicators, Tally
from core.permissions import CaseAction
from storage import console as store
from storage.console.region_rollup import area_tallies, region_rebuild_statements, within
from storage.models import Report, ReportRegionDays, ReportRegionMonth
from tests.integration.database import Database
from tests.integration.test_console import World, open_world, wita

FIRST, LAST, TODAY = date(2025, 4, 1), date(2026, 3, 31), date(2026, 4, 6)
SEPASO, OTHER, BENGALON = "64.08.09.2001", "64.08.09.2002", "64.08.09"


@pytest.fixture
async def world_db(database_url: str, tmp_path: Path) -> AsyncIterator[World]:
    world = await open_world(Database(database_url), tmp_path)
    yield world
    await world.db.engine.dispose()


async def _counted(world: World, code: str) -> Indicators:
    """The figures of the reports filed in ``code``, counted from the reports (the old path)."""
    query = store.ReportQuery(region_prefix=code, first_day=FIRST, last_day=LAST)
    stages = [s.value for s in UNIT_STAGES]
    async with world.db.sessions() as session:
        parts = await store.tallies(session, query, today=TODAY, unit_stages=stages)
        days = await store.day_counts(session, query, None)
    total = Tally()
    for part in parts.values():
        total.add(part)
    return store.with_days(total, days.get(None, {})).indicators()


async def _rolled(world: World, prefix: str, code: str) -> Indicators:
    async with world.db.sessions() as session:
        found = await area_tallies(session, prefix, FIRST, LAST, today=TODAY)
    return within(found, code).indicators()


def _shown(ind: Indicators) -> tuple[object, ...]:
    """What an area line shows (late_now is on no public page)."""
    return (
        ind.received,
        ind.verify_on_time,
        ind.follow_up_on_time,
        ind.finish_on_time,
        ind.follow_up_median_days,
        ind.verify_median_days,
        ind.rating_average,
        ind.rated,
    )


async def test_the_region_rollup_gives_the_figures_a_count_of_the_reports_gives(
    world_db: World,
) -> None:
    world = world_db
    done_id, _ = await world.file(category="sampah")
    moved_id, _ = await world.file(category="sampah", user="43")
    gone_id, _ = await world.file(category="jalan", user="44")
    await world.file(category="jalan", user="45")  # never verified: late, still open
    await world.act(done_id, CaseAction.VERIFY, wita(3, 4))
    await world.act(done_id, CaseAction.NOTE, wita(3, 5))
    await world.act(done_id, CaseAction.DONE, wita(3, 9))
    await world.rate(done_id, 4)
    await world.act(moved_id, CaseAction.VERIFY, wita(3, 10))
    async with world.db.sessions() as session:
        await session.execute(update(Report).where(Report.id == moved_id).values(region_code=OTHER))
        await session.execute(delete(Report).where(Report.id == gone_id))
        await session.commit()
    for code in (SEPASO, OTHER, BENGALON):
        assert _shown(await _rolled(world, BENGALON, code)) == _shown(
            await _counted(world, code)
        ), code
    sepaso = await _rolled(world, BENGALON, SEPASO)
    assert sepaso.received == 2  # the moved one left, the deleted one is gone
    assert sepaso.rated == 1
    other = await _rolled(world, "64.08", OTHER)
    assert other.received == 1
    assert other.verify_on_time is not None
    # What the triggers kept is what a rebuild from the reports gives (the bench's bulk load).
    kept = await _tables(world)
    async with world.db.sessions() as session:
        for statement in region_rebuild_statements(world.db.engine.dialect.name):
            await session.execute(statement)
        await session.commit()
    assert await _tables(world) == kept


async def _tables(world: World) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]]:
    """The region roll-up's rows that count anything, in order."""
    async with world.db.sessions() as session:
        months = [
            tuple(row)
            for row in await session.execute(
                select(ReportRegionMonth.__table__).order_by("region_code", "month")
            )
            if row.received
        ]
        days = [
            tuple(row)
            for row in await session.execute(
                select(ReportRegionDays.__table__).order_by(
                    "region_code", "month", "measure", "days"
                )
            )
            if row.n
        ]
    return months, days
