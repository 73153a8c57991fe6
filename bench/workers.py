"""``python -m bench workers``: throughput with 1, 2, 3 ... webhook processes on one PostgreSQL.

For each step, a fresh database on the given PostgreSQL server (migrated once, before the
processes start), N ``aduan run`` processes in webhook mode with every send limit lifted, and a
small round-robin proxy in front of them (as nginx would be). The emulator delivers the updates
to the proxy; N citizens file a whole report each (no photos), each waiting for the bot's reply
before the next step. The figures per step: reports/s, updates/s, p50/p99 per step, and the CPU
the bot processes and the database server used while the citizens ran.

Needs a PostgreSQL server: ``--postgres URL`` or ``TEST_POSTGRES_URL`` (``.ci/postgres start DIR``
prints one). Each step's database is created and dropped on it.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import platform
import shutil
import socket
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web
from sqlalchemy.engine import make_url

from bench.errors import BenchError
from bench.flows import kanal_steps
from bench.procs import BotProcess
from bench.report import BotResult, percentile, summarise
from bench.runner import THROTTLE_MAX_UPDATES, Config, _drive, _until, progress
from bench.watch import ReplyWatcher, install
from emulator import Emulator, EmulatorClient
from emulator.state import BotState
from storage.db import migrate

SECRET = "bench-workers_Secret"
WEBHOOK_PATH = "/telegram/webhook"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
#: Every send limit of the bot lifted: the bench measures handling, not Telegram's limits.
UNLIMITED = {
    "OUTBOX_RATE_PER_SECOND": "0",
    "OUTBOX_CHAT_PER_SECOND": "0",
    "OUTBOX_GROUP_PER_MINUTE": "0",
}
CLK_TCK = os.sysconf("SC_CLK_TCK")


@dataclass
class StepResult:
    processes: int
    result: BotResult
    bot_cpu_pct: float  # all bot processes together, 100 = one core
    db_cpu_pct: float | None  # the PostgreSQL server (postmaster and its backends)
    harness_cpu_pct: float
    waits_ms: tuple[float, ...]  # inbox p50, p99; outbox p50, p99 (see QUEUE_WAITS)
    acks_ms: list[float]  # each webhook request's answer time, through the proxy


def free_port() -> int:
    """A port for a worker (its WEBHOOK_LISTEN), free at the moment of asking."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Proxy:
    """Round robin over the workers, one pooled client session (nginx's upstream, in short)."""

    def __init__(self, ports: list[int]) -> None:
        self.ports = ports
        self.turn = 0
        self.acks: list[float] = []  # seconds each forwarded update took to be answered
        self.port = 0
        self._runner: web.AppRunner | None = None
        self._session: aiohttp.ClientSession | None = None

    async def start(self) -> None:
        self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30))
        app = web.Application()
        app.router.add_post(WEBHOOK_PATH, self._forward)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        self.port = int(self._runner.addresses[0][1])

    async def _forward(self, request: web.Request) -> web.Response:
        assert self._session is not None
        body = await request.read()
        headers = {
            SECRET_HEADER: request.headers.get(SECRET_HEADER, ""),
            "Content-Type": "application/json",
        }
        # A worker that is down is skipped (nginx's proxy_next_upstream): the crash suite
        # SIGKILLs workers behind this proxy.
        for _ in self.ports:
            self.turn = (self.turn + 1) % len(self.ports)
            url = f"http://127.0.0.1:{self.ports[self.turn]}{WEBHOOK_PATH}"
            start = time.perf_counter()
            try:
                async with self._session.post(url, data=body, headers=headers) as answer:
                    self.acks.append(time.perf_counter() - start)
                    return web.Response(status=answer.status)
            except (aiohttp.ClientError, TimeoutError):
                continue
        return web.Response(status=502)

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
        if self._session is not None:
            await self._session.close()


def _chat_of(update: dict[str, Any]) -> int:
    """The chat an update belongs to (its sender for a callback query without a message)."""
    payload = next(v for k, v in update.items() if k != "update_id")
    chat = payload.get("chat") or (payload.get("message") or {}).get("chat") or payload["from"]
    return int(chat["id"])


