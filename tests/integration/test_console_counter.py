"""The console counts reports by the way they came: a report taken by phone on a citizen's
behalf is counted as such in the monthly summary, also once the citizen has claimed it, on
SQLite and PostgreSQL (the fixtures of tests/integration/test_console.py: three reports filed on
Monday 2 March 2026)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from storage.models import CounterFiling, Report
from tests.integration.database import Database
from tests.integration.test_console import Filed, World, filed, opened_world, store_report

__all__ = ["filed"]  # the fixture, shared with test_console.py


@pytest.fixture
async def world(database_url: str, tmp_path: Path) -> AsyncIterator[World]:
    async with opened_world(Database(database_url), tmp_path) as found:
        yield found


def _ways(page: str) -> dict[str, str]:
    table = page.split('<table class="ways">', 1)[1].split("</table>", 1)[0]
    return dict(re.findall(r"<tr><td>([^<]+)</td><td>(\d+)</td></tr>", table))


async def test_the_summary_counts_reports_by_the_way_they_came(world: World, filed: Filed) -> None:
    async with world.db.uow() as uow:
        report_id = await store_report(uow.session, filed.road)
        report = await uow.session.get(Report, report_id)
        assert report is not None
        uow.session.add(
            CounterFiling(
                report_id=report_id,
                via="telepon",
                unit_id=report.unit_id,
                officer_id="77",
                officer_name="Agus",
                claim_hash="0" * 64,
                claim_failures=0,
                created_at=report.created_at,
                claimed_at=report.created_at,  # claimed since: the report's channel is a chat's
            )
        )
        await uow.commit()
    client = await world.client("diskominfo")
    try:
        page = await (await client.get("/ringkasan?bulan=2026-03")).text()
    finally:
        await client.close()
    assert _ways(page) == {
        "Chat Telegram warga": "2",
        "Di loket (atas nama warga)": "0",
        "Lewat telepon (atas nama warga)": "1",
        "Open311": "0",
    }
    kecamatan = await world.client("kec-64-08-09")
    try:
        own = await (await kecamatan.get("/ringkasan?bulan=2026-03")).text()
    finally:
        await kecamatan.close()
    assert _ways(own)["Lewat telepon (atas nama warga)"] == "0"  # the PUPR's report is not theirs
    assert _ways(own)["Chat Telegram warga"] == "2"
