"""``python -m bench console``'s bulk transfer: 500 reports selected on the list, transferred
together, until the bot has taken every one (issue 27: within 5 s).

The bot's part runs in this process as ``aduan run`` wires it (``runtime.bootstrap``): the inbox
worker with its 5 s idle poll and the :class:`~runtime.console_watch.ConsoleWatch` that wakes it
when the console queued a request, over the real conversations; every unit's group is bound, so
each transfer moves its card and tells the groups and the reporter as a button's would (the
messages stay in the outbox: nothing sends them here); each report's card counts as sent to its
holder's group and the coordinator's (as in production), so each transfer edits those two and
posts a new one. Timed: the console's answer to the POST
(500 requests checked, stored and audited) and the wall time from the POST until the last
request is done, read from ``console_requests``.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from pydantic import SecretStr
from sqlalchemy import case, event, func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from core.decisions import ActorKind
from core.lifecycle import ReportStatus
from core.permissions import CaseAction, UnitKind, refusal
from core.purposes import Purpose
from handlers.app import Conversations
from locales import Catalogs
from runtime.clock import ManualClock
from runtime.console_watch import ConsoleWatch
from runtime.deps import handler_deps
from runtime.inbox import InboxProcessor
from runtime.settings import Settings
from storage.models import ConsoleRequest, Report
from storage.uow import UnitOfWork

#: Reports in the bulk transfer.
COUNT = 500
TARGET = "dinas-pupr"


@dataclass(frozen=True)
class BulkResult:
    count: int
    post_ms: float
    all_done_s: float
    refused: int
    #: The database statements the bot ran from the POST's answer until all were done (the
    #: bench's own looks left out), per request taken; and the process's CPU seconds then.
    statements_each: float = 0.0
    cpu_s: float = 0.0


def _picked(path: Path, count: int) -> list[str]:
    """``count`` open reports an officer may transfer, held by another unit than the target."""
    officer = ActorKind.OFFICER
    movable = [s.value for s in ReportStatus if not refusal(CaseAction.TRANSFER, s, officer)]
    con = sqlite3.connect(path)
    marks = ",".join("?" * len(movable))
    rows = con.execute(
        f"SELECT tracking_no FROM reports WHERE status IN ({marks}) AND unit_id !="
        " (SELECT id FROM units WHERE code = ?) ORDER BY id DESC LIMIT ?",
        (*movable, TARGET, count),
    ).fetchall()
    con.close()
    return [number for (number,) in rows]


async def _cards_sent(
    uow: Callable[[], UnitOfWork], numbers: list[str], clock: ManualClock
) -> None:
    """Each picked report's card as sent to its holder's group and the coordinator's (a link
    per card, as the outbox sender records it), so a transfer edits two cards and posts one, as
    in production (without them the old cards have nothing to edit)."""
    async with uow() as work:
        units = await work.units.all()
        coordinator = [u.id for u in units if u.kind == UnitKind.COORDINATOR]
        rows = await work.session.execute(
            select(Report.id, Report.unit_id).where(Report.tracking_no.in_(numbers))
        )
        message_id = 1
        for report_id, unit_id in rows.all():
            holders: set[int] = {*coordinator, *([unit_id] if unit_id is not None else [])}
            for holder in sorted(holders):
                await work.links.add(
                    channel="telegram",
                    chat_id=_group_of(holder),
                    message_id=message_id,
                    report_id=report_id,
                    purpose=Purpose.CARD,
                    now=clock(),
                )
                message_id += 1
        await work.commit()


def _group_of(unit_id: int) -> str:
    """The chat id of the unit's group here."""
    return str(-1_000_000_000 - unit_id)


async def _done(sessions: Callable[[], AsyncSession]) -> tuple[int, int]:
    """Requests of the batch done, and refused (one query: the look itself costs the bot)."""
    refused = func.sum(case((ConsoleRequest.refusal != "", 1), else_=0))
    async with sessions() as session:
        row = (
            await session.execute(
                select(func.count(ConsoleRequest.done_at), refused).where(
                    ConsoleRequest.batch_id.is_not(None)
                )
            )
        ).one()
    return int(row[0] or 0), int(row[1] or 0)


async def bulk_transfer(
    path: Path,
    sessions: Callable[[], AsyncSession],
    clock: ManualClock,
    post: Callable[[list[tuple[str, str]]], Awaitable[int]],
    count: int = COUNT,
    engine: AsyncEngine | None = None,
) -> BulkResult:
    """Bind every unit's group, start the bot's inbox and watch, POST the bulk form (``post``
    adds the form token and returns the HTTP status) and wait until every request is done."""

    def uow() -> UnitOfWork:
        return UnitOfWork(sessions)

    async with uow() as work:
        for unit in await work.units.all():
            chat = _group_of(unit.id)
            await work.units.bind(
                unit.id, channel="telegram", chat_id=chat, title=unit.name, by="1", now=clock()
            )
        await work.commit()
    settings = Settings(_env_file=None, bot_token=SecretStr("1:x"))
    deps = handler_deps(settings, "1:x", Catalogs("id"), clock)
    inbox = InboxProcessor(
        uow_factory=uow,
        conversations=Conversations(deps),
        catalogs=Catalogs("id"),
        clock=clock,
        album_wait=timedelta(seconds=settings.album_wait_seconds),
    )
    watch = ConsoleWatch(uow, inbox.wake, poll_seconds=settings.console_poll_seconds)
    tasks = [asyncio.create_task(inbox.run()), asyncio.create_task(watch.run())]
    try:
        # Both looked once, as after a start (their own counters: no event to wait on).
        while inbox.rounds == 0 or watch.rounds == 0:  # noqa: ASYNC110
            await asyncio.sleep(0.01)
        numbers = _picked(path, count)
        await _cards_sent(uow, numbers, clock)
        fields = [
            ("aksi", CaseAction.TRANSFER.value),
            ("unit", TARGET),
            ("teks", "Wewenang dinas (uji beban)"),
        ]
        fields += [("pilih", n) for n in numbers]
        started = time.perf_counter()
        status = await post(fields)
        post_ms = (time.perf_counter() - started) * 1000
        if status != 200:
            raise RuntimeError(f"bulk transfer: HTTP {status}")
        statements, looks, cpu = [0], 0, time.process_time()

        def executed(*_args: object) -> None:
            statements[0] += 1

        if engine is not None:
            event.listen(engine.sync_engine, "before_cursor_execute", executed)
        done, refused = 0, 0
        try:
            while done < len(numbers):
                if time.perf_counter() - started > 120:
                    raise RuntimeError(f"bulk transfer: {done} of {len(numbers)} done after 120 s")
                await asyncio.sleep(0.1)
                done, refused = await _done(sessions)
                looks += 1
        finally:
            if engine is not None:
                event.remove(engine.sync_engine, "before_cursor_execute", executed)
        all_done = time.perf_counter() - started
        cpu = time.process_time() - cpu
    finally:
        inbox.stop()
        watch.stop()
        await asyncio.gather(*tasks)
    each = (statements[0] - looks) / len(numbers) if engine is not None and numbers else 0.0
    return BulkResult(len(numbers), post_ms, all_done, refused, each, cpu)
