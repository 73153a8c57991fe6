"""The runtime against a real SQLite file: inbox dedup and albums, outbox retries and failures."""

from __future__ import annotations

import asyncio
import itertools
import random
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from bot.channels.errors import IgnorableError, PermanentError, RetryAfter, TransientError
from handlers.actions import SendText, action_to_dict
from handlers.events import Event, Message
from locales import Catalogs
from runtime.clock import ManualClock
from runtime.inbox import MAX_ATTEMPTS, InboxProcessor
from runtime.inbox_rows import record_update
from runtime.media import MediaWorker
from runtime.outbox import OutboxWorker
from storage.models import (
    InboxUpdate,
    OutboxMessage,
    ReportPhoto,
)
from storage.uow import UnitOfWork
from tests.images import assert_clean, jpeg_with_identity
from tests.integration import database

CHANNEL = "telegram"
_update_ids = itertools.count(1000)


class Database(database.Database):
    """The shared database with this file's own helpers."""

    async def inbox_rows(self) -> list[InboxUpdate]:
        async with self.uow() as uow:
            return list(await uow.session.scalars(select(InboxUpdate).order_by(InboxUpdate.id)))

    async def outbox_rows(self) -> list[OutboxMessage]:
        async with self.uow() as uow:
            rows = await uow.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
            return list(rows)

    async def queue(self, clock: ManualClock, chat_id: str, *texts: str) -> None:
        async with self.uow() as uow:
            for text in texts:
                uow.outbox.add(
                    channel=CHANNEL,
                    chat_id=chat_id,
                    payload=action_to_dict(SendText(chat_id=chat_id, text=text)),
                    now=clock(),
                )
            await uow.commit()


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    database = Database(database_url)
    await database.start()
    yield database
    await database.engine.dispose()


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


def text_update(chat_id: int, text: str) -> dict[str, Any]:
    update_id = next(_update_ids)
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": 1_767_574_800,
            "chat": {"id": chat_id, "type": "private", "first_name": "Siti"},
            "from": {"id": chat_id, "is_bot": False, "first_name": "Siti"},
            "text": text,
        },
    }


def album_update(chat_id: int, group: str, n: int, caption: str = "") -> dict[str, Any]:
    update = text_update(chat_id, "")
    message = update["message"]
    del message["text"]
    message["media_group_id"] = group
    message["photo"] = [
        {"file_id": f"small-{n}", "file_unique_id": f"us{n}", "width": 90, "height": 60},
        {"file_id": f"big-{n}", "file_unique_id": f"ub{n}", "width": 1280, "height": 853},
    ]
    if caption:
        message["caption"] = caption
    return update


class RecordingConversations:
    """A fake of ``Conversations.handle``: keeps the events, optionally fails first."""

    def __init__(self, failures: int = 0) -> None:
        self.events: list[Event] = []
        self.failures = failures

    async def handle(self, event: Event, uow: UnitOfWork) -> None:
        if self.failures:
            self.failures -= 1
            raise RuntimeError("handler bug")
        self.events.append(event)


def processor(
    db: Database,
    clock: ManualClock,
    conversations: RecordingConversations,
    outcomes: list[tuple[str, int]] | None = None,
) -> InboxProcessor:
    """The inbox; ``outcomes`` collects what it tells the metrics (outcome, how many updates)."""
    told = outcomes if outcomes is not None else []
    return InboxProcessor(
        uow_factory=db.uow,
        conversations=conversations,
        catalogs=Catalogs("id"),
        clock=clock,
        album_wait=timedelta(seconds=1),
        on_outcome=lambda outcome, count: told.append((outcome, count)),
    )


async def test_a_redelivered_update_is_stored_once(db: Database, clock: ManualClock) -> None:
    update = text_update(42, "halo")
    assert await record_update(db.uow, CHANNEL, update, clock) is True
    assert await record_update(db.uow, CHANNEL, update, clock) is False
    rows = await db.inbox_rows()
    assert [(r.update_id, r.chat_id) for r in rows] == [(update["update_id"], "42")]


