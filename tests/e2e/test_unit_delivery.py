"""Delivery to unit groups and reporters when Telegram misbehaves, and across a SIGKILL."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING

import pytest

from emulator import EmulatorClient
from emulator.chat import ChatView
from tests.e2e.helpers import SITI, ChatOf, Until
from tests.e2e.scenario import Scenario
from tests.e2e.units import KADES, SEPASO_GROUP, card_in, file_report

if TYPE_CHECKING:
    from tests.e2e.conftest import BotProcess, RunningBot, Settle, Store

START_TIMEOUT = 30.0


def _duplicates(texts: list[str]) -> list[str]:
    return [text for text, n in Counter(texts).items() if n > 1]


async def _all_sent(store: Store, until: Until, timeout: float = START_TIMEOUT) -> None:
    async def done() -> bool:
        return all(m.sent_at or m.failed_at for m in await store.outbox())

    await until(done, timeout)


async def _texts(chat: ChatView) -> list[str]:
    return await chat.texts()


async def test_429_and_5xx_for_a_while_everything_arrives_once_in_order(
    running_bot: RunningBot,
    telegram: EmulatorClient,
    chat_of: ChatOf,
    database_url: str,
    store: Store,
    until: Until,
    settle: Settle,
) -> None:
    scenario = await Scenario.start(telegram, database_url, chat_of)
    coordinator, sepaso, siti = scenario.coordinator, scenario.desa, scenario.citizen
    await file_report(siti, telegram, submit=False)
    # From here Telegram refuses: flood control twice, then bad gateways and a server error.
    await telegram.fault(429, count=2, retry_after=1)
    await telegram.fault(502, count=3)
    await telegram.fault(500, method="sendMediaGroup", count=1)
    await telegram.press_button(SITI, "📨 Kirim laporan")
    await siti.expect("Nomor laporan:", {}, timeout=START_TIMEOUT)
    [report] = await store.reports()
    number = report.tracking_no
    await sepaso.expect(f"📋 Laporan {number}", {}, timeout=START_TIMEOUT)
    await telegram.fault(502, count=2)
    await telegram.press_button(KADES, "✅ Verifikasi", chat_id=SEPASO_GROUP)
    await siti.expect("sudah diverifikasi", {}, timeout=START_TIMEOUT)
    await _all_sent(store, until)
    await settle()

    for chat in (siti, sepaso, coordinator):
        assert not _duplicates(await _texts(chat)), chat.chat_id
    desa = await sepaso.messages()
    card = await card_in(sepaso, number)
    photos = [m for m in desa if m.get("photo")]
    assert len(photos) == 1
    # The album goes first and the card with its buttons last, even through the refusals.
    assert photos[0]["message_id"] < card["message_id"]
    assert desa[-1]["message_id"] == card["message_id"]
    citizen = await _texts(siti)
    confirmation = next(i for i, t in enumerate(citizen) if "Nomor laporan:" in t)
    verified = next(i for i, t in enumerate(citizen) if "sudah diverifikasi" in t)
    assert confirmation < verified
    outbox = await store.outbox()
    assert sum(m.attempts for m in outbox) >= 6  # the refusals were met, and retried


@pytest.mark.slow
async def test_sigkill_with_unsent_messages_sends_each_once_after_restart(
    bot_process: BotProcess,
    telegram: EmulatorClient,
    chat_of: ChatOf,
    database_url: str,
    store: Store,
    until: Until,
    settle: Settle,
) -> None:
    bot_process.start()

    async def seeded() -> bool:
        # The bot migrates and seeds the unit registry as it starts.
        try:
            return bool(await store.units())
        except Exception:
            return False

    await until(seeded, START_TIMEOUT)
    scenario = await Scenario.start(telegram, database_url, chat_of)
    coordinator, sepaso, siti = scenario.coordinator, scenario.desa, scenario.citizen
    await file_report(siti, telegram, submit=False)
    # Every send fails until the faults are cleared: the report's messages pile up unsent.
    await telegram.fault(502, count=100_000)
    await telegram.fault(502, method="sendMediaGroup", count=100_000)

    async def report_filed() -> bool:
        return len(await store.reports()) == 1

    async def stuck() -> bool:
        pending = [m for m in await store.outbox() if m.sent_at is None]
        # Each chat's first message was tried and refused; the rest wait behind it, in order.
        tried_chats = {m.chat_id for m in pending if m.attempts >= 1}
        return len(pending) >= 4 and len(tried_chats) >= 3

    await telegram.press_button(SITI, "📨 Kirim laporan")
    await until(report_filed, START_TIMEOUT)
    await until(stuck, START_TIMEOUT)
    bot_process.kill()
    unsent = [m.id for m in await store.outbox() if m.sent_at is None]
    assert len(unsent) >= 4

    await telegram.clear_faults()
    bot_process.start()
    await _all_sent(store, until)
    await settle()
    rows = {m.id: m for m in await store.outbox()}
    assert all(rows[i].sent_at is not None for i in unsent)
    [report] = await store.reports()
    for chat in (siti, sepaso, coordinator):
        assert not _duplicates(await _texts(chat)), chat.chat_id
    assert len([t for t in await _texts(sepaso) if f"📋 Laporan {report.tracking_no}" in t]) == 1
    assert any("Nomor laporan:" in t for t in await _texts(siti))
    assert bot_process.terminate() == 0
