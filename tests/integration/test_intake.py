"""The intake conversation on a real SQLite file, driven event by event (no Telegram involved)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from handlers.events import ChatKind, MediaKind
from storage.models import Citizen, Conversation, Report, ReportPhoto
from tests.integration.conversation_driver import Driver, buttons, texts

USER = 5001


@pytest.fixture
async def driver(database_url: str) -> AsyncIterator[Driver]:
    d = Driver(database_url)
    await d.start()
    yield d
    await d.close()


async def consent(d: Driver, user: int = USER) -> None:
    actions = await d.text(user, "/start")
    await d.press_data(user, buttons(actions)["✅ Saya setuju"])


async def to_step(d: Driver, step: str, user: int = USER) -> dict[str, str]:
    """Walk a fresh draft to the given step; return that screen's buttons."""
    b = buttons(await d.text(user, "📝 Laporan baru"))
    if step == "type":
        return b
    b = buttons(await d.press_data(user, b["Pengaduan"]))
    if step == "category":
        return b
    b = buttons(await d.press_data(user, b["Air Bersih"]))
    if step == "kecamatan":
        return b
    b = buttons(await d.press_data(user, b["Bengalon"]))
    if step == "desa":
        return b
    b = buttons(await d.press_data(user, next(iter(b.values()))))
    if step == "address":
        return b
    await d.press_data(user, b["Lewati ➡️"])
    b = buttons(await d.text(user, "Lewati lokasi ➡️"))
    if step == "description":
        return b
    b = buttons(await d.text(user, "Air PDAM mati total sejak tiga hari di RT 05."))
    assert step == "photos"
    return b


async def count(d: Driver, model: type) -> int:
    async with d.factory() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_nothing_personal_is_kept_before_consent(driver: Driver) -> None:
    actions = await driver.text(USER, "/start")
    assert "SP4N-LAPOR!" in texts(actions)[0]
    assert "Pemberitahuan privasi" in texts(actions)[0]
    assert await count(driver, Citizen) == 0
    menu = await driver.text(USER, "📝 Laporan baru")
    assert "Apakah Anda setuju?" in texts(menu)[0]
    await driver.press_data(USER, buttons(actions)["✅ Saya setuju"])
    async with driver.factory() as session:
        citizen = await session.scalar(select(Citizen))
    assert citizen is not None
    assert citizen.consent_at == driver.clock.now


async def test_full_report_without_photos_where_category_allows(driver: Driver) -> None:
    await consent(driver)
    b = await to_step(driver, "photos")
    b = buttons(await driver.press_data(USER, b["Lewati ➡️"]))
    b = buttons(await driver.press_data(USER, b["Biasa"]))
    actions = await driver.press_data(USER, b["📨 Kirim laporan"])
    assert "Nomor laporan:" in texts(actions)[-1]
    assert "(3 hari kerja)" in texts(actions)[-1]
    async with driver.factory() as session:
        report = await session.scalar(select(Report))
    assert report is not None
    assert report.status == "baru"
    assert report.region_code.startswith("64.08.")
    # A second press of the same Send button is stale: still one report.
    again = await driver.press_data(USER, b["📨 Kirim laporan"])
    assert "tidak berlaku" in texts(again)[0]
    assert await count(driver, Report) == 1


async def test_typo_in_kecamatan_name_still_finds_it(driver: Driver) -> None:
    await consent(driver)
    await to_step(driver, "kecamatan")
    found = buttons(await driver.text(USER, "sangata utara"))
    assert "Sangatta Utara" in found
    nothing = await driver.text(USER, "qqqzzzxx")
    assert "Tidak ada nama yang mirip" in texts(nothing)[0]


async def test_back_and_cancel(driver: Driver) -> None:
    await consent(driver)
    b = await to_step(driver, "desa")
    back = await driver.press_data(USER, b["⬅️ Kembali"])
    assert "Kecamatan" in " ".join(texts(back))
    asked = await driver.press_data(USER, buttons(back)["✖️ Batal"])
    assert "Batalkan laporan?" in texts(asked)[-1]  # type and category chosen: asked first
    cancelled = await driver.press_data(USER, buttons(asked)["Ya, batalkan"])
    assert "dibatalkan" in " ".join(texts(cancelled))
    async with driver.factory() as session:
        conversation = await session.scalar(select(Conversation))
    assert conversation is not None
    assert conversation.draft == {}
    # Buttons of the cancelled draft are stale now.
    stale = await driver.press_data(USER, b["⬅️ Kembali"])
    assert "tidak berlaku" in texts(stale)[0]


