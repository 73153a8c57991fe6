"""Filing a finished report from a door other than the chat (the Open311 API).

The same steps as the chat's submit (``intake._submit``): a unique tracking number, the clocks
started, the report stored with its first timeline event, routed and its card posted to the
unit's groups through the outbox, all in the caller's unit of work.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from core.tracking import new_tracking_number
from handlers.case import Case
from handlers.deps import HandlerDeps
from handlers.notices import deliver_new_report
from storage.models import Report, ReportEvent, Unit
from storage.uow import UnitOfWork


async def unique_tracking_number(uow: UnitOfWork) -> str:
    """A tracking number no report has yet (the chat's submit uses it too)."""
    while True:
        number = new_tracking_number()
        if not await uow.reports.tracking_number_taken(number):
            return number


async def file_report(
    uow: UnitOfWork, deps: HandlerDeps, now: datetime, report: Report, event: ReportEvent
) -> Unit | None:
    """Store ``report`` (without a tracking number yet) and start its life; returns its unit.

    ``event`` names who filed it; its lifecycle fields come from the same decision as a report
    filed in the chat (``Case.open_report``)."""
    report.tracking_no = await unique_tracking_number(uow)
    case = Case(uow, deps, now)
    opened = case.open_report(report)
    opened.actor = event.actor
    opened.note = event.note
    await uow.reports.add(report, [], opened)
    return await deliver_new_report(case, report)


@dataclass(frozen=True)
class ReportFiler:
    """``file_report`` bound to the handlers' dependencies: what a web door is given."""

    deps: HandlerDeps

    async def __call__(
        self, uow: UnitOfWork, now: datetime, report: Report, event: ReportEvent
    ) -> Unit | None:
        return await file_report(uow, self.deps, now, report, event)
