"""Routing (disposisi): which unit holds a new report, and whose groups see a report.

The ladder itself (desa → kecamatan → coordinator, a unit without a bound group is skipped)
is one pure rule in ``core.routing``; this module only looks the units up.
"""

from __future__ import annotations

import logging

from core.categories import category_by_code
from core.decisions import SYSTEM
from core.permissions import UnitKind
from core.routing import COORDINATOR, Target, candidates, choose, seen_by
from core.timeline import EventKind
from handlers.case import Case
from storage.models import Report, Unit, UnitChat
from storage.uow import UnitOfWork

log = logging.getLogger(__name__)


async def _target_unit(uow: UnitOfWork, target: Target) -> Unit | None:
    if target.kind == "coordinator":
        return await uow.units.coordinator()
    if target.kind == "opd":
        return await uow.units.by_code(target.key)
    return await uow.units.by_area(target.key)


async def route(case: Case, report: Report) -> tuple[Unit | None, bool]:
    """The unit that must act on ``report`` and whether routing fell back up the ladder."""
    category = category_by_code(case.deps.categories, report.category)
    targets = candidates(category, report.region_code) if category else (COORDINATOR,)
    with_chats = await case.uow.units.unit_ids_with_chats()
    units: list[Unit] = []
    for target in targets:
        unit = await _target_unit(case.uow, target)
        if unit is not None and unit.active:
            units.append(unit)
    if not units:
        return None, False
    return choose(units, lambda unit: unit.id in with_chats)


async def assign_new_report(case: Case, report: Report) -> Unit | None:
    """Route a just-submitted report to its unit and record where it went."""
    unit, fell_back = await route(case, report)
    if unit is None:
        # No unit registry at all: the report still exists and is counted as new; the
        # coordinator's /antrian shows it once units are seeded and a group is bound.
        log.warning("report %d could not be routed: no units are registered", report.id)
        return None
    report.unit_id = unit.id
    kind = EventKind.ROUTED_FALLBACK if fell_back else EventKind.ROUTED
    case.record(report, kind, SYSTEM, note=unit.name, to_unit_id=unit.id)
    return unit


async def coordinator_chats(case: Case) -> list[UnitChat]:
    coordinator = await case.uow.units.coordinator()
    return await case.uow.units.chats_of(coordinator.id) if coordinator else []


async def is_coordinator_chat(case: Case, chat: UnitChat) -> bool:
    unit = await case.uow.units.get(chat.unit_id)
    return unit is not None and unit.kind == UnitKind.COORDINATOR


async def reachable(case: Case, unit: Unit | None) -> Unit | None:
    """The unit whose groups see reports held by ``unit`` (see ``core.routing.seen_by``)."""
    coordinator = await case.uow.units.coordinator()
    with_chats = await case.uow.units.unit_ids_with_chats()
    return seen_by(unit, coordinator, lambda u: u.id in with_chats)


async def holder_chats(case: Case, report: Report) -> list[UnitChat]:
    """The groups that see the report's holder's messages (the coordinator's for a holder
    without a group)."""
    unit = await case.uow.units.get(report.unit_id) if report.unit_id else None
    destination = await reachable(case, unit)
    return await case.uow.units.chats_of(destination.id) if destination else []
