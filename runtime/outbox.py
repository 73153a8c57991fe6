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
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from datetime import datetime, timedelta

from bot.channels.base import Channel
from bot.channels.errors import (
    ChatMigrated,
    IgnorableError,
    PermanentError,
    RetryAfter,
    TransientError,
)
from bot.telegram_render import chat_id_param, render
from bot.uploads import MissingUploadError, UploadResolver
from core.purposes import Purpose
from handlers.actions import action_from_dict
from runtime.clock import Clock
from runtime.inbox import UowFactory
from runtime.outbox_rows import (
    EXEMPT_KINDS,
    SendOutcome,
    SendRound,
    SendRow,
    as_utc,
    backoff_delay,
    message_ids_of,
)
from runtime.pacing import (
    ChatKey,
    FloodLimits,
    FloodScheduler,
    is_group_chat,
    plan_round,
)
from runtime.worker import Worker
from storage.outbox_retention import REDACTED_TEXT, redact_settled
from storage.repositories import LANE_KEY, REPLY_LANE
from storage.uow import UnitOfWork

log = logging.getLogger(__name__)

# A chain of migrations (or a move that did not take) must not spin forever.
MAX_MIGRATIONS = 3
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


#: The purpose of outbox rows that carry a message to the reporter (see handlers.notices).
REPORTER_NOTICE = Purpose.NOTICE.value

