"""The context every piece of case work (penanganan laporan) runs in: one unit of work, the
moment, and the one way a report changes: :meth:`Case.change` asks ``core.decisions.decide``
and writes its decision (``storage.report_state``). See docs/lifecycle.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from core.categories import category_by_code
from core.deadlines import local_date
from core.decisions import Actor, Decision, Refusal, ReportState, Rules, Target, decide
from core.permissions import CaseAction
from core.purposes import Purpose
from core.timeline import EventKind
from handlers.actions import EditText, SendMedia, SendText
from handlers.deps import HandlerDeps
from handlers.outgoing import emit
from locales import Translator
from storage.models import Report, ReportEvent, Unit
from storage.report_state import state_of, write_decision
from storage.uow import UnitOfWork


@dataclass(frozen=True)
class Officer:
    """The person acting in a unit group (a Telegram user), and the unit of that group."""

    user_id: str
    name: str
    unit: Unit

    @property
    def actor(self) -> Actor:
        return Actor.officer(self.user_id, self.name, self.unit.id, self.unit.kind)


@dataclass
class Case:
    """The context every case-work function needs: one unit of work and the moment."""

    uow: UnitOfWork
    deps: HandlerDeps
    now: datetime

    def tr(self, language: str | None) -> Translator:
        return self.deps.catalogs.get(language)

    @property
    def rules(self) -> Rules:
        config = self.deps.config
        return Rules(self.deps.calendar, config.timezone, config.deadlines)

    def today(self) -> date:
        """The local calendar date of the case's moment (deadlines are local dates)."""
        return local_date(self.now, self.deps.config.timezone)

    def state(self, report: Report) -> ReportState:
        category = category_by_code(self.deps.categories, report.category)
        return state_of(report, pengawasan=category is not None and category.pengawasan)

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
        target = Target(to.id, to.active) if to is not None else None
        outcome = decide(
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
        if isinstance(outcome, Decision):
            event = write_decision(report, outcome, self.now)
            if report.id is not None:
                self.uow.reports.add_event(event)
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
        """A timeline event that changes no lifecycle field (routing, a failed delivery, a
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

    def emit(
        self,
        channel: str,
        action: SendText | SendMedia | EditText,
        report: Report,
        *,
        purpose: Purpose = Purpose.NONE,
        link_action: str = "",
    ) -> None:
        emit(
            self.uow,
            channel,
            action.chat_id,
            action,
            self.now,
            report_id=report.id,
            purpose=purpose,
            link_action=link_action,
        )


def today(case: Case) -> date:
    return case.today()
