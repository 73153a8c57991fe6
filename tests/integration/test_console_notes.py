"""Internal notes in the console, through its HTTP and the bot's own inbox worker on a real
database (SQLite, and PostgreSQL when ``TEST_POSTGRES_URL`` is set): the report page's form
queues the note (``console_requests``), the bot records it through the group's use case and
tells the group "… lewat konsol oleh <name>"; the page's timeline lists it, marked internal,
for the holding unit and the coordinator (not for a kecamatan reading its desa's report); the
coordinator's full export has it in "Catatan internal", and no other export has it. Bad input:
empty, too long (the page names the limit), another unit's report, no form token."""

from __future__ import annotations

import io

from openpyxl import load_workbook
from sqlalchemy import select

from core.internal_notes import INTERNAL_NOTE_MAX
from core.timeline import EventKind
from storage.models import ConsoleAudit, ReportEvent
from tests.integration.console_forms import export
from tests.integration.test_console_actions import CITIZEN_CHAT, GROUPS, Client, Desk, act, desk

__all__ = ["desk"]  # the fixture

WORD = "Zirkonium"
DESA = "desa-64-08-09-2001"


async def note_from_console(desk: Desk, client: Client, number: str, text: str) -> str:
    """Send the note form, let the bot take it; the report page after it."""
    status = (await desk.report(number)).status
    asked = await act(client, number, {"aksi": "in", "status": status, "teks": text})
    assert asked.status == 200, await asked.text()
    assert "Menunggu diproses bot" in await asked.text()
    assert (await desk.bot.process_pending())[0] == 1
    return await (await client.get(asked.url.path_qs)).text()


def cells(data: bytes) -> list[list[object]]:
    sheet = load_workbook(io.BytesIO(data), read_only=True).active
    assert sheet is not None
    return [list(row) for row in sheet.iter_rows(values_only=True)]


async def test_a_note_from_the_console_goes_the_group_s_way_and_stays_inside(desk: Desk) -> None:
    number = await desk.file()
    heard_before = await desk.outbox(CITIZEN_CHAT)
    client = await desk.client(DESA, "Pak Kades")
    try:
        shown = await (await client.get(f"/laporan/{number}")).text()
        assert 'value="in"' in shown  # the form is offered
        assert "Catatan internal (hanya untuk unit dan koordinator" in shown
        page = await note_from_console(desk, client, number, f"Tunggu anggaran {WORD}")
        assert "📝 Catatan internal tersimpan" in page
        assert f"Tunggu anggaran {WORD}" in page  # in the timeline
        assert "📝 Catatan internal (🔒 internal)" in page
    finally:
        await client.close()

    report = await desk.report(number)
    assert report.status == "baru"  # nothing else moved
    async with desk.db.sessions() as session:
        [note] = list(
            await session.scalars(
                select(ReportEvent).where(ReportEvent.kind == EventKind.INTERNAL_NOTE)
            )
        )
        audit = list(await session.scalars(select(ConsoleAudit.subject)))
    assert note.note == f"Tunggu anggaran {WORD}"
    assert "Pak Kades" in note.actor
    assert f"{number} in" in audit
    group = "\n".join(await desk.outbox(GROUPS[DESA]))
    assert f"ditambahkan lewat konsol oleh Pak Kades:\n\nTunggu anggaran {WORD}" in group
    assert await desk.outbox(CITIZEN_CHAT) == heard_before  # the reporter got nothing

    coordinator = await desk.client("diskominfo", "Rina")
    kecamatan = await desk.client("kec-64-08-09", "Camat")
    try:
        assert WORD in await (await coordinator.get(f"/laporan/{number}")).text()
        seen = await kecamatan.get(f"/laporan/{number}")
        assert seen.status == 200
        text = await seen.text()
        assert WORD not in text  # its desa's report, but not the desa's notes
        assert "Catatan internal" not in text

        # Exports: only the coordinator's full export, in its own column.
        full = cells(await export(coordinator, "lengkap"))
        header = full[0]
        assert header[-1] == "Catatan internal"
        row = next(r for r in full if r[0] == number)
        assert str(row[-1]).endswith(f": Tunggu anggaran {WORD}")
        assert WORD not in " ".join(str(c) for c in row[:-1])
        for kind in ("lapor", "rekap"):
            assert WORD not in str(cells(await export(coordinator, kind))), kind
        for kind in ("csv", "csv_koma"):
            assert WORD not in (await export(coordinator, kind)).decode("utf-8-sig"), kind
        assert WORD not in str(cells(await export(coordinator, "xlsx")))
    finally:
        await coordinator.close()
        await kecamatan.close()
    desa = await desk.client(DESA, "Pak Kades")
    try:
        unit_full = cells(await export(desa, "lengkap"))
        assert "Catatan internal" not in unit_full[0]
        assert WORD not in str(unit_full)
        assert WORD not in str(cells(await export(desa, "lapor")))
    finally:
        await desa.close()


async def test_bad_notes_are_refused_with_a_page(desk: Desk) -> None:
    number = await desk.file()
    client = await desk.client(DESA, "Pak Kades")
    try:
        empty = await act(client, number, {"aksi": "in", "status": "baru", "teks": "  "})
        assert empty.status == 400
        assert "Tulis isi catatan internal." in await empty.text()
        long = "x" * (INTERNAL_NOTE_MAX + 1)
        too_long = await act(client, number, {"aksi": "in", "status": "baru", "teks": long})
        assert too_long.status == 400
        assert str(INTERNAL_NOTE_MAX) in await too_long.text()
        forged = await client.post(
            f"/laporan/{number}/tindakan", data={"aksi": "in", "status": "baru", "teks": WORD}
        )
        assert forged.status == 403
    finally:
        await client.close()
    pupr = await desk.client("dinas-pupr", "Agus")
    try:
        other = await act(pupr, number, {"aksi": "in", "status": "baru", "teks": WORD})
        assert other.status == 403
    finally:
        await pupr.close()
    assert await desk.count(ReportEvent) == 2  # submitted and routed: no note
    refused = await desk.refused()
    assert [s.removeprefix(f"{number} ") for s in refused[:3]] == [
        "in console.act.error.words_needed.in",
        "in console.act.error.too_long",
        "in cross_site",
    ]
    assert set(refused[3:]) == {number}  # another unit's report: refused as its page is
