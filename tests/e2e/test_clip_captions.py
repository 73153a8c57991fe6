"""Clips read as clips (issue 28): the evidence step counts a voice note or video as an
attachment ("📎 Lampiran diterima"), not a photo; in the unit's group each is captioned as a voice
note or a video of its report, not as "📷 Foto bukti"; a voice note the reporter sends later
without words is announced with 🎙️, not 📷. Both frameworks."""

from __future__ import annotations

from typing import TYPE_CHECKING

from emulator import EmulatorClient, TgUser
from tests.e2e.helpers import ChatOf, JsonDict, Until, labels, tracking_number
from tests.e2e.units import SEPASO_GROUP, card_in, setup_groups

if TYPE_CHECKING:
    from tests.e2e.conftest import RunningBot

WARGA = TgUser(id=7770043, first_name="Wulan")
DESCRIPTION = "Saluran air tersumbat, air meluap ke jalan setiap hujan."
VOICE = b"OggS\x00\x02" + b"\x00" * 400
VIDEO = b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 600


async def test_the_group_reads_a_clip_as_a_clip(
    running_bot: RunningBot,
    telegram: EmulatorClient,
    chat_of: ChatOf,
    database_url: str,
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
    await citizen.send(DESCRIPTION, "Rekaman suara (maks. 3 menit, 5 MB)")
    await citizen.do(lambda: telegram.send_voice(WARGA, VOICE), "Suara Anda bisa dikenali")
    await citizen.do(lambda: telegram.send_video(WARGA, VIDEO), "Video diterima")

    async def counted_both() -> bool:
        return any("✅ Selesai (2 lampiran)" in labels(m) for m in await citizen.messages())

    await until(counted_both, 10)
    # The evidence step counts them as attachments, not photos.
    screens = [m for m in await citizen.messages() if "✅ Selesai (2 lampiran)" in labels(m)]
    assert "📎 Lampiran diterima: 2/5." in screens[-1]["text"]
    assert "Foto diterima" not in screens[-1]["text"]
    await citizen.press("✅ Selesai (2 lampiran)", "Pilih kerahasiaan laporan")
    await citizen.press("Biasa", "Periksa laporan Anda")
    number = tracking_number(await citizen.press("📨 Kirim laporan", "Nomor laporan:"))
    await card_in(sepaso, number)

    async def clips() -> list[JsonDict]:
        return [m for m in await telegram.messages(SEPASO_GROUP) if "voice" in m or "video" in m]

    async def both_arrived() -> bool:
        return len(await clips()) >= 2

    await until(both_arrived, 10)
    voice, video = await clips()
    assert voice["caption"] == f"🎙️ Rekaman suara bukti laporan {number}"
    assert video["caption"] == f"🎬 Video bukti laporan {number}"

    # Later, a voice note alone on the open report: the line before it says what it is.
    await citizen.do(lambda: telegram.send_voice(WARGA, VOICE + b"\x01"), "laporan mana")
    await citizen.press(f"📄 {number}", number)
    heading = f"💬 Pesan dari pelapor (laporan {number}):"

    async def announced() -> list[str]:
        return [
            str(m.get("text"))
            for m in await telegram.messages(SEPASO_GROUP)
            if heading in str(m.get("text", ""))
        ]

    async def relayed() -> bool:
        return bool(await announced())

    await until(relayed, 10)
    assert await announced() == [f"{heading}\n\n🎙️"]
