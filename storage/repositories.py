"""Repositories: queries and row changes. They never commit; the unit of work does."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased, selectinload

from storage.models import (
    Citizen,
    Conversation,
    InboxUpdate,
    OutboxMessage,
    Report,
    ReportEvent,
    ReportPhoto,
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
        """Store an update; False when it was already there (a redelivery)."""
        statement = _insert_ignoring_duplicates(
            self._session,
            {
                "channel": channel,
                "update_id": update_id,
                "chat_id": chat_id,
                "media_group_id": media_group_id,
                "payload": payload,
                "received_at": now,
                "attempts": 0,
            },
        )
        result = await self._session.execute(statement)
        return bool(getattr(result, "rowcount", 0))

    async def pending(self, *, limit: int) -> list[InboxUpdate]:
        rows = await self._session.scalars(
            select(InboxUpdate)
            .where(InboxUpdate.processed_at.is_(None))
            .order_by(InboxUpdate.id)
            .limit(limit)
        )
        return list(rows)

    async def get(self, row_id: int) -> InboxUpdate | None:
        return await self._session.get(InboxUpdate, row_id)

    async def album_items(
        self, channel: str, chat_id: str, media_group_id: str
    ) -> list[InboxUpdate]:
        rows = await self._session.scalars(
            select(InboxUpdate)
            .where(
                InboxUpdate.channel == channel,
                InboxUpdate.chat_id == chat_id,
                InboxUpdate.media_group_id == media_group_id,
                InboxUpdate.processed_at.is_(None),
            )
            .order_by(InboxUpdate.update_id)
        )
        return list(rows)

    def mark_processed(self, row: InboxUpdate, now: datetime, error: str | None = None) -> None:
        row.processed_at = now
        row.payload = None
        row.error = error


class OutboxRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    def add(
        self,
        *,
        channel: str,
        chat_id: str,
        payload: dict[str, Any],
        now: datetime,
        report_id: int | None = None,
    ) -> OutboxMessage:
        row = OutboxMessage(
            channel=channel,
            chat_id=chat_id,
            payload=payload,
            created_at=now,
            attempts=0,
            report_id=report_id,
        )
        self._session.add(row)
        return row

    async def due(self, *, now: datetime, limit: int) -> list[OutboxMessage]:
        """Unsent rows that may go now, oldest first.

        A chat whose oldest unsent row waits for a retry time holds all its later rows back, so
        each chat's messages keep their order; the caller sends a chat's rows one after another.
        """
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
        rows = await self._session.scalars(
            select(OutboxMessage)
            .where(
                OutboxMessage.sent_at.is_(None),
                OutboxMessage.failed_at.is_(None),
                (OutboxMessage.not_before.is_(None)) | (OutboxMessage.not_before <= now),
                ~chat_waits,
            )
            .order_by(OutboxMessage.id)
            .limit(limit)
        )
        return list(rows)

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
