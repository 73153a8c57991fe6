"""One run: the emulator in this process, each bot in its own subprocess, one after the other."""

from __future__ import annotations

import asyncio
import shutil
import sqlite3
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.burst import Burst
from bench.delivery import Workload
from bench.errors import BenchError
from bench.flows import Citizen, CitizenRun, Step, echo_steps, kanal_steps
from bench.procs import BotProcess, run_argv
from bench.report import BotResult, calls_per_report, summarise
from bench.watch import ReplyWatcher, install
from emulator import Emulator, EmulatorClient, TgUser

#: Each framework's bare echo bot (the same handlers), run as that framework's users run it.
ECHO_MODULES = {"aiogram": "bench.echo_bot", "ptb": "bench.echo_ptb"}
FRAMEWORK_NAMES = {"aiogram": "aiogram", "ptb": "python-telegram-bot"}
#: Every run talks to the emulator as its own bot account, with its own users.
USERS_PER_RUN = 1_000_000
#: The bot's own per-citizen throttle (default 12 updates / 10 s) would drop the simulated
#: citizens' steps, which follow each other within milliseconds; raised for the benchmark.
THROTTLE_MAX_UPDATES = 100_000


@dataclass(frozen=True)
class Config:
    citizens: int = 50
    photos: int = 2
    album_wait: float = 1.0  # the product default (Settings.album_wait_seconds)
    polling_timeout: int = 10  # the same for both bots; updates wake the long poll at once
    step_timeout: float = 60.0
    unlimited: bool = True  # also run Kanal Aduan with no limit on its sending rate
    shipped: bool = True  # run Kanal Aduan as shipped (False: only the unlimited row, issue 13)
    keep: bool = False  # keep the temp dir (database, media, logs) for inspection
    frameworks: tuple[str, ...] = ("aiogram", "ptb")  # BOT_FRAMEWORK values, each its own echo
    think: float = 0.0  # each user's pause between a reply and its next step
    notifications: int = 0  # also run Kanal Aduan with this many notifications queued at the start
    profile: Path | None = None  # run each Kanal Aduan bot under pyinstrument, reports here
    baseline: Path | None = None  # also run each Kanal Aduan row with the bot from this checkout


@dataclass
class FrameworkOutcome:
    """One framework: Kanal Aduan on it, and a bare echo bot written with it."""

    framework: str
    kanal: list[BotResult]  # as shipped, then (optionally) with no send-rate limit
    echo: BotResult


@dataclass
class Outcome:
    frameworks: list[FrameworkOutcome]
    notes: list[str]
    workdir: str | None

    @property
    def results(self) -> list[BotResult]:
        return [r for group in self.frameworks for r in (*group.kanal, group.echo)]


def progress(text: str) -> None:
    print(f"[bench] {text}", file=sys.stderr, flush=True)


async def _drive(
    emulator: Emulator,
    watcher: ReplyWatcher,
    token: str,
    steps: list[Step],
    config: Config,
    *,
    echo: bool,
    first_user: int,
) -> list[CitizenRun]:
    """N citizens at once, one HTTP session each, like N phones."""
    clients = [EmulatorClient(emulator.base_url, token) for _ in range(config.citizens)]
    try:
        tasks = [
            asyncio.create_task(
                Citizen(
                    user=TgUser(id=first_user + i, first_name=f"Warga{i}"),
                    client=client,
                    watcher=watcher,
                    photos=config.photos,
                    echo=echo,
                    timeout=config.step_timeout,
                    think=config.think,
                ).run(steps)
            )
            for i, client in enumerate(clients)
        ]
        done, pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_EXCEPTION)
        for task in pending:  # one citizen failed: the run is invalid, stop the others
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
        for task in done:
            error = task.exception()
            if error is not None:
                raise error
        return [task.result() for task in tasks]
    finally:
        await asyncio.gather(*(client.close() for client in clients))


