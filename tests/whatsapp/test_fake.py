"""The loopback fake Graph API refuses what Meta refuses, the real pywa client behind
``WhatsAppChannel`` talks to it, and the outbox paces a WhatsApp chat by Meta's pair rate."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.channels.errors import PermanentError, RetryAfter
from bot.channels.whatsapp_channel import WhatsAppChannel
from emulator.whatsapp import FakeWhatsApp
from runtime.pacing import FloodLimits, FloodScheduler
from tests.whatsapp.citizen import WaCitizen

TO = "6281234567890"


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
async def fake() -> AsyncIterator[FakeWhatsApp]:
    server = FakeWhatsApp(pair_burst=3, timer=Clock())
    server.last_inbound[TO] = server.clock()  # the citizen wrote: the 24-hour window is open
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def channel(fake: FakeWhatsApp, tmp_path: Path) -> AsyncIterator[WhatsAppChannel]:
    made = WhatsAppChannel(
        phone_number_id=fake.phone_number_id,
        token=fake.access_token,
        app_secret=fake.app_secret,
        verify_token="v",
        api_url=fake.base_url,
        media_dir=tmp_path,
    )
    yield made
    await made.close()


def _text(n: int) -> dict[str, object]:
    return {"ops": [{"op": "text", "to": TO, "text": f"pesan {n}"}]}


async def test_the_pair_rate_is_enforced_with_error_131056_as_a_wait(
    fake: FakeWhatsApp, channel: WhatsAppChannel
) -> None:
    for n in range(3):  # the burst
        assert await channel.call("whatsapp", _text(n))
    with pytest.raises(RetryAfter) as waited:
        await channel.call("whatsapp", _text(3))
    assert "131056" in waited.value.description
    assert waited.value.seconds == 6.0
    fake.timer.now += 6.0  # type: ignore[attr-defined]
    assert await channel.call("whatsapp", _text(4))


async def test_too_many_buttons_long_titles_and_long_lists_are_refused(
    fake: FakeWhatsApp, channel: WhatsAppChannel
) -> None:
    four = [(f"B{n}", f"d{n}") for n in range(4)]
    long_title = [("Judul yang terlalu panjang", "d")]
    rows = [{"title": f"Desa {n}", "id": f"d{n}", "description": ""} for n in range(11)]
    for op in (
        {"op": "buttons", "to": TO, "text": "x", "buttons": four},
        {"op": "buttons", "to": TO, "text": "x", "buttons": long_title},
        {"op": "list", "to": TO, "text": "x", "button": "Pilih", "rows": rows},
    ):
        with pytest.raises(PermanentError, match="131009"):
            await channel.call("whatsapp", {"ops": [op]})
    assert len(fake.refused) == 3
    assert fake.sent == []


async def test_media_is_downloaded_through_the_cloud_api(
    fake: FakeWhatsApp, channel: WhatsAppChannel
) -> None:
    media_id = fake.add_media(b"\xff\xd8\xff\xe0 jpeg", "image/jpeg")
    assert await channel.download(media_id) == b"\xff\xd8\xff\xe0 jpeg"
    with pytest.raises(PermanentError):
        await channel.download("404404")


async def test_the_wait_for_a_message_fails_when_none_comes(fake: FakeWhatsApp) -> None:
    citizen = WaCitizen(fake, TO, "Rina", timeout=0.2)
    with pytest.raises(AssertionError, match="no message with 'Nomor laporan'"):
        await citizen.expect("Nomor laporan", 0)


def test_a_whatsapp_chat_is_paced_by_the_pair_rate_a_telegram_chat_by_its_own() -> None:
    limits = FloodLimits(per_second=0, chat_per_second=1.0, channel_chat=(("whatsapp", 1 / 6, 3),))
    scheduler = FloodScheduler(limits)
    wa, tg = ("whatsapp", TO), ("telegram", "1001")
    assert scheduler.chat_allowance(wa, 0.0) == 3
    for _ in range(3):
        scheduler.take(wa, 0.0)
        scheduler.take(tg, 0.0)
    assert scheduler.chat_allowance(wa, 1.0) == 0  # Telegram's chat refilled by now
    assert scheduler.chat_allowance(tg, 1.0) >= 1
    assert scheduler.chat_ready_at(wa, 1.0) == pytest.approx(6.0)


def test_whatsapp_on_without_its_secrets_or_a_listener_refuses_to_start(tmp_path: Path) -> None:
    from pydantic import SecretStr

    from locales import Catalogs
    from runtime.settings import Settings
    from runtime.whatsapp import make_whatsapp_channel

    settings = Settings(_env_file=None, whatsapp_phone_number_id="1", media_dir=tmp_path)
    with pytest.raises(ValueError, match="WHATSAPP_ACCESS_TOKEN"):
        make_whatsapp_channel(settings, Catalogs())
    secrets = {
        "whatsapp_access_token": SecretStr("t"),
        "whatsapp_app_secret": SecretStr("s"),
        "whatsapp_verify_token": SecretStr("v"),
    }
    with pytest.raises(ValueError, match="WHATSAPP_LISTEN"):
        make_whatsapp_channel(settings.model_copy(update=secrets), Catalogs())
    assert make_whatsapp_channel(Settings(_env_file=None), Catalogs()) is None


def test_one_listener_serves_both_webhooks_in_webhook_mode() -> None:
    from runtime.webhook import Listen, WebhookServer
    from runtime.whatsapp_webhook import WhatsAppWebhook

    async def nothing(_: object) -> int:
        return 0

    async def ready() -> None:
        return None

    whatsapp = WhatsAppWebhook(
        path="/whatsapp/webhook",
        phone_number_id="1",
        app_secret="s",
        verify_token="v",
        store=nothing,
    )

    def served(telegram: bool) -> set[tuple[str, str]]:
        server = WebhookServer(
            listen=Listen("127.0.0.1", 0),
            path="/telegram/webhook",
            secret="x",
            on_update=nothing,  # type: ignore[arg-type]
            ready=ready,
            telegram=telegram,
            routes=(whatsapp.add_routes,),
        )
        routes = server.app().router.routes()
        return {(r.method, r.resource.canonical) for r in routes if r.resource is not None}

    both = served(telegram=True)
    assert {("POST", "/telegram/webhook"), ("POST", "/whatsapp/webhook")} <= both
    assert ("GET", "/whatsapp/webhook") in both
    assert ("POST", "/telegram/webhook") not in served(telegram=False)  # Telegram is polled
