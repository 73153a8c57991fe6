"""A redelivery is recognised; a new update that reuses an old id is not mistaken for one."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from tests.integration.database import Database

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
