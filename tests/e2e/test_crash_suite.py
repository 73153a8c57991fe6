"""The crash suite: citizens file reports while bot processes are SIGKILLed at random moments.

Three ``aduan run`` workers in webhook mode share one PostgreSQL database behind a small
round-robin proxy (as nginx would be); the emulator delivers updates to the proxy and now and
then answers a send with 429 or 502. A driver kills a random worker at a random moment and
restarts it, again and again, while the citizens walk through a whole report. At the end:
every tracking number a citizen got is one report, each citizen has exactly the one report they
filed, every update the emulator issued is in the inbox exactly once and was handled, no update
was handled twice (every citizen's chat got the same messages), every message was sent, the sends
Telegram counts never went above its 30 a second in any one-second window, and the figures are
printed.

The test suite runs a bounded round (6 citizens, kills until they are done). A bigger run:
``CRASH_CITIZENS=200 CRASH_TIMEOUT=900 pytest tests/e2e/test_crash_suite.py -s``.
"""

from __future__ import annotations

import asyncio
import os
import random
import socket
import time
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import aiohttp
import pytest
from aiohttp import web
from aiohttp.typedefs import Handler
from pydantic import SecretStr

from bot.emulator import Emulator, EmulatorClient, TgUser
from bot.emulator.chat import ChatView
from bot.settings import Settings
from bot.webhook import SECRET_HEADER
from storage.db import migrate
from tests.databases import database_on
from tests.e2e.helpers import TRACKING, Until
from tests.emulated import TOKEN

if TYPE_CHECKING:
    from tests.e2e.conftest import BotProcess, Store

SECRET = "crash_suite-Secret"
CITIZENS = int(os.environ.get("CRASH_CITIZENS", "6"))
TIMEOUT = float(os.environ.get("CRASH_TIMEOUT", "240"))
STEP_TIMEOUT = 90.0  # a step may wait for a worker's restart and a lease to move
#: Telegram's overall limit for a bot: about 30 messages a second.
TELEGRAM_PER_SECOND = 30
#: Bot API methods that put or change a message in front of someone, which that limit counts
#: (answering a button press does not count).
COUNTED_PREFIXES = ("send", "edit", "copy", "forward")


@dataclass
class SendLog:
    """When the emulator accepted each counted call (a refused one, 429 or 5xx, is not a send)."""

    stamps: list[float] = field(default_factory=list)

    def busiest_second(self) -> int:
        """The most sends in any one-second window (sliding, not only whole clock seconds)."""
        busiest, start = 0, 0
        for end, stamp in enumerate(self.stamps):
            while stamp - self.stamps[start] >= 1.0:
                start += 1
            busiest = max(busiest, end - start + 1)
        return busiest


@pytest.fixture
def sends() -> SendLog:
    return SendLog()


@pytest.fixture
async def emulator(sends: SendLog) -> AsyncIterator[Emulator]:
    """The shared emulator, with a middleware that timestamps every accepted send."""
    server = Emulator(port=0)

    @web.middleware
    async def record(request: web.Request, handler: Handler) -> web.StreamResponse:
        response = await handler(request)
        method = request.match_info.get("method", "").lower()
        counted = method.startswith(COUNTED_PREFIXES)
        if counted and request.path.startswith("/bot") and response.status == 200:
            sends.stamps.append(time.monotonic())
        return response

    server.app.middlewares.append(record)
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def database_url(tmp_path: Path) -> AsyncIterator[str]:
    async with database_on("postgresql", tmp_path) as url:
        yield url