async def _until(check: Callable[[], bool], timeout: float, what: str) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not check():
        if loop.time() > deadline:
            raise BenchError(f"timed out after {timeout}s waiting for {what}")
        await asyncio.sleep(0.05)


def _check_emulator(
    name: str, stats: dict[str, Any], updates: int, notes: list[str], *, flood: bool
) -> None:
    if stats["too_many_requests"] and name.startswith("before: "):
        # An earlier version is measured as it is: its 429s are a finding, not a failed run.
        notes.append(f"{name}: Telegram's flood limits refused {stats['too_many_requests']} calls")
    elif stats["too_many_requests"]:
        raise BenchError(
            f"{name}: Telegram's flood limits refused {stats['too_many_requests']} calls"
        )
    if stats["flood_limits"] != flood:
        raise BenchError(f"{name}: the emulator's flood limits were {stats['flood_limits']}")
    if stats["updates_total"] != updates or stats["updates_confirmed"] != updates:
        raise BenchError(
            f"{name}: injected {updates} updates but the emulator saw "
            f"{stats['updates_total']} and the bot confirmed {stats['updates_confirmed']}"
        )
    if stats["errors"]:
        notes.append(f"{name}: Bot API errors answered by the emulator: {stats['errors']}")


async def _bot_phase(
    emulator: Emulator,
    watchers: dict[str, ReplyWatcher],
    process: BotProcess,
    token: str,
    steps: list[Step],
    config: Config,
    *,
    echo: bool,
    first_user: int,
    notes: list[str],
    after: Callable[[], Awaitable[None]] | None = None,
    before: Callable[[], Awaitable[None]] | None = None,
    flood: bool = False,
) -> tuple[list[CitizenRun], float | None, float, float | None]:
    """One bot's run: its users' samples, its peak RSS, and the harness's and the bot's CPU %
    while the users ran."""
    state = emulator.bot_state(token)
    watcher = ReplyWatcher(state)
    watchers[token] = watcher
    async with EmulatorClient(emulator.base_url, token) as admin:
        await admin.set_flood_limits(flood)  # fresh buckets, Telegram's rates
    process.start()
    try:
        await process.wait_polling(state)
        if before is not None:
            await before()
        progress(f"{process.name}: {config.citizens} users × {len(steps)} steps ...")
        cpu_before, wall_before = time.process_time(), time.perf_counter()
        bot_before = process.cpu_seconds()
        runs = await _drive(
            emulator, watcher, token, steps, config, echo=echo, first_user=first_user
        )
        wall = time.perf_counter() - wall_before
        harness_cpu = (time.process_time() - cpu_before) / wall
        bot_after = process.cpu_seconds()
        bot_cpu = None
        if bot_before is not None and bot_after is not None:
            bot_cpu = (bot_after - bot_before) / wall * 100
        await _until(lambda: not state.updates, 30, f"{process.name} to confirm every update")
        if after is not None:
            await after()
        process.check_alive()
        rss = process.peak_rss_mb()
        code = await process.terminate()
    except BaseException:
        progress(f"{process.name} log tail:\n{process.log_tail()}")
        process.kill()
        raise
    if code != 0:
        raise BenchError(f"{process.name} exited with {code}:\n{process.log_tail()}")
    updates = sum(s.updates for run in runs for s in run.samples)
    _check_emulator(process.name, state.stats(), updates, notes, flood=flood)
    return runs, rss, harness_cpu * 100, bot_cpu


