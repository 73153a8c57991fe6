"""One report as the console's tables and exports see it: dates of each stage, place names,
working days taken, late or not. Nothing here names the reporter."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from core.calendar import WorkingCalendar
from core.deadlines import UNIT_STAGES, local_date
from core.lifecycle import ReportStatus
from core.performance import Handling, Measured, Moments, handling_of
from storage.console import supporter_counts
from storage.models import Report, Unit
from storage.report_state import moments_of
from web.console.config import ConsoleConfig

#: How much of a description the list shows.
EXCERPT = 90


@dataclass(frozen=True)
class ReportRow:
    report: Report
    created_on: date
    kecamatan_code: str
    kecamatan: str
    desa: str
    unit: str
    category: str
    handling: Handling
    late_now: bool
    working_days: int
    supporters: int = 0  # citizens who support it (laporan serupa)
    has_photo: bool = False  # a stored photo (the list shows its thumbnail)

    @property
    def measured(self) -> Measured:
        return Measured(
            report_type=self.report.report_type,
            status=self.report.status,
            handling=self.handling,
            late_now=self.late_now,
            rating=self.report.rating,
        )

    @property
    def stage_due(self) -> date | None:
        """The deadline of the stage the unit owes now (None once no unit owes work)."""
        return self.report.due_date if self.report.status in UNIT_STAGES else None

    @property
    def excerpt(self) -> str:
        """The description's first words, for a list: one line, cut at a word."""
        text = " ".join(self.report.description.split())
        if len(text) <= EXCERPT:
            return text
        return text[:EXCERPT].rsplit(" ", 1)[0] + " …"

    @property
    def late_ever(self) -> bool:
        """Late now, or any stage that ended (or stands) after its deadline."""
        stages = (self.handling.verify, self.handling.follow_up, self.handling.finish)
        return self.late_now or any(s.on_time is False for s in stages)


def place_names(config: ConsoleConfig, region_code: str) -> tuple[str, str, str]:
    """(kecamatan code, kecamatan name, desa name) of a report's area ('' where unknown)."""
    region = config.regions.get(region_code)
    if region is None:
        return "", "", ""
    if region.level >= 4:
        parent_code = region_code.rsplit(".", 1)[0]
        parent = config.regions.get(parent_code)
        return parent_code, parent.name if parent else "", region.name
    if region.level == 3:
        return region_code, region.name, ""
    return "", "", ""


class _WorkdayCounter:
    """``WorkingCalendar.working_days_between`` by running totals: an export of many old reports
    asks it for spans of hundreds of days, each walked day by day otherwise."""

    BASE = date(2000, 1, 1)

    def __init__(self, calendar: WorkingCalendar) -> None:
        self._calendar = calendar
        self._totals = [0]  # working days in (BASE, BASE + i]

    def _total(self, day: date) -> int:
        index = (day - self.BASE).days
        totals = self._totals
        while len(totals) <= index:
            following = self.BASE + timedelta(days=len(totals))
            totals.append(totals[-1] + self._calendar.is_working_day(following))
        return totals[index]

    def between(self, start: date, end: date) -> int:
        if end <= start:
            return 0
        if start < self.BASE:
            return self._calendar.working_days_between(start, end)
        return self._total(end) - self._total(start)


_COUNTERS: dict[int, tuple[WorkingCalendar, _WorkdayCounter]] = {}


def workdays(calendar: WorkingCalendar) -> _WorkdayCounter:
    kept = _COUNTERS.get(id(calendar))
    if kept is None or kept[0] is not calendar:
        kept = (calendar, _WorkdayCounter(calendar))
        _COUNTERS[id(calendar)] = kept
    return kept[1]


def stored_moments(report: Report, config: ConsoleConfig) -> Moments:
    """The stages kept on the report, with its pause as a local date."""
    created_on = local_date(report.created_at, config.timezone)
    kept = moments_of(report) or Moments(created_on=created_on)
    if report.status == ReportStatus.MENUNGGU_PELAPOR and report.paused_at is not None:
        return replace(kept, waiting_since=local_date(report.paused_at, config.timezone))
    return kept


def build_row(
    report: Report,
    units: dict[int, Unit],
    config: ConsoleConfig,
    language: str,
    supporters: int = 0,
) -> ReportRow:
    """A report's row from the stages kept on it (no timeline is read)."""
    today = local_date(config.clock(), config.timezone)
    created_on = local_date(report.created_at, config.timezone)
    category = config.category(report.category)
    measured = handling_of(stored_moments(report, config), today, config.calendar)
    late_now = (
        report.status in UNIT_STAGES and report.due_date is not None and report.due_date < today
    )
    end = measured.finish.ended_on or (
        local_date(report.updated_at, config.timezone)
        if report.status in (ReportStatus.DIARSIPKAN, ReportStatus.DIRUJUK)
        else today
    )
    kec_code, kecamatan, desa = place_names(config, report.region_code)
    unit = units.get(report.unit_id) if report.unit_id else None
    name = (
        category.name_en
        if category and language == "en"
        else (category.name_id if category else report.category)
    )
    return ReportRow(
        report=report,
        created_on=created_on,
        kecamatan_code=kec_code,
        kecamatan=kecamatan,
        desa=desa,
        unit=unit.name if unit else "",
        category=name,
        handling=measured,
        late_now=late_now,
        working_days=workdays(config.calendar).between(created_on, end),
        supporters=supporters,
    )


async def load_rows(
    session: AsyncSession,
    reports: Sequence[Report],
    units: dict[int, Unit],
    config: ConsoleConfig,
    language: str,
) -> list[ReportRow]:
    """Rows of ``reports`` (the stages are kept on each report; their supporters are one grouped
    count for the whole batch)."""
    counts = await supporter_counts(session, [r.id for r in reports])
    return [build_row(r, units, config, language, counts.get(r.id, 0)) for r in reports]
