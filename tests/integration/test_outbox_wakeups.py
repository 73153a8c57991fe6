"""Several processes on PostgreSQL: a message committed by one that is not the sender wakes the
elected sender through ``NOTIFY`` (runtime/wakeups.py, migration 0011), not at its next poll.

The sender's poll is an hour here, so a message can only go out in time through the
notification; the waits below are generous bounds for a loaded machine, far under the hour.
Each "process" has its own engine, as separate machines would.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.channels.base import Channel
from emulator import Emulator, EmulatorClient
from handlers.actions import SendText
from handlers.outgoing import emit
from runtime.clock import system_clock
from runtime.leader import SENDER, Duties, Leadership, WorkerDuty, process_name
from runtime.outbox import OutboxWorker
from runtime.wakeups import OutboxWakeups, asyncpg_connect
from tests.databases import database_on
from tests.emulated import TOKEN
from tests.integration.database import Database
from tests.integration.test_outbox_delivery import until
from tests.waits import until_asleep

pytestmark = pytest.mark.postgresql  # several processes share one server

CHANNEL = "telegram"
AN_HOUR = 3600.0
BOUND = 60.0  # a loaded machine's worst case, still a sixtieth of the poll


@pytest.fixture
async def shared_url(tmp_path: Path) -> AsyncIterator[str]:
    async with database_on("postgresql", tmp_path) as url:
        yield url


@pytest.fixture
async def telegram(emulator: Emulator) -> AsyncIterator[EmulatorClient]:
    async with EmulatorClient(emulator.base_url, TOKEN) as client:
        await client.register_chat(501, "private")
        yield client


class Sender:
    """The elected sender's process: its outbox worker (an hour's poll) and its listener,
    under the sender's lease, as runtime.bootstrap wires them."""

    def __init__(self, db: Database, channel: Channel) -> None:
        self.worker = OutboxWorker(
            uow_factory=db.uow,
            channels={CHANNEL: channel},
            clock=system_clock,
            poll_seconds=AN_HOUR,
        )
        self.wakeups = OutboxWakeups(
            asyncpg_connect(db.engine), self.worker.wake, retry_start=0.1, check_seconds=AN_HOUR
        )
        self.lease = Leadership(
            name=SENDER,
            duty=Duties(WorkerDuty(self.worker, "outbox"), self.wakeups),
            uow_factory=db.uow,
            holder=process_name(),
            period=timedelta(seconds=30),
        )
        self.task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Runs the election; returns once this process is the sender."""
        self.task = asyncio.create_task(self.lease.run())

        async def elected() -> bool:
            return self.lease.leading

        await until(elected, BOUND)

    async def stop(self) -> None:
        self.lease.stop()
        if self.task is not None:
            await asyncio.wait_for(self.task, BOUND)


async def _commit_reply(db: Database, text_: str) -> None:
    """What a handler does on another process: a reply in its unit of work, committed."""
    async with db.uow() as uow:
        emit(uow, CHANNEL, "501", SendText(chat_id="501", text=text_), system_clock())
        await uow.commit()


async def _texts(telegram: EmulatorClient) -> list[str]:
    return [m["text"] for m in await telegram.messages(501)]


async def _sent(telegram: EmulatorClient, texts: list[str]) -> None:
    async def arrived() -> bool:
        return await _texts(telegram) == texts

    await until(arrived, BOUND)


async def _idle(sender: Sender) -> None:
    """The sender listens, and the round its listening woke is over (nothing was queued): it now
    sleeps for its poll, so only a notification can make it send soon."""
    await asyncio.wait_for(sender.wakeups.listening.wait(), BOUND)
    await until_asleep(sender.worker, timeout=BOUND)


async def test_a_reply_committed_elsewhere_wakes_the_sender_at_once(
    shared_url: str, channel: Channel, telegram: EmulatorClient
) -> None:
    sending, other = Database(shared_url), Database(shared_url)
    await sending.start()
    await other.start()
    sender = Sender(sending, channel)
    try:
        await sender.start()
        await _idle(sender)
        await _commit_reply(other, "Laporan Anda sudah diterima.")
        await _sent(telegram, ["Laporan Anda sudah diterima."])
        assert sender.wakeups.notified >= 1
        await _commit_reply(other, "Terima kasih.")
        await _sent(telegram, ["Laporan Anda sudah diterima.", "Terima kasih."])
    finally:
        await sender.stop()
        await sending.engine.dispose()
        await other.engine.dispose()


async def test_the_listener_reconnects_after_its_connection_is_killed(
    shared_url: str, channel: Channel, telegram: EmulatorClient
) -> None:
    sending, other = Database(shared_url), Database(shared_url)
    await sending.start()
    await other.start()
    sender = Sender(sending, channel)
    try:
        await sender.start()
        await _idle(sender)
        async with other.engine.begin() as connection:
            killed = await connection.scalar(
                text(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                    " WHERE datname = current_database() AND query LIKE 'LISTEN%'"
                )
            )
        assert killed == 1

        async def reconnected() -> bool:
            return sender.wakeups.connections == 2 and sender.wakeups.listening.is_set()

        await until(reconnected, BOUND)
        await until_asleep(sender.worker, timeout=BOUND)  # the reconnection's own round is over
        await _commit_reply(other, "Laporan Anda sedang ditangani.")
        await _sent(telegram, ["Laporan Anda sedang ditangani."])
    finally:
        await sender.stop()
        await sending.engine.dispose()
        await other.engine.dispose()


async def test_without_the_trigger_nothing_wakes_the_sender(
    shared_url: str, channel: Channel, telegram: EmulatorClient
) -> None:
    """The test above can fail: with the migration's trigger gone, the hour's poll is all
    there is, and the message is still waiting when the bound is over."""
    sending, other = Database(shared_url), Database(shared_url)
    await sending.start()
    await other.start()
    async with other.engine.begin() as connection:
        await connection.execute(text("DROP TRIGGER outbox_notify_sender ON outbox"))
    sender = Sender(sending, channel)
    try:
        await sender.start()
        await _idle(sender)
        await _commit_reply(other, "Laporan Anda sudah diterima.")
        with pytest.raises(TimeoutError):
            await until(lambda: _any(telegram), 3.0)
        assert sender.wakeups.notified == 0
    finally:
        await sender.stop()
        await sending.engine.dispose()
        await other.engine.dispose()


async def _any(telegram: EmulatorClient) -> bool:
    return bool(await _texts(telegram))
