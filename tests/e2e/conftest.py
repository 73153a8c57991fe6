"""The real bot against the loopback Bot API emulator, on both frameworks and both engines.

Every test that runs the bot runs twice, once per ``BOT_FRAMEWORK`` and once per database engine
(a SQLite file, a real PostgreSQL server: tests/databases.py), paired: one run is aiogram on one
engine, the other ptb on the other engine (test ids end in ``[aiogram-sqlite]`` and
``[ptb-postgresql]``, or ``[aiogram-postgresql]`` and ``[ptb-sqlite]``). Which pairing a test gets
is fixed by its name (:func:`pairing`), so across the suite every framework meets every engine.

Why paired, not every framework on every engine: the conversations are the same code on both
frameworks and the same storage code on both engines, and the two layers never meet (an adapter
never touches the database; storage never sees the framework). A scenario that fails on one
framework is a bug in that adapter, one that fails on one engine a bug in the storage layer, and
the pairs show both; the full matrix would show no defect more and double the end-to-end run,
which CI (``.ci/run``) cannot afford on a 2-core machine. Modules where the engine itself is the
subject (``test_smoke.py``, ``test_crash_recovery.py``: they define their own ``engine_name``
with both engines) still run every framework on every engine (ids ``[sqlite-aiogram]`` ...);
the multi-process tests (``test_workers.py``, ``test_crash_suite.py``) choose theirs. A test that
uses the database but not the bot (no ``framework``) runs on SQLite.

Two ways to run it: in-process (``running_bot``: fast, easy to inspect) or as a subprocess
(``bot_process``: ``python -m cli.main run``, which can be SIGKILLed and restarted on the same
database and emulator to prove that nothing is lost).
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import zlib
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import pytest
from pydantic import SecretStr
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from emulator import Emulator, EmulatorClient, TgUser
from emulator.chat import ChatView
from emulator.chat import JsonDict as JsonDict  # re-exported for the tests
from emulator.chat import text_of as text_of
from runtime.bootstrap import App, build_app
from runtime.settings import Settings
from storage.db import create_engine, session_factory
from storage.models import Citizen, Conversation, InboxUpdate, OutboxMessage, Report, Unit
from storage.uow import UnitOfWork
from tests.databases import ENGINES, database_on, migrate_for_test
from tests.emulated import FRAMEWORKS, TOKEN

REPO_ROOT = Path(__file__).resolve().parents[2]


#: The two pairings of (framework, engine); each test that runs the bot gets one of them.
PAIRINGS = (
    (("aiogram", "sqlite"), ("ptb", "postgresql")),
    (("aiogram", "postgresql"), ("ptb", "sqlite")),
)
assert {engine for pairs in PAIRINGS for _, engine in pairs} == set(ENGINES)


def pairing(test_name: str) -> tuple[tuple[str, str], ...]:
    """The (framework, engine) pairs a test runs on: fixed by its name, alternating over tests."""
    return PAIRINGS[zlib.crc32(test_name.encode()) % len(PAIRINGS)]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Run each test that runs the bot on both frameworks and both engines (module docstring)."""
    if "framework" not in metafunc.fixturenames:
        return
    chosen: set[str] = set()
    for mark in metafunc.definition.iter_markers("parametrize"):
        names = mark.args[0] if mark.args else mark.kwargs["argnames"]
        chosen.update(n.strip() for n in (names.split(",") if isinstance(names, str) else names))
    if chosen & {"framework", "engine_name"}:
        return  # the test chooses for itself (the multi-process tests)
    if hasattr(metafunc.module, "engine_name"):  # the module runs on every engine itself
        metafunc.parametrize("framework", FRAMEWORKS, indirect=True)
        return
    pairs = pairing(metafunc.definition.originalname)
    metafunc.parametrize(
        ("framework", "engine_name"),
        pairs,
        indirect=True,
        ids=[f"{framework}-{engine}" for framework, engine in pairs],
    )


@pytest.fixture
def engine_name(request: pytest.FixtureRequest) -> str:
    """The test's engine (see :func:`pytest_generate_tests`); SQLite for a test without the bot."""
    return str(getattr(request, "param", "sqlite"))


