"""Changing a misfiled report's category from the console, and assigning many reports at once,
through the console's HTTP and the bot's own inbox worker, on each engine (SQLite, PostgreSQL
when ``TEST_POSTGRES_URL`` is set).

Checked here: the category moves through the same use case as the card's 🏷 picker (timeline
"old → new", the citizen told, the group told "… lewat konsol oleh …", audited), the overview's
per-category figures follow (the roll-up's trigger), and a forged code, the same category, a
closed report and a stale form are refused with nothing changed. A bulk assignment names one
person for every ticked report: a report of a unit the person is not of is refused, with why.
"""

from __future__ import annotations

import re
from html import unescape

from sqlalchemy import select

from core.timeline import EventKind
from storage.models import ConsoleAudit, ConsoleRequest, ReportEvent, UnitMember
from tests.integration.test_console_actions import CITIZEN_CHAT, GROUPS, Client, Desk, act, desk
from tests.integration.test_console_bulk import bulk
from tests.integration.test_console_merge import file_as

__all__ = ["desk"]  # the fixture

DESA = "desa-64-08-09-2001"
CATEGORY_BAR = re.compile(
    r'<span class="label">([^<]+)</span><span class="fill w\d+"></span><span class="n">(\d+)</span>'
)


async def per_category(client: Client) -> dict[str, int]:
    """The overview's "Laporan per kategori": each category's count of reports received."""
    page = await (await client.get("/")).text()
    part = page.split("Laporan per kategori", 1)[1].split("<h2>", 1)[0]
    return {unescape(name): int(count) for name, count in CATEGORY_BAR.findall(part)}


async def events(desk: Desk, number: str, kind: EventKind) -> list[ReportEvent]:
    report = await desk.report(number)
    async with desk.db.sessions() as session:
        found = await session.scalars(
            select(ReportEvent).where(ReportEvent.report_id == report.id, ReportEvent.kind == kind)
        )
        return list(found)


async def test_the_category_changed_from_the_console(desk: Desk) -> None:
    number = await desk.file()
    client = await desk.client("diskominfo", "Rina")
    try:
        before = await per_category(client)
        assert before.get("Sampah & Lingkungan") == 1
        assert "Jalan & Jembatan" not in before
        shown = await (await client.get(f"/laporan/{number}")).text()
        assert 'name="kategori"' in shown
        assert '<option value="sampah">' not in shown  # its own category is not offered

        asked = await act(client, number, {"aksi": "kat", "status": "baru", "kategori": "jalan"})
        assert asked.status == 200, await asked.text()
        assert (await desk.report(number)).category == "sampah"  # the bot has not run yet
        assert (await desk.bot.process_pending())[0] == 1
        done = await (await client.get(asked.url.path_qs)).text()
        assert "Kategori laporan sudah diubah" in done
        report = await desk.report(number)
        assert (report.category, report.status) == ("jalan", "baru")  # the holder stays
        assert report.unit_id == desk.units[DESA]
        [event] = await events(desk, number, EventKind.RECATEGORIZED)
        assert event.note == "Sampah & Lingkungan → Jalan & Jembatan"
        assert "Rina" in event.actor
        assert "Kategori diubah" in done
        citizen = "\n".join(await desk.outbox(CITIZEN_CHAT))
        assert f"Kategori laporan {number} diperbaiki menjadi Jalan & Jembatan" in citizen
        group = "\n".join(await desk.outbox(GROUPS[DESA]))
        assert "diubah menjadi Jalan & Jembatan lewat konsol oleh Rina" in group
        async with desk.db.sessions() as session:
            audit = list(
                await session.scalars(
                    select(ConsoleAudit.subject).where(ConsoleAudit.action == "act")
                )
            )
        assert audit == [f"{number} kat"]
        after = await per_category(client)
        assert after.get("Jalan & Jembatan") == 1
        assert "Sampah & Lingkungan" not in after
    finally:
        await client.close()


async def test_bad_category_requests_change_nothing(desk: Desk) -> None:
    number = await desk.file()
    client = await desk.client(DESA, "Pak Kades")
    try:
        forged = await act(client, number, {"aksi": "kat", "status": "baru", "kategori": "xyz"})
        assert forged.status == 400
        assert "Kategori itu tidak dikenal" in await forged.text()
        same = await act(client, number, {"aksi": "kat", "status": "baru", "kategori": "sampah"})
        assert same.status == 409
        assert "sudah berkategori itu" in await same.text()
        stale = await act(
            client, number, {"aksi": "kat", "status": "didisposisi", "kategori": "air"}
        )
        assert stale.status == 409
        # Archived: the form is gone, and a request sent anyway is refused.
        closed = await act(client, number, {"aksi": "ar", "status": "baru", "alasan": "spam"})
        assert closed.status == 200
        await desk.bot.process_pending()
        shown = await (await client.get(f"/laporan/{number}")).text()
        assert 'name="kategori"' not in shown
        late = await act(client, number, {"aksi": "kat", "status": "diarsipkan", "kategori": "air"})
        assert late.status == 409
        assert "sudah diarsipkan" in await late.text()
        assert (await desk.report(number)).category == "sampah"
        assert await events(desk, number, EventKind.RECATEGORIZED) == []
        async with desk.db.sessions() as session:
            requests = await session.scalar(
                select(ConsoleRequest.id).where(ConsoleRequest.action == "kat")
            )
        assert requests is None  # nothing was queued for the bot
    finally:
        await client.close()


async def test_a_bulk_assignment_names_one_person_where_they_belong(desk: Desk) -> None:
    numbers = [await file_as(desk, str(70 + i), f"Sampah nomor {i}") for i in range(3)]
    async with desk.db.sessions() as session:
        session.add(
            UnitMember(
                unit_id=desk.units[DESA],
                channel="telegram",
                user_id="3003",
                name="Budi",
                seen_at=desk.clock(),
            )
        )
        await session.commit()
    client = await desk.client("diskominfo", "Rina")
    try:
        moved = await act(
            client, numbers[2], {"aksi": "tr", "status": "baru", "unit": "dinas-pupr", "teks": "J"}
        )
        assert moved.status == 200
        await desk.bot.process_pending()
        listed = await (await client.get("/laporan")).text()
        assert '<option value="as">Tugaskan</option>' in listed
        assert '<optgroup label="Desa Sepaso"><option value="3003">Budi</option>' in listed

        asked = await bulk(client, {"aksi": "as", "petugas": "3003"}, numbers)
        assert asked.status == 200, await asked.text()
        await desk.bot.process_pending()
        page = await (await client.get(asked.url.path_qs)).text()
        assert "2 dari 3 laporan sudah diproses; 1 ditolak." in page, page
        assert f"<td>{numbers[2]}</td><td>Maaf, orang itu bukan anggota grup unit" in page
        held = [(await desk.report(n)).assignee_id for n in numbers]
        assert held == ["3003", "3003", None]
        group = "\n".join(await desk.outbox(GROUPS[DESA]))
        assert group.count("ditangani Budi, ditugaskan lewat konsol oleh Rina") == 2
        async with desk.db.sessions() as session:
            refused = list(
                await session.scalars(
                    select(ConsoleAudit.subject).where(ConsoleAudit.action == "refused")
                )
            )
        assert refused == [f"{numbers[2]} as case.refused.assign_unknown"]
        forged = await bulk(client, {"aksi": "as", "petugas": "budi"}, numbers[:1])
        assert forged.status == 400
    finally:
        await client.close()
