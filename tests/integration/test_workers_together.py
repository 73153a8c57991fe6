"""Several bot processes on one PostgreSQL database: each update handled once, in order per chat.

Each "process" here has its own engine (its own connections), as separate machines would; they
share the event loop only so that the test can watch them. SQLite is one writer by design (a
second process on it is refused at start), so these tests need the PostgreSQL server.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from bot.clock import ManualClock
from bot.inbox import InboxProcessor, record_update
from handlers.events import Event, Message
from locales import Catalogs
from storage.uow import UnitOfWork
from tests.databases import database_on
from tests.integration.database import Database
from tests.integration.test_runtime import album_update, text_update

CHANNEL = "telegram"


@pytest.fixture
async def shared_url(tmp_path: Path) -> AsyncIterator[str]:
    async with database_on("postgresql", tmp_path) as url:
        yield url


class WatchingConversations:
    """Records who handled what, and fails the test if two processes are in one chat at once."""

    def __init__(self) -> None:
        self.handled: dict[str, list[tuple[str, Event]]] = defaultdict(list)
        self.busy: set[str] = set()
        self.overlaps: list[str] = []

    def for_process(self, name: str) -> _Process:
        return _Process(self, name)


class _Process:
    def __init__(self, watch: WatchingConversations, name: str) -> None:
        self._watch = watch
        self._name = name

    async def handle(self, event: Event, uow: UnitOfWork) -> None:
        chat = event.chat_id
        if chat in self._watch.busy:
            self._watch.overlaps.append(chat)
        self._watch.busy.add(chat)
        try:
            await asyncio.sleep(0.005)  # the other process gets its turn meanwhile
            self._watch.handled[chat].append((self._name, event))
        finally:
            self._watch.busy.discard(chat)


async def _processes(url: str, count: int) -> list[Database]:
    databases = [Database(url) for _ in range(count)]
    for db in databases:
        await db.start()
    return databases


async def test_two_processes_share_the_inbox_without_overlap(shared_url: str) -> None:
    clock = ManualClock()
    first, second = await _processes(shared_url, 2)
    try:
        sent: dict[str, list[str]] = defaultdict(list)
        for n in range(12):
            for chat in range(1, 7):
                text = f"pesan {n}"
                await record_update(first.uow, CHANNEL, text_update(chat, text), clock)
                sent[str(chat)].append(text)
        for n in range(3):  # one album of three photos, which must arrive as one message
            await record_update(first.uow, CHANNEL, album_update(9, "album-9", n), clock)
        clock.advance(seconds=5)
        watch = WatchingConversations()
        workers = [
            InboxProcessor(
                uow_factory=db.uow,
                conversations=watch.for_process(name),
                catalogs=Catalogs("id"),
                clock=clock,
                album_wait=timedelta(seconds=1),
            )
            for db, name in ((first, "A"), (second, "B"))
        ]

        async def drain(worker: InboxProcessor) -> None:
            while (await worker.process_pending())[0]:
                pass

        await asyncio.gather(*(drain(w) for w in workers))
    finally:
        await first.engine.dispose()
        await second.engine.dispose()

    assert watch.overlaps == []
    for chat, texts in sent.items():
        events = [event for _, event in watch.handled[chat]]
        assert [e.text for e in events if isinstance(e, Message)] == texts  # once each, in order
    album = watch.handled["9"]
    assert len(album) == 1
    assert isinstance(album[0][1], Message)
    assert len(album[0][1].photos) == 3
    by_process = {name for chat in sent for name, _ in watch.handled[chat]}
    assert by_process == {"A", "B"}  # both did work: the claims spread it