class Deliverer:
    """Telegram's side of webhook delivery with up to ``connections`` requests at once.

    The emulator's own delivery (``setWebhook``) sends one update at a time; Telegram opens up to
    the webhook's ``max_connections`` (40 by default) and keeps each chat's updates in order. This
    does the same from the emulator's queue: a chat's next update goes once its previous one was
    answered; an update leaves the queue (confirmed) only on a 2xx, as with the emulator's.
    """

    def __init__(self, state: BotState, url: str, connections: int) -> None:
        self._state = state
        self._url = url
        self._connections = connections
        self._busy: set[int] = set()  # chats with an update in flight
        self._sending: set[int] = set()  # id() of the updates in flight
        self._done = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    def _next(self) -> dict[str, Any] | None:
        for update in self._state.updates:
            if id(update) not in self._sending and _chat_of(update) not in self._busy:
                return update
        return None

    async def _run(self) -> None:
        timeout = aiohttp.ClientTimeout(total=30)
        async with aiohttp.ClientSession(timeout=timeout) as session, asyncio.TaskGroup() as tg:
            while True:
                update = self._next() if len(self._sending) < self._connections else None
                if update is None:
                    arrived = asyncio.ensure_future(self._state.update_event.wait())
                    answered = asyncio.ensure_future(self._done.wait())
                    try:
                        await asyncio.wait(
                            [arrived, answered], timeout=0.05, return_when=asyncio.FIRST_COMPLETED
                        )
                    finally:
                        arrived.cancel()
                        answered.cancel()
                        await asyncio.gather(arrived, answered, return_exceptions=True)
                    self._done.clear()
                    continue
                self._sending.add(id(update))
                self._busy.add(_chat_of(update))
                tg.create_task(self._deliver(session, update))

    async def _deliver(self, session: aiohttp.ClientSession, update: dict[str, Any]) -> None:
        headers = {SECRET_HEADER: SECRET}
        ok = False
        try:
            async with session.post(self._url, json=update, headers=headers) as answer:
                ok = 200 <= answer.status < 300
        except (aiohttp.ClientError, TimeoutError):
            pass
        if ok:
            self._state.updates = [u for u in self._state.updates if u is not update]
            self._state.confirmed += 1
        else:
            await asyncio.sleep(0.2)  # as the emulator: try again a moment later
        self._sending.discard(id(update))
        self._busy.discard(_chat_of(update))
        self._done.set()


def _admin_dsn(server_url: str, database: str | None = None) -> str:
    url = make_url(server_url).set(drivername="postgresql")
    if database is not None:
        url = url.set(database=database)
    return url.render_as_string(hide_password=False)


@asynccontextmanager
async def fresh_database(server_url: str) -> AsyncIterator[str]:
    """A new empty database on the server (its SQLAlchemy URL), dropped afterwards."""
    import asyncpg

    name = f"aduan_bench_{uuid.uuid4().hex[:10]}"
    admin = await asyncpg.connect(_admin_dsn(server_url))
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    try:
        yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    finally:
        admin = await asyncpg.connect(_admin_dsn(server_url))
        try:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await admin.close()


def _cpu_seconds(pid: int) -> float:
    """utime + stime of one process, from /proc (0 if it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def _postgres_pids(server_url: str) -> list[int] | None:
    """The postmaster of the server at this URL's port and its children (backends, writers)."""
    port = str(make_url(server_url).port)
    for status in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            argv = status.read_bytes().split(b"\0")
        except OSError:
            continue
        if argv and argv[0].endswith(b"postgres") and f"-p {port}".encode() in b" ".join(argv):
            postmaster = int(status.parent.name)
            break
    else:
        return None
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            ppid = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        if ppid == postmaster:
            children.append(int(stat.parent.name))
    return [postmaster, *children]


def _db_cpu(server_url: str) -> float | None:
    pids = _postgres_pids(server_url)
    return None if pids is None else sum(_cpu_seconds(pid) for pid in pids)


async def _healthy(ports: list[int], processes: list[BotProcess], timeout: float = 120) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=2)) as session:
        for port in ports:
            while True:
                for process in processes:
                    process.check_alive()
                try:
                    async with session.get(f"http://127.0.0.1:{port}/readyz") as answer:
                        if answer.status == 200:
                            break
                except (aiohttp.ClientError, TimeoutError):
                    pass
                if loop.time() > deadline:
                    raise BenchError(f"worker on port {port} not ready within {timeout}s")
                await asyncio.sleep(0.2)


#: Where an update's time went, from the rows' own timestamps (p50 and p99, in ms): stored to
#: handled (the inbox: waiting for a worker, then the handling) and queued to sent (the outbox:
#: waiting for the one elected sender, then the Bot API call).
QUEUE_WAITS = """
SELECT
  percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM processed_at - received_at)),
  percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM processed_at - received_at)),
  (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY extract(epoch FROM sent_at - created_at))
     FROM outbox WHERE sent_at IS NOT NULL),
  (SELECT percentile_cont(0.99) WITHIN GROUP (ORDER BY extract(epoch FROM sent_at - created_at))
     FROM outbox WHERE sent_at IS NOT NULL)
FROM inbox
"""


