"""WhatsApp delivery statuses, one row per ``wamid`` (``WhatsAppDelivery``, docs/whatsapp.md).

Meta's status webhooks come out of order and more than once; several webhook workers may take
them at once. Every write here is one conditional statement, so the database decides: a status
replaces the stored one only when it is further along (:data:`RANKS`), and a failure is claimed
for its retry or its surfacing by exactly one caller (:func:`claim_failure`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import WhatsAppDelivery

#: How far along each status is; ``accepted`` is the send's answer before any webhook.
RANKS = {"accepted": 0, "sent": 1, "delivered": 2, "read": 3, "failed": 4}
FAILED = "failed"
_TITLE_MAX = 200


def _rank(column: Any) -> Any:
    return case(RANKS, value=column, else_=-1)


def _insert(session: AsyncSession, values: dict[str, Any]) -> Any:
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return insert(WhatsAppDelivery).values(**values).on_conflict_do_nothing()


async def record_sent(
    session: AsyncSession, outbox_id: int, wamids: Sequence[str], attempt: int, now: datetime
) -> list[str]:
    """The Cloud API accepted these messages of an outbox row. Returns those whose ``failed``
    status came before this record and is not handled yet (the caller handles them now)."""
    for wamid in wamids:
        values = {
            "wamid": wamid,
            "outbox_id": outbox_id,
            "attempt": attempt,
            "status": "accepted",
            "created_at": now,
            "updated_at": now,
        }
        await session.execute(_insert(session, values))
        # A status that came first left a row without its outbox row: it gets it now.
        await session.execute(
            update(WhatsAppDelivery)
            .where(WhatsAppDelivery.wamid == wamid, WhatsAppDelivery.outbox_id.is_(None))
            .values(outbox_id=outbox_id, attempt=attempt)
        )
    found = await session.scalars(
        select(WhatsAppDelivery.wamid).where(
            WhatsAppDelivery.wamid.in_(list(wamids)),
            WhatsAppDelivery.status == FAILED,
            WhatsAppDelivery.handled_at.is_(None),
        )
    )
    return list(found)


async def apply_status(
    session: AsyncSession,
    wamid: str,
    status: str,
    now: datetime,
    *,
    code: int | None = None,
    title: str = "",
) -> bool:
    """Store one status webhook's news. Returns whether this call moved the message to
    ``failed`` (then the failure is to be handled; a repeat of it returns False)."""
    if status not in RANKS:
        return False
    values: dict[str, Any] = {"status": status, "updated_at": now}
    if status == FAILED:
        values |= {"error_code": code, "error_title": title[:_TITLE_MAX] or None}
    inserted = await session.execute(
        _insert(session, {"wamid": wamid, "created_at": now, "attempt": 1, **values})
    )
    if getattr(inserted, "rowcount", 0):
        return status == FAILED
    moved = await session.execute(
        update(WhatsAppDelivery)
        .where(
            and_(
                WhatsAppDelivery.wamid == wamid,
                _rank(WhatsAppDelivery.status) < RANKS[status],
            )
        )
        .values(**values)
    )
    return bool(getattr(moved, "rowcount", 0)) and status == FAILED


async def claim_failure(
    session: AsyncSession, wamid: str, now: datetime
) -> WhatsAppDelivery | None:
    """Take a failed message's handling (once, whoever asks): the row when this caller got it
    and its outbox row is known, else None."""
    claimed = await session.execute(
        update(WhatsAppDelivery)
        .where(
            WhatsAppDelivery.wamid == wamid,
            WhatsAppDelivery.status == FAILED,
            WhatsAppDelivery.handled_at.is_(None),
            WhatsAppDelivery.outbox_id.is_not(None),
        )
        .values(handled_at=now)
    )
    if not getattr(claimed, "rowcount", 0):
        return None
    return await session.get(WhatsAppDelivery, wamid)


async def statuses_of(session: AsyncSession, outbox_id: int) -> list[WhatsAppDelivery]:
    """The messages one outbox row became, with their statuses."""
    rows = await session.scalars(
        select(WhatsAppDelivery)
        .where(WhatsAppDelivery.outbox_id == outbox_id)
        .order_by(WhatsAppDelivery.created_at)
    )
    return list(rows)
