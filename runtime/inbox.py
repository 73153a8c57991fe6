"""The inbox: updates are stored before Telegram hears they arrived, then processed in order.

Each stored update is processed in ONE transaction with everything the conversation does (report
rows, outbox messages, the inbox row marked done): a crash applies all of it or none of it, and the
row is processed again after a restart.

The inbox keeps Telegram's time: arrival, an album's quiet, retries and handling are read from the
wall clock (``runtime.clock.wall_clock_of``), so a test that moves the bot's clock days ahead cannot
make a redelivered update look new (``InboxRepository.record``); only the conversations see the
moved clock."""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from collections.abc import Callable, Collection, Iterable, Sequence
from datetime import datetime, timedelta
from typing import Any, Protocol

from bot.updates import update_chat_kind, update_key
from handlers.actions import SendText
from handlers.ask_first import asking_first
from handlers.events import ChatKind, Event
from handlers.outgoing import emit
from handlers.pending import LinkPendingError
from locales import Catalogs
from runtime.clock import Clock, wall_clock_of
from runtime.console_batches import ConsoleBatches, split_console
from runtime.inbox_rows import (
    Follow,
    UowFactory,
    Work,
    chat_heads,
    claim_rows,
    event_of,
    record_update,
    record_updates,
)
from runtime.slots import Slots
from storage.models import InboxUpdate
from storage.repositories import PendingKey
from storage.uow import UnitOfWork

log = logging.getLogger(__name__)


MAX_ATTEMPTS = 3
# How soon an update that replied to a message still being recorded is tried again.
LINK_RETRY_SECONDS = 0.1
_BATCH = 200
#: How many chats' updates are handled at once. Each holds a database connection for its
#: transaction (SQLAlchemy's default pool: 5, plus 10 overflow, shared with the other workers).
CONCURRENCY = 8
#: A chat this process handled within this long is a conversation under way: its next update
#: goes before chats that have just arrived (a crowd pressing /start), and gets the next free
#: slot. Remembered for this many chats at most (the most recent ones).
UNDER_WAY = timedelta(minutes=10)
UNDER_WAY_CHATS = 500


class ConversationHandler(Protocol):
    """What the processor needs from ``handlers.app.Conversations``."""

    async def handle(self, event: Event, uow: UnitOfWork) -> None: ...


