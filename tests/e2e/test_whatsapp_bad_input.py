"""Messages the bot does not handle, sent on WhatsApp through the fake's signed webhooks
(issue 30): reactions, contacts, stickers, documents that are not images, WhatsApp's
"unsupported" and unknown types, an audio file that is no voice note (a song: refused as Telegram
refuses one; voice notes are evidence, tests/e2e/test_whatsapp_clips.py), a video that is no
MP4. Each gets a short polite answer in the citizen's language; nothing is stored for it and the
conversation stays at its step."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from emulator.whatsapp import FakeWhatsApp, JsonDict
from storage.db import create_engine, session_factory
from storage.models import Conversation, ReportPhoto
from tests.e2e import test_whatsapp_citizen as wa
from tests.e2e.conftest import RunningBot
from tests.whatsapp.citizen import WaCitizen, text_of

WA_ID = "6281299990000"

fake = wa.fake
wa_bot = wa.wa_bot

BAD: dict[str, JsonDict] = {
    "reaction": {"type": "reaction", "reaction": {"message_id": "wamid.OUT1", "emoji": "👍"}},
    "contacts": {
        "type": "contacts",
        "contacts": [{"name": {"formatted_name": "Pak RT"}, "phones": [{"phone": "+62811"}]}],
    },
    "sticker": {"type": "sticker", "sticker": {"id": "123", "mime_type": "image/webp"}},
    "document": {
        "type": "document",
        "document": {"id": "124", "mime_type": "application/pdf", "caption": "surat RT"},
    },
    "unsupported": {"type": "unsupported", "errors": [{"code": 131051, "title": "unsupported"}]},
    "unknown": {"type": "order", "order": {"catalog_id": "1", "product_items": []}},
    "song": {"type": "audio", "audio": {"id": "125", "mime_type": "audio/mpeg", "voice": False}},
    "3gp video": {"type": "video", "video": {"id": "126", "mime_type": "video/3gpp"}},
}


async def _state(database_url: str) -> tuple[Any, ...]:
    engine = create_engine(database_url)
    try:
        async with session_factory(engine)() as session:
            conversation = await session.scalar(
                select(Conversation).where(
                    Conversation.channel == "whatsapp", Conversation.chat_id == WA_ID
                )
            )
            assert conversation is not None
            photos = await session.scalar(select(func.count()).select_from(ReportPhoto))
            return conversation.step, conversation.draft, photos
    finally:
        await engine.dispose()


async def _answered(citizen: WaCitizen, message: JsonDict, words: str) -> str:
    after = len(citizen.fake.sent)
    assert await citizen.fake.incoming(citizen.wa_id, citizen.name, message) == 200
    return text_of(await citizen.expect(words, after))


async def test_unhandled_whatsapp_messages_get_a_polite_answer_and_change_nothing(
    wa_bot: RunningBot, fake: FakeWhatsApp, database_url: str
) -> None:
    citizen = WaCitizen(fake, WA_ID, "Dewi")
    await citizen.send("Halo", "Apakah Anda setuju?")
    await citizen.press("✅ Saya setuju", "Silakan pilih menu")
    # At the menu (no report under way).
    idle = await _state(database_url)
    for kind, message in BAD.items():
        said = await _answered(citizen, message, "jenis pesan ini tidak bisa kami proses")
        assert len(said) < 120, (kind, said)
    assert await _state(database_url) == idle

    # In the middle of a report: the step's question stays open.
    await citizen.press("📝 Laporan baru", "Apa jenis laporan Anda?")
    await citizen.press("Pengaduan", "Pilih kategori")
    await citizen.press("Sampah & Lingkungan", "Di kecamatan mana")
    await citizen.send("bengalon", "Di desa/kelurahan mana")
    await citizen.send("sepaso", "Tulis detail alamat")
    await citizen.press("Lewati ➡️", "Kirim titik lokasi")
    await citizen.send("Lewati lokasi ➡️", "Ceritakan masalahnya")
    before = await _state(database_url)
    for message in BAD.values():
        await _answered(citizen, message, "tidak bisa kami terima pada langkah")
    assert await _state(database_url) == before
    assert fake.refused == []
    await citizen.send("Sampah menumpuk di depan pasar sejak seminggu.", "Kirim foto bukti")
