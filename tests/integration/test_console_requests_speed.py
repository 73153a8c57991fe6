"""Console requests are taken promptly and safely (issue 27: a bulk transfer of 500 within 5 s).

- The bot's :class:`~runtime.console_watch.ConsoleWatch` wakes the inbox when the console queues
  a request: it is taken without waiting for the inbox's idle poll.
- A group's press and a console request on the same report at once, on PostgreSQL (read
  committed: each transaction reads the last committed row): the second one waits for the
  first's row lock and decides on what the first wrote, so the report is verified once.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import select, text

from cases.officer import Officer
from core.permissions import CaseAction
from core.roles import GroupRole
from core.timeline import EventKind
from handlers import officer_actions
from handlers.app import Conversations
from handlers.case import Case
from locales import Catalogs
from runtime import inbox as inbox_module
from runtime.console_watch import ConsoleWatch
from runtime.inbox import InboxProcessor
from storage.db import writers_waiting
from storage.models import ConsoleRequest, ReportEvent
from tests.integration import test_console_actions as base
from tests.integration.test_console_actions import Desk, act
from tests.integration.test_console_bulk import bulk
from tests.integration.test_console_merge import file_as
from tests.integration.test_outbox_delivery import until
from tests.waits import until_asleep

desk = base.desk  # the same desk: a database, the console and the bot's inbox worker


async def _done(desk: Desk) -> bool:
    async with desk.db.sessions() as session:
        found = list(await session.scalars(select(ConsoleRequest.done_at)))
    return bool(found) and all(d is not None for d in found)


async def test_the_watch_wakes_the_inbox_for_a_console_request(desk: Desk) -> None:
    number = await file_as(desk, "42")
    # An inbox that would sleep a minute between looks, and the watch beside it.
    inbox = InboxProcessor(
        uow_factory=desk.db.uow,
        conversations=Conversations(desk.bot_deps),
        catalogs=Catalogs("id"),
        clock=desk.clock,
        album_wait=timedelta(0),
        idle_poll_seconds=60,
    )
    watch = ConsoleWatch(desk.db.uow, inbox.wake, poll_seconds=0.02)
    tasks = [asyncio.create_task(inbox.run()), asyncio.create_task(watch.run())]
    client = await desk.client("diskominfo", "Rina")
    try:
        await until_asleep(inbox, timeout=10)
        await until(lambda: _looked(watch), timeout=10)
        asked = await act(client, number, {"aksi": "vf", "status": "baru"})
        assert asked.status == 200
        await until(lambda: _done(desk), timeout=5)
        assert watch.woken == 1
        assert (await desk.report(number)).status == "didisposisi"
    finally:
        await client.close()
        inbox.stop()
        watch.stop()
        await asyncio.gather(*tasks)


async def _looked(watch: ConsoleWatch) -> bool:
    return watch.rounds > 0


async def test_a_backlog_longer_than_one_look_is_taken_without_the_idle_poll(
    desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    """More waiting chats than one look of the inbox takes (``_BATCH``, 200; 3 here): once
    the chats of a look run out, the inbox looks again at once, not at its next idle poll."""
    monkeypatch.setattr(inbox_module, "_BATCH", 3)
    numbers = [await file_as(desk, str(80 + i)) for i in range(7)]
    inbox = InboxProcessor(
        uow_factory=desk.db.uow,
        conversations=Conversations(desk.bot_deps),
        catalogs=Catalogs("id"),
        clock=desk.clock,
        album_wait=timedelta(0),
        idle_poll_seconds=60,
    )
    client = await desk.client("diskominfo", "Rina")
    task = asyncio.create_task(inbox.run())
    try:
        await until_asleep(inbox, timeout=10)
        asked = await bulk(client, {"aksi": "ar", "alasan": "spam", "teks": ""}, numbers)
        assert asked.status == 200
        inbox.wake()  # as the watch does
        await until(lambda: _done(desk), timeout=10)
        for number in numbers:
            assert (await desk.report(number)).status == "diarsipkan"
    finally:
        await client.close()
        inbox.stop()
        await task


async def test_a_press_and_a_console_request_at_once_verify_once(desk: Desk) -> None:
    number = await file_as(desk, "42")
    client = await desk.client("diskominfo", "Rina")
    try:
        asked = await act(client, number, {"aksi": "vf", "status": "baru"})
        assert asked.status == 200
    finally:
        await client.close()
    report_id = (await desk.report(number)).id
    # The group's press is under way: its transaction verified the report and holds the row.
    async with desk.db.uow() as uow:
        case = Case(uow=uow, deps=desk.bot_deps, now=desk.clock())
        report = await uow.reports.get(report_id)
        assert report is not None
        unit = await uow.units.by_code("desa-64-08-09-2001")
        assert unit is not None
        kades = Officer(user_id="7", name="Pak Kades", unit=unit, role=GroupRole.ADMIN)
        assert await officer_actions.act(case, report, CaseAction.VERIFY, kades) == ""
        await uow.session.flush()
        # Meanwhile the bot takes the console's request, until it waits for the press's row
        # (PostgreSQL) or for its turn to write (SQLite, one writer at a time).
        console = asyncio.create_task(desk.bot.process_pending())
        await until(lambda: _waits_for_a_lock(desk), timeout=10)
        await uow.commit()
    await console
    async with desk.db.sessions() as session:
        verified = list(
            await session.scalars(
                select(ReportEvent.actor).where(
                    ReportEvent.report_id == report_id, ReportEvent.kind == EventKind.VERIFIED
                )
            )
        )
        request = await session.scalar(select(ConsoleRequest))
    assert len(verified) == 1, verified
    assert "Pak Kades" in verified[0]
    assert request is not None
    assert request.refusal == "already_verified"


async def _waits_for_a_lock(desk: Desk) -> bool:
    """Whether a transaction waits for a row lock (PostgreSQL's own view), or on SQLite for
    its turn to write."""
    if desk.db.engine.dialect.name == "sqlite":
        return writers_waiting(desk.db.engine) > 0
    async with desk.db.sessions() as session:
        waiting = await session.scalar(
            text(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                " AND datname = current_database()"
            )
        )
    return bool(waiting)
