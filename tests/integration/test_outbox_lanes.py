"""WhatsApp's overall rate is a lane of its own (issue 30): a burst of Telegram notifications and
a burst of WhatsApp ones drain together, each at its own limit, measured by the times the
emulator and the fake Graph API accepted each send. Neither refuses anything, so each lane kept
to its limit; and some second holds more sends than one shared lane would ever allow."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.channels.base import Channel
from bot.channels.whatsapp_channel import WhatsAppChannel
from emulator import Emulator, EmulatorClient
from emulator.whatsapp import FakeWhatsApp
from handlers.actions import SendText, action_to_dict
from runtime.clock import system_clock
from runtime.outbox import OutboxWorker
from tests.emulated import TOKEN
from tests.integration import test_outbox_delivery as delivery
from tests.integration.test_outbox_delivery import Database, drain, register

db = delivery.db
# The emulator and the fake enforce Telegram's 30/s and Meta's 80/s; the worker's Telegram lane
# runs at 10/s here, so a second of a shared lane (its rate and half a second's burst: 15) is
# far from what WhatsApp's own lane sends.
TELEGRAM_RATE, WHATSAPP_RATE, TELEGRAM_LANE = 30.0, 80.0, 10.0
SHARED_SECOND = TELEGRAM_LANE * 1.5
TELEGRAM_CHATS, WHATSAPP_CHATS = 30, 90


@pytest.fixture
async def whatsapp(tmp_path: Path) -> AsyncIterator[tuple[FakeWhatsApp, WhatsAppChannel]]:
    fake = FakeWhatsApp(per_second=WHATSAPP_RATE)
    await fake.start()
    channel = WhatsAppChannel(
        phone_number_id=fake.phone_number_id,
        token=fake.access_token,
        app_secret=fake.app_secret,
        verify_token="v",
        api_url=fake.base_url,
        media_dir=tmp_path,
    )
    yield fake, channel
    await channel.close()
    await fake.stop()


def busiest_second(moments: list[float]) -> int:
    """The most of ``moments`` any one second holds."""
    ordered = sorted(moments)
    return max((sum(1 for t in ordered if s <= t < s + 1.0) for s in ordered), default=0)


async def test_a_telegram_burst_and_a_whatsapp_burst_do_not_share_a_second(
    db: Database,
    emulator: Emulator,
    channel: Channel,
    whatsapp: tuple[FakeWhatsApp, WhatsAppChannel],
) -> None:
    fake, wa_channel = whatsapp
    async with EmulatorClient(emulator.base_url, TOKEN) as telegram:
        await telegram.set_flood_limits(True, global_per_second=TELEGRAM_RATE)
        tg_chats = [2000 + n for n in range(TELEGRAM_CHATS)]
        await register(telegram, tg_chats)
        async with db.uow() as uow:
            for n in range(max(TELEGRAM_CHATS, WHATSAPP_CHATS)):
                if n < TELEGRAM_CHATS:
                    text = SendText(chat_id=str(tg_chats[n]), text=f"pemberitahuan {n}")
                    uow.outbox.add(
                        channel="telegram",
                        chat_id=text.chat_id,
                        payload=action_to_dict(text),
                        now=system_clock(),
                    )
                if n < WHATSAPP_CHATS:
                    text = SendText(chat_id=f"62812{n:07d}", text=f"pemberitahuan {n}")
                    fake.last_inbound[text.chat_id] = fake.clock()  # the citizen wrote: window open
                    uow.outbox.add(
                        channel="whatsapp",
                        chat_id=text.chat_id,
                        payload=action_to_dict(text),
                        now=system_clock(),
                    )
            await uow.commit()
        worker = OutboxWorker(
            uow_factory=db.uow,
            channels={"telegram": channel, "whatsapp": wa_channel},
            clock=system_clock,
            # A little under each limit, as the product is (tests/integration/test_outbox_delivery)
            per_second=TELEGRAM_LANE,
            channel_chat=(("whatsapp", 1 / 6, 45),),
            channel_overall=(("whatsapp", WHATSAPP_RATE * 0.9),),
            poll_seconds=0.05,
        )
        await drain(db, worker, timeout=60)
        stats = await telegram.stats()
    flood = emulator.bot_state(TOKEN).flood
    assert stats["too_many_requests"] == 0
    assert fake.refused == []
    assert len(flood.accepted) == TELEGRAM_CHATS
    assert len(fake.sent_at) == WHATSAPP_CHATS
    # Each lane within its own limit (the emulator and the fake refuse more, and refused none) ...
    assert busiest_second(flood.accepted) <= TELEGRAM_RATE
    assert busiest_second(fake.sent_at) <= WHATSAPP_RATE
    # ... and neither holds the other back: while Telegram's burst drained at its lane's pace,
    # WhatsApp got more into one second than that lane could ever let through.
    assert busiest_second(fake.sent_at) > SHARED_SECOND
    assert busiest_second([*flood.accepted, *fake.sent_at]) > SHARED_SECOND
