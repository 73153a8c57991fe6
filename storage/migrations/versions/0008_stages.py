"""stages: each report's measured stages kept on the row, backfilled from the timeline

The console's indicators become SQL aggregates over these columns. Reports filed before this
revision get the numbers the program's rule gave when the revision was written: each timeline is
folded one status change at a time (a stage ends when the report is verified, first followed up,
first finished; the working days spent waiting for the reporter are left out) on the Indonesian
working-day calendar. That rule, the calendar's arithmetic and the numbers it needs are copied
into this file as they were, so the revision means the same whatever the program becomes.

Settings are not read: the backfill uses the defaults of that day, the region's zone
``Asia/Makassar`` (WITA), no local holidays, the packaged categories (``aparatur`` alone is under
inspection) and the deadlines 3 (verify), 5 (first follow-up), 5/5/14/60 (finish an aspirasi, a
request for information, a complaint, a complaint under inspection) working days. A migration that
read them would write other numbers for the same data on another deployment, or on the same one
after a setting changed. The national holidays and cuti bersama come from the installed ``lokal``
and ``holidays`` packages, as for every report the program measures (data about the calendar, not
a rule of the program).

An operator whose settings differed from these defaults when upgrading across this revision:
only the indicator columns of reports filed before it are measured on the defaults (a stage ended
a day earlier or later for an event near midnight in another zone, an on-time flag judged against
a default deadline). Deadlines, reminders and the agenda do not read these columns, and the open
stage of such a report is measured again with the live settings at its next status change.
Nothing needs doing. Re-measuring those reports on a deployment's own rules would be a program
command folding each timeline with ``core.performance`` (none exists yet), never an edit here.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29 00:10:00
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import holidays
import lokal
import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_DATES = ("created_on", "verified_on", "followed_up_on", "finished_on", "stage_due")
_DAYS = ("verify_days", "follow_up_days", "finish_days")
_FLAGS = ("verify_on_time", "follow_up_on_time", "finish_on_time")
_BATCH = 2000
# Written out (not imported from storage.models) so the revision stays what it was.
_INDEXES = {
    "ix_reports_console_units": (
        "unit_id",
        "created_on",
        "report_type",
        "status",
        "verify_on_time",
        "verified_on",
        "follow_up_on_time",
        "followed_up_on",
        "finish_on_time",
        "finished_on",
        "stage_due",
        "due_date",
        "reopened",
        "rating",
    ),
    "ix_reports_console_days": (
        "created_on",
        "unit_id",
        "report_type",
        "category",
        "status",
        "due_date",
        "region_code",
        "verify_on_time",
        "verified_on",
        "stage_due",
    ),
    "ix_reports_console_regions": ("region_code", "created_on", "unit_id", "status"),
    "ix_reports_verify_days": ("verify_days", "created_on", "unit_id"),
    "ix_reports_follow_up_days": ("follow_up_days", "created_on", "unit_id"),
    "ix_reports_finish_days": ("finish_days", "created_on", "unit_id"),
}


def upgrade() -> None:
    # Plain ALTER TABLE ADD COLUMN (no batch copy): on SQLite a batch would copy and drop the
    # reports table, and dropping it cascades to the timeline (report_events) when foreign
    # keys are enforced.
    for name in _DATES:
        op.add_column("reports", sa.Column(name, sa.Date(), nullable=True))
    for name in _DAYS:
        op.add_column("reports", sa.Column(name, sa.Integer(), nullable=True))
    for name in _FLAGS:
        op.add_column("reports", sa.Column(name, sa.Boolean(), nullable=True))
    op.add_column(
        "reports", sa.Column("stage_paused", sa.Integer(), nullable=False, server_default="0")
    )
    op.add_column(
        "reports", sa.Column("reopened", sa.Boolean(), nullable=False, server_default="0")
    )
    _backfill()
    for name, columns in _INDEXES.items():
        op.create_index(name, "reports", list(columns), unique=False)


# --- frozen copies: the rule and numbers as they were when this revision was written ----------

#: The region's zone (the ``TIMEZONE`` default): WITA.
_ZONE = ZoneInfo("Asia/Makassar")
#: Working days to verify, to follow up first, and to finish by class (the deadline defaults).
_VERIFY, _FOLLOW_UP = 3, 5
_FINISH = {"aspirasi": 5, "permintaan_informasi": 5, "pengaduan": 14}
_FINISH_UNDER_INSPECTION = 60
#: Categories whose complaints are under inspection (berkadar pengawasan) in the packaged list.
_UNDER_INSPECTION = frozenset({"aparatur"})
#: National holidays with a fixed date, for a year neither holiday package knows.
_FIXED_HOLIDAYS = frozenset({(1, 1), (5, 1), (6, 1), (8, 17), (12, 25)})
_ONE_DAY = timedelta(days=1)


def _local_date(moment: datetime) -> date:
    """The WITA date of a stored moment (a naive one is UTC, as the program stores it)."""
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    return aware.astimezone(_ZONE).date()


def _stage_limits(report_type: str, *, pengawasan: bool) -> tuple[int, int, int]:
    if report_type not in _FINISH:
        raise ValueError(f"report {report_type!r}: not a report class")
    finish = _FINISH[report_type]
    if report_type == "pengaduan" and pengawasan:
        finish = _FINISH_UNDER_INSPECTION
    return _VERIFY, _FOLLOW_UP, finish


class _WorkingCalendar:
    """Monday to Friday less the national holidays and cuti bersama (lokal's data for the years
    it covers, else the ``holidays`` package's Indonesia, else the fixed-date holidays)."""

    def __init__(self) -> None:
        candidates: Iterable[int] = getattr(lokal, "HOLIDAY_YEARS", range(2000, 2101))
        self._covered: set[int] = set()
        for year in candidates:
            try:
                data = lokal.get_holidays(year)
            except ValueError:
                continue
            if data.holidays:
                self._covered.add(int(year))
        self._days_off: dict[int, frozenset[date]] = {}

    def _holidays_in(self, year: int) -> frozenset[date]:
        days = self._days_off.get(year)
        if days is None:
            if year in self._covered:
                days = frozenset(
                    date.fromisoformat(h.date) for h in lokal.get_holidays(year).holidays
                )
            else:
                days = _package_holidays(year) or frozenset(
                    date(year, month, day) for month, day in _FIXED_HOLIDAYS
                )
            self._days_off[year] = days
        return days

    def is_working_day(self, d: date) -> bool:
        return d.weekday() < 5 and d not in self._holidays_in(d.year)

    def add_working_days(self, d: date, n: int) -> date:
        """The n-th working day after d; for n = 0, d itself or the next working day."""
        if n == 0:
            while not self.is_working_day(d):
                d += _ONE_DAY
            return d
        while n:
            d += _ONE_DAY
            if self.is_working_day(d):
                n -= 1
        return d

    def working_days_between(self, start: date, end: date) -> int:
        """Working days in (start, end]."""
        count = 0
        while start < end:
            start += _ONE_DAY
            count += self.is_working_day(start)
        return count


def _package_holidays(year: int) -> frozenset[date]:
    try:
        days = holidays.country_holidays("ID", years=year)
    except (NotImplementedError, KeyError):
        return frozenset()
    return frozenset(day for day in days if day.year == year)


@dataclass(frozen=True, slots=True)
class _Step:
    on: date
    status_from: str | None
    status_to: str | None


@dataclass(frozen=True, slots=True)
class _Moments:
    created_on: date
    verified_on: date | None = None
    verify_days: int | None = None
    verify_on_time: bool | None = None
    followed_up_on: date | None = None
    follow_up_days: int | None = None
    follow_up_on_time: bool | None = None
    finished_on: date | None = None
    finish_days: int | None = None
    finish_on_time: bool | None = None
    stage_paused: int = 0
    stage_due: date | None = None
    reopened: bool = False
    archived: bool = False
    waiting_since: date | None = None

    @property
    def stage_start(self) -> date | None:
        if self.verified_on is None:
            return self.created_on
        if self.followed_up_on is None:
            return self.verified_on
        return self.followed_up_on if self.finished_on is None else None

    def open_limit(self, limits: tuple[int, int, int]) -> int:
        if self.verified_on is None:
            return limits[0]
        return limits[1] if self.followed_up_on is None else limits[2]


def _with_due(m: _Moments, limits: tuple[int, int, int], cal: _WorkingCalendar) -> _Moments:
    start = m.stage_start
    if start is None or m.archived:
        return replace(m, stage_due=None)
    due = cal.add_working_days(start, m.open_limit(limits) + m.stage_paused)
    if m.waiting_since is not None and not m.waiting_since > due:
        return replace(m, stage_due=None)  # waiting, and it was not late when asked
    return replace(m, stage_due=due)


def _ended(
    m: _Moments, on: date, limits: tuple[int, int, int], cal: _WorkingCalendar
) -> tuple[int, bool]:
    start = m.stage_start
    assert start is not None
    due = cal.add_working_days(start, m.open_limit(limits) + m.stage_paused)
    return max(cal.working_days_between(start, on) - m.stage_paused, 0), on <= due


_FOLLOWED = frozenset({"diproses", "selesai"})


def _advance(
    m: _Moments, step: _Step, limits: tuple[int, int, int], cal: _WorkingCalendar
) -> _Moments:
    on, before, after = step.on, step.status_from, step.status_to
    start = m.stage_start
    if before == "menunggu_pelapor" and m.waiting_since is not None:
        if start is not None:
            waited = cal.working_days_between(max(m.waiting_since, start), on)
            m = replace(m, stage_paused=m.stage_paused + waited)
        m = replace(m, waiting_since=None)
    if after == "menunggu_pelapor" and m.waiting_since is None:
        m = replace(m, waiting_since=on)
    if m.verified_on is None and after == "didisposisi" and before != "didisposisi":
        days, on_time = _ended(m, on, limits, cal)
        m = replace(m, verified_on=on, verify_days=days, verify_on_time=on_time, stage_paused=0)
    elif (
        m.verified_on is not None
        and m.followed_up_on is None
        and after in _FOLLOWED
        and before not in _FOLLOWED
    ):
        days, on_time = _ended(m, on, limits, cal)
        m = replace(
            m, followed_up_on=on, follow_up_days=days, follow_up_on_time=on_time, stage_paused=0
        )
    if (
        m.followed_up_on is not None
        and m.finished_on is None
        and after == "selesai"
        and before != "selesai"
    ):
        days, on_time = _ended(m, on, limits, cal)
        m = replace(m, finished_on=on, finish_days=days, finish_on_time=on_time, stage_paused=0)
    if before == "selesai" and after == "diproses":
        m = replace(m, reopened=True)
    if after == "diarsipkan":
        m = replace(m, archived=True)
    return _with_due(m, limits, cal)


def _moments(
    created_on: date, steps: Sequence[_Step], limits: tuple[int, int, int], cal: _WorkingCalendar
) -> _Moments:
    """A report's stages, folded from its filing day and its status changes in order."""
    m = _with_due(_Moments(created_on=created_on), limits, cal)
    for step in steps:
        if step.status_to is not None and step.status_to != step.status_from:
            m = _advance(m, step, limits, cal)
    return m


def _backfill() -> None:
    cal = _WorkingCalendar()
    reports = sa.table(
        "reports",
        sa.column("id", sa.Integer()),
        sa.column("status", sa.String()),
        sa.column("report_type", sa.String()),
        sa.column("category", sa.String()),
        sa.column("created_at", sa.DateTime(timezone=True)),
        sa.column("paused_at", sa.DateTime(timezone=True)),
        *(sa.column(n, sa.Date()) for n in _DATES),
        *(sa.column(n, sa.Integer()) for n in _DAYS),
        *(sa.column(n, sa.Boolean()) for n in _FLAGS),
        sa.column("stage_paused", sa.Integer()),
        sa.column("reopened", sa.Boolean()),
    )
    events = sa.table(
        "report_events",
        sa.column("id", sa.Integer()),
        sa.column("report_id", sa.Integer()),
        sa.column("status_from", sa.String()),
        sa.column("status_to", sa.String()),
        sa.column("created_at", sa.DateTime(timezone=True)),
    )
    bind = op.get_bind()
    last = 0
    while True:
        rows = bind.execute(
            sa.select(
                reports.c.id,
                reports.c.status,
                reports.c.report_type,
                reports.c.category,
                reports.c.created_at,
            )
            .where(reports.c.id > last, reports.c.status != "")
            .order_by(reports.c.id)
            .limit(_BATCH)
        ).all()
        if not rows:
            return
        last = rows[-1].id
        steps: dict[int, list[_Step]] = {row.id: [] for row in rows}
        for event in bind.execute(
            sa.select(
                events.c.report_id, events.c.status_from, events.c.status_to, events.c.created_at
            )
            .where(events.c.report_id.in_(list(steps)), events.c.status_to.is_not(None))
            .order_by(events.c.id)
        ):
            if event.status_to != event.status_from:
                on = _local_date(event.created_at)
                steps[event.report_id].append(_Step(on, event.status_from, event.status_to))
        for row in rows:
            limits = _stage_limits(row.report_type, pengawasan=row.category in _UNDER_INSPECTION)
            m = _moments(_local_date(row.created_at), steps[row.id], limits, cal)
            if row.status == "diarsipkan":
                m = replace(m, archived=True, stage_due=None)
            values: dict[str, object] = {n: getattr(m, n) for n in (*_DATES, *_DAYS, *_FLAGS)}
            values.update(stage_paused=m.stage_paused, reopened=m.reopened)
            bind.execute(sa.update(reports).where(reports.c.id == row.id).values(**values))


def downgrade() -> None:
    for name in _INDEXES:
        op.drop_index(name, table_name="reports")
    for name in ("reopened", "stage_paused", *_FLAGS, *_DAYS, *_DATES):
        op.drop_column("reports", name)  # SQLite 3.35+ drops a column in place
