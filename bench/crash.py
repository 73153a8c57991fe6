"""``python -m bench crash``: the crash suite (issue 15) — reports filed and handled while the bot
is SIGKILLed at random moments, with Telegram refusing sends now and then and the clock moved.

Two shapes, one driver:

* ``--engine postgresql`` (default): three ``aduan run`` workers in webhook mode on one PostgreSQL
  database behind a round-robin proxy (as nginx would be, trying the next worker when one is
  down); every worker may run the clock's jobs and send (one is elected for each).
* ``--engine sqlite``: one ``aduan run`` on a SQLite file, long polling; it also serves
  WhatsApp's webhook, and ``--wa-citizens`` of the citizens file on WhatsApp through the fake
  Graph API (:mod:`bench.crash_wa`, its own checks beside these).

Citizens file a whole report each; the desa group's officers (one per report) press
✅ Verifikasi, reply to the card (the citizen gets the answer) and, for every other report,
the village head (the group's admin) marks it done with
``/selesai NOMOR jawaban``. The rest stay with the unit: once the
citizens are through, the driver moves the bots' clock ahead (``TEST_CLOCK_OFFSET_FILE``) day
by day, so reminders, escalations and auto-closes fall due while the kills go on. A killer sends
SIGKILL to a random process at random moments (restarting it at once) until it has killed
``--kills`` times; the emulator answers a send with 429 or 502 now and then.

The checks, at the end (:meth:`Figures.problems`): every tracking number a citizen got is one
report and each citizen has exactly one; every update the emulator issued is in the inbox once
and was handled without error; no update was handled twice (every citizen of the same path got
the same number of messages committed and of messages received); every message committed was
sent and received exactly once; every notice the reminder engine recorded (its ``reminder``,
``escalated`` and ``auto_closed`` events) reached its chat exactly once; the sends Telegram
counts never went above 30 in any one-second window (the emulator's flood limits are on).

Telegram's per-group limit (20 a minute) is lifted on both sides: the coordinator's group sees
every card, and 1,000 cards at 20 a minute are 50 minutes by themselves; the pacing per group is
tested on its own (tests/integration) and benchmarked (``python -m bench delivery``).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import random
import re
import sys
import tempfile
import time
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal
from zoneinfo import ZoneInfo

import aiohttp
from aiohttp import web
from aiohttp.typedefs import Handler, Middleware
from sqlalchemy import func, select

from bench.errors import BenchError
from bench.images import photo_jpeg
from bench.procs import BotProcess
from bench.workers import SECRET, WEBHOOK_PATH, Proxy, free_port, fresh_database
from core.timeline import EventKind
from emulator import Emulator, EmulatorClient, TgUser
from emulator.chat import ChatView
from emulator.formatting import render_text
from emulator.whatsapp import FakeWhatsApp
from storage.db import create_engine, migrate, session_factory
from storage.models import (
    InboxUpdate,
    OutboxMessage,
    Report,
    ReportEvent,
    WhatsAppDelivery,
    WhatsAppHeld,
)
from storage.unit_registry import issue_binding_code
from storage.uow import UnitOfWork

if TYPE_CHECKING:
    from bench.crash_wa import WaFigures

TOKEN = "777000:crash-suite-token"
Engine = Literal["postgresql", "sqlite"]
#: Telegram's overall limit for a bot: about 30 messages a second.
TELEGRAM_PER_SECOND = 30
#: Bot API methods that put or change a message in front of someone, which that limit counts.
COUNTED_PREFIXES = ("send", "edit", "copy", "forward")
#: A doubled message is explained by a SIGKILL at most this long after Telegram answered its
#: first copy: the sender records each answer within milliseconds (runtime/outbox.py), so a kill in
#: that gap is the only way a committed message goes out twice.
KILL_WINDOW = 1.0
#: ... or answered at most this long after the kill: a request the killed process had already
#: sent, which Telegram (here the emulator, on a busy machine) answers after the process died.
KILL_LATE_ANSWER = 0.5
WITA = ZoneInfo("Asia/Makassar")
#: Where the bots' clock starts: a working Tuesday morning with no holiday for two weeks.
CLOCK_START = datetime(2026, 2, 3, 9, 0, tzinfo=WITA)
#: The days (after the start) the driver moves the clock to, one after another, once the
#: citizens are through. A finished report (done on 3 February) closes for good after 10 working
#: days (due Thursday 19, Imlek's 16 and 17 skipped): auto-close on Friday 20 (+17). An answered
#: complaint is due in 14 working days (Wednesday 25): reminders on Tuesday 24 (+21) and
#: Wednesday 25 (+22), escalations on Thursday 26 (+23) and, two working days on, Monday 2
#: March (+27).
CLOCK_DAYS = (17, 21, 22, 23, 27)
COORDINATOR = TgUser(id=2001, first_name="Rina", last_name="Diskominfo")
KADES = TgUser(id=2002, first_name="Pak", last_name="Kades")
COORDINATOR_GROUP = -1001001
SEPASO_GROUP = -1001002
SEPASO = "64.08.09.2001"
REMINDER = "🔔 Pengingat tenggat"
NUMBER = re.compile(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]")
ESCALATION = "🚨 Laporan lewat tenggat"
AUTO_CLOSED = "kami tutup karena tidak ada tanggapan"
#: The "laporan serupa" offer before the description (handlers/similar.py).
SIMILAR_OFFER = "laporan serupa yang sedang ditangani"
#: "… dan N lainnya." at the end of a notice that lists more reports than a message holds.
MORE = re.compile(r"… dan (\d+) lainnya")


#: The SQLite shape has one process: every kill stops the whole bot until it has started again
#: (several seconds on a loaded machine), so
#: its kills come further apart than the workers' default.
SQLITE_KILL_GAP = (8.0, 20.0)


@dataclass
class CrashConfig:
    citizens: int = 1000
    #: Citizens on WhatsApp besides (the SQLite shape only; bench/crash_wa.py).
    wa_citizens: int = 0
    kills: int = 100
    engine: Engine = "postgresql"
    #: postgresql: a PostgreSQL server (a fresh database is made on it); sqlite: unused.
    postgres: str = ""
    #: The database to use as it is (made and dropped by the caller), instead of ``postgres``.
    database_url: str = ""
    framework: str = "aiogram"
    seed: int = 15
    #: Citizens filing at the same moment (each waits for the bot's answer before its next step).
    concurrency: int = 60
    #: Random pause between two kills, in seconds.
    kill_gap: tuple[float, float] = (1.0, 4.0)
    #: Chance that a kill comes with a 429 or a 502 from the emulator for a send.
    fault_rate: float = 0.5
    #: A person reads, then taps: a random pause before each step, in seconds.
    think: tuple[float, float] = (0.2, 1.2)
    step_timeout: float = 120.0
    timeout: float = 3600.0
    workdir: Path | None = None


@dataclass
class Figures:
    config: CrashConfig
    kills: int = 0
    faults: int = 0
    reports: int = 0
    issued: int = 0
    stored: int = 0
    handled: int = 0
    handling_errors: int = 0
    committed: int = 0
    sent: int = 0
    retried: int = 0
    given_up: int = 0
    received_twice: int = 0
    #: Of those, copies explained by a SIGKILL between Telegram's answer and the commit that
    #: records the send (see KILL_WINDOW): the one way at-least-once delivery shows twice.
    twice_after_kill: int = 0
    kill_times: list[float] = field(default_factory=list)
    never_received: int = 0
    #: Messages in citizens' chats that no outbox row recorded as its send: each a second send of
    #: a row (whatever its text), or a send whose record was lost. Told, not checked.
    unrecorded: int = 0
    #: For each doubled message no kill explains: how far its first copy's answer was from the
    #: nearest kill (a diagnosis, in the problems' words).
    unexplained: list[str] = field(default_factory=list)
    notices_owed: int = 0
    notices_sent: int = 0
    notices_wrong: list[str] = field(default_factory=list)
    duplicates: int = 0
    out_of_line: list[str] = field(default_factory=list)
    busiest: int = 0
    wall: float = 0.0
    tracking_mismatch: bool = False
    inbox_gaps: bool = False
    wa: WaFigures | None = None

    def lines(self) -> list[str]:
        c = self.config
        shape = (
            "3 webhook workers on PostgreSQL"
            if c.engine == "postgresql"
            else "1 polling process on SQLite"
        )
        return [
            f"crash suite ({shape}, {c.framework}): {c.citizens} citizens, {self.kills} SIGKILLs, "
            f"{self.faults} sends refused (429/502), {self.reports} reports",
            f"updates: {self.issued} issued, {self.stored} stored, {self.handled} handled, "
            f"{self.handling_errors} with an error",
            f"messages: {self.committed} committed, {self.sent} sent, {self.retried} after a "
            f"retry, {self.given_up} given up, {self.received_twice} received twice "
            f"({self.twice_after_kill} of them sent again after a kill between Telegram's answer "
            f"and its record), {self.never_received} never received, {self.unrecorded} in "
            f"citizens' chats recorded by no row",
            f"clock's notices: {self.notices_owed} owed, {self.notices_sent} sent once, "
            f"{len(self.notices_wrong)} missing or doubled",
            f"duplicates seen: {self.duplicates}; busiest second: {self.busiest} sends "
            f"(limit {TELEGRAM_PER_SECOND}); wall time {self.wall:.0f} s",
            *(self.wa.lines() if self.wa else []),
        ]

    def problems(self) -> list[str]:
        """Every check that failed, in words; empty when the run is clean."""
        found = []
        if self.tracking_mismatch or self.reports != self.config.citizens + self.config.wa_citizens:
            found.append("the reports are not exactly one per citizen and tracking number")
        if self.inbox_gaps or self.stored != self.issued or self.handled != self.stored:
            found.append("an update issued was not stored once and handled")
        if self.handling_errors:
            found.append(f"{self.handling_errors} updates handled with an error")
        if self.out_of_line:
            found.append(f"chats out of line (an update handled twice?): {self.out_of_line[:5]}")
        if self.given_up or self.sent != self.committed:
            found.append("a committed message was not sent")
        if self.received_twice > self.twice_after_kill or self.never_received or self.duplicates:
            found.append(
                "a message was received twice (not explained by a kill) or never: "
                f"{self.unexplained[:5]}"
            )
        if self.notices_wrong:
            found.append(f"clock's notices missing or doubled: {self.notices_wrong[:5]}")
        if not self.notices_owed:
            found.append("the clock owed no notice: the run did not test it")
        if self.busiest > TELEGRAM_PER_SECOND:
            found.append(f"{self.busiest} sends in one second")
        if self.kills < self.config.kills:
            found.append(f"only {self.kills} of {self.config.kills} kills")
        return found + (self.wa.problems() if self.wa else [])


class SendLog:
    """When the emulator accepted each counted call (a refused one, 429 or 5xx, is not a send)."""

    def __init__(self) -> None:
        self.stamps: list[float] = []
        #: When the emulator answered a new message: (chat id, message id) -> monotonic time.
        self.answered: dict[tuple[str, int], float] = {}
        #: The text each message was sent with (a later edit changes what the chat shows).
        self.sent_text: dict[tuple[str, int], str] = {}

    def middleware(self) -> Middleware:
        @web.middleware
        async def record(request: web.Request, handler: Handler) -> web.StreamResponse:
            arrived = time.monotonic()  # Telegram counts a call when it arrives
            response = await handler(request)
            method = request.match_info.get("method", "").lower()
            counted = method.startswith(COUNTED_PREFIXES)
            if counted and request.path.startswith("/bot") and response.status == 200:
                self.stamps.append(arrived)
                self._note_answer(response)
            return response

        return record

    def _note_answer(self, response: web.StreamResponse) -> None:
        body = getattr(response, "body", None)
        if not isinstance(body, bytes):
            return
        try:
            result = json.loads(body).get("result")
        except ValueError:
            return
        for message in result if isinstance(result, list) else [result]:
            if isinstance(message, dict) and "message_id" in message and "chat" in message:
                key = (str(message["chat"]["id"]), int(message["message_id"]))
                self.answered.setdefault(key, time.monotonic())
                if isinstance(message.get("text"), str):
                    self.sent_text.setdefault(key, message["text"])

    def busiest_second(self) -> int:
        """The most sends in any one-second window (sliding, not only whole clock seconds)."""
        self.stamps.sort()  # answered out of order, stamped in order of arrival
        busiest, start = 0, 0
        for end, stamp in enumerate(self.stamps):
            while stamp - self.stamps[start] >= 1.0:
                start += 1
            busiest = max(busiest, end - start + 1)
        return busiest


class Fleet:
    """The bot processes of one run: started, SIGKILLed and restarted, finally stopped."""

    def __init__(self, config: CrashConfig, env: dict[str, str], workdir: Path) -> None:
        self.ports: list[int] = []
        self.processes: list[BotProcess] = []
        self.started: dict[str, float] = {}
        count = 3 if config.engine == "postgresql" else 1
        for n in range(count):
            own = dict(env)
            if config.engine == "postgresql":
                port = free_port()  # a restarted worker comes back at the same address
                self.ports.append(port)
                own.update(WEBHOOK_LISTEN=f"127.0.0.1:{port}", WEBHOOK_SECRET=SECRET)
            argv = ["-m", "cli.main", "run"]
            self.processes.append(BotProcess(f"worker-{n}", argv, own, workdir / f"worker-{n}"))

    def start(self) -> None:
        for process in self.processes:
            self.start_one(process)

    async def ready(self, process: BotProcess | None = None, timeout: float = 120) -> None:
        """Until the workers (or one) answer ``/readyz``; a polling process: until it polls."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        targets = self.processes if process is None else [process]
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=2)) as session:
            for target in targets:
                if not self.ports:
                    await asyncio.sleep(1.0)  # polling: the inbox takes over where it was
                    continue
                port = self.ports[self.processes.index(target)]
                while True:
                    target.check_alive()
                    with contextlib.suppress(aiohttp.ClientError, TimeoutError):
                        async with session.get(f"http://127.0.0.1:{port}/readyz") as answer:
                            if answer.status == 200:
                                break
                    if loop.time() > deadline:
                        raise BenchError(f"{target.name} not ready within {timeout}s")
                    await asyncio.sleep(0.2)

    def start_one(self, process: BotProcess) -> None:
        process.start()
        self.started[process.name] = time.monotonic()

    async def up(self) -> list[BotProcess]:
        if not self.ports:
            # A polling process: up once it has had a few seconds to start and poll.
            now = time.monotonic()
            return [p for p in self.processes if now - self.started.get(p.name, now) > 3.0]
        ready = []
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=1)) as session:
            for process, port in zip(self.processes, self.ports, strict=True):
                with contextlib.suppress(aiohttp.ClientError, TimeoutError):
                    async with session.get(f"http://127.0.0.1:{port}/readyz") as answer:
                        if answer.status == 200:
                            ready.append(process)
        return ready

    def stop(self) -> None:
        for process in self.processes:
            process.kill()


