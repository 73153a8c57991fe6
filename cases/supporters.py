"""Supporters (laporan serupa): a citizen follows another's open report instead of filing the
same problem again, the reporter of a duplicate follows the original it was merged into, and a
supporter's words reach the unit. No lifecycle field changes: a supporter is counted and named
on the timeline as "pendukung", never who (docs/similar.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from cases.changes import Work
from core.decisions import SUPPORTER_LABEL, Actor, ActorKind
from core.lifecycle import OPEN_STATUSES, Privacy
from core.similar import Place, offerable, similar
from core.timeline import EventKind
from storage.models import Report
from storage.supporters import SupporterRepository, since

#: How a supporter appears in the report's timeline: never who.
SUPPORTER = Actor(ActorKind.CITIZEN, SUPPORTER_LABEL)


class SupportRefusal(StrEnum):
    NOT_OPEN = "not_open"  # gone, not verified, confidential or closed
    OWN = "own"  # the citizen's own report


@dataclass(frozen=True)
class Supported:
    """``added``: the citizen did not follow the report yet; ``count``: its supporters now."""

    added: bool
    count: int


def _repo(work: Work) -> SupporterRepository:
    return SupporterRepository(work.uow.session)


async def support(work: Work, report: Report | None, citizen_id: int) -> Supported | SupportRefusal:
    """The citizen supports ``report`` (offered to them as similar to what they were filing)."""
    if report is None or not offerable(report.status, report.privacy):
        return SupportRefusal.NOT_OPEN
    if report.citizen_id == citizen_id:
        return SupportRefusal.OWN
    added = await _repo(work).add(report.id, citizen_id, work.now)
    if added:
        work.record(report, EventKind.SUPPORTED, SUPPORTER)
    return Supported(added, await _repo(work).count(report.id))


async def follow_original(work: Work, report: Report, original: Report) -> bool:
    """After ``report`` was archived as a duplicate of ``original``: its reporter follows the
    original. True when they did not already (the original's cards then show one more)."""
    if report.citizen_id == original.citizen_id:
        return False
    added = await _repo(work).add(
        original.id, report.citizen_id, work.now, source_report_id=report.id
    )
    if added:
        work.record(original, EventKind.SUPPORTED, SUPPORTER, note=report.tracking_no)
    return added


def may_carry(report: Report | None) -> bool:
    """What the unit may merge a duplicate into: any open report that is not confidential."""
    return (
        report is not None and report.status in OPEN_STATUSES and report.privacy != Privacy.RAHASIA
    )


async def supporter_note(work: Work, report: Report, text: str) -> str:
    """A supporter's addition, recorded on the timeline (the door relays it to the unit).
    Nothing of the report's life changes. Returns a refusal key, or '' when recorded."""
    if report.status not in OPEN_STATUSES:
        return "supporter_closed"
    work.record(report, EventKind.SUPPORTER_NOTE, SUPPORTER, note=text)
    return ""


def may_merge(report: Report, original: Report | None) -> bool:
    """Whether ``report`` may be archived as a duplicate of ``original``: another report that
    :func:`may_carry` it."""
    return original is not None and original.id != report.id and may_carry(original)


async def originals(
    repo: SupporterRepository, report: Report, now: datetime, *, radius_m: float, days: int
) -> list[Report]:
    """Open reports ``report`` may be merged into: similar ones filed before it (the group's
    Arsipkan → Duplikat picker and the console's merge form offer the same)."""
    place = Place(report.category, report.region_code, report.latitude, report.longitude)
    candidates = [
        c
        for c in await repo.candidates(report.category, since(now, days))
        if c.report_id != report.id and c.created_at <= report.created_at
    ]
    matches = similar(place, candidates, now=now, radius_m=radius_m, days=days, limit=6)
    return await repo.reports([m.candidate.report_id for m in matches])