def _check_database(
    name: str, db: Path, runs: list[CitizenRun], config: Config, updates: int
) -> int:
    """Exactly one report per citizen, with its photos; every update processed without error."""
    with sqlite3.connect(db) as conn:
        numbers = {row[0] for row in conn.execute("SELECT tracking_no FROM reports")}
        (reports,) = conn.execute("SELECT count(*) FROM reports").fetchone()
        (photos,) = conn.execute("SELECT count(*) FROM report_photos").fetchone()
        (inbox, done, failed) = conn.execute(
            "SELECT count(*), count(processed_at), count(error) FROM inbox"
        ).fetchone()
    expected = {run.tracking_no for run in runs}
    problems = []
    if reports != config.citizens:
        problems.append(f"{reports} reports in the database, expected {config.citizens}")
    if numbers != expected:
        problems.append(
            f"tracking numbers differ: db-only {sorted(numbers - expected)[:5]}, "
            f"chat-only {sorted(expected - numbers)[:5]}"
        )
    if photos != config.citizens * config.photos:
        problems.append(f"{photos} report photos, expected {config.citizens * config.photos}")
    if (inbox, done, failed) != (updates, updates, 0):
        problems.append(f"inbox: {inbox} rows, {done} processed, {failed} failed; sent {updates}")
    if problems:
        raise BenchError(f"{name}: database check failed: " + "; ".join(problems))
    return int(reports)


class _Accounts:
    """A fresh bot token and block of user ids for each run on the one emulator."""

    def __init__(self) -> None:
        self._runs = 0

    def next(self, slug: str) -> tuple[str, int]:
        self._runs += 1
        return f"{710_000 + self._runs}:BENCH-{slug}", self._runs * USERS_PER_RUN + 1


async def run(config: Config) -> Outcome:
    notes = [
        "the emulator enforces Telegram's flood limits (at most 30 in any second and 20 in any "
        "minute per group, sliding windows; 1/s per chat with a burst of 3) on the Kanal Aduan "
        "rows with send limits, none on the others; checked: 0 × 429 in every row "
        "(before: rows only noted)",
        f"Kanal Aduan throttle raised to {THROTTLE_MAX_UPDATES} updates/10 s "
        "(simulated users act within milliseconds)",
    ]
    emulator = Emulator(port=0, flood_limits=False)
    watchers = install(emulator)
    await emulator.start()
    workdir = Path(tempfile.mkdtemp(prefix="aduan-bench-"))
    accounts = _Accounts()
    try:
        frameworks = [
            await _run_framework(emulator, watchers, workdir, config, notes, accounts, framework)
            for framework in config.frameworks
        ]
    finally:
        await emulator.stop()
        if not config.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    return Outcome(frameworks, notes, str(workdir) if config.keep else None)


async def _run_framework(
    emulator: Emulator,
    watchers: dict[str, ReplyWatcher],
    workdir: Path,
    config: Config,
    notes: list[str],
    accounts: _Accounts,
    framework: str,
) -> FrameworkOutcome:
    """Kanal Aduan with ``BOT_FRAMEWORK=framework`` (as shipped, then unlimited), then its echo."""
    variants: list[tuple[str, dict[str, str], int]] = []
    if config.shipped:
        variants.append((f"Kanal Aduan ({framework})", {}, 0))
    if config.notifications:
        name = f"Kanal Aduan ({framework}), {config.notifications} notifications queued"
        variants.append((name, {}, config.notifications))
    if config.unlimited:
        unlimited = {
            "OUTBOX_RATE_PER_SECOND": "0",
            "OUTBOX_CHAT_PER_SECOND": "0",
            "OUTBOX_GROUP_PER_MINUTE": "0",
        }
        variants.append((f"Kanal Aduan ({framework}), no send-rate limit", unlimited, 0))
    kanal = []
    for name, extra_env, notifications in variants:
        # The baseline's code runs first, then this checkout's, each with a fresh bot and users.
        roots = [(f"before: {name}", config.baseline)] if config.baseline else []
        for shown, root in [*roots, (name, None)]:
            token, first_user = accounts.next(f"kanal-{framework}")
            path = {"PYTHONPATH": str(root.resolve())} if root is not None else {}
            kanal.append(
                await _run_kanal(
                    emulator,
                    watchers,
                    workdir,
                    config,
                    notes,
                    name=shown,
                    argv=_kanal_argv(config, shown, root),
                    token=token,
                    extra_env={"BOT_FRAMEWORK": framework, **extra_env, **path},
                    first_user=first_user,
                    flood=not extra_env,
                    notifications=notifications,
                )
            )
    token, first_user = accounts.next(f"echo-{framework}")
    echo_argv = ["-m", ECHO_MODULES[framework], "--api-url", emulator.base_url, "--token", token]
    echo_argv += ["--polling-timeout", str(config.polling_timeout)]
    name = f"echo (bare {FRAMEWORK_NAMES[framework]})"
    echo_runs, echo_rss, echo_cpu, echo_bot_cpu = await _bot_phase(
        emulator,
        watchers,
        BotProcess(name, echo_argv, {}, workdir / f"echo-{framework}"),
        token,
        echo_steps(config.photos),
        config,
        echo=True,
        first_user=first_user,
        notes=notes,
    )
    echo = summarise(name, echo_runs, echo_rss)
    echo.bot_cpu_pct = echo_bot_cpu
    echo.harness_cpu_pct = echo_cpu
    if echo.updates != kanal[0].updates:
        raise BenchError(f"{name} got {echo.updates} updates, Kanal Aduan {kanal[0].updates}")
    return FrameworkOutcome(framework, kanal, echo)


