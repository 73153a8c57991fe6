"""``python -m tests.integration.console_batch_killer URL N``: the bot's inbox worker over the
database at URL, killed with SIGKILL by the operating system's own signal right after the N-th
console request of a batch was taken (its step done, the batch's transaction not committed).
Used by ``test_console_batches``; the handlers are the real ones."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from pydantic import SecretStr

from handlers.app import Conversations
from handlers.events import Event
from locales import Catalogs
from runtime.clock import ManualClock
from runtime.deps import handler_deps
from runtime.inbox import InboxProcessor
from runtime.settings import Settings
from storage.db import create_engine, session_factory
from storage.uow import UnitOfWork


class KilledAfter(Conversations):
    """The real conversations; the process is killed after the ``limit``-th step."""

    limit = 1
    taken = 0

    async def handle(self, event: Event, uow: UnitOfWork) -> None:
        await super().handle(event, uow)
        await uow.session.flush()  # the step's rows written in the open transaction
        KilledAfter.taken += 1
        if KilledAfter.taken >= self.limit:
            os.kill(os.getpid(), signal.SIGKILL)


async def main(url: str, limit: int) -> None:
    sessions = session_factory(create_engine(url))
    clock = ManualClock(datetime(2026, 3, 2, 9, 30, tzinfo=ZoneInfo("Asia/Makassar")))
    settings = Settings(_env_file=None, bot_token=SecretStr("1:x"))
    KilledAfter.limit = limit
    bot = InboxProcessor(
        uow_factory=lambda: UnitOfWork(sessions),
        conversations=KilledAfter(handler_deps(settings, "1:x", Catalogs("id"), clock)),
        catalogs=Catalogs("id"),
        clock=clock,
        album_wait=timedelta(0),
    )
    await bot.process_pending()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], int(sys.argv[2])))
