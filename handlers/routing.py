"""Whose groups see a report's messages. Which unit holds a new report is decided when it is
filed (``cases.routing``); the ladder itself is one pure rule in ``core.routing``.
"""

from __future__ import annotations

from core.permissions import UnitKind
from core.routing import seen_by
from handlers.case import Case
from storage.models import Report, Unit, UnitChat


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