@pytest.fixture
async def database_url(
    engine_name: str, tmp_path: Path, request: pytest.FixtureRequest
) -> AsyncIterator[str]:
    """The bot's database, already migrated (a copy of a migrated one: tests/databases.py), so
    that a bot's start neither runs Alembic nor starts ``aduan migrate`` in a child process. A
    module with ``FROM_EMPTY_DATABASE = True`` (``test_smoke.py``) gets an empty one: there the
    bot's own migration on start, on both engines, is part of what is tested."""
    async with database_on(engine_name, tmp_path) as url:
        if not getattr(request.module, "FROM_EMPTY_DATABASE", False):
            await migrate_for_test(url)
        yield url


@pytest.fixture
def framework(request: pytest.FixtureRequest) -> Literal["aiogram", "ptb"]:
    """The ``BOT_FRAMEWORK`` the bot under test runs on (see :func:`pytest_generate_tests`)."""
    value: Literal["aiogram", "ptb"] = request.param
    return value


@pytest.fixture
def bot_settings(
    emulator: Emulator,
    database_url: str,
    tmp_path: Path,
    framework: Literal["aiogram", "ptb"],
    request: pytest.FixtureRequest,
) -> Settings:
    settings = Settings(
        _env_file=None,  # a developer's .env must not leak into the tests
        bot_token=SecretStr(TOKEN),
        bot_framework=framework,
        telegram_api_url=emulator.base_url,
        database_url=database_url,
        media_dir=tmp_path / "media",
        album_wait_seconds=0.3,
        polling_timeout=1,
        # The clock's jobs run on the real date and would post digests at random moments; the
        # clock's tests (test_clock.py) turn them on with a clock of their own.
        run_jobs=False,
    )
    # Tests tap through a whole report in a couple of seconds, far faster than any person, so
    # flood control is lifted; a test marked ``real_flood_control`` keeps the product's limit
    # (the flood test in test_bad_input.py). The outbox's per-chat and per-group pacing is
    # lifted too (officers get a dozen messages in seconds); a test marked ``real_send_pacing``
    # keeps it. The pacing itself is tested in integration tests and benchmarked.
    lifted: dict[str, object] = {}
    if not request.node.get_closest_marker("real_flood_control"):
        lifted["throttle_max_updates"] = 1000
    if not request.node.get_closest_marker("real_send_pacing"):
        lifted.update(outbox_chat_per_second=0, outbox_group_per_minute=0)
    return settings.model_copy(update=lifted)


@dataclass
class RunningBot:
    app: App
    task: asyncio.Task[None]

    async def stop(self) -> None:
        self.app.stop()
        await asyncio.wait_for(self.task, timeout=15)


@pytest.fixture
async def running_bot(bot_settings: Settings) -> AsyncIterator[RunningBot]:
    """The bot built by ``build_app`` and running in this event loop."""
    app = await build_app(bot_settings)
    bot = RunningBot(app, asyncio.create_task(app.run()))
    yield bot
    if not bot.task.done():
        await bot.stop()


class ForkedProcess:
    """A bot process forked by the :class:`ForkServer`, with the part of
    :class:`subprocess.Popen` the tests use."""

    def __init__(self, server: ForkServer, pid: int) -> None:
        self.server = server
        self.pid = pid
        self.returncode: int | None = None

    def send_signal(self, sig: int) -> None:
        if self.returncode is None:
            os.kill(self.pid, sig)

    def poll(self) -> int | None:
        if self.returncode is None:
            self.returncode = self.server.wait(self.pid, 0)
        return self.returncode

    def wait(self, timeout: float) -> int:
        if self.returncode is None:
            self.returncode = self.server.wait(self.pid, timeout)
        if self.returncode is None:
            raise subprocess.TimeoutExpired(f"bot process {self.pid}", timeout)
        return self.returncode


