"""The bot takes the console's requests in batches (``runtime.console_batches``; issue 27: a
bulk action of 500 reports within 5 s): several requests in one transaction, each through the
group's use case and audited on its own. A refusal in the middle leaves the others done; a
request that raises is undone alone (the batch taken again with a savepoint each); a SIGKILL
in the middle of a batch loses nothing (every request of it is still pending, and taken after
the restart)."""

from __future__ import annotations

import asyncio
import sys
from typing import Any

import pytest
from sqlalchemy import event, func, select

from core.lifecycle import ReportStatus
from core.timeline import EventKind
from handlers import console_requests
from handlers.console_bulk_summary import after_bulk_transfer
from storage.models import ConsoleRequest, InboxUpdate, Report, ReportEvent
from storage.uow import UnitOfWork
from tests.integration import test_console_actions as base
from tests.integration.test_console_actions import Desk
from tests.integration.test_console_bulk import bulk
from tests.integration.test_console_merge import file_as

desk = base.desk  # the same desk: a database, the console and the bot's inbox worker


async def _transfer_all(desk: Desk, count: int) -> list[str]:
    """``count`` reports of Sepaso, a bulk transfer of all of them to PUPR asked in the
    console (not taken yet); their numbers."""
    numbers = [await file_as(desk, str(60 + i), f"Sampah nomor {i}") for i in range(count)]
    client = await desk.client("diskominfo", "Rina")
    try:
        asked = await bulk(
            client, {"aksi": "tr", "unit": "dinas-pupr", "teks": "Wewenang PUPR"}, numbers
        )
        assert asked.status == 200
        return numbers
    finally:
        await client.close()


async def _held_by(desk: Desk, numbers: list[str]) -> dict[str, int | None]:
    async with desk.db.sessions() as session:
        rows = await session.execute(
            select(Report.tracking_no, Report.unit_id).where(Report.tracking_no.in_(numbers))
        )
        return {str(number): unit for number, unit in rows}


async def _transfers(desk: Desk) -> int:
    async with desk.db.sessions() as session:
        found = await session.scalar(
            select(func.count())
            .select_from(ReportEvent)
            .where(ReportEvent.kind == EventKind.TRANSFERRED)
        )
        return int(found or 0)


async def test_a_refusal_in_the_middle_leaves_the_others_done_in_one_transaction(
    desk: Desk,
) -> None:
    numbers = await _transfer_all(desk, 3)
    # Before the bot takes the requests, the middle report is closed (a group's press, say).
    async with desk.db.uow() as uow:
        closed = await uow.session.scalar(select(Report).where(Report.tracking_no == numbers[1]))
        assert closed is not None
        closed.status = ReportStatus.DIARSIPKAN
        await uow.commit()
    commits: list[Any] = []

    def committed(connection: Any) -> None:
        commits.append(connection)

    event.listen(desk.db.engine.sync_engine, "commit", committed)
    try:
        taken, _ = await desk.bot.process_pending()
    finally:
        event.remove(desk.db.engine.sync_engine, "commit", committed)
    assert taken == 3
    assert len(commits) == 1  # the three requests in one transaction
    held = await _held_by(desk, numbers)
    pupr = desk.units["dinas-pupr"]
    assert [held[n] == pupr for n in numbers] == [True, False, True]
    assert await _transfers(desk) == 2  # each done one in its report's timeline
    async with desk.db.sessions() as session:
        outcomes = list(
            await session.execute(
                select(ConsoleRequest.refusal, ConsoleRequest.done_at).order_by(ConsoleRequest.id)
            )
        )
        pending = await session.scalar(
            select(func.count()).select_from(InboxUpdate).where(InboxUpdate.processed_at.is_(None))
        )
    assert [refusal for refusal, _ in outcomes] == ["", "archived", ""]
    assert all(done is not None for _, done in outcomes)
    assert pending == 0


async def test_a_sigkill_in_the_middle_of_a_batch_loses_nothing(desk: Desk) -> None:
    numbers = await _transfer_all(desk, 3)
    before = await _held_by(desk, numbers)
    # The real bot in another process, killed by SIGKILL after the second request's step.
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.integration.console_batch_killer",
        desk.db.url,
        "2",
    )
    assert await process.wait() == -9
    assert await _held_by(desk, numbers) == before
    assert await _transfers(desk) == 0
    async with UnitOfWork(desk.db.sessions) as uow:
        requests = list(await uow.session.scalars(select(ConsoleRequest)))
        pending = await uow.inbox.pending_keys(limit=10)
    assert [r.done_at for r in requests] == [None] * 3
    assert len(pending) == 3
    # After the restart, every request is taken once.
    taken, _ = await desk.bot.process_pending()
    assert taken == 3
    pupr = desk.units["dinas-pupr"]
    assert set((await _held_by(desk, numbers)).values()) == {pupr}
    assert await _transfers(desk) == 3


async def test_a_request_that_raises_is_undone_alone_and_counted_as_a_failed_attempt(
    desk: Desk, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A batch runs without a savepoint per request; when one raises (a fault injected into the
    middle one's step after it wrote its transfer), the batch is taken again with a savepoint
    each: the two others are done, the one that raised leaves nothing behind (its report, its
    timeline, its request's outcome) and counts one failed attempt."""
    numbers = await _transfer_all(desk, 3)
    async with desk.db.sessions() as session:
        middle = await session.scalar(select(Report.id).where(Report.tracking_no == numbers[1]))

    async def faulty(case: Any, request: ConsoleRequest, name: str) -> None:
        if request.report_id == middle:
            raise RuntimeError("injected")
        await after_bulk_transfer(case, request, name)

    monkeypatch.setattr(console_requests, "after_bulk_transfer", faulty)
    commits: list[Any] = []

    def committed(connection: Any) -> None:
        commits.append(connection)

    event.listen(desk.db.engine.sync_engine, "commit", committed)
    try:
        taken, _ = await desk.bot.process_pending()
    finally:
        event.remove(desk.db.engine.sync_engine, "commit", committed)
    assert taken == 2
    held = await _held_by(desk, numbers)
    pupr = desk.units["dinas-pupr"]
    assert [held[n] == pupr for n in numbers] == [True, False, True]
    assert await _transfers(desk) == 2
    async with desk.db.sessions() as session:
        outcomes = list(
            await session.scalars(select(ConsoleRequest.done_at).order_by(ConsoleRequest.id))
        )
        rows = list(await session.scalars(select(InboxUpdate).order_by(InboxUpdate.id)))
    assert [done is not None for done in outcomes] == [True, False, True]
    assert [row.processed_at is not None for row in rows] == [True, False, True]
    assert [row.attempts for row in rows] == [0, 1, 0]
    # The batch's commit and the failed attempt's own (the first try was rolled back whole).
    assert len(commits) == 2
