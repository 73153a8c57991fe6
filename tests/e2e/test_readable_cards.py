"""Screens an officer with little experience of bots reads at a glance (issue 17): the card
reads top-down (what, where, status and deadline, the rest) with a short map link, the photos
come before it so its buttons stay last, statuses and reminders in plain words."""

from __future__ import annotations

import re
from collections.abc import Callable

from emulator import EmulatorClient, TgUser
from emulator.chat import ChatView
from tests.e2e.conftest import RunningBot, Store
from tests.e2e.helpers import SITI, labels, tracking_number
from tests.e2e.scenario import FORWARDED, Scenario
from tests.e2e.units import (
    card_in,
    reply,
    setup_groups,
    unit_of,
)

ChatOf = Callable[[TgUser], ChatView]
ADDRESS = "Jl. Poros <RT 05> & depan pasar"
WORDS = "Sampah menumpuk di depan pasar Sepaso, bau & banyak lalat <sudah 2 minggu>."


async def _file_with_map(siti: ChatView, telegram: EmulatorClient) -> str:
    await siti.send("📝 Laporan baru", "Apa jenis laporan Anda?")
    await siti.press("Pengaduan", "Pilih kategori")
    await siti.press("Sampah & Lingkungan", "Di kecamatan mana")
    await siti.press("Bengalon", "Di desa/kelurahan mana")
    await siti.press("Sepaso", "Tulis detail alamat")
    await siti.send(ADDRESS, "Kirim titik lokasi")
    await siti.do(lambda: telegram.send_location(SITI, 1.0523, 117.5931), "Ceritakan masalahnya")
    await siti.send(WORDS, "Kirim foto bukti")
    photo = b"\xff\xd8\xff\xe0 tumpukan sampah" * 30
    await siti.do(lambda: telegram.send_photo(SITI, photo), "📷 Foto diterima: 1/5.")
    await siti.press("✅ Selesai (1 foto)", "Pilih kerahasiaan laporan")
    await siti.press("Biasa", "Periksa laporan Anda")
    return tracking_number(await siti.press("📨 Kirim laporan", "Nomor laporan:"))


async def test_the_card_reads_top_down_with_a_short_map_link_and_its_buttons_last(
    running_bot: RunningBot, telegram: EmulatorClient, chat_of: ChatOf, database_url: str
) -> None:
    scenario = await Scenario.start(telegram, database_url, chat_of)
    sepaso, siti = scenario.desa, scenario.citizen
    number = await _file_with_map(siti, telegram)

    card = await card_in(sepaso, number)
    text = str(card["text"])
    # What, where, status and deadline, then the rest; the citizen's words as written.
    order = [
        f"📋 Laporan {number}",
        "Sampah & Lingkungan",
        WORDS,
        "Sepaso, Kec. Bengalon",
        ADDRESS,
        "📍 Lihat peta",
        "Status:",
        "Tenggat:",
        "Unit:",
        "Pelapor: Siti",
    ]
    positions = [text.find(part) for part in order]
    assert all(p >= 0 for p in positions), (positions, text)
    assert positions == sorted(positions), text
    # The status in plain words first, the SP4N-LAPOR! term after it.
    assert "Status: Baru masuk, belum diperiksa (Belum Terverifikasi)" in text
    # The map is a short link, not ~110 characters of URL in the text.
    assert "openstreetmap" not in text
    links = [e for e in card.get("entities") or [] if e.get("type") == "text_link"]
    assert len(links) == 1, card.get("entities")
    assert "mlat=1.052300" in links[0]["url"]

    # The photo comes first (captioned with the number); the card with its buttons is last.
    messages = [m for m in await sepaso.messages() if int(m["message_id"]) > 0]
    photos = [m for m in messages if m.get("photo")]
    assert photos
    assert number in str(photos[-1].get("caption"))
    assert int(photos[-1]["message_id"]) < int(card["message_id"])
    assert messages[-1]["message_id"] == card["message_id"]
    assert labels(card) == ["✅ Verifikasi", "↪️ Alihkan", "⋯ Lainnya"]

    # Pressing a button edits the same card, which keeps the order and the link.
    await scenario.verify(number)
    edited = await card_in(sepaso, number, showing=FORWARDED)
    assert edited["message_id"] == card["message_id"]
    assert "Terdisposisi —" not in str(edited["text"])
    assert "openstreetmap" not in str(edited["text"])
    assert [e for e in edited.get("entities") or [] if e.get("type") == "text_link"]


async def test_a_report_without_a_map_point_has_no_map_line(
    running_bot: RunningBot, telegram: EmulatorClient, chat_of: ChatOf, database_url: str
) -> None:
    scenario = await Scenario.start(telegram, database_url, chat_of)
    _, card = await scenario.file()
    assert "Lihat peta" not in str(card["text"])
    assert str(card["text"]).index("Sampah menumpuk") < str(card["text"]).index("Status:")


