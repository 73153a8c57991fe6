"""The outbox: messages to send, in order, with their retries."""

from __future__ import annotations

import functools
from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    Table,
    bindparam,
    case,
    event,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import ORMExecuteState, Session, SessionTransaction, aliased

from storage.models import OutboxMessage

LANE_KEY = "lane"
REPLY_LANE = "reply"


#: The outbox's table (its rows written with Core's INSERT: ``_write_queued``).
_OUTBOX = cast(Table, OutboxMessage.__table__)


class OutboxRepository:
    """The outbox's rows. Rows a unit of work adds are written together, in the order added,
    as one multi-row INSERT (issue 13: one round trip per step instead of one per message):
    just before the session's next statement of any kind, or its commit, so every query in
    the same transaction (a group's unsent messages moved, a report's unsent rows) sees them,
    and they commit with the change that caused them or not at all."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        # (channel, chat_id) whose update this unit of work handles: rows to that chat are the
        # person's next screen, and go before notifications (see ``due``).
        self.replying_to: tuple[str, str] | None = None
        self._queued: list[dict[str, Any]] = []
        self._hooked = False

    def add(
        self,
        *,
        channel: str,
        chat_id: str,
        payload: dict[str, Any],
        now: datetime,
        report_id: int | None = None,
        purpose: str = "",
        link_action: str = "",
    ) -> None:
        if self.replying_to == (channel, chat_id):
            payload = {**payload, LANE_KEY: REPLY_LANE}
        if not self._hooked:
            sync = self._session.sync_session
            event.listen(sync, "do_orm_execute", self._write_before_statement)
            event.listen(sync, "before_commit", self._write_queued)
            event.listen(sync, "after_soft_rollback", self._forget_queued)
            self._hooked = True
        sync = self._session.sync_session
        if not sync.in_transaction():
            # As adding an ORM object does: a rollback then forgets the rows (after_soft_rollback).
            sync.begin()
        self._queued.append(
            {
                "channel": channel,
                "chat_id": chat_id,
                "payload": payload,
                "created_at": now,
                "not_before": None,
                "attempts": 0,
                "report_id": report_id,
                "purpose": purpose,
                "link_action": link_action,
            }
        )

    async def write_queued(self) -> None:
        """Write the rows queued so far now (before a savepoint, whose rollback forgets the
        rows still queued: ``runtime.console_batches``)."""
        if self._queued:
            await self._session.run_sync(self._write_queued)

    def discard_queued(self) -> None:
        """Forget the rows queued since the last write (a savepoint rolled back)."""
        self._queued = []

    def _write_before_statement(self, _state: ORMExecuteState) -> None:
        self._write_queued(self._session.sync_session)

    def _write_queued(self, session: Session) -> None:
        if self._queued:
            rows, self._queued = self._queued, []
            # The table's INSERT (Core), not the ORM's bulk insert: the same rows with less
            # Python per row (a bulk transfer writes about four a report).
            session.execute(insert(_OUTBOX), rows)

    def _forget_queued(self, _session: Session, _transaction: SessionTransaction) -> None:
        self._queued = []

    async def links_on_the_way(
        self, channel: str, chat_id: str, *, since: datetime, before: datetime
    ) -> bool:
        """Whether a message about a report to the chat, queued between ``since`` and ``before``,
        may be at Telegram already with its link not yet recorded (its row is still unsent)."""
        found = await self._session.scalar(
            select(OutboxMessage.id)
            .where(
                OutboxMessage.channel == channel,
                OutboxMessage.chat_id == chat_id,
                OutboxMessage.report_id.is_not(None),
                OutboxMessage.purpose != "",
                OutboxMessage.sent_at.is_(None),
                OutboxMessage.failed_at.is_(None),
                OutboxMessage.created_at >= since,
                OutboxMessage.created_at < before,
            )
            .limit(1)
        )
        return found is not None

    async def due(
        self,
        *,
        now: datetime,
        limit: int,
        per_chat: int | None = None,
        skip_chats: Collection[str] = (),
        talking: Collection[str] = (),
    ) -> list[OutboxMessage]:
        """Unsent rows that may go now, oldest first.

        A chat whose oldest unsent row waits for a retry time holds all its later rows back, so
        each chat's messages keep their order; the caller sends a chat's rows one after another.

        With ``per_chat`` only each chat's first ``per_chat`` unsent rows are candidates, and the
        rows come by their rank in their chat, then age: every chat's head before anyone's second
        row, so a group with hundreds of queued rows cannot fill the window and starve the other
        chats. ``skip_chats`` are chats the caller cannot send to yet (flood limits); their rows
        are left out. Button answers are never held back by either, nor by a waiting head, and
        come first: they are not messages, and must go within seconds. Then come the replies to
        the person who is talking (their next screen; ``replying_to``), before any notification,
        even one queued earlier for the same chat; among themselves rows keep their order,
        except that replies to the ``talking`` chats (conversations already under way: the
        caller replied to them lately) go before the other replies (a crowd's first greetings),
        so a crowd of newcomers cannot push a person in the middle of a report out of the window.
        """
        statement = _due_statement(per_chat is not None, bool(skip_chats), bool(talking))
        params: dict[str, Any] = {"now": now, "limit": limit}
        if per_chat is not None:
            params["per_chat"] = per_chat
        if skip_chats:
            params["skip_chats"] = list(skip_chats)
        if talking:
            params["talking"] = list(talking)
        return list(await self._session.scalars(statement, params))

    async def failed(self, limit: int, since: datetime | None = None) -> list[OutboxMessage]:
        """Rows given up for good (blocked by the user, chat not found ...), newest first."""
        query = select(OutboxMessage).where(OutboxMessage.failed_at.is_not(None))
        if since is not None:
            query = query.where(OutboxMessage.failed_at >= since)
        rows = await self._session.scalars(
            query.order_by(OutboxMessage.failed_at.desc(), OutboxMessage.id.desc()).limit(limit)
        )
        return list(rows)

    async def move_chat(self, channel: str, old_chat_id: str, new_chat_id: str) -> int:
        """Point a chat's unsent rows at its new id (a group that became a supergroup).

        For chats without a binding; :meth:`UnitRepository.move_chat` also moves these rows.
        Returns how many rows moved.
        """
        return await _move_unsent(self._session, channel, old_chat_id, new_chat_id)

    async def group_sends_since(self, since: datetime) -> list[tuple[str, str, datetime, str]]:
        """Messages to groups and channels (negative or ``@`` chat ids) marked sent at or after
        ``since``: ``(channel, chat id, sent at, payload kind)``, oldest first. A sender taking
        over counts them against each group's minute (runtime.outbox)."""
        rows = await self._session.execute(
            select(
                OutboxMessage.channel,
                OutboxMessage.chat_id,
                OutboxMessage.sent_at,
                OutboxMessage.payload,
            )
            .where(
                OutboxMessage.sent_at >= since,
                or_(OutboxMessage.chat_id.like("-%"), OutboxMessage.chat_id.like("@%")),
            )
            .order_by(OutboxMessage.sent_at)
        )
        return [
            (channel, chat_id, sent_at, str((payload or {}).get("kind", "")))
            for channel, chat_id, sent_at, payload in rows
            if sent_at is not None
        ]

    async def last_sent_at(self) -> datetime | None:
        """When the most recent message went out (``ix_outbox_pending`` leads with ``sent_at``)."""
        return await self._session.scalar(select(func.max(OutboxMessage.sent_at)))

    async def pending_count(self) -> int:
        count = await self._session.scalar(
            select(func.count(OutboxMessage.id)).where(
                OutboxMessage.sent_at.is_(None), OutboxMessage.failed_at.is_(None)
            )
        )
        return int(count or 0)

    async def mark_sent(self, row_id: int, *, message_id: int | None, now: datetime) -> None:
        await self._session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == row_id)
            .values(sent_at=now, sent_message_id=message_id, error=None)
        )

    async def mark_sent_many(
        self, sent: Sequence[tuple[int, int | None]], *, now: datetime
    ) -> None:
        """:meth:`mark_sent` for many rows (``(row id, message id)``) in one statement."""
        if not sent:
            return
        await self._session.execute(
            update(OutboxMessage),
            [
                {"id": row_id, "sent_at": now, "sent_message_id": message_id, "error": None}
                for row_id, message_id in sent
            ],
        )

    async def retry_later(self, row_id: int, *, until: datetime, error: str) -> None:
        await self._session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == row_id)
            .values(not_before=until, error=error, attempts=OutboxMessage.attempts + 1)
        )

    async def mark_failed(self, row_id: int, *, error: str, now: datetime) -> None:
        await self._session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == row_id)
            .values(failed_at=now, error=error, attempts=OutboxMessage.attempts + 1)
        )

    async def unsent_for_report(
        self, channel: str, chat_id: str, report_id: int, purpose: str
    ) -> list[OutboxMessage]:
        """A report's messages of one purpose still waiting for one chat, oldest first."""
        rows = await self._session.scalars(
            select(OutboxMessage)
            .where(
                OutboxMessage.channel == channel,
                OutboxMessage.chat_id == chat_id,
                OutboxMessage.report_id == report_id,
                OutboxMessage.purpose == purpose,
                OutboxMessage.sent_at.is_(None),
                OutboxMessage.failed_at.is_(None),
            )
            .order_by(OutboxMessage.id)
        )
        return list(rows)

    async def supersede(self, row_id: int, *, now: datetime, note: str) -> bool:
        """Take back an unsent row whose content a newer row carries; False if it already went
        (or is going) out. A row taken back counts as settled, with ``note`` saying why."""
        result = await self._session.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.id == row_id,
                OutboxMessage.sent_at.is_(None),
                OutboxMessage.failed_at.is_(None),
            )
            .values(sent_at=now, error=note)
        )
        return bool(getattr(result, "rowcount", 0) == 1)


