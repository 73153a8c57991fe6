"""Every number the console shows for a period equals a plain recount in Python: random periods
(any first and last day, open at either end, across months and years) over one seeded set of
reports, for the coordinator and for a kecamatan (its own reports and its desa's). The overview
(total, unit table, weeks, categories), the rekap's rows and the Wilayah counts are compared with
the reports counted here one by one, not with the console's own definitions; so are the period
before's figures (the overview's comparison) and the category × unit and category × kecamatan
tables; and the XLSX exports hold each report of a period once, on its day filed."""

from __future__ import annotations

import asyncio
import io
import random
import statistics
from collections import Counter
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from openpyxl.worksheet.worksheet import Worksheet
from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.deadlines import UNIT_STAGES
from core.lifecycle import OPEN_STATUSES, ReportStatus, ReportType
from core.performance import Indicators
from runtime.settings import Settings
from storage.console import ReportQuery, rated_with_comments
from storage.db import create_engine, session_factory
from storage.models import Citizen, Report, Unit
from tests.databases import migrate_for_test
from web.console import queries
from web.console.config import ConsoleConfig
from web.console.exports import xlsx_export
from web.console.periods import previous
from web.console.rekap import unit_tallies
from web.console.rows import workdays
from web.console.tables import read_cross_tables
from web.from_settings import console_config

TODAY = date(2026, 12, 7)
FIRST, LAST = date(2025, 10, 1), date(2027, 1, 31)
REGIONS = ("64.08.09.2001", "64.08.09.2002", "64.08.01.2001")
#: Per database URL: the ids of the coordinator, a kecamatan, its desa and an OPD.
_SEEDED: dict[str, list[int]] = {}


def _stage(rnd: random.Random, began: date | None, limit: int) -> tuple[Any, Any, Any]:
    """(ended on, working days, on time) of a stage that began on ``began``: ended or open."""
    if began is None or rnd.random() < 0.35:
        return None, None, None
    days = rnd.randint(0, limit + 4)
    return began + timedelta(days=days), days, days <= limit


def _report(rnd: random.Random, units: list[int], categories: list[str]) -> dict[str, Any]:
    on = date(2025, 11, 1) + timedelta(days=rnd.randint(0, (TODAY - date(2025, 11, 1)).days))
    verified, verify_days, verify_ok = _stage(rnd, on, 3)
    followed, follow_days, follow_ok = _stage(rnd, verified, 5)
    finished, finish_days, finish_ok = _stage(rnd, followed, 14)
    ended = finished or followed or verified or on
    return {
        "report_type": rnd.choice(list(ReportType)),
        "status": rnd.choice(list(ReportStatus)),
        "category": rnd.choice([*categories, "dihapus"]),
        "region_code": rnd.choice(REGIONS),
        "unit_id": rnd.choice([None, *units]),
        "created_on": on,
        "verified_on": verified,
        "verify_days": verify_days,
        "verify_on_time": verify_ok,
        "followed_up_on": followed,
        "follow_up_days": follow_days,
        "follow_up_on_time": follow_ok,
        "finished_on": finished,
        "finish_days": finish_days,
        "finish_on_time": finish_ok,
        "stage_due": rnd.choice([None, ended + timedelta(days=rnd.randint(1, 20))]),
        "due_date": rnd.choice([None, on + timedelta(days=rnd.randint(1, 40))]),
        "rating": rnd.choice([None, None, 1, 2, 3, 4, 5]),
        "reopened": rnd.random() < 0.2,
    }


async def _seed(url: str, categories: list[str]) -> list[int]:
    await migrate_for_test(url)
    engine = create_engine(url)
    now = datetime(2025, 10, 1, tzinfo=UTC)
    try:
        async with engine.begin() as connection:
            citizen = await connection.scalar(
                insert(Citizen)
                .values(
                    channel="telegram",
                    user_id="1",
                    chat_id="1",
                    consent_at=now,
                    consent_version="1",
                    created_at=now,
                )
                .returning(Citizen.id)
            )
            ids: list[int] = []
            for code, kind, area in (
                ("diskominfo", "koordinator", None),
                ("kec-64-08-09", "kecamatan", "64.08.09"),
                ("desa-64-08-09-2001", "desa", "64.08.09.2001"),
                ("dinas-pupr", "opd", None),
            ):
                unit = await connection.scalar(
                    insert(Unit)
                    .values(
                        code=code,
                        name=code.upper(),
                        kind=kind,
                        area_code=area,
                        parent_id=ids[1] if kind == "desa" else None,
                        created_at=now,
                        updated_at=now,
                    )
                    .returning(Unit.id)
                )
                assert unit is not None
                ids.append(int(unit))
            rnd = random.Random(27)
            for i in range(240):
                row = _report(rnd, ids, categories)
                filed = datetime.combine(row["created_on"], datetime.min.time(), UTC)
                # Changed later than filed, in another order than filed; some rated with a
                # comment (the overview's list of them), a few changed at the same moment.
                changed = filed + timedelta(days=(i * 37) % 90, hours=i % 3)
                await connection.execute(
                    insert(Report).values(
                        **row,
                        tracking_no=f"P{i:04d}",
                        citizen_id=citizen,
                        channel="telegram",
                        description="acak",
                        privacy="biasa",
                        created_at=filed,
                        updated_at=changed,
                        rating_comment="" if i % 4 else f"Komentar {i}",
                    )
                )
    finally:
        await engine.dispose()
    return ids


