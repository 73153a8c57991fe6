"""The one place a decision of ``core.decisions.decide`` is written into a report row.

:func:`state_of` reads a report's lifecycle fields. :func:`write_decision` writes the fields
after the change and returns the timeline event to store (the callers that store it
themselves); :func:`apply_decision` does both, and first takes over the agenda field a
reminder engine's decision claims (``Decision.claim``) with a compare-and-set, so that of two
rounds racing for a report only one writes and sends. Nothing else writes ``status``,
``unit_id``, ``due_date``, ``next_notice_on``, ``ombudsman_on``, the pause fields,
``selesai_at``, ``closed_at`` or the measured stages (``created_on`` … ``reopened``, see
:func:`moments_of`) (see docs/lifecycle.md).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update

from core.decisions import Decision, Pause, ReportState, TimelineEvent
from core.lifecycle import ReportStatus
from core.performance import Moments
from storage.models import Report, ReportEvent
from storage.uow import UnitOfWork


def state_of(report: Report, *, pengawasan: bool) -> ReportState:
    """The report's lifecycle fields (``status`` None: a report being built, not submitted)."""
    pause = None
    if report.paused_status and report.paused_at is not None:
        pause = Pause(report.paused_status, report.paused_at, report.paused_days_left)
    return ReportState(
        status=report.status or None,
        report_type=report.report_type,
        pengawasan=pengawasan,
        unit_id=report.unit_id,
        due_date=report.due_date,
        next_notice_on=report.next_notice_on,
        pause=pause,
        ombudsman_on=report.ombudsman_on,
        selesai_at=report.selesai_at,
        closed_at=report.closed_at,
        rating=report.rating,
        moments=moments_of(report),
    )


def moments_of(report: Report) -> Moments | None:
    """The measured stages kept on the row (None: not submitted). ``waiting_since`` is left
    None: it is the report's pause, which the reader turns into a local date."""
    if report.created_on is None:
        return None
    return Moments(
        created_on=report.created_on,
        verified_on=report.verified_on,
        verify_days=report.verify_days,
        verify_on_time=report.verify_on_time,
        followed_up_on=report.followed_up_on,
        follow_up_days=report.follow_up_days,
        follow_up_on_time=report.follow_up_on_time,
        finished_on=report.finished_on,
        finish_days=report.finish_days,
        finish_on_time=report.finish_on_time,
        stage_paused=report.stage_paused or 0,
        stage_due=report.stage_due,
        reopened=bool(report.reopened),
        archived=report.status in (ReportStatus.DIARSIPKAN, ReportStatus.DIRUJUK),
    )


def _write_moments(report: Report, m: Moments) -> None:
    report.created_on = m.created_on
    report.verified_on = m.verified_on
    report.verify_days = m.verify_days
    report.verify_on_time = m.verify_on_time
    report.followed_up_on = m.followed_up_on
    report.follow_up_days = m.follow_up_days
    report.follow_up_on_time = m.follow_up_on_time
    report.finished_on = m.finished_on
    report.finish_days = m.finish_days
    report.finish_on_time = m.finish_on_time
    report.stage_paused = m.stage_paused
    report.stage_due = m.stage_due
    report.reopened = m.reopened


async def apply_decision(
    uow: UnitOfWork, report: Report, decision: Decision, now: datetime
) -> bool:
    """Write ``decision`` into the stored ``report`` and add its events to ``uow``.

    A decision that claims an agenda field is written only if the row still holds what the
    decision read there: False (nothing written) when another round moved it first; that
    round sends the notice, this one must not."""
    claim = decision.claim
    if claim is not None:
        column = getattr(Report, claim.value)
        result = await uow.session.execute(
            update(Report)
            .where(Report.id == report.id, column == getattr(decision.before, claim.value))
            .values({column: getattr(decision.after, claim.value)})
            .execution_options(synchronize_session=False)
        )
        if not getattr(result, "rowcount", 0):
            return False
    _write_fields(report, decision, now)
    for event in decision.events:
        uow.reports.add_event(_row(report, event, now))
    return True


def write_decision(report: Report, decision: Decision, now: datetime) -> ReportEvent:
    """Write the decision's fields into ``report``; its event is returned for the caller to
    store (a new report is stored together with its first event)."""
    _write_fields(report, decision, now)
    return _row(report, decision.event, now)


def _write_fields(report: Report, decision: Decision, now: datetime) -> None:
    after = decision.after
    assert after.status is not None
    report.status = after.status
    report.unit_id = after.unit_id
    report.due_date = after.due_date
    report.next_notice_on = after.next_notice_on
    report.paused_status = after.pause.status if after.pause else None
    report.paused_at = after.pause.at if after.pause else None
    report.paused_days_left = after.pause.days_left if after.pause else None
    report.ombudsman_on = after.ombudsman_on
    report.selesai_at = after.selesai_at
    report.closed_at = after.closed_at
    report.rating = after.rating
    if after.moments is not None:
        _write_moments(report, after.moments)
    if decision.touches:
        report.updated_at = now


def _row(report: Report, event: TimelineEvent, now: datetime) -> ReportEvent:
    return ReportEvent(
        report_id=report.id,
        kind=event.kind,
        status_from=event.status_from,
        status_to=event.status_to,
        actor=event.actor,
        note=event.note,
        unit_id=event.unit_id,
        to_unit_id=event.to_unit_id,
        created_at=now,
    )
