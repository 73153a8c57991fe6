"""The console's posters (issue 31), beyond printing them (test_console_posters.py): each
download is written to the audit log in the viewer's name (a refused one as a refusal, a malformed
one not at all); the table of scans and reports per poster follows the period filter the other
pages have; with WhatsApp on, the downloaded poster carries both codes."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from sqlalchemy import select

from core.posters import poster_code, start_link
from storage.models import ConsoleAudit, PosterReport, PosterScan
from tests.integration.test_console_actions import Desk, desk
from tests.posters_qr import decode_png

__all__ = ["desk"]  # the fixture

BOT = "kanal_aduan_test_bot"
BENGALON, SEPASO, OTHER_DESA = "64.08.09", "64.08.09.2001", "64.08.09.2002"
DESA = "desa-64-08-09-2001"
ROW = "<td>Desa Sepaso, Kec. Bengalon</td><td>{}</td><td>{}</td>"


@pytest.fixture(autouse=True)
def _bot_username(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BOT_USERNAME", BOT)  # read by the desk's settings


async def _audit(desk: Desk) -> list[tuple[str, str, str]]:
    async with desk.db.sessions() as session:
        rows = await session.execute(
            select(ConsoleAudit.action, ConsoleAudit.subject, ConsoleAudit.user_name).order_by(
                ConsoleAudit.id
            )
        )
        return [(a, s, u) for a, s, u in rows if a in ("poster", "refused")]


async def test_poster_downloads_are_audited_in_the_viewers_name(desk: Desk) -> None:
    coordinator = await desk.client("diskominfo", "Bu Koordinator")
    kades = await desk.client(DESA, "Pak Kades")
    try:
        one = await coordinator.get("/poster/unduh", params={"desa": SEPASO, "format": "png"})
        assert one.status == 200
        every = {"kecamatan": BENGALON, "semua": "1"}
        assert (await coordinator.get("/poster/unduh", params=every)).status == 200
        bad = {"desa": SEPASO, "format": "docx"}
        assert (await coordinator.get("/poster/unduh", params=bad)).status == 400
        assert (await kades.get("/poster/unduh", params={"desa": OTHER_DESA})).status == 403
        assert await _audit(desk) == [
            ("poster", f"png desa={SEPASO}", "Bu Koordinator"),
            ("poster", f"pdf kecamatan={BENGALON} semua=1", "Bu Koordinator"),
            ("refused", f"poster pdf desa={OTHER_DESA}", "Pak Kades"),
        ]
        shown = await (await coordinator.get("/audit")).text()
        assert "Mengunduh poster" in shown
        assert f"pdf kecamatan={BENGALON} semua=1" in shown
    finally:
        await coordinator.close()
        await kades.close()


async def test_the_poster_table_counts_within_the_period(desk: Desk) -> None:
    """The desk's clock is 2 March 2026: a report and a scan that day, a scan in February."""
    report_id = (await desk.report(await desk.file())).id
    code = poster_code(SEPASO)
    async with desk.db.sessions() as session:
        for at in (datetime(2026, 3, 2, 1, tzinfo=UTC), datetime(2026, 2, 10, 5, tzinfo=UTC)):
            session.add(PosterScan(poster_code=code, scanned_at=at))
        # The last minute of February in Makassar is still February, though March in UTC+9.
        session.add(
            PosterScan(poster_code=code, scanned_at=datetime(2026, 2, 28, 15, 59, tzinfo=UTC))
        )
        session.add(PosterReport(report_id=report_id, poster_code=code))
        await session.commit()
    client = await desk.client("diskominfo", "Bu Koordinator")
    try:
        this_month = await (await client.get("/poster")).text()
        assert ROW.format(1, 1) in this_month
        assert 'name="periode"' in this_month
        last_month = await (await client.get("/poster", params={"periode": "bulan_lalu"})).text()
        assert ROW.format(2, 0) in last_month
        both = {"dari": "2026-02-01", "sampai": "2026-03-31"}
        assert ROW.format(3, 1) in await (await client.get("/poster", params=both)).text()
        january = {"dari": "2026-01-01", "sampai": "2026-01-31"}
        assert (
            "Belum ada poster yang dipindai"
            in await (await client.get("/poster", params=january)).text()
        )
        assert (await client.get("/poster", params={"periode": "abad"})).status == 400
    finally:
        await client.close()


@pytest.fixture
def _whatsapp_on(monkeypatch: pytest.MonkeyPatch) -> None:
    """WhatsApp's channel and number in the desk's settings (asked for before ``desk``)."""
    monkeypatch.setenv("WHATSAPP_PHONE_NUMBER_ID", "1000001")
    monkeypatch.setenv("WHATSAPP_PHONE_NUMBER", "0811-0000-1234")


@pytest.mark.usefixtures("_whatsapp_on")
async def test_with_whatsapp_the_downloaded_poster_carries_both_codes(
    desk: Desk, tmp_path: Path
) -> None:
    client = await desk.client("diskominfo", "Bu Koordinator")
    try:
        png = await client.get("/poster/unduh", params={"desa": SEPASO, "format": "png"})
        (tmp_path / "p.png").write_bytes(await png.read())
    finally:
        await client.close()
    codes = decode_png(tmp_path / "p.png")
    telegram = start_link(BOT, poster_code(SEPASO))
    assert telegram in codes
    assert len(codes) == 2
    (whatsapp,) = [c for c in codes if c != telegram]
    link = urlparse(whatsapp)
    assert (link.netloc, link.path) == ("wa.me", "/6281100001234")
    assert parse_qs(link.query)["text"] == [
        f"Halo, saya mau lapor untuk Desa Sepaso, Kec. Bengalon (kode {poster_code(SEPASO)})"
    ]