# --- the plain recount ----------------------------------------------------------------------


def _share(ok: int, judged: int) -> float | None:
    return ok / judged if judged else None


def _stage_share(rows: list[dict[str, Any]], prefix: str, started: str | None) -> float | None:
    ok = judged = 0
    for r in rows:
        on_time = r[f"{prefix}_on_time"]
        ended = r[
            {"verify": "verified_on", "follow_up": "followed_up_on"}.get(prefix, "finished_on")
        ]
        began = started is None or r[started] is not None
        if on_time is not None:
            judged += 1
            ok += on_time
        elif began and ended is None and r["stage_due"] is not None and r["stage_due"] < TODAY:
            judged += 1  # open past its deadline: late
    return _share(ok, judged)


def _median(rows: list[dict[str, Any]], column: str) -> float | None:
    days = [r[column] for r in rows if r[column] is not None]
    return float(statistics.median(days)) if days else None


def recount(rows: list[dict[str, Any]]) -> Indicators:
    ratings = [r["rating"] for r in rows if r["rating"] is not None]
    return Indicators(
        received=len(rows),
        by_type=dict(Counter(str(r["report_type"]) for r in rows)),
        by_status=dict(Counter(str(r["status"]) for r in rows)),
        verify_on_time=_stage_share(rows, "verify", None),
        follow_up_on_time=_stage_share(rows, "follow_up", "verified_on"),
        finish_on_time=_stage_share(rows, "finish", "followed_up_on"),
        verify_median_days=_median(rows, "verify_days"),
        follow_up_median_days=_median(rows, "follow_up_days"),
        finish_median_days=_median(rows, "finish_days"),
        late_now=sum(
            r["status"] in UNIT_STAGES and r["due_date"] is not None and r["due_date"] < TODAY
            for r in rows
        ),
        reopened=sum(bool(r["reopened"]) for r in rows),
        rating_average=sum(ratings) / len(ratings) if ratings else None,
        rating_good_share=sum(x >= 4 for x in ratings) / len(ratings) if ratings else None,
        rated=len(ratings),
    )


def _plain(indicators: Indicators) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for name in Indicators.__dataclass_fields__:
        value = getattr(indicators, name)
        if isinstance(value, dict):
            value = {str(k): v for k, v in value.items() if v}
        if isinstance(value, float):
            value = round(value, 9)
        found[name] = value
    return found


def _in_period(rows: list[dict[str, Any]], query: ReportQuery) -> list[dict[str, Any]]:
    return [
        r
        for r in rows
        if (query.first_day is None or r["created_on"] >= query.first_day)
        and (query.last_day is None or r["created_on"] <= query.last_day)
        and (query.visible is None or r["unit_id"] in query.visible)
    ]


# --- the check --------------------------------------------------------------------------------