UndeliverableHandler = Callable[[UnitOfWork, int, str], Awaitable[None]]
"""Called with the unit of work, a report id and Telegram's refusal when a message to that
report's reporter failed for good."""


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
        before_link: Callable[[], Awaitable[None]] | None = None,
        on_result: Callable[[str], None] = lambda _result: None,
        uploads: UploadResolver | None = None,
    ) -> None:
        super().__init__(poll_seconds)
        # Cleaned evidence named ``local:`` in a payload is uploaded from the media store.
        self._uploads = uploads
        # Tests only: awaited between a send that carries a link and its recording, to widen
        # the window in which a person can already reply to the message.
        self.before_link = before_link
        self._uow_factory = uow_factory
        self._on_undeliverable = on_undeliverable
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
            self._overall_bound = bool(waiting) and self.scheduler.notice_allowance(now) < 1
            # For every fetched row: the round may send more of them as places free (below).
            state = SendRound(replies=await self._reply_targets(uow, {None: rows}))
        self._backlog = waiting | still_waiting
        planned = {id(row) for queue in plan.values() for row in queue}
        self._replies_waiting = {r.key for r in rows if r.reply and id(r) not in planned}
        sending = [asyncio.create_task(self._send_chat(q, state)) for q in plan.values()]
        sending += await self._follow_up(rows, set(plan), state, started + FOLLOW_UP_SECONDS)
        results = await asyncio.gather(*sending)
        settled = [pair for result in results for pair in result]
        await asyncio.gather(*state.recording)
        self._slow_down(settled)
        self._note_talking(settled)
        await self._record([pair for pair in settled if pair[0].id not in state.recorded])
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
        if last is not None:
            ago = (wall - as_utc(last)).total_seconds()
            if ago < 1.0:
                self.scheduler.pause_all(1.0 - max(ago, 0.0), now)
        groups: dict[ChatKey, list[float]] = {}
        for channel, chat_id, sent_at, kind in recent:
            if kind in EXEMPT_KINDS or not is_group_chat(chat_id):
                continue
            ago = max(0.0, (wall - as_utc(sent_at)).total_seconds())
            groups.setdefault((channel, chat_id), []).append(now - ago)
        for key, moments in groups.items():
            self.scheduler.seed_group(key, sorted(moments), now)

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
            turn = min(self.scheduler.notice_ready_at(row.key, now) for row in left)
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
        return [
            SendRow(
                key=(r.channel, r.chat_id),
                counted=r.payload.get("kind") not in EXEMPT_KINDS,
                reply=r.payload.get(LANE_KEY) == REPLY_LANE,
                id=r.id,
                payload=dict(r.payload),
                attempts=r.attempts,
                report_id=r.report_id,
                purpose=r.purpose or "",
                link_action=r.link_action or "",
            )
            for r in rows
        ]

    async def _reply_targets(
        self, uow: UnitOfWork, plan: Mapping[ChatKey | None, Iterable[SendRow]]
    ) -> dict[tuple[str, str, int, str], int]:
        """The committed messages this round's rows reply to (by report and purpose)."""
        targets: dict[tuple[str, str, int, str], int] = {}
        for queue in plan.values():
            for row in queue:
                key = row.reply_key()
                if key is None or key in targets:
                    continue
                link = await uow.links.latest(*key)
                if link is not None:
                    targets[key] = int(link.message_id)
        return targets

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
                        asyncio.create_task(self._record_link_now(row, outcome, state))
                    )
                elif outcome.sent:
                    self._record_soon(row, outcome, state)
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
            method, params = render(action)
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
            return self._outcome_of_error(row, exc)
        finally:
            if row.counted:
                self.scheduler.returned(row.key, self._timer())
        ids = message_ids_of(result)
        if ids and row.report_id is not None and row.purpose:
            state.links[(row.channel, row.chat_id, row.report_id, row.purpose)] = ids[-1]
        if ids and payload.get("kind") == "send_text" and payload.get("pin"):
            await self._pin(channel, row, ids[0])
        return SendOutcome(sent=True, message_ids=ids)

    async def _pin(self, channel: Channel, row: SendRow, message_id: int) -> None:
        """Pin a sent message; a refusal (no admin rights ...) is logged, never a resend."""
        self.scheduler.charge_global(self._timer())
        params = {
            "chat_id": chat_id_param(row.chat_id),
            "message_id": message_id,
            "disable_notification": True,
        }
        try:
            await channel.call("pinChatMessage", params)
        except Exception as exc:
            if isinstance(exc, RetryAfter):
                self._on_result("pin_rate_limited")
            log.warning(
                "outbox row %d: pinning failed (%s: %s)",
                row.id,
                type(exc).__name__,
                getattr(exc, "description", ""),
            )

    def _outcome_of_error(self, row: SendRow, exc: Exception) -> SendOutcome:
        now = self._clock()
        if isinstance(exc, IgnorableError):
            return SendOutcome(sent=True)
        if isinstance(exc, RetryAfter):
            return SendOutcome(
                retry_at=now + timedelta(seconds=exc.seconds),
                error="retry_after",
                throttled=exc.seconds,
            )
        if isinstance(exc, ChatMigrated):
            if row.attempts >= MAX_MIGRATIONS:
                return SendOutcome(failed=True, error=exc.description or "chat migrated again")
            return SendOutcome(
                retry_at=now, error="chat migrated", migrated_to=str(exc.new_chat_id)
            )
        if isinstance(exc, PermanentError):
            # Telegram's description ("Forbidden: bot was blocked by the user") has no message text.
            log.warning("outbox row %d failed permanently: %s", row.id, exc.description)
            return SendOutcome(failed=True, error=exc.description or type(exc).__name__)
        if not isinstance(exc, TransientError):
            log.error("outbox row %d: unexpected %s", row.id, type(exc).__name__, exc_info=exc)
        delay = backoff_delay(row.attempts, rng=self._rng)
        return SendOutcome(retry_at=now + timedelta(seconds=delay), error=type(exc).__name__)

    def _slow_down(self, settled: Sequence[tuple[SendRow, SendOutcome]]) -> None:
        """Let the buckets learn from 429s that got through anyway.

        One chat refused: that chat waits its ``retry_after``. Several chats refused in the same
        round: Telegram does not say which limit it was, but only the overall one explains it, so
        every send waits for the longest ``retry_after``.
        """
        now = self._timer()
        throttled: dict[ChatKey, float] = {}
        for row, outcome in settled:
            if outcome.throttled is not None:
                throttled[row.key] = max(throttled.get(row.key, 0.0), outcome.throttled)
        for key, seconds in throttled.items():
            self.scheduler.throttle(key, seconds, now)
        if len(throttled) > 1:
            longest = max(throttled.values())
            log.warning(
                "429 from %d chats in one round: pausing all sends %.0fs", len(throttled), longest
            )
            self.scheduler.pause_all(longest, now)
        elif throttled:
            log.warning("429 from one chat: it waits %.0fs", max(throttled.values()))

    def _record_soon(self, row: SendRow, outcome: SendOutcome, state: SendRound) -> None:
        """A sent message is recorded as soon as the database takes it, not at the round's end.

        Telegram has no idempotent send: a message it answered but that is not yet recorded is
        sent again after a crash. Recording each answer at once (sends that end together share a
        commit) narrows that gap from a whole round to about one commit.
        """
        state.unrecorded.append((row, outcome))
        if state.flusher is None or state.flusher.done():
            state.flusher = asyncio.create_task(self._flush(state))
            state.recording.append(state.flusher)

    async def _flush(self, state: SendRound) -> None:
        while state.unrecorded:
            batch, state.unrecorded = state.unrecorded, []
            try:
                await self._record(batch)
            except Exception:
                # Left to the round's own recording (a second try, in the usual transaction).
                log.exception(
                    "outbox: recording %d sent rows failed; retrying with the round", len(batch)
                )
                return
            state.recorded.update(row.id for row, _ in batch)

    async def _record_link_now(self, row: SendRow, outcome: SendOutcome, state: SendRound) -> None:
        """A sent message about a report: its link and its sent mark, committed together at once.

        People reply within a second of seeing a message; its link must not wait for the rest of
        the round. Until this commit, a reply to it is held back by the handlers (they see the
        row still unsent: handlers.pending), so it is answered once the link is there.
        """
        if self.before_link is not None:
            await self.before_link()
        try:
            await self._record([(row, outcome)])
        except Exception:
            # Left to the round's own recording (a second try, in the usual transaction).
            log.exception(
                "outbox row %d: recording its link failed; retrying with the round", row.id
            )
            return
        state.recorded.add(row.id)

    async def _record(self, settled: list[tuple[SendRow, SendOutcome]]) -> None:
        now = self._clock()
        async with self._uow_factory() as uow:
            migrations: dict[ChatKey, str] = {}
            undeliverable: dict[int, str] = {}
            # Every sent row of the round in one statement (an executemany).
            await uow.outbox.mark_sent_many(
                [(row.id, outcome.message_id) for row, outcome in settled if outcome.sent],
                now=now,
            )
            for row, outcome in settled:
                if (outcome.sent or outcome.failed) and REDACTED_TEXT in row.payload:
                    await redact_settled(uow.session, row.id, row.payload)  # a login link
                if outcome.sent:
                    await self._link(uow, row, outcome.message_ids, now)
                elif outcome.failed:
                    await uow.outbox.mark_failed(row.id, error=outcome.error, now=now)
                    if row.report_id is not None and row.purpose == REPORTER_NOTICE:
                        undeliverable.setdefault(row.report_id, outcome.error)
                elif outcome.retry_at is not None:
                    await uow.outbox.retry_later(
                        row.id, until=outcome.retry_at, error=outcome.error
                    )
                if outcome.migrated_to is not None:
                    migrations[row.key] = outcome.migrated_to
            # Officers learn, in the same transaction, that the reporter did not get a message.
            if self._on_undeliverable is not None:
                for report_id, error in undeliverable.items():
                    await self._on_undeliverable(uow, report_id, error)
            # After the rows above are settled, so only what is still unsent moves.
            for (channel, old), new in migrations.items():
                log.info("outbox: a group chat became a supergroup; moving its queue")
                if not await uow.units.move_chat(channel, old, new):
                    await uow.outbox.move_chat(channel, old, new)
            await uow.commit()

    @staticmethod
    async def _link(uow: UnitOfWork, row: SendRow, ids: Sequence[int], now: datetime) -> None:
        """A sent message about a report becomes a link (an album: every item)."""
        if row.report_id is None or not row.purpose:
            return
        for message_id in ids:
            await uow.links.add(
                channel=row.channel,
                chat_id=row.chat_id,
                message_id=message_id,
                report_id=row.report_id,
                purpose=row.purpose,
                action=row.link_action,
                now=now,
            )
