"""The tests' wait-helpers fail when what they wait for does not come."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from emulator import EmulatorClient
from emulator.chat import ChatView
from runtime.worker import Worker
from tests.e2e.conftest import Store, wait_settled, wait_until
from tests.e2e.helpers import SITI
from tests.e2e.scenario import Scenario
from tests.e2e.units import KADES, SEPASO_GROUP, card_in
from tests.integration.test_channels import eventually as channels_eventually
from tests.integration.test_outbox_delivery import until as outbox_until
from tests.waits import until_asleep


async def test_card_in_returns_the_card_showing_the_text_and_fails_on_another(
    telegram: EmulatorClient,
) -> None:
    await telegram.register_chat(SEPASO_GROUP, title="Pemdes Sepaso", admins=[KADES.id])
    sent = await telegram.call(
        "sendMessage", chat_id=SEPASO_GROUP, text="📋 Laporan ABCD-EFGH-J\nStatus: Baru"
    )
    assert sent["ok"], sent
    group = ChatView(telegram, KADES, SEPASO_GROUP)
    card = await card_in(group, "ABCD-EFGH-J", showing="Status: Baru")
    assert card["message_id"] == sent["result"]["message_id"]
    with pytest.raises(AssertionError, match="does not show 'Status: Selesai'"):
        await card_in(group, "ABCD-EFGH-J", showing="Status: Selesai", timeout=0.3)
    with pytest.raises(AssertionError, match="no card of ZZZZ-ZZZZ-Z"):
        await card_in(group, "ZZZZ-ZZZZ-Z", timeout=0.3)


async def _never() -> bool:
    return False


async def test_wait_until_and_the_integration_waits_fail_when_the_condition_stays_false() -> None:
    with pytest.raises(TimeoutError, match="not met within"):
        await wait_until(_never, timeout=0.1)
    with pytest.raises(TimeoutError, match="not done within"):
        await outbox_until(_never, 0.1)
    with pytest.raises(TimeoutError):
        await channels_eventually(_never, timeout=0.1)


async def test_wait_settled_fails_while_an_update_is_unconfirmed(
    telegram: EmulatorClient, tmp_path: Path
) -> None:
    await telegram.send_text(KADES, "halo")  # no bot polls: it stays unconfirmed
    store = Store(f"sqlite+aiosqlite:///{tmp_path / 'kosong.db'}")
    try:
        with pytest.raises(TimeoutError, match="1 updates unconfirmed"):
            await wait_settled(telegram, store, timeout=0.1)
    finally:
        await store.engine.dispose()


async def test_chat_view_expect_fails_without_a_new_message_with_the_text(
    telegram: EmulatorClient,
) -> None:
    await telegram.register_chat(SEPASO_GROUP, title="Pemdes Sepaso", admins=[KADES.id])
    group = ChatView(telegram, KADES, SEPASO_GROUP)
    sent = await telegram.call("sendMessage", chat_id=SEPASO_GROUP, text="Status: Baru")
    assert sent["ok"], sent
    before = await group.snapshot()
    with pytest.raises(TimeoutError, match="no new or edited message with 'Status: Baru'"):
        await group.expect("Status: Baru", before, timeout=0.1)  # old, not new


class _Rounds(Worker):
    """A worker whose rounds find work (``busy``) or nothing."""

    def __init__(self, *, busy: bool) -> None:
        super().__init__(poll_seconds=600)
        self.busy = busy

    async def run_once(self) -> bool:
        await asyncio.sleep(0)
        return self.busy


async def test_until_asleep_returns_once_a_round_found_nothing_and_fails_while_busy() -> None:
    idle, busy = _Rounds(busy=False), _Rounds(busy=True)
    with pytest.raises(TimeoutError, match="not asleep"):
        await until_asleep(idle, timeout=0.1)  # not running: no round at all
    tasks = [asyncio.create_task(idle.run()), asyncio.create_task(busy.run())]
    try:
        await until_asleep(idle, timeout=5)
        assert idle.rounds == 1
        idle.wake()
        assert not idle.asleep  # woken: the round it owes is not done yet
        await until_asleep(idle, after=1, timeout=5)
        assert idle.rounds == 2
        with pytest.raises(TimeoutError, match="not asleep"):
            await until_asleep(busy, timeout=0.1)  # always finds work
        with pytest.raises(TimeoutError, match="not asleep"):
            await until_asleep(idle, after=2, timeout=0.1)  # no third round without a wake
    finally:
        idle.stop()
        busy.stop()
        await asyncio.gather(*tasks)


async def test_the_scenario_steps_fail_when_what_they_wait_for_does_not_come(
    telegram: EmulatorClient,
) -> None:
    """No bot runs: a card with the officers' buttons and a question in the citizen's chat are
    there, but nothing answers a press or a reply."""
    await telegram.register_chat(SEPASO_GROUP, title="Pemdes Sepaso", admins=[KADES.id])
    buttons = [
        [{"text": label, "callback_data": label} for label in ("✅ Verifikasi", "❓ Minta info")]
    ]
    card = await telegram.call(
        "sendMessage",
        chat_id=SEPASO_GROUP,
        text="📋 Laporan ABCD-EFGH-J\nStatus: Baru",
        reply_markup={"inline_keyboard": buttons},
    )
    assert card["ok"], card
    await telegram.send_text(SITI, "/start")  # the private chat exists
    asked = await telegram.call("sendMessage", chat_id=SITI.id, text="Di RT berapa?")
    assert asked["ok"], asked
    group = ChatView(telegram, KADES, SEPASO_GROUP)
    scenario = Scenario(telegram, group, group, group, ChatView(telegram, SITI), timeout=0.3)
    with pytest.raises(TimeoutError, match="'sudah diverifikasi'"):
        await scenario.verify("ABCD-EFGH-J")
    with pytest.raises(TimeoutError, match="'balas pesan ini dengan pertanyaan'"):
        await scenario.ask("Sejak kapan?")
    with pytest.raises(TimeoutError, match="'Pesan dari pelapor'"):
        await scenario.answer(asked["result"], "RT 05")
