"""The inbox's rows: updates stored before Telegram hears they arrived (a getUpdates batch in one
transaction), and a chat's pending rows read back as the one event the conversation sees (an
album's items merged into one message)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from bot.updates import to_event, update_key
from handlers.events import ConsoleRequested, Event, Message
from runtime.clock import Clock
from storage.console import CONSOLE_CHANNEL, REQUEST_KEY
from storage.models import InboxUpdate
from storage.repositories import PendingKey
from storage.uow import UnitOfWork

UowFactory = Callable[[], UnitOfWork]


async def record_update(
    uow_factory: UowFactory, channel: str, update: dict[str, Any], clock: Clock
) -> bool:
    """Store one update and commit; False when it was already stored (a redelivery).

    ``clock`` is the wall clock (see the module's docstring): ``received_at`` is what tells a
    redelivery from an update id Telegram uses again after a quiet week."""
    return await record_updates(uow_factory, channel, [update], clock) == 1


async def record_updates(
    uow_factory: UowFactory, channel: str, updates: Sequence[dict[str, Any]], clock: Clock
) -> int:
    """Store a getUpdates batch in one transaction (all of it or, on a failure, none); how many
    were new (the others were redeliveries)."""
    added = 0
    async with uow_factory() as uow:
        now = clock()
        for update in updates:
            chat_id, media_group_id = update_key(channel, update)
            added += await uow.inbox.record(
                channel=channel,
                update_id=int(update["update_id"]),
                chat_id=chat_id,
                media_group_id=media_group_id,
                payload=update,
                now=now,
            )
        await uow.commit()
    return added


def merge_album(events: Sequence[Message]) -> Message:
    """Album items arrive as separate messages; the conversation sees one with every photo."""
    first = events[0]
    text = next((e.text for e in events if e.text), "")
    photos = tuple(photo for e in events for photo in e.photos)
    return replace(first, text=text, photos=photos)


@dataclass(frozen=True)
class Work:
    """The pending rows processed together (one update, or every item of one album)."""

    row_ids: tuple[int, ...]
    channel: str
    chat_id: str


@dataclass
class Follow:
    """What a chat's task learns, in the step's transaction, about the chat's next work."""

    work: Work | None = None
    pending: bool = False


def chat_heads(rows: Iterable[PendingKey]) -> list[PendingKey]:
    """The oldest pending row of each chat; later rows of a chat wait for it (per-chat order)."""
    heads: dict[tuple[str, str], PendingKey] = {}
    for row in rows:
        heads.setdefault((row.channel, row.chat_id), row)
    return list(heads.values())


async def claim_rows(uow: UnitOfWork, row_ids: Sequence[int]) -> list[InboxUpdate]:
    """The work's pending rows, claimed for this transaction (empty: another process has them)."""
    return await uow.inbox.claim(row_ids)


def event_of(rows: Sequence[InboxUpdate]) -> Event:
    first = rows[0]
    if first.channel == CONSOLE_CHANNEL:  # the console's request (storage.console.requests)
        request_id = int((first.payload or {}).get(REQUEST_KEY, 0))
        return ConsoleRequested(first.channel, first.chat_id, request_id)
    events = [to_event(row.payload or {}, row.channel) for row in rows]
    messages = [e for e in events if isinstance(e, Message)]
    if len(rows) > 1 and len(messages) == len(events):
        return merge_album(messages)
    return events[0]
