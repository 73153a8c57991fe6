"""The sandbox's engine room: the loopback emulator, the real bot and the demo groups.

One :class:`Sandbox` owns an :class:`~emulator.Emulator`, the bot built by
:func:`runtime.bootstrap.build_app` (SQLite and media in the sandbox's data folder, the clock a
:class:`~runtime.clock.TravellingClock`) and an :class:`~emulator.EmulatorClient` that plays the
people. It never talks to the bot except through the emulator, as Telegram would carry it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from pydantic import SecretStr

from core.calendar import WorkingCalendar
from emulator import Emulator, EmulatorClient
from emulator.chat import ChatView
from locales import Catalogs, Translator
from runtime.bootstrap import App, build_app
from runtime.clock import TravellingClock
from runtime.settings import Settings
from storage.models import MonthlySummaryRun
from storage.unit_registry import issue_binding_code
from web.console.summary_pdf import month_renderer
from web.from_settings import console_config
from web.sandbox.cast import PANES, Pane
from web.sandbox.wa_chat import SandboxWhatsApp

log = logging.getLogger(__name__)

#: The sandbox bot's token: the emulator accepts any well-formed one; this one reaches nobody.
SANDBOX_TOKEN = "777000:SANDBOX-kanal-aduan"
#: Advancing the clock lands on this local time of the next working day (or the morning time,
#: if that is later), so the day's reminders, escalations and digests are due.
WORKDAY_MORNING = time(8, 0)
DATABASE_FILE = "sandbox.db"
MEDIA_FOLDER = "media"


@dataclass(frozen=True)
class DayRound:
    """One working day the clock was moved to, and what the bot's clock sent that morning."""

    day: date
    counts: dict[str, int]


def sandbox_settings(
    base: Settings,
    data_dir: Path,
    api_url: str,
    console_url: str = "",
    whatsapp: SandboxWhatsApp | None = None,
) -> Settings:
    """``base`` (region, calendar, deadlines …) pointed at the emulator and the data folder, and
    at the sandbox's console (``console_url``, where it listens) for the links /dasbor sends.

    The outbox's pacing is lifted: it protects a real bot from Telegram's flood limits, and the
    emulator enforces none, so a trainee sees answers at once. With ``whatsapp`` (the fake Graph
    API), the bot serves WhatsApp's webhook on a free loopback port, paced as little as the fake.
    """
    console = {"console_public_url": console_url} if console_url else {}
    return base.model_copy(
        update={
            **console,
            **(_whatsapp_settings(whatsapp) if whatsapp is not None else {}),
            "bot_token": SecretStr(SANDBOX_TOKEN),
            "telegram_api_url": api_url,
            "database_url": f"sqlite+aiosqlite:///{data_dir / DATABASE_FILE}",
            "media_dir": data_dir / MEDIA_FOLDER,
            "run_jobs": True,
            "polling_timeout": 1,
            "outbox_chat_per_second": 0.0,
            "outbox_group_per_minute": 0.0,
        }
    )


def _whatsapp_settings(fake: SandboxWhatsApp) -> dict[str, object]:
    return {
        "whatsapp_phone_number_id": fake.phone_number_id,
        "whatsapp_access_token": SecretStr(fake.access_token),
        "whatsapp_app_secret": SecretStr(fake.app_secret),
        "whatsapp_verify_token": SecretStr("sandbox-verify"),
        "whatsapp_listen": "127.0.0.1:0",
        "whatsapp_api_url": fake.base_url,
        "whatsapp_pair_seconds": 0.001,
        "whatsapp_pair_burst": 1000.0,
    }


