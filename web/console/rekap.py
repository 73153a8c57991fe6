"""The rekap (XLSX): a period's indicators per unit, the table a Bupati's report needs. Every
unit in the viewer's reach has its row, those nobody reported to as zeros (a unit with no
complaints is a result too), then the total."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from core.deadlines import UNIT_STAGES
from core.performance import Indicators, Tally
from locales import Translator
from storage.console import ReportQuery, day_counts, tallies, with_days
from storage.models import Report, Unit
from web.console.context import SessionFactory
from web.console.sheets import Column, table_xlsx

REKAP_COLUMNS = (
    "received",
    "verify_on_time",
    "follow_up_on_time",
    "finish_on_time",
    "verify_median",
    "follow_up_median",
    "finish_median",
    "late_now",
    "reopened",
    "rating_average",
    "rating_good",
)


def _ratio(value: float | None) -> float | str:
    return round(value * 100, 1) if value is not None else ""


def _days(value: float | None) -> float | str:
    return round(value, 1) if value is not None else ""


def rekap_values(name: str, ind: Indicators) -> list[str | int | float]:
    return [
        name,
        ind.received,
        _ratio(ind.verify_on_time),
        _ratio(ind.follow_up_on_time),
        _ratio(ind.finish_on_time),
        _days(ind.verify_median_days),
        _days(ind.follow_up_median_days),
        _days(ind.finish_median_days),
        ind.late_now,
        ind.reopened,
        _days(ind.rating_average),
        _ratio(ind.rating_good_share),
    ]


def _in_reach(units: dict[int, Unit], visible: frozenset[int] | None) -> list[int]:
    """The active units the viewer may see (``visible`` None: all of them)."""
    return [u.id for u in units.values() if u.active and (visible is None or u.id in visible)]


def rekap_table(
    tr: Translator,
    units: dict[int, Unit],
    by_unit: dict[int | None, Tally],
    visible: frozenset[int] | None = None,
) -> list[list[str | int | float]]:
    """Header, one row per unit (by name): each unit in reach, and any other holding reports of
    the period; then the total. Shares in percent."""
    header: list[str | int | float] = [
        tr.t("console.unit.name"),
        *(tr.t(f"console.ind.{c}") for c in REKAP_COLUMNS),
    ]
    listed = {*_in_reach(units, visible), *(uid for uid in by_unit if uid is not None)}
    rows = sorted(
        (
            (units[uid].name, by_unit.get(uid, Tally()).indicators())
            for uid in listed
            if uid in units
        ),
        key=lambda pair: pair[0],
    )
    everything = Tally()
    for part in by_unit.values():
        everything.add(part)
    total = rekap_values(tr.t("console.export.total"), everything.indicators())
    return [header, *(rekap_values(n, i) for n, i in rows), total]


async def unit_tallies(
    sessions: SessionFactory, query: ReportQuery, today: date
) -> dict[int | None, Tally]:
    """The query's indicators per unit, added up in the database."""
    stages = [s.value for s in UNIT_STAGES]
    async with sessions() as session:
        by_unit = await tallies(session, query, today=today, unit_stages=stages)
        days = await day_counts(session, query, Report.unit_id)
    for unit_id, histograms in days.items():
        with_days(by_unit.setdefault(unit_id, Tally()), histograms)
    return by_unit


async def rekap_xlsx(
    tr: Translator,
    sessions: SessionFactory,
    query: ReportQuery,
    units: dict[int, Unit],
    period: tuple[date, date],
    today: date,
) -> bytes:
    by_unit = await unit_tallies(sessions, query, today)
    table = rekap_table(tr, units, by_unit, query.visible)
    first, last = period
    title = tr.t("console.export.rekap_title", first=first.isoformat(), last=last.isoformat())
    columns = [Column(str(table[0][0]), 36), *(Column(str(h), 14) for h in table[0][1:])]
    return table_xlsx(tr.t("console.export.rekap_sheet"), title, columns, table[1:])


__all__: Sequence[str] = ("REKAP_COLUMNS", "rekap_table", "rekap_xlsx", "unit_tallies")