async def test_description_limits(driver: Driver) -> None:
    await consent(driver)
    await to_step(driver, "description")
    short = await driver.text(USER, "rusak")
    assert "terlalu singkat" in texts(short)[0]
    long = await driver.text(USER, "x" * 4097)
    assert "terlalu panjang" in texts(long)[0]
    ok = await driver.text(USER, "Air PDAM mati total sejak tiga hari di RT 05.")
    assert "Foto bukti" in texts(ok)[0]


async def test_photos_album_limit_and_wrong_media(driver: Driver) -> None:
    await consent(driver)
    await to_step(driver, "photos")
    sticker = await driver.media(USER, MediaKind.STICKER)
    assert "tidak bisa kami terima" in texts(sticker)[0]
    voice = await driver.media(USER, MediaKind.VOICE)
    assert "tidak bisa kami terima" in texts(voice)[0]
    await driver.photos(USER, 4, album="album-1")
    sixth = await driver.photos(USER, 2)
    assert "Maksimal 5 foto" in texts(sixth)[0]
    assert "5/5" in texts(sixth)[-1]


async def test_stale_and_forged_buttons(driver: Driver) -> None:
    await consent(driver)
    first = await to_step(driver, "type")
    await driver.press_data(USER, first["Pengaduan"])
    stale = await driver.press_data(USER, first["Aspirasi"])
    assert "tidak berlaku" in texts(stale)[0]
    forged = await driver.press_data(USER, "d:1:type:pengaduan|AAAAAAAA")
    assert "tidak dikenali" in texts(forged)[0]


async def test_group_chat_commands_get_a_pointer_to_private_chat(driver: Driver) -> None:
    actions = await driver.text(USER, "/baru", kind=ChatKind.GROUP)
    assert "chat pribadi" in texts(actions)[0]
    unbound = await driver.text(USER, "/start", kind=ChatKind.GROUP)
    assert "/daftar" in texts(unbound)[0]
    assert await driver.text(USER, "halo semua", kind=ChatKind.GROUP) == []
    assert await count(driver, Citizen) == 0


async def test_a_flood_of_commands_in_a_group_gets_one_warning(driver: Driver) -> None:
    driver.gap = timedelta(seconds=0.1)  # 30 commands within 3 seconds
    replies: list[str] = []
    for _ in range(30):
        replies += texts(await driver.text(USER, "/antrian", kind=ChatKind.GROUP))
        if len(replies) == 1:
            window_start = driver.clock.now
    assert len(replies) == 21  # the first 20 answered, then one warning, then silence
    assert "belum terdaftar" in replies[0]
    assert "Mohon pelan-pelan" in replies[-1]
    # Chatter the bot does not act on is not counted and not answered.
    assert await driver.text(USER + 1, "halo semua", kind=ChatKind.GROUP) == []
    # The window is 10 seconds from the first command: silence until then, answers after.
    driver.gap = timedelta(0)
    driver.clock.now = window_start + timedelta(seconds=9.9)
    assert await driver.text(USER, "/antrian", kind=ChatKind.GROUP) == []
    driver.clock.now = window_start + timedelta(seconds=10)
    assert "belum terdaftar" in texts(await driver.text(USER, "/antrian", kind=ChatKind.GROUP))[0]


