"""A poster with the WhatsApp channel on (issue 31): it carries two labelled QR codes, Telegram's
deep link and a wa.me chat with a prepared first message naming the desa and carrying the poster's
code. Both codes are read back by a real decoder (zbar) from the PNG and the PDF (one A4 page,
nothing below its edge); the WhatsApp one is followed through the fake Graph API (a signed webhook
with the prepared text) to a report filed for that desa, the scan and the report counted for the
poster. Without WhatsApp the poster keeps its single code (tests/e2e/test_posters.py)."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlparse

from PIL import Image
from sqlalchemy import select

from core.posters import poster_code, poster_whatsapp, start_link
from core.regions import RegionDirectory
from emulator import EmulatorClient
from emulator.whatsapp import FakeWhatsApp
from locales import Catalogs
from storage.models import PosterReport, PosterScan
from storage.uow import UnitOfWork
from tests.e2e.conftest import RunningBot, Store
from tests.e2e.helpers import ChatOf
from tests.e2e.scenario import Scenario
from tests.e2e.test_whatsapp_citizen import TRACKING, fake, wa_bot
from tests.e2e.units import SAMPAH, SEPASO
from tests.images import plain_jpeg
from tests.posters_qr import A4_HEIGHT_PT, decode_pdf, decode_png, lowest_word, pdf_text
from tests.whatsapp.citizen import WaCitizen, text_of
from web.posters import render
from web.posters.facts import posters_for

__all__ = ["fake", "wa_bot"]  # the fixtures

BOT = "kanal_aduan_test_bot"
NUMBER = "+62 811-0000-1234"
WA_ID = "6281299990000"


async def test_the_whatsapp_code_opens_a_chat_that_files_for_the_desa(
    wa_bot: RunningBot,
    fake: FakeWhatsApp,
    telegram: EmulatorClient,
    database_url: str,
    chat_of: ChatOf,
    store: Store,
    tmp_path: Path,
) -> None:
    await Scenario.start(telegram, database_url, chat_of, consent=False)
    tr = Catalogs("id").get("id")
    whatsapp = poster_whatsapp(fake.phone_number_id, NUMBER)
    async with UnitOfWork(store.sessions) as uow:
        (poster,) = await posters_for(
            uow, RegionDirectory("64.08"), tr, [SEPASO], bot_username=BOT, whatsapp=whatsapp
        )
    png, pdf = tmp_path / "poster.png", tmp_path / "poster.pdf"
    png.write_bytes(render.png(tr, poster))
    pdf.write_bytes(render.pdf(tr, [poster]))
    from_png, from_pdf = decode_png(png), decode_pdf(pdf)
    assert len(from_pdf) == 1  # one A4 page
    assert sorted(from_png) == sorted(from_pdf[0]), (from_png, from_pdf)
    code = poster_code(SEPASO)
    telegram_link = start_link(BOT, code)
    (wa_link,) = [link for link in from_png if link != telegram_link]
    assert telegram_link in from_png

    # Labelled, and nothing runs off the page: the PDF's lowest word is on it, the PNG's last
    # centimetre is blank.
    with Image.open(png) as image:
        assert image.convert("L").crop(
            (0, image.height - 60, image.width, image.height)
        ).getextrema() == (255, 255)
    bottom, word = lowest_word(pdf)
    assert bottom < A4_HEIGHT_PT - 20, (bottom, word)
    page_text = " ".join(pdf_text(pdf).split())
    for words in ("Lewat Telegram", "Lewat WhatsApp", "wa.me/6281100001234", "Kanal Aduan -"):
        assert words in page_text, page_text

    link = urlparse(wa_link)
    assert (link.netloc, link.path) == ("wa.me", "/6281100001234")
    (prepared,) = parse_qs(link.query)["text"]
    assert prepared == f"Halo, saya mau lapor untuk Desa Sepaso, Kec. Bengalon (kode {code})"

    # The citizen sends the prepared message: the notice first (new on WhatsApp), then the
    # report with the desa already chosen.
    rina = WaCitizen(fake, WA_ID, "Rina")
    await rina.send(prepared, "Apakah Anda setuju?")
    await rina.press("✅ Saya setuju", "Apa jenis laporan Anda?")
    await rina.press("Pengaduan", "Pilih kategori")
    await rina.press("Sampah & Lingkungan", "Laporan untuk Desa Sepaso, Kec. Bengalon?")
    await rina.press("✅ Ya", "Tulis detail alamat")  # the place steps are skipped
    await rina.press("Lewati ➡️", "Kirim titik lokasi")
    await rina.send("Lewati lokasi ➡️", "Ceritakan masalahnya")
    await rina.send(SAMPAH, "Kirim foto bukti")
    await rina.send_photo(plain_jpeg(7), "Foto diterima: 1/5.")
    await rina.press("✅ Selesai (1 foto)", "Pilih kerahasiaan laporan")
    await rina.press("Biasa", "Periksa laporan Anda")
    found = TRACKING.search(text_of(await rina.press("📨 Kirim laporan", "Nomor laporan:")))
    assert found is not None

    report = next(r for r in await store.reports() if r.tracking_no == found.group(1))
    assert report.region_code == SEPASO
    async with UnitOfWork(store.sessions) as uow:
        scans = list(await uow.session.scalars(select(PosterScan.poster_code)))
        filed = list(
            await uow.session.execute(select(PosterReport.report_id, PosterReport.poster_code))
        )
    assert scans == [code]
    assert [tuple(row) for row in filed] == [(report.id, code)]

    # Scanned again later (the chat is known now): counted, and a new report starts there.
    await rina.send(prepared, "Apa jenis laporan Anda?")
    async with UnitOfWork(store.sessions) as uow:
        assert len(list(await uow.session.scalars(select(PosterScan.id)))) == 2
