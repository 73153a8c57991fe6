"""Counter filings (lapor atas nama warga): who may file, and the rows beside the reports."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.lifecycle import GroupRole
from storage.models import CounterFiling, Unit, UnitChat, UnitMember, UnitOfficer


async def officer_unit(
    session: AsyncSession, channel: str, user_id: str
) -> tuple[Unit, GroupRole] | None:
    """The unit with a bound group that ``user_id`` works for (named by it first, else seen
    acting in its group) and their role there; None: no such unit knows them."""
    bound = select(UnitChat.unit_id).where(UnitChat.active)
    named = await session.scalar(
        select(Unit)
        .join(UnitOfficer, UnitOfficer.unit_id == Unit.id)
        .where(UnitOfficer.channel == channel, UnitOfficer.user_id == user_id)
        .where(Unit.active, Unit.id.in_(bound))
        .order_by(UnitOfficer.id)
        .limit(1)
    )
    if named is not None:
        return named, GroupRole.OFFICER
    seen = await session.scalar(
        select(Unit)
        .join(UnitMember, UnitMember.unit_id == Unit.id)
        .where(UnitMember.channel == channel, UnitMember.user_id == user_id)
        .where(Unit.active, Unit.id.in_(bound))
        .order_by(UnitMember.seen_at.desc())
        .limit(1)
    )
    return (seen, GroupRole.MEMBER) if seen is not None else None


async def filing_of(session: AsyncSession, report_id: int) -> CounterFiling | None:
    return await session.get(CounterFiling, report_id)
