"""An image sent as a file never leaves the citizen's hands as it came (security review, finding
2): its name (``Budi_Santoso_KTP_0812345678.png``), EXIF with a GPS position and an owner's name,
PNG text and a JPEG comment reach neither the unit's group nor the media store; the group gets a
photo redrawn from the pixels, under a neutral name, for an anonymous report as for any other."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import TYPE_CHECKING

from emulator import EmulatorClient, TgUser
from runtime.settings import Settings
from tests.e2e.helpers import ChatOf, JsonDict, Until, tracking_number
from tests.e2e.units import SEPASO_GROUP, card_in, setup_groups
from tests.images import SECRETS, assert_clean, jpeg_with_identity, png_with_identity

if TYPE_CHECKING:
    from tests.e2e.conftest import RunningBot, Store

WARGA = TgUser(id=7770031, first_name="Rahmat", last_name="Hidayat", username="rahmat_h")
DESCRIPTION = "Jalan berlubang besar di depan rumah warga, sudah dua minggu tidak diperbaiki."
#: The JPEG's EXIF orientation is applied before redrawing: 64×48 upright is 48×64.
SIZES = ((48, 64), (32, 32))


async def file_bytes(telegram: EmulatorClient, file_id: str) -> bytes:
    found = await telegram.call("getFile", file_id=file_id)
    assert found.get("ok"), found
    return await telegram.download(str(found["result"]["file_path"]))


async def test_files_reach_the_group_and_the_store_redrawn_without_identity(
    running_bot: RunningBot,
    telegram: EmulatorClient,
    chat_of: ChatOf,
    database_url: str,
    store: Store,
    bot_settings: Settings,
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
    await citizen.send(DESCRIPTION, "Kirim foto bukti")
    files = [
        ("IMG_Rahmat_Hidayat.jpg", "image/jpeg", jpeg_with_identity()),
        ("Budi_Santoso_KTP_0812345678.png", "image/png", png_with_identity()),
    ]
    for count, (name, mime, data) in enumerate(files, 1):

        async def send(name: str = name, mime: str = mime, data: bytes = data) -> None:
            await telegram.send_document(WARGA, data, name, mime)

        await citizen.do(send, f"📷 Foto diterima: {count}/5.")
    await citizen.press("✅ Selesai (2 foto)", "Pilih kerahasiaan laporan")
    await citizen.press("Anonim", "Periksa laporan Anda")
    done = await citizen.press("📨 Kirim laporan", "Nomor laporan:")
    await card_in(sepaso, tracking_number(done))

    async def group_photos() -> list[JsonDict]:
        messages = await telegram.messages(SEPASO_GROUP)
        return [m for m in messages if "photo" in m or "document" in m]

    async def both_arrived() -> bool:
        return len(await group_photos()) >= 2

    await until(both_arrived, 10)
    sent = await group_photos()
    assert all("document" not in m for m in sent), "a file went on as the citizen's file"
    for message in sent:
        largest = max(message["photo"], key=lambda size: size.get("file_size", 0))
        assert_clean(await file_bytes(telegram, str(largest["file_id"])), "group", SIZES)

    async def stored() -> bool:
        return all(p.stored_path for p in (await store.reports())[0].photos)

    await until(stored, 10)
    [report] = await store.reports()
    media_dir = Path(bot_settings.media_dir)
    kept = await asyncio.to_thread(lambda: [*media_dir.rglob("*.jpg"), *media_dir.rglob("*.png")])
    assert len(kept) >= 2
    for path in kept:
        content = await asyncio.to_thread(path.read_bytes)
        assert_clean(content, str(path.relative_to(media_dir)), SIZES)
        assert not any(s.decode() in path.name for s in SECRETS)
    assert all("Rahmat" not in (p.file_id + p.file_unique_id) for p in report.photos)


async def test_a_compressed_photo_goes_on_by_its_file_id_and_is_stored_redrawn(
    running_bot: RunningBot,
    telegram: EmulatorClient,
    chat_of: ChatOf,
    database_url: str,
    store: Store,
    bot_settings: Settings,
    until: Until,
) -> None:
    """A photo sent as a photo (Telegram compressed it; its servers re-encode such photos
    without their EXIF, which the emulator does not imitate) reaches the group by its Telegram
    file id: the bot never holds its bytes on the way. What the media worker keeps of it is
    redrawn from the pixels like any other image, even when the bytes still carry GPS and a
    name."""
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
    await citizen.send(DESCRIPTION, "Kirim foto bukti")

    async def send() -> None:
        await telegram.send_photo(WARGA, jpeg_with_identity())

    await citizen.do(send, "📷 Foto diterima: 1/5.")
    await citizen.press("✅ Selesai (1 foto)", "Pilih kerahasiaan laporan")
    await citizen.press("Anonim", "Periksa laporan Anda")
    done = await citizen.press("📨 Kirim laporan", "Nomor laporan:")
    await card_in(sepaso, tracking_number(done))

    async def group_photos() -> list[JsonDict]:
        return [m for m in await telegram.messages(SEPASO_GROUP) if "photo" in m]

    async def arrived() -> bool:
        return len(await group_photos()) >= 1

    await until(arrived, 10)
    [report] = await store.reports()
    [photo] = report.photos
    forwarded = {size["file_unique_id"] for size in (await group_photos())[0]["photo"]}
    assert photo.file_unique_id in forwarded  # the citizen's own Telegram file, not an upload

    async def stored() -> bool:
        return all(p.stored_path for p in (await store.reports())[0].photos)

    await until(stored, 10)
    [kept] = [p.stored_path for p in (await store.reports())[0].photos]
    assert kept is not None
    content = await asyncio.to_thread(Path(kept).read_bytes)
    assert_clean(content, kept, SIZES)