class Sandbox:
    """Start, reset and time-travel the whole bot on one machine."""

    def __init__(
        self,
        settings: Settings,
        data_dir: Path,
        *,
        start: datetime | None = None,
        emulator_port: int = 0,
        console_url: str = "",
    ) -> None:
        self.base_settings = settings
        #: Where the sandbox's console listens ("" without one): /dasbor's links point there.
        self.console_url = console_url
        self.data_dir = data_dir
        self.timezone = ZoneInfo(settings.timezone)
        holidays = [date.fromisoformat(d) for d in settings.local_holiday_dates()]
        self.calendar = WorkingCalendar(extra_holidays=holidays)
        self.catalogs = Catalogs(settings.default_language)
        self.clock = TravellingClock()
        # Messages carry the sandbox's time, as a chat shows it, even after the clock moved.
        self.emulator = Emulator(port=emulator_port, clock=lambda: self.clock().timestamp())
        #: The fake Graph API Wati's WhatsApp chat goes through (web.sandbox.wa_chat).
        self.whatsapp = SandboxWhatsApp(stamp=lambda: self.clock().timestamp())
        #: Held while the bot is rebuilt or a scenario is played; the page waits for it.
        self.lock = asyncio.Lock()
        self._start = start
        self._telegram: EmulatorClient | None = None
        self._app: App | None = None
        self._task: asyncio.Task[None] | None = None
        self._restarting = False
        #: Set once the first start has finished: the page's API waits for it (see server).
        self.ready = asyncio.Event()
        #: The language of every chat of the sandbox, as the page last chose it.
        self.language: str = settings.default_language

    # --- lifecycle ---------------------------------------------------------------------------
    @property
    def telegram(self) -> EmulatorClient:
        if self._telegram is None:
            raise RuntimeError("the sandbox is not started")
        return self._telegram

    @property
    def app(self) -> App:
        if self._app is None:
            raise RuntimeError("the sandbox's bot is not running")
        return self._app

    @property
    def settings(self) -> Settings:
        """The bot's settings: the sandbox's, and the page's language as the bot's default, so
        the groups bound at each start are registered and guided in it."""
        settings = sandbox_settings(
            self.base_settings,
            self.data_dir,
            self.emulator.base_url,
            self.console_url,
            self.whatsapp,
        )
        return settings.model_copy(update={"default_language": self.language})

    def t(self, key: str, language: str | None = None, **values: object) -> str:
        return self.translator(language).t(key, **values)

    def translator(self, language: str | None = None) -> Translator:
        return self.catalogs.get(language)

    async def start(self) -> None:
        """Start empty: the emulator keeps its chats in memory only, so a database kept from an
        earlier run would point at messages that no longer exist."""
        # Under the lock: the page may already answer, and a reset or a scenario pressed now
        # must wait for the first start instead of migrating the same database beside it.
        async with self.lock:
            await self.emulator.start()
            await self.whatsapp.start()
            self._telegram = EmulatorClient(self.emulator.base_url, SANDBOX_TOKEN)
            self._wipe_data()
            await self._boot()
        self.ready.set()

    async def stop(self) -> None:
        await self._stop_bot()
        if self._telegram is not None:
            await self._telegram.close()
        await self.emulator.stop()
        await self.whatsapp.stop()

    async def wait(self) -> None:
        """Until the bot stops on its own (Ctrl+C or SIGTERM reach it first), not by a reset."""
        while True:
            task = self._task
            if task is not None:
                await asyncio.wait([task])
            if not self._restarting and task is self._task:
                return
            await asyncio.sleep(0.05)

    async def reset(self) -> None:
        """Back to a fresh sandbox: no reports, no chats but the demo groups, the clock at now."""
        self._restarting = True
        try:
            await self._stop_bot()
            await self.telegram.reset()
            self.whatsapp.clear()
            self._wipe_data()
            await self._boot()
        finally:
            self._restarting = False

    async def _boot(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.clock.set(self._start or datetime.now(UTC))
        settings = self.settings
        # The monthly summary as `aduan run` draws it (the console's page, runtime.monthly).
        monthly = month_renderer(console_config(settings))
        app = await build_app(settings, clock=self.clock, monthly=monthly)
        await self._summarised_before_start(app)
        self._app = app
        if app.webhook is not None:  # WhatsApp's webhook: its port, for the fake to post to
            await app.webhook.start()
            path = self.settings.whatsapp_webhook_path
            self.whatsapp.webhook_url = f"http://127.0.0.1:{app.webhook.port}{path}"
        self._task = asyncio.create_task(app.run(), name="sandbox-bot")
        for group in (p for p in PANES if p.is_group):
            await self._open_group(group)
        # The groups were bound in the page's language (the bot's default here); the citizens'
        # chats, kept from before a reset in the database no more, follow it the same way.
        await self.speak(self.language)

    async def _summarised_before_start(self, app: App) -> None:
        """A fresh sandbox has no history: the month before its start counts as summarised, so
        only a month the clock is advanced into brings the coordinator's pane a summary (not an
        empty page at every start or reset)."""
        before = (self.now().date().replace(day=1) - timedelta(days=1)).strftime("%Y-%m")
        async with app.uow_factory() as uow:
            uow.session.add(MonthlySummaryRun(month=before, created_at=self.clock()))
            await uow.commit()

    async def _stop_bot(self) -> None:
        if self._app is not None:
            self._app.stop()
        if self._task is not None:
            with contextlib.suppress(Exception):
                await self._task
        self._app = None

    def _wipe_data(self) -> None:
        database = self.data_dir / DATABASE_FILE
        for suffix in ("", "-wal", "-shm", "-journal"):
            database.with_name(database.name + suffix).unlink(missing_ok=True)
        shutil.rmtree(self.data_dir / MEDIA_FOLDER, ignore_errors=True)

    # --- the demo groups -----------------------------------------------------------------------
    async def _open_group(self, group: Pane) -> None:
        """Create the group with its officer as admin and bind it with ``/daftar CODE``, as the
        unit's admin would after getting a code from ``aduan units code``."""
        await self.telegram.register_chat(
            group.chat_id, group.chat_type, group.title, admins=[group.user.id]
        )
        code, unit_name = await self._binding_code(group)
        view = ChatView(self.telegram, group.user, group.chat_id)
        expected = self.t("group.bound", self.language, unit=unit_name)
        await view.send(f"/daftar {code}", expected)
        # The officer has a private chat with the bot too (as after pressing Start there), where
        # /dasbor sends the console's login link; the page shows it (web.sandbox.private).
        officer = group.user
        await self.telegram.register_chat(officer.id, "private", user=officer.as_json())

    async def _binding_code(self, group: Pane) -> tuple[str, str]:
        async with self.app.uow_factory() as uow:
            if group.unit_area is not None:
                unit = await uow.units.by_area(group.unit_area)
            else:
                unit = await uow.units.by_code(str(group.unit_code))
            if unit is None:
                raise LookupError(f"no unit for the pane {group.key}")
            code = await issue_binding_code(uow, unit.id, now=self.clock())
            await uow.commit()
            return code, unit.name

    # --- the chats' language ---------------------------------------------------------------
    async def set_language(self, language: str) -> None:
        """Every chat of the sandbox speaks ``language`` from now on (see :meth:`speak`)."""
        self.language = language
        await self.speak(language)

    async def speak(self, language: str, panes: Sequence[Pane] = PANES) -> None:
        """Set the bot's own language of each pane's chat, as if its person had pressed 🌐: the
        chat's conversation and the citizen (the bot's ``/bahasa``), or the group's binding
        (the language its cards and notices are written in). Screens already sent stay as
        they are, as in Telegram; the next one is in ``language``."""
        now = self.clock()
        async with self.app.uow_factory() as uow:
            for item in panes:
                channel = "whatsapp" if item.on_whatsapp else self.app.channel.name
                chat_id = str(item.chat_id)
                conversation = await uow.conversations.get_or_create(
                    channel, chat_id, language=language, now=now
                )
                conversation.language = language
                if item.is_group:
                    bound = await uow.units.chat(channel, chat_id)
                    if bound is not None:
                        bound.language = language
                else:
                    citizen = await uow.citizens.get(channel, str(item.user.id))
                    if citizen is not None:
                        citizen.language = language
            await uow.commit()

    # --- the clock ---------------------------------------------------------------------------
    def now(self) -> datetime:
        """The sandbox's moment in local time (WITA by default)."""
        return self.clock().astimezone(self.timezone)

    def next_working_day(self, after: date) -> date:
        day = after + timedelta(days=1)
        while not self.calendar.is_working_day(day):
            day += timedelta(days=1)
        return day

    async def settle(self, timeout: float = 15.0) -> None:
        """Wait until the bot has done everything it was given: no update left unconfirmed in the
        emulator (so each is in the inbox), none unhandled, no message waiting in the outbox."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while not await self._settled():
            if loop.time() >= deadline:
                raise TimeoutError(f"the sandbox's bot did not settle within {timeout}s")
            await asyncio.sleep(0.05)

    async def _settled(self) -> bool:
        if (await self.telegram.stats())["updates_pending"]:
            return False
        async with self.app.uow_factory() as uow:
            unhandled = await uow.inbox.pending(limit=1)
            return not unhandled and await uow.outbox.pending_count() == 0

    async def advance(self, working_days: int = 1) -> list[DayRound]:
        """Move to the morning of each of the next ``working_days`` working days in turn and run
        the bot's clock there, so every day's reminders, escalations and digests go out (and are
        sent, stamped with that morning, before the next day)."""
        if working_days < 1:
            raise ValueError("advance by at least one working day")
        jobs = self.app.jobs
        if jobs is None:  # pragma: no cover - sandbox settings always run the jobs
            raise RuntimeError("the sandbox's bot runs without its clock")
        morning = max(WORKDAY_MORNING, self.base_settings.morning_time)
        rounds = []
        for _ in range(working_days):
            day = self.next_working_day(self.now().date())
            self.clock.set(datetime.combine(day, morning, self.timezone))
            done = await jobs.run_due()
            rounds.append(DayRound(day, dict(done.counts)))
            # The day's messages go out on that day, before the clock moves to the next one.
            await self.settle()
        return rounds
