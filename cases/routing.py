"""Routing (disposisi): which unit holds a new report.

The ladder itself (desa → kecamatan → coordinator, a unit without a bound group is skipped) is
one pure rule in ``core.routing``; this module looks the units up, and where the report goes is
a decision (``core.decisions.decide`` on ``Upkeep.ROUTE``: the report's ``unit_id`` and its
"routed" event), written by ``storage.report_state``. Which groups *see* a report's messages is
the conversations' business (``handlers.routing``).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime

from core import decisions
from core.categories import Category, category_by_code
from core.decisions import SYSTEM, Decision, Rules, decide
from core.lifecycle import Upkeep
from core.routing import COORDINATOR, Target, candidates, choose
from storage.models import Report, Unit
from storage.report_state import apply_decision, state_of
from storage.uow import UnitOfWork

log = logging.getLogger(__name__)


async def _target_unit(uow: UnitOfWork, target: Target) -> Unit | None:
    if target.kind == "coordinator":
        return await uow.units.coordinator()
    if target.kind == "opd":
        return await uow.units.by_code(target.key)
    return await uow.units.by_area(target.key)


async def route(
    uow: UnitOfWork, categories: Sequence[Category], report: Report
) -> tuple[Unit | None, bool]:
    """The unit that must act on ``report`` and whether routing fell back up the ladder."""
    category = category_by_code(categories, report.category)
    targets = candidates(category, report.region_code) if category else (COORDINATOR,)
    with_chats = await uow.units.unit_ids_with_chats()
    units: list[Unit] = []
    for target in targets:
        unit = await _target_unit(uow, target)
        if unit is not None and unit.active:
            units.append(unit)
    if not units:
        return None, False
    return choose(units, lambda unit: unit.id in with_chats)


async def assign_new_report(
    uow: UnitOfWork, categories: Sequence[Category], report: Report, now: datetime, rules: Rules
) -> Unit | None:
    """Route a just-stored report to its unit and record where it went."""
    unit, fell_back = await route(uow, categories, report)
    if unit is None:
        # No unit registry at all: the report still exists and is counted as new; the
        # coordinator's /antrian shows it once units are seeded and a group is bound.
        log.warning("report %d could not be routed: no units are registered", report.id)
        return None
    category = category_by_code(categories, report.category)
    state = state_of(report, pengawasan=category is not None and category.pengawasan)
    to = decisions.Target(unit.id, unit.active, fallback=fell_back)
    outcome = decide(state, Upkeep.ROUTE, SYSTEM, now, rules, to=to, note=unit.name)
    assert isinstance(outcome, Decision), outcome  # a new report is baru, the unit active
    await apply_decision(uow, report, outcome, now)
    return unit
