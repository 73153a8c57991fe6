"""WhatsApp's 24-hour window (issue 30): outside it a notice goes as its approved template, one
Meta refuses is kept and the unit told, and everything kept reaches the citizen, free-form and in
order, when they next write, across a restart of the bot. The real pywa client against the fake
Graph API, which refuses free-form messages outside the window (131047) and unknown templates
(132001); the unit on Telegram, on both frameworks."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from pydantic import SecretStr
from sqlalchemy import select

from bot.wa_templates import load_templates
from emulator import EmulatorClient
from emulator.whatsapp import FakeWhatsApp, JsonDict
from runtime.bootstrap import build_app
from runtime.clock import TravellingClock
from runtime.settings import Settings
from storage.db import create_engine, session_factory
from storage.models import ReportEvent, WhatsAppHeld
from tests.e2e.conftest import RunningBot
from tests.e2e.helpers import ChatOf
from tests.e2e.scenario import Scenario
from tests.e2e.test_whatsapp_citizen import NAME, VERIFY_TOKEN, WA_ID, file_on_whatsapp
from tests.e2e.units import KADES, card_in
from tests.whatsapp.citizen import WaCitizen, text_of

STATUS_TEMPLATE = "aduan_kabar_laporan"
MESSAGE_TEMPLATE = "aduan_pesan_petugas"  # not approved on the fake: Meta answers 132001


@pytest.fixture
def clock() -> TravellingClock:
    return TravellingClock()


@pytest.fixture
async def fake(clock: TravellingClock) -> AsyncIterator[FakeWhatsApp]:
    approved = {
        (t.name, t.language): len(t.parameters)
        for t in load_templates().templates
        if t.name != MESSAGE_TEMPLATE
    }
    server = FakeWhatsApp(clock=lambda: clock().timestamp(), templates=approved)
    await server.start()
    yield server
    await server.stop()


class Bots:
    """The bot on WhatsApp and Telegram, which a test may restart (same database, same clock)."""

    def __init__(self, settings: Settings, fake: FakeWhatsApp, clock: TravellingClock) -> None:
        self.settings = settings.model_copy(
            update={
                "whatsapp_phone_number_id": fake.phone_number_id,
                "whatsapp_access_token": SecretStr(fake.access_token),
                "whatsapp_app_secret": SecretStr(fake.app_secret),
                "whatsapp_verify_token": SecretStr(VERIFY_TOKEN),
                "whatsapp_listen": "127.0.0.1:0",
                "whatsapp_api_url": fake.base_url,
            }
        )
        self.fake, self.clock = fake, clock
        self.bot: RunningBot | None = None

    async def start(self) -> None:
        app = await build_app(self.settings, clock=self.clock)
        assert app.webhook is not None
        await app.webhook.start()
        path = self.settings.whatsapp_webhook_path
        self.fake.webhook_url = f"http://127.0.0.1:{app.webhook.port}{path}"
        self.bot = RunningBot(app, asyncio.create_task(app.run()))

    async def stop(self) -> None:
        if self.bot is not None and not self.bot.task.done():
            await self.bot.stop()


@pytest.fixture
async def bots(
    bot_settings: Settings, fake: FakeWhatsApp, clock: TravellingClock
) -> AsyncIterator[Bots]:
    made = Bots(bot_settings, fake, clock)
    await made.start()
    yield made
    await made.stop()


async def _held(database_url: str) -> list[WhatsAppHeld]:
    engine = create_engine(database_url)
    try:
        async with session_factory(engine)() as session:
            return list(await session.scalars(select(WhatsAppHeld).order_by(WhatsAppHeld.id)))
    finally:
        await engine.dispose()


async def _undeliverable_notes(database_url: str) -> list[str]:
    engine = create_engine(database_url)
    try:
        async with session_factory(engine)() as session:
            rows = await session.scalars(
                select(ReportEvent.note).where(ReportEvent.kind == "undeliverable")
            )
            return list(rows)
    finally:
        await engine.dispose()


def _template(message: JsonDict) -> tuple[str, list[str]]:
    template = message["template"]
    values = [
        p["text"]
        for c in template.get("components", [])
        if c["type"] == "body"
        for p in c["parameters"]
    ]
    return str(template["name"]), values


async def test_outside_the_window_a_template_goes_and_the_rest_waits_for_the_citizen(
    bots: Bots,
    fake: FakeWhatsApp,
    clock: TravellingClock,
    telegram: EmulatorClient,
    database_url: str,
    chat_of: ChatOf,
) -> None:
    scenario = await Scenario.start(telegram, database_url, chat_of, consent=False)
    citizen = WaCitizen(fake, WA_ID, NAME)
    number = await file_on_whatsapp(citizen)
    await card_in(scenario.desa, number)
    clock.advance(hours=25)  # the citizen has not written for a day: the window is shut

    # A status change goes as its approved template, with the number and the status in words.
    after = len(fake.sent)
    await telegram.press_button(KADES, "✅ Verifikasi", chat_id=scenario.desa.chat_id)
    sent = await fake.wait_sent(lambda m: m.get("type") == "template", after=after)
    name, values = _template(sent)
    assert (name, values[0]) == (STATUS_TEMPLATE, number)
    assert values[1] not in ("", "-")
    card = await card_in(scenario.desa, number, showing="Sudah diverifikasi")

    # The unit's answer: its template is not approved (Meta: 132001). The unit is told, in its
    # group, naming the report and not the citizen; nothing free-form went.
    before = await scenario.desa.snapshot()
    answer = "Petugas kebersihan datang besok pagi."
    await telegram.send_text(
        KADES, answer, chat_id=scenario.desa.chat_id, reply_to=int(card["message_id"])
    )
    told = await scenario.desa.expect("belum terkirim", before)
    told_text = str(told.get("text", ""))
    assert number in told_text
    for secret in (WA_ID, NAME):
        assert secret not in told_text
    assert [m for m in fake.refused if m.get("type") == "template"], fake.refused
    assert not [m for m in fake.sent[after:] if m.get("type") != "template"]
    held = await _held(database_url)
    assert [(h.reason, h.released_at) for h in held] == [("template", None), ("132001", None)]
    assert "wa_window" in await _undeliverable_notes(database_url)

    # A restart: what waits is in the database. The citizen writes; both messages come, in
    # their order, free-form, and the window is open again for the answer to what they wrote.
    await bots.stop()
    await bots.start()
    after = len(fake.sent)
    await citizen.send("Halo, ada kabar?", answer)
    mine = [text_of(m) for m in fake.sent[after:] if m.get("to") == WA_ID]
    verified = next(i for i, text in enumerate(mine) if "sudah diverifikasi" in text)
    answered = next(i for i, text in enumerate(mine) if answer in text)
    assert verified < answered, mine
    assert all(h.released_at is not None for h in await _held(database_url))
    assert not [m for m in fake.refused if m.get("type") != "template"]


async def test_inside_the_window_notices_go_free_form(
    bots: Bots,
    fake: FakeWhatsApp,
    clock: TravellingClock,
    telegram: EmulatorClient,
    database_url: str,
    chat_of: ChatOf,
) -> None:
    scenario = await Scenario.start(telegram, database_url, chat_of, consent=False)
    citizen = WaCitizen(fake, WA_ID, NAME)
    number = await file_on_whatsapp(citizen)
    await card_in(scenario.desa, number)
    clock.advance(hours=23)  # still inside the 24 hours
    after = len(fake.sent)
    await telegram.press_button(KADES, "✅ Verifikasi", chat_id=scenario.desa.chat_id)
    await citizen.expect("sudah diverifikasi", after)
    assert not [m for m in fake.sent if m.get("type") == "template"]
    assert await _held(database_url) == []