class ForkServer:
    """``tests/e2e/forkserver.py``: imports the bot once, then forks a bot process per start."""

    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.e2e.forkserver"],
            cwd=REPO_ROOT,
            env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert json.loads(self._read()) == {"ready": True}

    def _read(self) -> str:
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line:
            raise RuntimeError(f"the fork server ended with {self.process.wait()}")
        return line

    def _ask(self, **request: object) -> dict[str, Any]:
        assert self.process.stdin is not None
        self.process.stdin.write(json.dumps(request) + "\n")
        self.process.stdin.flush()
        answer: dict[str, Any] = json.loads(self._read())
        return answer

    def spawn(self, env: dict[str, str], cwd: Path, log: Path) -> ForkedProcess:
        answer = self._ask(op="spawn", env=env, cwd=str(cwd), log=str(log))
        return ForkedProcess(self, int(answer["pid"]))

    def wait(self, pid: int, timeout: float) -> int | None:
        status = self._ask(op="wait", pid=pid, timeout=timeout)["status"]
        return None if status is None else int(status)

    def close(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait(timeout=10)


@pytest.fixture(scope="session")
def fork_server() -> Iterator[ForkServer]:
    server = ForkServer()
    yield server
    server.close()


class BotProcess:
    """``aduan run`` with the test settings in its environment: a cold ``python -m cli.main run``,
    or forked from the :class:`ForkServer` (the same ``main`` without the imports' start-up)."""

    def __init__(
        self,
        settings: Settings,
        workdir: Path,
        fork_server: ForkServer | None = None,
        extra_env: dict[str, str] | None = None,
    ) -> None:
        self._env = {
            **os.environ,
            "PYTHONPATH": str(REPO_ROOT),
            "BOT_TOKEN": TOKEN,
            "BOT_FRAMEWORK": settings.bot_framework,
            "TELEGRAM_API_URL": settings.telegram_api_url,
            "DATABASE_URL": settings.database_url,
            "MEDIA_DIR": str(settings.media_dir),
            "ALBUM_WAIT_SECONDS": str(settings.album_wait_seconds),
            "POLLING_TIMEOUT": str(settings.polling_timeout),
            "THROTTLE_MAX_UPDATES": str(settings.throttle_max_updates),
            "THROTTLE_WINDOW_SECONDS": str(settings.throttle_window_seconds),
            "OUTBOX_CHAT_PER_SECOND": str(settings.outbox_chat_per_second),
            "OUTBOX_GROUP_PER_MINUTE": str(settings.outbox_group_per_minute),
            "RUN_JOBS": str(settings.run_jobs).lower(),
            "LEADER_LEASE_SECONDS": str(settings.leader_lease_seconds),
            "WEBHOOK_LISTEN": settings.webhook_listen,
            "WEBHOOK_SECRET": (
                settings.webhook_secret.get_secret_value() if settings.webhook_secret else ""
            ),
        }
        if settings.test_clock_offset_file is not None:
            self._env["TEST_CLOCK_OFFSET_FILE"] = str(settings.test_clock_offset_file)
        self._env.update(extra_env or {})  # e.g. WhatsApp's settings (test_whatsapp_crash.py)
        self._workdir = workdir
        self._log = workdir / "bot.log"
        self._fork_server = fork_server
        self.process: subprocess.Popen[bytes] | ForkedProcess | None = None

    def start(self) -> None:
        if self._fork_server is not None:
            self.process = self._fork_server.spawn(self._env, self._workdir, self._log)
            return
        with self._log.open("ab") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "cli.main", "run"],
                cwd=self._workdir,  # no .env there
                env=self._env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )

    def kill(self) -> None:
        """SIGKILL: no cleanup at all, as in a power cut or an OOM kill."""
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)

    def terminate(self, timeout: float = 15) -> int:
        """SIGTERM and wait for the graceful stop; returns the exit code."""
        assert self.process is not None
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout=timeout)

    def restart(self) -> None:
        self.kill()
        self.start()

    def log_text(self) -> str:
        return self._log.read_text(errors="replace") if self._log.exists() else ""


@pytest.fixture
def bot_process(
    bot_settings: Settings, tmp_path: Path, fork_server: ForkServer
) -> Iterator[BotProcess]:
    """The bot as a process of its own, forked from the :class:`ForkServer`."""
    process = BotProcess(bot_settings, tmp_path, fork_server)
    yield process
    process.kill()


@pytest.fixture
def cold_bot_process(bot_settings: Settings, tmp_path: Path) -> Iterator[BotProcess]:
    """The bot as ``python -m cli.main run`` in a fresh interpreter: the real entry point."""
    process = BotProcess(bot_settings, tmp_path)
    yield process
    process.kill()


