"""Every timeline event reads as words on the console's report page, in both languages.

The page once showed a kind without words as its stored code and the reminder engine's detail as
the note: "reminder | before", "escalated | 1". Here the reminder engine really runs over the
console's late report, and then every stored event kind (with each detail) is put on a report and
its timeline table is read back.
"""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from handlers.reminders import run_reminders
from storage.models import Report, ReportEvent
from tests.integration.test_console import Filed, World, wita
from tests.security.test_event_words import STORED_EVENTS, store_every_event, unreadable

_ROW = re.compile(r"<tr(?: class=\"[a-z ]*\")?>(.*?)</tr>", re.S)  # "internal": not printed
_CELL = re.compile(r"<td>(.*?)</td>", re.S)


async def timeline_rows(world: World, number: str, language: str) -> list[tuple[str, str]]:
    """(the "what" cell, "what | note") of each row of the page's timeline table."""
    client = await world.client("diskominfo")
    try:
        page = await (await client.get(f"/laporan/{number}?lang={language}")).text()
    finally:
        await client.close()
    table = page.rsplit("<table>", 1)[1].split("</table>", 1)[0]
    rows = []
    for row in _ROW.findall(table.split("<tbody>", 1)[1]):
        cells = _CELL.findall(row)
        rows.append((cells[3], f"{cells[3]} | {cells[4]}"))
    return rows


async def _report_id(world: World, number: str) -> int:
    async with world.db.uow() as uow:
        found = await uow.session.scalar(select(Report.id).where(Report.tracking_no == number))
        assert found is not None
        return found


async def test_the_report_page_after_reminders_and_an_escalation_reads_as_words(
    world: World, filed: Filed
) -> None:
    report_id = await _report_id(world, filed.anonymous)
    for day in (4, 5, 6, 9, 10):  # the verification deadline comes and goes unanswered
        world.clock.set(wita(3, day, 9))
        await run_reminders(world.db.uow, world.deps)
    async with world.db.uow() as uow:
        kinds = set(
            await uow.session.scalars(
                select(ReportEvent.kind).where(ReportEvent.report_id == report_id)
            )
        )
    assert {"reminder", "escalated"} <= kinds  # the engine really ran
    rows = await timeline_rows(world, filed.anonymous, "id")
    problems = {line: unreadable(what, line) for what, line in rows}
    assert {line: p for line, p in problems.items() if p} == {}
    assert any("Pengingat" in what for what, _ in rows)
    assert any("Terlambat" in what for what, _ in rows)


@pytest.mark.parametrize("language", ["id", "en"])
async def test_every_event_kind_reads_as_words_on_the_report_page(
    world: World, filed: Filed, language: str
) -> None:
    report_id = await _report_id(world, filed.road)
    await store_every_event(world.db.uow, report_id, world.clock())
    rows = await timeline_rows(world, filed.road, language)
    assert len(rows) >= len(STORED_EVENTS) + 1  # + the real submission and routing
    problems = {line: unreadable(what, line) for what, line in rows}
    assert {line: p for line, p in problems.items() if p} == {}


async def test_a_supporter_is_named_in_the_page_language(world: World, filed: Filed) -> None:
    report_id = await _report_id(world, filed.road)
    async with world.db.uow() as uow:
        uow.reports.add_event(
            ReportEvent(
                report_id=report_id,
                kind="supported",
                actor="pendukung",
                note="",
                created_at=world.clock(),
            )
        )
        await uow.commit()
    client = await world.client("diskominfo")
    try:
        page = await (await client.get(f"/laporan/{filed.road}?lang=en")).text()
    finally:
        await client.close()
    table = page.rsplit("<table>", 1)[1]
    assert "<td>Supporter</td>" in table
    assert "pendukung" not in table