def reserved_port() -> int:
    """A fixed port for a worker: unlike the other servers here (port 0), a worker SIGKILLed and
    restarted must come back at the same address, as behind a real reverse proxy."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def workers(bot_settings: Settings, tmp_path: Path) -> Iterator[list[BotProcess]]:
    from tests.e2e.conftest import BotProcess

    processes = []
    for n in range(3):
        settings = bot_settings.model_copy(
            update={
                "webhook_listen": f"127.0.0.1:{reserved_port()}",
                "webhook_secret": SecretStr(SECRET),
                "run_jobs": True,
                "leader_lease_seconds": 3.0,
            }
        )
        workdir = tmp_path / f"worker-{n}"
        workdir.mkdir()
        processes.append(BotProcess(settings, workdir))
    yield processes
    for process in processes:
        process.kill()


async def healthy(port: int) -> bool:
    try:
        async with (
            aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=1)) as session,
            session.get(f"http://127.0.0.1:{port}/healthz") as answer,
        ):
            return answer.status == 200
    except (aiohttp.ClientError, TimeoutError):
        return False


async def all_healthy(ports: list[int]) -> None:
    """Until every worker answers ``GET /healthz``."""
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=2)) as session:
        for port in ports:
            for _ in range(int(STEP_TIMEOUT * 10)):
                try:
                    async with session.get(f"http://127.0.0.1:{port}/healthz") as answer:
                        if answer.status == 200:
                            break
                except (aiohttp.ClientError, TimeoutError):
                    pass
                await asyncio.sleep(0.1)
            else:
                raise TimeoutError(f"worker on port {port} did not start")


class Proxy:
    """Round robin over the workers; a worker that is down is skipped (nginx's next upstream)."""

    def __init__(self, ports: list[int]) -> None:
        self.ports = ports
        self.turn = 0
        self.runner: web.AppRunner | None = None
        self.port = 0

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/telegram/webhook", self.forward)
        self.runner = web.AppRunner(app, access_log=None)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        self.port = int(self.runner.addresses[0][1])

    async def forward(self, request: web.Request) -> web.Response:
        body = await request.read()
        headers = {SECRET_HEADER: request.headers.get(SECRET_HEADER, "")}
        headers["Content-Type"] = "application/json"
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=10)) as session:
            for _ in self.ports:
                self.turn = (self.turn + 1) % len(self.ports)
                url = f"http://127.0.0.1:{self.ports[self.turn]}/telegram/webhook"
                try:
                    async with session.post(url, data=body, headers=headers) as answer:
                        return web.Response(status=answer.status)
                except (aiohttp.ClientError, TimeoutError):
                    continue
        return web.Response(status=502)

    async def stop(self) -> None:
        if self.runner is not None:
            await self.runner.cleanup()


class Citizen:
    def __init__(self, telegram: EmulatorClient, n: int) -> None:
        self.user = TgUser(id=50_000 + n, first_name=f"Warga {n}")
        self.chat = ChatView(telegram, self.user)
        self.tracking = ""
        self.rng = random.Random(n)

    async def step(self, act: str, label: str, expect: str) -> None:
        await asyncio.sleep(self.rng.uniform(0.2, 1.2))  # a person reads, then taps
        before = await self.chat.snapshot()
        telegram = self.chat.telegram
        if act == "send":
            await telegram.send_text(self.user, label)
        else:
            await telegram.press_button(self.user, label)
        message = await self.chat.expect(expect, before, timeout=STEP_TIMEOUT)
        if expect == "Nomor laporan:":
            found = TRACKING.search(str(message.get("text", "")))
            assert found, message
            self.tracking = found.group(1)

    async def file(self) -> None:
        for act, label, expect in (
            ("send", "/start", "Apakah Anda setuju?"),
            ("press", "✅ Saya setuju", "Silakan pilih menu di bawah."),
            ("send", "📝 Laporan baru", "Apa jenis laporan Anda?"),
            ("press", "Pengaduan", "Pilih kategori"),
            ("press", "Air Bersih", "Di kecamatan mana"),
            ("press", "Bengalon", "Di desa/kelurahan mana"),
            ("press", "Sepaso", "Tulis detail alamat"),
            ("press", "Lewati ➡️", "Kirim titik lokasi"),
            ("send", "Lewati lokasi ➡️", "Ceritakan masalahnya"),
            ("send", f"Air mati di rumah warga {self.user.id} sejak kemarin.", "Kirim foto bukti"),
            ("press", "Lewati ➡️", "Pilih kerahasiaan"),
            ("press", "Biasa", "Periksa laporan Anda"),
            ("press", "📨 Kirim laporan", "Nomor laporan:"),
        ):
            await self.step(act, label, expect)


