"""The console's requests taken in batches (issue 27: a bulk action of 500 reports within 5 s).

A bulk action queues one request per report (``storage.console.requests``), each its own inbox
row on the console's channel. Taken one transaction each, the bot spent most of its time on what
every transaction does again (its begin and commit, the registry's reads). Here up to
:data:`BATCH_REQUESTS` ready requests of different reports share one transaction: each still
goes through the same conversation step as a single request (``handlers.console_requests``, the
group's use case) and writes its own events and outcome; a refusal is an outcome, not a failure.
The batch's inbox rows are claimed in one statement and marked done in one UPDATE. It runs
first without a savepoint per request (each costs two statements and a flush); when a request
raises, that try is undone whole and the batch is taken again with a SAVEPOINT per request, so
the one that raised is undone alone and counted as a failed attempt as any update's. The
transaction commits once: a crash before it (a SIGKILL) leaves every request of the batch
pending, to be taken again.

A step that needs to ask Telegram first (``handlers.ask_first``) or waits for a link
(``handlers.pending``) cannot be taken in a batch: the batch is then undone and its requests
are taken one at a time, as before.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from contextlib import AbstractAsyncContextManager, nullcontext
from datetime import datetime
from typing import Protocol

from handlers.ask_first import AskFirst
from handlers.events import Event
from handlers.pending import LinkPendingError
from runtime.clock import Clock
from runtime.inbox_rows import Follow, UowFactory, Work, claim_rows, event_of
from runtime.slots import Slots
from runtime.worker import Worker
from storage.console import CONSOLE_CHANNEL
from storage.console.bulk_requests import mark_batch
from storage.db import begin_explicitly
from storage.models import InboxUpdate
from storage.uow import UnitOfWork

log = logging.getLogger(__name__)

#: Requests taken in one transaction at most.
BATCH_REQUESTS = 50


class _Conversations(Protocol):
    async def handle(self, event: Event, uow: UnitOfWork) -> None: ...


def split_console(works: Sequence[Work]) -> tuple[list[Work], list[list[Work]]]:
    """The works taken alone (Telegram's updates), and the console's requests in batches."""
    others = [w for w in works if w.channel != CONSOLE_CHANNEL]
    console = [w for w in works if w.channel == CONSOLE_CHANNEL]
    batches = [console[i : i + BATCH_REQUESTS] for i in range(0, len(console), BATCH_REQUESTS)]
    return others, batches


async def apply_batch(
    uow_factory: UowFactory, conversations: _Conversations, works: Sequence[Work], wall: Clock
) -> tuple[list[Work], list[tuple[Work, Exception]]]:
    """Take ``works`` in one transaction; the works done, and those that failed with their
    error (undone alone). First without a savepoint per request (two statements each, and a
    flush): when none raises, which is the rule, that is all. When one raises, the batch is
    undone and taken again with a savepoint per request, so that the one that raised is undone
    alone. An error of the transaction itself (its commit, a question for Telegram) is raised:
    nothing of the batch is kept."""
    try:
        return await _apply(uow_factory, conversations, works, wall, savepoints=False)
    except _RequestRaisedError:
        return await _apply(uow_factory, conversations, works, wall, savepoints=True)


class _RequestRaisedError(Exception):
    """A request of a batch taken without savepoints raised an error of its own."""


async def _apply(
    uow_factory: UowFactory,
    conversations: _Conversations,
    works: Sequence[Work],
    wall: Clock,
    *,
    savepoints: bool,
) -> tuple[list[Work], list[tuple[Work, Exception]]]:
    done: list[Work] = []
    failed: list[tuple[Work, Exception]] = []
    async with uow_factory() as uow:
        await begin_explicitly(uow.session)
        mark_batch(uow.session)
        claimed = await _claim_all(uow, works)
        taken: list[InboxUpdate] = []
        for work in works:
            # The outbox rows queued so far belong to requests already taken: written now, so
            # that a savepoint rolled back forgets only its own.
            if savepoints:
                await uow.outbox.write_queued()
            try:
                async with _savepoint(uow, savepoints):
                    rows = await _rows_of(uow, work, claimed)
                    if not rows:
                        continue  # another process took it
                    uow.outbox.replying_to = (work.channel, work.chat_id)
                    await conversations.handle(event_of(rows), uow)
                    if savepoints:
                        _mark(uow, rows, wall())
                        await uow.outbox.write_queued()
                    else:
                        taken.extend(rows)
            except Exception as exc:
                if not _undone_alone(exc):
                    raise
                if not savepoints:
                    raise _RequestRaisedError from exc
                uow.outbox.discard_queued()
                failed.append((work, exc))
            else:
                done.append(work)
        # Marked together: one UPDATE for the batch's inbox rows (a flush of them all).
        _mark(uow, taken, wall())
        await uow.commit()
    return done, failed


def _savepoint(uow: UnitOfWork, savepoints: bool) -> AbstractAsyncContextManager[object]:
    return uow.session.begin_nested() if savepoints else nullcontext()


async def _claim_all(uow: UnitOfWork, works: Sequence[Work]) -> dict[int, InboxUpdate] | None:
    """The batch's pending rows claimed in one statement, by id, when each work is one row (a
    console request is); None otherwise (each work claims its own: ``claim_rows``)."""
    if any(len(work.row_ids) != 1 for work in works):
        return None
    rows = await uow.inbox.claim_heads([work.row_ids[0] for work in works])
    return {row.id: row for row in rows}


async def _rows_of(
    uow: UnitOfWork, work: Work, claimed: dict[int, InboxUpdate] | None
) -> list[InboxUpdate]:
    if claimed is None:
        return await claim_rows(uow, work.row_ids)
    return [claimed[i] for i in work.row_ids if i in claimed]


def _mark(uow: UnitOfWork, rows: Sequence[InboxUpdate], now: datetime) -> None:
    for row in rows:
        uow.inbox.mark_processed(row, now)


def _undone_alone(exc: Exception) -> bool:
    """Whether a request's error is its own (undone alone); a question for Telegram or a link
    still being recorded is the whole batch's (see the module's docstring)."""
    return not isinstance(exc, AskFirst | LinkPendingError)


class ConsoleBatches(Worker):
    """The inbox worker's part that takes the console's batches (``runtime.inbox``)."""

    _uow_factory: UowFactory
    _conversations: _Conversations
    _wall: Clock
    _slots: Slots
    _in_flight: dict[tuple[str, str], asyncio.Task[None]]
    _late: set[tuple[str, str]]
    _retry_at: dict[int, datetime]
    _on_outcome: Callable[[str, int], None]
    _on_commit: Callable[[], None]
    #: The batch being taken (at most one at a time).
    _batching: asyncio.Task[None] | None = None

    async def _process(self, work: Work, follow: Follow | None = None) -> int:
        raise NotImplementedError

    async def _record_failure(self, work: Work, exc: Exception) -> None:
        raise NotImplementedError

    async def _take(self, work: Work | list[list[Work]]) -> int:
        """One work alone, or the batches one after the other (``process_pending``)."""
        if isinstance(work, list):
            return sum([await self._process_batch(batch) for batch in work])
        return await self._process(work)

    def _start_batches(self, batches: Sequence[list[Work]]) -> None:
        """The first batch's task, in flight for each of its chats (``run_once``), unless a
        batch is under way: one at a time, since each writes all along (on SQLite, batches side
        by side would wait for each other's write turn); the next look takes the others."""
        if not batches or (self._batching is not None and not self._batching.done()):
            return
        self._batching = asyncio.create_task(self._handle_batch(batches[0]))
        self._in_flight.update({(w.channel, w.chat_id): self._batching for w in batches[0]})

    async def _handle_batch(self, works: list[Work]) -> None:
        """Take a batch of the console's requests (``runtime.console_batches``), then look
        again (a report's next request, the rest of a bulk action)."""
        try:
            async with self._slots.held(first=False):
                if not self.stopping:
                    await self._process_batch(works)
        finally:
            for work in works:
                self._in_flight.pop((work.channel, work.chat_id), None)
                self._late.discard((work.channel, work.chat_id))
            self.wake()

    async def _process_batch(self, works: list[Work]) -> int:
        """The batch in one transaction; when that cannot be (its commit failed, a step must
        ask Telegram first), each of its works alone, as any update."""
        wall, conversations = self._wall, self._conversations
        try:
            done, failed = await apply_batch(self._uow_factory, conversations, works, wall)
        except Exception:
            log.warning("console batch of %d taken one by one", len(works), exc_info=True)
            return sum([await self._process(work) for work in works])
        for work in done:
            self._retry_at.pop(work.row_ids[0], None)
        self._on_outcome("handled", len(done))
        self._on_commit()
        for work, exc in failed:
            await self._record_failure(work, exc)
        return len(done)
