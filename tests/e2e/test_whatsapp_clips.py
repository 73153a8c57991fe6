"""Voice notes and videos between a WhatsApp citizen and the unit's Telegram group (issue 30),
as on Telegram (tests/e2e/test_voice_evidence.py, test_officer_clips.py).

The citizen's voice note and video are downloaded through the Cloud API, judged by their bytes
and length (WhatsApp declares none: it is measured), kept as they came, and reach the unit's
group as uploads (sendVoice/sendVideo) captioned with the tracking number; the media worker
stores them. An officer's voice note and video replied to the card are downloaded from Telegram
and uploaded through the Cloud API to the citizen, as the unit's photos are. Both frameworks."""

from __future__ import annotations

import asyncio
import base64
import hashlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from emulator import EmulatorClient
from emulator.whatsapp import FakeWhatsApp, JsonDict
from runtime.settings import Settings
from tests.clip_bytes import video_of, voice_of
from tests.e2e import test_whatsapp_citizen as wa
from tests.e2e.conftest import RunningBot
from tests.e2e.helpers import ChatOf, Until
from tests.e2e.scenario import Scenario
from tests.e2e.units import KADES, SAMPAH, SEPASO_GROUP, card_in
from tests.images import plain_jpeg
from tests.whatsapp.citizen import WaCitizen, text_of

if TYPE_CHECKING:
    from tests.e2e.conftest import Store

WA_ID = "6281277770000"
NAME = "Nur"

wa_bot = wa.wa_bot
#: A long conversation: more messages to one number than Meta's burst of 45 (then one every 6 s:
#: docs/whatsapp.md, "Pacing"); the bot and the fake both allow more here.
BURST = 200.0


@pytest.fixture
async def fake() -> AsyncIterator[FakeWhatsApp]:
    server = FakeWhatsApp(pair_burst=BURST)
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
def bot_settings(bot_settings: Settings) -> Settings:
    return bot_settings.model_copy(update={"whatsapp_pair_burst": BURST})


VOICE = voice_of(40)
VIDEO = video_of(25)


async def _clip(citizen: WaCitizen, kind: str, content: bytes, mime: str, words: str) -> None:
    media_id = citizen.fake.add_media(content, mime.split(";")[0])
    digest = base64.b64encode(hashlib.sha256(content).digest()).decode()
    media: JsonDict = {"id": media_id, "mime_type": mime, "sha256": digest}
    if kind == "audio":
        media["voice"] = True
    await citizen._do({"type": kind, kind: media}, words)


