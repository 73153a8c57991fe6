"""WhatsApp's 24-hour window and held messages in the database (storage.wa_window), on SQLite and
PostgreSQL: windows shared by processes (two writers at once), a failed row kept once, and the
kept rows queued again in their order when the citizen writes."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from storage.db import create_engine, migrate, session_factory
from storage.models import OutboxMessage, WhatsAppHeld
from storage.uow import UnitOfWork
from storage.wa_window import (
    note_inbound,
    record_undelivered,
    release_held,
    whatsapp_inbound,
    window_open,
)

CHAT = "6281234567890"
T0 = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


async def test_the_window_is_kept_in_the_database(database_url: str) -> None:
    await migrate(database_url)
    engine = create_engine(database_url)
    sessions = session_factory(engine)
    try:
        async with sessions() as session:
            assert not await window_open(session, CHAT, T0)

        async def wrote(at: datetime) -> None:  # two workers store the same chat's messages
            async with sessions() as session:
                await note_inbound(session, [CHAT], at)
                await session.commit()

        await asyncio.gather(wrote(T0), wrote(T0 - timedelta(hours=1)))
        await wrote(T0 - timedelta(hours=2))  # an older message does not move it back
        async with sessions() as session:
            assert await window_open(session, CHAT, T0 + timedelta(hours=23, minutes=59))
            assert not await window_open(session, CHAT, T0 + timedelta(hours=24))
            assert not await window_open(session, "6280000000000", T0)
    finally:
        await engine.dispose()


async def test_held_rows_are_kept_once_and_queued_again_in_order(database_url: str) -> None:
    await migrate(database_url)
    engine = create_engine(database_url)
    sessions = session_factory(engine)
    try:
        async with UnitOfWork(sessions) as uow:
            for n in range(3):
                uow.outbox.add(
                    channel="whatsapp",
                    chat_id=CHAT,
                    payload={"kind": "send_text", "chat_id": CHAT, "text": f"pesan {n}"},
                    now=T0,
                    purpose="notice",
                )
            uow.outbox.add(channel="telegram", chat_id="7", payload={"kind": "x"}, now=T0)
            await uow.commit()
        async with sessions() as session:
            ids = list(await session.scalars(select(OutboxMessage.id).order_by(OutboxMessage.id)))
            assert await record_undelivered(session, ids[:2], "131047", T0) == 2
            assert (
                await record_undelivered(session, ids, "template", T0) == 1
            )  # once; not Telegram's
            await session.commit()
        async with UnitOfWork(sessions) as uow:
            assert await release_held(uow, CHAT, T0 + timedelta(days=2)) == 3
            await uow.commit()
        async with UnitOfWork(sessions) as uow:
            assert await whatsapp_inbound(uow, [CHAT], T0 + timedelta(days=3)) == 0  # sent once
            await uow.commit()
            assert await window_open(uow.session, CHAT, T0 + timedelta(days=3, hours=1))
        async with sessions() as session:
            again = list(
                await session.scalars(
                    select(OutboxMessage)
                    .where(OutboxMessage.id > ids[-1])
                    .order_by(OutboxMessage.id)
                )
            )
            assert [row.payload["text"] for row in again] == ["pesan 0", "pesan 1", "pesan 2"]
            assert {(row.channel, row.chat_id, row.purpose) for row in again} == {
                ("whatsapp", CHAT, "notice")
            }
            held = list(await session.scalars(select(WhatsAppHeld).order_by(WhatsAppHeld.id)))
            assert [h.reason for h in held] == ["131047", "131047", "template"]
            assert all(h.released_at is not None for h in held)
    finally:
        await engine.dispose()
