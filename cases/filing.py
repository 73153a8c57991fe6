"""Filing a report: the only way a report comes to exist, whichever door it came through.

:func:`file_report` gives the report a unique tracking number, takes the opening decision
(``core.decisions.decide`` on ``SUBMIT``: status baru, the verification deadline, the Ombudsman
day), stores it with its evidence photos and its first timeline event, routes it to its unit
and then tells the door's notifier which cards are owed. All of it in the caller's unit of
work: the caller commits, together with whatever screen it shows. No text is written here:
the door passes a :class:`NewReportNotices` that renders the cards (docs/cases.md).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from cases.routing import assign_new_report
from core.categories import Category, category_by_code
from core.decisions import REPORTER, Actor, Decision, Rules, decide
from core.permissions import CaseAction
from core.tracking import new_tracking_number
from storage.models import Report, ReportPhoto, Unit
from storage.report_state import state_of, write_decision
from storage.uow import UnitOfWork


class NewReportNotices(Protocol):
    """What a new report owes, rendered by the door: its card in the groups of ``unit`` (and
    the coordinator's copy or summary), as outbox rows in ``uow``."""

    async def new_report(self, uow: UnitOfWork, now: datetime, report: Report, unit: Unit) -> None:
        """Queue the cards of ``report``, just routed to ``unit``."""
        ...


@dataclass(frozen=True)
class Filing:
    """What filing needs besides the unit of work: the clocks' rules, the categories (for
    routing and the inspection deadline) and the door's notifier."""

    rules: Rules
    categories: Sequence[Category]
    notices: NewReportNotices


async def unique_tracking_number(uow: UnitOfWork) -> str:
    """A tracking number no report has yet."""
    while True:
        number = new_tracking_number()
        if not await uow.reports.tracking_number_taken(number):
            return number


async def file_report(
    uow: UnitOfWork,
    filing: Filing,
    now: datetime,
    report: Report,
    photos: Sequence[ReportPhoto] = (),
    *,
    filed_by: Actor = REPORTER,
    note: str = "",
    beside: Callable[[Report], Awaitable[None]] | None = None,
) -> Unit | None:
    """File ``report`` (what the door gathered, not stored yet, without a tracking number) with
    its ``photos``; returns the unit it was routed to (None: no unit is registered).

    ``filed_by`` names who filed it on the timeline (the reporter, or another system through
    Open311); ``note`` goes on the submitted event; ``beside`` stores what the door keeps beside
    the new report (a counter filing) before the unit's card is written."""
    report.tracking_no = await unique_tracking_number(uow)
    category = category_by_code(filing.categories, report.category)
    state = state_of(report, pengawasan=category is not None and category.pengawasan)
    outcome = decide(state, CaseAction.SUBMIT, filed_by, now, filing.rules, note=note)
    assert isinstance(outcome, Decision), outcome
    await uow.reports.add(report, list(photos), write_decision(report, outcome, now))
    if beside is not None:
        await beside(report)
    unit = await assign_new_report(uow, filing.categories, report, now, filing.rules)
    if unit is not None:
        await filing.notices.new_report(uow, now, report, unit)
    return unit
