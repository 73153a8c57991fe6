"""Gathering a citizen's waiting messages for a group, on a real SQLite file."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from handlers import relays
from locales import Catalogs
from storage.models import OutboxMessage, Report, UnitChat
from tests.integration.database import Database

NOW = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)
GROUP = UnitChat(id=1, unit_id=1, channel="telegram", chat_id="-100777", language="id")


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[Database]:
    database = Database(tmp_path / "aduan.db")
    await database.start()
    yield database
    await database.engine.dispose()


async def _relay(db: Database, report_id: int, text: str) -> None:
    tr = Catalogs("id").get("id")
    async with db.uow() as uow:
        report = await uow.session.get(Report, report_id)
        assert report is not None
        await relays.queue_text(uow, tr, report, GROUP, text, NOW)
        await uow.commit()


async def _rows(db: Database) -> list[OutboxMessage]:
    async with db.uow() as uow:
        return list(await uow.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


async def test_waiting_texts_are_gathered_and_a_sent_one_is_never_taken_back(
    db: Database,
) -> None:
    report_id = await db.add_report(NOW)
    await _relay(db, report_id, "satu")
    await _relay(db, report_id, "dua")
    await _relay(db, report_id, "tiga")
    rows = await _rows(db)
    waiting = [r for r in rows if r.sent_at is None]
    assert len(waiting) == 1
    assert waiting[0].payload["batch"] == ["satu", "dua", "tiga"]
    assert "3 pesan dari pelapor" in waiting[0].payload["text"]
    assert all(r.error == "gathered into a later relay" for r in rows if r.sent_at is not None)

    # Once the gathered message went out, the next text starts a new one.
    async with db.uow() as uow:
        await uow.outbox.mark_sent(waiting[0].id, message_id=10, now=NOW)
        await uow.commit()
    await _relay(db, report_id, "empat")
    rows = await _rows(db)
    assert [r.payload["batch"] for r in rows if r.sent_at is None] == [["empat"]]
    sent = next(r for r in rows if r.id == waiting[0].id)
    assert sent.payload["batch"] == ["satu", "dua", "tiga"]


async def test_a_full_message_is_not_stretched_past_telegrams_limit(db: Database) -> None:
    report_id = await db.add_report(NOW)
    long_text = "x" * 2500
    await _relay(db, report_id, long_text)
    await _relay(db, report_id, long_text)
    waiting = [r for r in await _rows(db) if r.sent_at is None]
    assert [len(r.payload["batch"]) for r in waiting] == [1, 1]
    assert all(len(r.payload["text"]) <= relays.MESSAGE_MAX for r in waiting)
