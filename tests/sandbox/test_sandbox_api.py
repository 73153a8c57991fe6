"""The sandbox's page API against the real bot and emulator: what the page does, a person does.

Everything here goes through the page's HTTP API only (the same calls the browser makes), and
is checked in the chats as the emulator holds them, or in the bot's own database.
"""

from __future__ import annotations

import asyncio
import re
from datetime import datetime, timedelta

from sqlalchemy import func, select

from emulator.chat import text_of
from storage.models import Report
from tests.sandbox.conftest import START, WITA, JsonDict, Site, sandbox_settings
from web.sandbox import Sandbox
from web.sandbox.requests import REFUSALS
from web.sandbox.samples import sample
from web.sandbox.server import page_texts

TRACKING = re.compile(r"Nomor laporan: ([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z])")
ROAD = "Jalan di depan SD Sepaso berlubang dalam, sepeda motor sering jatuh saat hujan."


async def wait_for(site: Site, pane: str, contains: str, timeout: float = 10.0) -> JsonDict:
    """The newest bot message of the pane's chat whose text has ``contains``."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        found = [m for m in await site.messages(pane) if m["from_bot"] and contains in text_of(m)]
        if found:
            return found[-1]
        if asyncio.get_running_loop().time() > deadline:
            texts = [text_of(m)[:80] for m in await site.messages(pane)]
            raise TimeoutError(f"{pane}: no message with {contains!r}; chat: {texts!r}")
        await asyncio.sleep(0.05)


async def press(site: Site, pane: str, label: str, expect: str) -> JsonDict:
    """Tap the inline button ``label`` on the newest message showing it, as the page does."""
    for message in reversed(await site.messages(pane)):
        rows = (message.get("reply_markup") or {}).get("inline_keyboard") or []
        for button in (b for row in rows for b in row):
            if button["text"] == label:
                body = {"message_id": message["message_id"], "data": button["callback_data"]}
                await site.post(f"/api/panes/{pane}/press", body)
                return await wait_for(site, pane, expect)
    raise AssertionError(f"{pane}: no button {label!r}")


async def say(site: Site, pane: str, text: str, expect: str, **extra: object) -> JsonDict:
    await site.post(f"/api/panes/{pane}/text", {"text": text, **extra})
    return await wait_for(site, pane, expect)


def reply_keyboard(message: JsonDict) -> list[JsonDict]:
    rows = (message.get("sent_markup") or {}).get("keyboard") or []
    return [button for row in rows for button in row]


async def report_count(site: Site) -> int:
    async with site.sandbox.app.uow_factory() as uow:
        return int(await uow.session.scalar(select(func.count()).select_from(Report)) or 0)


async def test_on_start_the_demo_groups_are_bound_by_their_officers(site: Site) -> None:
    state = await site.get("/api/state")
    keys = [p["key"] for p in state["panes"]]
    assert keys == ["siti", "budi", "wati", "desa", "opd", "koordinator"]
    # As Indonesians write it: no leading zero on the day, a dot between hours and minutes.
    assert re.fullmatch(r"Selasa, 3 Februari 2026 09\.0\d WITA", state["clock"]), state["clock"]
    assert state["texts"]["advance_one"] == "+1 hari kerja"
    english = await site.get("/api/state?lang=en")
    assert re.fullmatch(r"Tuesday, 3 February 2026 09:0\d WITA", english["clock"])
    assert english["texts"]["advance_one"] == "+1 working day"

    for pane, unit in (
        ("desa", "Desa Sepaso"),
        ("opd", "Dinas Pekerjaan Umum dan Penataan Ruang"),
        ("koordinator", "Diskominfo"),
    ):
        chat = await site.messages(pane)
        assert chat[0]["text"].startswith("/daftar ")
        assert not chat[0]["from_bot"]
        assert f"terdaftar untuk {unit}" in text_of(chat[1])
    assert await site.messages("siti") == []


async def test_a_citizen_files_a_road_report_through_the_page_api_and_the_opd_answers(
    site: Site,
) -> None:
    consent = await say(site, "siti", "/start", "Apakah Anda setuju?")
    assert consent["chat"]["type"] == "private"
    menu = await press(site, "siti", "✅ Saya setuju", "Silakan pilih menu di bawah.")
    assert "📝 Laporan baru" in [b["text"] for b in reply_keyboard(menu)]
    await say(site, "siti", "📝 Laporan baru", "Apa jenis laporan Anda?")
    await press(site, "siti", "Pengaduan", "Pilih kategori")
    await press(site, "siti", "Jalan & Jembatan", "Di kecamatan mana")
    await press(site, "siti", "Bengalon", "Di desa/kelurahan mana")
    await press(site, "siti", "Sepaso", "Tulis detail alamat")
    gps = await press(site, "siti", "Lewati ➡️", "Kirim titik lokasi")
    assert any(b.get("request_location") for b in reply_keyboard(gps))
    await site.post("/api/panes/siti/location")
    await wait_for(site, "siti", "Ceritakan masalahnya")
    shared = [m for m in await site.messages("siti") if "location" in m]
    assert shared[-1]["location"] == {"latitude": 0.8302, "longitude": 117.8871}
    await say(site, "siti", ROAD, "Kirim foto bukti")
    await site.post("/api/panes/siti/photo", {"sample": "jalan-berlubang.png"})
    await wait_for(site, "siti", "📷 Foto diterima: 1/5.")
    await press(site, "siti", "✅ Selesai (1 foto)", "Pilih kerahasiaan")
    await press(site, "siti", "Biasa", "Periksa laporan Anda")
    done = await press(site, "siti", "📨 Kirim laporan", "Nomor laporan:")
    found = TRACKING.search(text_of(done))
    assert found
    number = found.group(1)

    # The card reaches Dinas PUPR with the photo, which the page fetches like a client.
    card = await wait_for(site, "opd", f"📋 Laporan {number}")
    assert "Siti Aminah" in text_of(card)
    photos = [m for m in await site.messages("opd") if m.get("photo")]
    assert photos
    async with site.http.get(f"{site.url}/api/files/{photos[-1]['photo'][-1]['file_id']}") as got:
        assert got.status == 200
        assert got.content_type == "image/png"
        assert await got.read() == sample("jalan-berlubang.png").path.read_bytes()

    # Agus verifies, then replies to the card; Siti reads both in her chat.
    await press(site, "opd", "✅ Verifikasi", "Status: Sudah diverifikasi dan diterima unit")
    await wait_for(site, "siti", "sudah diverifikasi")
    answer = "Terima kasih, tim UPT Jalan meninjau lokasi besok pagi."
    sent = await site.post("/api/panes/opd/text", {"text": answer, "reply_to": card["message_id"]})
    assert sent["reply_to_message"]["message_id"] == card["message_id"]
    assert sent["from"]["first_name"] == "Agus"
    relayed = await wait_for(site, "siti", answer)
    assert "Dinas Pekerjaan Umum" in text_of(relayed)
    assert await report_count(site) == 1


async def test_advancing_the_clock_lands_on_working_day_mornings_and_runs_the_jobs(
    site: Site,
) -> None:
    site.sandbox.clock.set(datetime(2026, 2, 6, 15, 0, tzinfo=WITA))  # a Friday afternoon
    one = await site.post("/api/clock/advance", {"days": 1})
    assert one["clock"] == "Senin, 9 Februari 2026 08.00 WITA"
    [monday] = one["rounds"]
    assert monday["day"] == "2026-02-09"
    assert monday["digests"] == 1  # the coordinator's; no unit has anything open
    assert "Ringkasan pagi — Diskominfo" in text_of(
        await wait_for(site, "koordinator", "Ringkasan pagi")
    )

    two = await site.post("/api/clock/advance", {"days": 2, "lang": "en"})
    assert [r["day"] for r in two["rounds"]] == ["2026-02-10", "2026-02-11"]
    assert two["clock"] == "Wednesday, 11 February 2026 08:00 WITA"
    # Imlek: Monday 16 (cuti bersama) and Tuesday 17 February 2026 are skipped.
    site.sandbox.clock.set(datetime(2026, 2, 13, 10, 0, tzinfo=WITA))
    after_imlek = await site.post("/api/clock/advance", {"days": 1})
    assert after_imlek["rounds"][0]["day"] == "2026-02-18"
    await site.post("/api/clock/advance", {"days": 0}, status=400)


async def test_each_message_shows_its_time_and_day_on_the_sandbox_clock(site: Site) -> None:
    """The page writes a message's time and a separator per day from what the server says;
    both follow the sandbox's clock, not the computer's."""
    bound = (await site.get("/api/panes/desa/messages"))[-1]
    assert abs(bound["date"] - START.timestamp()) < 60
    assert re.fullmatch(r"09\.0\d", bound["shown"]["time"]), bound["shown"]
    assert bound["shown"]["day"] == "Selasa, 3 Februari 2026"

    site.sandbox.clock.set(datetime(2026, 11, 27, 15, 0, tzinfo=WITA))  # a Friday
    await site.post("/api/clock/advance", {"days": 1})
    await wait_for(site, "koordinator", "Ringkasan pagi")
    digest = (await site.get("/api/panes/koordinator/messages"))[-1]
    assert digest["shown"] == {"time": "08.00", "day": "Senin, 30 November 2026"}
    english = (await site.get("/api/panes/koordinator/messages?lang=en"))[-1]
    assert english["shown"] == {"time": "08:00", "day": "Monday, 30 November 2026"}


async def test_advancing_several_days_shows_each_days_messages_on_that_day(site: Site) -> None:
    """ "+3 hari kerja": each morning's digest is sent on its own morning, not stamped with a
    later day because the clock moved on before it went out."""
    site.sandbox.clock.set(datetime(2026, 11, 27, 15, 0, tzinfo=WITA))  # a Friday
    await site.post("/api/clock/advance", {"days": 3})
    await site.sandbox.settle()
    digests = [
        m["shown"]
        for m in await site.get("/api/panes/koordinator/messages")
        if "Ringkasan pagi" in text_of(m)
    ]
    assert digests == [
        {"time": "08.00", "day": "Senin, 30 November 2026"},
        {"time": "08.00", "day": "Selasa, 1 Desember 2026"},
        {"time": "08.00", "day": "Rabu, 2 Desember 2026"},
    ]


async def test_the_overdue_scenario_runs_through_reminders_to_the_escalation(site: Site) -> None:
    await site.post("/api/scenarios/terlambat")
    number = TRACKING.search(text_of(await wait_for(site, "siti", "Nomor laporan:")))
    assert number
    reminder = await wait_for(site, "desa", "Pengingat tenggat — Desa Sepaso")
    assert number.group(1) in text_of(reminder)
    escalation = await wait_for(site, "koordinator", "perlu perhatian atasan")
    assert "Desa Sepaso — 1 laporan terlambat" in text_of(escalation)
    # Filed on Tuesday 3 February: verify by Friday 6; escalated on Monday 9.
    assert (await site.get("/api/state"))["clock"] == "Senin, 9 Februari 2026 08.00 WITA"


async def test_the_anonymous_scenario_hides_the_reporter_from_the_desa(site: Site) -> None:
    await site.post("/api/scenarios/anonim")
    card = await wait_for(site, "desa", "📋 Laporan")
    assert "Sampah & Lingkungan" in text_of(card)
    assert "disembunyikan (anonim)" in text_of(card)
    assert not any("Budi" in text_of(m) for m in await site.messages("desa"))
    assert await site.messages("siti") == []


async def test_reset_after_the_road_scenario_leaves_only_the_bound_groups(site: Site) -> None:
    await site.post("/api/scenarios/jalan")
    card = await wait_for(site, "opd", "📋 Laporan")
    assert "Jalan & Jembatan" in text_of(card)
    album = [m for m in await site.messages("siti") if m.get("photo")]
    assert len(album) == 2
    assert len({m["media_group_id"] for m in album}) == 1
    site.sandbox.clock.advance(days=3)

    await site.post("/api/reset")
    assert await report_count(site) == 0
    assert await site.messages("siti") == []
    for pane in ("desa", "opd", "koordinator"):
        texts = [text_of(m) for m in await site.messages(pane)]
        assert "📋 Laporan" not in " ".join(texts)
        assert any("terdaftar untuk" in t for t in texts)
    # The clock is back at the sandbox's start, not three days on.
    assert abs(site.sandbox.now() - START) < timedelta(minutes=1)


async def test_refusals_come_back_as_codes_the_page_says_in_its_language(site: Site) -> None:
    async def refused(path: str, body: JsonDict | None = None, status: int = 400) -> str:
        answer = await site.post(path, body, status=status)
        code = str(answer["error"])
        assert code in REFUSALS, answer
        return code

    assert await refused("/api/panes/siti/text", {"text": "   "}) == "empty_message"
    assert await refused("/api/panes/nobody/text", {"text": "halo"}, 404) == "no_such_pane"
    assert await refused("/api/scenarios/tidak-ada", status=404) == "no_such_scenario"
    photo = {"sample": "../../bot/cli.py"}
    assert await refused("/api/panes/siti/photo", photo) == "no_such_sample"
    for days in (61, 0, "", "abc", None, 2.5):
        assert await refused("/api/clock/advance", {"days": days}) == "days_out_of_range"
    await say(site, "siti", "/start", "Apakah Anda setuju?")
    consent = (await site.messages("siti"))[-1]
    forged = {"message_id": consent["message_id"], "data": "forged"}
    assert await refused("/api/panes/siti/press", forged) == "button_gone"
    long = {"text": "a" * 4097}
    assert await refused("/api/panes/siti/text", long) == "text_too_long"

    # Each code is a text of the page in both languages, and no English leaks into Indonesian.
    indonesian, english = page_texts("id"), page_texts("en")
    for code in REFUSALS:
        assert indonesian[f"error.{code}"] != english[f"error.{code}"], code
    days = indonesian["error.days_out_of_range"]
    assert days == "Jam hanya bisa dimajukan 1 sampai 60 hari kerja."


async def test_a_new_start_on_the_same_folder_begins_empty(site: Site) -> None:
    """The emulator's chats live in memory: a sandbox started again starts afresh, so the bot's
    database never points at messages that are gone."""
    await site.post("/api/scenarios/anonim")
    assert await report_count(site) == 1
    await site.sandbox.stop()
    again = Sandbox(sandbox_settings(), site.sandbox.data_dir, start=START)
    try:
        await again.start()
        async with again.app.uow_factory() as uow:
            assert await uow.session.scalar(select(func.count()).select_from(Report)) == 0
        desa = await again.telegram.history(-1001002)
        assert "terdaftar untuk Desa Sepaso" in text_of(desa[1])
    finally:
        await again.stop()