class Store:
    """Read-only looks into the bot's database, for assertions."""

    def __init__(self, database_url: str) -> None:
        self.engine = create_engine(database_url)
        self.sessions = session_factory(self.engine)

    async def inbox(self) -> list[InboxUpdate]:
        async with UnitOfWork(self.sessions) as uow:
            return list(await uow.session.scalars(select(InboxUpdate).order_by(InboxUpdate.id)))

    async def outbox(self) -> list[OutboxMessage]:
        async with UnitOfWork(self.sessions) as uow:
            rows = await uow.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
            return list(rows)

    async def reports(self) -> list[Report]:
        """Every report, oldest first, with its photos and timeline loaded."""
        async with UnitOfWork(self.sessions) as uow:
            query = (
                select(Report)
                .options(selectinload(Report.photos), selectinload(Report.events))
                .order_by(Report.id)
            )
            return list(await uow.session.scalars(query))

    async def units(self) -> list[Unit]:
        async with UnitOfWork(self.sessions) as uow:
            return list(await uow.session.scalars(select(Unit)))

    async def citizens(self) -> list[Citizen]:
        async with UnitOfWork(self.sessions) as uow:
            return list(await uow.session.scalars(select(Citizen).order_by(Citizen.id)))

    async def conversations(self) -> list[Conversation]:
        async with UnitOfWork(self.sessions) as uow:
            return list(await uow.session.scalars(select(Conversation).order_by(Conversation.id)))

    async def backlog(self) -> tuple[int, int]:
        """Inbox rows not yet handled, and outbox rows neither sent nor given up."""
        async with UnitOfWork(self.sessions) as uow:
            unhandled = select(func.count(InboxUpdate.id)).where(InboxUpdate.processed_at.is_(None))
            undelivered = select(func.count(OutboxMessage.id)).where(
                OutboxMessage.sent_at.is_(None), OutboxMessage.failed_at.is_(None)
            )
            inbox = await uow.session.scalar(unhandled)
            outbox = await uow.session.scalar(undelivered)
            return int(inbox or 0), int(outbox or 0)


async def wait_settled(telegram: EmulatorClient, store: Store, timeout: float = 10.0) -> None:
    """Wait until the bot has done everything it was given: every update sent to the emulator
    confirmed (so stored), every stored update handled, every message it committed delivered.

    The condition itself, checked in that order: an update is confirmed only once the inbox holds
    it, and a handled update's messages were committed with it; so once this holds, nothing more
    will arrive until the test acts again (or the clock's jobs run)."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        pending = (await telegram.stats())["updates_pending"]
        backlog = (0, 0) if pending else await store.backlog()
        if not pending and backlog == (0, 0):
            return
        if asyncio.get_running_loop().time() > deadline:
            raise TimeoutError(
                f"bot not settled within {timeout}s: {pending} updates unconfirmed, "
                f"{backlog[0]} unhandled, {backlog[1]} messages undelivered"
            )
        await asyncio.sleep(0.05)


Settle = Callable[[], Awaitable[None]]


@pytest.fixture
def settle(telegram: EmulatorClient, store: Store) -> Settle:
    """``await settle()``: :func:`wait_settled` for this test's bot."""

    async def wait() -> None:
        await wait_settled(telegram, store, timeout=15)

    return wait


@pytest.fixture
async def store(database_url: str) -> AsyncIterator[Store]:
    view = Store(database_url)
    yield view
    await view.engine.dispose()


async def wait_until(check: Callable[[], Awaitable[bool]], timeout: float = 10.0) -> None:
    """Poll ``check`` until it is true; the bot works asynchronously after each update."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not await check():
        if asyncio.get_running_loop().time() > deadline:
            raise TimeoutError(f"condition not met within {timeout}s")
        await asyncio.sleep(0.05)


@pytest.fixture
def until() -> Callable[[Callable[[], Awaitable[bool]], float], Awaitable[None]]:
    """``await until(check, timeout)``: :func:`wait_until` as a fixture."""
    return wait_until


@pytest.fixture
def chat_of(telegram: EmulatorClient) -> Callable[[TgUser], ChatView]:
    """``chat_of(user)``: that user's private chat with the bot."""

    def make(user: TgUser) -> ChatView:
        return ChatView(telegram, user)

    return make