async def _check(url: str, first: date | None, last: date | None) -> None:
    config = console_config(Settings(_env_file=None))
    categories = [c.code for c in config.categories]
    if url not in _SEEDED:
        _SEEDED[url] = await _seed(url, categories)
    coordinator, kecamatan, desa, _ = _SEEDED[url]
    engine = create_engine(url)
    try:
        sessions = session_factory(engine)
        async with sessions() as session:
            rows = [
                {c.key: getattr(r, c.key) for c in Report.__table__.columns}
                for r in await session.scalars(select(Report))
            ]
            for visible in (None, frozenset({kecamatan, desa})):
                query = ReportQuery(visible=visible, first_day=first, last_day=last)
                where = (first, last, visible)
                mine = _in_period(rows, query)
                shown = await queries.overview(session, query, config, TODAY)
                assert _plain(shown.total) == _plain(recount(mine)), where
                # Referred reports are counted apart: neither finished nor archived.
                referred = [r for r in mine if r["status"] == ReportStatus.DIRUJUK]
                assert shown.total.by_status.get("dirujuk", 0) == len(referred), where
                finished = [r for r in mine if r["status"] == ReportStatus.SELESAI]
                assert shown.total.by_status.get("selesai", 0) == len(finished), where
                units = {r["unit_id"] for r in mine if r["unit_id"] is not None}
                assert {u.id: _plain(i) for u, i in shown.by_unit} == {
                    u: _plain(_counted_only(recount([r for r in mine if r["unit_id"] == u])))
                    for u in units
                }, where
                weeks: dict[date, list[dict[str, Any]]] = {}
                for r in mine:
                    monday = r["created_on"] - timedelta(days=r["created_on"].weekday())
                    weeks.setdefault(monday, []).append(r)
                assert [
                    (monday, w.received, _plain(w)["by_type"], w.verify_on_time)
                    for monday, w in shown.weeks
                ] == [
                    (
                        monday,
                        len(part),
                        _plain(recount(part))["by_type"],
                        recount(part).verify_on_time,
                    )
                    for monday, part in sorted(weeks.items())
                ], where
                known = set(categories)
                want = Counter(r["category"] if r["category"] in known else "" for r in mine)
                assert shown.categories == dict(want), where
                regions = await queries.region_counts(session, query)
                assert regions == {
                    code: (
                        sum(r["region_code"] == code for r in mine),
                        sum(
                            r["region_code"] == code and r["status"] in OPEN_STATUSES for r in mine
                        ),
                    )
                    for code in {r["region_code"] for r in mine}
                }, where
                await _check_cross(session, config, query, mine, where)
                await _check_comments(session, query, mine, where)
                await _check_ageing(session, config, rows, visible)
                if first is not None and last is not None:
                    await _check_previous(session, config, query, rows, first, last)
                rekap = await unit_tallies(sessions, query, TODAY)
                assert {u: _plain(t.indicators()) for u, t in rekap.items() if t.received} == {
                    u: _plain(recount([r for r in mine if r["unit_id"] == u]))
                    for u in {r["unit_id"] for r in mine}
                }, where
        assert coordinator
    finally:
        await engine.dispose()


async def _check_cross(
    session: AsyncSession,
    config: ConsoleConfig,
    query: ReportQuery,
    mine: list[dict[str, Any]],
    where: object,
) -> None:
    """Category × unit and category × kecamatan: received, still open, late now."""
    known = {c.code for c in config.categories}
    by_unit: dict[tuple[str, Any], list[int]] = {}
    by_kecamatan: dict[tuple[str, Any], list[int]] = {}
    for r in mine:
        category = r["category"] if r["category"] in known else ""
        late = r["status"] in UNIT_STAGES and r["due_date"] is not None and r["due_date"] < TODAY
        counted = [1, int(r["status"] in OPEN_STATUSES), int(late)]
        kecamatan = r["region_code"].rsplit(".", 1)[0]
        for table, key in (
            (by_unit, (category, r["unit_id"])),
            (by_kecamatan, (category, kecamatan)),
        ):
            sums = table.setdefault(key, [0, 0, 0])
            for i, n in enumerate(counted):
                sums[i] += n
    found = await read_cross_tables(session, query, config, TODAY)
    assert found.by_unit == by_unit, where
    assert found.by_kecamatan == by_kecamatan, where


async def _check_comments(
    session: AsyncSession, query: ReportQuery, mine: list[dict[str, Any]], where: object
) -> None:
    """The overview's citizens' comments: the period's last 20 rated with a comment."""
    rated = [r for r in mine if r["rating"] is not None and r["rating_comment"]]
    rated.sort(key=lambda r: (r["updated_at"], r["id"]), reverse=True)
    found = await rated_with_comments(session, query, limit=20)
    assert [r.id for r in found] == [r["id"] for r in rated[:20]], where


async def _check_ageing(
    session: AsyncSession,
    config: ConsoleConfig,
    rows: list[dict[str, Any]],
    visible: frozenset[int] | None,
) -> None:
    """The ageing chart: the viewer's open reports (whatever the period) per span of working
    days since each came in."""
    days = workdays(config.calendar)
    want = [0] * len(queries.AGES)
    for r in rows:
        if r["status"] not in OPEN_STATUSES or (
            visible is not None and r["unit_id"] not in visible
        ):
            continue
        waited = days.between(r["created_on"], TODAY)
        spans = [
            i for i, (first, last) in enumerate(queries.AGES) if first <= waited <= (last or waited)
        ]
        want[spans[0]] += 1
    assert await queries.ageing(session, visible, config, TODAY) == want, visible


