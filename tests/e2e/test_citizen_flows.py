"""Citizen journeys end to end: the real bot on each framework, in process, against the emulator."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from typing import TYPE_CHECKING

from emulator import EmulatorClient, TgUser
from emulator.chat import ChatView
from handlers.formatting import long_date
from runtime.settings import Settings
from tests.e2e.helpers import (
    ChatOf,
    Until,
    labels,
    reply_labels,
    tiny_png,
    tracking_number,
    walk_to,
)
from tests.images import assert_clean, plain_jpeg

if TYPE_CHECKING:  # fixtures' types only; pytest imports conftest itself
    from tests.e2e.conftest import RunningBot, Settle, Store

SITI = TgUser(id=1001, first_name="Siti", last_name="Rahayu", username="siti_r")
BUDI = TgUser(id=2002, first_name="Budi")
DESCRIPTION = "Jalan berlubang besar di depan masjid, sudah dua minggu, motor sering jatuh."


async def test_complete_report_with_album_document_gps_and_typo(
    running_bot: RunningBot,
    telegram: EmulatorClient,
    chat_of: ChatOf,
    store: Store,
    until: Until,
    bot_settings: Settings,
    settle: Settle,
) -> None:
    chat = chat_of(SITI)
    await chat.consent()
    await chat.send("📝 Laporan baru", "Langkah 1/9 · Jenis laporan")
    category = await chat.press("Pengaduan", "Pilih kategori yang paling sesuai")
    assert "Jalan & Jembatan" in labels(category)

    page1 = await chat.press("Jalan & Jembatan", "(Halaman 1/2)")
    assert "Di kecamatan mana" in page1["text"]
    assert "Bengalon" in labels(page1)
    assert "Sangatta Utara" not in labels(page1)
    page2 = await chat.press("Berikutnya ▶️", "(Halaman 2/2)")
    assert "Sangatta Utara" in labels(page2)
    assert "◀️ Sebelumnya" in labels(page2)
    assert "Bengalon" not in labels(page2)

    await chat.press("Sangatta Utara", "Di desa/kelurahan mana")
    found = await chat.send("Swarga Bata", "Hasil untuk “Swarga Bata”")
    assert labels(found)[0] == "Swarga Bara"
    assert "📜 Tampilkan semua" in labels(found)
    await chat.press("Swarga Bara", "Tulis detail alamat")
    gps = await chat.send("Jl. Yos Sudarso II RT 12, depan masjid", "Kirim titik lokasi")
    assert "📍 Kirim lokasi saya" in reply_labels(gps)
    assert gps["sent_markup"]["keyboard"][0][0].get("request_location") is True

    await chat.do(lambda: telegram.send_location(SITI, 0.51234, 117.60021), "Ceritakan masalahnya")
    assert any("📍 Titik lokasi tersimpan." in t for t in await chat.texts())
    photos = await chat.send(DESCRIPTION, "Kirim foto bukti")
    # Roads ask for a photo; a citizen without one says so (CATEGORY_PHOTOS_REQUIRED is off).
    assert "🚫 Saya tidak punya foto" in labels(photos)
    assert "Lewati ➡️" not in labels(photos)

    album = [plain_jpeg(i) for i in range(3)]

    async def send_album() -> None:
        for data in album:
            await telegram.send_photo(SITI, data, media_group_id="album-jalan-1")

    screen = await chat.do(send_album, "📷 Foto diterima: 3/5.")
    assert "✅ Selesai (3 foto)" in labels(screen)
    await settle()
    counts = [t for t in await chat.texts() if "📷 Foto diterima" in t]
    assert len(counts) == 1, counts  # one album, one acknowledgement

    png = tiny_png(7)
    screen = await chat.do(
        lambda: telegram.send_document(SITI, png, "bukti.png", "image/png"),
        "📷 Foto diterima: 4/5.",
    )
    assert "✅ Selesai (4 foto)" in labels(screen)
    await chat.press("✅ Selesai (4 foto)", "Pilih kerahasiaan laporan")
    summary = await chat.press("Anonim", "Periksa laporan Anda")
    for line in (
        "Jenis: Pengaduan",
        "Kategori: Jalan & Jembatan",
        "Lokasi: Desa Swarga Bara, Kec. Sangatta Utara",
        "Alamat: Jl. Yos Sudarso II RT 12, depan masjid",
        "Titik GPS: 0.51234, 117.60021",
        "Foto: 4",
        "Kerahasiaan: Anonim",
        DESCRIPTION,
    ):
        assert line in summary["text"], line
    assert labels(summary) == ["📨 Kirim laporan", "✏️ Ubah", "✖️ Batal"]

    done = await chat.press("📨 Kirim laporan", "Nomor laporan:")
    number = tracking_number(done)
    sent_summary = next(
        m for m in await chat.messages() if m["message_id"] == summary["message_id"]
    )
    assert "✅ Terkirim." in sent_summary["text"]
    assert labels(sent_summary) == []  # the Send button is gone

    [report] = await store.reports()
    assert report.tracking_no == number
    assert report.due_date is not None
    assert f"paling lambat {long_date(report.due_date, 'id')} (3 hari kerja)" in done["text"]
    assert report.status == "baru"
    assert report.category == "jalan"
    assert report.privacy == "anonim"
    assert report.region_code == "64.08.04.2012"  # Swarga Bara
    assert (report.latitude, report.longitude) == (0.51234, 117.60021)
    assert report.description == DESCRIPTION
    # The PNG came as a file: what the report keeps is its copy redrawn as a JPEG (no alpha).
    assert [p.mime_type for p in report.photos] == ["image/jpeg"] * 4
    assert {p.media_group_id for p in report.photos[:3]} == {"album-jalan-1"}

    async def all_downloaded() -> bool:
        return all(p.stored_path for p in (await store.reports())[0].photos)

    await until(all_downloaded, 10)
    [report] = await store.reports()
    media_dir = Path(bot_settings.media_dir)
    for photo in report.photos:
        assert photo.stored_path is not None
        path = Path(photo.stored_path)
        assert path.is_relative_to(media_dir)
        # Kept as the pictures redrawn without metadata, never as the bytes that came.
        assert_clean(await asyncio.to_thread(path.read_bytes), path.name, ((16, 12), (1, 1)))
        assert path.suffix == ".jpg"


async def test_desa_question_names_the_kecamatan_once(
    running_bot: RunningBot, chat_of: ChatOf
) -> None:
    desa = await walk_to(chat_of(SITI), "desa", consent=True)
    assert "Di desa/kelurahan mana (Kec. Bengalon)?" in desa["text"], desa["text"]


async def shown_reply_keys(chat: ChatView) -> list[str]:
    """The keys of the reply keyboard the chat shows now: the last one sent, unless a later
    message removed it."""
    for message in reversed(await chat.messages()):
        markup = message.get("sent_markup") or {}
        if markup.get("remove_keyboard"):
            return []
        if "keyboard" in markup:
            return reply_labels(message)
    return []


async def test_back_and_cancel_across_steps(
    running_bot: RunningBot, chat_of: ChatOf, store: Store, settle: Settle
) -> None:
    chat = chat_of(SITI)
    await chat.consent()
    first = await chat.send("📝 Laporan baru", "Apa jenis laporan Anda?")
    assert labels(first)[-1] == "✖️ Batal"
    assert "⬅️ Kembali" not in labels(first)  # nothing before the first step

    await chat.press("Pengaduan", "Pilih kategori")
    await chat.press("⬅️ Kembali", "Apa jenis laporan Anda?")
    await chat.press("Aspirasi", "Pilih kategori")
    await chat.press("Air Bersih", "Di kecamatan mana")
    await chat.press("Bengalon", "Di desa/kelurahan mana")
    back = await chat.press("⬅️ Kembali", "Di kecamatan mana")
    assert "Bengalon" in labels(back)
    await chat.press("Bengalon", "Di desa/kelurahan mana")
    await chat.press("Sepaso", "Tulis detail alamat")
    await chat.press("Lewati ➡️", "Kirim titik lokasi")
    # On the GPS step the buttons are a reply keyboard: Back arrives as text.
    await chat.send("⬅️ Kembali", "Tulis detail alamat")
    await chat.send("Gang Mawar no. 3", "Kirim titik lokasi")
    await chat.send("Lewati lokasi ➡️", "Ceritakan masalahnya")
    # Telegram keeps a reply keyboard until one is sent to remove it: the location step's keys
    # are gone at the description step.
    assert await shown_reply_keys(chat) == []
    await chat.press("⬅️ Kembali", "Kirim titik lokasi")
    assert "📍 Kirim lokasi saya" in await shown_reply_keys(chat)
    # Eight answers in: Cancel asks first.
    await chat.send("✖️ Batal", "Batalkan laporan? Isian Anda akan hilang.")
    await chat.press("Ya, batalkan", "Laporan dibatalkan dan tidak disimpan.")
    await settle()  # the main menu comes in a message of its own, after the edited question
    assert "📝 Laporan baru" in await shown_reply_keys(chat)

    # The draft is gone: a new report starts from the first step, not from "unfinished report".
    await chat.send("📝 Laporan baru", "Langkah 1/9 · Jenis laporan")
    await chat.press("Pengaduan", "Pilih kategori")
    screen = await chat.press("✖️ Batal", "Silakan pilih menu di bawah.")
    assert "Laporan dibatalkan dan tidak disimpan." in await chat.texts()
    assert labels(screen) == []
    await chat.send("/batal", "Tidak ada laporan yang sedang dibuat.")
    assert not any("belum selesai" in t for t in await chat.texts())
    assert await store.reports() == []


async def test_status_for_owner_stranger_and_typo(
    running_bot: RunningBot, chat_of: ChatOf, store: Store
) -> None:
    siti = chat_of(SITI)
    await siti.consent()
    description = "Air PDAM mati total sejak tiga hari di RT 05, warga beli air galon."
    number = tracking_number(await walk_to(siti, "sent", description=description))

    own = await siti.send(f"/status {number}", f"📄 Laporan {number}")
    for line in (
        "Status: Baru, menunggu verifikasi",
        "Jenis: Pengaduan",
        "Kategori: Air Bersih",
        "Lokasi: Desa Sepaso, Kec. Bengalon",
        "Kerahasiaan: Biasa",
        "Foto: 0",
        "Tenggat: verifikasi paling lambat",
        f"Uraian: {description}",
        "Riwayat:",
        ": Laporan diterima",
    ):
        assert line in own["text"], line

    # Typed after "Cek status", lower case with spaces: still found.
    await siti.send("🔎 Cek status", "Ketik nomor laporan Anda")
    typed = number.lower().replace("-", " ")
    again = await siti.send(typed, f"📄 Laporan {number}")
    assert "Riwayat:" in again["text"]

    budi = chat_of(BUDI)
    await budi.consent()
    stranger = await budi.send(f"/status {number}", "tidak ditemukan")
    assert stranger["text"] == f"Laporan {number} tidak ditemukan, atau bukan laporan Anda."
    assert all("Air PDAM" not in t and "Riwayat" not in t for t in await budi.texts())

    last = number[-1]
    typo = number[:-1] + ("2" if last != "2" else "3")
    mistyped = await siti.send(f"/status {typo}", "salah ketik")
    assert typo in mistyped["text"]
    assert "Riwayat" not in mistyped["text"]
    assert len(await store.reports()) == 1


async def test_a_new_citizen_who_asks_for_a_report_goes_on_to_it_after_consent(
    running_bot: RunningBot, chat_of: ChatOf
) -> None:
    """/lapor before consent: after "Saya setuju" the report starts at once; the citizen does not
    have to ask again."""
    chat = chat_of(SITI)
    await chat.send("/lapor", "Apakah Anda setuju?")
    first = await chat.press("✅ Saya setuju", "Apa jenis laporan Anda?")
    assert "Pengaduan" in labels(first)[0]


async def test_my_reports_are_paged_newest_first(
    running_bot: RunningBot, chat_of: ChatOf, store: Store
) -> None:
    chat = chat_of(SITI)
    await chat.send("📋 Laporan saya", "Apakah Anda setuju?")  # consent first
    await chat.press("✅ Saya setuju", "Anda belum pernah mengirim laporan.")  # then the list
    numbers = [
        tracking_number(
            await walk_to(
                chat, "sent", description=f"Laporan nomor {i}: air keruh dan berbau di RT 0{i}."
            )
        )
        for i in range(1, 7)
    ]
    assert len(set(numbers)) == 6

    page1 = await chat.send("📋 Laporan saya", "📋 Laporan Anda (6), halaman 1/2:")
    newest_first = numbers[::-1]
    listed = re.findall(
        r"• ([0-9A-Z-]{11}) · Air Bersih · Baru, menunggu verifikasi", page1["text"]
    )
    assert listed == newest_first[:5]
    assert "Tekan salah satu laporan di bawah untuk melihat rinciannya." in page1["text"]
    assert labels(page1) == [*(f"📄 {n}" for n in newest_first[:5]), "Berikutnya ▶️"]

    page2 = await chat.press("Berikutnya ▶️", "halaman 2/2")
    assert page2["message_id"] == page1["message_id"]  # the list is edited in place
    assert re.findall(r"• ([0-9A-Z-]{11}) ·", page2["text"]) == newest_first[5:]
    assert labels(page2) == [*(f"📄 {n}" for n in newest_first[5:]), "◀️ Sebelumnya"]
    back = await chat.press("◀️ Sebelumnya", "halaman 1/2")
    assert re.findall(r"• ([0-9A-Z-]{11}) ·", back["text"]) == newest_first[:5]
    assert sorted(r.tracking_no for r in await store.reports()) == sorted(numbers)


async def test_language_switch_to_english(
    running_bot: RunningBot, chat_of: ChatOf, store: Store
) -> None:
    chat = chat_of(SITI)
    await chat.consent()
    choice = await chat.send("🌐 Bahasa", "Pilih bahasa / Choose a language:")
    assert labels(choice) == ["🇮🇩 Bahasa Indonesia", "🇬🇧 English"]
    menu = await chat.press("🇬🇧 English", "Please choose from the menu below.")
    assert "📝 New report" in reply_labels(menu)
    assert "✅ Language set to English." in await chat.texts()

    await chat.send("📝 New report", "What kind of report is it?")
    categories = await chat.press("Complaint", "Choose the best-fitting category")
    assert "Clean Water" in labels(categories)
    assert "Air Bersih" not in labels(categories)
    await chat.press("Clean Water", "Which district")
    await chat.press("Bengalon", "Which village")
    await chat.press("Sepaso", "Write address details")
    gps = await chat.press("Skip ➡️", "Send the map location")
    assert "📍 Send my location" in reply_labels(gps)
    await chat.send("Skip location ➡️", "Describe the problem clearly")
    short = await chat.send("too short", "The description is too short (9 characters)")
    assert "Uraian" not in short["text"]
    await chat.send("The water pipe on my street has been broken for a week.", "Send evidence")
    await chat.press("Skip ➡️", "Choose the privacy")
    summary = await chat.press("Confidential", "Check your report")
    assert "Category: Clean Water" in summary["text"]
    assert "Privacy: Confidential" in summary["text"]
    done = await chat.press("📨 Send report", "Report number:")
    assert "working days" in done["text"]
    await chat.send("/terbang", "Sorry, we don't know that command.")
    [report] = await store.reports()
    assert report.privacy == "rahasia"
    assert report.tracking_no in done["text"]
    [citizen] = await store.citizens()
    assert citizen.language == "en"