async def test_an_album_becomes_one_message_after_the_wait(
    db: Database, clock: ManualClock
) -> None:
    conversations = RecordingConversations()
    outcomes: list[tuple[str, int]] = []
    inbox = processor(db, clock, conversations, outcomes)
    for n, caption in enumerate(["", "Jalan rusak di depan sekolah", ""]):
        await record_update(db.uow, CHANNEL, album_update(42, "album-1", n, caption), clock)
    await record_update(db.uow, CHANNEL, text_update(77, "halo"), clock)

    done, next_due = await inbox.process_pending()
    assert done == 1  # the other chat goes ahead while the album waits
    assert next_due == clock() + timedelta(seconds=1)

    clock.advance(1)
    done, _ = await inbox.process_pending()
    assert done == 1
    album = conversations.events[1]
    assert isinstance(album, Message)
    assert album.text == "Jalan rusak di depan sekolah"
    assert [p.file_id for p in album.photos] == ["big-0", "big-1", "big-2"]
    rows = await db.inbox_rows()
    assert all(r.processed_at is not None and r.payload is None for r in rows)
    assert outcomes == [("handled", 1), ("handled", 3)]  # an album counts each of its updates


async def test_a_chat_keeps_its_order_behind_a_waiting_album(
    db: Database, clock: ManualClock
) -> None:
    conversations = RecordingConversations()
    inbox = processor(db, clock, conversations)
    await record_update(db.uow, CHANNEL, album_update(42, "album-2", 0, "foto"), clock)
    await record_update(db.uow, CHANNEL, text_update(42, "sesudah album"), clock)
    assert await inbox.process_pending() == (0, clock() + timedelta(seconds=1))
    clock.advance(1)
    await inbox.process_pending()
    await inbox.process_pending()
    texts = [e.text for e in conversations.events if isinstance(e, Message)]
    assert texts == ["foto", "sesudah album"]


async def test_a_failing_update_is_retried_then_apologised_for(
    db: Database, clock: ManualClock
) -> None:
    conversations = RecordingConversations(failures=MAX_ATTEMPTS)
    outcomes: list[tuple[str, int]] = []
    inbox = processor(db, clock, conversations, outcomes)
    await record_update(db.uow, CHANNEL, text_update(42, "halo"), clock)
    for _ in range(MAX_ATTEMPTS):
        await inbox.process_pending()
        clock.advance(10)
    (row,) = await db.inbox_rows()
    assert row.attempts == MAX_ATTEMPTS
    assert row.processed_at is not None
    assert row.error == "RuntimeError"
    (apology,) = await db.outbox_rows()
    assert apology.chat_id == "42"
    assert apology.payload["text"] == Catalogs("id").get("id").t("error.internal")
    assert outcomes == [("failed", 1)] * (MAX_ATTEMPTS - 1) + [("given_up", 1)]


async def test_a_failure_that_heals_before_the_last_attempt_is_processed(
    db: Database, clock: ManualClock
) -> None:
    conversations = RecordingConversations(failures=1)
    outcomes: list[tuple[str, int]] = []
    inbox = processor(db, clock, conversations, outcomes)
    await record_update(db.uow, CHANNEL, text_update(42, "halo"), clock)
    assert (await inbox.process_pending())[0] == 0
    assert (await inbox.process_pending())[0] == 0  # waits for its retry time
    clock.advance(1)
    assert (await inbox.process_pending())[0] == 1
    assert len(conversations.events) == 1
    assert await db.outbox_rows() == []
    assert outcomes == [("failed", 1), ("handled", 1)]