class Clock:
    """The bots' clock, moved through ``TEST_CLOCK_OFFSET_FILE`` (read again within 0.2 s)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.set(CLOCK_START)

    def set(self, moment: datetime) -> None:
        """Written aside and renamed into place: a bot reading the file never sees it half
        written (runtime.clock.OffsetFileClock keeps its offset then anyway)."""
        offset = (moment - datetime.now(UTC)).total_seconds()
        written = self.path.with_name(self.path.name + ".new")
        written.write_text(f"{offset:.3f}\n")
        written.replace(self.path)

    def now(self) -> datetime:
        offset = float(self.path.read_text())
        return datetime.now(UTC) + timedelta(seconds=offset)

    def days_on(self, days: int) -> None:
        self.set(CLOCK_START + timedelta(days=days))


class Citizen:
    """A citizen and, for their report, an officer of the desa group."""

    channel = "telegram"
    WALK = (
        ("send", "/start", "Apakah Anda setuju?"),
        ("press", "✅ Saya setuju", "Silakan pilih menu di bawah."),
        ("send", "📝 Laporan baru", "Apa jenis laporan Anda?"),
        ("press", "Pengaduan", "Pilih kategori"),
        ("press", "Sampah & Lingkungan", "Di kecamatan mana"),
        ("press", "Bengalon", "Di desa/kelurahan mana"),
        ("press", "Sepaso", "Tulis detail alamat"),
        ("press", "Lewati ➡️", "Kirim titik lokasi"),
        ("send", "Lewati lokasi ➡️", "Ceritakan masalahnya"),
        ("send", "Sampah menumpuk di depan rumah warga {id} sejak kemarin.", "Kirim foto bukti"),
        ("photo", "", "📷 Foto diterima: 1/5."),
        ("press", "✅ Selesai (1 foto)", "Pilih kerahasiaan"),
        ("press", "Biasa", "Periksa laporan Anda"),
        ("press", "📨 Kirim laporan", "Nomor laporan:"),
    )

    def __init__(self, telegram: EmulatorClient, n: int, config: CrashConfig) -> None:
        self.n = n
        self.user = TgUser(id=50_000 + n, first_name=f"Warga {n}")
        self.officer = TgUser(id=60_000 + n, first_name=f"Petugas {n}")
        self.chat = ChatView(telegram, self.user)
        self.group = ChatView(telegram, self.officer, SEPASO_GROUP)
        self.telegram = telegram
        self.config = config
        self.tracking = ""
        self.rng = random.Random(config.seed * 100_003 + n)

    @property
    def finishes(self) -> bool:
        """Every other report is finished by the unit; the rest wait for the clock."""
        return self.n % 2 == 0

    async def _do(self, act: Callable[[], Awaitable[Any]], expect: str) -> dict[str, Any]:
        await asyncio.sleep(self.rng.uniform(*self.config.think))
        before = await self.chat.snapshot()
        await act()
        message: dict[str, Any] = await self.chat.expect(
            expect, before, timeout=self.config.step_timeout
        )
        return message

    async def file(self) -> None:
        for act, label, expect in self.WALK:
            text = label.format(id=self.user.id)
            if act == "photo":
                sent = self._photo()
            else:
                sent = self._send(text) if act == "send" else self._press(text)
            message = await self._do(sent, expect)
        text = str(message.get("text", ""))
        self.tracking = text.split("Nomor laporan: ", 1)[1].split("\n", 1)[0].strip()

    def _send(self, text: str) -> Callable[[], Awaitable[Any]]:
        return lambda: self.telegram.send_text(self.user, text)

    def _photo(self) -> Callable[[], Awaitable[Any]]:
        photo = photo_jpeg(self.n, (48, 36))
        return lambda: self.telegram.send_photo(self.user, photo)

    def _press(self, label: str) -> Callable[[], Awaitable[Any]]:
        return lambda: self.telegram.press_button(self.user, label)

    async def _newest(self, needle: str, *, button: str = "") -> dict[str, Any]:
        """The newest group message showing ``needle`` (and ``button``), once there is one."""
        deadline = asyncio.get_running_loop().time() + self.config.step_timeout
        while True:
            for message in reversed(await self.group.messages()):
                if needle in str(message.get("text", "")) and (
                    not button or button in _labels(message)
                ):
                    return message
            if asyncio.get_running_loop().time() > deadline:
                raise BenchError(f"no {needle!r} with {button!r} in the desa group")
            await asyncio.sleep(0.2)

    async def _press_card(self, label: str) -> Callable[[], Awaitable[Any]]:
        card = await self._newest(f"📋 Laporan {self.tracking}", button=label)
        data = next(
            str(b["callback_data"])
            for row in card["reply_markup"]["inline_keyboard"]
            for b in row
            if b["text"] == label
        )
        message_id = int(card["message_id"])
        return lambda: self.telegram.press(self.officer, message_id, data, chat_id=SEPASO_GROUP)

    def _reply(self, to: dict[str, Any], text: str) -> Callable[[], Awaitable[Any]]:
        message_id = int(to["message_id"])
        return lambda: self.telegram.send_text(
            self.officer, text, chat_id=SEPASO_GROUP, reply_to=message_id
        )

    async def handled_by_unit(self) -> None:
        """The officer verifies, answers by replying to the card and, on every other report,
        marks it done with a final answer; the citizen hears each step."""
        await self._do(await self._press_card("✅ Verifikasi"), "sudah diverifikasi")
        card = await self._newest(f"📋 Laporan {self.tracking}")
        await self._do(self._reply(card, "Petugas kebersihan dijadwalkan besok pagi."), "Jawaban")
        if not self.finishes:
            return
        # Marked done by the village head (finishing is for the group's admins and the unit's
        # designated officers) with the group's command (the guide's /selesai NOMOR jawaban).
        done = f"/selesai {self.tracking} Sampah sudah diangkut."
        await self._do(
            lambda: self.telegram.send_text(KADES, done, chat_id=SEPASO_GROUP),
            "sudah selesai",
        )

    async def run(self) -> None:
        try:
            await self.file()
            await self.handled_by_unit()
        except TimeoutError as error:
            mine = [str(m.get("text", ""))[:160] for m in (await self.group.messages())[-4:]]
            raise BenchError(
                f"citizen {self.n} ({self.tracking}): {error}; group: {mine}"
            ) from None


def _labels(message: dict[str, Any]) -> list[str]:
    rows = (message.get("reply_markup") or {}).get("inline_keyboard") or []
    return [str(button["text"]) for row in rows for button in row]


async def _bind(
    telegram: EmulatorClient, database_url: str, config: CrashConfig, now: datetime
) -> None:
    """The coordinator's and the desa Sepaso's groups, bound with codes as ``aduan units code``
    issues them; every citizen's officer is a member of the desa group."""
    await telegram.register_chat(
        COORDINATOR_GROUP, title="Koordinator Aduan Kutim", admins=[COORDINATOR.id]
    )
    officers = [60_000 + n for n in range(config.citizens + config.wa_citizens)]
    await telegram.register_chat(
        SEPASO_GROUP, title="Pemdes Sepaso", admins=[KADES.id], members=officers
    )
    engine = create_engine(database_url)
    try:
        for user, chat_id, unit in (
            (COORDINATOR, COORDINATOR_GROUP, None),
            (KADES, SEPASO_GROUP, SEPASO),
        ):
            for _ in range(int(config.step_timeout * 5)):  # the units are seeded on start
                async with UnitOfWork(session_factory(engine)) as uow:
                    found = await (
                        uow.units.by_area(unit) if unit else uow.units.by_code("diskominfo")
                    )
                    if found is not None:
                        code = await issue_binding_code(uow, found.id, now=now)
                        await uow.commit()
                        break
                await asyncio.sleep(0.2)
            else:
                raise BenchError("the units were not seeded")
            chat = ChatView(telegram, user, chat_id)
            before = await chat.snapshot()
            await telegram.send_text(user, f"/daftar {code}", chat_id=chat_id)
            await chat.expect("terdaftar untuk", before, timeout=config.step_timeout)
    finally:
        await engine.dispose()


