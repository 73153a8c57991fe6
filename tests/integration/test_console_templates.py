"""Ready answers (templat jawaban) in the console, through its HTTP and the bot's own inbox worker
on a real database (SQLite, and PostgreSQL when ``TEST_POSTGRES_URL`` is set): ``/templat`` lists
the unit's and the kabupaten-wide templates, adds with the group's checks (an unknown fill-in, too
long once filled, no title: refused with the reason, nothing saved) and removes the unit's own; a
unit never removes another unit's or a kabupaten-wide one (403, audited), a forged number is a
404, a POST without the form token a 403. On the report page the fitting templates are links
under Jawab pelapor, Minta info and Selesai; a picked one reloads the page with the form filled
(the report's fill-ins), which sends the words as typed through the bot."""

from __future__ import annotations

import html
import re
from typing import Any

from sqlalchemy import select

from core.templates import TEMPLATE_MAX
from storage.models import AnswerTemplate, ConsoleAudit
from tests.integration.console_forms import form_token, post_form
from tests.integration.test_console_actions import CITIZEN_CHAT, Client, Desk, act, desk

__all__ = ["desk"]  # the fixture

DESA = "desa-64-08-09-2001"
WORD = "Kalsedon"  # in the templates this test saves, and nothing else


async def templates(desk: Desk) -> list[AnswerTemplate]:
    async with desk.db.sessions() as session:
        found = await session.scalars(select(AnswerTemplate).order_by(AnswerTemplate.id))
        return list(found)


async def add(client: Client, **fields: str) -> Any:
    return await post_form(client, "/templat", fields)


def textarea(page: str, action: str) -> str:
    """The words in the form of ``action`` on a report's page."""
    found = re.search(rf'id="aksi-{action}".*?<textarea[^>]*>(.*?)</textarea>', page, re.S)
    assert found, page
    return html.unescape(found.group(1))


async def test_a_unit_keeps_its_templates_and_reads_the_kabupaten_s(desk: Desk) -> None:
    seeded = len(await templates(desk))
    client = await desk.client(DESA, "Pak Kades")
    coordinator = await desk.client("diskominfo", "Rina")
    try:
        page = await (await client.get("/templat")).text()
        assert "Templat jawaban" in page
        assert 'action="/templat/hapus"' not in page  # the seeded ones are the kabupaten's
        saved = await add(
            client, judul="Sudah dicek", teks=f"{WORD}: laporan {{nomor}} di {{desa}} dicek."
        )
        assert saved.status == 200
        assert saved.url.path == "/templat"
        page = await saved.text()
        assert f"{WORD}: laporan {{nomor}} di {{desa}} dicek." in html.unescape(page)
        [mine] = [t for t in await templates(desk) if WORD in t.body]
        assert mine.unit_id == desk.units[DESA]
        assert mine.category == ""
        assert mine.created_by == "900"

        # The coordinator keeps the kabupaten-wide ones; the unit reads them, cannot remove them.
        await add(coordinator, judul="Umum", teks=f"{WORD} untuk semua", kategori="sampah")
        [wide] = [t for t in await templates(desk) if t.body == f"{WORD} untuk semua"]
        assert wide.unit_id is None
        assert wide.category == "sampah"
        assert f"{WORD} untuk semua" in await (await client.get("/templat")).text()
        assert f"{WORD}: laporan" not in await (await coordinator.get("/templat")).text()

        removed = await post_form(client, "/templat/hapus", {"id": str(mine.id)})
        assert removed.status == 200
        assert len(await templates(desk)) == seeded + 1
    finally:
        await client.close()
        await coordinator.close()
    async with desk.db.sessions() as session:
        audit = list(await session.scalars(select(ConsoleAudit.subject)))
    assert f"tambah {mine.id}" in audit
    assert f"hapus {mine.id}" in audit


async def test_bad_templates_are_refused_with_the_reason(desk: Desk) -> None:
    seeded = len(await templates(desk))
    client = await desk.client(DESA, "Pak Kades")
    try:
        unknown = await add(client, judul="Salah", teks=f"{WORD} {{alamat}} dan {{nomor}}")
        assert unknown.status == 400
        text = html.unescape(await unknown.text())
        assert "isian {alamat} tidak dikenal" in text
        assert "{nomor}, {kategori}, {desa}, {tenggat}" in text
        assert f"{WORD} {{alamat}} dan {{nomor}}" in text  # what was typed stays in the form

        long = await add(client, judul="Panjang", teks=WORD + "x" * TEMPLATE_MAX)
        assert long.status == 400
        assert f"lebih dari {TEMPLATE_MAX} karakter" in await long.text()

        title = await add(client, judul="J" * 41, teks=WORD)
        assert title.status == 400
        assert "Judul templat terlalu panjang" in await title.text()

        category = await add(client, judul="Kat", teks=WORD, kategori="bukan-kategori")
        assert category.status == 400
        assert "tidak dikenal" in await category.text()

        empty = await add(client, judul="", teks="  ")
        assert empty.status == 400
        assert "judul dan teks wajib diisi" in await empty.text()
    finally:
        await client.close()
    assert len(await templates(desk)) == seeded