async def test_flood_is_throttled_and_makes_one_draft(driver: Driver) -> None:
    await consent(driver)
    driver.clock.advance(seconds=30)
    driver.gap = timedelta(seconds=0.3)  # 30 messages within 9 seconds
    window_start = driver.clock.now + driver.gap
    replies: list[str] = []
    for _ in range(30):
        replies += texts(await driver.text(USER, "📝 Laporan baru"))
    assert sum("pelan-pelan" in r for r in replies) == 1
    assert len(replies) < 30
    async with driver.factory() as session:
        conversations = list(await session.scalars(select(Conversation)))
    assert len(conversations) == 1
    assert await count(driver, Report) == 0
    # Dropped until the 10-second window ends; the next message is answered again.
    driver.gap = timedelta(0)
    driver.clock.now = window_start + timedelta(seconds=9.9)
    assert await driver.text(USER, "/cek") == []
    driver.clock.now = window_start + timedelta(seconds=10)
    assert await driver.text(USER, "/cek") != []


async def test_a_clock_stepped_back_does_not_freeze_the_throttle(driver: Driver) -> None:
    """A system clock set back (NTP, a manual fix) starts a new window instead of keeping the
    chat silenced until the clock catches up with the old one."""
    await consent(driver)
    driver.gap = timedelta(seconds=0.1)
    for _ in range(25):
        await driver.text(USER, "/cek")
    assert await driver.text(USER, "/cek") == []  # throttled
    driver.gap = timedelta(0)
    driver.clock.advance(hours=-1)
    assert await driver.text(USER, "/cek") != []


async def test_unknown_command_and_language_switch(driver: Driver) -> None:
    await consent(driver)
    unknown = await driver.text(USER, "/terbang")
    assert "tidak kami kenal" in texts(unknown)[0]
    choice = buttons(await driver.text(USER, "🌐 Bahasa"))
    switched = await driver.press_data(USER, choice["🇬🇧 English"])
    assert "English" in texts(switched)[1]
    unknown_en = await driver.text(USER, "/fly")
    assert "don't know that command" in texts(unknown_en)[0]


async def test_stale_draft_is_offered_to_resume_or_discard(driver: Driver) -> None:
    await consent(driver)
    await to_step(driver, "description")
    driver.clock.advance(hours=7)
    offer = await driver.text(USER, "Air PDAM mati total sejak tiga hari di RT 05.")
    assert "belum selesai" in texts(offer)[0]
    resumed = await driver.press_data(USER, buttons(offer)["▶️ Lanjutkan"])
    assert "Uraian" in texts(resumed)[-1]


async def test_status_lookup_for_owner_stranger_and_typo(driver: Driver) -> None:
    await consent(driver)
    b = await to_step(driver, "photos")
    await driver.photos(USER, 2, album="a")
    b = buttons(await driver.press_data(USER, b["Lewati ➡️"]))  # stale after photos arrived
    assert b == {}
    async with driver.factory() as session:
        photos_before = await session.scalar(select(func.count()).select_from(ReportPhoto))
    assert photos_before == 0
    asked = await driver.text(USER, "/batal")  # a draft this far asks first
    await driver.press_data(USER, buttons(asked)["Ya, batalkan"])
    b = await to_step(driver, "photos")
    b = buttons(await driver.press_data(USER, b["Lewati ➡️"]))
    b = buttons(await driver.press_data(USER, b["Rahasia"]))
    sent = await driver.press_data(USER, b["📨 Kirim laporan"])
    number = texts(sent)[-1].split("Nomor laporan: ")[1].split("\n")[0]
    own = await driver.text(USER, f"/status {number.lower().replace('-', ' ')}")
    assert "Riwayat:" in texts(own)[0]
    assert "Sedang" not in texts(own)[0]
    assert "Baru, menunggu verifikasi" in texts(own)[0]
    await consent(driver, 7007)
    stranger = await driver.text(7007, f"/status {number}")
    assert "tidak ditemukan, atau bukan laporan Anda" in texts(stranger)[0]
    typo = number[:-1] + ("2" if number[-1] != "2" else "3")
    mistyped = await driver.text(USER, f"/status {typo}")
    assert "salah ketik" in texts(mistyped)[0]