class InboxProcessor(ConsoleBatches):
    """Takes pending inbox rows in order and runs the conversations on them."""

    def __init__(
        self,
        *,
        uow_factory: UowFactory,
        conversations: ConversationHandler,
        catalogs: Catalogs,
        clock: Clock,
        album_wait: timedelta,
        on_commit: Callable[[], None] = lambda: None,
        idle_poll_seconds: float = 5.0,
        on_outcome: Callable[[str, int], None] = lambda _outcome, _count: None,
        concurrency: int = CONCURRENCY,
        wall_clock: Clock | None = None,
    ) -> None:
        """``clock`` is the bot's (what the conversations see); ``wall_clock``, by default the real
        time behind it (``runtime.clock.wall_clock_of``), is the inbox's own (the module's
        docstring)."""
        super().__init__(idle_poll_seconds)
        self._concurrency = max(1, concurrency)
        self._uow_factory = uow_factory
        self._conversations = conversations
        self._catalogs = catalogs
        self._clock = clock
        self._wall = wall_clock or wall_clock_of(clock)
        self._album_wait = album_wait
        self._on_commit = on_commit
        # Metrics: how many updates ended how (runtime.metrics.UPDATE_OUTCOMES).
        self._on_outcome = on_outcome
        self._next_due: datetime | None = None
        # Retry pacing after a failure: a scheduling hint only, the attempt count is in the row.
        self._retry_at: dict[int, datetime] = {}
        # An update waits for its message's link (see handlers.pending): look again soon.
        self._link_pending = False
        # The running loop's chats being handled now: each chat at most once (its order).
        self._in_flight: dict[tuple[str, str], asyncio.Task[None]] = {}
        self._slots = Slots(self._concurrency)
        # Chats handled lately, oldest first, with when (see UNDER_WAY).
        self._under_way: OrderedDict[tuple[str, str], datetime] = OrderedDict()
        # Chats in flight for which this process recorded (committed) an update since their
        # task last looked for the chat's next one: see _handle_chat.
        self._late: set[tuple[str, str]] = set()

    async def on_update(self, channel: str, update: dict[str, Any]) -> bool:
        """Record an update (the adapter confirms it to Telegram after this returns); False for
        a redelivery."""
        added = await record_update(self._uow_factory, channel, update, self._wall)
        self._note_recorded(channel, [update])
        return added

    async def on_updates(self, channel: str, updates: Sequence[dict[str, Any]]) -> int:
        """Record a getUpdates batch in one transaction; how many were new."""
        added = await record_updates(self._uow_factory, channel, updates, self._wall)
        self._note_recorded(channel, updates)
        return added

    async def run(self) -> None:
        """The worker loop; on stop, the chats being handled finish their transaction first."""
        try:
            await super().run()
        finally:
            while self._in_flight:
                await asyncio.gather(*self._in_flight.values(), return_exceptions=True)

    async def run_once(self) -> bool:
        """Start every ready chat that is not being handled already, without waiting for them.

        A chat's next update is looked for as soon as its current one is done (the task wakes
        the loop), not when the slowest chat of a round is: no round barrier. At most
        ``concurrency`` chats are handled at once; the others wait for a slot.
        """
        self._link_pending = False
        works, self._next_due = await self._ready_work(exclude=set(self._in_flight))
        works, batches = split_console(works)
        for work in works:
            key = (work.channel, work.chat_id)
            self._in_flight[key] = asyncio.create_task(self._handle_chat(key, work))
        self._start_batches(batches)
        return False

    async def _handle_chat(self, key: tuple[str, str], first: Work) -> None:
        """Handle the chat's ready updates one after the other; the chat is this task's alone.

        After each committed update the task takes the chat's next one itself (one small query)
        instead of waking the loop to look at every chat again. The slot is given back between
        updates, so a busy chat takes its turn with the others.
        """
        look_again = True
        work: Work | None = first
        try:
            while work is not None and not self.stopping:
                follow = Follow()
                async with self._slots.held(first=self._is_under_way(key)):
                    if self.stopping:
                        break
                    done = await self._process(work, follow)
                if not done:
                    look_again = not self._link_pending
                    break
                handled = work.row_ids
                work, pending = follow.work, follow.pending
                if work is not None and work.row_ids == handled:
                    # Still pending: another process holds the chat (its claim skipped it).
                    # Leave the chat to it; the next look comes with the next wake or poll.
                    look_again = False
                    break
                if not pending and key not in self._late:
                    # Nothing more in this chat, and nothing recorded here for it since the
                    # query began: a look at every chat would find only what the looks woken
                    # by the recordings themselves find (a citizen waits for the reply, so
                    # this is the usual end of a step; issue 13). An update of this chat
                    # recorded meanwhile was skipped by the look it woke (the chat was in
                    # flight): then the loop looks again.
                    look_again = False
        finally:
            del self._in_flight[key]
            self._late.discard(key)
            # Look again (a retry's or album's time is noted; a link waits LINK_RETRY_SECONDS).
            if look_again or (self._backlog and len(self._in_flight) < self._concurrency):
                self.wake()

    async def _next_of_chat(
        self, uow: UnitOfWork, work: Work, follow: Follow, *, handled: bool
    ) -> None:
        """Note in ``follow`` the chat's next ready work after ``work``, or None (nothing
        pending, or an album still arriving), and whether the chat has anything else pending.

        Asked inside the step's own transaction (issue 13: one transaction per update, not a
        second one for this look): before the step writes anything on SQLite, where holding
        the single writer's lock one query longer would hold every other chat's step, and
        where one process owns the database, so an update of the chat recorded during the step
        is noted in ``_late`` for the task; just before the commit on PostgreSQL, where another
        process may record the chat's next update meanwhile (``handled``: the step ran and
        its rows are marked done, so the session flushes them before the query)."""
        self._late.discard((work.channel, work.chat_id))
        key = (work.channel, work.chat_id)
        if handled:
            heads = await uow.inbox.pending_keys(limit=1, chat=key)
        else:
            mine = set(work.row_ids)
            rows = await uow.inbox.pending_keys(limit=len(mine) + 1, chat=key)
            heads = [row for row in rows if row.id not in mine][:1]
        if not heads:
            return
        follow.pending = True
        follow.work, _ = await self._work_for(uow, heads[0], self._wall())

    def _note_recorded(self, channel: str, updates: Iterable[dict[str, Any]]) -> None:
        """Note the chats in flight that got an update (see _handle_chat), and wake the loop."""
        for update in updates:
            chat_id, _ = update_key(channel, update)
            if (channel, chat_id) in self._in_flight:
                self._late.add((channel, chat_id))
        self.wake()

    def _note_under_way(self, key: tuple[str, str]) -> None:
        self._under_way[key] = self._wall()
        self._under_way.move_to_end(key)
        while len(self._under_way) > UNDER_WAY_CHATS:
            self._under_way.popitem(last=False)

    def _is_under_way(self, key: tuple[str, str]) -> bool:
        handled = self._under_way.get(key)
        return handled is not None and self._wall() - handled <= UNDER_WAY

    def _under_way_chats(self, now: datetime) -> set[tuple[str, str]]:
        return {key for key, handled in self._under_way.items() if now - handled <= UNDER_WAY}

    def idle_seconds(self) -> float:
        """Sleep no longer than until a waiting album or a retry becomes due."""
        timeout = self._poll
        if self._link_pending:
            timeout = min(timeout, LINK_RETRY_SECONDS)
        next_due = min((d for d in (self._next_due, *self._retry_at.values()) if d), default=None)
        if next_due is not None:
            timeout = min(timeout, max(0.01, (next_due - self._wall()).total_seconds()))
        return timeout

    async def process_pending(self) -> tuple[int, datetime | None]:
        """Process the head of every chat's queue once, in one round (tests and tools; the
        running loop, :meth:`run_once`, starts chats as they become ready instead).

        Returns how many units were processed and when a waiting album or retry becomes due.
        """
        works, next_due = await self._ready_work()
        self._link_pending = False
        # One work per chat (its head, its album; the console's requests in batches): chats run
        # side by side, a chat's own updates one at a time, in order (the next round's).
        limit = asyncio.Semaphore(self._concurrency)

        async def run(work: Work | list[list[Work]]) -> int:
            async with limit:
                return 0 if self.stopping else await self._take(work)

        alone, batches = split_console(works)
        done = await asyncio.gather(*map(run, alone), run(batches))
        return sum(done), next_due

    async def _ready_work(
        self, exclude: Collection[tuple[str, str]] = ()
    ) -> tuple[list[Work], datetime | None]:
        now = self._wall()
        async with self._uow_factory() as uow:
            rows = await uow.inbox.pending_keys(limit=_BATCH)
            self._backlog = len(rows) >= _BATCH  # rows wait behind it: look as its chats end
            under_way = self._under_way_chats(now)
            if under_way and len(rows) >= _BATCH:
                # Conversations under way are looked at even behind a crowd of new chats (a look
                # that was not full already holds every pending row).
                seen = {row.id for row in rows}
                more = await uow.inbox.pending_keys(limit=_BATCH, chats=under_way)
                rows = sorted([*rows, *(r for r in more if r.id not in seen)], key=lambda r: r.id)
            heads = [h for h in chat_heads(rows) if (h.channel, h.chat_id) not in exclude]
            # Under way first (their tasks are created, and ask for a slot, before the others').
            heads.sort(key=lambda h: (h.channel, h.chat_id) not in under_way)
            works: list[Work] = []
            due: list[datetime] = []
            for head in heads:
                work, wait_until = await self._work_for(uow, head, now)
                if work is not None:
                    works.append(work)
                elif wait_until is not None:
                    due.append(wait_until)
        return works, min(due, default=None)

    async def _work_for(
        self, uow: UnitOfWork, head: PendingKey, now: datetime
    ) -> tuple[Work | None, datetime | None]:
        retry_at = self._retry_at.get(head.id)
        if retry_at is not None and retry_at > now:
            return None, retry_at
        if not head.media_group_id:
            return Work((head.id,), head.channel, head.chat_id), None
        items = await uow.inbox.album_items(head.channel, head.chat_id, head.media_group_id)
        if not items:
            # Another process handled the album after this one listed the heads: nothing to do.
            return None, None
        # Wait for the album to be quiet, not merely old: slow uploads trickle in over seconds.
        ready_at = max(item.received_at for item in items) + self._album_wait
        if ready_at > now:
            return None, ready_at
        return Work(tuple(item.id for item in items), head.channel, head.chat_id), None

    async def _process(self, work: Work, follow: Follow | None = None) -> int:
        try:
            await self._apply(work, follow)
        except LinkPendingError:
            # Not a failure: the message it replies to is being recorded (handlers.pending).
            # The chat's queue stays as it is; the next round, shortly, runs it again.
            self._link_pending = True
            return 0
        except Exception as exc:
            await self._record_failure(work, exc)
            return 0
        self._on_outcome("handled", len(work.row_ids))
        self._note_under_way((work.channel, work.chat_id))
        for row_id in work.row_ids:
            self._retry_at.pop(row_id, None)
        self._on_commit()
        return 1

    async def _apply(self, work: Work, follow: Follow | None = None) -> None:
        """Handle the work in one transaction: the step, its outbox rows, the inbox rows marked
        done and, with ``follow``, the look for the chat's next work (noted there). Telegram is
        asked what the step needs (files, admins) between two tries (``handlers.ask_first``)."""
        await asking_first(lambda: self._apply_once(work, follow))

    async def _apply_once(self, work: Work, follow: Follow | None) -> None:
        if follow is not None:  # a first try may have looked before its step asked Telegram
            follow.work, follow.pending = None, False
        async with self._uow_factory() as uow:
            rows = await claim_rows(uow, work.row_ids)
            look_first = bool(rows) and uow.session.get_bind().dialect.name == "sqlite"
            if follow is not None and look_first:
                await self._next_of_chat(uow, work, follow, handled=False)
            if rows:
                event = event_of(rows)
                uow.outbox.replying_to = (work.channel, work.chat_id)
                await self._conversations.handle(event, uow)
                now = self._wall()
                for row in rows:
                    uow.inbox.mark_processed(row, now)
            if follow is not None and not look_first:
                await self._next_of_chat(uow, work, follow, handled=True)
            await uow.commit()

    async def _record_failure(self, work: Work, exc: Exception) -> None:
        # The message text may hold personal data: log the type and row, the filter masks the rest.
        log.error("inbox rows %s failed: %s", list(work.row_ids), type(exc).__name__, exc_info=exc)
        try:
            attempts = await self._count_attempt(work, exc)
        except Exception:
            log.exception("could not record the failed attempt for inbox rows %s", work.row_ids)
            return
        self._on_outcome("failed" if attempts < MAX_ATTEMPTS else "given_up", len(work.row_ids))
        if attempts < MAX_ATTEMPTS:
            delay = timedelta(seconds=2 ** (attempts - 1))
            for row_id in work.row_ids:
                self._retry_at[row_id] = self._wall() + delay

    async def _count_attempt(self, work: Work, exc: Exception) -> int:
        """Count the attempt in its own transaction; give up politely after the last one."""
        async with self._uow_factory() as uow:
            rows = await claim_rows(uow, work.row_ids)
            if not rows:
                return MAX_ATTEMPTS
            for row in rows:
                row.attempts += 1
            attempts = max(row.attempts for row in rows)
            if attempts >= MAX_ATTEMPTS:
                await self._give_up(uow, rows, type(exc).__name__)
            await uow.commit()
        if attempts >= MAX_ATTEMPTS:
            self._on_commit()
        return attempts

    async def _give_up(self, uow: UnitOfWork, rows: Sequence[InboxUpdate], error: str) -> None:
        payload = rows[0].payload or {}
        for row in rows:
            uow.inbox.mark_processed(row, self._wall(), error=error)
        if rows[0].chat_id and update_chat_kind(rows[0].channel, payload) is ChatKind.PRIVATE:
            # The apology is the conversation's: the bot's clock, as the handlers' messages.
            await self._apologise(uow, rows[0].channel, rows[0].chat_id, self._clock())

    async def _apologise(self, uow: UnitOfWork, channel: str, chat_id: str, now: datetime) -> None:
        conversation = await uow.conversations.get_or_create(
            channel, chat_id, language=self._catalogs.default_language, now=now
        )
        text = self._catalogs.get(conversation.language).t("error.internal")
        emit(uow, channel, chat_id, SendText(chat_id=chat_id, text=text), now)
