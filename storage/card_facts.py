"""What a report's card shows beyond the report's own row, read in one statement.

A card (``handlers.cards``) shows the evidence (photos, voice notes, videos), the supporters and
internal notes counted, how a counter filing came and who took it, and where a transfer came
from. A transfer writes up to three cards (the old group's edited, the new group's posted, the
coordinator's edited); each used to read these five facts itself. Here they are one statement
(the report's photos joined with the rest as scalar columns), read once for all of a step's
cards and for every unit whose "came from" line the cards need.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from sqlalchemy import Integer, bindparam, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.timeline import EventKind
from storage.models import CounterFiling, Report, ReportEvent, ReportPhoto, ReportSupporter


@dataclass(frozen=True)
class Evidence:
    """One photo, voice note or video of the report (its file id and type)."""

    file_id: str
    mime_type: str


@dataclass(frozen=True)
class CardFacts:
    evidence: tuple[Evidence, ...] = ()
    supporters: int = 0
    internal_notes: int = 0
    #: A counter filing's way in (``loket``/``telepon``) and the officer who took it; "" if none.
    taken_via: str = ""
    taken_by: str = ""
    #: Per unit asked for: the unit the latest transfer into it came from, and its reason.
    moved_into: dict[int, tuple[int, str]] = field(default_factory=dict)


def _latest_transfer(report_id: Any, unit_id: Any, column: Any) -> Any:
    """One column of the latest transfer of the report into ``unit_id`` (a scalar column)."""
    return (
        select(column)
        .where(
            ReportEvent.report_id == report_id,
            ReportEvent.to_unit_id == unit_id,
            ReportEvent.kind == EventKind.TRANSFERRED,
        )
        .order_by(ReportEvent.id.desc())
        .limit(1)
        .scalar_subquery()
    )


@cache
def _statement(units: int) -> Any:
    """The facts' statement for ``units`` units, built once (building it is most of its cost
    in Python): the report is ``:report``, the units ``:unit_0`` …"""
    report_id = bindparam("report", type_=Integer)
    supporters = (
        select(func.count())
        .select_from(ReportSupporter)
        .where(ReportSupporter.report_id == report_id)
        .scalar_subquery()
    )
    notes = (
        select(func.count())
        .select_from(ReportEvent)
        .where(ReportEvent.report_id == report_id, ReportEvent.kind == EventKind.INTERNAL_NOTE)
        .scalar_subquery()
    )
    moved = []
    for i in range(units):
        unit = bindparam(f"unit_{i}", type_=Integer)
        moved.append(_latest_transfer(report_id, unit, ReportEvent.unit_id))
        moved.append(_latest_transfer(report_id, unit, ReportEvent.note))
    return (
        select(
            supporters,
            notes,
            CounterFiling.via,
            CounterFiling.officer_name,
            ReportPhoto.file_id,
            ReportPhoto.mime_type,
            *moved,
        )
        .select_from(Report)
        .outerjoin(CounterFiling, CounterFiling.report_id == Report.id)
        .outerjoin(ReportPhoto, ReportPhoto.report_id == Report.id)
        .where(Report.id == report_id)
        .order_by(ReportPhoto.position, ReportPhoto.id)
    )


async def read_card_facts(
    session: AsyncSession, report_id: int, unit_ids: Iterable[int | None] = ()
) -> CardFacts:
    """The card's facts of the report; ``unit_ids``: the units whose cards say where a
    transfer into them came from (None is left out)."""
    units = sorted({u for u in unit_ids if u is not None})
    statement = _statement(len(units))
    values = {"report": report_id, **{f"unit_{i}": unit for i, unit in enumerate(units)}}
    rows = (await session.execute(statement, values)).all()
    if not rows:
        return CardFacts()
    first = rows[0]
    evidence = tuple(Evidence(r[4], r[5]) for r in rows if r[4] is not None)
    into: dict[int, tuple[int, str]] = {}
    for i, unit in enumerate(units):
        came_from, note = first[6 + 2 * i], first[7 + 2 * i]
        if came_from is not None:
            into[unit] = (came_from, note or "")
    return CardFacts(
        evidence=evidence,
        supporters=int(first[0] or 0),
        internal_notes=int(first[1] or 0),
        taken_via=first[2] or "",
        taken_by=first[3] or "",
        moved_into=into,
    )
