"""Crash recovery: SIGKILL mid-conversation or mid-submit, and a redelivered update."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from emulator import EmulatorClient
from emulator.chat import ChatView
from runtime.clock import system_clock
from runtime.inbox_rows import record_update
from runtime.settings import Settings
from tests.databases import ENGINES
from tests.e2e.conftest import BotProcess, ForkServer, wait_settled
from tests.e2e.helpers import DESCRIPTION, SITI, ChatOf, Until, callback_data, labels, walk_to

if TYPE_CHECKING:  # fixtures' types only; pytest imports conftest itself
    from tests.e2e.conftest import RunningBot, Settle, Store

# A subprocess needs a few seconds to start; give each wait room for one start.
START_TIMEOUT = 30.0


@pytest.fixture(params=ENGINES)
def engine_name(request: pytest.FixtureRequest) -> str:
    """Every test here runs on SQLite and on PostgreSQL (tests/databases.py)."""
    return str(request.param)


async def settled(store: Store, telegram: EmulatorClient, until: Until) -> None:
    """Every update processed and every outbox message sent (none given up)."""

    async def done() -> bool:
        inbox, outbox = await store.inbox(), await store.outbox()
        return all(r.processed_at for r in inbox) and all(m.sent_at for m in outbox)

    await until(done, START_TIMEOUT)
    await wait_settled(telegram, store, timeout=15)


async def polling(telegram: EmulatorClient, until: Until) -> None:
    """Wait until the bot asks for updates: it has migrated its database and is listening (the
    first screen's own wait is shorter than a start on a busy machine)."""

    async def asked() -> bool:
        return int((await telegram.stats())["methods"].get("getUpdates", 0)) > 0

    await until(asked, START_TIMEOUT)


async def confirmations(chat: ChatView) -> list[str]:
    return [t for t in await chat.texts() if "Nomor laporan:" in t]


# Each subprocess start costs ~3 s, so every test below goes through several kills in one go.


@pytest.mark.slow
async def test_sigkill_mid_conversation_and_right_after_send(
    bot_process: BotProcess,
    telegram: EmulatorClient,
    chat_of: ChatOf,
    store: Store,
    until: Until,
) -> None:
    bot_process.start()
    await polling(telegram, until)
    chat = chat_of(SITI)
    screen = await walk_to(chat, "kecamatan", consent=True)
    await settled(store, telegram, until)
    bot_process.kill()

    # Mid-conversation: the citizen presses the next button of the last screen while the bot is
    # down; the restarted bot continues at that same step.
    before = await chat.snapshot()
    await telegram.press(SITI, int(screen["message_id"]), callback_data(screen, "Bengalon"))
    bot_process.start()
    desa = await chat.expect("Di desa/kelurahan mana", before, timeout=START_TIMEOUT)
    assert desa["message_id"] == screen["message_id"]  # the same screen moved on, in place
    assert "Langkah 4/9 · Desa/kelurahan" in desa["text"]
    summary = await walk_to(chat, "summary", start="desa")
    await settled(store, telegram, until)

    # Mid-submit: killed right after Send (in practice before the press is even fetched).
    await telegram.press_button(SITI, "📨 Kirim laporan")
    bot_process.kill()
    bot_process.start()
    await telegram.wait_for_message(SITI.id, contains="Nomor laporan:", timeout=START_TIMEOUT)
    await settled(store, telegram, until)

    [report] = await store.reports()
    assert report.description == DESCRIPTION
    [confirmation] = await confirmations(chat)
    assert f"Nomor laporan: {report.tracking_no}" in confirmation
    edited = next(m for m in await chat.messages() if m["message_id"] == summary["message_id"])
    assert "✅ Terkirim." in edited["text"]
    assert labels(edited) == []
    assert not any("gangguan" in t for t in await chat.texts())
    assert bot_process.terminate() == 0


@pytest.mark.slow
async def test_sigkill_while_the_submit_replies_are_in_flight(
    bot_process: BotProcess,
    telegram: EmulatorClient,
    chat_of: ChatOf,
    store: Store,
    until: Until,
) -> None:
    """The emulator holds one Bot API call for a second, so that SIGKILL lands while it is sent."""

    async def submit_and_kill_during(method: str) -> None:
        async def calls() -> int:
            return int((await telegram.stats())["methods"].get(method, 0))

        reports_before = len(await store.reports())
        summary = await walk_to(chat, "summary")
        last_id = int(summary["message_id"])
        await settled(store, telegram, until)
        calls_before = await calls()

        async def in_flight() -> bool:
            return await calls() > calls_before

        await telegram.fault(None, method=method, delay=1.0)
        await telegram.press_button(SITI, "📨 Kirim laporan")
        await until(in_flight, 10)
        bot_process.kill()
        assert len(await store.reports()) == reports_before + 1  # committed before any reply
        bot_process.start()
        await telegram.wait_for_message(
            SITI.id, contains="Nomor laporan:", after_message_id=last_id, timeout=START_TIMEOUT
        )
        await settled(store, telegram, until)

    bot_process.start()
    await polling(telegram, until)
    chat = chat_of(SITI)
    await chat.consent()

    # 1. Committed, but the citizen has seen nothing yet (the button answer is in flight):
    #    after the restart the outbox delivers everything once.
    await submit_and_kill_during("answerCallbackQuery")
    [first] = await store.reports()
    [confirmation] = await confirmations(chat)
    assert f"Nomor laporan: {first.tracking_no}" in confirmation

    # 2. The confirmation itself is in flight: Telegram delivers it, but its outbox row is never
    #    marked sent, so the restarted bot sends it again. At-least-once: a repeat is allowed,
    #    a second report is not, and a repeat carries the same number (the same outbox row).
    await submit_and_kill_during("sendMessage")
    reports = await store.reports()
    assert len(reports) == 2
    second = reports[1]
    repeated = (await confirmations(chat))[1:]
    assert 1 <= len(repeated) <= 2, repeated
    assert all(f"Nomor laporan: {second.tracking_no}" in t for t in repeated)
    assert all(m.sent_at is not None for m in await store.outbox())
    assert bot_process.terminate() == 0


async def test_redelivered_update_changes_nothing(
    running_bot: RunningBot,
    telegram: EmulatorClient,
    chat_of: ChatOf,
    store: Store,
    settle: Settle,
) -> None:
    chat = chat_of(SITI)
    summary = await walk_to(chat, "summary", consent=True)
    before = await chat.snapshot()
    send = await telegram.press(
        SITI, int(summary["message_id"]), callback_data(summary, "📨 Kirim laporan")
    )
    await chat.expect("Nomor laporan:", before)
    await settle()
    inbox_before = len(await store.inbox())
    shown = await chat.snapshot()
    answers = len(await telegram.callback_answers(SITI.id))

    # Telegram delivers the Send press again (the bot died before confirming it, say).
    again = await record_update(running_bot.app.uow_factory, "telegram", send, system_clock)
    running_bot.app.inbox.wake()
    await settle()

    assert again is False
    assert len(await store.inbox()) == inbox_before
    assert len(await store.reports()) == 1
    assert await chat.snapshot() == shown  # no second confirmation, no edit
    assert len(await telegram.callback_answers(SITI.id)) == answers
    assert sum("Nomor laporan:" in t for t in await chat.texts()) == 1


@pytest.mark.slow
async def test_an_update_delivered_again_after_a_kill_and_a_clock_jump_is_handled_once(
    bot_settings: Settings,
    fork_server: ForkServer,
    telegram: EmulatorClient,
    chat_of: ChatOf,
    store: Store,
    until: Until,
    tmp_path: Path,
) -> None:
    """The crash suite's finding: ``/start`` handled, the bot SIGKILLed before its next getUpdates
    confirmed it, the test clock (``TEST_CLOCK_OFFSET_FILE``) moved two days on, and Telegram
    delivers ``/start`` again to the restarted bot. The citizen gets the welcome once."""
    offset = tmp_path / "clock-offset"
    offset.write_text("0\n")
    settings = bot_settings.model_copy(update={"test_clock_offset_file": offset})
    bot = BotProcess(settings, tmp_path, fork_server)
    try:
        chat = chat_of(SITI)
        before = await chat.snapshot()
        await telegram.send_text(SITI, "/start")
        [start] = await telegram.pending_updates()
        bot.start()
        await chat.expect("Apakah Anda setuju?", before, timeout=START_TIMEOUT)
        await settled(store, telegram, until)
        [row] = await store.inbox()
        bot.kill()

        offset.write_text(f"{timedelta(days=2).total_seconds():.3f}\n")
        await telegram.deliver_again(start)
        bot.start()

        async def taken() -> bool:  # confirmed by the restarted bot: it has stored it again
            return not await telegram.pending_updates()

        await until(taken, START_TIMEOUT)
        # The chat's updates are handled in order: once the agreement is answered, whatever the
        # bot made of the /start delivered again is in the chat too.
        await chat.press("✅ Saya setuju", "Silakan pilih menu di bawah.")
        await settled(store, telegram, until)
        welcomes = [
            m for m in await store.outbox() if "Apakah Anda setuju?" in str(m.payload.get("text"))
        ]
        assert len(welcomes) == 1  # committed once, so shown once
        assert [r.id for r in await store.inbox() if r.update_id == start["update_id"]] == [row.id]
    finally:
        bot.kill()