async def test_a_whatsapp_citizens_voice_note_and_video_reach_the_units_group(
    wa_bot: RunningBot,
    fake: FakeWhatsApp,
    telegram: EmulatorClient,
    database_url: str,
    chat_of: ChatOf,
    store: Store,
    until: Until,
) -> None:
    scenario = await Scenario.start(telegram, database_url, chat_of, consent=False)
    citizen = WaCitizen(fake, WA_ID, NAME)
    await citizen.send("Halo", "Apakah Anda setuju?")
    await citizen.press("✅ Saya setuju", "Silakan pilih menu")
    await citizen.press("📝 Laporan baru", "Apa jenis laporan Anda?")
    await citizen.press("Pengaduan", "Pilih kategori")
    await citizen.press("Sampah & Lingkungan", "Di kecamatan mana")
    await citizen.send("bengalon", "Di desa/kelurahan mana")
    await citizen.send("sepaso", "Tulis detail alamat")
    await citizen.press("Lewati ➡️", "Kirim titik lokasi")
    await citizen.send("Lewati lokasi ➡️", "Ceritakan masalahnya")
    # A voice note does not stand in for the description, as on Telegram.
    await _clip(citizen, "audio", VOICE, "audio/ogg; codecs=opus", "Mohon tuliskan uraian")
    await citizen.send(SAMPAH, "Rekaman suara (maks. 3 menit, 5 MB)")

    renamed = b"MZ\x90\x00" + b"\x00" * 300  # a program sent as a voice note
    await _clip(citizen, "audio", renamed, "audio/ogg; codecs=opus", "bukan rekaman suara")
    # Four minutes: WhatsApp declares no length, the bytes tell it.
    await _clip(citizen, "audio", voice_of(240), "audio/ogg; codecs=opus", "batas 3 menit, 5 MB")
    await _clip(citizen, "audio", VOICE, "audio/ogg; codecs=opus", "Suara Anda bisa dikenali")
    await _clip(citizen, "video", VIDEO, "video/mp4", "Video diterima")

    async def counted_both() -> bool:  # the evidence keyboard comes after the clip's answer
        return any(
            "✅ Selesai (2 lampiran)" in str(m.get("interactive", "")) for m in citizen.mine()
        )

    await until(counted_both, 10)
    await citizen.press("✅ Selesai (2 lampiran)", "Pilih kerahasiaan laporan")
    await citizen.press("Biasa", "Periksa laporan Anda")
    done = await citizen.press("📨 Kirim laporan", "Nomor laporan:")
    found = wa.TRACKING.search(text_of(done))
    assert found, text_of(done)
    number = found.group(1)

    card = await card_in(scenario.desa, number)
    assert "Rekaman bukti: 1 suara, 1 video" in card["text"]
    assert "Masuk lewat WhatsApp" in card["text"]

    async def group_clips() -> list[JsonDict]:
        return [m for m in await telegram.messages(SEPASO_GROUP) if "voice" in m or "video" in m]

    async def both_arrived() -> bool:
        return len(await group_clips()) >= 2

    await until(both_arrived, 10)
    voice, video = await group_clips()
    assert number in voice.get("caption", "")
    assert number in video.get("caption", "")
    assert voice["voice"]["file_size"] == len(VOICE)  # uploaded from the kept copy
    assert video["video"]["file_size"] == len(VIDEO)

    async def stored() -> bool:
        reports = await store.reports()
        return bool(reports) and all(p.stored_path for p in reports[0].photos)

    await until(stored, 10)
    [report] = await store.reports()
    kept = sorted(report.photos, key=lambda p: p.position)
    assert [p.mime_type for p in kept] == ["audio/ogg", "video/mp4"]
    paths = [Path(str(p.stored_path)) for p in kept]
    assert await asyncio.gather(*(asyncio.to_thread(p.read_bytes) for p in paths)) == [
        VOICE,
        VIDEO,
    ]
    assert all(p.file_id.startswith("local:") for p in kept)  # never WhatsApp's media id
    [submitted] = [e for e in report.events if e.kind == "submitted"]
    assert "bukan rekaman suara" in (submitted.note or "")

    # Later, on the open report: a voice note is a follow-up the unit hears (held until the
    # citizen says which report, as on Telegram).
    later = voice_of(12)
    await _clip(citizen, "audio", later, "audio/ogg; codecs=opus", "laporan mana")
    await citizen.press(f"📄 {number}", number)

    async def three() -> bool:
        return len(await group_clips()) >= 3

    await until(three, 10)
    assert (await group_clips())[-1]["voice"]["file_size"] == len(later)
    # A photo held the same way (until the citizen says which report) is a cleaned copy too.
    await citizen.send_photo(plain_jpeg(9), "laporan mana")
    # No second "passed on" in one burst (handlers/followup.py): the group shows it arrived.
    assert await fake.incoming(WA_ID, NAME, citizen.tap(f"📄 {number}")) == 200

    async def photo_arrived() -> bool:
        return any("photo" in m for m in await telegram.messages(SEPASO_GROUP))

    await until(photo_arrived, 10)
    assert fake.refused == []
    assert not [m for m in citizen.mine() if "tidak bisa kami" in text_of(m)]


async def test_an_officers_voice_note_and_video_reach_the_whatsapp_citizen(
    wa_bot: RunningBot,
    fake: FakeWhatsApp,
    telegram: EmulatorClient,
    database_url: str,
    chat_of: ChatOf,
) -> None:
    scenario = await Scenario.start(telegram, database_url, chat_of, consent=False)
    citizen = WaCitizen(fake, WA_ID, NAME)
    number = await wa.file_on_whatsapp(citizen)
    await card_in(scenario.desa, number)
    after = len(fake.sent)
    await telegram.press_button(KADES, "✅ Verifikasi", chat_id=scenario.desa.chat_id)
    await citizen.expect("sudah diverifikasi", after)
    card = await card_in(scenario.desa, number, showing="Sudah diverifikasi")

    after = len(fake.sent)
    await telegram.send_voice(KADES, VOICE, chat_id=SEPASO_GROUP, reply_to=int(card["message_id"]))
    audio = await fake.wait_sent(
        lambda m: m.get("to") == WA_ID and m.get("type") == "audio", after=after
    )
    assert fake.media[audio["audio"]["id"]] == (VOICE, "audio/ogg")

    after = len(fake.sent)
    await telegram.send_video(KADES, VIDEO, chat_id=SEPASO_GROUP, reply_to=int(card["message_id"]))
    video = await fake.wait_sent(
        lambda m: m.get("to") == WA_ID and m.get("type") == "video", after=after
    )
    assert fake.media[video["video"]["id"]] == (VIDEO, "video/mp4")
    assert len(fake.uploads) == 2
    assert fake.refused == []
