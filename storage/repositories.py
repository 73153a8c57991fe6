"""Repositories: queries and row changes. They never commit; the unit of work does."""

from __future__ import annotations

import functools
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Integer,
    Select,
    bindparam,
    case,
    delete,
    event,
    func,
    insert,
    or_,
    select,
    tuple_,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import ORMExecuteState, Session, SessionTransaction, aliased, selectinload

from storage.models import (
    BindingCode,
    Citizen,
    Conversation,
    DigestRun,
    InboxUpdate,
    MessageLink,
    OutboxMessage,
    Report,
    ReportEvent,
    ReportPhoto,
    Unit,
    UnitChat,
    UnitOfficer,
)


class ConversationRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get_or_create(
        self, channel: str, chat_id: str, *, language: str, now: datetime
    ) -> Conversation:
        found = await self._session.scalar(
            select(Conversation).where(
                Conversation.channel == channel, Conversation.chat_id == chat_id
            )
        )
        if found is not None:
            return found
        conversation = Conversation(
            channel=channel,
            chat_id=chat_id,
            language=language,
            step="idle",
            step_seq=0,
            draft={},
            updated_at=now,
            throttle_count=0,
            throttle_warned=False,
        )
        self._session.add(conversation)
        await self._session.flush()
        return conversation


class CitizenRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, channel: str, user_id: str) -> Citizen | None:
        return await self._session.scalar(
            select(Citizen).where(Citizen.channel == channel, Citizen.user_id == user_id)
        )

    async def add(self, citizen: Citizen) -> Citizen:
        self._session.add(citizen)
        await self._session.flush()
        return citizen

    async def by_id(self, citizen_id: int) -> Citizen | None:
        return await self._session.get(Citizen, citizen_id)


class ReportRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(
        self, report: Report, photos: Sequence[ReportPhoto], event: ReportEvent
    ) -> Report:
        self._session.add(report)
        await self._session.flush()
        for photo in photos:
            photo.report_id = report.id
            self._session.add(photo)
        event.report_id = report.id
        self._session.add(event)
        await self._session.flush()
        return report

    async def get(self, report_id: int) -> Report | None:
        return await self._session.get(Report, report_id)

    async def photos_of(self, report_id: int) -> list[ReportPhoto]:
        rows = await self._session.scalars(
            select(ReportPhoto)
            .where(ReportPhoto.report_id == report_id)
            .order_by(ReportPhoto.position)
        )
        return list(rows)

    def add_event(self, event: ReportEvent) -> None:
        self._session.add(event)

    async def open_for_unit(
        self, unit_id: int, statuses: Sequence[str], limit: int
    ) -> list[Report]:
        """The unit's reports in ``statuses``, nearest deadline first."""
        rows = await self._session.scalars(
            select(Report)
            .where(Report.unit_id == unit_id, Report.status.in_(list(statuses)))
            .order_by(Report.due_date.is_(None), Report.due_date, Report.id)
            .limit(limit)
        )
        return list(rows)

    async def open_all(self, statuses: Sequence[str], limit: int) -> list[Report]:
        """Every unit's reports in ``statuses``, nearest deadline first (the coordinator's view)."""
        rows = await self._session.scalars(
            select(Report)
            .where(Report.status.in_(list(statuses)))
            .order_by(Report.due_date.is_(None), Report.due_date, Report.id)
            .limit(limit)
        )
        return list(rows)

    async def count_open_all(self, statuses: Sequence[str]) -> int:
        count = await self._session.scalar(
            select(func.count(Report.id)).where(Report.status.in_(list(statuses)))
        )
        return int(count or 0)

    async def count_open_for_unit(self, unit_id: int, statuses: Sequence[str]) -> int:
        count = await self._session.scalar(
            select(func.count(Report.id)).where(
                Report.unit_id == unit_id, Report.status.in_(list(statuses))
            )
        )
        return int(count or 0)

    # --- the clock's scans (core.deadlines); each is served by an index, see models.Report ---

    async def due_for_notice(self, today: date, limit: int) -> list[Report]:
        """Reports the clock must look at on ``today`` (ix_reports_next_notice)."""
        rows = await self._session.scalars(
            select(Report)
            .where(Report.next_notice_on <= today)
            .order_by(Report.next_notice_on, Report.id)
            .limit(limit)
        )
        return list(rows)

    async def due_for_ombudsman(
        self, today: date, statuses: Sequence[str], limit: int
    ) -> list[Report]:
        """Unresolved reports whose Ombudsman day has come (ix_reports_status_ombudsman)."""
        rows = await self._session.scalars(
            select(Report)
            .where(Report.status.in_(list(statuses)), Report.ombudsman_on <= today)
            .order_by(Report.ombudsman_on, Report.id)
            .limit(limit)
        )
        return list(rows)

    async def late_counts(self, today: date, statuses: Sequence[str]) -> dict[int, int]:
        """``unit_id -> reports past their deadline`` (ix_reports_status_due)."""
        rows = await self._session.execute(
            select(Report.unit_id, func.count(Report.id))
            .where(Report.status.in_(list(statuses)), Report.due_date < today)
            .group_by(Report.unit_id)
        )
        return {int(unit_id): int(count) for unit_id, count in rows if unit_id is not None}

    async def late(self, today: date, statuses: Sequence[str], limit: int) -> list[Report]:
        """Reports past their deadline, most overdue first (ix_reports_status_due)."""
        rows = await self._session.scalars(
            select(Report)
            .where(Report.status.in_(list(statuses)), Report.due_date < today)
            .order_by(Report.due_date, Report.id)
            .limit(limit)
        )
        return list(rows)

    async def digested(self, day: date) -> set[int]:
        """Units whose digest of ``day`` is queued already."""
        return set(
            await self._session.scalars(select(DigestRun.unit_id).where(DigestRun.day == day))
        )

    async def digest_sent(self, unit_id: int, day: date) -> bool:
        return await self._session.get(DigestRun, (unit_id, day)) is not None

    def mark_digest(self, unit_id: int, day: date, now: datetime) -> None:
        self._session.add(DigestRun(unit_id=unit_id, day=day, created_at=now))

    async def tracking_number_taken(self, tracking_no: str) -> bool:
        found = await self._session.scalar(
            select(Report.id).where(Report.tracking_no == tracking_no)
        )
        return found is not None

    async def by_tracking_number(self, tracking_no: str) -> Report | None:
        return await self._session.scalar(
            select(Report)
            .where(Report.tracking_no == tracking_no)
            .options(selectinload(Report.events), selectinload(Report.photos))
        )

    async def for_citizen(self, citizen_id: int, *, offset: int, limit: int) -> list[Report]:
        rows = await self._session.scalars(
            select(Report)
            .where(Report.citizen_id == citizen_id)
            .order_by(Report.created_at.desc(), Report.id.desc())
            .offset(offset)
            .limit(limit)
        )
        return list(rows)

    async def open_for_citizen(
        self, citizen_id: int, statuses: Sequence[str], limit: int
    ) -> list[Report]:
        """The citizen's reports in ``statuses``, not closed for good, newest change first."""
        rows = await self._session.scalars(
            select(Report)
            .where(
                Report.citizen_id == citizen_id,
                Report.status.in_(list(statuses)),
                Report.closed_at.is_(None),
            )
            .order_by(Report.updated_at.desc(), Report.id.desc())
            .limit(limit)
        )
        return list(rows)

    async def count_for_citizen(self, citizen_id: int) -> int:
        count = await self._session.scalar(
            select(func.count(Report.id)).where(Report.citizen_id == citizen_id)
        )
        return int(count or 0)

    async def photos_to_download(self, *, max_attempts: int, limit: int) -> list[ReportPhoto]:
        rows = await self._session.scalars(
            select(ReportPhoto)
            .where(
                ReportPhoto.stored_path.is_(None),
                ReportPhoto.download_attempts < max_attempts,
            )
            .order_by(ReportPhoto.id)
            .limit(limit)
        )
        return list(rows)

    async def record_download(
        self, photo_id: int, *, stored_path: str | None, error: str | None
    ) -> None:
        """One download attempt of an evidence photo: where it was stored, or why it failed."""
        await self._session.execute(
            update(ReportPhoto)
            .where(ReportPhoto.id == photo_id)
            .values(
                stored_path=stored_path,
                download_error=error,
                download_attempts=ReportPhoto.download_attempts + 1,
            )
        )


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
LANE_KEY = "lane"
REPLY_LANE = "reply"


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

    def _write_before_statement(self, _state: ORMExecuteState) -> None:
        self._write_queued(self._session.sync_session)

    def _write_queued(self, session: Session) -> None:
        if self._queued:
            rows, self._queued = self._queued, []
            session.execute(insert(OutboxMessage), rows)

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


