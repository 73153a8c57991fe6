"""Bulk actions on the console's list (issue 27): select reports, then transfer or archive them
together. Each report is one request for the bot, taken through the same per-report use case and
audited; the batch's page counts what was done and lists what was refused and why. The
coordinator acts on every report, a unit on its own: another unit's report forged into the form
is refused and audited."""

from __future__ import annotations

import re

from aiohttp import ClientResponse
from sqlalchemy import select

from storage.models import ConsoleAudit, ConsoleRequest, InboxUpdate, Report, Unit
from tests.integration import test_console_actions as base
from tests.integration.console_forms import form_token
from tests.integration.test_console_actions import GROUPS, REFRESH, Client, Desk, act
from tests.integration.test_console_merge import file_as

desk = base.desk  # the same desk: a database, the console and the bot's inbox worker

CHECKBOX = re.compile(r'<input type="checkbox" form="massal" name="pilih" value="([^"]+)"([^>]*)>')


async def bulk(client: Client, data: dict[str, str], numbers: list[str]) -> ClientResponse:
    """Press the list's bulk button with ``numbers`` ticked."""
    csrf = await form_token(client, "/laporan")
    fields = [("csrf", csrf), *data.items(), *(("pilih", n) for n in numbers)]
    return await client.post("/laporan/massal", data=fields)


async def audit(desk: Desk, action: str) -> list[str]:
    async with desk.db.sessions() as session:
        rows = await session.scalars(
            select(ConsoleAudit.subject)
            .where(ConsoleAudit.action == action)
            .order_by(ConsoleAudit.id)
        )
        return list(rows)


async def test_a_bulk_transfer_takes_each_report_its_own_way(desk: Desk) -> None:
    numbers = [await file_as(desk, str(50 + i), f"Sampah nomor {i}") for i in range(3)]
    client = await desk.client("diskominfo", "Rina")
    try:
        closed = await act(client, numbers[2], {"aksi": "ar", "status": "baru", "alasan": "spam"})
        assert closed.status == 200
        await desk.bot.process_pending()

        listed = await (await client.get("/laporan")).text()
        boxes = CHECKBOX.findall(listed)
        assert sorted(n for n, _ in boxes) == sorted(numbers)
        assert all("checked" not in rest for _, rest in boxes)
        assert "Pilih semua di halaman ini" in listed
        everything = await (await client.get("/laporan?pilih=semua")).text()
        assert all("checked" in rest for _, rest in CHECKBOX.findall(everything))

        asked = await bulk(
            client, {"aksi": "tr", "unit": "dinas-pupr", "teks": "Wewenang PUPR"}, numbers
        )
        assert asked.status == 200
        waiting = await asked.text()
        assert "2 laporan menunggu diproses bot" in waiting
        assert REFRESH.search(waiting)
        assert re.search(r"/laporan/massal/\d+$", str(asked.url))

        await desk.bot.process_pending()
        page = await (await client.get(asked.url.path_qs)).text()
        assert "2 dari 3 laporan sudah diproses; 1 ditolak." in page
        assert f"<td>{numbers[2]}</td><td>Laporan ini sudah diarsipkan" in page, page
        assert not REFRESH.search(page)
        async with desk.db.sessions() as session:
            pupr = await session.scalar(select(Unit.id).where(Unit.code == "dinas-pupr"))
            held = {
                r.tracking_no: r.unit_id
                for r in await session.scalars(
                    select(Report).where(Report.tracking_no.in_(numbers))
                )
            }
            batches = set(
                await session.scalars(
                    select(ConsoleRequest.batch_id).where(ConsoleRequest.action == "tr")
                )
            )
        assert [held[n] == pupr for n in numbers] == [True, True, False]
        assert len(batches) == 1
        assert None not in batches
        # Each report went the button's way: its card moved; one line in the new holder's group
        # for the whole bulk (tests/integration/test_console_bulk_statements.py).
        group = "\n".join(await desk.outbox(GROUPS["dinas-pupr"]))
        for number in numbers[:2]:
            assert f"📋 Laporan {number}" in group
        assert group.count("2 laporan dialihkan sekaligus ke Dinas") == 1
        assert await audit(desk, "act") == [
            f"{numbers[2]} ar",
            f"{numbers[0]} tr massal",
            f"{numbers[1]} tr massal",
        ]
        assert await audit(desk, "refused") == [f"{numbers[2]} tr case.refused.archived"]
    finally:
        await client.close()


async def test_a_unit_acts_on_its_own_only_and_forged_numbers_are_refused(desk: Desk) -> None:
    own, other = await file_as(desk, "61"), await file_as(desk, "62")
    coordinator = await desk.client("diskominfo", "Rina")
    try:  # the second report goes to PUPR
        await bulk(coordinator, {"aksi": "tr", "unit": "dinas-pupr", "teks": "PUPR"}, [other])
        await desk.bot.process_pending()
    finally:
        await coordinator.close()
    client = await desk.client("desa-64-08-09-2001", "Pak Kades")
    try:
        listed = await (await client.get("/laporan")).text()
        assert [n for n, _ in CHECKBOX.findall(listed)] == [own]
        asked = await bulk(client, {"aksi": "ar", "alasan": "spam", "teks": ""}, [own, other])
        await desk.bot.process_pending()
        page = await (await client.get(asked.url.path_qs)).text()
        assert "1 dari 2 laporan sudah diproses; 1 ditolak." in page
        assert f"<td>{other}</td><td>Maaf, laporan ini bukan milik unit grup ini." in page
        assert (await desk.report(own)).status == "diarsipkan"
        assert (await desk.report(other)).status == "baru"
        assert (await audit(desk, "refused"))[-1] == f"{other} ar case.refused.not_yours"
        # The batch is the session's own: another session cannot read it.
        other_session = await desk.client("desa-64-08-09-2001", "Bu Sekdes")
        try:
            assert (await other_session.get(asked.url.path_qs)).status == 404
        finally:
            await other_session.close()
    finally:
        await client.close()


async def test_a_bulk_form_that_cannot_be_taken_changes_nothing(desk: Desk) -> None:
    number = await file_as(desk, "71")
    client = await desk.client("diskominfo", "Rina")
    try:
        cases = [
            ({"aksi": "tr", "unit": "dinas-pupr", "teks": "x"}, [], 400, "Pilih dulu laporan"),
            ({"aksi": "ar", "alasan": "", "teks": ""}, [number], 400, "alasan"),
            ({"aksi": "tr", "unit": "", "teks": "x"}, [number], 400, "Unit tujuan tidak dikenal"),
            ({"aksi": "tr", "unit": "dinas-pupr", "teks": ""}, [number], 400, ""),
            ({"aksi": "vf"}, [number], 400, ""),
        ]
        for data, numbers, status, words in cases:
            refused = await bulk(client, data, numbers)
            assert refused.status == status, data
            assert words in await refused.text()
            assert "Kembali ke daftar laporan" in await refused.text()
        forged = await client.post(
            "/laporan/massal", data={"aksi": "ar", "alasan": "spam", "pilih": number}
        )
        assert forged.status == 403
        async with desk.db.sessions() as session:
            assert list(await session.scalars(select(ConsoleRequest))) == []
            assert list(await session.scalars(select(InboxUpdate))) == []
        assert (await audit(desk, "refused"))[-1] == "massal ar cross_site"
        assert (await desk.report(number)).status == "baru"
    finally:
        await client.close()
