"""Conversations (the bot's per-chat state) and citizens."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Citizen, Conversation
from storage.repositories.registry_memo import usable


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
        # Citizens read in this unit of work, kept alive: the session's identity map holds its
        # rows only while something refers to them, and a step's notices ask for the reporter
        # several times (a console transfer: four reads of one row).
        self._held: dict[int, Citizen] = {}
        self._by_user: dict[tuple[str, str], Citizen] = {}

    async def get(self, channel: str, user_id: str) -> Citizen | None:
        held = self._by_user.get((channel, user_id))
        if held is not None and usable(held):
            return held  # a step asks for the person it serves more than once (consent, rights)
        # Without a flush first: a row is found by its channel and user id, which nothing pending
        # changes (add() flushes), and the step's own pending writes (the conversation) then go
        # in one UPDATE at commit instead of two.
        with self._session.no_autoflush:
            citizen = await self._session.scalar(
                select(Citizen).where(Citizen.channel == channel, Citizen.user_id == user_id)
            )
        if citizen is not None:
            self._by_user[(channel, user_id)] = citizen
        return citizen

    async def add(self, citizen: Citizen) -> Citizen:
        self._session.add(citizen)
        await self._session.flush()
        return citizen

    async def by_id(self, citizen_id: int) -> Citizen | None:
        held = self._held.get(citizen_id)
        if held is not None and usable(held):
            return held  # as the identity map would answer, without its cost (a transfer asks 4x)
        citizen = await self._session.get(Citizen, citizen_id)
        if citizen is not None:
            self._held[citizen_id] = citizen
        return citizen