class FakeChannel:
    """A channel whose calls fail with the queued errors first, then succeed."""

    name = CHANNEL

    def __init__(self, *errors: Exception) -> None:
        self.errors = list(errors)
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self._message_ids = itertools.count(500)

    async def call(self, method: str, params: dict[str, Any]) -> Any:
        if self.errors:
            raise self.errors.pop(0)
        self.calls.append((method, params))
        return {"message_id": next(self._message_ids), "chat": {"id": params["chat_id"]}}


def outbox_worker(
    db: Database,
    clock: ManualClock,
    channel: FakeChannel,
    *,
    per_second: float = 0,
    chat_per_second: float = 1.0,
    group_per_minute: float = 20.0,
) -> OutboxWorker:
    """No overall limit unless asked; a chat's and a group's are Telegram's (OutboxWorker's)."""
    return OutboxWorker(
        uow_factory=db.uow,
        channels={CHANNEL: channel},  # type: ignore[dict-item]
        clock=clock,
        rng=random.Random(1),
        # The limits' timer follows the manual clock here, so a test moves both at once (the
        # product's timer is monotonic: see OutboxWorker).
        timer=lambda: clock().timestamp(),
        per_second=per_second,
        chat_per_second=chat_per_second,
        group_per_minute=group_per_minute,
    )


async def test_retry_after_is_waited_out_and_chat_order_kept(
    db: Database, clock: ManualClock
) -> None:
    channel = FakeChannel(RetryAfter(3))
    worker = outbox_worker(db, clock, channel)
    await db.queue(clock, "42", "satu", "dua")

    assert await worker.send_due() == 0
    assert channel.calls == []  # "dua" waits behind "satu"
    clock.advance(2)
    assert await worker.send_due() == 0
    clock.advance(1)
    assert await worker.send_due() == 2  # the chat's queue goes out in one round, in order
    assert [params["text"] for _, params in channel.calls] == ["satu", "dua"]
    first, second = await db.outbox_rows()
    assert first.sent_message_id == 500
    assert first.attempts == 1
    assert second.sent_at is not None
    assert second.attempts == 0


async def test_a_permanent_error_is_recorded_and_the_chat_moves_on(
    db: Database, clock: ManualClock
) -> None:
    channel = FakeChannel(PermanentError("Forbidden: bot was blocked by the user"))
    worker = outbox_worker(db, clock, channel)
    await db.queue(clock, "42", "satu", "dua")
    await worker.send_due()
    await worker.send_due()
    first, second = await db.outbox_rows()
    assert first.failed_at is not None
    assert first.sent_at is None
    assert first.error == "Forbidden: bot was blocked by the user"
    assert second.sent_at is not None


async def test_transient_errors_back_off(db: Database, clock: ManualClock) -> None:
    channel = FakeChannel(TransientError("timeout"), TransientError("timeout"))
    worker = outbox_worker(db, clock, channel)
    await db.queue(clock, "42", "satu")
    await worker.send_due()
    (row,) = await db.outbox_rows()
    assert row.not_before is not None
    assert timedelta(seconds=0.8) <= row.not_before - clock() <= timedelta(seconds=1.2)
    clock.advance(1.2)
    await worker.send_due()
    (row,) = await db.outbox_rows()
    assert row.attempts == 2
    assert timedelta(seconds=1.6) <= row.not_before - clock() <= timedelta(seconds=2.4)  # type: ignore[operator]
    clock.advance(2.4)
    assert await worker.send_due() == 1


async def test_not_modified_counts_as_sent(db: Database, clock: ManualClock) -> None:
    channel = FakeChannel(IgnorableError("Bad Request: message is not modified"))
    worker = outbox_worker(db, clock, channel)
    await db.queue(clock, "42", "satu")
    assert await worker.send_due() == 1
    (row,) = await db.outbox_rows()
    assert row.sent_at is not None
    assert row.failed_at is None


class FilesChannel:
    """A channel whose downloads return fixed bytes, or fail for unknown file ids."""

    name = CHANNEL

    def __init__(self, files: dict[str, bytes]) -> None:
        self.files = files

    async def download(self, file_id: str) -> bytes:
        if file_id not in self.files:
            raise TransientError("file not reachable")
        return self.files[file_id]


