"""A redelivery is recognised; a new update that reuses an old id is not mistaken for one."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from locales import Catalogs
from runtime.clock import ManualClock, OffsetFileClock
from runtime.inbox import InboxProcessor
from runtime.inbox_rows import record_updates
from tests.databases import ENGINES, database_on
from tests.integration.database import Database
from tests.integration.test_runtime import RecordingConversations, text_update

T0 = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


async def _record(db: Database, update_id: int, text: str, now: datetime) -> bool:
    async with db.uow() as uow:
        added = await uow.inbox.record(
            channel="telegram",
            update_id=update_id,
            chat_id="42",
            media_group_id="",
            payload={"update_id": update_id, "message": {"text": text}},
            now=now,
        )
        await uow.commit()
        return added


async def _handle_all(db: Database, now: datetime) -> None:
    async with db.uow() as uow:
        for row in await uow.inbox.pending(limit=100):
            uow.inbox.mark_processed(row, now)
        await uow.commit()


async def test_an_id_seen_again_within_a_day_is_a_redelivery(tmp_path: Path) -> None:
    db = Database(tmp_path / "inbox.db")
    await db.start()
    assert await _record(db, 500, "halo", T0)
    await _handle_all(db, T0)
    assert not await _record(db, 500, "halo", T0 + timedelta(hours=23))
    async with db.uow() as uow:
        assert await uow.inbox.pending(limit=10) == []
    await db.engine.dispose()


async def test_an_old_id_met_after_the_redelivery_window_is_a_new_update(tmp_path: Path) -> None:
    """Telegram restarted its sequence after a quiet week (or another bot uses the database)."""
    db = Database(tmp_path / "inbox.db")
    await db.start()
    assert await _record(db, 500, "halo", T0)
    await _handle_all(db, T0)
    later = T0 + timedelta(days=8)
    assert await _record(db, 500, "laporan baru", later)
    async with db.uow() as uow:
        [pending] = await uow.inbox.pending(limit=10)
        assert pending.payload == {"update_id": 500, "message": {"text": "laporan baru"}}
    await db.engine.dispose()


async def test_an_unhandled_update_is_never_replaced(tmp_path: Path) -> None:
    db = Database(tmp_path / "inbox.db")
    await db.start()
    assert await _record(db, 500, "halo", T0)
    assert not await _record(db, 500, "lain", T0 + timedelta(days=8))
    async with db.uow() as uow:
        [pending] = await uow.inbox.pending(limit=10)
        assert pending.payload is not None
        assert pending.payload["message"]["text"] == "halo"
    await db.engine.dispose()


async def test_a_batch_is_stored_in_one_transaction_and_skips_redeliveries(
    tmp_path: Path,
) -> None:
    """``record_updates``: the new ones of a getUpdates batch are stored, in order; a batch that
    fails half-way stores none of it (it is not confirmed, so Telegram sends it again)."""
    db = Database(tmp_path / "inbox.db")
    await db.start()
    assert await _record(db, 500, "halo", T0)

    def update(update_id: int, text: str) -> dict[str, Any]:
        return {
            "update_id": update_id,
            "message": {
                "message_id": update_id,
                "chat": {"id": 42, "type": "private"},
                "text": text,
            },
        }

    clock = lambda: T0  # noqa: E731
    added = await record_updates(
        db.uow, "telegram", [update(500, "halo"), update(501, "lapor")], clock
    )
    assert added == 1
    broken: list[dict[str, Any]] = [update(502, "satu"), {"update_id": "bukan angka"}]
    with pytest.raises(ValueError, match="bukan angka"):
        await record_updates(db.uow, "telegram", broken, clock)
    async with db.uow() as uow:
        rows = await uow.inbox.pending(limit=10)
    assert [row.update_id for row in rows] == [500, 501]
    await db.engine.dispose()


def _processor(db: Database, conversations: RecordingConversations, clock: Any) -> InboxProcessor:
    return InboxProcessor(
        uow_factory=db.uow,
        conversations=conversations,
        catalogs=Catalogs("id"),
        clock=clock,
        album_wait=timedelta(seconds=0),
    )


@pytest.mark.parametrize("batch", [False, True], ids=["one", "batch"])
@pytest.mark.parametrize("engine", ENGINES)
async def test_a_redelivery_after_the_test_clock_jumped_days_is_still_a_redelivery(
    tmp_path: Path, engine: str, batch: bool
) -> None:
    """The crash suite's shape: the bot handled ``/start`` and was SIGKILLed before its next
    getUpdates confirmed it; meanwhile the test moved the bot's clock (``TEST_CLOCK_OFFSET_FILE``)
    two days on; the restarted bot gets the update again. It was handled: it must not be again
    (the citizen would get the welcome twice). Only real time tells a redelivery."""
    offset = tmp_path / "clock-offset"
    offset.write_text("0\n")
    clock = OffsetFileClock(offset, recheck=0)
    async with database_on(engine, tmp_path) as url:
        db = Database(url)
        await db.start()
        try:
            conversations = RecordingConversations()
            worker = _processor(db, conversations, clock)
            update = text_update(77, "/start")
            assert await worker.on_updates("telegram", [update]) == 1
            assert (await worker.process_pending())[0] == 1
            offset.write_text(f"{timedelta(days=2).total_seconds():.3f}\n")

            restarted = _processor(db, conversations, OffsetFileClock(offset, recheck=0))
            if batch:
                again = await restarted.on_updates("telegram", [update]) == 1
            else:
                again = await restarted.on_update("telegram", update)
            assert again is False
            assert (await restarted.process_pending())[0] == 0
            assert len(conversations.events) == 1
        finally:
            await db.engine.dispose()


@pytest.mark.parametrize("engine", ENGINES)
async def test_an_id_telegram_reuses_after_a_quiet_week_is_handled(
    tmp_path: Path, engine: str
) -> None:
    """Production: the clock is the system's. Telegram starts its update ids afresh after a week
    without updates, so an id met again eight days on is a new message and is handled."""
    clock = ManualClock(T0)
    async with database_on(engine, tmp_path) as url:
        db = Database(url)
        await db.start()
        try:
            conversations = RecordingConversations()
            worker = _processor(db, conversations, clock)
            first = text_update(78, "halo")
            assert await worker.on_update("telegram", first)
            assert (await worker.process_pending())[0] == 1
            clock.advance(hours=24 * 8)
            reused = text_update(78, "laporan baru")
            reused["update_id"] = first["update_id"]
            assert await worker.on_update("telegram", reused)
            assert (await worker.process_pending())[0] == 1
            texts = [getattr(event, "text", "") for event in conversations.events]
            assert texts == ["halo", "laporan baru"]
        finally:
            await db.engine.dispose()