async def test_longest_description_and_address_still_fit_one_message(driver: Driver) -> None:
    await consent(driver)
    b = await to_step(driver, "address")
    await driver.text(USER, "Jl. " + "a" * 196)
    b = buttons(await driver.text(USER, "Lewati lokasi ➡️"))
    photos = await driver.text(USER, "Air mati. " * 409 + "123456")
    assert "Foto bukti" in texts(photos)[0]
    b = buttons(await driver.press_data(USER, buttons(photos)["Lewati ➡️"]))
    summary = await driver.press_data(USER, b["Anonim"])
    assert all(len(text) <= 4096 for text in texts(summary))
    sent = await driver.press_data(USER, buttons(summary)["📨 Kirim laporan"])
    number = texts(sent)[-1].split("Nomor laporan: ")[1].split("\n")[0]
    status = await driver.text(USER, f"/status {number}")
    assert len(texts(status)[0]) <= 4096
    async with driver.factory() as session:
        report = await session.scalar(select(Report))
    assert report is not None
    assert len(report.description) == 4096


async def test_province_deployment_adds_a_kabupaten_step(database_url: str) -> None:
    driver = Driver(database_url, region="64")
    await driver.start()
    try:
        await consent(driver)
        b = buttons(await driver.text(USER, "📝 Laporan baru"))
        b = buttons(await driver.press_data(USER, b["Pengaduan"]))
        screen = await driver.press_data(USER, b["Air Bersih"])
        assert "Kabupaten/kota" in texts(screen)[-1]
        found = buttons(await driver.text(USER, "kutai timor"))
        assert "Kabupaten Kutai Timur" in found
        kecamatan = await driver.press_data(USER, found["Kabupaten Kutai Timur"])
        assert "Kabupaten Kutai Timur" in texts(kecamatan)[-1]
        assert "Bengalon" in buttons(kecamatan)
    finally:
        await driver.close()


async def test_editing_the_location_from_the_summary_returns_to_it(driver: Driver) -> None:
    await consent(driver)
    b = await to_step(driver, "photos")
    b = buttons(await driver.press_data(USER, b["Lewati ➡️"]))
    b = buttons(await driver.press_data(USER, b["Biasa"]))
    fields = buttons(await driver.press_data(USER, b["✏️ Ubah"]))
    kecamatan = buttons(await driver.press_data(USER, fields["Kecamatan"]))
    desa = buttons(await driver.press_data(USER, kecamatan["Berikutnya ▶️"]))
    desa = buttons(await driver.press_data(USER, desa["Sangatta Utara"]))
    summary = await driver.press_data(USER, desa["Swarga Bara"])
    assert "Lokasi: Desa Swarga Bara, Kec. Sangatta Utara" in texts(summary)[-1]
    assert "📨 Kirim laporan" in buttons(summary)


# --- the intake shows what was chosen (issue 17, 2) ------------------------------------------


async def test_each_screen_begins_with_the_choices_so_far(driver: Driver) -> None:
    await consent(driver)
    b = buttons(await driver.text(USER, "📝 Laporan baru"))
    assert texts(await driver.press_data(USER, b["Pengaduan"]))[-1].startswith(
        "Pengaduan\nLangkah 2/9"
    )
    await driver.text(USER, "/batal")
    desa = await to_step(driver, "desa")
    screen = texts(await driver.press_data(USER, desa["Sepaso"]))[-1]
    assert screen.startswith("Pengaduan · Air Bersih · 📍 Desa Sepaso, Kec. Bengalon\n")


async def test_the_kind_of_place_is_the_region_datas(driver: Driver) -> None:
    await consent(driver)
    b = await to_step(driver, "kecamatan")
    b = buttons(await driver.press_data(USER, b["Berikutnya ▶️"]))
    b = buttons(await driver.press_data(USER, b["Sangatta Utara"]))
    screen = texts(await driver.press_data(USER, b["Teluk Lingga"]))[-1]
    assert "📍 Kelurahan Teluk Lingga, Kec. Sangatta Utara" in screen


async def test_a_typed_name_fitting_several_places_is_asked_about(driver: Driver) -> None:
    await consent(driver)
    await to_step(driver, "desa")
    actions = await driver.text(USER, "sepas")
    assert "Hasil untuk “sepas”: ada 4 tempat yang mirip. Yang mana" in texts(actions)[-1]
    assert list(buttons(actions))[:4] == [
        "Sepaso",
        "Sepaso Barat",
        "Sepaso Timur",
        "Sepaso Selatan",
    ]
    async with driver.factory() as session:
        conversation = await session.scalar(select(Conversation))
    assert conversation is not None
    assert "desa" not in conversation.draft  # nothing picked yet


