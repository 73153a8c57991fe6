"""What every use case on an existing report stands on: :class:`Work`, the unit of work, the
moment and the rules, and :meth:`Work.change`, the one way such a use case changes a report
(``core.decisions.decide``, then ``storage.report_state.write_decision``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from core.categories import Category, category_by_code
from core.decisions import Actor, Decision, Refusal, ReportState, Rules, Target, decide
from core.permissions import CaseAction
from core.timeline import EventKind
from storage.models import Report, ReportEvent, Unit
from storage.report_state import state_of, write_decision
from storage.uow import UnitOfWork


@dataclass(frozen=True)
class Work:
    """One transaction's context: the caller's unit of work (the caller commits), the moment,
    the clocks' rules, and the categories (a category may need an inspection deadline)."""

    uow: UnitOfWork
    now: datetime
    rules: Rules
    categories: Sequence[Category]

    def state(self, report: Report) -> ReportState:
        category = category_by_code(self.categories, report.category)
        return state_of(report, pengawasan=category is not None and category.pengawasan)

    def decide(
        self,
        report: Report,
        action: CaseAction,
        actor: Actor,
        *,
        note: str = "",
        reason: str = "",
        to: Unit | None = None,
        rating: int | None = None,
        duplicate_of: str = "",
    ) -> Decision | Refusal:
        """What ``action`` would do to ``report`` (pure: nothing is written)."""
        target = Target(to.id, to.active) if to is not None else None
        return decide(
            self.state(report),
            action,
            actor,
            self.now,
            self.rules,
            note=note,
            reason=reason,
            to=target,
            rating=rating,
            duplicate_of=duplicate_of,
        )

    def write(self, report: Report, decision: Decision) -> None:
        """Write ``decision`` into the report row and store its timeline event."""
        event = write_decision(report, decision, self.now)
        if report.id is not None:
            self.uow.reports.add_event(event)

    def change(
        self,
        report: Report,
        action: CaseAction,
        actor: Actor,
        *,
        note: str = "",
        reason: str = "",
        to: Unit | None = None,
        rating: int | None = None,
        duplicate_of: str = "",
    ) -> Decision | Refusal:
        """Decide ``action`` on ``report`` and, when allowed, write it (fields and event)."""
        outcome = self.decide(
            report,
            action,
            actor,
            note=note,
            reason=reason,
            to=to,
            rating=rating,
            duplicate_of=duplicate_of,
        )
        if isinstance(outcome, Decision):
            self.write(report, outcome)
        return outcome

    def record(
        self,
        report: Report,
        kind: EventKind,
        actor: Actor,
        *,
        note: str = "",
        to_unit_id: int | None = None,
    ) -> None:
        """A timeline event that changes no lifecycle field (a supporter, a failed delivery, a
        rating comment)."""
        self.uow.reports.add_event(
            ReportEvent(
                report_id=report.id,
                kind=kind,
                actor=actor.label,
                note=note,
                unit_id=actor.unit_id,
                to_unit_id=to_unit_id,
                created_at=self.now,
            )
        )