def _kanal_argv(config: Config, name: str, root: Path | None = None) -> list[str]:
    argv = run_argv(root)
    if config.profile is None:
        return argv
    config.profile.mkdir(parents=True, exist_ok=True)
    slug = "".join(c if c.isalnum() else "-" for c in name.lower()).strip("-")
    report = config.profile / f"{slug}.txt"
    return ["-m", "pyinstrument", "--renderer", "text", "--outfile", str(report), *argv]


async def _run_kanal(
    emulator: Emulator,
    watchers: dict[str, ReplyWatcher],
    workdir: Path,
    config: Config,
    notes: list[str],
    *,
    name: str,
    argv: list[str],
    token: str,
    first_user: int,
    extra_env: dict[str, str] | None = None,
    flood: bool = False,
    notifications: int = 0,
) -> BotResult:
    home = workdir / token.replace(":", "-")
    db = home / "aduan.db"
    media = home / "media"
    env = {
        "BOT_TOKEN": token,
        "TELEGRAM_API_URL": emulator.base_url,
        "DATABASE_URL": f"sqlite+aiosqlite:///{db}",
        "MEDIA_DIR": str(media),
        "ALBUM_WAIT_SECONDS": str(config.album_wait),
        "POLLING_TIMEOUT": str(config.polling_timeout),
        "THROTTLE_MAX_UPDATES": str(THROTTLE_MAX_UPDATES),
        **(extra_env or {}),
    }
    expected_files = config.citizens * config.photos

    def downloaded() -> bool:
        files = [p for p in media.rglob("*") if p.is_file() and p.suffix != ".part"]
        return len(files) >= expected_files

    burst = Burst(Workload(notifications=notifications), env["DATABASE_URL"])

    async def queue_burst() -> None:
        async with EmulatorClient(emulator.base_url, token) as admin:
            await burst.queue(admin)

    async def media_done() -> None:
        # Not part of the wall time, but part of the bot's work (and of its peak memory).
        await _until(downloaded, 120, f"{name}: the media worker to store every photo")
        if notifications:
            async with EmulatorClient(emulator.base_url, token) as admin:
                notes.append(f"{name}: {await burst.check(admin)}")

    runs, rss, cpu, bot_cpu = await _bot_phase(
        emulator,
        watchers,
        BotProcess(name, argv, env, home),
        token,
        kanal_steps(config.photos),
        config,
        echo=False,
        first_user=first_user,
        notes=notes,
        after=media_done,
        before=queue_burst if notifications else None,
        flood=flood,
    )
    result = summarise(name, runs, rss)
    result.bot_cpu_pct = bot_cpu
    result.harness_cpu_pct = cpu
    result.reports = _check_database(name, db, runs, config, result.updates)
    result.reports_per_s = result.reports / result.wall_s
    if not notifications:
        methods = emulator.bot_state(token).stats()["methods"]
        result.calls_per_report = calls_per_report(methods, result.reports)
    return result
