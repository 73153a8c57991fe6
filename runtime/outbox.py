"""The outbox worker: sends committed messages, in order per chat, until each is delivered.

Retries network trouble and 5xx with capped exponential backoff, waits out 429 ``retry_after``,
and gives up only on permanent refusals (blocked by the user, chat not found), which are recorded.

Telegram's flood limits are the speed limit, not an error source: about 30 messages/s overall,
1/s per chat (short bursts tolerated) and 20/min per group. The worker *schedules* under them with
token buckets instead of sleeping: each round sends, for every chat, only what that chat's buckets
allow now; the rest wait for a later round, and an idle worker sleeps until the next refill.
While a round's sends are on their way it goes on sending the rows it already fetched, each as
soon as its place in the second frees (``_follow_up``), and a worker waiting for the limits wakes
a round's preparation early, so the second's places are reused the moment they free rather than
a database query and a plan later: a drain runs at about the full 30/s (bench/README.md).

Order when the overall limit is short (who goes first; every chat's own messages keep their
order): button answers (not counted), then the next screens of conversations already under way
(chats this worker replied to in the last ``TALKING_SECONDS``, the oldest conversation first),
then other replies (a newcomer's first greeting), then notifications, one per chat per pass. So
a crowd of a thousand newcomers sending ``/start`` at once is greeted at the rate Telegram allows,
while a person in the middle of a report keeps getting the next screen within a round or two;
each newcomer joins the talking chats with its greeting and is served like them from its next
step on. The memory of talking chats is the sending process's own (a restart forgets it: then
replies go in the order they were queued).

Several processes: only the holder of the sender's lease sends, and it starts no send unless
:attr:`OutboxWorker.may_send` (the lease's :meth:`runtime.leader.Leadership.may_act`) allows it at
that moment; a row not started stays unsent for whoever sends next. A sender that starts (a
takeover, a restart, the lease regained) counts the windows its predecessor filled, from the
sends recorded in the database: the last second overall, and each group's last minute.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import timedelta

from bot.channels.base import Channel
from bot.telegram_render import render
from bot.uploads import MissingUploadError, UploadResolver
from handlers.actions import action_from_dict
from runtime.clock import Clock
from runtime.inbox_rows import UowFactory
from runtime.outbox_record import (
    OutboxRecorder,
    SentHandler,
    UndeliverableHandler,
    outcome_of_error,
    pin,
)
from runtime.outbox_rows import (
    SendOutcome,
    SendRound,
    SendRow,
    held_of,
    message_ids_of,
    reply_targets,
    send_row_of,
    wamids_of,
)
from runtime.outbox_windows import slow_down, take_over
from runtime.pacing import (
    ChatKey,
    FloodLimits,
    FloodScheduler,
    plan_round,
)
from runtime.worker import Worker
from storage.uow import UnitOfWork

log = logging.getLogger(__name__)

# Chats passed to the due query as "not yet"; beyond this their rows are fetched and left unsent.
MAX_SKIPPED_CHATS = 500
# A chat the worker replied to within this many seconds has a conversation under way: its replies
# go before first greetings (see OutboxWorker). The oldest conversations, at most this many.
TALKING_SECONDS = 600.0
MAX_TALKING_CHATS = 500
# A round prepares at most this long before its turn (see OutboxWorker.idle_seconds).
MAX_LEAD_SECONDS = 0.1
# A round goes on sending the rows it fetched, as places free, for at most this long.
FOLLOW_UP_SECONDS = 1.0
# A group's limit counts this many seconds (Telegram's 20 a minute).
GROUP_WINDOW = 60.0


class OutboxWorker(Worker):
    def __init__(
        self,
        *,
        uow_factory: UowFactory,
        channels: Mapping[str, Channel],
        clock: Clock,
        per_second: float = 30.0,
        chat_per_second: float = 1.0,
        group_per_minute: float = 20.0,
        burst: float | None = None,
        chat_burst: float = FloodLimits.chat_burst,
        group_burst: float | None = None,
        poll_seconds: float = 0.5,
        batch: int = 50,
        concurrency: int = 16,
        rng: random.Random | None = None,
        timer: Callable[[], float] | None = None,
        on_undeliverable: UndeliverableHandler | None = None,
        on_sent: SentHandler | None = None,
        before_link: Callable[[], Awaitable[None]] | None = None,
        on_result: Callable[[str], None] = lambda _result: None,
        uploads: UploadResolver | None = None,
        channel_chat: tuple[tuple[str, float, float], ...] = (),
        channel_overall: tuple[tuple[str, float], ...] = (),
    ) -> None:
        super().__init__(poll_seconds)
        # Cleaned evidence named ``local:`` in a payload is uploaded from the media store.
        self._uploads = uploads
        # Tests only: awaited between a send that carries a link and its recording, to widen
        # the window in which a person can already reply to the message.
        self.before_link = before_link
        self._uow_factory = uow_factory
        self._recorder = OutboxRecorder(uow_factory, clock, on_undeliverable, on_sent)
        # Metrics: each send's result (runtime.metrics.SEND_RESULTS) and a pin's 429.
        self._on_result = on_result
        self._channels = channels
        self._clock = clock
        # Buckets run on the same clock as retry times, so a test's manual clock drives both.
        # The limits count real seconds (a monotonic timer): the bot's clock may jump (a time
        # sync, a test moving the days) and must not open a second or a minute early.
        self._timer = timer or time.monotonic
        # A sender that starts (after a crash, or taking over from another process) first
        # checks how recently the last message went (see _take_over_the_windows).
        self._started = False
        self.scheduler = FloodScheduler(
            FloodLimits(
                per_second=per_second,
                burst=burst,
                chat_per_second=chat_per_second,
                chat_burst=chat_burst,
                group_per_minute=group_per_minute,
                group_burst=group_burst,
                channel_chat=channel_chat,
                channel_overall=channel_overall,
            )
        )
        self._batch = batch
        self._rng = rng
        self._slots = asyncio.Semaphore(max(1, concurrency))
        # Chats that kept rows back for their buckets: the idle sleep ends at their next turn.
        self._backlog: set[ChatKey] = set()
        self._replies_waiting: set[ChatKey] = set()  # ... of which these keep a reply back
        self._overall_bound = False  # the last round left rows for lack of overall budget
        # Chats with a conversation under way: when it started and when a reply last went.
        self._talking: dict[ChatKey, tuple[float, float]] = {}
        # How long a round takes to prepare (wake, due query): it starts that much early.
        self._lead = 0.0
        # Whether a send may start now: the sender's lease (runtime.leader.Leadership.may_act)
        # says so when several processes share the database. Checked before every send.
        self.may_send: Callable[[], bool] = lambda: True

    def rearm(self) -> None:
        """Taking the sender up again (the lease came back): read the recent sends again."""
        super().rearm()
        self._started = False

    async def run_once(self) -> bool:
        moved = await self.send_due()
        # A round cut short by the overall budget: sleep until the next batch is allowed (or a
        # commit wakes the worker) instead of asking the database again at once for nothing.
        return moved > 0 and not self._overall_bound

    def idle_seconds(self) -> float:
        """Until the next bucket refill a waiting chat needs, or the poll period."""
        if not self._backlog:
            return self._poll
        now = self._timer()
        turn = min(
            self.scheduler.ready_at(key, now, reply=key in self._replies_waiting)
            for key in self._backlog
        )
        # Woken a round's preparation early: the due query runs while the places are still
        # taken, and the sends start as they free (send_due waits for the turn).
        return min(self._poll, max(0.0, turn - now - self._lead))

    async def send_due(self) -> int:
        """Send what is due and allowed now; returns how many rows were settled or moved.

        Each chat's rows go out one after another, in order, stopping at the first that must be
        retried later; different chats are sent concurrently. The outcomes are recorded in one
        transaction. A crash between a send and that commit sends the message again after
        restart: delivery is at least once.
        """
        if not self.may_send():
            # The lease is short, or a takeover's grace runs: fetch nothing, send nothing.
            self._backlog = set()
            return 0
        if not self._started:
            await self._take_over_the_windows()
        started = now = self._timer()
        skipped = self.scheduler.waiting_chats(now)
        # Chats skipped by the query still hold their rows; the others show what they hold.
        still_waiting = self._backlog.intersection(skipped)
        async with self._uow_factory() as uow:
            rows = await self._due(
                uow, [chat for _, chat in skipped[:MAX_SKIPPED_CHATS]], self._talking_chats(now)
            )
            self._overall_bound = False
            if not rows or self.stopping:
                self._backlog = still_waiting
                return 0
            self._note_lead(self._timer() - started)
            now = await self._until_first_turn(rows)
            plan, waiting = plan_round(rows, self.scheduler, now)
            self._overall_bound = self.scheduler.overall_bound(waiting, now)
            # For every fetched row: the round may send more of them as places free (below).
            state = SendRound(replies=await reply_targets(uow, {None: rows}))
        self._backlog = waiting | still_waiting
        planned = {id(row) for queue in plan.values() for row in queue}
        self._replies_waiting = {r.key for r in rows if r.reply and id(r) not in planned}
        sending = [asyncio.create_task(self._send_chat(q, state)) for q in plan.values()]
        sending += await self._follow_up(rows, set(plan), state, started + FOLLOW_UP_SECONDS)
        results = await asyncio.gather(*sending)
        settled = [pair for result in results for pair in result]
        await asyncio.gather(*state.recording)
        slow_down(self.scheduler, settled, self._timer())
        self._note_talking(settled)
        await self._recorder.record([pair for pair in settled if pair[0].id not in state.recorded])
        self.scheduler.forget_idle(self._timer())
        return sum(1 for _, o in settled if o.settled or o.migrated_to is not None)

    async def _take_over_the_windows(self) -> None:
        """A sender that starts (the sender before it was killed, or handed over, or this
        process regains the lease) counts what the database shows of Telegram's windows, which
        its own start empty: messages went out within the last second, it waits that second
        out; a group got messages in the last minute, they count against the group's minute.

        The times are the ``sent_at`` the senders recorded (the answer's arrival at the latest,
        so each counts at least as long as Telegram counts it), moved onto this worker's timer.
        """
        self._started = True
        now, wall = self._timer(), self._clock()
        async with self._uow_factory() as uow:
            last = await uow.outbox.last_sent_at()
            recent = await uow.outbox.group_sends_since(wall - timedelta(seconds=GROUP_WINDOW))
        take_over(self.scheduler, last, recent, wall, now)

    async def _follow_up(
        self, rows: Sequence[SendRow], planned: set[ChatKey], state: SendRound, until: float
    ) -> list[asyncio.Task[list[tuple[SendRow, SendOutcome]]]]:
        """While the round's sends are on their way, send more of the rows already fetched as
        the limits allow, each the moment its place in the second frees, instead of waiting for
        the round to end and a new one to ask the database and plan (what kept the overall rate
        about a tenth under the limit).

        Only chats with nothing in the round so far (a chat's messages stay one after another);
        ends at ``until``, when nothing can go before it, or at once when a commit rang (a reply
        may be waiting: the next round fetches it).
        """
        tasks: list[asyncio.Task[list[tuple[SendRow, SendOutcome]]]] = []
        left = [row for row in rows if row.key not in planned]
        while left and not (self.stopping or self._event.is_set() or state.throttled):
            if not self.may_send():
                break
            now = self._timer()
            turn = self.scheduler.notices_ready_at((row.key for row in left), now)
            if turn >= until:
                break
            if turn > now:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._event.wait(), turn - now + 0.001)
                if self._event.is_set() or self.stopping or state.throttled:
                    break
                now = self._timer()
            plan, _ = plan_round(left, self.scheduler, now)
            if not plan:
                break
            tasks += [asyncio.create_task(self._send_chat(q, state)) for q in plan.values()]
            left = [row for row in left if row.key not in plan]
        return tasks

    async def _until_first_turn(self, rows: Sequence[SendRow]) -> float:
        """Rows fetched just before their turn (the worker wakes early, see :meth:`idle_seconds`)
        wait here for it, so the window's places are reused the moment they free, not a due
        query later. Returns the time to plan at."""
        now = self._timer()
        if any(not r.counted for r in rows):
            return now  # a button answer goes at once, whatever the limits
        turn = min(self.scheduler.ready_at(r.key, now, reply=r.reply) for r in rows)
        if now < turn <= now + MAX_LEAD_SECONDS and not self.stopping:
            await asyncio.sleep(turn - now + 0.001)  # the event loop's timer may be early
            now = self._timer()
        return now

    def _note_lead(self, seconds: float) -> None:
        """How long a round takes from waking to planning (a moving average, bounded)."""
        seconds = min(MAX_LEAD_SECONDS, max(0.0, seconds))
        self._lead += (seconds - self._lead) * 0.2

    def _talking_chats(self, now: float) -> list[str]:
        """The chats with a conversation under way, the oldest conversation first."""
        for key in [k for k, (_, last) in self._talking.items() if now - last > TALKING_SECONDS]:
            del self._talking[key]
        return [chat for _, chat in self._talking][:MAX_TALKING_CHATS]

    def _note_talking(self, settled: Sequence[tuple[SendRow, SendOutcome]]) -> None:
        """A reply went to a chat: its conversation is under way (since its first reply)."""
        now = self._timer()
        for row, outcome in settled:
            if row.reply and outcome.sent:
                first, _ = self._talking.get(row.key, (now, now))
                self._talking[row.key] = (first, now)  # insertion order: the first reply's

    async def _due(self, uow: UnitOfWork, skip: list[str], talking: list[str]) -> list[SendRow]:
        rows = await uow.outbox.due(
            now=self._clock(),
            limit=self._batch,
            per_chat=self.scheduler.limits.rows_per_chat(),
            skip_chats=skip,
            talking=talking,
        )
        return [send_row_of(r) for r in rows]

    async def _send_chat(
        self, queue: list[SendRow], state: SendRound
    ) -> list[tuple[SendRow, SendOutcome]]:
        async with self._slots:
            settled: list[tuple[SendRow, SendOutcome]] = []
            held = False  # a message had to wait: the chat's later messages wait too
            for row in queue:
                if self.stopping or not self.may_send():
                    # Not started: the row stays unsent for the next holder of the lease.
                    break
                if held and row.counted:
                    continue
                outcome = await self._send(row, state)
                self._on_result(outcome.result)
                settled.append((row, outcome))
                if outcome.sent and outcome.message_ids and row.report_id and row.purpose:
                    # Beside the chat's next send, which need not wait for the database.
                    state.recording.append(
                        asyncio.create_task(
                            self._recorder.record_link_now(row, outcome, state, self.before_link)
                        )
                    )
                elif outcome.sent:
                    self._recorder.record_soon(row, outcome, state)
                if row.counted and not outcome.settled:
                    held = True
                if outcome.throttled is not None:
                    state.throttled = True
            return settled

    async def _send(self, row: SendRow, state: SendRound) -> SendOutcome:
        channel = self._channels.get(row.channel)
        if channel is None:
            return SendOutcome(failed=True, error=f"no channel named {row.channel!r}")
        payload = row.payload
        reply_key = row.reply_key()
        if reply_key is not None:
            # A message sent earlier in this round is newer than anything committed.
            target = state.links.get(reply_key, state.replies.get(reply_key))
            if target is not None:
                payload = {**payload, "reply_to_message_id": target}
        try:
            action = action_from_dict(payload)
            # A channel with screens of its own (WhatsApp) renders them; Telegram's by default.
            method, params = getattr(channel, "render", render)(action)
            if "notice" in payload:  # what a channel may send in its place (a template)
                params = {**params, "notice": payload["notice"]}
        except (KeyError, TypeError, ValueError) as exc:
            return SendOutcome(failed=True, error=f"unreadable outbox payload: {exc!r}")
        if self._uploads is not None:
            try:
                params = await self._uploads.resolve(params)
            except MissingUploadError as exc:
                return SendOutcome(failed=True, error=f"evidence file missing: {exc}")
        if row.counted:
            self.scheduler.sending(row.key, self._timer())
        try:
            result = await channel.call(method, params)
        except Exception as exc:
            return outcome_of_error(row, exc, self._clock(), self._rng)
        finally:
            if row.counted:
                self.scheduler.returned(row.key, self._timer())
        ids = message_ids_of(result)
        if ids and row.report_id is not None and row.purpose:
            state.links[(row.channel, row.chat_id, row.report_id, row.purpose)] = ids[-1]
        if ids and payload.get("kind") == "send_text" and payload.get("pin"):
            self.scheduler.charge_global(self._timer(), self.scheduler.lane(row.key))
            await pin(channel, row, ids[0], self._on_result)
        return SendOutcome(
            sent=True, message_ids=ids, held=held_of(result), wamids=wamids_of(result)
        )
