"""``python -m bench console [--reports 1000000]``: the console's pages over a large database.

A fresh SQLite file gets the real schema (Alembic), the real unit registry (Kutai Timur: the
coordinator, OPDs, kecamatan and desa) and N generated reports written with plain sqlite3 in
bulk (not through the bot): filed over the last two years, most finished long ago, a few percent
open, with their measured stages (the columns ``write_decision`` keeps) filled with plausible
values. Then the console (``web.console.build_console_app``) is served in this process and a
coordinator signed in through a login link reads each page; each is timed (median of
``--repeat`` runs) and the process's peak resident memory during it is sampled; the map's
points (``/peta/titik``: most reports have a GPS point, at most ``MAX_POINTS`` are sent) too.
The list's full-text search ("Cari") is timed for a common word, a rare one, two words, and as
a kecamatan (the words: ``bench/console_data.py``, which writes the database). Last, a CSV and
an XLSX export of about ``--export`` reports (a date range chosen to hold that many) are
downloaded and timed the same way. SQLite's query plans of the overview's aggregates are
printed.

Performance is measured here only; no test asserts a time.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qsl
from zoneinfo import ZoneInfo

from aiohttp.test_utils import TestClient, TestServer
from pydantic import SecretStr

from bench.console_bulk import bulk_transfer
from bench.console_data import COMMON_WORD, RARE_WORD, SPAN_DAYS, TODAY, generate, query_plans
from bench.public_rows import public_rows
from core.unit_files import KIND_COORDINATOR, KIND_KECAMATAN
from runtime.clock import ManualClock
from runtime.settings import Settings
from storage.console import (
    issue_login,
)
from storage.db import create_engine, migrate, session_factory
from storage.unit_registry import seed_units
from storage.uow import UnitOfWork
from web.console import build_console_app
from web.from_settings import console_config

WITA = ZoneInfo("Asia/Makassar")
_PAGE = 4096
#: The token the console writes into its forms.
_FORM_TOKEN = re.compile(r'name="csrf" value="([^"]+)"')


def _rss_kib() -> int:
    """The process's resident memory now (Linux /proc; 0 elsewhere)."""
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024
    except (OSError, ValueError, IndexError):
        return 0


@dataclass
class Timing:
    name: str
    runs_ms: list[float]
    detail: str
    peak_mib: float
    base_mib: float

    @property
    def median(self) -> float:
        return statistics.median(self.runs_ms)


async def _timed(
    name: str, call: Callable[[], Awaitable[str]], repeat: int, *, warm: bool = True
) -> Timing:
    """Median wall time of ``call`` (after one untimed run that warms SQLite's page cache,
    unless ``warm`` is False) and the peak RSS sampled every 10 ms while it ran."""
    if warm:
        await call()
    base = _rss_kib()
    peak = base
    running = True

    async def sample() -> None:
        nonlocal peak
        while running:
            peak = max(peak, _rss_kib())
            await asyncio.sleep(0.01)

    sampler = asyncio.create_task(sample())
    runs: list[float] = []
    detail = ""
    for _ in range(repeat):
        start = time.perf_counter()
        detail = await call()
        runs.append((time.perf_counter() - start) * 1000)
    running = False
    await sampler
    peak = max(peak, _rss_kib())
    return Timing(name, runs, detail, peak / 1024, base / 1024)