async def _check_previous(
    session: AsyncSession,
    config: ConsoleConfig,
    query: ReportQuery,
    rows: list[dict[str, Any]],
    first: date,
    last: date,
) -> None:
    """The overview's period before: it ends before the period starts, it is as long (or the
    same days of the months before), and its figures are the recount of its reports."""
    if last < first:
        return
    before_first, before_last = previous(first, last)
    assert before_first <= before_last < first
    if first.day != 1:
        assert (before_last - before_first) == (last - first)
    earlier = replace(query, first_day=before_first, last_day=before_last)
    shown = await queries.overview(session, earlier, config, TODAY)
    assert _plain(shown.total) == _plain(recount(_in_period(rows, earlier))), (first, last)


def _counted_only(indicators: Indicators) -> Indicators:
    """The unit table's figures: the overview counts no medians per unit."""
    return Indicators(
        **{
            **vars_of(indicators),
            "verify_median_days": None,
            "follow_up_median_days": None,
            "finish_median_days": None,
        }
    )


def vars_of(indicators: Indicators) -> dict[str, Any]:
    return {name: getattr(indicators, name) for name in Indicators.__dataclass_fields__}


month_starts = st.builds(date, st.integers(2025, 2027), st.integers(1, 12), st.just(1))
any_day = st.dates(FIRST, LAST) | month_starts.filter(lambda d: FIRST <= d <= LAST)


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.none() | any_day, st.none() | any_day)
@example(date(2026, 12, 1), date(2026, 12, 7))  # "Bulan ini" on 7 December
@example(date(2026, 12, 2), date(2026, 12, 7))
@example(date(2026, 11, 1), date(2026, 11, 30))
@example(None, date(2026, 3, 15))
def test_every_figure_of_a_period_equals_a_plain_recount(
    database_url: str, first: date | None, last: date | None
) -> None:
    asyncio.run(_check(database_url, first, last))


def _table(data: bytes) -> list[tuple[Any, ...]]:
    sheet = load_workbook(io.BytesIO(data)).active
    assert isinstance(sheet, Worksheet)
    return list(sheet.iter_rows(values_only=True))


async def _exported(url: str, first: date, last: date) -> None:
    """Each XLSX export of the period holds each report of it once, on its day filed, and the
    rekap a row per unit (zeros included) whose counts are the recount's."""
    config = console_config(Settings(_env_file=None))
    categories = [c.code for c in config.categories]
    _SEEDED.setdefault(url, await _seed(url, categories))
    _, kecamatan, desa, _ = _SEEDED[url]
    tr = config.catalogs.get("id")
    engine = create_engine(url)
    try:
        sessions = session_factory(engine)
        async with sessions() as session:
            rows = [
                {c.key: getattr(r, c.key) for c in Report.__table__.columns}
                for r in await session.scalars(select(Report))
            ]
            units = await queries.units(session)
        for visible in (None, frozenset({kecamatan, desa})):
            query = ReportQuery(visible=visible, first_day=first, last_day=last)
            mine = {r["tracking_no"]: r["created_on"] for r in _in_period(rows, query)}
            for kind, number, day in (("xlsx", 0, 1), ("lengkap", 0, 1), ("lapor", -1, 8)):
                data = await xlsx_export(kind, tr, config, sessions, query, units, first, last)
                table = _table(data)
                found = {str(r[number]): r[day] for r in table[1:]}
                assert len(found) == len(table) - 1, kind
                assert {k: v.date() for k, v in found.items()} == mine, (kind, visible)
            data = await xlsx_export("rekap", tr, config, sessions, query, units, first, last)
            rekap = _table(data)
            received = {str(r[0]): r[1] for r in rekap[2:-1]}
            reach = [u for u in units.values() if visible is None or u.id in visible]
            want = Counter(
                units[r["unit_id"]].name for r in _in_period(rows, query) if r["unit_id"]
            )
            assert received == {u.name: want.get(u.name, 0) for u in reach}, visible
            assert rekap[-1][1] == len(mine)
    finally:
        await engine.dispose()


def test_every_export_of_a_period_holds_its_reports_once(database_url: str) -> None:
    asyncio.run(_exported(database_url, date(2026, 2, 1), date(2026, 11, 17)))
