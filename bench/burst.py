"""A burst of notifications queued in a running Kanal Aduan while citizens file their reports.

The notifications are the ``bench delivery`` workload (many private chats with two each and a few
groups with ten each, interleaved as many reports' cards, digests and reminders would be), written
as outbox rows into the bot's own database just before the citizens start. Afterwards every one of
them must have arrived exactly once, in order in each chat, and the drain time is set against what
Telegram's limits allow for them.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from dataclasses import dataclass
from datetime import UTC

from sqlalchemy import func, select

from bench.delivery import TELEGRAM_PER_SECOND, Workload, ideal_seconds
from bench.errors import BenchError
from emulator import EmulatorClient
from handlers.actions import SendText, action_to_dict
from runtime.clock import system_clock
from storage.db import create_engine, session_factory
from storage.models import OutboxMessage
from storage.uow import UnitOfWork

CHANNEL = "telegram"
DRAIN_TIMEOUT_SECONDS = 300.0


@dataclass
class Burst:
    workload: Workload
    database_url: str
    queued_at: float = 0.0  # time.time() when the rows were committed

    async def queue(self, admin: EmulatorClient) -> None:
        """Register the chats in the emulator and commit every row in one transaction."""
        for chat in self.workload.chats():
            await admin.register_chat(chat, "private" if chat > 0 else "supergroup")
        engine = create_engine(self.database_url)
        try:
            async with UnitOfWork(session_factory(engine)) as uow:
                for chat, text in self.workload.order():
                    uow.outbox.add(
                        channel=CHANNEL,
                        chat_id=str(chat),
                        payload=action_to_dict(SendText(chat_id=str(chat), text=text)),
                        now=system_clock(),
                    )
                await uow.commit()
        finally:
            await engine.dispose()
        self.queued_at = time.time()

    async def check(self, admin: EmulatorClient) -> str:
        """Wait until every notification went out; a line for the notes, or BenchError."""
        chats = {str(chat) for chat in self.workload.chats()}
        engine = create_engine(self.database_url)
        try:
            sessions = session_factory(engine)
            deadline = time.monotonic() + DRAIN_TIMEOUT_SECONDS
            while True:
                async with UnitOfWork(sessions) as uow:
                    unsent = await uow.session.scalar(
                        select(func.count(OutboxMessage.id)).where(
                            OutboxMessage.chat_id.in_(chats), OutboxMessage.sent_at.is_(None)
                        )
                    )
                    last = await uow.session.scalar(
                        select(func.max(OutboxMessage.sent_at)).where(
                            OutboxMessage.chat_id.in_(chats)
                        )
                    )
                    sends = (
                        await uow.session.execute(
                            select(OutboxMessage.sent_at, OutboxMessage.payload).where(
                                OutboxMessage.sent_at.is_not(None)
                            )
                        )
                    ).all()
                if not unsent:
                    break
                if time.monotonic() > deadline:
                    raise BenchError(f"{unsent} notifications still unsent")
                await asyncio.sleep(0.2)
        finally:
            await engine.dispose()
        if last is None:
            raise BenchError("no notification was sent")
        finished = last.replace(tzinfo=last.tzinfo or UTC).timestamp()
        drained = finished - self.queued_at
        # Everything that counted against the overall limit meanwhile: the citizens' screens too.
        counted = sum(
            1
            for sent_at, payload in sends
            if payload.get("kind") != "answer_button"
            and self.queued_at
            <= sent_at.replace(tzinfo=sent_at.tzinfo or UTC).timestamp()
            <= finished
        )
        rows = self.workload.order()
        expected: dict[int, list[str]] = {}
        for chat, text in rows:
            expected.setdefault(chat, []).append(text)
        got = {
            chat: [str(m.get("text", "")) for m in await admin.messages(chat)] for chat in expected
        }
        delivered = Counter(text for texts in got.values() for text in texts)
        wanted = Counter(text for _, text in rows)
        if delivered != wanted:
            raise BenchError(f"notifications delivered {sum(delivered.values())} of {len(rows)}")
        disordered = sum(1 for chat, texts in expected.items() if got[chat] != texts)
        if disordered:
            raise BenchError(f"notifications out of order in {disordered} chats")
        ideal = ideal_seconds(self.workload)
        return (
            f"{len(rows)} notifications drained in {drained:.1f} s beside the citizens "
            f"(Telegram's limits allow {ideal:.1f} s for them alone), each exactly once and in "
            f"order in every chat; with the citizens' messages {counted / drained:.1f} "
            f"messages/s went out meanwhile, {counted / drained / TELEGRAM_PER_SECOND:.0%} of "
            "Telegram's 30/s"
        )