async def _check_database(
    url: str, tracking: set[str], citizens: int, updates: int
) -> tuple[float, ...]:
    """Exactly one report per citizen, the numbers they were given; every update processed.

    Returns the inbox's and the outbox's waits in ms (p50, p99 each)."""
    import asyncpg

    conn = await asyncpg.connect(_admin_dsn(url, make_url(url).database))
    try:
        numbers = {row[0] for row in await conn.fetch("SELECT tracking_no FROM reports")}
        inbox = await conn.fetchrow("SELECT count(*), count(processed_at), count(error) FROM inbox")
        waits = tuple(float(v or 0) * 1000 for v in await conn.fetchrow(QUEUE_WAITS))
    finally:
        await conn.close()
    problems = []
    if numbers != tracking or len(numbers) != citizens:
        problems.append(f"{len(numbers)} reports, {len(tracking)} numbers handed to citizens")
    if tuple(inbox) != (updates, updates, 0):
        problems.append(f"inbox: {tuple(inbox)} (rows, processed, failed); sent {updates}")
    if problems:
        raise BenchError("database check failed: " + "; ".join(problems))
    return waits


async def run_step(
    emulator: Emulator,
    watchers: dict[str, ReplyWatcher],
    server_url: str,
    workdir: Path,
    processes: int,
    config: Config,
    first_user: int,
    connections: int,
) -> StepResult:
    token = f"{720_000 + processes}:BENCH-workers"
    state = emulator.bot_state(token)
    watcher = ReplyWatcher(state)
    watchers[token] = watcher
    async with fresh_database(server_url) as url:
        await migrate(url)
        ports = [free_port() for _ in range(processes)]
        bots = []
        for n, port in enumerate(ports):
            env = {
                "BOT_TOKEN": token,
                "TELEGRAM_API_URL": emulator.base_url,
                "DATABASE_URL": url,
                "MEDIA_DIR": str(workdir / f"media-{processes}"),
                "THROTTLE_MAX_UPDATES": str(THROTTLE_MAX_UPDATES),
                "WEBHOOK_LISTEN": f"127.0.0.1:{port}",
                "WEBHOOK_SECRET": SECRET,
                "BOT_FRAMEWORK": "aiogram",
                **UNLIMITED,
            }
            name = f"worker {n + 1}/{processes}"
            home = workdir / f"p{processes}-{n}"
            bots.append(BotProcess(name, ["-m", "cli.main", "run"], env, home))
        proxy = Proxy(ports)
        await proxy.start()
        webhook_url = f"http://127.0.0.1:{proxy.port}{WEBHOOK_PATH}"
        deliverer = Deliverer(state, webhook_url, connections) if connections > 1 else None
        try:
            for process in bots:
                process.start()
            await _healthy(ports, bots)
            async with EmulatorClient(emulator.base_url, token) as admin:
                await admin.set_flood_limits(False)
                if deliverer is None:  # the emulator's own delivery, one update at a time
                    answer = await admin.call("setWebhook", url=webhook_url, secret_token=SECRET)
                    if not answer.get("ok"):
                        raise BenchError(f"setWebhook: {answer}")
            if deliverer is not None:
                deliverer.start()
            progress(f"{processes} process(es): {config.citizens} citizens ...")
            bot_cpu = sum(_cpu_seconds(p.pid) for p in bots)
            db_cpu = _db_cpu(server_url)
            cpu, wall = time.process_time(), time.perf_counter()
            steps = kanal_steps(0)
            runs = await _drive(
                emulator, watcher, token, steps, config, echo=False, first_user=first_user
            )
            elapsed = time.perf_counter() - wall
            harness = (time.process_time() - cpu) / elapsed * 100
            bot_pct = (sum(_cpu_seconds(p.pid) for p in bots) - bot_cpu) / elapsed * 100
            db_after = _db_cpu(server_url)
            db_pct = (
                None if db_cpu is None or db_after is None else (db_after - db_cpu) / elapsed * 100
            )
            await _until(lambda: not state.updates, 30, "every update to be confirmed")
            for process in bots:
                process.check_alive()
            result = summarise(f"{processes} process(es)", runs, None)
            waits = await _check_database(
                url, {r.tracking_no for r in runs}, config.citizens, result.updates
            )
            result.reports = config.citizens
            result.reports_per_s = config.citizens / result.wall_s
            async with EmulatorClient(emulator.base_url, token) as admin:
                await admin.call("deleteWebhook")
            for process in bots:
                code = await process.terminate()
                if code != 0:
                    raise BenchError(f"{process.name} exited with {code}:\n{process.log_tail()}")
        except BaseException:
            for process in bots:
                progress(f"{process.name} log tail:\n{process.log_tail()}")
                process.kill()
            raise
        finally:
            if deliverer is not None:
                await deliverer.stop()
            await proxy.stop()
    acks = [a * 1000 for a in proxy.acks]
    return StepResult(processes, result, bot_pct, db_pct, harness, waits, acks)


