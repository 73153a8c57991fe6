"""Evidence is downloaded with no transaction open: the photos step judges a photo by its bytes,
and the wait for them (the messenger's network) must not hold the step's unit of work, its row
locks or, on SQLite, the one writer's turn. Driven through the real inbox, as the bot runs."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import timedelta
from types import TracebackType
from typing import Any

import pytest

from bot.inbox import InboxProcessor, record_update
from handlers.app import Conversations
from locales import Catalogs
from storage.media_store import KeptImage
from storage.uow import UnitOfWork
from tests.images import jpeg_with_identity
from tests.integration.conversation_driver import Driver, texts
from tests.integration.test_intake import USER, consent, to_step

_update_ids = itertools.count(7000)


class WatchedUows:
    """A unit-of-work factory that knows which of its units of work are open right now."""

    def __init__(self, driver: Driver) -> None:
        self.driver = driver
        self.live: set[UnitOfWork] = set()

    def __call__(self) -> UnitOfWork:
        return _WatchedUow(self)

    def in_transaction(self) -> bool:
        return any(uow.session.in_transaction() for uow in self.live)


class _WatchedUow(UnitOfWork):
    def __init__(self, watcher: WatchedUows) -> None:
        super().__init__(watcher.driver.factory)
        self.watcher = watcher

    async def __aenter__(self) -> UnitOfWork:
        await super().__aenter__()
        self.watcher.live.add(self)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        try:
            await super().__aexit__(exc_type, exc, tb)
        finally:
            self.watcher.live.discard(self)


class WatchingFetcher:
    """Hands out the photo's bytes, noting each download made while a transaction was open."""

    def __init__(self, uows: WatchedUows) -> None:
        self.uows = uows
        self.fetched: list[str] = []
        self.inside_a_transaction: list[str] = []

    async def fetch(self, channel: str, file_id: str) -> bytes | None:
        self.fetched.append(file_id)
        if self.uows.in_transaction():
            self.inside_a_transaction.append(file_id)
        return jpeg_with_identity()

    async def keep(self, content: bytes) -> KeptImage | None:
        raise AssertionError("a photo (not a file) is kept as Telegram holds it")


def photo_update(chat_id: int) -> dict[str, Any]:
    update_id = next(_update_ids)
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": 1_767_574_800,
            "chat": {"id": chat_id, "type": "private", "first_name": "Siti"},
            "from": {"id": chat_id, "is_bot": False, "first_name": "Siti"},
            "photo": [
                {"file_id": "small-1", "file_unique_id": "us1", "width": 90, "height": 60},
                {"file_id": "big-1", "file_unique_id": "ub1", "width": 1280, "height": 853},
            ],
        },
    }


@pytest.fixture
async def driver(database_url: str) -> AsyncIterator[Driver]:
    d = Driver(database_url)
    await d.start()
    yield d
    await d.close()


async def test_a_photo_is_downloaded_before_the_step_s_transaction(driver: Driver) -> None:
    await consent(driver)
    await to_step(driver, "photos")
    uows = WatchedUows(driver)
    fetcher = WatchingFetcher(uows)
    conversations = Conversations(replace(driver.conversations.deps, files=fetcher))
    inbox = InboxProcessor(
        uow_factory=uows,
        conversations=conversations,
        catalogs=Catalogs("id"),
        clock=driver.clock,
        album_wait=timedelta(0),
    )
    assert await record_update(uows, "telegram", photo_update(USER), driver.clock)

    handled, _ = await inbox.process_pending()

    assert handled == 1
    assert fetcher.fetched == ["big-1"]
    assert fetcher.inside_a_transaction == []
    assert any("📷 Foto diterima: 1/5." in t for t in texts(await driver.new_actions()))