async def _wait(
    database_url: str,
    done: Callable[[UnitOfWork], Awaitable[int]],
    timeout: float,
    what: str,
) -> None:
    """Until ``done`` counts nothing left, asked with a fresh unit of work every half second.

    ``done`` answers how much is left (0: done). The run fails when that count has not gone down
    for ``timeout`` seconds: a stall, not a backlog. A day's notices for 1,000 reports are more
    than a thousand messages at 30 a second, sent by a process that is killed every few seconds;
    they take as long as they take, as long as they keep going out.
    """
    engine = create_engine(database_url)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    least: int | None = None
    try:
        while True:
            async with UnitOfWork(session_factory(engine)) as uow:
                left = await done(uow)
            if not left:
                return
            if least is None or left < least:
                least = left
                deadline = loop.time() + timeout
            if loop.time() > deadline:
                raise BenchError(f"{what} not done: {left} left, none done in {timeout}s")
            await asyncio.sleep(0.5)
    finally:
        await engine.dispose()


async def _agenda_done(database_url: str, clock: Clock, timeout: float) -> None:
    """Until no report is owed a look by the reminder engine at the clock's today."""

    async def owed(uow: UnitOfWork) -> int:
        today = clock.now().astimezone(WITA).date()
        # As uow.reports.due_for_notice looks them up, counted.
        owed = await uow.session.scalar(
            select(func.count()).select_from(Report).where(Report.next_notice_on <= today)
        )
        return int(owed or 0)

    await _wait(database_url, owed, timeout, "the clock's agenda")


