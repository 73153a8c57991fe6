"""Poster on the console (``/poster``): the coordinator prints any desa's poster (PDF, PNG) and
every desa of a kecamatan as one PDF, each QR code read back with zbar; a desa's unit prints only
its own desa's; the table counts scans and reports per poster, within the viewer's area.
(The bot's side, a scan and a report filed from it: tests/e2e/test_posters.py.)"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from core.posters import poster_code, start_link
from core.regions import RegionDirectory
from storage.models import PosterReport, PosterScan
from tests.integration.test_console_actions import Desk, desk
from tests.posters_qr import decode_pdf, decode_png

__all__ = ["desk"]  # the fixture

BOT = "kanal_aduan_test_bot"
BENGALON, SEPASO = "64.08.09", "64.08.09.2001"
DESA = "desa-64-08-09-2001"


@pytest.fixture(autouse=True)
def _bot_username(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BOT_USERNAME", BOT)  # read by the desk's settings


async def _scans_and_a_report(desk: Desk) -> None:
    """Two scans of Sepaso's poster, one of another kecamatan's desa; a report from Sepaso's."""
    number = await desk.file()
    report_id = (await desk.report(number)).id
    other = next(
        r.code for r in RegionDirectory("64.08").descendants("64.08", 4) if r.code[:8] != BENGALON
    )
    at = datetime(2026, 3, 2, 1, tzinfo=UTC)
    async with desk.db.sessions() as session:
        for code in (SEPASO, SEPASO, other):
            session.add(PosterScan(poster_code=poster_code(code), scanned_at=at))
        session.add(PosterReport(report_id=report_id, poster_code=poster_code(SEPASO)))
        await session.commit()


async def test_the_coordinator_prints_any_poster_and_sees_every_count(
    desk: Desk, tmp_path: Path
) -> None:
    await _scans_and_a_report(desk)
    client = await desk.client("diskominfo", "Bu Koordinator")
    try:
        shown = await (await client.get("/poster")).text()
        assert "Pindaian dan laporan per poster" in shown
        assert "<td>Desa Sepaso, Kec. Bengalon</td><td>2</td><td>1</td>" in shown
        assert shown.count("<tr><td>") == 2

        png = await client.get("/poster/unduh", params={"desa": SEPASO, "format": "png"})
        assert (png.status, png.content_type) == (200, "image/png")
        (tmp_path / "p.png").write_bytes(await png.read())
        assert decode_png(tmp_path / "p.png") == [start_link(BOT, poster_code(SEPASO))]

        every = await client.get("/poster/unduh", params={"kecamatan": BENGALON, "semua": "1"})
        assert (every.status, every.content_type) == (200, "application/pdf")
        (tmp_path / "k.pdf").write_bytes(await every.read())
        desa = sorted(r.code for r in RegionDirectory("64.08").children(BENGALON))
        assert decode_pdf(tmp_path / "k.pdf") == [[start_link(BOT, poster_code(c))] for c in desa]

        many_png = {"kecamatan": BENGALON, "semua": "1", "format": "png"}
        assert (await client.get("/poster/unduh", params=many_png)).status == 400
        assert (await client.get("/poster/unduh", params={"desa": BENGALON})).status == 400
    finally:
        await client.close()


async def test_a_desa_unit_prints_only_its_own_poster(desk: Desk) -> None:
    await _scans_and_a_report(desk)
    client = await desk.client(DESA, "Pak Kades")
    try:
        shown = await (await client.get("/poster")).text()
        assert f'<option value="{SEPASO}">' in shown
        assert shown.count('<option value="64.') == 1  # (the others: the period's menu)
        assert "semua=1" not in shown  # no kecamatan's posters
        assert shown.count("<tr><td>") == 1  # only its own poster's counts
        own = await client.get("/poster/unduh", params={"desa": SEPASO})
        assert own.status == 200
        other = await client.get("/poster/unduh", params={"desa": "64.08.09.2002"})
        assert other.status == 403
        kecamatan = await client.get("/poster/unduh", params={"kecamatan": BENGALON})
        assert kecamatan.status == 403
    finally:
        await client.close()