async def test_the_officers_guide_leads_with_the_buttons_and_replying_to_the_card(
    running_bot: RunningBot, telegram: EmulatorClient, database_url: str
) -> None:
    _, sepaso, _ = await setup_groups(telegram, database_url)
    guide = next(m for m in await sepaso.messages() if "Panduan petugas" in str(m.get("text")))
    text = str(guide["text"])
    # Commands come last, for power users; the buttons and the reply come first, and the one
    # command before them points to the guide of every other tool (/panduan).
    first_command = text.index("/")
    for lead in ("✅ Verifikasi", "❓ Minta info", "↪️ Alihkan", "balas (reply) kartu"):
        assert 0 <= text.find(lead) < first_command, lead
    assert text[first_command:].startswith("/panduan")
    assert "pengguna mahir" in text[first_command:]
    assert text.rstrip().endswith("/arsipkan NOMOR alasan.")


async def test_places_dates_and_times_as_indonesians_write_them_and_a_button_per_report(
    running_bot: RunningBot, telegram: EmulatorClient, chat_of: ChatOf, database_url: str
) -> None:
    scenario = await Scenario.start(telegram, database_url, chat_of)
    siti = scenario.citizen
    number, card = await scenario.file()
    text = str(card["text"])
    assert "🏘 Desa Sepaso, Kec. Bengalon" in text
    # "Rabu, 2 Desember 2026": no leading zero on the day; the time as "05.57 WITA".
    # The deadline names its stage (issue 26, 7).
    assert re.search(r"\nTenggat: verifikasi paling lambat \w+, [1-9]\d? \w+ \d{4}\n", text), text
    assert re.search(r"\nMasuk: [1-9]\d? \w+ \d{4} \d\d\.\d\d WITA", text), text

    # "Laporan saya": a button per report opens it, no number to type.
    mine = await siti.send("📋 Laporan saya", "📋 Laporan Anda (1)")
    assert "/status" not in str(mine["text"])
    assert labels(mine) == [f"📄 {number}"]
    detail = await siti.press(f"📄 {number}", f"📄 Laporan {number}")
    assert "Lokasi: Desa Sepaso, Kec. Bengalon" in str(detail["text"])


async def test_a_report_moves_to_another_desa_by_choosing_kecamatan_then_desa(
    running_bot: RunningBot,
    telegram: EmulatorClient,
    chat_of: ChatOf,
    database_url: str,
    store: Store,
) -> None:
    scenario = await Scenario.start(telegram, database_url, chat_of)
    sepaso = scenario.desa
    number, _ = await scenario.file()

    picker = await sepaso.press("↪️ Alihkan", "Alihkan ke unit mana?")
    assert "📍 Desa / kecamatan lain…" in labels(picker)
    kecamatan = await sepaso.press("📍 Desa / kecamatan lain…", "Pilih kecamatan tujuan")
    assert kecamatan["message_id"] == picker["message_id"]  # the picker changes in place
    assert {"Kecamatan Bengalon", "Kecamatan Sangatta Utara"} <= set(labels(kecamatan))
    desa = await sepaso.press("Kecamatan Bengalon", "Pilih desa/kelurahan")
    assert "🏢 Kecamatan Bengalon (kantor kecamatan)" in labels(desa)
    assert "Desa Sepaso Barat" in labels(desa)
    assert "Desa Sepaso" not in labels(desa)  # the holder itself is not a destination
    for row in desa["reply_markup"]["inline_keyboard"]:
        for button in row:
            data = str(button["callback_data"])
            assert len(data.encode()) <= 64
            assert data.startswith("u:")
            assert "|" in data  # signed like every button of the bot
    # Back to the kecamatan list and in again: nothing is lost on the way.
    await sepaso.press("⬅️ Kembali", "Pilih kecamatan tujuan")
    await sepaso.press("Kecamatan Bengalon", "Pilih desa/kelurahan")

    prompt = await sepaso.press("Desa Sepaso Barat", "alasan pengalihan")
    await reply(
        sepaso,
        prompt,
        "Lokasinya ternyata masuk wilayah Sepaso Barat.",
        expect_in=sepaso,
        expect="Dialihkan ke Desa Sepaso Barat",
    )
    [report] = await store.reports()
    assert (await unit_of(database_url, report.unit_id)).name == "Desa Sepaso Barat"
    assert any(event.to_unit_id == report.unit_id for event in report.events)
    # Issue 26 (11): Sepaso Barat has no group, so the coordinator holds its new card, which
    # says where the report came from and why.
    moved = await card_in(scenario.coordinator, number, showing="Dialihkan dari Desa Sepaso")
    assert "Alasan: Lokasinya ternyata masuk wilayah Sepaso Barat." in moved["text"]
