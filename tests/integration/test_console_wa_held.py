"""The report page's "Pesan WhatsApp tertunda" (web.console.wa_held): messages to a WhatsApp
reporter that waited for the 24-hour window, shown to the unit and the coordinator with whether
they went since and why, never with the reporter's number."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import update

from storage.models import Report, WhatsAppHeld
from tests.integration.test_console_actions import Desk, desk

__all__ = ["desk"]  # the fixture

WA_ID = "6281234567890"


async def test_the_report_page_shows_what_waits_for_a_whatsapp_reporter(desk: Desk) -> None:
    number = await desk.file()
    report_id = (await desk.report(number)).id
    at = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)
    async with desk.db.sessions() as session:
        await session.execute(
            update(Report).where(Report.id == report_id).values(channel="whatsapp")
        )
        for reason, released in (("template", at), ("131047", None)):
            session.add(
                WhatsAppHeld(
                    chat_id=WA_ID,
                    report_id=report_id,
                    payload={"kind": "send_text", "chat_id": WA_ID, "text": "x"},
                    purpose="notice",
                    link_action="",
                    reason=reason,
                    created_at=at,
                    released_at=released,
                )
            )
        await session.commit()
    for unit, name in (("diskominfo", "Bu Koordinator"), ("desa-64-08-09-2001", "Pak Kades")):
        client = await desk.client(unit, name)
        try:
            page = await (await client.get(f"/laporan/{number}")).text()
        finally:
            await client.close()
        assert "Pesan WhatsApp tertunda" in page, unit
        assert "Terkirim saat pelapor menulis lagi" in page
        assert "terkirim sebagai templat" in page
        assert "Menunggu pelapor menulis lagi" in page
        assert "ditolak WhatsApp, kode 131047" in page
        assert WA_ID not in page


async def test_a_telegram_report_has_no_such_section(desk: Desk) -> None:
    number = await desk.file()
    client = await desk.client("diskominfo", "Bu Koordinator")
    try:
        page = await (await client.get(f"/laporan/{number}")).text()
    finally:
        await client.close()
    assert "Pesan WhatsApp tertunda" not in page