async def test_another_unit_s_template_is_out_of_reach(desk: Desk) -> None:
    desa = await desk.client(DESA, "Pak Kades")
    pupr = await desk.client("dinas-pupr", "Bu Ani")
    try:
        await add(pupr, judul="Jalan", teks=f"{WORD} milik PUPR")
        [theirs] = [t for t in await templates(desk) if WORD in t.body]
        page = await (await desa.get("/templat")).text()
        assert f"{WORD} milik PUPR" not in page  # never shown to another unit
        refused = await post_form(desa, "/templat/hapus", {"id": str(theirs.id)})
        assert refused.status == 403
        wide = next(t for t in await templates(desk) if t.unit_id is None)
        assert (await post_form(desa, "/templat/hapus", {"id": str(wide.id)})).status == 403
        assert (await post_form(desa, "/templat/hapus", {"id": "987654"})).status == 404
        assert (await post_form(desa, "/templat/hapus", {"id": "1 OR 1=1"})).status == 404
        # Without the page's form token: refused, nothing saved or removed.
        before = len(await templates(desk))
        forged = await desa.post("/templat", data={"judul": "X", "teks": WORD})
        assert forged.status == 403
        forged = await pupr.post("/templat/hapus", data={"id": str(theirs.id)})
        assert forged.status == 403
        assert len(await templates(desk)) == before
    finally:
        await desa.close()
        await pupr.close()
    assert [t.id for t in await templates(desk) if WORD in t.body] == [theirs.id]
    assert f"templat hapus {theirs.id}" in await desk.refused()


async def test_a_picked_template_fills_the_form_and_is_sent_as_edited(desk: Desk) -> None:
    number = await desk.file()
    client = await desk.client(DESA, "Pak Kades")
    pupr = await desk.client("dinas-pupr", "Bu Ani")
    try:
        await add(client, judul="Dicek", teks=f"{WORD}: laporan {{nomor}} di {{desa}} dicek.")
        await add(pupr, judul="Milik PUPR", teks=f"{WORD} PUPR")
        await add(client, judul="Jalan saja", teks=f"{WORD} jalan", kategori="jalan")
        ours = next(t for t in await templates(desk) if t.title == "Dicek")
        theirs = next(t for t in await templates(desk) if t.title == "Milik PUPR")
        road = next(t for t in await templates(desk) if t.title == "Jalan saja")
        page = f"/laporan/{number}"
        shown = await (await client.get(page)).text()
        assert "Templat:" not in shown  # a new report: only verifying is offered
        await act(client, number, {"aksi": "vf", "status": "baru"})
        await desk.bot.process_pending()
        shown = await (await client.get(page)).text()
        link = f"{page}?templat={ours.id}&amp;untuk=ask#aksi-ask"
        assert link in shown
        assert "untuk=done#aksi-done" in shown
        assert "Milik PUPR" not in shown
        assert "Jalan saja" not in shown

        picked = await (await client.get(f"{page}?templat={ours.id}&untuk=ask")).text()
        filled = f"{WORD}: laporan {number} di Desa Sepaso, Kec. Bengalon dicek."
        assert textarea(picked, "ask") == filled
        assert textarea(picked, "done") == ""  # only the form it was picked for
        for forged in (theirs.id, road.id, 987654):
            other = await (await client.get(f"{page}?templat={forged}&untuk=ask")).text()
            assert textarea(other, "ask") == ""

        csrf = await form_token(client, f"{page}?templat={ours.id}&untuk=ask")
        edited = filled + " Mohon kirim foto RT."
        sent = await client.post(
            f"{page}/tindakan",
            data={"csrf": csrf, "aksi": "ask", "status": "didisposisi", "teks": edited},
        )
        assert sent.status == 200
        await desk.bot.process_pending()
    finally:
        await client.close()
        await pupr.close()
    assert (await desk.report(number)).status == "menunggu_pelapor"
    assert edited in "\n".join(await desk.outbox(CITIZEN_CHAT))
