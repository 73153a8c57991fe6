"""The crash suite's WhatsApp citizens (bench/crash_wa.py): a webhook is posted again until the bot
answers 200, and the checks fail on a message lost, doubled without a kill, or not stored."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from aiohttp import web

from bench.crash import CrashConfig
from bench.crash_wa import WaCitizen, WaFigures, measure
from bench.workers import free_port
from bot.whatsapp_events import message_number
from emulator import EmulatorClient
from emulator.whatsapp import FakeWhatsApp, JsonDict
from handlers.actions import SendText, action_to_dict
from storage.models import InboxUpdate, OutboxMessage, WhatsAppDelivery

NOW = datetime(2026, 2, 3, 1, 0, tzinfo=UTC)
CONFIG = CrashConfig(think=(0.0, 0.0), step_timeout=0.5)


@pytest.fixture
async def fake() -> AsyncIterator[FakeWhatsApp]:
    server = FakeWhatsApp()
    await server.start()
    yield server
    await server.stop()


def citizen(fake: FakeWhatsApp, figures: WaFigures, n: int = 0) -> WaCitizen:
    telegram = EmulatorClient("http://127.0.0.1:9", "1:unused")  # opens no session unless called
    return WaCitizen(telegram, fake, n, CONFIG, figures)


async def bot_answering(statuses: list[int]) -> tuple[web.AppRunner, list[bytes]]:
    """A webhook that answers each POST with the next of ``statuses`` (then 200)."""
    bodies: list[bytes] = []

    async def take(request: web.Request) -> web.Response:
        bodies.append(await request.read())
        return web.Response(status=statuses.pop(0) if statuses else 200)

    app = web.Application()
    app.router.add_post("/whatsapp/webhook", take)
    runner = web.AppRunner(app)
    await runner.setup()
    return runner, bodies


async def test_a_webhook_without_a_200_is_posted_again_until_it_is_taken(
    fake: FakeWhatsApp,
) -> None:
    port = free_port()
    fake.webhook_url = f"http://127.0.0.1:{port}/whatsapp/webhook"
    runner, bodies = await bot_answering([503, 500])
    await web.TCPSite(runner, "127.0.0.1", port).start()
    figures = WaFigures(1)
    warga = citizen(fake, figures)
    try:
        await warga.deliver({"type": "text", "text": {"body": "Halo"}})
    finally:
        await runner.cleanup()
    assert len(bodies) == 3
    assert len(set(bodies)) == 1  # the same message, as Meta redelivers it
    assert (figures.posts, figures.redelivered) == (3, 2)
    assert len(warga.taken) == 1


async def test_posting_fails_when_the_bot_never_takes_the_webhook(fake: FakeWhatsApp) -> None:
    fake.webhook_url = f"http://127.0.0.1:{free_port()}/whatsapp/webhook"  # nobody listens
    figures = WaFigures(1)
    warga = citizen(fake, figures)
    with pytest.raises(TimeoutError, match="no 200"):
        await warga.deliver({"type": "text", "text": {"body": "Halo"}})
    assert figures.redelivered >= 2
    assert warga.taken == []


def _run(
    *, taken: bool = True, stored: bool = True, copies: int = 1, copy_at: float = 100.0
) -> WaFigures:
    """One citizen wrote one message and got one row (her number), which the fake took ``copies``
    times: the one recorded after the restart at 15.0, the others (recorded by no row) at
    ``copy_at``; a kill at 10.0."""
    fake = FakeWhatsApp()
    figures = WaFigures(1)
    warga = citizen(fake, figures, n=1)  # a waiting citizen (odd): one path
    if taken:
        warga.taken.append("wamid.IN1")
    inbox = [
        InboxUpdate(
            id=1,
            channel="whatsapp",
            update_id=message_number("wamid.IN1"),
            received_at=NOW,
            processed_at=NOW,
        )
    ]
    row = OutboxMessage(
        id=7,
        channel="whatsapp",
        chat_id=warga.wa_id,
        payload=action_to_dict(SendText(chat_id=warga.wa_id, text="Nomor laporan: ABCD")),
        created_at=NOW,
        sent_at=NOW,
    )
    message: JsonDict = {"to": warga.wa_id, "type": "text", "text": {"body": "Nomor laporan: ABCD"}}
    for n in range(copies):
        fake.sent.append({**message, "id": f"wamid.OUT{n}"})
        fake.sent_at.append(15.0 if n == 0 else copy_at)
    delivery = WhatsAppDelivery(
        wamid="wamid.OUT0", outbox_id=7, status="sent", created_at=NOW, updated_at=NOW
    )
    measure(figures, [warga], fake, inbox if stored else [], [row], [delivery], [], [10.0])
    return figures


def test_a_clean_run_has_no_problem() -> None:
    figures = _run()
    assert figures.problems() == []
    assert (figures.taken, figures.stored, figures.rows, figures.messages) == (1, 1, 1, 1)


def test_a_message_taken_but_not_in_the_inbox_is_a_problem() -> None:
    assert "not stored once" in " ".join(_run(stored=False).problems())


def test_a_second_copy_far_from_any_kill_is_a_problem() -> None:
    figures = _run(copies=2, copy_at=100.0)
    problems = " ".join(figures.problems())
    assert "sent twice (no kill explains it)" in problems
    assert "without one number" in problems


def test_a_row_whose_message_the_fake_never_took_is_a_problem() -> None:
    assert "not sent exactly once" in " ".join(_run(copies=0).problems())


def test_a_second_copy_just_before_a_kill_is_the_known_case() -> None:
    """Sent, answered, and the process killed before it recorded the send: sent again."""
    figures = _run(copies=2, copy_at=9.8)
    assert figures.problems() == []
    assert figures.twice_after_kill == 1
