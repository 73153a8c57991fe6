"""A poster end to end, on both frameworks: the desa's poster is made as PNG and PDF, its QR code
is read back by a real decoder (zbar), and the link it holds opens the bot (``/start <code>``)
with the desa already chosen; the report filed is the desa's, and the scan and the report are
counted for that poster. A kecamatan's poster, opened before consent, asks for the desa only;
"Pilih tempat lain" goes to the usual place steps; a forged code starts as /start does."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlparse

from sqlalchemy import select

from core.posters import poster_code
from core.regions import RegionDirectory
from emulator import EmulatorClient, TgUser
from locales import Catalogs
from storage.models import PosterReport, PosterScan
from storage.uow import UnitOfWork
from tests.e2e.conftest import RunningBot, Store
from tests.e2e.helpers import ChatOf, tracking_number
from tests.e2e.scenario import Scenario
from tests.e2e.units import SEPASO
from tests.images import plain_jpeg
from tests.posters_qr import decode_pdf, decode_png
from web.posters import render
from web.posters.facts import poster_for

BOT = "kanal_aduan_test_bot"
BENGALON = SEPASO.rsplit(".", 1)[0]
BUDI = TgUser(id=1078, first_name="Budi")


async def _poster_link(store: Store, tmp_path: Path, region_code: str) -> str:
    """The poster made as PNG and PDF; the link both QR codes hold (they must agree)."""
    tr = Catalogs("id").get("id")
    async with UnitOfWork(store.sessions) as uow:
        poster = await poster_for(uow, RegionDirectory("64.08"), BOT, region_code)
    png, pdf = tmp_path / "poster.png", tmp_path / "poster.pdf"
    png.write_bytes(render.png(tr, poster))
    pdf.write_bytes(render.pdf(tr, [poster]))
    from_png, from_pdf = decode_png(png), decode_pdf(pdf)
    assert from_pdf == [from_png], (from_png, from_pdf)
    assert len(from_png) == 1
    return from_png[0]


def _start_parameter(link: str) -> str:
    parsed = urlparse(link)
    assert (parsed.netloc, parsed.path) == ("t.me", f"/{BOT}")
    return parse_qs(parsed.query)["start"][0]


async def test_a_desa_poster_opens_the_bot_with_the_desa_chosen(
    running_bot: RunningBot,
    telegram: EmulatorClient,
    chat_of: ChatOf,
    database_url: str,
    store: Store,
    tmp_path: Path,
) -> None:
    scenario = await Scenario.start(telegram, database_url, chat_of)
    siti = scenario.citizen
    code = _start_parameter(await _poster_link(store, tmp_path, SEPASO))
    assert code == poster_code(SEPASO)

    await siti.send(f"/start {code}", "Apa jenis laporan Anda?")
    await siti.press("Pengaduan", "Pilih kategori")
    await siti.press("Sampah & Lingkungan", "Laporan untuk Desa Sepaso, Kec. Bengalon?")
    await siti.press("✅ Ya", "Tulis detail alamat")  # the place steps are skipped
    await siti.press("Lewati ➡️", "Kirim titik lokasi")
    await siti.send("Lewati lokasi ➡️", "Ceritakan masalahnya")
    await siti.send("Sampah menumpuk di pinggir jalan desa sejak dua minggu.", "Kirim foto bukti")
    photo = plain_jpeg(7)
    await siti.do(lambda: telegram.send_photo(siti.user, photo), "📷 Foto diterima: 1/5.")
    await siti.press("✅ Selesai (1 foto)", "Pilih kerahasiaan laporan")
    await siti.press("Biasa", "Periksa laporan Anda")
    number = tracking_number(await siti.press("📨 Kirim laporan", "Nomor laporan:"))

    report = next(r for r in await store.reports() if r.tracking_no == number)
    assert report.region_code == SEPASO
    async with UnitOfWork(store.sessions) as uow:
        scans = list(
            await uow.session.scalars(select(PosterScan.poster_code).order_by(PosterScan.id))
        )
        filed = list(
            await uow.session.execute(select(PosterReport.report_id, PosterReport.poster_code))
        )
    assert scans == [code]
    assert [tuple(row) for row in filed] == [(report.id, code)]

    # Scanned again: "Pilih tempat lain" goes to the usual place steps.
    await siti.send(f"/start {code}", "Apa jenis laporan Anda?")
    await siti.press("Pengaduan", "Pilih kategori")
    await siti.press("Sampah & Lingkungan", "Laporan untuk Desa Sepaso")
    await siti.press("📍 Pilih tempat lain", "Di kecamatan mana")
    await siti.send("/batal", "Batalkan laporan")

    # A forged code: said politely, then /start as usual; not counted as a scan.
    await siti.send("/start p64_08_99_9999", "tidak kami kenali")
    await siti.send("/start halo-dunia", "tidak kami kenali")
    async with UnitOfWork(store.sessions) as uow:
        assert len(list(await uow.session.scalars(select(PosterScan.id)))) == 2


async def test_a_kecamatan_poster_before_consent_asks_for_the_desa_only(
    running_bot: RunningBot,
    telegram: EmulatorClient,
    chat_of: ChatOf,
    database_url: str,
    store: Store,
    tmp_path: Path,
) -> None:
    await Scenario.start(telegram, database_url, chat_of, consent=False)
    budi = chat_of(BUDI)
    code = _start_parameter(await _poster_link(store, tmp_path, BENGALON))

    await budi.send(f"/start {code}", "Apakah Anda setuju?")
    await budi.press("✅ Saya setuju", "Apa jenis laporan Anda?")
    await budi.press("Pengaduan", "Pilih kategori")
    await budi.press("Sampah & Lingkungan", "Laporan untuk Kec. Bengalon?")
    await budi.press("⬅️ Kembali", "Pilih kategori")  # Back from the question
    await budi.press("Sampah & Lingkungan", "Laporan untuk Kec. Bengalon?")
    await budi.press("✅ Ya", "Di desa/kelurahan mana")  # the kecamatan is chosen
    await budi.press("Sepaso", "Tulis detail alamat")
    await budi.press("⬅️ Kembali", "Di desa/kelurahan mana")
    await budi.press("⬅️ Kembali", "Di kecamatan mana")  # the usual steps from here
    await budi.press("⬅️ Kembali", "Pilih kategori")
    await budi.press("Sampah & Lingkungan", "Di kecamatan mana")  # asked once only
    # Another poster scanned mid-report: counted, and the report under way is offered to resume.
    other = poster_code(SEPASO)
    await budi.send(f"/start {other}", "Anda punya laporan yang belum selesai")
    await budi.press("▶️ Lanjutkan", "Di kecamatan mana")
    async with UnitOfWork(store.sessions) as uow:
        scans = list(
            await uow.session.scalars(select(PosterScan.poster_code).order_by(PosterScan.id))
        )
    assert scans == [code, other]