async def _settled(telegram: EmulatorClient, database_url: str, timeout: float) -> None:
    """Until every update is confirmed and handled and every message sent or given up."""

    async def left(uow: UnitOfWork) -> int:
        pending = int((await telegram.stats())["updates_pending"])
        inbox = await uow.session.scalar(
            select(func.count()).select_from(InboxUpdate).where(InboxUpdate.processed_at.is_(None))
        )
        outbox = await uow.session.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.sent_at.is_(None), OutboxMessage.failed_at.is_(None))
        )
        return pending + int(inbox or 0) + int(outbox or 0)

    await _wait(database_url, left, timeout, "settling (updates handled, messages sent)")


def _env(
    config: CrashConfig, database_url: str, emulator: Emulator, workdir: Path
) -> dict[str, str]:
    return {
        "BOT_TOKEN": TOKEN,
        "BOT_FRAMEWORK": config.framework,
        "TELEGRAM_API_URL": emulator.base_url,
        "DATABASE_URL": database_url,
        "MEDIA_DIR": str(workdir / "media"),
        "ALBUM_WAIT_SECONDS": "0.3",
        "POLLING_TIMEOUT": "1",
        # Citizens here tap faster than people: the per-citizen flood guard is lifted.
        "THROTTLE_MAX_UPDATES": "1000",
        # Telegram's 30 a second overall is kept (28, the product's default); per chat and per
        # group lifted (see the module's docstring).
        "OUTBOX_CHAT_PER_SECOND": "0",
        "OUTBOX_GROUP_PER_MINUTE": "0",
        "RUN_JOBS": "true",
        "JOBS_INTERVAL_SECONDS": "1",
        "LEADER_LEASE_SECONDS": "3",
        "TEST_CLOCK_OFFSET_FILE": str(workdir / "clock-offset"),
        "LOG_LEVEL": "WARNING",
    }


