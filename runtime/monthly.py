"""The monthly summary to the leadership: on the first working day of each month, after the
reminder engine's morning time (local), the coordinator's groups receive last month's one-page
summary as a PDF document (the console's ``/ringkasan`` figures, :mod:`web.console.summary_pdf`),
through the outbox.

Once per month across restarts and workers: the PDF's outbox rows and a ``monthly_summary_runs``
row keyed by the month are written in one transaction; a second worker's insert of the same month
fails on the primary key and its rows roll back with it. A bot that was down on the first
working day sends it on the next working day it runs (the month's row is still missing). With no
coordinator group bound nothing is sent (the month stays owed) and it is logged once per process.

Each kecamatan's groups (a unit of kind kecamatan with a group bound) receive their kecamatan's
page the same morning (:meth:`MonthlySummaries.run_areas`): the same renderer, scoped as the
console scopes the kecamatan (its own reports and its desa's), once per month and kecamatan by a
``monthly_area_summary_runs`` row written with the rows in one transaction, as above; each
kecamatan in its own transaction, so one that fails waits for the next round alone.
"""

from __future__ import annotations

import base64
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from cases.reminders import UowFactory
from core.permissions import UnitKind
from handlers.actions import SendFile
from handlers.deps import HandlerDeps
from handlers.outgoing import emit
from locales import Translator
from storage.models import MonthlyAreaSummaryRun, MonthlySummaryRun, Unit, UnitChat
from storage.uow import UnitOfWork

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class MonthPage:
    """The summary's PDF and the month's name in the reader's language (for the caption)."""

    pdf: bytes
    month: str


#: Draws the summary of the month starting on the date, as the unit sees it on the console (the
#: coordinator every unit, a kecamatan its own and its desa's), on the day (the console's,
#: :func:`web.console.summary_pdf.month_renderer`; the runtime never imports the web).
MonthRender = Callable[[AsyncSession, Translator, Unit, date, date, str], Awaitable[MonthPage]]


def first_working_day(deps: HandlerDeps, day: date) -> date:
    return deps.calendar.next_working_day(day.replace(day=1))


class MonthlySummaries:
    def __init__(self, uow_factory: UowFactory, deps: HandlerDeps, render: MonthRender) -> None:
        self._uow_factory = uow_factory
        self._deps = deps
        self._render = render
        self._unbound_logged: str = ""  # the month this process already said has no group

    def owed(self, now: datetime) -> date | None:
        """The first day of the month whose summary is due at ``now`` (None: not now)."""
        local = now.astimezone(self._deps.config.timezone)
        today = local.date()
        if local.time() < self._deps.config.morning or not self._deps.calendar.is_working_day(
            today
        ):
            return None
        if today < first_working_day(self._deps, today):
            return None
        return (today.replace(day=1) - timedelta(days=1)).replace(day=1)

    async def run(self, now: datetime) -> bool:
        """Queue the summary if it is owed and not queued yet; True when this call queued it."""
        first = self.owed(now)
        if first is None:
            return False
        key = first.strftime("%Y-%m")
        async with self._uow_factory() as uow:
            if await uow.session.get(MonthlySummaryRun, key) is not None:
                return False
            coordinator = await uow.units.coordinator()
            chats = await uow.units.chats_of(coordinator.id) if coordinator else []
            if coordinator is None or not chats:
                if self._unbound_logged != key:
                    log.warning("monthly summary %s: no coordinator group bound, nothing sent", key)
                    self._unbound_logged = key
                return False
            await self._queue(uow, coordinator, chats, first, now)
            uow.session.add(MonthlySummaryRun(month=key, created_at=now))
            try:
                await uow.commit()
            except IntegrityError:
                return False  # another worker queued it first; our rows rolled back
        log.info("monthly summary %s queued for %d group(s)", key, len(chats))
        return True

    async def run_areas(self, now: datetime) -> int:
        """Queue each kecamatan's own summary to its groups, if owed and not queued yet; how
        many kecamatan this call queued."""
        first = self.owed(now)
        if first is None:
            return 0
        key = first.strftime("%Y-%m")
        async with self._uow_factory() as uow:
            done = set(
                await uow.session.scalars(
                    select(MonthlyAreaSummaryRun.unit_id).where(MonthlyAreaSummaryRun.month == key)
                )
            )
            grouped = {chat.unit_id for chat in await uow.units.active_chats()}
            kecamatan = await uow.units.of_kind(UnitKind.KECAMATAN)
            waiting = [u.id for u in kecamatan if u.id in grouped and u.id not in done]
        queued = 0
        for unit_id in waiting:
            async with self._uow_factory() as uow:
                unit = await uow.units.get(unit_id)
                chats = await uow.units.chats_of(unit_id)
                if unit is None or not chats:
                    continue  # unbound since: nothing owed to anyone yet
                await self._queue(uow, unit, chats, first, now)
                uow.session.add(MonthlyAreaSummaryRun(month=key, unit_id=unit_id, created_at=now))
                try:
                    await uow.commit()
                except IntegrityError:
                    continue  # another worker queued this kecamatan's first
            queued += 1
        if queued:
            log.info("monthly summary %s queued for %d kecamatan", key, queued)
        return queued

    async def _queue(
        self, uow: UnitOfWork, unit: Unit, chats: list[UnitChat], first: date, now: datetime
    ) -> None:
        """The unit's page, in each group's language, into the outbox of ``uow``."""
        local = now.astimezone(self._deps.config.timezone)
        printed_at = local.strftime("%Y-%m-%d %H:%M")
        key = first.strftime("%Y-%m")
        for chat in chats:
            tr = self._deps.catalogs.get(chat.language)
            drawn = await self._render(uow.session, tr, unit, first, local.date(), printed_at)
            action = SendFile(
                chat_id=chat.chat_id,
                filename=f"ringkasan-{key}.pdf",
                content=base64.b64encode(drawn.pdf).decode("ascii"),
                caption=tr.t("summary.caption", month=drawn.month),
                binary=True,
            )
            emit(uow, chat.channel, chat.chat_id, action, now)