async def test_media_worker_stores_photos_and_counts_failures(
    db: Database, clock: ManualClock, tmp_path: Path
) -> None:
    report_id = await db.add_report(clock(), "ok", "gone", "exe")
    channel = FilesChannel({"ok": jpeg_with_identity(), "exe": b"MZ\x90\x00program"})
    worker = MediaWorker(uow_factory=db.uow, channel=channel, media_dir=tmp_path / "media")  # type: ignore[arg-type]
    assert await worker.download_pending() == 1
    async with db.uow() as uow:
        stored, missing, program = (
            await uow.session.scalars(select(ReportPhoto).order_by("id"))
        ).all()
    expected = tmp_path / "media" / str(report_id) / "1-u-ok.jpg"
    assert stored.stored_path == str(expected)
    # What is kept is the picture redrawn, upright, without its owner's metadata.
    assert_clean(expected.read_bytes(), "stored", ((48, 64),))
    assert missing.stored_path is None
    assert missing.download_attempts == 1
    assert "file not reachable" in (missing.download_error or "")
    # A file that is not an image is never stored as evidence.
    assert program.stored_path is None
    assert "not a decodable image" in (program.download_error or "")
    assert sorted(p.name for p in (tmp_path / "media" / str(report_id)).iterdir()) == [
        expected.name
    ]


async def test_a_waiting_chat_does_not_hold_up_other_chats(
    db: Database, clock: ManualClock
) -> None:
    channel = FakeChannel(RetryAfter(5))
    worker = outbox_worker(db, clock, channel)
    await db.queue(clock, "42", "satu", "dua")
    await db.queue(clock, "43", "tiga", "empat")
    assert await worker.send_due() == 2  # chat 42 waits; chat 43 goes out whole
    assert [params["text"] for _, params in channel.calls] == ["tiga", "empat"]
    clock.advance(5)
    assert await worker.send_due() == 2
    assert [params["text"] for _, params in channel.calls][2:] == ["satu", "dua"]


async def test_a_sender_that_starts_waits_out_the_second_its_predecessor_used(
    db: Database, clock: ManualClock
) -> None:
    """A sender started right after another one sent (a crash and restart, or a takeover by
    another process) holds its first sends until that second is over: Telegram counted the
    predecessor's sends, while the new sender's own window starts empty."""
    first = outbox_worker(db, clock, FakeChannel())
    await db.queue(clock, "42", "satu")
    assert await first.send_due() == 1
    await db.queue(clock, "43", "dua")
    successor = outbox_worker(db, clock, FakeChannel())
    assert await successor.send_due() == 0
    clock.advance(1)
    assert await successor.send_due() == 1


class SlowChat(FakeChannel):
    """Chat 43's send hangs until released; the others answer at once."""

    def __init__(self) -> None:
        super().__init__()
        self.release = asyncio.Event()

    async def call(self, method: str, params: dict[str, Any]) -> Any:
        if str(params["chat_id"]) == "43":
            await self.release.wait()
        return await super().call(method, params)


async def test_a_sent_message_is_recorded_without_waiting_for_the_round(
    db: Database, clock: ManualClock
) -> None:
    """Telegram has no idempotent send: a message answered but not recorded is sent again after
    a crash. So each answer is committed at once, not when the round's slowest send returns."""
    channel = SlowChat()
    worker = outbox_worker(db, clock, channel)
    await db.queue(clock, "42", "satu")
    await db.queue(clock, "43", "dua")
    round_ = asyncio.create_task(worker.send_due())
    try:
        async with asyncio.timeout(10):
            while (await db.outbox_rows())[0].sent_at is None:  # noqa: ASYNC110 (the database)
                await asyncio.sleep(0.01)
        assert not round_.done()  # chat 43 is still on its way: the round has not ended
    finally:
        channel.release.set()
        assert await round_ == 2