@contextlib.asynccontextmanager
async def _database(config: CrashConfig, workdir: Path) -> AsyncIterator[str]:
    if config.database_url:
        yield config.database_url
    elif config.engine == "sqlite":
        yield f"sqlite+aiosqlite:///{workdir / 'aduan.db'}"
    else:
        if not config.postgres:
            raise BenchError("--postgres URL (or TEST_POSTGRES_URL) is needed for PostgreSQL")
        async with fresh_database(config.postgres) as url:
            yield url


async def together(*work: Awaitable[None]) -> None:
    """Run ``work`` side by side until all of it is done; the first failure cancels the rest and
    is raised once they have ended (a cancellation from outside reaches each the same way).

    Not ``asyncio.gather``, which raises the first failure and leaves the others running: the
    killer then went on SIGKILLing and restarting bots after the fleet was stopped, and citizens
    called the emulator through a client already closed, which opened an aiohttp session nobody
    closed ("Unclosed client session" at the end of the run).
    """
    tasks = [asyncio.ensure_future(item) for item in work]
    try:
        await asyncio.wait(tasks, return_when=asyncio.FIRST_EXCEPTION)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    for task in tasks:
        error = None if task.cancelled() else task.exception()
        if error is not None:
            raise error


async def run(config: CrashConfig) -> Figures:
    """One crash run; the figures say what happened, :meth:`Figures.problems` what went wrong."""
    with contextlib.ExitStack() as stack:
        if config.workdir is None:
            workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="aduan-crash-")))
        else:
            workdir = config.workdir
            workdir.mkdir(parents=True, exist_ok=True)
            if any(workdir.iterdir()):
                # An earlier run's database and logs would be taken for this run's.
                raise BenchError(f"--workdir {workdir} is not empty: give a new or empty folder")
        async with _database(config, workdir) as database_url:
            return await _run(config, database_url, workdir)
    raise AssertionError("unreachable")


