"""A report's deadline as people read it: which stage the date belongs to, and since when it is
late.

A bare date misled: after a transfer the citizen read the verification deadline as the date of
the follow-up, and a late report kept showing a date already gone with no word that it was late.
Every deadline a person reads goes through :func:`stage_due`: "verifikasi paling lambat <date>",
"tindak lanjut pertama paling lambat <date>", "selesai paling lambat <date> (batas terlama menurut
aturan)"; once a unit's date has passed, "⚠️ terlambat sejak <the next working day>".

The finishing date is the rules' longest (officers give no date of their own in this version),
so it is worded as such, never as a promise.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Final

from core.calendar import WorkingCalendar
from core.deadlines import local_date
from core.lifecycle import UNIT_STAGES, Clock, ReportStatus, clock
from handlers.deps import HandlerDeps
from handlers.formatting import long_date
from locales import Translator
from storage.models import Report

#: The words of each stage's deadline (``{date}``: the day).
STAGE_DUE_KEYS: Final = {
    Clock.VERIFY: "due.verify",
    Clock.FOLLOW_UP: "due.follow_up",
    Clock.RESOLVE: "due.resolve",
    Clock.QUIET: "due.quiet",
}
PAUSED_KEY: Final = "due.paused"
LATE_KEY: Final = "due.late"


def late_since(due: date, calendar: WorkingCalendar) -> date:
    """The first working day after ``due``: the day the stage became late (and is escalated)."""
    return calendar.add_working_days(due, 1)


def stage_due(
    tr: Translator,
    status: ReportStatus | str,
    due: date | None,
    calendar: WorkingCalendar,
    today: date,
) -> str:
    """The deadline of the stage ``status`` is in, named and dated; "-" when none runs."""
    stage = clock(ReportStatus(status))
    if stage == Clock.PAUSED:
        return tr.t(PAUSED_KEY)
    key = STAGE_DUE_KEYS.get(stage)
    if due is None or key is None:
        return "-"
    text = tr.t(key, date=long_date(due, tr.language))
    if ReportStatus(status) in UNIT_STAGES and today > due:
        since = late_since(due, calendar)
        if today >= since:
            text = tr.t(LATE_KEY, due=text, since=long_date(since, tr.language))
    return text


def report_due(tr: Translator, report: Report, deps: HandlerDeps, now: datetime) -> str:
    """:func:`stage_due` of a stored report, read at ``now`` in the region's zone."""
    today = local_date(now, deps.config.timezone)
    return stage_due(tr, report.status, report.due_date, deps.calendar, today)
