"""The sandbox's sample voice note (issue 28: "in the sandbox (the demo groups show it)"): the
page's ``/voice`` sends a real OGG/Opus file as a voice message, through the emulator as a
Telegram app does (or the fake Graph API, as WhatsApp does); the bot takes it as evidence at the
evidence step and as a follow-up later, and the unit's demo group gets it with the card's line
counting it. The file itself passes the bot's checks (``core.clips``)."""

from __future__ import annotations

import asyncio
import re

from core.clips import ClipKind, judge_clip, measured_seconds
from core.evidence import EvidenceLimits, EvidenceVerdict
from emulator.chat import text_of
from tests.sandbox.conftest import JsonDict, Site
from tests.sandbox.test_sandbox_api import press, say, wait_for
from tests.sandbox.test_sandbox_whatsapp import wati_sees, wati_taps, wati_types
from web.sandbox.voice_sample import VOICE_SAMPLE, VOICE_SECONDS, silent_voice_note

TRACKING = re.compile(r"Nomor laporan: ([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z])")
ROAD = "Jalan di depan SD Sepaso berlubang dalam, sepeda motor sering jatuh saat hujan."
SAMPAH = "Sampah menumpuk di belakang pasar Sepaso sudah seminggu, baunya menyengat sekali."


def test_the_shipped_sample_is_the_generated_silent_voice_note_and_passes_the_bots_check() -> None:
    content = VOICE_SAMPLE.read_bytes()
    assert content == silent_voice_note()  # `python -m web.sandbox.voice_sample` wrote it
    assert content.startswith(b"OggS")
    assert b"OpusHead" in content
    assert measured_seconds(ClipKind.VOICE, content) == VOICE_SECONDS
    assert judge_clip(ClipKind.VOICE, content, 0, EvidenceLimits()) is EvidenceVerdict.OK


async def voices(site: Site, pane: str) -> list[JsonDict]:
    return [m for m in await site.messages(pane) if m.get("voice")]


async def wait_voices(site: Site, pane: str, count: int, timeout: float = 20.0) -> list[JsonDict]:
    """The pane's voice messages once there are ``count`` of them."""
    deadline = asyncio.get_running_loop().time() + timeout
    while len(found := await voices(site, pane)) < count:
        if asyncio.get_running_loop().time() > deadline:
            raise TimeoutError(f"{pane}: {len(found)} voice notes, not {count}")
        await asyncio.sleep(0.05)
    return found


async def test_siti_sends_the_sample_voice_note_as_evidence_and_as_a_follow_up(site: Site) -> None:
    await say(site, "siti", "/start", "Apakah Anda setuju?")
    await press(site, "siti", "✅ Saya setuju", "Silakan pilih menu di bawah.")
    await say(site, "siti", "📝 Laporan baru", "Apa jenis laporan Anda?")
    await press(site, "siti", "Pengaduan", "Pilih kategori")
    await press(site, "siti", "Jalan & Jembatan", "Di kecamatan mana")
    await press(site, "siti", "Bengalon", "Di desa/kelurahan mana")
    await press(site, "siti", "Sepaso", "Tulis detail alamat")
    await press(site, "siti", "Lewati ➡️", "Kirim titik lokasi")
    await say(site, "siti", "Lewati lokasi ➡️", "Ceritakan masalahnya")
    await say(site, "siti", ROAD, "Kirim foto bukti")

    sent = await site.post("/api/panes/siti/voice", {})
    assert sent["voice"]["duration"] == VOICE_SECONDS  # as a Telegram app declares it
    await wait_for(site, "siti", "Rekaman suara diterima")
    await wait_for(site, "siti", "📎 Lampiran diterima: 1/5.")
    await press(site, "siti", "✅ Selesai (1 lampiran)", "Pilih kerahasiaan")
    await press(site, "siti", "Biasa", "Periksa laporan Anda")
    done = await press(site, "siti", "📨 Kirim laporan", "Nomor laporan:")
    found = TRACKING.search(text_of(done))
    assert found
    number = found.group(1)

    # Dinas PUPR's demo group: the card counts the voice note; the clip itself comes with the
    # tracking number, and the page fetches it as a client does, as OGG.
    card = await wait_for(site, "opd", f"📋 Laporan {number}")
    assert "Rekaman bukti: 1 suara" in text_of(card)
    [clip] = await wait_voices(site, "opd", 1)
    assert clip["caption"] == f"🎙️ Rekaman suara bukti laporan {number}"
    async with site.http.get(f"{site.url}/api/files/{clip['voice']['file_id']}") as got:
        assert got.status == 200
        assert got.content_type == "audio/ogg"
        assert await got.read() == VOICE_SAMPLE.read_bytes()

    # Later, on the open report, the same button sends a follow-up for the unit.
    await site.post("/api/panes/siti/voice", {})
    await wait_for(site, "siti", "laporan mana")
    await press(site, "siti", f"📄 {number}", number)
    later = await wait_voices(site, "opd", 2)
    # It follows the reporter's line naming the report, as their photos do, under the card.
    chat = await site.messages("opd")
    at = next(n for n, m in enumerate(chat) if m["message_id"] == later[-1]["message_id"])
    assert f"Pesan dari pelapor (laporan {number})" in text_of(chat[at - 1])
    assert text_of(chat[at - 1]).endswith("🎙️")  # a voice note, not a photo
    assert number in text_of(later[-1]["reply_to_message"])


async def test_wati_sends_the_sample_voice_note_on_whatsapp(site: Site) -> None:
    await wati_types(site, "Halo", "Apakah Anda setuju?")
    await wati_taps(site, "✅ Saya setuju", "Silakan pilih menu")
    await wati_taps(site, "📝 Laporan baru", "Apa jenis laporan Anda?")
    await wati_taps(site, "Pengaduan", "Pilih kategori")
    await wati_taps(site, "Sampah & Lingkungan", "Di kecamatan mana")
    await wati_types(site, "bengalon", "Di desa/kelurahan mana")
    await wati_types(site, "sepaso", "Tulis detail alamat")
    await wati_taps(site, "Lewati ➡️", "Kirim titik lokasi")
    await wati_taps(site, "Lewati lokasi ➡️", "Ceritakan masalahnya")
    await wati_types(site, SAMPAH, "Kirim foto bukti")
    before = len(await site.messages("wati"))
    await site.post("/api/panes/wati/voice", {})
    await wati_sees(site, "Rekaman suara diterima", after=before)
    # The step's own screen (with "Selesai") is a message of its own, sent after that word.
    await wati_sees(site, "Lampiran diterima: 1/5", after=before)

    # Her chat shows the voice note, served by the page as OGG.
    mine = [m for m in await site.messages("wati") if not m["from_bot"] and m.get("clip")]
    assert [m["clip"]["kind"] for m in mine] == ["voice"]
    async with site.http.get(site.url + mine[0]["clip"]["url"]) as response:
        assert response.status == 200
        assert response.content_type == "audio/ogg"
        assert await response.read() == VOICE_SAMPLE.read_bytes()

    await wati_taps(site, "✅ Selesai (1 lampiran)", "Pilih kerahasiaan")
    await wati_taps(site, "Biasa", "Periksa laporan Anda")
    done = await wati_taps(site, "📨 Kirim laporan", "Nomor laporan:")
    found = TRACKING.search(done["text"])
    assert found, done["text"]
    card = await wait_for(site, "desa", f"Laporan {found.group(1)}")
    assert "Rekaman bukti: 1 suara" in text_of(card)
    [clip] = await wait_voices(site, "desa", 1)
    assert found.group(1) in clip.get("caption", "")