async def _run(config: CrashConfig, database_url: str, workdir: Path) -> Figures:
    from bench import crash_wa

    if config.wa_citizens and config.engine != "sqlite":
        raise BenchError("WhatsApp citizens play in the SQLite shape only (--engine sqlite)")
    figures = Figures(config)
    sends = SendLog()
    emulator = Emulator(port=0)
    emulator.app.middlewares.append(sends.middleware())
    await emulator.start()
    fake = crash_wa.new_fake()
    await fake.start()
    started = time.monotonic()
    await migrate(database_url)
    clock = Clock(workdir / "clock-offset")
    env = _env(config, database_url, emulator, workdir)
    if config.wa_citizens:
        figures.wa = crash_wa.WaFigures(config.wa_citizens)
        env.update(crash_wa.whatsapp_env(fake, free_port()))
    fleet = Fleet(config, env, workdir)
    proxy = Proxy(fleet.ports) if fleet.ports else None
    rng = random.Random(config.seed)
    try:
        async with EmulatorClient(emulator.base_url, TOKEN) as telegram:
            # Telegram's limits: 30 a second overall (per chat and per group lifted, as above).
            await telegram.set_flood_limits(
                True,
                chat_per_second=1000,
                chat_burst=1000,
                group_per_minute=60_000,
                group_burst=1000,
            )
            fleet.start()
            await fleet.ready()
            if proxy is not None:
                await proxy.start()
                answer = await telegram.call(
                    "setWebhook",
                    url=f"http://127.0.0.1:{proxy.port}{WEBHOOK_PATH}",
                    secret_token=SECRET,
                )
                if not answer.get("ok"):
                    raise BenchError(f"setWebhook: {answer}")
            await _bind(telegram, database_url, config, clock.now())
            citizens = [Citizen(telegram, n, config) for n in range(config.citizens)]
            if figures.wa is not None:
                citizens += [
                    crash_wa.WaCitizen(telegram, fake, n, config, figures.wa)
                    for n in range(config.citizens, config.citizens + config.wa_citizens)
                ]
            gate = asyncio.Semaphore(config.concurrency)

            async def one(citizen: Citizen) -> None:
                async with gate:
                    await citizen.run()

            days_going = asyncio.Event()

            async def story() -> None:
                await together(*(one(c) for c in citizens))
                # Then the days go by, while the kills go on.
                days_going.set()
                for days in CLOCK_DAYS:
                    clock.days_on(days)
                    # Until the elected process's round (every second) has worked through the
                    # day's agenda, whatever the kills, then until it is all sent.
                    await _agenda_done(database_url, clock, config.step_timeout)
                    await _settled(telegram, database_url, config.step_timeout)

            async def killer() -> None:
                while figures.kills < config.kills:
                    if figures.kills == config.kills // 2:
                        await days_going.wait()  # the second half while the clock moves
                    await asyncio.sleep(rng.uniform(*config.kill_gap))
                    up = await fleet.up()
                    # Kill only while another worker is up (one process: whenever it is up), so
                    # that updates always have somewhere to go.
                    if len(up) < min(2, len(fleet.processes)):
                        continue
                    victim = rng.choice(up)
                    figures.kill_times.append(time.monotonic())
                    victim.kill()
                    fleet.start_one(victim)
                    figures.kills += 1
                    if rng.random() < config.fault_rate:
                        status = rng.choice([429, 502])
                        await telegram.fault(
                            status,
                            method="sendMessage",
                            count=1,
                            retry_after=1 if status == 429 else None,
                        )
                        figures.faults += 1

            async def both() -> None:
                await together(story(), killer())
                await fleet.ready()
                await _settled(telegram, database_url, config.step_timeout)

            await asyncio.wait_for(both(), config.timeout)
            figures.wall = time.monotonic() - started
            await _measure(figures, telegram, emulator, database_url, citizens, sends, fake)
            figures.busiest = sends.busiest_second()
            if proxy is not None:
                await telegram.call("deleteWebhook")
    finally:
        fleet.stop()
        if proxy is not None:
            await proxy.stop()
        await emulator.stop()
        await fake.stop()
    return figures