class UnitRepository:
    """Units (coordinator, OPDs, kecamatan, desa), their group chats and binding codes."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def get(self, unit_id: int) -> Unit | None:
        return await self._session.get(Unit, unit_id)

    async def by_code(self, code: str) -> Unit | None:
        return await self._session.scalar(select(Unit).where(Unit.code == code))

    async def by_area(self, area_code: str) -> Unit | None:
        return await self._session.scalar(select(Unit).where(Unit.area_code == area_code))

    async def coordinator(self) -> Unit | None:
        return await self._session.scalar(
            select(Unit).where(Unit.kind == "coordinator").order_by(Unit.id).limit(1)
        )

    async def all(self) -> list[Unit]:
        rows = await self._session.scalars(select(Unit).order_by(Unit.id))
        return list(rows)

    async def of_kind(self, kind: str) -> list[Unit]:
        rows = await self._session.scalars(
            select(Unit).where(Unit.kind == kind, Unit.active.is_(True)).order_by(Unit.name)
        )
        return list(rows)

    async def add(self, unit: Unit) -> Unit:
        self._session.add(unit)
        await self._session.flush()
        return unit

    async def chats_of(self, unit_id: int) -> list[UnitChat]:
        """The unit's bound (active) group chats."""
        rows = await self._session.scalars(
            select(UnitChat)
            .where(UnitChat.unit_id == unit_id, UnitChat.active.is_(True))
            .order_by(UnitChat.id)
        )
        return list(rows)

    async def active_chats(self) -> list[UnitChat]:
        """Every bound group chat, by unit then binding order."""
        rows = await self._session.scalars(
            select(UnitChat)
            .where(UnitChat.active.is_(True))
            .order_by(UnitChat.unit_id, UnitChat.id)
        )
        return list(rows)

    async def unit_ids_with_chats(self) -> set[int]:
        rows = await self._session.scalars(
            select(UnitChat.unit_id).where(UnitChat.active.is_(True)).distinct()
        )
        return set(rows)

    async def officers(self, unit_id: int) -> list[UnitOfficer]:
        """The officers the unit named, in the order they were named."""
        rows = await self._session.scalars(
            select(UnitOfficer).where(UnitOfficer.unit_id == unit_id).order_by(UnitOfficer.id)
        )
        return list(rows)

    async def is_officer(self, unit_id: int, channel: str, user_id: str) -> bool:
        found = await self._session.scalar(
            select(UnitOfficer.id).where(
                UnitOfficer.unit_id == unit_id,
                UnitOfficer.channel == channel,
                UnitOfficer.user_id == user_id,
            )
        )
        return found is not None

    async def name_officer(
        self, unit_id: int, *, channel: str, user_id: str, name: str, by: str, now: datetime
    ) -> bool:
        """Name an officer of the unit; False if they already were one."""
        if await self.is_officer(unit_id, channel, user_id):
            return False
        self._session.add(
            UnitOfficer(
                unit_id=unit_id,
                channel=channel,
                user_id=user_id,
                name=name[:200],
                added_at=now,
                added_by=by,
            )
        )
        return True

    async def unname_officer(self, unit_id: int, channel: str, user_id: str) -> bool:
        """Withdraw an officer's naming; False if they were not one."""
        row = await self._session.scalar(
            select(UnitOfficer).where(
                UnitOfficer.unit_id == unit_id,
                UnitOfficer.channel == channel,
                UnitOfficer.user_id == user_id,
            )
        )
        if row is None:
            return False
        await self._session.delete(row)
        return True

    async def chat_by_id(self, row_id: int) -> UnitChat | None:
        """A binding row by its id (active or not)."""
        return await self._session.get(UnitChat, row_id)

    async def chat(self, channel: str, chat_id: str) -> UnitChat | None:
        """The binding row of a chat (active or not)."""
        return await self._session.scalar(
            select(UnitChat).where(UnitChat.channel == channel, UnitChat.chat_id == chat_id)
        )

    async def bind(
        self, unit_id: int, *, channel: str, chat_id: str, title: str, by: str, now: datetime
    ) -> UnitChat:
        """Bind a chat to a unit (rebinding an existing row moves it to the new unit)."""
        row = await self.chat(channel, chat_id)
        if row is None:
            row = UnitChat(channel=channel, chat_id=chat_id, unbound_reason="")
            self._session.add(row)
        row.unit_id = unit_id
        row.title = title[:255]
        row.bound_at = now
        row.bound_by = by
        row.active = True
        row.unbound_at = None
        row.unbound_reason = ""
        await self._session.flush()
        return row

    def unbind(self, row: UnitChat, *, reason: str, now: datetime) -> None:
        row.active = False
        row.unbound_at = now
        row.unbound_reason = reason

    async def move_chat(self, channel: str, old_chat_id: str, new_chat_id: str) -> bool:
        """A group became a supergroup: its binding and unsent messages follow the new id.

        Message links stay with the old id: the supergroup numbers its messages from 1 again,
        so an old message id there names some other, newer message (see :func:`_move_unsent`).
        """
        row = await self.chat(channel, old_chat_id)
        if row is None:
            return False
        row.chat_id = new_chat_id
        await _move_unsent(self._session, channel, old_chat_id, new_chat_id)
        return True

    def add_code(self, unit_id: int, code: str, *, now: datetime, expires_at: datetime) -> None:
        self._session.add(
            BindingCode(
                unit_id=unit_id, code=code, created_at=now, expires_at=expires_at, used_in_chat=""
            )
        )

    async def binding_code(self, code: str) -> BindingCode | None:
        return await self._session.scalar(select(BindingCode).where(BindingCode.code == code))


