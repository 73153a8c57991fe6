"""``python -m bench clock [-n 1000000]``: the clock's round over a large generated database.

A fresh SQLite file gets the real schema (Alembic), the real unit registry (Kutai Timur: the
coordinator, OPDs, 18 kecamatan, 141 desa, every unit bound to a group) and N generated reports,
most of them finished long ago, a few percent open with deadlines spread around today and an
agenda (``next_notice_on``) as the clock would have left it after yesterday's round. Then:

- the scans alone (reports owed a notice today, the Ombudsman scan, late counts per unit, a
  unit's digest list), timed and with SQLite's query plan, which must name an index;
- a full morning round (``handlers.reminders.run_reminders``: reminders, escalations, auto-close,
  Ombudsman, every unit's digest), writing its messages to the outbox;
- an idle round right after it (what every later tick of the day costs).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from pydantic import SecretStr
from sqlalchemy import func, select, text

from core.deadlines import UNIT_STAGES, first_notice_on, notice_due
from core.lifecycle import OPEN_STATUSES, ReportStatus
from handlers.reminders import run_reminders
from locales import Catalogs
from runtime.clock import ManualClock
from runtime.deps import handler_deps
from runtime.settings import Settings
from storage.db import create_engine, migrate, session_factory
from storage.models import OutboxMessage
from storage.unit_registry import seed_units
from storage.uow import UnitOfWork

WITA = ZoneInfo("Asia/Makassar")
#: A Wednesday morning in WITA: a working day with no holiday near it.
TODAY = date(2026, 11, 25)
OPEN_SHARE = 0.04
CITIZENS = 20_000
CHUNK = 50_000


@dataclass
class Timing:
    name: str
    runs_ms: list[float]
    rows: int
    plan: str = ""

    @property
    def median(self) -> float:
        return statistics.median(self.runs_ms)


async def _timed(
    name: str, query: Callable[[], Awaitable[int]], repeat: int, plan: str = ""
) -> Timing:
    runs: list[float] = []
    rows = 0
    for _ in range(repeat):
        start = time.perf_counter()
        rows = await query()
        runs.append((time.perf_counter() - start) * 1000)
    return Timing(name, runs, rows, plan)


def _generate(path: Path, n: int, unit_ids: list[int], seed: int) -> dict[str, int]:
    """N reports written with plain sqlite3 (fast); the open ones get a realistic agenda."""
    rnd = random.Random(seed)
    settings = Settings(_env_file=None, bot_token=SecretStr("1:x"))
    deps = handler_deps(settings, "1:x", Catalogs("id"), ManualClock())
    cal, policy = deps.calendar, deps.config.deadlines
    yesterday = cal.previous_working_day(TODAY)
    con = sqlite3.connect(path)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=OFF")
    now = datetime(2026, 11, 24, 23, 0, tzinfo=UTC).isoformat(" ")
    con.executemany(
        "INSERT INTO citizens (channel, user_id, chat_id, name, username, language, consent_at,"
        " consent_version, created_at) VALUES ('telegram', ?, ?, '', '', 'id', ?, '1', ?)",
        [(str(10_000 + i), str(10_000 + i), now, now) for i in range(CITIZENS)],
    )
    open_statuses = [*UNIT_STAGES, ReportStatus.MENUNGGU_PELAPOR]
    counts = {"open": 0, "late": 0, "selesai_waiting": 0}
    rows: list[tuple[object, ...]] = []

    def flush() -> None:
        con.executemany(
            "INSERT INTO reports (tracking_no, citizen_id, channel, report_type, category,"
            " region_code, address_detail, description, privacy, status, due_date, unit_id,"
            " created_at, updated_at, rating_comment, next_notice_on, ombudsman_on, closed_at)"
            " VALUES (?, ?, 'telegram', 'pengaduan', 'sampah', '64.08.09.2001', '', 'x', 'biasa',"
            " ?, ?, ?, ?, ?, '', ?, ?, ?)",
            rows,
        )
        rows.clear()

    for i in range(n):
        roll = rnd.random()
        created = TODAY - timedelta(days=rnd.randint(1, 700))
        due: date | None = None
        next_on: date | None = None
        ombudsman: date | None = None
        closed: str | None = None
        if roll < OPEN_SHARE:
            status = rnd.choice(open_statuses)
            created = TODAY - timedelta(days=rnd.randint(1, 90))
            ombudsman = cal.add_working_days(created, policy.ombudsman)
            if ombudsman < TODAY:
                ombudsman = None  # told on that day by an earlier round
            if status != ReportStatus.MENUNGGU_PELAPOR:
                due = cal.add_working_days(TODAY - timedelta(days=20), rnd.randint(0, 30))
                # The agenda as yesterday's round left it.
                start = min(created, due)
                step = notice_due(status, due, yesterday, cal, policy)
                next_on = step.next_on or first_notice_on(status, due, start, cal)
                counts["late"] += due < TODAY
            counts["open"] += 1
        elif roll < OPEN_SHARE + 0.002:
            status = ReportStatus.SELESAI
            due = cal.add_working_days(TODAY - timedelta(days=16), rnd.randint(0, 12))
            next_on = due + timedelta(days=1)
            counts["selesai_waiting"] += 1
        elif roll < 0.9:
            status = ReportStatus.SELESAI
            closed = now
        else:
            status = ReportStatus.DIARSIPKAN
        stamp = datetime(created.year, created.month, created.day, 2, tzinfo=UTC).isoformat(" ")
        rows.append(
            (
                f"B{i:09d}",
                1 + rnd.randrange(CITIZENS),
                status.value,
                due.isoformat() if due else None,
                rnd.choice(unit_ids),
                stamp,
                stamp,
                next_on.isoformat() if next_on else None,
                ombudsman.isoformat() if ombudsman else None,
                closed,
            )
        )
        if len(rows) >= CHUNK:
            flush()
    flush()
    con.commit()
    con.execute("ANALYZE")
    con.close()
    return counts


def _plan(path: Path, sql: str, params: tuple[object, ...]) -> str:
    con = sqlite3.connect(path)
    try:
        steps = con.execute("EXPLAIN QUERY PLAN " + sql, params).fetchall()
    finally:
        con.close()
    return " / ".join(str(step[-1]) for step in steps)


async def run(n: int, repeat: int, keep: bool, seed: int) -> int:
    workdir = Path(tempfile.mkdtemp(prefix="aduan-bench-clock-"))
    path = workdir / "clock.db"
    url = f"sqlite+aiosqlite:///{path}"
    await migrate(url)
    engine = create_engine(url)
    sessions = session_factory(engine)

    def uow() -> UnitOfWork:
        return UnitOfWork(sessions)

    clock = ManualClock(datetime(2026, 11, 24, 0, 0, tzinfo=UTC))
    settings = Settings(_env_file=None, bot_token=SecretStr("1:x"))
    deps = handler_deps(settings, "1:x", Catalogs("id"), clock)
    async with uow() as work:
        await seed_units(work, deps.regions, clock(), categories=deps.categories)
        units = await work.units.all()
        for index, unit in enumerate(units):
            await work.units.bind(
                unit.id,
                channel="telegram",
                chat_id=str(-100_000 - index),
                title=unit.name,
                by="bench",
                now=clock(),
            )
        await work.commit()
    unit_ids = [u.id for u in units]
    started = time.perf_counter()
    counts = await asyncio.to_thread(_generate, path, n, unit_ids, seed)
    generated_s = time.perf_counter() - started

    stages = [s.value for s in UNIT_STAGES]
    opened = [s.value for s in OPEN_STATUSES]
    marks = ", ".join("?" * len(stages))
    busiest = unit_ids[len(unit_ids) // 2]

    async def scan_notice() -> int:
        async with uow() as work:
            return len(await work.reports.due_for_notice(TODAY, 200))

    async def scan_ombudsman() -> int:
        async with uow() as work:
            return len(await work.reports.due_for_ombudsman(TODAY, stages, 200))

    async def late_counts() -> int:
        async with uow() as work:
            return sum((await work.reports.late_counts(TODAY, stages)).values())

    async def digest_list() -> int:
        async with uow() as work:
            listed = await work.reports.open_for_unit(busiest, opened, limit=25)
            await work.reports.count_open_for_unit(busiest, opened)
            return len(listed)

    iso = TODAY.isoformat()
    timings = [
        await _timed(
            "owed a notice today (first batch of 200)",
            scan_notice,
            repeat,
            _plan(
                path,
                "SELECT id FROM reports WHERE next_notice_on <= ?"
                " ORDER BY next_notice_on, id LIMIT 200",
                (iso,),
            ),
        ),
        await _timed(
            "Ombudsman day reached (first batch of 200)",
            scan_ombudsman,
            repeat,
            _plan(
                path,
                f"SELECT id FROM reports WHERE status IN ({marks}) AND ombudsman_on <= ?"
                " ORDER BY ombudsman_on, id LIMIT 200",
                (*stages, iso),
            ),
        ),
        await _timed(
            "late reports per unit (coordinator digest, /terlambat)",
            late_counts,
            repeat,
            _plan(
                path,
                f"SELECT unit_id, count(id) FROM reports WHERE status IN ({marks}) AND due_date < ?"
                " GROUP BY unit_id",
                (*stages, iso),
            ),
        ),
        await _timed(
            "one unit's digest list (25 nearest deadlines + count)",
            digest_list,
            repeat,
            _plan(
                path,
                "SELECT id FROM reports WHERE unit_id = ? AND status IN (?, ?, ?, ?)"
                " ORDER BY due_date IS NULL, due_date, id LIMIT 25",
                (busiest, *opened),
            ),
        ),
    ]

    morning = datetime(TODAY.year, TODAY.month, TODAY.day, 7, 30, tzinfo=WITA)
    clock.set(morning)
    start = time.perf_counter()
    first = await run_reminders(uow, deps)
    first_s = time.perf_counter() - start
    clock.set(morning + timedelta(minutes=1))
    start = time.perf_counter()
    idle = await run_reminders(uow, deps)
    idle_ms = (time.perf_counter() - start) * 1000
    async with uow() as work:
        outbox = int(await work.session.scalar(select(func.count(OutboxMessage.id))) or 0)
        total = int(await work.session.scalar(text("SELECT count(*) FROM reports")) or 0)
    await engine.dispose()

    print()
    print(
        f"{total:,} reports ({counts['open']:,} open, {counts['late']:,} of them late; "
        f"{counts['selesai_waiting']:,} finished and waiting for the reporter), "
        f"{len(unit_ids)} units each with a group; generated in {generated_s:.1f} s"
    )
    print()
    print("| query | rows | median ms | min ms | max ms |")
    print("|---|---|---|---|---|")
    for t in timings:
        low, high = min(t.runs_ms), max(t.runs_ms)
        print(f"| {t.name} | {t.rows:,} | {t.median:.2f} | {low:.2f} | {high:.2f} |")
    print()
    print("| round | time | what it did |")
    print("|---|---|---|")
    print(f"| morning round | {first_s:.2f} s | {dict(first.counts)}; {outbox:,} outbox rows |")
    print(f"| idle round a minute later | {idle_ms:.1f} ms | {dict(idle.counts) or 'nothing'} |")
    print()
    print("query plans (SQLite EXPLAIN QUERY PLAN):")
    for t in timings:
        print(f"- {t.name}: {t.plan}")
    if keep:
        print(f"kept: {workdir}")
    else:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench clock", description=__doc__)
    parser.add_argument("-n", type=int, default=1_000_000, help="reports (%(default)s)")
    parser.add_argument("--repeat", type=int, default=5, help="runs per query (%(default)s)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", action="store_true", help="keep the database")
    args = parser.parse_args(argv)
    if args.n < 1000:
        parser.error("-n must be at least 1000")
    return asyncio.run(run(args.n, args.repeat, args.keep, args.seed))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
