"""A citizen on WhatsApp files a report end to end, the unit works in its Telegram group (issue
30): the real pywa client against the loopback fake Graph API (``emulator.whatsapp``), the real
bot on both Telegram frameworks."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator

import pytest
from pydantic import SecretStr
from sqlalchemy import func, select

from emulator import EmulatorClient
from emulator.whatsapp import FakeWhatsApp
from runtime.bootstrap import build_app
from runtime.settings import Settings
from storage.db import create_engine, session_factory
from storage.models import Citizen, InboxUpdate, OutboxMessage, Report
from tests.e2e.conftest import RunningBot
from tests.e2e.helpers import ChatOf
from tests.e2e.scenario import Scenario
from tests.e2e.units import KADES, SAMPAH, card_in
from tests.images import plain_jpeg
from tests.whatsapp.citizen import WaCitizen, text_of

WA_ID = "6281234567890"
NAME = "Rina Wati"
VERIFY_TOKEN = "verify-me"
TRACKING = re.compile(r"Nomor laporan: ([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z])")


@pytest.fixture
async def fake() -> AsyncIterator[FakeWhatsApp]:
    server = FakeWhatsApp()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def wa_bot(bot_settings: Settings, fake: FakeWhatsApp) -> AsyncIterator[RunningBot]:
    settings = bot_settings.model_copy(
        update={
            "whatsapp_phone_number_id": fake.phone_number_id,
            "whatsapp_access_token": SecretStr(fake.access_token),
            "whatsapp_app_secret": SecretStr(fake.app_secret),
            "whatsapp_verify_token": SecretStr(VERIFY_TOKEN),
            "whatsapp_listen": "127.0.0.1:0",
            "whatsapp_api_url": fake.base_url,
        }
    )
    app = await build_app(settings)
    assert app.webhook is not None
    await app.webhook.start()
    fake.webhook_url = f"http://127.0.0.1:{app.webhook.port}{settings.whatsapp_webhook_path}"
    bot = RunningBot(app, asyncio.create_task(app.run()))
    yield bot
    if not bot.task.done():
        await bot.stop()


async def _count(database_url: str, statement: object) -> int:
    engine = create_engine(database_url)
    try:
        async with session_factory(engine)() as session:
            return int(await session.scalar(statement))  # type: ignore[call-overload]
    finally:
        await engine.dispose()


async def file_on_whatsapp(citizen: WaCitizen, privacy: str = "Biasa", *, gps: bool = False) -> str:
    await citizen.send("Halo", "Apakah Anda setuju?")
    await citizen.press("✅ Saya setuju", "Silakan pilih menu")
    await citizen.press("📝 Laporan baru", "Apa jenis laporan Anda?")
    await citizen.press("Pengaduan", "Pilih kategori")
    await citizen.press("Sampah & Lingkungan", "Di kecamatan mana")
    await citizen.send("bengalon", "Di desa/kelurahan mana")
    await citizen.send("sepaso", "Tulis detail alamat")
    await citizen.press("Lewati ➡️", "Kirim titik lokasi")
    if gps:  # WhatsApp's location message, asked for by its location request
        kinds = [m.get("interactive", {}).get("type") for m in citizen.mine()[-3:]]
        assert "location_request_message" in kinds, [
            (text_of(m)[:60], m.get("interactive", {}).get("type")) for m in citizen.mine()[-3:]
        ]
        where = {"type": "location", "location": {"latitude": 0.51234, "longitude": 117.60021}}
        await citizen._do(where, "Ceritakan masalahnya")
    else:
        await citizen.send("Lewati lokasi ➡️", "Ceritakan masalahnya")
    await citizen.send(SAMPAH, "Kirim foto bukti")
    await citizen.send_photo(plain_jpeg(7), "Foto diterima: 1/5.")
    await citizen.press("✅ Selesai (1 foto)", "Pilih kerahasiaan laporan")
    await citizen.press(privacy, "Periksa laporan Anda")
    done = await citizen.press("📨 Kirim laporan", "Nomor laporan:")
    found = TRACKING.search(text_of(done))
    assert found, text_of(done)
    return found.group(1)


async def test_a_whatsapp_citizen_files_and_hears_the_unit(
    wa_bot: RunningBot,
    fake: FakeWhatsApp,
    telegram: EmulatorClient,
    database_url: str,
    chat_of: ChatOf,
) -> None:
    scenario = await Scenario.start(telegram, database_url, chat_of, consent=False)
    citizen = WaCitizen(fake, WA_ID, NAME)
    number = await file_on_whatsapp(citizen, gps=True)

    card = await card_in(scenario.desa, number)
    assert "Masuk lewat WhatsApp" in card["text"]
    assert "Lihat peta" in card["text"]
    assert WA_ID not in card["text"]
    assert NAME in card["text"]  # biasa: the unit sees the name, never the number

    await telegram.press_button(KADES, "✅ Verifikasi", chat_id=scenario.desa.chat_id)
    after = len(fake.sent)
    await citizen.expect("sudah diverifikasi", after)
    card = await card_in(scenario.desa, number, showing="Sudah diverifikasi")
    after = len(fake.sent)
    answer = "Petugas kebersihan datang besok pagi, terima kasih."
    await telegram.send_text(
        KADES, answer, chat_id=scenario.desa.chat_id, reply_to=int(card["message_id"])
    )
    await citizen.expect(answer, after)

    # The unit asks; the citizen answers by quoting the question on WhatsApp; the unit reads it.
    prompt = await scenario.desa.do(
        lambda: telegram.press_button(KADES, "❓ Minta info", chat_id=scenario.desa.chat_id),
        "balas pesan ini dengan pertanyaan",
    )
    question = "Di sebelah mana tepatnya tumpukan sampahnya?"
    after = len(fake.sent)
    await telegram.send_text(
        KADES, question, chat_id=scenario.desa.chat_id, reply_to=int(prompt["message_id"])
    )
    asked = await citizen.expect(question, after)
    before = await scenario.desa.snapshot()
    await citizen.reply(asked, "Di depan masjid, dekat pos ronda.")
    relayed = await scenario.desa.expect("Pesan dari pelapor", before)
    assert "Di depan masjid" in str(relayed.get("text", ""))

    # A sticker is not evidence: a polite answer, nothing stored for it.
    after = len(fake.sent)
    await fake.incoming(WA_ID, NAME, {"type": "sticker", "sticker": {"id": "5"}})
    await fake.wait_sent(lambda m: m.get("to") == WA_ID, after=after)

    # Every interactive message kept to WhatsApp's limits (the fake refuses the others).
    assert fake.refused == []
    citizens = await _count(
        database_url, select(func.count()).select_from(Citizen).where(Citizen.channel == "whatsapp")
    )
    reports = await _count(
        database_url, select(func.count()).select_from(Report).where(Report.channel == "whatsapp")
    )
    assert (citizens, reports) == (1, 1)
    # The evidence reached the unit's group as an uploaded photo (WhatsApp's media id means
    # nothing to Telegram), and the outbox gave up on nothing.
    album = [m for m in await scenario.desa.messages() if m.get("photo")]
    assert album, "no evidence photo in the unit's group"
    failed = await _count(
        database_url,
        select(func.count()).select_from(OutboxMessage).where(OutboxMessage.failed_at.is_not(None)),
    )
    assert failed == 0


async def test_an_anonymous_whatsapp_report_never_shows_the_number_or_name(
    wa_bot: RunningBot,
    fake: FakeWhatsApp,
    telegram: EmulatorClient,
    database_url: str,
    chat_of: ChatOf,
) -> None:
    scenario = await Scenario.start(telegram, database_url, chat_of, consent=False)
    number = await file_on_whatsapp(WaCitizen(fake, WA_ID, NAME), privacy="Anonim")
    card = await card_in(scenario.desa, number)
    for secret in (WA_ID, NAME, "Rina"):
        assert secret not in card["text"]


async def test_the_webhook_checks_signatures_numbers_and_redeliveries(
    wa_bot: RunningBot, fake: FakeWhatsApp, database_url: str
) -> None:
    body = fake.webhook_body(WA_ID, NAME, {"type": "text", "text": {"body": "Halo"}})
    stored = select(func.count()).select_from(InboxUpdate).where(InboxUpdate.channel == "whatsapp")
    assert await fake.post_webhook(body, signature=None) == 403
    assert await fake.post_webhook(body, signature="sha256=" + "0" * 64) == 403
    other = fake.webhook_body(WA_ID, NAME, {"type": "text"}, phone_number_id="999")
    assert await fake.post_webhook(other) == 403
    assert await _count(database_url, stored) == 0
    assert await fake.post_webhook(body) == 200
    assert await fake.post_webhook(body) == 200  # Meta's redelivery of the same message
    assert await _count(database_url, stored) == 1
    # Signed but not a webhook, or too large: refused with a reason, nothing stored.
    assert await fake.post_webhook(b"[1, 2]") == 400
    assert await fake.post_webhook(b"{" + b" " * (1024 * 1024 + 10) + b"}") == 413
    assert await _count(database_url, stored) == 1
    # Meta's verification challenge.
    async with fake._session.get(  # type: ignore[union-attr]
        fake.webhook_url,
        params={"hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "42"},
    ) as response:
        assert (response.status, await response.text()) == (200, "42")
    async with fake._session.get(  # type: ignore[union-attr]
        fake.webhook_url,
        params={"hub.mode": "subscribe", "hub.verify_token": "wrong", "hub.challenge": "42"},
    ) as response:
        assert response.status == 403


async def test_a_whatsapp_citizen_confirms_rates_and_finds_the_report(
    wa_bot: RunningBot,
    fake: FakeWhatsApp,
    telegram: EmulatorClient,
    database_url: str,
    chat_of: ChatOf,
) -> None:
    scenario = await Scenario.start(telegram, database_url, chat_of, consent=False)
    citizen = WaCitizen(fake, WA_ID, NAME)
    number = await file_on_whatsapp(citizen)
    await card_in(scenario.desa, number)
    after = len(fake.sent)
    await telegram.press_button(KADES, "✅ Verifikasi", chat_id=scenario.desa.chat_id)
    await citizen.expect("sudah diverifikasi", after)
    await card_in(scenario.desa, number, showing="Sudah diverifikasi")

    prompt = await scenario.desa.press("🏁 Selesai", "jawaban akhir")
    after = len(fake.sent)
    await telegram.send_text(
        KADES,
        "Sampah sudah diangkut hari ini.",
        chat_id=scenario.desa.chat_id,
        reply_to=int(prompt["message_id"]),
    )
    await citizen.expect("sudah selesai", after)
    await citizen.press("👍 Sudah selesai", "Seberapa puas")
    before = await scenario.desa.snapshot()
    await citizen.press("⭐⭐⭐⭐⭐", "")
    await scenario.desa.expect("memberi nilai 5/5", before)
    mine = await citizen.press("📋 Laporan saya", number)
    assert number in text_of(mine)
    # An old screen's button is refused in words (WhatsApp has no alert box).
    await citizen.press("Pengaduan", "sudah tidak berlaku")
    assert fake.refused == []