@pytest.mark.slow
@pytest.mark.parametrize("framework", ["aiogram"], indirect=True)
async def test_reports_survive_random_sigkills_of_three_webhook_workers(
    workers: list[BotProcess],
    emulator: Emulator,
    telegram: EmulatorClient,
    store: Store,
    until: Until,
    database_url: str,
    sends: SendLog,
) -> None:
    await migrate(database_url)
    for worker in workers:
        worker.start()
    ports = [int(w._env["WEBHOOK_LISTEN"].rsplit(":", 1)[1]) for w in workers]
    proxy = Proxy(ports)
    await proxy.start()
    rng = random.Random(15)
    kills = 0
    try:
        await all_healthy(ports)
        answer = await telegram.call(
            "setWebhook",
            url=f"http://127.0.0.1:{proxy.port}/telegram/webhook",
            secret_token=SECRET,
        )
        assert answer["ok"], answer
        citizens = [Citizen(telegram, n) for n in range(CITIZENS)]
        filing = asyncio.gather(*(c.file() for c in citizens))

        async def killer() -> None:
            nonlocal kills
            while not filing.done():
                await asyncio.sleep(rng.uniform(0.5, 2.0))
                # A restarted worker takes seconds to start: kill only while another is up, so
                # that the citizens always have somewhere to go.
                up = [w for w, port in zip(workers, ports, strict=True) if await healthy(port)]
                if len(up) < 2:
                    continue
                victim = rng.choice(up)
                victim.restart()  # SIGKILL, then start again
                kills += 1
                if rng.random() < 0.3:  # now and then Telegram refuses a send
                    status = rng.choice([429, 502])
                    retry_after = 1 if status == 429 else None
                    await telegram.fault(
                        status, method="sendMessage", count=1, retry_after=retry_after
                    )

        killing = asyncio.create_task(killer())
        try:
            await asyncio.wait_for(filing, TIMEOUT)
        finally:
            killing.cancel()
            await asyncio.gather(killing, return_exceptions=True)

        async def settled() -> bool:
            inbox, outbox = await store.inbox(), await store.outbox()
            return all(r.processed_at for r in inbox) and all(
                m.sent_at or m.failed_at for m in outbox
            )

        await until(settled, STEP_TIMEOUT)
        reports = await store.reports()
        outbox = await store.outbox()
        inbox = await store.inbox()
        confirmations = [sum("Nomor laporan:" in t for t in await c.chat.texts()) for c in citizens]
        issued = emulator.bot_state(TOKEN).next_update_id - 1
        # What each update's handling committed: the same walk gives every chat the same count,
        # so an update handled twice (or half) shows as a chat out of line.
        per_chat = Counter(m.chat_id for m in outbox)
        committed = Counter(per_chat[str(c.user.id)] for c in citizens)
        busiest = sends.busiest_second()
        print(
            f"\ncrash suite: {CITIZENS} citizens, {kills} SIGKILLs, {len(reports)} reports, "
            f"{issued} updates issued, {len(inbox)} stored and handled, {len(outbox)} messages "
            f"sent ({sum(1 for m in outbox if m.attempts)} after a retry, "
            f"{sum(1 for m in outbox if m.failed_at)} given up), "
            f"confirmations seen twice: {sum(1 for n in confirmations if n > 1)}, "
            f"messages per citizen chat: {dict(committed)}, "
            f"busiest second: {busiest} sends (limit {TELEGRAM_PER_SECOND})"
        )
        assert sorted(r.tracking_no for r in reports) == sorted(c.tracking for c in citizens)
        assert len({r.citizen_id for r in reports}) == CITIZENS  # one report each, never two
        # Every update the emulator issued stored once (a redelivery after a kill is recognised),
        # and handled: the row is marked in the same transaction as the handling's changes.
        assert sorted(r.update_id for r in inbox) == list(range(1, issued + 1))
        assert all(r.processed_at for r in inbox)
        assert len(committed) == 1, per_chat
        assert busiest <= TELEGRAM_PER_SECOND
        assert all(r.error is None for r in inbox)
        assert not [m for m in outbox if m.failed_at]
        assert kills >= 1
    finally:
        await telegram.call("deleteWebhook")
        await proxy.stop()
