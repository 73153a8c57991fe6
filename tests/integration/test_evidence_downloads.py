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

from handlers.app import Conversations
from locales import Catalogs
from runtime.inbox import InboxProcessor
from runtime.inbox_rows import record_update
from storage.media_store import KeptImage
from storage.uow import UnitOfWork
from tests.images import jpeg_with_identity
from tests.integration.conversation_driver import Driver, buttons, texts
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

    async def keep_clip(self, content: bytes, mime_type: str) -> KeptImage:
        raise AssertionError("a Telegram clip is kept as Telegram holds it")


def photo_update(chat_id: int, n: int) -> dict[str, Any]:
    update_id = next(_update_ids)
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": 1_767_574_800,
            "chat": {"id": chat_id, "type": "private", "first_name": "Siti"},
            "from": {"id": chat_id, "is_bot": False, "first_name": "Siti"},
            "photo": [
                {"file_id": f"small-{n}", "file_unique_id": f"us{n}", "width": 90, "height": 60},
                {"file_id": f"big-{n}", "file_unique_id": f"ub{n}", "width": 1280, "height": 853},
            ],
        },
    }


def press_update(chat_id: int, data: str) -> dict[str, Any]:
    update_id = next(_update_ids)
    user = {"id": chat_id, "is_bot": False, "first_name": "Siti"}
    return {
        "update_id": update_id,
        "callback_query": {
            "id": str(update_id),
            "from": user,
            "data": data,
            "message": {
                "message_id": 1,
                "date": 1_767_574_800,
                "chat": {"id": chat_id, "type": "private", "first_name": "Siti"},
            },
        },
    }


class Bot:
    """The conversations behind the real inbox, with the watching fetcher as the messenger."""

    def __init__(self, driver: Driver) -> None:
        self.driver = driver
        self.uows = WatchedUows(driver)
        self.fetcher = WatchingFetcher(self.uows)
        conversations = Conversations(replace(driver.conversations.deps, files=self.fetcher))
        self.inbox = InboxProcessor(
            uow_factory=self.uows,
            conversations=conversations,
            catalogs=Catalogs("id"),
            clock=driver.clock,
            album_wait=timedelta(0),
        )

    async def receive(self, update: dict[str, Any]) -> list[dict[str, Any]]:
        """Record the update, let the inbox handle it, and give the actions it wrote."""
        self.driver.clock.now += self.driver.gap
        assert await record_update(self.uows, "telegram", update, self.driver.clock)
        handled, _ = await self.inbox.process_pending()
        assert handled == 1
        return await self.driver.new_actions()


@pytest.fixture
async def driver(database_url: str) -> AsyncIterator[Driver]:
    d = Driver(database_url)
    await d.start()
    yield d
    await d.close()


async def test_a_photo_is_downloaded_before_the_step_s_transaction(driver: Driver) -> None:
    await consent(driver)
    await to_step(driver, "photos")
    bot = Bot(driver)

    sent = texts(await bot.receive(photo_update(USER, 1)))

    assert bot.fetcher.fetched == ["big-1"]
    assert bot.fetcher.inside_a_transaction == []
    assert any("📷 Foto diterima: 1/5." in text for text in sent)


async def test_a_held_photo_is_downloaded_before_the_step_that_passes_it_on(
    driver: Driver,
) -> None:
    """A photo sent outside any step waits for the citizen's choice of report (as data, in the
    draft); the press that chooses passes it on, and judges it first."""
    await consent(driver)
    await to_step(driver, "photos")
    bot = Bot(driver)
    b = buttons(await bot.receive(photo_update(USER, 1)))
    b = buttons(await driver.press_data(USER, b["✅ Selesai (1 foto)"]))
    b = buttons(await driver.press_data(USER, b["Biasa"]))
    filed = texts(await driver.press_data(USER, b["📨 Kirim laporan"]))
    assert any("Nomor laporan:" in text for text in filed)

    which = await bot.receive(photo_update(USER, 2))
    assert bot.fetcher.fetched == ["big-1"]  # held as it came: nothing judged yet
    [(label, data)] = [(k, v) for k, v in buttons(which).items() if k.startswith("📄")]
    passed_on = texts(await bot.receive(press_update(USER, data)))

    assert bot.fetcher.fetched == ["big-1", "big-2"]
    assert bot.fetcher.inside_a_transaction == []
    number = label.removeprefix("📄 ")
    assert f"✅ Pesan Anda untuk laporan {number} sudah diteruskan ke petugas." in passed_on