async def _measure(
    figures: Figures,
    telegram: EmulatorClient,
    emulator: Emulator,
    database_url: str,
    everyone: list[Citizen],
    sends: SendLog,
    fake: FakeWhatsApp,
) -> None:
    from bench import crash_wa

    engine = create_engine(database_url)
    try:
        async with UnitOfWork(session_factory(engine)) as uow:
            reports = list(await uow.session.scalars(select(Report)))
            every_update = list(
                await uow.session.scalars(select(InboxUpdate).order_by(InboxUpdate.id))
            )
            every_row = list(
                await uow.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
            )
            events = list(await uow.session.scalars(select(ReportEvent)))
            deliveries = list(await uow.session.scalars(select(WhatsAppDelivery)))
            held = list(await uow.session.scalars(select(WhatsAppHeld)))
    finally:
        await engine.dispose()
    # Telegram's checks below; WhatsApp's rows and citizens are checked by bench/crash_wa.py.
    inbox = [r for r in every_update if r.channel != "whatsapp"]
    outbox = [m for m in every_row if m.channel != "whatsapp"]
    citizens = [c for c in everyone if c.channel == "telegram"]
    wa_citizens = [c for c in everyone if isinstance(c, crash_wa.WaCitizen)]
    figures.reports = len(reports)
    figures.tracking_mismatch = sorted(r.tracking_no for r in reports) != sorted(
        c.tracking for c in everyone
    ) or len({r.citizen_id for r in reports}) != len(reports)
    figures.issued = emulator.bot_state(TOKEN).next_update_id - 1
    figures.stored = len(inbox)
    figures.inbox_gaps = [r.update_id for r in inbox] != list(range(1, figures.issued + 1))
    figures.handled = sum(1 for r in inbox if r.processed_at)
    figures.handling_errors = sum(1 for r in inbox if r.error)
    figures.committed = len(every_row)
    figures.sent = sum(1 for m in every_row if m.sent_at)
    figures.retried = sum(1 for m in every_row if m.attempts)
    figures.given_up = sum(1 for m in every_row if m.failed_at)

    # Each sent row is one message in its chat, under the id the bot recorded: a row sent twice
    # shows as a second message with the same text; a row never received, as a missing id.
    received: dict[str, list[dict[str, Any]]] = {}
    for chat_id in {m.chat_id for m in outbox}:
        received[chat_id] = await telegram.messages(int(chat_id))
    for m in outbox:
        ids = {int(x["message_id"]) for x in received[m.chat_id]}
        if m.sent_message_id is not None and m.sent_message_id not in ids:
            figures.never_received += 1
    recorded = {(m.chat_id, m.sent_message_id) for m in outbox if m.sent_message_id is not None}
    figures.unrecorded = sum(
        1
        for chat_id, messages in received.items()
        if not chat_id.startswith("-")
        for x in messages
        if (chat_id, int(x["message_id"])) not in recorded
    )
    # Two rows of the same text in a chat are not two sends; a person sees a doubled message
    # when the emulator holds more copies of a text than the outbox committed. A copy whose
    # send was answered just before a SIGKILL (within KILL_WINDOW) is the known case: Telegram
    # has no idempotent send, so a message answered but not yet recorded is sent again by the
    # next sender. Such copies are counted apart and left out of the checks below; any other
    # doubled message fails the run. Copies are told by the text they were sent with: a person
    # pressing a button on the newer copy edits it ("Apakah Anda setuju?" becomes the thanks),
    # and by the text it shows it would no longer be a copy, only one message too many.
    for chat_id, messages in received.items():
        committed = Counter(
            _shown(m.payload) for m in outbox if m.chat_id == chat_id and m.payload.get("text")
        )
        copies: dict[str, list[dict[str, Any]]] = {}
        for message in messages:
            text = sends.sent_text.get((chat_id, int(message["message_id"])), message.get("text"))
            if text in committed:
                copies.setdefault(str(text), []).append(message)
        dropped: set[int] = set()
        for text, found in copies.items():
            surplus = len(found) - committed[text]
            if surplus <= 0:
                continue
            figures.received_twice += surplus
            for message in found[:surplus]:  # the earlier copies are the ones sent before a kill
                answered = sends.answered.get((chat_id, int(message["message_id"])))
                if answered is not None and any(
                    -KILL_LATE_ANSWER <= k - answered <= KILL_WINDOW for k in figures.kill_times
                ):
                    figures.twice_after_kill += 1
                    dropped.add(int(message["message_id"]))
                elif answered is not None and figures.kill_times:
                    nearest = min(figures.kill_times, key=lambda k: abs(answered - k))
                    figures.unexplained.append(
                        f"chat {chat_id}: first copy answered {answered - nearest:+.1f} s "
                        "from the nearest kill"
                    )
        received[chat_id] = [m for m in messages if int(m["message_id"]) not in dropped]

    # No update handled twice: the citizens of one path got the same number of messages. The
    # "laporan serupa" offer is left out: whether a citizen sees it depends on whether a nearby
    # report was filed before they reached the location step, not on the bot handling anything
    # twice.
    def path_messages(citizen: Citizen) -> list[dict[str, Any]]:
        messages = received.get(str(citizen.user.id), [])
        return [m for m in messages if SIMILAR_OFFER not in str(m.get("text", ""))]

    by_path: dict[bool, Counter[int]] = {True: Counter(), False: Counter()}
    for citizen in citizens:
        by_path[citizen.finishes][len(path_messages(citizen))] += 1
    for finishes, counts in by_path.items():
        if len(counts) <= 1:
            continue
        path = "finished" if finishes else "waiting"
        figures.out_of_line.append(f"{path}: {dict(counts)}")
        # What an odd chat got that a usual one of its path did not (the start of each text).
        usual = counts.most_common(1)[0][0]
        peers = [c for c in citizens if c.finishes == finishes]
        chats = [path_messages(c) for c in peers]
        typical = next(m for m in chats if len(m) == usual)
        seen = Counter(_gist(m) for m in typical)
        for citizen, messages in zip(peers, chats, strict=True):
            if len(messages) != usual:
                got_here = Counter(_gist(m) for m in messages)
                extra, lacking = got_here - seen, seen - got_here
                figures.out_of_line.append(
                    f"citizen {citizen.n}: more {list(extra.elements())}, "
                    f"fewer {list(lacking.elements())}"
                )
    confirmations = [
        sum("Nomor laporan:" in str(x.get("text", "")) for x in received.get(str(c.user.id), []))
        for c in citizens
    ]
    figures.duplicates = sum(1 for n in confirmations if n != 1)
    if figures.wa is not None:
        received.update(
            crash_wa.measure(
                figures.wa,
                wa_citizens,
                fake,
                every_update,
                every_row,
                deliveries,
                held,
                figures.kill_times,
            )
        )

    # The clock's notices: each reminder reached the desa group, each escalation the
    # coordinator's group and each auto-close the citizen, once per event.
    number_of = {r.id: r.tracking_no for r in reports}
    citizen_of = {r.id: r.citizen_id for r in reports}
    chat_of_citizen = await _citizen_chats(database_url)
    owed: Counter[tuple[str, str, str]] = Counter()
    for event in events:
        number = number_of[event.report_id]
        if event.kind == EventKind.REMINDER:
            owed[(str(SEPASO_GROUP), REMINDER, number)] += 1
        elif event.kind == EventKind.ESCALATED:
            owed[(str(COORDINATOR_GROUP), ESCALATION, number)] += 1
        elif event.kind == EventKind.AUTO_CLOSED:
            owed[(chat_of_citizen[citizen_of[event.report_id]], AUTO_CLOSED, number)] += 1
    # A unit's reminders (and the coordinator's escalations) of one day are one message that
    # names as many reports as fit a phone screen and counts the rest ("… dan N lainnya."): a
    # report left unnamed is still told, once, in that count.
    got: Counter[tuple[str, str, str]] = Counter()
    unnamed: Counter[tuple[str, str]] = Counter()
    for chat_id, messages in received.items():
        for message in messages:
            text = str(message.get("text", ""))
            for mark in (REMINDER, ESCALATION, AUTO_CLOSED):
                if mark in text:
                    for number in set(NUMBER.findall(text)) & set(number_of.values()):
                        got[(chat_id, mark, number)] += 1
                    unnamed[(chat_id, mark)] += sum(int(n) for n in MORE.findall(text))
    figures.notices_owed = sum(owed.values())
    figures.notices_sent = sum(min(n, got[key]) for key, n in owed.items())
    for key in owed.keys() | got.keys():
        if got[key] > owed[key]:
            figures.notices_wrong.append(f"{key}: owed {owed[key]}, got {got[key]}")
    for chat_id, mark in {(chat, mark) for chat, mark, _ in owed} | set(unnamed):
        owed_here = sum(n for (c, m, _), n in owed.items() if (c, m) == (chat_id, mark))
        named = sum(n for (c, m, _), n in got.items() if (c, m) == (chat_id, mark))
        if named + unnamed[(chat_id, mark)] != owed_here:
            figures.notices_wrong.append(
                f"{chat_id} {mark}: owed {owed_here}, named {named}, counted as more "
                f"{unnamed[(chat_id, mark)]}"
            )
        figures.notices_sent += min(unnamed[(chat_id, mark)], max(0, owed_here - named))


