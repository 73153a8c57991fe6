"""The console's roll-up (migration 0010) stays equal to the reports it counts, whoever writes
them: many random decisions, transfers, reopenings and ratings through the real case work, and
rows inserted, changed and deleted directly in SQL; then the roll-up tables are compared with a
recomputation from ``reports`` written here, and every figure the overview reads from the
roll-up with the same figure added up from the reports (the console's older statements)."""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import insert, select, text

from core.lifecycle import ReportStatus, ReportType
from core.permissions import CaseAction
from handlers import reporter_actions
from handlers.case import Case, Officer
from handlers.officer_actions import act
from storage.console import (
    ReportQuery,
    category_counts,
    clear_statements,
    daily,
    day_counts,
    rebuild_statements,
    rolled_up,
    tallies,
)
from storage.models import (
    ROLLUP_MEASURES,
    ROLLUP_STATUSES,
    ROLLUP_SUMS,
    ROLLUP_TYPES,
    Report,
    ReportDay,
    ReportMonthCategory,
    ReportMonthDays,
    Unit,
)
from tests.integration.case_world import World, wita

STAGES = ["didisposisi", "diproses", "baru"]
#: A filter that changes nothing but makes the console add up the reports themselves.
NO_OP = datetime(2000, 1, 1, tzinfo=UTC)


def test_the_rollup_columns_name_every_class_and_status() -> None:
    assert {t.value for t in ReportType} == set(ROLLUP_TYPES)
    assert {s.value for s in ReportStatus} == set(ROLLUP_STATUSES)


async def _officer_step(
    world: World, rnd: random.Random, report_id: int, units: list[Unit]
) -> None:
    action = rnd.choice(
        [CaseAction.VERIFY] * 3
        + [CaseAction.NOTE] * 2
        + [CaseAction.DONE] * 3
        + [CaseAction.TRANSFER, CaseAction.ARCHIVE, CaseAction.ASK]
    )
    async with world.db.uow() as uow:
        report = await uow.reports.get(report_id)
        assert report is not None
        unit = await uow.units.get(report.unit_id or 0)
        if unit is None:
            return
        officer = Officer(user_id="7", name="Dewi", unit=unit)
        case = Case(uow, world.deps, world.clock())
        target = rnd.choice([u for u in units if u.id != unit.id])
        # A refusal (the action does not fit the report's state) changes nothing: fine here.
        await act(
            case, report, action, officer, note="catatan", to_unit=target, reason="bukan kami"
        )
        await uow.commit()


async def _reporter_step(world: World, rnd: random.Random, report_id: int) -> None:
    async with world.db.uow() as uow:
        report = await uow.reports.get(report_id)
        assert report is not None
        case = Case(uow, world.deps, world.clock())
        roll = rnd.random()
        if roll < 0.4:
            await reporter_actions.rate(case, report, rnd.randint(1, 5))
        elif roll < 0.7:
            await reporter_actions.reopen(case, report)
        else:
            await reporter_actions.relay_from_reporter(case, report, "Di RT 05", [])
        await uow.commit()


async def _direct_writes(world: World, rnd: random.Random, units: list[Unit]) -> None:
    """Rows written in SQL, past the application: inserted, changed, deleted."""
    assert world.citizen_id is not None
    async with world.db.engine.begin() as connection:
        for i in range(12):
            on = date(2026, 2, 20) + timedelta(days=rnd.randint(0, 40))
            verify = rnd.choice([None, 0, 2, 4])
            await connection.execute(
                insert(Report).values(
                    tracking_no=f"D{i:04d}",
                    citizen_id=world.citizen_id,
                    channel="telegram",
                    report_type=rnd.choice(ROLLUP_TYPES),
                    category=rnd.choice(["sampah", "jalan", "lama-sekali"]),
                    region_code="64.08.09.2001",
                    description="langsung",
                    privacy="biasa",
                    status=rnd.choice(ROLLUP_STATUSES),
                    unit_id=rnd.choice([None, *(u.id for u in units)]),
                    created_at=datetime(on.year, on.month, on.day, 2, tzinfo=UTC),
                    updated_at=datetime(on.year, on.month, on.day, 2, tzinfo=UTC),
                    created_on=on if i else None,  # one never filed: counted nowhere
                    verified_on=None if verify is None else on + timedelta(days=verify),
                    verify_days=verify,
                    verify_on_time=None if verify is None else verify <= 3,
                    finish_days=rnd.choice([None, 3, 9]),
                    finish_on_time=rnd.choice([None, True, False]),
                    stage_due=rnd.choice([None, on + timedelta(days=5)]),
                    due_date=on + timedelta(days=10),
                    rating=rnd.choice([None, 2, 4, 5]),
                    reopened=rnd.random() < 0.3,
                )
            )
        # Changed in place: moved to another unit and day, restatused, recategorised.
        await connection.execute(
            text(
                "UPDATE reports SET unit_id = :u, created_on = :d, category = 'jalan'"
                " WHERE tracking_no IN ('D0001', 'D0002')"
            ),
            {"u": units[0].id, "d": date(2026, 3, 31)},
        )
        await connection.execute(
            text("UPDATE reports SET status = 'selesai', rating = 5 WHERE tracking_no = 'D0003'")
        )
        await connection.execute(
            text("UPDATE reports SET unit_id = NULL WHERE tracking_no = 'D0004'")
        )
        await connection.execute(text("DELETE FROM reports WHERE tracking_no = 'D0005'"))
        # Untouched columns only: the roll-up triggers do not fire, nothing changes.
        await connection.execute(text("UPDATE reports SET description = 'diubah'"))


