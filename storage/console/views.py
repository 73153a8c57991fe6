"""The console's saved views (``console_views``): one person's named list addresses."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import ConsoleView

#: How many views one person keeps in one unit; saving more replaces none and is refused.
MAX_VIEWS = 30


async def views_of(session: AsyncSession, unit_id: int, person: str) -> list[ConsoleView]:
    """The person's views in this unit, by name."""
    rows = await session.scalars(
        select(ConsoleView)
        .where(ConsoleView.unit_id == unit_id, ConsoleView.person == person)
        .order_by(ConsoleView.name, ConsoleView.id)
    )
    return list(rows)


async def save_view(
    session: AsyncSession, unit_id: int, person: str, name: str, query: str, now: datetime
) -> bool:
    """Keep ``query`` under ``name`` (a view of that name is replaced); False when the person
    already has :data:`MAX_VIEWS` others."""
    found = await session.scalar(
        select(ConsoleView).where(
            ConsoleView.unit_id == unit_id, ConsoleView.person == person, ConsoleView.name == name
        )
    )
    if found is not None:
        found.query = query
        found.created_at = now
        return True
    count = await session.scalar(
        select(func.count())
        .select_from(ConsoleView)
        .where(ConsoleView.unit_id == unit_id, ConsoleView.person == person)
    )
    if (count or 0) >= MAX_VIEWS:
        return False
    session.add(ConsoleView(unit_id=unit_id, person=person, name=name, query=query, created_at=now))
    return True


async def delete_view(session: AsyncSession, unit_id: int, person: str, view_id: int) -> bool:
    """Delete the person's view ``view_id``; False when they have no such view."""
    result = await session.execute(
        delete(ConsoleView).where(
            ConsoleView.id == view_id, ConsoleView.unit_id == unit_id, ConsoleView.person == person
        )
    )
    return bool(getattr(result, "rowcount", 0))
