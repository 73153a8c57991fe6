"""WhatsApp's 24-hour customer-service window, kept in the database (several processes share it).

* :func:`note_inbound`: the webhook stored a citizen's message; their window opens for 24 hours.
* :func:`window_open`: may a free-form message go to this chat now?
* :func:`record_undelivered`: outbox rows that did not reach the citizen (no approved template,
  Meta's 131047, a refused template) or went as a template only: their payload is kept. The one
  function to call for any such row (a failed delivery status included).
* :func:`release_held`: the citizen wrote again: the kept messages are queued anew, free-form and
  in their order, before the answer to what the citizen wrote.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta
from typing import Protocol

from sqlalchemy import case, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import OutboxMessage, WhatsAppHeld, WhatsAppWindow
from storage.repositories import LANE_KEY
from storage.uow import UnitOfWork

WINDOW = timedelta(hours=24)
CHANNEL = "whatsapp"
#: Refusals that a message to the citizen waits out until they write again: the window shut
#: with no template (``no_template``), Meta's re-engagement error, a template Meta refused.
HELD_CODES = frozenset(
    {"no_template", "131047", "132000", "132001", "132005", "132007", "132012", "132015", "132016"}
)
_CODE = re.compile(r"^whatsapp (\w+):")


class _Outcome(Protocol):
    @property
    def sent(self) -> bool: ...
    @property
    def failed(self) -> bool: ...
    @property
    def held(self) -> str: ...
    @property
    def error(self) -> str: ...


def hold_reason(channel: str, outcome: _Outcome) -> str:
    """Why a settled send to a WhatsApp chat is to be kept for the citizen's next message
    (``"template"``, an error code), or "" when it is not."""
    if channel != CHANNEL:
        return ""
    if outcome.sent:
        return outcome.held
    found = _CODE.match(outcome.error) if outcome.failed else None
    return found.group(1) if found and found.group(1) in HELD_CODES else ""


async def note_inbound(session: AsyncSession, chat_ids: Iterable[str], now: datetime) -> None:
    """The citizens of ``chat_ids`` wrote at ``now``: their windows run 24 hours from it (one
    upsert each, so two workers storing the same chat's messages at once do not collide)."""
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    for chat_id in sorted(set(chat_ids)):
        insert = dialect.insert(WhatsAppWindow).values(chat_id=chat_id, last_inbound_at=now)
        later = case(
            (WhatsAppWindow.last_inbound_at < insert.excluded.last_inbound_at, now),
            else_=WhatsAppWindow.last_inbound_at,
        )
        await session.execute(
            insert.on_conflict_do_update(
                index_elements=["chat_id"], set_={"last_inbound_at": later}
            )
        )


async def window_open(session: AsyncSession, chat_id: str, now: datetime) -> bool:
    last = await session.scalar(
        select(WhatsAppWindow.last_inbound_at).where(WhatsAppWindow.chat_id == chat_id)
    )
    return last is not None and now - last < WINDOW


async def record_undelivered(
    session: AsyncSession, outbox_ids: Sequence[int], reason_code: str, now: datetime
) -> int:
    """Keep the WhatsApp outbox rows ``outbox_ids`` to send when their citizen next writes;
    ``reason_code`` is Meta's error code ("131047"), ``no_template`` or ``template`` (a template
    went in its place). A row kept already is not kept twice. How many were kept."""
    kept = set(
        await session.scalars(
            select(WhatsAppHeld.outbox_id).where(WhatsAppHeld.outbox_id.in_(outbox_ids))
        )
    )
    rows = await session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.id.in_(outbox_ids), OutboxMessage.channel == CHANNEL)
        .order_by(OutboxMessage.id)
    )
    added = 0
    for row in rows:
        if row.id in kept:
            continue
        payload = {k: v for k, v in row.payload.items() if k != LANE_KEY}
        session.add(
            WhatsAppHeld(
                chat_id=row.chat_id,
                outbox_id=row.id,
                report_id=row.report_id,
                payload=payload,
                purpose=row.purpose,
                link_action=row.link_action,
                reason=reason_code[:32],
                created_at=now,
            )
        )
        added += 1
    await session.flush()
    return added


async def held_for_report(session: AsyncSession, report_id: int) -> list[WhatsAppHeld]:
    """A report's kept messages, the oldest first (the console's report page)."""
    rows = await session.scalars(
        select(WhatsAppHeld).where(WhatsAppHeld.report_id == report_id).order_by(WhatsAppHeld.id)
    )
    return list(rows)


async def release_held(uow: UnitOfWork, chat_id: str, now: datetime) -> int:
    """Queue the chat's kept messages again, in their order; how many."""
    held = list(
        await uow.session.scalars(
            select(WhatsAppHeld)
            .where(WhatsAppHeld.chat_id == chat_id, WhatsAppHeld.released_at.is_(None))
            .order_by(WhatsAppHeld.id)
            .with_for_update()
        )
    )
    for row in held:
        uow.outbox.add(
            channel=CHANNEL,
            chat_id=chat_id,
            payload=dict(row.payload),
            now=now,
            report_id=row.report_id,
            purpose=row.purpose,
            link_action=row.link_action,
        )
    if held:
        await uow.session.execute(
            update(WhatsAppHeld)
            .where(WhatsAppHeld.id.in_([row.id for row in held]))
            .values(released_at=now)
        )
    return len(held)


async def whatsapp_inbound(uow: UnitOfWork, chat_ids: Iterable[str], now: datetime) -> int:
    """The webhook stored messages from ``chat_ids``: windows open, kept messages go."""
    chats = sorted(set(chat_ids))
    await note_inbound(uow.session, chats, now)
    return sum([await release_held(uow, chat_id, now) for chat_id in chats])