async def run(n: int, repeat: int, export_n: int, keep: bool, seed: int) -> int:
    workdir = Path(tempfile.mkdtemp(prefix="aduan-bench-console-"))
    path = workdir / "console.db"
    url = f"sqlite+aiosqlite:///{path}"
    await migrate(url)
    engine = create_engine(url)
    sessions = session_factory(engine)
    clock = ManualClock(datetime(TODAY.year, TODAY.month, TODAY.day, 9, tzinfo=WITA))
    settings = Settings(_env_file=None, bot_token=SecretStr("1:x"))
    config = replace(console_config(settings), clock=clock)
    async with UnitOfWork(sessions) as work:
        await seed_units(work, config.regions, clock(), categories=config.categories)
        units = await work.units.all()
        await work.commit()
    unit_ids = [u.id for u in units]
    coordinator = next(u for u in units if u.kind == KIND_COORDINATOR)
    kecamatan = next(u for u in units if u.kind == KIND_KECAMATAN)
    desa = [r.code for r in config.regions.descendants(config.regions.root.code, 4)]
    categories = [c.code for c in config.categories]
    started = time.perf_counter()
    gen = await asyncio.to_thread(generate, path, n, unit_ids, desa, categories, seed)
    generated_s = time.perf_counter() - started
    size_mib = path.stat().st_size / 2**20

    client = TestClient(TestServer(build_console_app(config, sessions)))
    await client.start_server()

    form: dict[str, str] = {}

    async def form_token(address: str) -> str:
        """The token the console's page at ``address`` puts in its forms (its CSRF guard)."""
        found = _FORM_TOKEN.search(await (await client.get(address)).text())
        if found is None:
            raise RuntimeError(f"{address}: no form token")
        return found.group(1)

    async def sign_in(unit_id: int) -> None:
        async with sessions() as session:
            token = await issue_login(session, unit_id, now=clock(), user_name="Bench")
            await session.commit()
        csrf = await form_token(f"/masuk/{token}")
        response = await client.post(f"/masuk/{token}", data={"csrf": csrf}, allow_redirects=False)
        if response.status != 303:
            raise RuntimeError(f"sign-in: HTTP {response.status}")
        form["csrf"] = await form_token("/")

    def page(address: str) -> Callable[[], Awaitable[str]]:
        async def call() -> str:
            response = await client.get(address)
            body = await response.read()
            if response.status != 200:
                raise RuntimeError(f"{address}: HTTP {response.status}")
            return f"{len(body) // 1024:,} KiB"

        return call

    def download(address: str) -> Callable[[], Awaitable[str]]:
        async def call() -> str:
            size = 0
            # Exports are forms: POST with the page's token (a GET only shows the button).
            path, _, query = address.partition("?")
            data = {**dict(parse_qsl(query)), "csrf": form["csrf"]}
            async with client.post(path, data=data) as response:
                if response.status != 200:
                    raise RuntimeError(f"{address}: HTTP {response.status}")
                async for chunk in response.content.iter_chunked(1 << 16):
                    size += len(chunk)
            return f"{size / 2**20:.1f} MiB"

        return call

    con = sqlite3.connect(path)
    (total,) = con.execute("SELECT count(*) FROM reports").fetchone()
    month_first = TODAY.replace(day=1).isoformat()
    (in_month,) = con.execute(
        "SELECT count(*) FROM reports WHERE created_on >= ?", (month_first,)
    ).fetchone()
    (in_year,) = con.execute(
        "SELECT count(*) FROM reports WHERE created_on >= ?",
        (TODAY.replace(month=1, day=1).isoformat(),),
    ).fetchone()
    # The first day from which about ``export_n`` reports were filed (open ones cluster late).
    row = con.execute(
        "SELECT created_on FROM reports ORDER BY created_on DESC LIMIT 1 OFFSET ?",
        (min(export_n, n) - 1,),
    ).fetchone()
    export_from = row[0]
    (exported,) = con.execute(
        "SELECT count(*) FROM reports WHERE created_on >= ?", (export_from,)
    ).fetchone()
    (tracking,) = con.execute("SELECT tracking_no FROM reports WHERE id = ?", (n // 2,)).fetchone()
    (common,) = con.execute(
        "SELECT count(*) FROM report_search WHERE report_search MATCH ?", (f'"{COMMON_WORD}"*',)
    ).fetchone()
    (rare,) = con.execute(
        "SELECT count(*) FROM report_search WHERE report_search MATCH ?", (f'"{RARE_WORD}"*',)
    ).fetchone()
    rolled = {
        table: con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        for table in ("report_rollup", "report_rollup_categories", "report_rollup_days")
    }
    con.close()
    everything = (
        f"dari={(TODAY - timedelta(days=SPAN_DAYS)).isoformat()}&sampai={TODAY.isoformat()}"
    )
    last_page = min((total + config.page_size - 1) // config.page_size, 100_000)
    await sign_in(coordinator.id)
    timings = [
        await _timed(f"overview, this month ({in_month:,} reports)", page("/"), repeat),
        await _timed(f"overview, this year ({in_year:,})", page("/?periode=tahun"), repeat),
        await _timed(f"overview, all {total:,} reports", page(f"/?{everything}"), repeat),
        await _timed("wilayah, all reports", page(f"/wilayah?{everything}"), repeat),
        await _timed("report list, first page, all", page(f"/laporan?{everything}"), repeat),
        await _timed(
            f"report list, page {last_page:,} (last)",
            page(f"/laporan?{everything}&hal={last_page}"),
            repeat,
        ),
        await _timed("report list, late only", page(f"/laporan?{everything}&terlambat=1"), repeat),
        await _timed(
            "report list, one kecamatan's area",
            page(f"/laporan?{everything}&wilayah={kecamatan.area_code}"),
            repeat,
        ),
        await _timed(
            "search by tracking number", page(f"/laporan?{everything}&nomor={tracking}"), repeat
        ),
        await _timed("one report's page", page(f"/laporan/{tracking}"), repeat),
        # The public pages (no sign-in): first answers, then kept in the process.
        *await public_rows(
            client,
            _timed,
            repeat,
            path=path,
            kecamatan=kecamatan.area_code or "",
            secret=config.public_key,
        ),
        await _timed("peta, this month's points", page("/peta/titik"), repeat),
        await _timed("peta, points of all reports", page(f"/peta/titik?{everything}"), repeat),
        await _timed(
            "peta, one kecamatan's points, all",
            page(f"/peta/titik?{everything}&wilayah={kecamatan.area_code}"),
            repeat,
        ),
        await _timed("peta page (its form), all", page(f"/peta?{everything}"), repeat),
        await _timed(
            f"search, a common word ({COMMON_WORD!r}: {common:,} reports)",
            page(f"/laporan?{everything}&cari={COMMON_WORD}"),
            repeat,
        ),
        await _timed(
            f"search, a rare word ({RARE_WORD!r}: {rare:,} reports)",
            page(f"/laporan?{everything}&cari={RARE_WORD}"),
            repeat,
        ),
        await _timed(
            f"search, two words ({COMMON_WORD!r} and 'sampah')",
            page(f"/laporan?{everything}&cari={COMMON_WORD}+sampah"),
            repeat,
        ),
        await _timed(
            "search, a common word, late only",
            page(f"/laporan?{everything}&cari={COMMON_WORD}&terlambat=1"),
            repeat,
        ),
        await _timed(
            f"CSV export, {exported:,} reports",
            download(f"/ekspor?format=csv&dari={export_from}&sampai={TODAY.isoformat()}"),
            1,
            warm=False,
        ),
        await _timed(
            f"XLSX export, {exported:,} reports",
            download(f"/ekspor?format=xlsx&dari={export_from}&sampai={TODAY.isoformat()}"),
            1,
            warm=False,
        ),
        await _timed(
            f"rekap (XLSX), all {total:,} reports",
            download(f"/ekspor?format=rekap&{everything}"),
            1,
            warm=False,
        ),
    ]

    async def post_bulk(fields: list[tuple[str, str]]) -> int:
        response = await client.post("/laporan/massal", data=[("csrf", form["csrf"]), *fields])
        await response.read()
        return response.status

    bulk = await bulk_transfer(path, sessions, clock, post_bulk, engine=engine)
    timings.append(
        Timing(
            f"bulk transfer of {bulk.count} reports: the POST",
            [bulk.post_ms],
            f"{bulk.refused} refused",
            0.0,
            0.0,
        )
    )
    timings.append(
        Timing(
            f"bulk transfer of {bulk.count} reports: until the bot took all",
            [bulk.all_done_s * 1000],
            f"{bulk.count - bulk.refused} transferred; {bulk.statements_each:.1f} statements"
            f" and {bulk.cpu_s * 1000 / max(bulk.count, 1):.0f} ms CPU each",
            0.0,
            0.0,
        )
    )
    await client.post("/keluar", data={"csrf": form["csrf"]})
    await sign_in(kecamatan.id)
    timings.append(
        await _timed(
            f"overview as a kecamatan ({kecamatan.name}), all", page(f"/?{everything}"), repeat
        )
    )
    timings.append(
        await _timed(
            "search as that kecamatan, a common word",
            page(f"/laporan?{everything}&cari={COMMON_WORD}"),
            repeat,
        )
    )
    await client.close()
    await engine.dispose()

    print()
    print(
        f"{total:,} reports over {SPAN_DAYS} days, {len(unit_ids)} units; generated in "
        f"{generated_s:.1f} s; database {size_mib:,.0f} MiB; {os.cpu_count()} CPUs"
    )
    per_row = (gen.triggered_s - gen.untriggered_s) / max(gen.triggered, 1) * 1e6
    print(
        f"writing: {gen.triggered:,} reports with the roll-up trigger {gen.triggered_s:.1f} s,"
        f" the next {gen.triggered:,} without it {gen.untriggered_s:.1f} s"
        f" (the trigger: {per_row:,.0f} µs a report); the rest in bulk {gen.bulk_s:.1f} s;"
        f" roll-up rebuilt from all reports in {gen.rebuild_s:.1f} s"
    )
    print("roll-up rows: " + ", ".join(f"{t} {k:,}" for t, k in rolled.items()))
    print()
    print("| page | median ms | min ms | max ms | answer | peak RSS MiB (before) |")
    print("|---|---|---|---|---|---|")
    for t in timings:
        low, high = min(t.runs_ms), max(t.runs_ms)
        print(
            f"| {t.name} | {t.median:,.0f} | {low:,.0f} | {high:,.0f} | {t.detail} "
            f"| {t.peak_mib:,.0f} ({t.base_mib:,.0f}) |"
        )
    print()
    print("query plans (SQLite EXPLAIN QUERY PLAN, whole range):")
    kecamatan_units = frozenset(
        u.id
        for u in units
        if u.id == kecamatan.id or (u.area_code or "").startswith(f"{kecamatan.area_code}.")
    )
    for name, plan in query_plans(path, TODAY, kecamatan_units):
        print(f"- {name}: {plan}")
    if keep:
        print(f"kept: {workdir}")
    else:
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench console", description=__doc__)
    parser.add_argument("--reports", type=int, default=1_000_000, help="reports (%(default)s)")
    parser.add_argument("--repeat", type=int, default=3, help="runs per page (%(default)s)")
    parser.add_argument(
        "--export", type=int, default=100_000, help="reports in the exports (%(default)s)"
    )
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", action="store_true", help="keep the database")
    args = parser.parse_args(argv)
    if args.reports < 1000:
        parser.error("--reports must be at least 1000")
    return asyncio.run(run(args.reports, args.repeat, args.export, args.keep, args.seed))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