def _expected(reports: list[Report]) -> tuple[dict[Any, Counter[str]], Counter[Any], Counter[Any]]:
    days: dict[Any, Counter[str]] = {}
    categories: Counter[Any] = Counter()
    histograms: Counter[Any] = Counter()
    for r in reports:
        if r.created_on is None:
            continue
        unit = r.unit_id or 0
        month = r.created_on.strftime("%Y-%m")
        c = days.setdefault((unit, r.created_on), Counter())
        c["received"] += 1
        c["verify_on_time"] += r.verify_on_time is True
        c["verify_ended"] += r.verify_on_time is not None
        c["follow_up_on_time"] += r.follow_up_on_time is True
        c["follow_up_ended"] += r.follow_up_on_time is not None
        c["finish_on_time"] += r.finish_on_time is True
        c["finish_ended"] += r.finish_on_time is not None
        c["reopened"] += bool(r.reopened)
        c["rating_sum"] += r.rating or 0
        c["rated"] += r.rating is not None
        c["rated_good"] += r.rating is not None and r.rating >= 4
        c[f"type_{r.report_type}"] += 1
        c[f"status_{r.status}"] += 1
        categories[(unit, month, r.category)] += 1
        for measure in ROLLUP_MEASURES:
            value = getattr(r, measure)
            if value is not None:
                histograms[(unit, month, measure, value)] += 1
    return days, categories, histograms


async def _check_tables(world: World) -> None:
    async with world.db.sessions() as session:
        reports = list(await session.scalars(select(Report)))
        want_days, want_categories, want_histograms = _expected(reports)
        columns = [*ROLLUP_SUMS, *(f"type_{t}" for t in ROLLUP_TYPES)]
        columns += [f"status_{s}" for s in ROLLUP_STATUSES]
        got_days: dict[Any, Counter[str]] = {}
        for row in await session.scalars(select(ReportDay)):
            values = {c: getattr(row, c) for c in columns}
            assert min(values.values()) >= 0, (row.unit_key, row.day, values)
            if any(values.values()):
                got_days[(row.unit_key, row.day)] = Counter({k: v for k, v in values.items() if v})
        assert got_days == {
            k: Counter({n: v for n, v in c.items() if v}) for k, c in want_days.items()
        }
        got_categories = Counter(
            {
                (c.unit_key, c.month, c.category): c.n
                for c in await session.scalars(select(ReportMonthCategory))
                if c.n
            }
        )
        assert got_categories == want_categories
        got_histograms = Counter(
            {
                (h.unit_key, h.month, h.measure, h.days): h.n
                for h in await session.scalars(select(ReportMonthDays))
                if h.n
            }
        )
        assert got_histograms == want_histograms
        assert min([0, *got_categories.values(), *got_histograms.values()]) == 0


async def _rollup_rows(world: World) -> dict[str, set[tuple[Any, ...]]]:
    """Each roll-up table's rows that count something (the triggers leave rows of zeros)."""
    found: dict[str, set[tuple[Any, ...]]] = {}
    async with world.db.engine.connect() as connection:
        for table in (ReportDay, ReportMonthCategory, ReportMonthDays):
            rows = await connection.execute(select(table))
            found[table.__tablename__] = {
                tuple(row) for row in rows if any(v for k, v in row._mapping.items() if _counts(k))
            }
    return found