def _shown(payload: dict[str, Any]) -> str:
    """The text a person sees of a committed message: an HTML one without its tags (as the
    emulator keeps it), so its copies are counted too."""
    text = str(payload.get("text") or "")
    return render_text(text, "HTML" if payload.get("html") else None)[0]


def _gist(message: dict[str, Any]) -> str:
    """A message's first words, with the report's number left out."""
    text = str(message.get("text") or message.get("caption") or "")
    return NUMBER.sub("#", text)[:50]


async def _citizen_chats(database_url: str) -> dict[int | None, str]:
    from storage.models import Citizen as CitizenRow

    engine = create_engine(database_url)
    try:
        async with UnitOfWork(session_factory(engine)) as uow:
            rows = await uow.session.scalars(select(CitizenRow))
            return {row.id: str(row.chat_id) for row in rows}
    finally:
        await engine.dispose()


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bench crash",
        description="Reports filed and handled while the bot is SIGKILLed at random moments.",
    )
    parser.add_argument("--citizens", type=int, default=1000)
    parser.add_argument("--kills", type=int, default=100)
    parser.add_argument(
        "--wa-citizens",
        type=int,
        help="citizens on WhatsApp besides, SQLite only (default: a tenth of --citizens, "
        "at least 2, with --engine sqlite; none with PostgreSQL)",
    )
    parser.add_argument("--engine", choices=["postgresql", "sqlite"], default="postgresql")
    parser.add_argument("--postgres", default="", help="PostgreSQL server (TEST_POSTGRES_URL)")
    parser.add_argument("--framework", choices=["aiogram", "ptb"], default="aiogram")
    parser.add_argument("--concurrency", type=int, default=60, help="citizens filing at once")
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument(
        "--kill-gap",
        type=float,
        nargs=2,
        metavar=("MIN", "MAX"),
        help="random pause between two kills, in seconds (1 4 for webhook workers, "
        "8 20 for the one SQLite process, which must start again after each)",
    )
    parser.add_argument("--workdir", type=Path, help="keep the processes' logs here")
    return parser


def main(argv: list[str]) -> int:
    import os

    args = _parser().parse_args(argv)
    config = CrashConfig(
        citizens=args.citizens,
        kills=args.kills,
        engine=args.engine,
        postgres=args.postgres or os.environ.get("TEST_POSTGRES_URL", ""),
        framework=args.framework,
        concurrency=args.concurrency,
        seed=args.seed,
        workdir=args.workdir,
    )
    if args.wa_citizens is not None:
        config.wa_citizens = args.wa_citizens
    elif config.engine == "sqlite":
        config.wa_citizens = max(2, config.citizens // 10)
    if args.kill_gap is not None:
        config.kill_gap = (args.kill_gap[0], args.kill_gap[1])
    elif config.engine == "sqlite":
        config.kill_gap = SQLITE_KILL_GAP
    try:
        figures = asyncio.run(run(config))
    except BenchError as error:
        print(f"CRASH SUITE FAILED: {error}", file=sys.stderr)
        return 1
    for line in figures.lines():
        print(line)
    problems = figures.problems()
    for problem in problems:
        print(f"PROBLEM: {problem}", file=sys.stderr)
    return 1 if problems else 0
