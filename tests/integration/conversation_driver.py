"""Drives the conversations directly on a real SQLite file, reading replies from the outbox."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from core.calendar import WorkingCalendar
from core.categories import load_categories
from core.regions import RegionDirectory
from handlers.actions import InlineKeyboard, action_from_dict
from handlers.app import Conversations
from handlers.ask_first import asking_first
from handlers.deps import HandlerConfig, HandlerDeps
from handlers.events import (
    ButtonPress,
    ChatKind,
    Location,
    MediaKind,
    Message,
    Photo,
    Sender,
)
from locales import Catalogs
from storage.db import create_engine, session_factory
from storage.models import OutboxMessage
from storage.uow import UnitOfWork
from tests.databases import migrate_for_test

_ids = itertools.count(1)


class Clock:
    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


class Driver:
    def __init__(self, db: str | Path, *, region: str = "64.08", public_base_url: str = "") -> None:
        self.public_base_url = public_base_url
        self.url = db if isinstance(db, str) else f"sqlite+aiosqlite:///{db}"
        self.clock = Clock(datetime(2026, 11, 23, 2, 0, tzinfo=UTC))
        self.region = region
        self.seen = 0
        #: How far the clock moves before each event (a citizen typing at a human pace).
        self.gap = timedelta(seconds=2)

    async def start(self) -> None:
        await migrate_for_test(self.url)
        self.engine = create_engine(self.url)
        self.factory = session_factory(self.engine)
        deps = HandlerDeps(
            config=HandlerConfig(
                timezone=ZoneInfo("Asia/Makassar"),
                callback_secret=b"test",
                public_base_url=self.public_base_url,
            ),
            catalogs=Catalogs("id"),
            regions=RegionDirectory(self.region),
            categories=load_categories(),
            calendar=WorkingCalendar(),
            clock=self.clock,
        )
        self.conversations = Conversations(deps)

    async def close(self) -> None:
        await self.engine.dispose()

    async def _handle(self, event: Message | ButtonPress) -> list[dict[str, Any]]:
        self.clock.now += self.gap

        async def step() -> None:
            async with UnitOfWork(self.factory) as uow:
                await self.conversations.handle(event, uow)
                await uow.commit()

        # As the inbox runs a step: what it asks of Telegram is asked between two tries.
        await asking_first(step)
        return await self.new_actions()

    async def new_actions(self) -> list[dict[str, Any]]:
        async with UnitOfWork(self.factory) as uow:
            rows = list(
                await uow.session.scalars(
                    select(OutboxMessage)
                    .where(OutboxMessage.id > self.seen)
                    .order_by(OutboxMessage.id)
                )
            )
        if rows:
            self.seen = rows[-1].id
        return [r.payload for r in rows]

    async def text(
        self, user: int, text: str, *, kind: ChatKind = ChatKind.PRIVATE, **extra: Any
    ) -> list[dict[str, Any]]:
        return await self._handle(self._message(user, text=text, chat_kind=kind, **extra))

    async def photos(self, user: int, count: int, *, album: str = "") -> list[dict[str, Any]]:
        photos = tuple(
            Photo(file_id=f"F{n}", file_unique_id=f"U{n}", media_group_id=album)
            for n in (next(_ids) for _ in range(count))
        )
        return await self._handle(
            self._message(user, media=MediaKind.PHOTO, photos=photos, media_group_id=album)
        )

    async def location(self, user: int, lat: float, lon: float) -> list[dict[str, Any]]:
        return await self._handle(self._message(user, location=Location(lat, lon)))

    async def media(self, user: int, media: MediaKind) -> list[dict[str, Any]]:
        return await self._handle(self._message(user, media=media))

    def _message(self, user: int, **fields: Any) -> Message:
        fields.setdefault("chat_kind", ChatKind.PRIVATE)
        chat = str(user) if fields["chat_kind"] == ChatKind.PRIVATE else "-100"
        return Message(
            channel="telegram",
            chat_id=chat,
            message_id=next(_ids),
            sender=Sender(user_id=str(user), first_name="Siti", username="siti"),
            **fields,
        )

    async def press_data(self, user: int, data: str, message_id: int = 1) -> list[dict[str, Any]]:
        return await self._handle(
            ButtonPress(
                channel="telegram",
                chat_id=str(user),
                chat_kind=ChatKind.PRIVATE,
                callback_id=str(next(_ids)),
                sender=Sender(user_id=str(user), first_name="Siti"),
                data=data,
                message_id=message_id,
            )
        )


def buttons(actions: list[dict[str, Any]]) -> dict[str, str]:
    """Button text → data of the inline keyboards in these actions (last one wins)."""
    found: dict[str, str] = {}
    for payload in actions:
        action = action_from_dict(payload)
        markup = getattr(action, "markup", None)
        if isinstance(markup, InlineKeyboard):
            for row in markup.rows:
                for button in row:
                    found[button.text] = button.data
    return found


def texts(actions: list[dict[str, Any]]) -> list[str]:
    return [str(a.get("text", "")) for a in actions]