def _counts(column: str) -> bool:
    return column not in {"unit_key", "day", "month", "category", "measure", "days"}


async def _check_rebuild(world: World) -> None:
    """The roll-up the triggers of migration 0010 kept (their frozen copy of the indicators)
    equals the one rebuilt from the reports by the live definition (``core.indicators`` through
    ``storage.console.rebuild``). The rebuilt tables stay for the figures checked next."""
    kept = await _rollup_rows(world)
    dialect = world.db.engine.dialect.name
    async with world.db.engine.begin() as connection:
        for statement in [*clear_statements(), *rebuild_statements(dialect)]:
            await connection.execute(statement)
    rebuilt = await _rollup_rows(world)
    assert all(kept.values())
    assert rebuilt == kept


async def _check_figures(world: World, visible: frozenset[int]) -> None:
    """Every figure the overview and the rekap read, from the roll-up and from the reports."""
    today = world.clock().date()
    periods = [
        (date(2026, 3, 1), date(2026, 3, 31)),  # whole months
        (date(2026, 2, 1), date(2026, 4, 30)),
        (date(2026, 2, 17), date(2026, 4, 9)),  # partial months at both ends
        (date(2026, 3, 5), date(2026, 3, 20)),  # inside one month
        (date(2026, 3, 31), date(2026, 4, 1)),
        (None, date(2026, 3, 15)),
        (date(2026, 3, 15), None),
        (date(2026, 4, 9), date(2026, 3, 1)),  # backwards: nothing
    ]
    async with world.db.sessions() as session:
        for first, last in periods:
            for seen in (None, visible):
                query = ReportQuery(visible=seen, first_day=first, last_day=last)
                plain = ReportQuery(
                    visible=seen, first_day=first, last_day=last, created_from=NO_OP
                )
                assert rolled_up(query)
                assert not rolled_up(plain)
                where = (first, last, seen)
                got = await tallies(session, query, today=today, unit_stages=STAGES)
                want = await tallies(session, plain, today=today, unit_stages=STAGES)
                assert got == want, where
                for key in (None, Report.unit_id):
                    got_days = await day_counts(session, query, key)
                    assert got_days == await day_counts(session, plain, key), where
                assert await daily(session, query, today=today) == await daily(
                    session, plain, today=today
                ), where
                codes = ["sampah", "jalan"]
                assert await category_counts(session, query, codes) == await category_counts(
                    session, plain, codes
                ), where


async def test_the_rollup_equals_the_reports_after_random_work(world: World) -> None:
    rnd = random.Random(14)
    async with world.db.uow() as uow:
        units = [
            u
            for code in ("dinas-pupr", "kec-64-08-09", "diskominfo")
            if (u := await uow.units.by_code(code)) is not None
        ]
        desa = await uow.units.by_area("64.08.09.2001")
        assert desa is not None
        units.append(desa)
    ids: list[int] = []
    moment = wita(2, 16)
    for step in range(160):
        moment += timedelta(hours=rnd.randint(1, 20))
        world.clock.set(moment)
        if step % 3 == 0 or not ids:
            ids.append(await world.new_report(category=rnd.choice(["sampah", "jalan"])))
        elif rnd.random() < 0.75:
            await _officer_step(world, rnd, rnd.choice(ids), units)
        else:
            await _reporter_step(world, rnd, rnd.choice(ids))
    async with world.db.sessions() as session:
        worked = list(await session.scalars(select(Report)))
    # The random work reached what the roll-up counts: several units and statuses, stages
    # ended late and on time, ratings and reopenings.
    assert len({r.unit_id for r in worked}) >= 3
    assert len({r.status for r in worked}) >= 4
    assert {r.verify_on_time for r in worked} >= {True, False, None}
    assert any(r.finish_days is not None for r in worked)
    assert any(r.rating for r in worked)
    assert any(r.reopened for r in worked)
    await _direct_writes(world, rnd, units)
    await _check_tables(world)
    await _check_rebuild(world)
    # A unit's own view: the kecamatan and its desa.
    await _check_figures(world, frozenset({units[1].id, desa.id}))
    # Days later, more stages are past their deadline: the figures still agree.
    world.clock.set(moment + timedelta(days=9))
    await _check_figures(world, frozenset({units[1].id, desa.id}))
