"""The outside bodies reports are referred to (bukan kewenangan), read and kept in the caller's
unit of work. A body is never deleted: removing it marks it inactive, so a report referred to it
keeps its contacts."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import ReferralBody

#: The parts of a body the coordinator types, in the order ``/rujukan tambah`` takes them.
FIELDS = ("name", "handles", "address", "phone", "web", "channel")
#: The longest part (the table's widest column).
PART_MAX = 300


def _width(part: str) -> int:
    column = ReferralBody.__table__.c[part]
    assert isinstance(column.type, String)
    return min(column.type.length or PART_MAX, PART_MAX)


#: The longest text each part's column keeps (a phone number is shorter than an address).
LIMITS = {part: _width(part) for part in FIELDS}


async def active(session: AsyncSession) -> list[ReferralBody]:
    """The bodies a report may be referred to now, in the order they were added."""
    rows = await session.scalars(
        select(ReferralBody).where(ReferralBody.active.is_(True)).order_by(ReferralBody.id)
    )
    return list(rows)


async def get(session: AsyncSession, body_id: int) -> ReferralBody | None:
    """A body by its number, removed or not."""
    return await session.get(ReferralBody, body_id)


async def add(session: AsyncSession, parts: dict[str, str], now: datetime) -> ReferralBody:
    body = ReferralBody(**parts, active=True, created_at=now)
    session.add(body)
    await session.flush()
    return body
