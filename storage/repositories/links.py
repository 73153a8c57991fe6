"""Message links: which chat message belongs to which report."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from core.purposes import Purpose
from storage.models import MessageLink
from storage.read_ahead import forget_cards, held_cards


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
        forget_cards(self._session, report_id)
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
        """The report's messages of ``purpose``, oldest first (its cards: maybe read ahead with
        a batch's reports, ``storage.read_ahead``)."""
        if purpose == Purpose.CARD:
            held = held_cards(self._session, report_id)
            if held is not None:
                return held
        rows = await self._session.scalars(
            select(MessageLink)
            .where(MessageLink.report_id == report_id, MessageLink.purpose == purpose)
            .order_by(MessageLink.id)
        )
        return list(rows)