def table(steps: list[StepResult]) -> str:
    base = steps[0].result.reports_per_s or 1.0
    header = [
        "processes",
        "reports/s",
        "× 1 proc",
        "updates/s",
        "wall s",
        "p50 ms",
        "p99 ms",
        "bot CPU %",
        "db CPU %",
        "harness CPU %",
        "ack p50/p99 ms",
        "inbox p50/p99 ms",
        "outbox p50/p99 ms",
    ]
    rows = [
        [
            str(s.processes),
            f"{s.result.reports_per_s or 0:.2f}",
            f"{(s.result.reports_per_s or 0) / base:.2f}",
            f"{s.result.updates_per_s:.1f}",
            f"{s.result.wall_s:.2f}",
            f"{s.result.p50_ms:.0f}",
            f"{s.result.p99_ms:.0f}",
            f"{s.bot_cpu_pct:.0f}",
            "n/a" if s.db_cpu_pct is None else f"{s.db_cpu_pct:.0f}",
            f"{s.harness_cpu_pct:.0f}",
            f"{percentile(s.acks_ms, 50):.0f}/{percentile(s.acks_ms, 99):.0f}",
            f"{s.waits_ms[0]:.0f}/{s.waits_ms[1]:.0f}",
            f"{s.waits_ms[2]:.0f}/{s.waits_ms[3]:.0f}",
        ]
        for s in steps
    ]
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(c.rjust(w) for c, w in zip(r, widths, strict=True)) for r in [header, *rows]]
    return "\n".join([lines[0], "-" * len(lines[0]), *lines[1:]])


async def run(
    server_url: str, counts: list[int], config: Config, connections: int
) -> list[StepResult]:
    emulator = Emulator(port=0, flood_limits=False)
    watchers = install(emulator)
    await emulator.start()
    workdir = Path(tempfile.mkdtemp(prefix="aduan-bench-workers-"))
    try:
        return [
            await run_step(
                emulator, watchers, server_url, workdir, n, config, (n + 1) * 1_000_000, connections
            )
            for n in counts
        ]
    finally:
        await emulator.stop()
        if not config.keep:
            shutil.rmtree(workdir, ignore_errors=True)


def _counts(text: str) -> list[int]:
    try:
        counts = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a list of numbers: {text!r}") from None
    if not counts or min(counts) < 1:
        raise argparse.ArgumentTypeError("each count must be at least 1")
    return counts


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench workers",
        description="Reports/s with 1, 2, 3 ... webhook processes on one PostgreSQL database.",
    )
    parser.add_argument("--processes", type=_counts, default=[1, 2, 3], help="e.g. 1,2,3")
    parser.add_argument("--citizens", type=int, default=30, help="citizens at once (30)")
    parser.add_argument(
        "--postgres",
        default=os.environ.get("TEST_POSTGRES_URL", ""),
        help="the server (default: TEST_POSTGRES_URL), e.g. as .ci/postgres start prints it",
    )
    parser.add_argument(
        "--connections",
        type=int,
        default=40,
        help="webhook requests in flight at once, in order per chat, as Telegram's "
        "max_connections (40); 1: the emulator's own delivery, one update at a time",
    )
    parser.add_argument("--keep", action="store_true", help="keep the temp dir (bot logs)")
    args = parser.parse_args(argv)
    if not args.postgres:
        parser.error("no PostgreSQL server: pass --postgres URL or set TEST_POSTGRES_URL")
    if args.citizens < 1 or args.connections < 1:
        parser.error("--citizens and --connections must be at least 1")
    config = Config(citizens=args.citizens, photos=0, keep=args.keep, step_timeout=120.0)
    try:
        steps = asyncio.run(run(args.postgres, args.processes, config, args.connections))
    except BenchError as error:
        print(f"BENCHMARK FAILED: {error}", file=sys.stderr)
        return 1
    print()
    print(
        f"{config.citizens} citizens, one report each (13 updates, no photos), webhook mode, "
        f"PostgreSQL, no send-rate limit, {args.connections} webhook connection(s); "
        f"{os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}"
    )
    print(table(steps))
    print("ack: a webhook request's answer time through the proxy (the update stored in the inbox)")
    print(
        "inbox: stored to handled (a worker's wait, then the handling); outbox: queued to sent "
        "(the wait for the one elected sender, then the Bot API call); from the rows' timestamps"
    )
    print(
        "checked in every step: exactly one report per citizen with the number it was given, "
        "every update confirmed to the emulator and processed without error"
    )
    return 0
