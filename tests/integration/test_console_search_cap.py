"""A search for a common word stays bounded (issue 27: every search within 1 s at 1,000,000
reports): its matches are counted up to a cap ("lebih dari 1.000"), and its page is read in the
list's order, stopping at the page, instead of fetching and sorting every match. Checked on a
small database (SQLite, and PostgreSQL when ``TEST_POSTGRES_URL`` is set): the pages are the
right reports in the right order, the count is exact up to the cap, and the statements are
bounded (the count's LIMIT; on SQLite, the plan walks the list's index)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, select

from storage.console import ReportQuery, report_page, reports
from storage.console.query import _where, order_by
from storage.models import Report
from tests.integration.database import Database
from tests.integration.test_console import World, opened_world

DATES = "dari=2026-03-01&sampai=2026-03-31"
ROADS = 9  # reports with "jalan"; two more without it


@pytest.fixture
async def world(database_url: str, tmp_path: Path) -> AsyncIterator[World]:
    async with opened_world(Database(database_url), tmp_path) as found:
        for i in range(ROADS):
            await found.file(category="jalan", description=f"Jalan rusak nomor {i}", user=str(i))
            found.clock.advance(hours=6)  # a few a day: the day and the number order them
        await found.file(category="sampah", description="Sampah menumpuk")
        await found.file(category="sampah", description="Lampu mati")
        yield found


async def _all_roads(world: World) -> list[str]:
    """Every match, newest first, recomputed without the search's shortcuts."""
    async with world.db.sessions() as session:
        rows = await session.execute(
            select(Report.tracking_no)
            .where(Report.description.like("Jalan%"))
            .order_by(*order_by(""))
        )
        return [str(number) for (number,) in rows]


async def test_a_common_word_is_counted_to_a_cap_and_paged_in_order(world: World) -> None:
    expected = await _all_roads(world)
    assert len(expected) == ROADS
    query = ReportQuery(words=("jalan",))
    async with world.db.sessions() as session:
        for cap in (3, 5, ROADS, 50):
            total = ROADS if cap >= ROADS else cap + 1
            pages: list[str] = []
            for offset in range(0, ROADS, 4):
                found, counted = await report_page(session, query, offset=offset, limit=4, cap=cap)
                assert counted == total, cap
                pages += [r.tracking_no for r in found]
            assert pages == expected, cap  # every match once, newest first
            assert reports.capped(query, total) is False  # the product's cap is 1,000


async def test_the_list_says_more_than_the_cap(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(reports, "SEARCH_CAP", 5)
    client = await world.client("diskominfo")
    try:
        page = await (await client.get(f"/laporan?{DATES}&cari=jalan")).text()
        assert "Halaman 1 (lebih dari 5 laporan cocok; persempit pencarian bila perlu)" in page
        exact = await (await client.get(f"/laporan?{DATES}&cari=sampah")).text()
        assert "Halaman 1 dari 1 (1 laporan)" in exact
    finally:
        await client.close()


async def test_a_common_word_reads_a_bounded_number_of_rows(world: World) -> None:
    seen: list[str] = []

    def executed(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement)

    query = ReportQuery(words=("jalan",))
    engine = world.db.engine.sync_engine
    event.listen(engine, "before_cursor_execute", executed)
    try:
        async with world.db.sessions() as session:
            await report_page(session, query, offset=0, limit=2, cap=3)
    finally:
        event.remove(engine, "before_cursor_execute", executed)
    count, page = seen[0], seen[1]
    assert "count(*)" in count
    assert "LIMIT" in count  # counted to the cap, no further
    assert "ORDER BY" in page
    assert "LIMIT" in page  # stops at the page
    if not world.db.url.startswith("sqlite"):
        return
    # SQLite walks the list's order index and stops, not every match fetched and sorted.
    stmt = _where(query, select(Report.id), in_order=True).order_by(*order_by("")).limit(2)
    async with world.db.engine.connect() as connection:
        compiled = stmt.compile(connection.sync_connection)
        values = tuple(compiled.params[name] for name in compiled.positiontup or ())
        plan = await connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {compiled}", values)
        steps = [str(row[-1]) for row in plan]
    assert any("ix_reports_console_days" in step for step in steps), steps
    assert not any(step.startswith("SEARCH reports USING INTEGER PRIMARY KEY") for step in steps)