def _insert_link_ignoring_duplicates(session: AsyncSession, values: dict[str, Any]) -> Any:
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return insert(MessageLink).values(**values).on_conflict_do_nothing()


class LinkRepository:
    """Message links: which chat message belongs to which report (the reply paths)."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(
        self,
        *,
        channel: str,
        chat_id: str,
        message_id: int,
        report_id: int,
        purpose: str,
        action: str = "",
        now: datetime,
    ) -> None:
        await self._session.execute(
            _insert_link_ignoring_duplicates(
                self._session,
                {
                    "channel": channel,
                    "chat_id": chat_id,
                    "message_id": message_id,
                    "report_id": report_id,
                    "purpose": purpose,
                    "action": action,
                    "created_at": now,
                },
            )
        )

    async def find(self, channel: str, chat_id: str, message_id: int) -> MessageLink | None:
        return await self._session.scalar(
            select(MessageLink).where(
                MessageLink.channel == channel,
                MessageLink.chat_id == chat_id,
                MessageLink.message_id == message_id,
            )
        )

    async def latest(
        self, channel: str, chat_id: str, report_id: int, purpose: str
    ) -> MessageLink | None:
        """The newest message of ``purpose`` about the report in the chat (e.g. its card)."""
        return await self._session.scalar(
            select(MessageLink)
            .where(
                MessageLink.channel == channel,
                MessageLink.chat_id == chat_id,
                MessageLink.report_id == report_id,
                MessageLink.purpose == purpose,
            )
            .order_by(MessageLink.id.desc())
            .limit(1)
        )

    async def of_report(self, report_id: int, purpose: str) -> list[MessageLink]:
        rows = await self._session.scalars(
            select(MessageLink)
            .where(MessageLink.report_id == report_id, MessageLink.purpose == purpose)
            .order_by(MessageLink.id)
        )
        return list(rows)
