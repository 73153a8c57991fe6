"""The context every piece of case work (penanganan laporan) runs in: one unit of work, the
moment, and the one way a report changes: :meth:`Case.change` asks ``core.decisions.decide``
and writes its decision (``storage.report_state``), through ``cases.changes.Work``, which the use
cases in ``cases/`` stand on. See docs/lifecycle.md and docs/cases.md.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from cases.changes import Work
from cases.officer import Officer
from core.deadlines import local_date
from core.decisions import Actor, Decision, Refusal, ReportState, Rules
from core.permissions import CaseAction
from core.purposes import Purpose
from handlers.actions import EditText, SendMedia, SendText
from handlers.deps import HandlerDeps
from handlers.outgoing import emit
from locales import Translator
from storage.models import Report, Unit
from storage.uow import UnitOfWork


@dataclass
class Case:
    """The context every case-work function needs: one unit of work and the moment."""

    uow: UnitOfWork
    deps: HandlerDeps
    now: datetime
    #: The messenger the step's update came on (its photos' file ids are that messenger's);
    #: "" for work that no chat message started (reminders, the console).
    channel: str = ""
    #: Per report, its supporters as counted by a card's facts read in this step
    #: (``handlers.card_view``): none, and whom to tell needs no read (``handlers.supporters``).
    supporters_counted: dict[int, int] = field(default_factory=dict)

    def tr(self, language: str | None) -> Translator:
        return self.deps.catalogs.get(language)

    @property
    def rules(self) -> Rules:
        config = self.deps.config
        return Rules(self.deps.calendar, config.timezone, config.deadlines)

    def today(self) -> date:
        """The local calendar date of the case's moment (deadlines are local dates)."""
        return local_date(self.now, self.deps.config.timezone)

    @property
    def work(self) -> Work:
        """The use cases' view of this context (``cases.changes.Work``)."""
        return Work(self.uow, self.now, self.rules, self.deps.categories)

    def state(self, report: Report) -> ReportState:
        return self.work.state(report)

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
        """Decide ``action`` on ``report`` and, when allowed, write it (``Work.change``)."""
        return self.work.change(
            report,
            action,
            actor,
            note=note,
            reason=reason,
            to=to,
            rating=rating,
            duplicate_of=duplicate_of,
        )

    def emit(
        self,
        channel: str,
        action: SendText | SendMedia | EditText,
        report: Report,
        *,
        purpose: Purpose = Purpose.NONE,
        link_action: str = "",
        extra: Mapping[str, Any] | None = None,
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
            extra=extra,
        )


def today(case: Case) -> date:
    return case.today()


__all__ = ["Case", "Officer", "today"]
