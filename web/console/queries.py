"""What the console's pages read from storage: each function is one page's (or one filter's)
reads in the session it is given; the pages decide what to show of it."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.deadlines import UNIT_STAGES
from core.lifecycle import OPEN_STATUSES
from core.performance import Indicators, Tally
from storage import console as store
from storage.models import Citizen, ConsoleAudit, Report, ReportEvent, ReportPhoto, Unit
from web.console.config import ConsoleConfig
from web.console.rows import ReportRow, build_row, load_rows, workdays


async def units(session: AsyncSession) -> dict[int, Unit]:
    return {u.id: u for u in await store.all_units(session)}


async def unit_by_code(session: AsyncSession, code: str) -> Unit | None:
    return next((u for u in (await units(session)).values() if u.code == code), None)


@dataclass
class Overview:
    """The overview's numbers: the total, each unit's, each week's and each category's."""

    total: Indicators
    by_unit: list[tuple[Unit, Indicators]]
    weeks: list[tuple[date, Indicators]]
    categories: dict[str, int] = field(default_factory=dict)


async def overview(
    session: AsyncSession, query: store.ReportQuery, config: ConsoleConfig, today: date
) -> Overview:
    stages = [s.value for s in UNIT_STAGES]
    known = await units(session)
    by_unit = await store.tallies(session, query, today=today, unit_stages=stages)
    # The unit table shows no medians: the day histograms are counted for the total only.
    days = await store.day_counts(session, query, None)
    daily = await store.daily(session, query, today=today)
    categories = await store.category_counts(session, query, [c.code for c in config.categories])
    total = Tally()
    for part in by_unit.values():
        total.add(part)
    for histograms in days.values():
        store.with_days(total, histograms)
    weeks: dict[date, Tally] = defaultdict(Tally)
    for day in daily:
        week = weeks[day.day - timedelta(days=day.day.weekday())]
        week.received += day.received
        for kind, n in day.by_type.items():
            week.by_type[kind] = week.by_type.get(kind, 0) + n
        week.verify_on_time += day.verify_on_time
        week.verify_judged += day.verify_judged
    return Overview(
        total=total.indicators(),
        by_unit=[(known[uid], part.indicators()) for uid, part in by_unit.items() if uid in known],
        weeks=sorted((monday, part.indicators()) for monday, part in weeks.items()),
        categories=dict(categories),
    )


async def headline_figures(
    session: AsyncSession, query: store.ReportQuery, today: date
) -> Indicators:
    """Only what the overview's comparison shows of a period (``web.console.comparison``): the
    indicators in total, from the per-unit sums and the stages' day histograms; not the weeks,
    the categories or the unit table, which the period before does not show."""
    stages = [s.value for s in UNIT_STAGES]
    total = Tally()
    for part in (await store.tallies(session, query, today=today, unit_stages=stages)).values():
        total.add(part)
    for histograms in (await store.day_counts(session, query, None)).values():
        store.with_days(total, histograms)
    return total.indicators()


async def report_rows(
    session: AsyncSession,
    query: store.ReportQuery,
    config: ConsoleConfig,
    language: str,
    *,
    offset: int,
    limit: int,
) -> tuple[list[ReportRow], int, dict[int, Unit]]:
    """One page of the list, the number of reports it pages through, and the units."""
    known = await units(session)
    reports, total = await store.report_page(session, query, offset=offset, limit=limit)
    rows = await load_rows(session, reports, known, config, language)
    photos = await store.photo_files(session, [r.id for r in reports])
    return [replace(row, has_photo=row.report.id in photos) for row in rows], total, known


async def report_by_tracking(session: AsyncSession, normalised: str) -> Report | None:
    return await store.report_by_tracking(session, normalised)


@dataclass(frozen=True)
class Detail:
    """A report's page: its row, reporter, events and photos, and the units to name."""

    row: ReportRow
    citizen: Citizen | None
    events: list[ReportEvent]
    photos: list[ReportPhoto]
    units: dict[int, Unit]


async def detail(
    session: AsyncSession, report: Report, config: ConsoleConfig, language: str
) -> Detail:
    known = await units(session)
    events = (await store.events_of(session, [report.id]))[report.id]
    supporters = (await store.supporter_counts(session, [report.id])).get(report.id, 0)
    photos = await session.scalars(
        select(ReportPhoto).where(ReportPhoto.report_id == report.id).order_by(ReportPhoto.position)
    )
    return Detail(
        row=build_row(report, known, config, language, supporters),
        citizen=await session.get(Citizen, report.citizen_id),
        events=list(events),
        photos=list(photos),
        units=known,
    )


async def photo(session: AsyncSession, report_id: int, position: int) -> ReportPhoto | None:
    return await session.scalar(
        select(ReportPhoto).where(
            ReportPhoto.report_id == report_id, ReportPhoto.position == position
        )
    )


async def region_counts(
    session: AsyncSession, query: store.ReportQuery
) -> dict[str, tuple[int, int]]:
    """Reports filed and still open per region code."""
    return dict(await store.counts_by_region(session, query, tuple(OPEN_STATUSES)))


async def audit_page(
    session: AsyncSession, *, offset: int, limit: int
) -> tuple[list[ConsoleAudit], int, dict[int, Unit]]:
    rows, total = await store.audit_page(session, offset=offset, limit=limit)
    return rows, total, await units(session)


#: The ageing view's spans of working days a report has been open: (first, last), None = no end.
AGES: tuple[tuple[int, int | None], ...] = ((0, 3), (4, 7), (8, 14), (15, None))


async def ageing(
    session: AsyncSession, visible: frozenset[int] | None, config: ConsoleConfig, today: date
) -> list[int]:
    """How many reports the viewer may see are open today, per span of :data:`AGES` (working
    days since each came in), whatever the period on the page."""
    counted = [0] * len(AGES)
    days = workdays(config.calendar)
    query = store.ReportQuery(visible=visible)
    for filed, n in await store.open_by_day(session, query, tuple(OPEN_STATUSES)):
        waited = days.between(filed, today)
        for index, (_first, last) in enumerate(AGES):
            if last is None or waited <= last:
                counted[index] += n
                break
    return counted
