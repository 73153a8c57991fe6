"""Who acted how often: the officers' steps on the timeline in a span of time, counted per
officer (the actor label ``petugas:<id>:<name>``), the unit they acted for, and the kind of step."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.actors import OFFICER_PREFIX
from core.timeline import EventKind
from storage.models import ReportEvent


def actor_statement(
    visible: frozenset[int] | None, start: datetime, end: datetime, kinds: Sequence[EventKind]
) -> Any:
    """Per (officer label, unit acted for, kind): the steps taken from ``start`` to before
    ``end``; only the units in ``visible`` (None: every unit)."""
    e = ReportEvent
    stmt = select(e.actor, e.unit_id, e.kind, func.count()).where(
        e.actor.startswith(OFFICER_PREFIX, autoescape=True),
        e.created_at >= start,
        e.created_at < end,
        e.kind.in_(list(kinds)),
    )
    if visible is not None:
        stmt = stmt.where(e.unit_id.in_(sorted(visible)))
    return stmt.group_by(e.actor, e.unit_id, e.kind)


async def actor_counts(
    session: AsyncSession,
    visible: frozenset[int] | None,
    start: datetime,
    end: datetime,
    kinds: Sequence[EventKind],
) -> dict[tuple[str, int | None], dict[EventKind, int]]:
    """``(officer label, unit id) -> {kind: steps}`` of :func:`actor_statement`."""
    found: dict[tuple[str, int | None], dict[EventKind, int]] = {}
    for actor, unit, kind, n in await session.execute(actor_statement(visible, start, end, kinds)):
        found.setdefault((str(actor), unit), {})[EventKind(kind)] = int(n)
    return found
