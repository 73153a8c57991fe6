"""The inbox: updates received and not yet handled."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select, tuple_
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import InboxUpdate


def _insert_ignoring_duplicates(session: AsyncSession, values: dict[str, Any]) -> Any:
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    if dialect == "postgresql":
        return postgresql.insert(InboxUpdate).values(**values).on_conflict_do_nothing()
    return sqlite.insert(InboxUpdate).values(**values).on_conflict_do_nothing()


@dataclass(frozen=True)
class PendingKey:
    """What the inbox needs to plan a round: a pending row without its payload (the payload,
    JSON to parse, is read only by the transaction that handles the row)."""

    id: int
    channel: str
    chat_id: str
    media_group_id: str
    received_at: datetime


_PENDING_KEY_COLUMNS = (
    InboxUpdate.id,
    InboxUpdate.channel,
    InboxUpdate.chat_id,
    InboxUpdate.media_group_id,
    InboxUpdate.received_at,
)


#: Telegram keeps an unconfirmed update for 24 hours; only within that can it come again.
REDELIVERY_WINDOW = timedelta(hours=24)


class InboxRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def record(
        self,
        *,
        channel: str,
        update_id: int,
        chat_id: str,
        media_group_id: str,
        payload: dict[str, Any],
        now: datetime,
    ) -> bool:
        """Store an update; False when it was already there (a redelivery).

        Telegram redelivers an update only while it keeps it unconfirmed, at most
        ``REDELIVERY_WINDOW`` after it first came. An id met again later is a new update
        (Telegram restarts its sequence at random after a week without updates, and another bot
        on the same database has a sequence of its own): the old, handled row gives way.

        ``now`` (stored as ``received_at``) must be real time, Telegram's, never a clock a test
        moved (``runtime.inbox`` passes the wall clock): a day jumped between a first delivery and a
        redelivery after a crash would otherwise have the update handled twice.
        """
        values = {
            "channel": channel,
            "update_id": update_id,
            "chat_id": chat_id,
            "media_group_id": media_group_id,
            "payload": payload,
            "received_at": now,
            "attempts": 0,
        }
        result = await self._session.execute(_insert_ignoring_duplicates(self._session, values))
        if getattr(result, "rowcount", 0):
            return True
        stale = await self._session.execute(
            delete(InboxUpdate).where(
                InboxUpdate.channel == channel,
                InboxUpdate.update_id == update_id,
                InboxUpdate.processed_at.is_not(None),
                InboxUpdate.received_at < now - REDELIVERY_WINDOW,
            )
        )
        if not getattr(stale, "rowcount", 0):
            return False
        result = await self._session.execute(_insert_ignoring_duplicates(self._session, values))
        return bool(getattr(result, "rowcount", 0))

    async def pending(self, *, limit: int) -> list[InboxUpdate]:
        rows = await self._session.scalars(
            select(InboxUpdate)
            .where(InboxUpdate.processed_at.is_(None))
            .order_by(InboxUpdate.id)
            .limit(limit)
        )
        return list(rows)

    async def pending_keys(
        self,
        *,
        limit: int,
        chat: tuple[str, str] | None = None,
        chats: Collection[tuple[str, str]] = (),
    ) -> list[PendingKey]:
        """The oldest pending rows (of one ``(channel, chat_id)``, or of any of ``chats``, if
        given), as :class:`PendingKey` (no payload), in order."""
        query = select(*_PENDING_KEY_COLUMNS).where(InboxUpdate.processed_at.is_(None))
        if chat is not None:
            query = query.where(InboxUpdate.channel == chat[0], InboxUpdate.chat_id == chat[1])
        if chats:
            query = query.where(tuple_(InboxUpdate.channel, InboxUpdate.chat_id).in_(list(chats)))
        result = await self._session.execute(query.order_by(InboxUpdate.id).limit(limit))
        return [PendingKey(*row) for row in result]

    async def get(self, row_id: int) -> InboxUpdate | None:
        return await self._session.get(InboxUpdate, row_id)

    async def claim(self, row_ids: Sequence[int]) -> list[InboxUpdate]:
        """The still pending rows of one piece of work, locked until this transaction ends.

        The chat's head (the lowest id) is locked first with ``SKIP LOCKED``: when another
        process holds it, nothing is returned and this process leaves the chat alone. The head is
        thus the chat's lock: a chat's updates are handled one at a time and in order, and an
        album by one process, whole. SQLite renders no locking clause (one writer); there, as
        everywhere, rows another transaction already processed are left out.
        """
        if not row_ids:
            return []
        pending = InboxUpdate.processed_at.is_(None)
        head_id = min(row_ids)
        head = await self._session.scalar(
            select(InboxUpdate)
            .where(InboxUpdate.id == head_id, pending)
            .with_for_update(skip_locked=True)
        )
        if head is None:
            return []
        if len(row_ids) == 1:
            return [head]
        others = await self._session.scalars(
            select(InboxUpdate)
            .where(InboxUpdate.id.in_([i for i in row_ids if i != head_id]), pending)
            .order_by(InboxUpdate.id)
            .with_for_update()
        )
        by_id = {row.id: row for row in (head, *others)}
        return [by_id[i] for i in row_ids if i in by_id]

    async def claim_heads(self, row_ids: Sequence[int]) -> list[InboxUpdate]:
        """:meth:`claim` for many works of one row each (a batch of the console's requests,
        ``runtime.console_batches``), in one statement: each row is its work's head, locked
        with ``SKIP LOCKED`` (one another process holds is left out), pending ones only."""
        if not row_ids:
            return []
        rows = await self._session.scalars(
            select(InboxUpdate)
            .where(InboxUpdate.id.in_(list(row_ids)), InboxUpdate.processed_at.is_(None))
            .order_by(InboxUpdate.id)
            .with_for_update(skip_locked=True)
        )
        return list(rows)

    async def album_items(
        self, channel: str, chat_id: str, media_group_id: str
    ) -> list[PendingKey]:
        """The pending items of one album (no payloads), in Telegram's order."""
        rows = await self._session.execute(
            select(*_PENDING_KEY_COLUMNS)
            .where(
                InboxUpdate.channel == channel,
                InboxUpdate.chat_id == chat_id,
                InboxUpdate.media_group_id == media_group_id,
                InboxUpdate.processed_at.is_(None),
            )
            .order_by(InboxUpdate.update_id)
        )
        return [PendingKey(*row) for row in rows]

    def mark_processed(self, row: InboxUpdate, now: datetime, error: str | None = None) -> None:
        row.processed_at = now
        row.payload = None
        row.error = error


#: Payload key of the outbox rows that answer the person who is talking (see ``replying_to``).
