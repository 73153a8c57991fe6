"""Build the whole runtime once from settings; nothing connects at import time."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.channels.base import Channel, UpdateHandler
from bot.chat_admins import TelegramChatAdmins
from bot.commands import publish_commands
from bot.evidence import ChannelFileFetcher
from bot.uploads import UploadResolver
from handlers.app import Conversations
from handlers.reporter_actions import undeliverable_handler
from handlers.whatsapp_delivery import failure_handler
from locales import Catalogs
from runtime.clock import Clock, system_clock
from runtime.console_watch import ConsoleWatch
from runtime.deps import handler_deps, make_channel, retention_policy, seed_if_empty
from runtime.inbox import InboxProcessor
from runtime.inbox_rows import UowFactory
from runtime.leader import (
    REMINDERS,
    SENDER,
    Duties,
    Duty,
    Leadership,
    ReminderDuty,
    SharedSqliteError,
    WorkerDuty,
    process_name,
    refuse_second_sqlite_process,
)
from runtime.media import MediaWorker
from runtime.metrics import Metrics
from runtime.monitor_access import parse_allow
from runtime.monthly import MonthlySummaries, MonthRender
from runtime.outbox import OutboxWorker
from runtime.reminders import ReminderJobs
from runtime.settings import Settings
from runtime.wakeups import OutboxWakeups, asyncpg_connect
from runtime.webhook import WebhookServer, parse_listen
from runtime.whatsapp import (
    make_whatsapp_channel,
    whatsapp_overall,
    whatsapp_pacing,
    whatsapp_routes,
)
from runtime.whatsapp_status import sent_recorder, status_store
from storage.db import create_engine, migrate, migration_head, schema_problem, session_factory
from storage.uow import UnitOfWork

if TYPE_CHECKING:
    from aiohttp import web

log = logging.getLogger(__name__)

#: How long a graceful stop waits for the current transaction or send before cancelling.
STOP_GRACE_SECONDS = 10.0


@dataclass
class App:
    """The running bot: polling → inbox → conversations → outbox → Telegram, plus media."""

    engine: AsyncEngine
    uow_factory: UowFactory
    channel: Channel
    inbox: InboxProcessor
    outbox: OutboxWorker
    media: MediaWorker
    catalogs: Catalogs
    jobs: ReminderJobs | None = None
    #: The sender (outbox) and the clock's jobs run on one process of a deployment each.
    sender: Leadership | None = None
    reminder_leader: Leadership | None = None
    #: Webhook mode (WEBHOOK_LISTEN): updates arrive over HTTP instead of long polling.
    webhook: WebhookServer | None = None
    metrics: Metrics | None = None
    #: Wakes the inbox when the console queued a request.
    console_watch: ConsoleWatch | None = None
    #: Citizens on WhatsApp (WHATSAPP_PHONE_NUMBER_ID set): the Cloud API's sends and downloads.
    whatsapp: Channel | None = None
    _stop: asyncio.Event = field(default_factory=asyncio.Event)

    def stop(self) -> None:
        """Ask :meth:`run` to finish; safe to call from a signal handler or a test."""
        self._stop.set()

    async def run(self) -> None:
        """Run until :meth:`stop`, SIGTERM or SIGINT; a crashed part stops the rest, then raises."""
        self._install_signal_handlers()
        await publish_commands(self.channel, self.catalogs)
        tasks = {
            "polling": _task(self._receive(), "polling"),
            "inbox": _task(self.inbox.run(), "inbox"),
            "outbox": _task(self._send(), "outbox"),
            "media": _task(self.media.run(), "media"),
        }
        if self.console_watch is not None:
            tasks["console"] = _task(self.console_watch.run(), "console")
        if self.reminder_leader is not None:
            tasks["reminders"] = _task(self.reminder_leader.run(), "reminders")
        elif self.jobs is not None:
            self.jobs.start()
        stop_wait = asyncio.ensure_future(self._stop.wait())
        try:
            await asyncio.wait([stop_wait, *tasks.values()], return_when=asyncio.FIRST_COMPLETED)
        finally:
            stop_wait.cancel()
            await self._shutdown(tasks)
        _raise_first_failure(tasks)

    async def _receive(self) -> None:
        if self.webhook is not None and self.webhook.telegram:
            await self.webhook.serve()
        elif self.webhook is not None:  # Telegram polled, WhatsApp's webhook served beside it
            await asyncio.gather(
                self.webhook.serve(), self.channel.start_polling(self._on_update, self._on_updates)
            )
        else:
            await self.channel.start_polling(self._on_update, self._on_updates)

    async def _send(self) -> None:
        """The outbox's sender, on this process only while it holds the sender's lease."""
        if self.sender is None:
            await self.outbox.run()
        else:
            await self.sender.run()

    async def _on_update(self, update: dict[str, Any]) -> None:
        added = await self.inbox.on_update(self.channel.name, update)
        if added and self.metrics is not None:
            self.metrics.updates_received.inc()

    async def _on_updates(self, updates: list[dict[str, Any]]) -> None:
        added = await self.inbox.on_updates(self.channel.name, updates)
        if added and self.metrics is not None:
            self.metrics.updates_received.inc(added)

    async def _shutdown(self, tasks: dict[str, asyncio.Task[None]]) -> None:
        # Order matters: stop taking updates, finish the current transaction, then the sends.
        if self.webhook is not None:
            await self.webhook.stop()
        await self.channel.stop()
        if self.console_watch is not None:
            self.console_watch.stop()
            await _finish(tasks["console"])
        self.inbox.stop()
        await _finish(tasks["polling"], tasks["inbox"])
        if self.reminder_leader is not None:
            self.reminder_leader.stop()  # it hands the jobs over (a round may finish) and releases
            await _finish(tasks["reminders"])
        elif self.jobs is not None:
            await self.jobs.stop(STOP_GRACE_SECONDS)
        if self.sender is not None:
            self.sender.stop()
        self.outbox.stop()
        self.media.stop()
        await _finish(tasks["outbox"], tasks["media"])
        await self.channel.close()
        if self.whatsapp is not None:
            await self.whatsapp.close()
        await self.engine.dispose()
        self._remove_signal_handlers()

    def _install_signal_handlers(self) -> None:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            # Not available on Windows or outside the main thread; Ctrl+C then raises instead.
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                loop.add_signal_handler(sig, self.stop)

    def _remove_signal_handlers(self) -> None:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                loop.remove_signal_handler(sig)


def _task(coro: Coroutine[Any, Any, None], name: str) -> asyncio.Task[None]:
    return asyncio.create_task(coro, name=f"aduan-{name}")


async def _finish(*tasks: asyncio.Task[None]) -> None:
    """Let tasks end on their own; cancel whatever is still running after the grace period."""
    _, pending = await asyncio.wait(tasks, timeout=STOP_GRACE_SECONDS)
    for task in pending:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)


def _raise_first_failure(tasks: dict[str, asyncio.Task[None]]) -> None:
    for name, task in tasks.items():
        if task.cancelled():
            continue
        error = task.exception()
        if error is not None:
            log.error("%s stopped with %s", name, type(error).__name__)
            raise error


async def build_app(
    settings: Settings, *, clock: Clock = system_clock, monthly: MonthRender | None = None
) -> App:
    """Migrate the database and wire every part; raises ValueError without a bot token.
    ``monthly`` draws the monthly summary for the coordinator's group (the console's,
    ``web.console.summary_pdf.month_renderer``; passed in as the runtime never imports the web);
    without it, or with ``MONTHLY_SUMMARY_ENABLED=false``, no monthly summary is sent."""
    if settings.bot_token is None:
        raise ValueError("BOT_TOKEN is not set")
    token = settings.bot_token.get_secret_value()
    await migrate(settings.database_url)
    engine = create_engine(settings.database_url)
    sessions = session_factory(engine)

    def uow_factory() -> UnitOfWork:
        return UnitOfWork(sessions)

    if engine.dialect.name == "sqlite":
        try:
            await refuse_second_sqlite_process(uow_factory)
        except SharedSqliteError:
            await engine.dispose()
            raise
    catalogs = Catalogs(settings.default_language)
    channel = make_channel(settings, token)
    channels = {channel.name: channel}
    whatsapp = make_whatsapp_channel(settings, catalogs, uow_factory, clock)
    if whatsapp is not None:
        channels[whatsapp.name] = whatsapp
    deps = handler_deps(
        settings,
        token,
        catalogs,
        clock,
        TelegramChatAdmins(channels),
        ChannelFileFetcher(channels, settings.media_dir),
    )
    if settings.seed_units_on_start:
        await seed_if_empty(uow_factory, deps)
    conversations = Conversations(deps)
    failures = failure_handler(deps)  # a WhatsApp message failed on its way
    leaders: dict[str, Callable[[], bool]] = {}  # filled once the elections are set up
    metrics = Metrics(uow_factory, leaders)
    outbox = OutboxWorker(
        uow_factory=uow_factory,
        channels=channels,
        clock=clock,
        per_second=settings.outbox_rate_per_second,
        chat_per_second=settings.outbox_chat_per_second,
        group_per_minute=settings.outbox_group_per_minute,
        burst=settings.outbox_burst,
        chat_burst=settings.outbox_chat_burst,
        group_burst=settings.outbox_group_burst,
        on_undeliverable=undeliverable_handler(deps),
        on_sent=sent_recorder(failures),
        on_result=metrics.send_result,
        uploads=UploadResolver(settings.media_dir),
        channel_chat=whatsapp_pacing(settings),
        channel_overall=whatsapp_overall(settings),
    )
    media = MediaWorker(
        uow_factory=uow_factory,
        channel=channel,
        media_dir=settings.media_dir,
        others={name: c for name, c in channels.items() if c is not channel},
    )
    inbox = InboxProcessor(
        uow_factory=uow_factory,
        conversations=conversations,
        catalogs=catalogs,
        clock=clock,
        album_wait=timedelta(seconds=settings.album_wait_seconds),
        on_commit=outbox.wake,
        on_outcome=metrics.update_handled,
    )
    jobs = None
    if settings.run_jobs:
        jobs = ReminderJobs(
            uow_factory,
            deps,
            interval=settings.jobs_interval_seconds,
            on_commit=outbox.wake,
            on_round=metrics.clock_round,
            retention=retention_policy(settings),
            monthly=MonthlySummaries(uow_factory, deps, monthly)
            if monthly and settings.monthly_summary_enabled
            else None,
        )
    sender, reminder_leader = leaderships(settings, engine, uow_factory, outbox, jobs)
    app = App(
        engine, uow_factory, channel, inbox, outbox, media, catalogs, jobs, sender, reminder_leader
    )
    leaders["sender"] = lambda: sender.leading
    if reminder_leader is not None:
        leaders["reminders"] = lambda: reminder_leader.leading
    app.metrics = metrics
    app.console_watch = ConsoleWatch(
        uow_factory, inbox.wake, poll_seconds=settings.console_poll_seconds
    )
    app.whatsapp = whatsapp
    statuses = status_store(uow_factory, clock, failures, outbox.wake)
    routes = whatsapp_routes(settings, inbox, uow_factory, clock, statuses)
    app.webhook = webhook_server(settings, engine, app._on_update, app.metrics, routes)
    return app


def webhook_server(
    settings: Settings,
    engine: AsyncEngine,
    on_update: UpdateHandler,
    metrics: Metrics,
    routes: Sequence[Callable[[web.Application], None]] = (),
) -> WebhookServer | None:
    """The listener of webhook mode, or None for long polling (settings checked at start); with
    ``routes`` (WhatsApp's webhook) and Telegram polled, a listener on WHATSAPP_LISTEN."""
    listen = settings.webhook_listen or (settings.whatsapp_listen if routes else "")
    if not listen:
        return None
    secret = settings.webhook_secret.get_secret_value() if settings.webhook_secret else ""
    head = migration_head()

    async def ready() -> str | None:
        return await schema_problem(engine, head)

    return WebhookServer(
        listen=parse_listen(listen),
        path=settings.webhook_path,
        secret=secret,
        on_update=on_update,
        ready=ready,
        metrics=metrics.render,
        monitor_allow=parse_allow(settings.metrics_allow),
        telegram=bool(settings.webhook_listen),
        routes=routes,
    )


def leaderships(
    settings: Settings,
    engine: AsyncEngine,
    uow_factory: UowFactory,
    outbox: OutboxWorker,
    jobs: ReminderJobs | None,
) -> tuple[Leadership, Leadership | None]:
    """The sender's and the clock's elections (see runtime.leader).

    SQLite is used by one process only, so there the lease is simply taken: a process restarted
    after a crash need not wait for its predecessor's lease to expire.
    """
    holder = process_name()
    period = timedelta(seconds=settings.leader_lease_seconds)
    take_over = engine.dialect.name == "sqlite"

    def elect(name: str, duty: Duty) -> Leadership:
        return Leadership(
            name=name,
            duty=duty,
            uow_factory=uow_factory,
            holder=holder,
            period=period,
            take_over=take_over,
        )

    duty: Duty = WorkerDuty(outbox, "outbox")
    if engine.dialect.name == "postgresql":
        # Replies committed by the other processes wake the sender at once (runtime.wakeups).
        duty = Duties(duty, OutboxWakeups(asyncpg_connect(engine), outbox.wake))
    sender = elect(SENDER, duty)
    # No send starts unless the lease surely holds for a while yet (runtime.leader.Leadership).
    outbox.may_send = sender.may_act
    clock = None if jobs is None else elect(REMINDERS, ReminderDuty(jobs, STOP_GRACE_SECONDS))
    return sender, clock
