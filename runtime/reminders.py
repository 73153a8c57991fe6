"""The reminder engine's scheduler (pengingat): APScheduler's ``AsyncIOScheduler`` in the
bot's event loop.

The scheduler only says *when* to look; :func:`handlers.reminders.run_reminders` reads from the
database what is owed and records what it sent, so a missed, doubled or late trigger changes
nothing. The job runs once on start (catching up whatever fell due while the bot was down) and
then every ``interval`` seconds. Only one process of a deployment runs it (``RUN_JOBS``).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import UTC, datetime

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from cases.reminders import ReminderRound, UowFactory
from cases.retention import RetentionPolicy, run_retention
from handlers.deps import HandlerDeps
from handlers.reminders import run_reminders
from runtime.monthly import MonthlySummaries
from storage.outbox_retention import prune_sent

log = logging.getLogger(__name__)

JOB_ID = "aduan-reminders"


class ReminderJobs:
    """Runs the reminder engine's round now (:meth:`run_due`) or on a schedule (:meth:`start`)."""

    def __init__(
        self,
        uow_factory: UowFactory,
        deps: HandlerDeps,
        *,
        interval: float,
        on_commit: Callable[[], None] = lambda: None,
        on_round: Callable[[str], None] = lambda _outcome: None,
        retention: RetentionPolicy | None = None,
        monthly: MonthlySummaries | None = None,
    ) -> None:
        self._uow_factory = uow_factory
        self._deps = deps
        self._interval = interval
        self._on_commit = on_commit
        self._on_round = on_round  # metrics: "done" or "failed" (runtime.metrics.ROUND_OUTCOMES)
        self._lock = asyncio.Lock()
        self._retention = retention
        self._monthly = monthly
        self._retained_on: str = ""  # the local day of this process's last retention round
        self._scheduler: AsyncIOScheduler | None = None

    async def run_due(self) -> ReminderRound:
        """One round at the clock's now; rounds never overlap within this process."""
        async with self._lock:
            try:
                done = await run_reminders(self._uow_factory, self._deps)
            except Exception:
                self._on_round("failed")
                raise
            await self._prune()
            await self._retain()
            await self._summarise()
        self._on_round("done")
        if done.counts:
            self._on_commit()
        return done

    async def _prune(self) -> None:
        """The outbox forgets old texts (storage.outbox_retention); a failure waits a round."""
        try:
            pruned = await prune_sent(
                self._uow_factory,
                now=self._deps.clock(),
                days=self._deps.config.outbox_retention_days,
            )
        except Exception as error:
            log.error("outbox prune failed: %s", type(error).__name__)
            return
        if pruned:
            log.info("outbox: the texts of %d settled messages dropped", pruned)

    async def _retain(self) -> None:
        """The retention round (cases.retention), once a local day per process; it is idempotent,
        so another process's round or a repeat after a crash removes nothing twice. A failure
        waits for the next round."""
        if self._retention is None:
            return
        now = self._deps.clock()
        today = now.astimezone(self._deps.config.timezone).date().isoformat()
        if today == self._retained_on:
            return
        try:
            await run_retention(self._uow_factory, self._retention, now)
        except Exception as error:
            log.error("retention round failed: %s", type(error).__name__)
            return
        self._retained_on = today

    async def _summarise(self) -> None:
        """The monthly summary to the coordinator's groups and each kecamatan's (runtime.monthly);
        queued once a month (its own tables), a failure waits for the next round."""
        if self._monthly is None:
            return
        try:
            now = self._deps.clock()
            coordinator = await self._monthly.run(now)
            areas = await self._monthly.run_areas(now)
            if coordinator or areas:
                self._on_commit()
        except Exception as error:
            log.error("monthly summary failed: %s", type(error).__name__)

    async def _scheduled(self) -> None:
        try:
            await self.run_due()
        except Exception as error:  # the next round tries again; the database state is intact
            # Only the type: a database error's text can carry a report's contents.
            log.error("reminder round failed: %s", type(error).__name__)

    def start(self) -> None:
        """Schedule the round in the running event loop: now, then every ``interval`` seconds."""
        scheduler = AsyncIOScheduler(timezone=UTC, event_loop=asyncio.get_running_loop())
        scheduler.add_job(
            self._scheduled,
            "interval",
            seconds=self._interval,
            id=JOB_ID,
            next_run_time=datetime.now(UTC),
            coalesce=True,
            max_instances=1,
            misfire_grace_time=None,
        )
        scheduler.start()
        self._scheduler = scheduler

    async def stop(self, grace: float = 10.0) -> None:
        """No new rounds; a round under way may finish its transaction (up to ``grace`` s)."""
        if self._scheduler is not None and self._scheduler.running:
            self._scheduler.shutdown(wait=False)
        self._scheduler = None
        try:
            async with asyncio.timeout(grace):
                async with self._lock:
                    pass
        except TimeoutError:
            log.warning("reminder round still running at stop; it resumes on the next start")
