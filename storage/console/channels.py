"""The console's count of reports by the way they came (cara masuk): the citizen's own chat,
the counter or the phone (lapor atas nama warga, whether claimed since or not), or Open311."""

from __future__ import annotations

from datetime import date

from sqlalchemy import case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.open311 import OPEN311_CHANNEL
from storage.models import CounterFiling, Report

#: The ways, in the order the console lists them; "chat": a messenger (Telegram).
WAYS = ("chat", "loket", "telepon", OPEN311_CHANNEL)


async def by_way(
    session: AsyncSession, visible: frozenset[int] | None, first: date, last: date
) -> dict[str, int]:
    """Reports filed from ``first`` to ``last`` (local days) in the units of ``visible`` (None:
    every unit), per way they came."""
    own = case((Report.channel == OPEN311_CHANNEL, OPEN311_CHANNEL), else_="chat")
    way = func.coalesce(CounterFiling.via, own)
    stmt = (
        select(way, func.count())
        .select_from(Report)
        .outerjoin(CounterFiling, CounterFiling.report_id == Report.id)
        .where(Report.created_on >= first, Report.created_on <= last)
        .group_by(way)
    )
    if visible is not None:
        stmt = stmt.where(Report.unit_id.in_(sorted(visible)))
    found = {str(w): int(n) for w, n in await session.execute(stmt)}
    return {w: found.get(w, 0) for w in WAYS}