@functools.cache
def _due_statement(ranked: bool, skipping: bool, talking: bool) -> Select[OutboxMessage]:
    """The outbox's due query (see :meth:`OutboxRepository.due`), built once per shape with
    bound parameters (``now``, ``limit``, ``per_chat``, ``skip_chats``, ``talking``): the sender
    runs it several times a second, and building the statement cost more than running it."""
    now = bindparam("now", type_=OutboxMessage.not_before.type)
    limit = bindparam("limit", type_=Integer)
    is_answer = OutboxMessage.payload["kind"].as_string() == "answer_button"
    is_reply = OutboxMessage.payload[LANE_KEY].as_string() == REPLY_LANE
    earlier = aliased(OutboxMessage)
    chat_waits = (
        select(earlier.id)
        .where(
            earlier.chat_id == OutboxMessage.chat_id,
            earlier.channel == OutboxMessage.channel,
            earlier.id < OutboxMessage.id,
            earlier.sent_at.is_(None),
            earlier.failed_at.is_(None),
            earlier.not_before > now,
        )
        .exists()
    )
    unsent = (OutboxMessage.sent_at.is_(None), OutboxMessage.failed_at.is_(None))
    query = select(OutboxMessage).where(
        *unsent,
        (OutboxMessage.not_before.is_(None)) | (OutboxMessage.not_before <= now),
    )
    if not ranked and not skipping:
        return query.where(~chat_waits).order_by(OutboxMessage.id).limit(limit)
    held: ColumnElement[bool] = chat_waits
    if skipping:
        held = held | OutboxMessage.chat_id.in_(bindparam("skip_chats", expanding=True))
    query = query.where(~held | is_answer)
    if not ranked:
        return query.order_by(OutboxMessage.id).limit(limit)
    order: list[tuple[ColumnElement[bool], int]] = [(is_answer, 0)]
    if talking:
        under_way = OutboxMessage.chat_id.in_(bindparam("talking", expanding=True))
        order.append((is_reply & under_way, 1))
    order.append((is_reply, 2))
    # Window functions: SQLite 3.25+ and every supported PostgreSQL.
    rank = (
        func.row_number()
        .over(
            partition_by=(OutboxMessage.channel, OutboxMessage.chat_id),
            order_by=OutboxMessage.id,
        )
        .label("rank")
    )
    ranked_rows = select(OutboxMessage.id.label("row_id"), rank).where(*unsent).subquery()
    return (
        query.join(ranked_rows, ranked_rows.c.row_id == OutboxMessage.id)
        .where((ranked_rows.c.rank <= bindparam("per_chat", type_=Integer)) | is_answer | is_reply)
        # Answers first, then replies: a window full of notifications must not push them out.
        .order_by(case(*order, else_=ranked_rows.c.rank + 2), OutboxMessage.id)
        .limit(limit)
    )


async def _move_unsent(
    session: AsyncSession, channel: str, old_chat_id: str, new_chat_id: str
) -> int:
    """Point a migrated group's unsent messages at its new id; returns how many moved.

    Message ids do not carry over to the supergroup: edits of the old group's messages stay
    behind (they fail there, visibly), and a reply to an old message goes as a plain message.
    """
    pending = await session.scalars(
        select(OutboxMessage).where(
            OutboxMessage.channel == channel,
            OutboxMessage.chat_id == old_chat_id,
            OutboxMessage.sent_at.is_(None),
            OutboxMessage.failed_at.is_(None),
        )
    )
    moved = 0
    for message in pending:
        if message.payload.get("kind") == "edit_text":
            continue
        payload = {**message.payload, "chat_id": new_chat_id}
        payload.pop("reply_to_message_id", None)
        message.chat_id = new_chat_id
        message.payload = payload
        moved += 1
    await session.flush()
    return moved