async def test_an_exact_typed_name_is_taken_at_once(driver: Driver) -> None:
    await consent(driver)
    await to_step(driver, "desa")
    screen = texts(await driver.text(USER, "Sepaso  Timur"))[-1]
    assert "Tulis detail alamat" in screen
    assert "📍 Desa Sepaso Timur, Kec. Bengalon" in screen


async def test_one_close_typed_name_is_still_offered_not_taken(driver: Driver) -> None:
    await consent(driver)
    await to_step(driver, "desa")
    actions = await driver.text(USER, "sepasso timor")
    assert "Hasil untuk “sepasso timor”" in texts(actions)[-1]
    assert "Sepaso Timur" in buttons(actions)


async def test_leaving_an_address_is_one_message_and_each_says_what_was_chosen(
    driver: Driver,
) -> None:
    await consent(driver)
    b = await to_step(driver, "address")
    gps = await driver.press_data(USER, b["Lewati ➡️"])
    # No edit of the address screen: one new message, the location step with its reply keyboard.
    gps = [a for a in gps if a["kind"] != "answer_button"]
    assert [a["kind"] for a in gps] == ["send_text"], gps
    assert "Bengalon\nBaik, tanpa detail alamat.\nLangkah 6/9" in texts(gps)[0]
    assert "Kirim titik lokasi" in texts(gps)[0]
    # Leaving the location step takes two messages: the note, which removes the location
    # keyboard (a message carries that or inline buttons, not both), then the next screen.
    skipped = await driver.text(USER, "Lewati lokasi ➡️")
    assert texts(skipped) == ["Baik, tanpa titik lokasi.", texts(skipped)[1]], skipped
    assert skipped[0]["markup"] == {"type": "RemoveKeyboard", "remove": True}
    assert "Bengalon\nLangkah 7/9" in texts(skipped)[1]
    assert "Ceritakan masalahnya" in texts(skipped)[1]
    assert "⬅️ Kembali" in buttons(skipped)
    await driver.text(USER, "⬅️ Kembali")
    saved = await driver.location(USER, 0.51234, 117.60021)
    assert texts(saved)[0] == "📍 Titik lokasi tersimpan.", saved
    assert len(saved) == 2, saved
    assert "Bengalon\nLangkah 7/9" in texts(saved)[1]
    assert "Ceritakan masalahnya" in texts(saved)[1]


async def test_the_hidden_location_keys_act_as_their_buttons_at_later_steps(
    driver: Driver,
) -> None:
    """After the location step its reply keyboard stays behind the keyboard icon until the main
    menu comes back: its keys are never taken as a description or an address."""
    await consent(driver)
    await to_step(driver, "description")
    back = await driver.text(USER, "⬅️ Kembali")  # at the description step: back to location
    assert "Kirim titik lokasi" in texts(back)[-1]
    address = await driver.text(USER, "⬅️ Kembali")  # the location step's own Back
    assert "Tulis detail alamat" in texts(address)[-1]
    again = await driver.text(USER, "Lewati lokasi ➡️")  # not an address
    assert "Tulis detail alamat" in texts(again)[-1]
    assert not any("Kirim titik lokasi" in t for t in texts(again))
    await driver.text(USER, "Jl. Poros RT 3")
    await driver.text(USER, "Lewati lokasi ➡️")
    skip = await driver.text(USER, "Lewati lokasi ➡️")  # at the description step: asked again
    assert "Ceritakan masalahnya" in texts(skip)[-1]
    assert not any("terlalu singkat" in t for t in texts(skip))
    asked = await driver.text(USER, "✖️ Batal")
    assert "Batalkan laporan?" in texts(asked)[-1]
    cancelled = await driver.press_data(USER, buttons(asked)["Ya, batalkan"])
    assert any("dibatalkan" in t for t in texts(cancelled)), texts(cancelled)
    async with driver.factory() as session:
        conversation = await session.scalar(select(Conversation))
    assert conversation is not None
    assert conversation.step == "idle"
