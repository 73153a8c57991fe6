"""Memory: many citizens each holding an open draft cost the bot (almost) no memory (issue 13).

``python -m bench memory [--citizens 10000] [--framework aiogram|ptb]``

A conversation's state (its step, its draft) lives in the database, so a bot with 10,000 open
drafts should be about as large as an idle one. The run:

1. starts Kanal Aduan (``python -m cli.main run``, SQLite, every send limit lifted so the run is
   short) against the loopback emulator;
2. writes the citizens into its database as people who consented earlier (``citizens`` rows, as
   the consent screen would have), so each needs one update to open a draft;
3. warms up: ``--warmup`` citizens (50) send ``/lapor`` (the "new report" command) and get the
   type screen, so every code path of the step is imported and its caches are filled; then
   ``idle`` is the process's resident memory (``VmRSS``);
4. every other citizen sends ``/lapor``, ``--concurrency`` of them in flight at once; the run
   waits until every one of them has an open draft in the database and its screen was sent;
5. ``after`` is ``VmRSS`` again (and the peak, ``VmHWM``). The row passes when ``after - idle``
   is at most ``--limit-mb`` (20 MB).
"""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from bench.errors import BenchError
from bench.procs import BotProcess
from emulator import EmulatorClient, TgUser
from emulator.server import Emulator
from handlers.consent import CONSENT_VERSION

FIRST_USER = 5_000_000
NO_SEND_LIMITS = {
    "OUTBOX_RATE_PER_SECOND": "0",
    "OUTBOX_CHAT_PER_SECOND": "0",
    "OUTBOX_GROUP_PER_MINUTE": "0",
}


def _rss_mb(pid: int, field: str) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    raise BenchError(f"no {field} in /proc/{pid}/status")


def _seed_citizens(db: Path, users: range) -> None:
    """People who consented earlier: one ``citizens`` row each (what the consent screen writes)."""
    now = datetime.now(UTC).replace(tzinfo=None).isoformat(sep=" ")
    with sqlite3.connect(db, timeout=30) as connection:
        connection.executemany(
            "INSERT INTO citizens (channel, user_id, chat_id, name, username, language,"
            " consent_at, consent_version, created_at) VALUES (?, ?, ?, ?, '', 'id', ?, ?, ?)",
            [("telegram", str(u), str(u), f"Warga {u}", now, CONSENT_VERSION, now) for u in users],
        )


def _open_drafts(db: Path) -> int:
    with sqlite3.connect(db, timeout=30) as connection:
        (count,) = connection.execute(
            "SELECT count(*) FROM conversations WHERE draft_started_at IS NOT NULL"
        ).fetchone()
        (pending,) = connection.execute(
            "SELECT count(*) FROM inbox WHERE processed_at IS NULL"
        ).fetchone()
        (unsent,) = connection.execute(
            "SELECT count(*) FROM outbox WHERE sent_at IS NULL AND failed_at IS NULL"
        ).fetchone()
    return int(count) if pending == 0 and unsent == 0 else -1


async def _open(admin: EmulatorClient, users: range, concurrency: int) -> None:
    queue = iter(users)

    async def sender() -> None:
        for user in queue:
            await admin.send_text(TgUser(id=user, first_name=f"Warga {user}"), "/lapor")

    await asyncio.gather(*(sender() for _ in range(concurrency)))


async def _until_drafts(db: Path, process: BotProcess, expected: int, timeout: float) -> float:
    start = time.monotonic()
    while True:
        process.check_alive()
        found = _open_drafts(db)
        if found == expected:
            return time.monotonic() - start
        if found > expected:
            raise BenchError(f"{found} open drafts, expected {expected}")
        if time.monotonic() - start > timeout:
            raise BenchError(f"only {max(found, 0)} of {expected} drafts after {timeout:.0f}s")
        await asyncio.sleep(0.5)


async def run(args: argparse.Namespace) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="bench-memory-") as tmp:
        home = Path(tmp)
        db = home / "aduan.db"
        async with Emulator() as emulator:
            token = "700000:memory"
            env = {
                "BOT_TOKEN": token,
                "BOT_FRAMEWORK": args.framework,
                "TELEGRAM_API_URL": emulator.base_url,
                "DATABASE_URL": f"sqlite+aiosqlite:///{db}",
                "MEDIA_DIR": str(home / "media"),
                "POLLING_TIMEOUT": "10",
                **NO_SEND_LIMITS,
            }
            process = BotProcess("Kanal Aduan", ["-m", "cli.main", "run"], env, home)
            process.start()
            try:
                await process.wait_polling(emulator.bot_state(token))
                warm = range(FIRST_USER, FIRST_USER + args.warmup)
                crowd = range(warm.stop, warm.stop + args.citizens)
                _seed_citizens(db, range(warm.start, crowd.stop))
                async with EmulatorClient(emulator.base_url, token) as admin:
                    await _open(admin, warm, min(args.concurrency, args.warmup))
                    await _until_drafts(db, process, args.warmup, args.timeout)
                    await asyncio.sleep(1.0)
                    idle = _rss_mb(process.pid, "VmRSS")
                    started = time.monotonic()
                    await _open(admin, crowd, args.concurrency)
                    await _until_drafts(db, process, args.warmup + args.citizens, args.timeout)
                    seconds = time.monotonic() - started
                    await asyncio.sleep(1.0)
                    after = _rss_mb(process.pid, "VmRSS")
                    peak = _rss_mb(process.pid, "VmHWM")
            finally:
                await process.terminate()
    return {"idle": idle, "after": after, "peak": peak, "seconds": seconds}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench memory", description=__doc__)
    parser.add_argument("--citizens", type=int, default=10_000, help="open drafts (10000)")
    parser.add_argument("--warmup", type=int, default=50, help="drafts opened before idle (50)")
    parser.add_argument("--framework", choices=("aiogram", "ptb"), default="aiogram")
    parser.add_argument("--concurrency", type=int, default=50, help="updates in flight (50)")
    parser.add_argument("--limit-mb", type=float, default=20.0, help="allowed growth (20)")
    parser.add_argument("--timeout", type=float, default=1800.0, help="seconds for the drafts")
    args = parser.parse_args(argv)
    try:
        result = asyncio.run(run(args))
    except BenchError as error:
        print(f"BENCHMARK FAILED: {error}", file=sys.stderr)
        return 1
    growth = result["after"] - result["idle"]
    print(
        f"{args.citizens} citizens each with an open draft ({args.framework}), opened in "
        f"{result['seconds']:.1f} s\n"
        "| bot | idle RSS MB | RSS MB with the drafts | growth MB | peak RSS MB | limit MB |\n"
        "|---|---|---|---|---|---|\n"
        f"| Kanal Aduan ({args.framework}) | {result['idle']:.1f} | {result['after']:.1f} | "
        f"{growth:.1f} | {result['peak']:.1f} | {args.limit_mb:.0f} |"
    )
    if growth > args.limit_mb:
        limit = args.limit_mb
        print(f"BENCHMARK FAILED: RSS grew {growth:.1f} MB > {limit:.0f} MB", file=sys.stderr)
        return 1
    return 0
