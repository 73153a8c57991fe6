"""Voice notes and videos as evidence (issue 28): accepted at the evidence step once their bytes
are what they claim (OGG, MP4) and within their limits, told to the citizen with a word that a
voice or face can identify them; refused politely when renamed or too long, and at the
description step, which still wants words. The unit's group gets them by sendVoice/sendVideo
captioned with the tracking number; the media worker stores them; a voice note sent later on
the open report reaches the unit too. Both frameworks, through the emulator."""

from __future__ import annotations

from typing import TYPE_CHECKING

from emulator import EmulatorClient, TgUser
from tests.e2e.helpers import ChatOf, JsonDict, Until, labels, tracking_number
from tests.e2e.units import SEPASO_GROUP, card_in, setup_groups

if TYPE_CHECKING:
    from tests.e2e.conftest import RunningBot, Store

WARGA = TgUser(id=7770041, first_name="Wati")
DESCRIPTION = "Saluran air tersumbat, air meluap ke jalan setiap hujan."
#: An OGG page header is all the bot judges (the signature), like JPEG photos elsewhere.
VOICE = b"OggS\x00\x02" + b"\x00" * 400
VIDEO = b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 600


async def test_voice_and_video_reach_the_unit_and_the_store(
    running_bot: RunningBot,
    telegram: EmulatorClient,
    chat_of: ChatOf,
    database_url: str,
    store: Store,
    until: Until,
) -> None:
    _, sepaso, _ = await setup_groups(telegram, database_url)
    citizen = chat_of(WARGA)
    await citizen.consent()
    await citizen.send("📝 Laporan baru", "Apa jenis laporan Anda?")
    await citizen.press("Pengaduan", "Pilih kategori")
    await citizen.press("Sampah & Lingkungan", "Di kecamatan mana")
    await citizen.press("Bengalon", "Di desa/kelurahan mana")
    await citizen.press("Sepaso", "Tulis detail alamat")
    await citizen.press("Lewati ➡️", "Kirim titik lokasi")
    await citizen.send("Lewati lokasi ➡️", "Ceritakan masalahnya")
    # A voice note does not stand in for the description.
    await citizen.do(lambda: telegram.send_voice(WARGA, VOICE), "Mohon tuliskan uraian")
    await citizen.send(DESCRIPTION, "Rekaman suara (maks. 3 menit, 5 MB)")

    renamed = b"MZ\x90\x00" + b"\x00" * 300  # a program sent as a voice note
    await citizen.do(lambda: telegram.send_voice(WARGA, renamed), "bukan rekaman suara")
    await citizen.do(lambda: telegram.send_voice(WARGA, VOICE, duration=600), "batas 3 menit, 5 MB")
    await citizen.do(lambda: telegram.send_voice(WARGA, VOICE), "Suara Anda bisa dikenali")
    await citizen.do(lambda: telegram.send_video(WARGA, VIDEO, note=True), "Video diterima")

    async def counted_both() -> bool:  # the evidence keyboard comes after the clip's answer
        return any("✅ Selesai (2 lampiran)" in labels(m) for m in await citizen.messages())

    await until(counted_both, 10)  # clips are no photos: the count says "lampiran"
    await citizen.press("✅ Selesai (2 lampiran)", "Pilih kerahasiaan laporan")
    await citizen.press("Biasa", "Periksa laporan Anda")
    done = await citizen.press("📨 Kirim laporan", "Nomor laporan:")
    number = tracking_number(done)
    card = await card_in(sepaso, number)
    assert "Rekaman bukti: 1 suara, 1 video" in card["text"]
    assert "Foto bukti: tidak ada" in card["text"]  # a clip is no photo

    async def group_clips() -> list[JsonDict]:
        return [m for m in await telegram.messages(SEPASO_GROUP) if "voice" in m or "video" in m]

    async def both_arrived() -> bool:
        return len(await group_clips()) >= 2

    await until(both_arrived, 10)
    voice, video = await group_clips()
    assert number in voice.get("caption", "")
    assert number in video.get("caption", "")
    assert voice["voice"]["mime_type"] == "audio/ogg"

    async def stored() -> bool:
        return all(p.stored_path for p in (await store.reports())[0].photos)

    await until(stored, 10)
    [report] = await store.reports()
    kinds = sorted(p.mime_type for p in report.photos)
    assert kinds == ["audio/ogg", "video/mp4"]
    paths = [str(p.stored_path) for p in sorted(report.photos, key=lambda p: p.position)]
    assert paths[0].endswith(".ogg")
    assert paths[1].endswith(".mp4")
    [submitted] = [e for e in report.events if e.kind == "submitted"]
    assert "bukan rekaman suara" in (submitted.note or "")

    # Later, on the open report: a voice note is a follow-up for the unit.
    await citizen.do(lambda: telegram.send_voice(WARGA, VOICE + b"\x01"), "laporan mana")
    await citizen.press(f"📄 {number}", number)

    async def three() -> bool:
        return len(await group_clips()) >= 3

    await until(three, 10)
