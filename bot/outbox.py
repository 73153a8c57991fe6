"""The outbox worker: sends committed messages, in order per chat, until each is delivered.

Retries network trouble and 5xx with capped exponential backoff, waits out 429 ``retry_after``,
and gives up only on permanent refusals (blocked by the user, chat not found), which are recorded.

Telegram's flood limits are the speed limit, not an error source: about 30 messages/s overall,
1/s per chat (short bursts tolerated) and 20/min per group. The worker *schedules* under them with
token buckets instead of sleeping: each round sends, for every chat, only what that chat's buckets
allow now; the rest wait for a later round, and an idle worker sleeps until the next refill.
"""

from __future__ import annotations

import asyncio
import logging
import math
import random
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, TypeVar

from bot.channels.base import Channel
from bot.channels.errors import (
    ChatMigrated,
    IgnorableError,
    PermanentError,
    RetryAfter,
    TransientError,
)
from bot.clock import Clock
from bot.inbox import UowFactory
from bot.telegram_render import chat_id_param, render
from bot.worker import Worker
from handlers.actions import action_from_dict
from storage.uow import UnitOfWork

log = logging.getLogger(__name__)

BACKOFF_START_SECONDS = 1.0
BACKOFF_CAP_SECONDS = 60.0

# A chain of migrations (or a move that did not take) must not spin forever.
MAX_MIGRATIONS = 3
# Chats passed to the due query as "not yet"; beyond this their rows are fetched and left unsent.
MAX_SKIPPED_CHATS = 500
UNLIMITED = 1_000_000

ChatKey = tuple[str, str]
"""(channel, chat_id)"""


def backoff_delay(attempts: int, *, rng: random.Random | None = None) -> float:
    """1 s, 2 s, 4 s ... capped at 60 s, with ±20 % jitter so chats do not retry in lockstep."""
    base = min(BACKOFF_CAP_SECONDS, BACKOFF_START_SECONDS * 2.0 ** min(max(0, attempts), 16))
    jitter: float = (rng or random).uniform(0.8, 1.2)
    return min(BACKOFF_CAP_SECONDS, base * jitter)


def is_group_chat(chat_id: str) -> bool:
    """Telegram gives groups, supergroups and channels negative ids; users positive ones."""
    try:
        return int(chat_id) < 0
    except ValueError:
        return chat_id.startswith("@")  # a public @channelname


# --- flood scheduling (pure: every method takes the current time) -----------------------------


class TokenBucket:
    """``capacity`` sends at once, refilled at ``rate`` per second; can be paused (after a 429)."""

    def __init__(self, rate: float, capacity: float, now: float) -> None:
        self.rate = rate
        self.capacity = max(1.0, capacity)
        self._tokens = self.capacity
        self._stamp = now
        self._paused_until = -math.inf

    def _refill(self, now: float) -> None:
        if now >= self._stamp:
            self._tokens = min(self.capacity, self._tokens + (now - self._stamp) * self.rate)
        else:
            # The clock stepped back (a wall-clock correction): refill nothing, and keep what is
            # left of a pause instead of freezing the bucket for the size of the step.
            self._paused_until -= self._stamp - now
        self._stamp = now

    def available(self, now: float) -> int:
        """Whole sends allowed now."""
        self._refill(now)
        if now < self._paused_until:
            return 0
        return max(0, math.floor(self._tokens + 1e-9))

    def ready_at(self, now: float) -> float:
        """When the next send is allowed (``now`` when it already is)."""
        self._refill(now)
        refilled = now + max(0.0, 1.0 - self._tokens) / self.rate
        return max(self._paused_until, refilled if self._tokens < 1.0 - 1e-9 else now)

    def take(self, now: float, count: float = 1.0) -> None:
        self._refill(now)
        self._tokens -= count

    def sent(self, now: float) -> None:
        """A planned send really starts now: the bucket cannot be fuller than one below capacity.

        The token was taken when the round was planned, but a chat's second message starts only
        after its first returned (and a busy round queues its chats). Had the bucket been full at
        planning, it would meanwhile have refilled as if the send were earlier than it is, and
        the chat's next message could be planned too soon. This is the exact correction of the
        equivalent virtual-scheduling (GCRA) form: the next send is due one interval after this.
        """
        self._refill(now)
        self._tokens = min(self._tokens, self.capacity - 1.0)

    def pause(self, now: float, seconds: float) -> None:
        """Telegram said 429: nothing before ``now + seconds``, and no burst saved up meanwhile
        beyond what the rate refills during the pause."""
        self._refill(now)
        self._tokens = min(self._tokens, 0.0)
        self._paused_until = max(self._paused_until, now + seconds)

    def idle(self, now: float) -> bool:
        """Full and not paused: the same as a fresh bucket, so it can be forgotten."""
        self._refill(now)
        return now >= self._paused_until and self._tokens >= self.capacity


@dataclass(frozen=True)
class FloodLimits:
    """The worker's speed limits; a rate ``<= 0`` lifts that limit.

    Per-chat buckets keep ``margin`` tokens back: the worker takes a token when it plans a send,
    Telegram counts it on arrival, and arrivals may bunch up by up to ``margin / rate`` seconds
    of network jitter (1 s for a private chat, 3 s for a group) without going over the limit.
    The overall bucket gets the same protection from a rate a little under Telegram's 30/s and a
    burst of half a second's worth.
    """

    per_second: float = 28.0
    burst: float | None = None  # overall; default: half a second's worth
    chat_per_second: float = 1.0
    chat_burst: float = 3.0
    group_per_minute: float = 20.0
    group_burst: float | None = None  # default: a minute's worth, as Telegram counts per minute
    margin: float = 1.0

    @property
    def global_capacity(self) -> float:
        return self.burst if self.burst is not None else max(1.0, self.per_second / 2)

    @property
    def chat_capacity(self) -> float:
        return max(1.0, self.chat_burst - self.margin)

    @property
    def group_capacity(self) -> float:
        burst = self.group_burst if self.group_burst is not None else self.group_per_minute
        return max(1.0, burst - self.margin)

    def rows_per_chat(self) -> int | None:
        """At most this many rows of one chat can go in one round (None: no per-chat bound)."""
        if self.chat_per_second > 0:
            return max(1, math.ceil(self.chat_capacity))
        if self.group_per_minute > 0:
            return max(1, math.ceil(self.group_capacity))
        return None


class FloodScheduler:
    """Token buckets for the whole bot, each chat and each group; answers how much may go now."""

    def __init__(self, limits: FloodLimits) -> None:
        self.limits = limits
        self._global: TokenBucket | None = None
        self._chats: dict[ChatKey, list[TokenBucket]] = {}

    def _overall(self, now: float) -> TokenBucket | None:
        if self._global is None and self.limits.per_second <= 0:
            return None  # unless a 429 paused everything (see pause_all)
        if self._global is None:
            self._global = TokenBucket(self.limits.per_second, self.limits.global_capacity, now)
        return self._global

    def _buckets(self, key: ChatKey, now: float) -> list[TokenBucket]:
        found = self._chats.get(key)
        if found is not None:
            return found
        buckets: list[TokenBucket] = []
        limits = self.limits
        if limits.chat_per_second > 0:
            buckets.append(TokenBucket(limits.chat_per_second, limits.chat_capacity, now))
        if limits.group_per_minute > 0 and is_group_chat(key[1]):
            buckets.append(TokenBucket(limits.group_per_minute / 60, limits.group_capacity, now))
        self._chats[key] = buckets
        return buckets

    def chat_allowance(self, key: ChatKey, now: float) -> int:
        """Messages the chat's own limits allow now (the overall limit not counted)."""
        return min((b.available(now) for b in self._buckets(key, now)), default=UNLIMITED)

    def global_allowance(self, now: float) -> int:
        bucket = self._overall(now)
        return UNLIMITED if bucket is None else bucket.available(now)

    def take(self, key: ChatKey, now: float) -> None:
        """One message to ``key`` is planned: count it against the chat and the whole bot."""
        for bucket in self._buckets(key, now):
            bucket.take(now)
        self.charge_global(now)

    def sending(self, key: ChatKey, now: float) -> None:
        """A message planned earlier goes out now (see :meth:`TokenBucket.sent`)."""
        for bucket in self._buckets(key, now):
            bucket.sent(now)
        overall = self._overall(now)
        if overall is not None:
            overall.sent(now)

    def charge_global(self, now: float) -> None:
        """A call that is not a message to a chat (a pin) still counts towards the overall rate."""
        bucket = self._overall(now)
        if bucket is not None:
            bucket.take(now)

    def chat_ready_at(self, key: ChatKey, now: float) -> float:
        return max((b.ready_at(now) for b in self._buckets(key, now)), default=now)

    def global_ready_at(self, now: float) -> float:
        bucket = self._overall(now)
        return now if bucket is None else bucket.ready_at(now)

    def ready_at(self, key: ChatKey, now: float) -> float:
        """When the chat may send its next message, the overall limit included."""
        return max(self.chat_ready_at(key, now), self.global_ready_at(now))

    def throttle(self, key: ChatKey, seconds: float, now: float) -> None:
        """A 429 for this chat: it sends nothing for ``seconds`` and restarts without a burst."""
        buckets = self._buckets(key, now)
        if not buckets:  # per-chat limits lifted: the chat still respects its retry_after
            buckets.append(TokenBucket(UNLIMITED, UNLIMITED, now))
        for bucket in buckets:
            bucket.pause(now, seconds)

    def pause_all(self, seconds: float, now: float) -> None:
        """A 429 for the whole bot: no message at all goes for ``seconds``."""
        bucket = self._overall(now)
        if bucket is None:
            self._global = bucket = TokenBucket(UNLIMITED, UNLIMITED, now)
        bucket.pause(now, seconds)

    def waiting_chats(self, now: float) -> list[ChatKey]:
        """Chats that cannot send a message now (their rows need not be fetched)."""
        return [key for key in self._chats if self.chat_allowance(key, now) < 1]

    def forget_idle(self, now: float) -> None:
        """Drop the buckets that are full again, so memory follows the active chats only."""
        for key in [k for k, bs in self._chats.items() if all(b.idle(now) for b in bs)]:
            del self._chats[key]


@dataclass(frozen=True)
class Plannable:
    """What the planner needs of a queued row: its chat, and whether it counts as a message."""

    key: ChatKey
    counted: bool


PlannableT = TypeVar("PlannableT", bound=Plannable)


def plan_round(
    rows: Sequence[PlannableT], scheduler: FloodScheduler, now: float
) -> tuple[dict[ChatKey, list[PlannableT]], set[ChatKey]]:
    """Pick this round's sends and take their tokens.

    Returns the rows to send per chat (a subsequence of the chat's rows in their order) and the
    chats that keep counted rows for later. A chat's messages go as a prefix: once one must wait,
    the later ones wait too. Rows that are not counted (button answers) always go. Chats are
    served one message each per pass, oldest head first, so a short overall allowance is shared
    rather than spent on the first chat's queue.
    """
    queues: dict[ChatKey, list[PlannableT]] = {}
    for row in rows:
        queues.setdefault(row.key, []).append(row)
    counted = {key: [r for r in queue if r.counted] for key, queue in queues.items()}
    room = {key: scheduler.chat_allowance(key, now) for key in queues}
    allowed = dict.fromkeys(queues, 0)
    budget = scheduler.global_allowance(now)
    progress = True
    while budget > 0 and progress:
        progress = False
        for key in queues:
            if budget <= 0:
                break
            if allowed[key] < min(room[key], len(counted[key])):
                scheduler.take(key, now)
                allowed[key] += 1
                budget -= 1
                progress = True
    plan: dict[ChatKey, list[PlannableT]] = {}
    waiting: set[ChatKey] = set()
    for key, queue in queues.items():
        chosen = set(map(id, counted[key][: allowed[key]]))
        picked = [r for r in queue if not r.counted or id(r) in chosen]
        if picked:
            plan[key] = picked
        if allowed[key] < len(counted[key]):
            waiting.add(key)
    return plan, waiting


# --- the worker -------------------------------------------------------------------------------

# Not messages: Telegram does not count a button answer against the flood limits.
_EXEMPT_KINDS = frozenset({"answer_button"})
_REPLYING_KINDS = frozenset({"send_text", "send_media"})


@dataclass(frozen=True)
class _Row(Plannable):
    """What the worker needs of an outbox row, detached from its session."""

    id: int
    payload: dict[str, Any]
    attempts: int
    report_id: int | None = None
    purpose: str = ""
    link_action: str = ""

    @property
    def channel(self) -> str:
        return self.key[0]

    @property
    def chat_id(self) -> str:
        return self.key[1]

    def reply_key(self) -> tuple[str, str, int, str] | None:
        """The link whose message this row should reply to, when it asks for one."""
        purpose = str(self.payload.get("reply_to_purpose") or "")
        if (
            not purpose
            or self.report_id is None
            or self.payload.get("kind") not in _REPLYING_KINDS
            or self.payload.get("reply_to_message_id") is not None
        ):
            return None
        return (self.channel, self.chat_id, self.report_id, purpose)


@dataclass(frozen=True)
class _Outcome:
    sent: bool = False
    message_ids: tuple[int, ...] = ()
    retry_at: datetime | None = None
    failed: bool = False
    error: str = ""
    throttled: float | None = None  # a 429's retry_after
    migrated_to: str | None = None

    @property
    def settled(self) -> bool:
        return self.sent or self.failed

    @property
    def message_id(self) -> int | None:
        return self.message_ids[0] if self.message_ids else None


@dataclass
class _Round:
    """One round's reply targets: committed ones looked up first, and the round's own sends."""

    links: dict[tuple[str, str, int, str], int] = field(default_factory=dict)
    replies: dict[tuple[str, str, int, str], int] = field(default_factory=dict)
    # Rows already recorded the moment their send returned (see OutboxWorker._record_link_now).
    recorded: set[int] = field(default_factory=set)
    recording: list[asyncio.Task[None]] = field(default_factory=list)


#: The purpose of outbox rows that carry a message to the reporter (see handlers.casework).
REPORTER_NOTICE = "notice"

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
        per_second: float = 28.0,
        chat_per_second: float = 1.0,
        group_per_minute: float = 20.0,
        chat_burst: float = FloodLimits.chat_burst,
        group_burst: float | None = None,
        poll_seconds: float = 0.5,
        batch: int = 50,
        concurrency: int = 16,
        rng: random.Random | None = None,
        timer: Callable[[], float] | None = None,
        on_undeliverable: UndeliverableHandler | None = None,
        before_link: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        super().__init__(poll_seconds)
        # Tests only: awaited between a send that carries a link and its recording, to widen
        # the window in which a person can already reply to the message.
        self.before_link = before_link
        self._uow_factory = uow_factory
        self._on_undeliverable = on_undeliverable
        self._channels = channels
        self._clock = clock
        # Buckets run on the same clock as retry times, so a test's manual clock drives both.
        self._timer = timer or (lambda: clock().timestamp())
        self.scheduler = FloodScheduler(
            FloodLimits(
                per_second=per_second,
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

    async def run_once(self) -> bool:
        return await self.send_due() > 0

    def idle_seconds(self) -> float:
        """Until the next bucket refill a waiting chat needs, or the poll period."""
        if not self._backlog:
            return self._poll
        now = self._timer()
        turn = min(self.scheduler.ready_at(key, now) for key in self._backlog)
        return min(self._poll, max(0.0, turn - now))

    async def send_due(self) -> int:
        """Send what is due and allowed now; returns how many rows were settled or moved.

        Each chat's rows go out one after another, in order, stopping at the first that must be
        retried later; different chats are sent concurrently. The outcomes are recorded in one
        transaction. A crash between a send and that commit sends the message again after
        restart: delivery is at least once.
        """
        now = self._timer()
        skipped = self.scheduler.waiting_chats(now)
        # Chats skipped by the query still hold their rows; the others show what they hold.
        still_waiting = self._backlog.intersection(skipped)
        async with self._uow_factory() as uow:
            rows = await self._due(uow, [chat for _, chat in skipped[:MAX_SKIPPED_CHATS]])
            if not rows or self.stopping:
                self._backlog = still_waiting
                return 0
            plan, waiting = plan_round(rows, self.scheduler, now)
            state = _Round(replies=await self._reply_targets(uow, plan))
        self._backlog = waiting | still_waiting
        results = await asyncio.gather(*(self._send_chat(queue, state) for queue in plan.values()))
        settled = [pair for result in results for pair in result]
        await asyncio.gather(*state.recording)
        self._slow_down(settled)
        await self._record([pair for pair in settled if pair[0].id not in state.recorded])
        self.scheduler.forget_idle(self._timer())
        return sum(1 for _, o in settled if o.settled or o.migrated_to is not None)

    async def _due(self, uow: UnitOfWork, skip: list[str]) -> list[_Row]:
        rows = await uow.outbox.due(
            now=self._clock(),
            limit=self._batch,
            per_chat=self.scheduler.limits.rows_per_chat(),
            skip_chats=skip,
        )
        return [
            _Row(
                key=(r.channel, r.chat_id),
                counted=r.payload.get("kind") not in _EXEMPT_KINDS,
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
        self, uow: UnitOfWork, plan: Mapping[ChatKey, Iterable[_Row]]
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

    async def _send_chat(self, queue: list[_Row], state: _Round) -> list[tuple[_Row, _Outcome]]:
        async with self._slots:
            settled: list[tuple[_Row, _Outcome]] = []
            held = False  # a message had to wait: the chat's later messages wait too
            for row in queue:
                if self.stopping:
                    break
                if held and row.counted:
                    continue
                outcome = await self._send(row, state)
                settled.append((row, outcome))
                if outcome.sent and outcome.message_ids and row.report_id and row.purpose:
                    # Beside the chat's next send, which need not wait for the database.
                    state.recording.append(
                        asyncio.create_task(self._record_link_now(row, outcome, state))
                    )
                if row.counted and not outcome.settled:
                    held = True
            return settled

    async def _send(self, row: _Row, state: _Round) -> _Outcome:
        channel = self._channels.get(row.channel)
        if channel is None:
            return _Outcome(failed=True, error=f"no channel named {row.channel!r}")
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
            return _Outcome(failed=True, error=f"unreadable outbox payload: {exc!r}")
        if row.counted:
            self.scheduler.sending(row.key, self._timer())
        try:
            result = await channel.call(method, params)
        except Exception as exc:
            return self._outcome_of_error(row, exc)
        ids = _message_ids(result)
        if ids and row.report_id is not None and row.purpose:
            state.links[(row.channel, row.chat_id, row.report_id, row.purpose)] = ids[-1]
        if ids and payload.get("kind") == "send_text" and payload.get("pin"):
            await self._pin(channel, row, ids[0])
        return _Outcome(sent=True, message_ids=ids)

    async def _pin(self, channel: Channel, row: _Row, message_id: int) -> None:
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
            log.warning(
                "outbox row %d: pinning failed (%s: %s)",
                row.id,
                type(exc).__name__,
                getattr(exc, "description", ""),
            )

    def _outcome_of_error(self, row: _Row, exc: Exception) -> _Outcome:
        now = self._clock()
        if isinstance(exc, IgnorableError):
            return _Outcome(sent=True)
        if isinstance(exc, RetryAfter):
            return _Outcome(
                retry_at=now + timedelta(seconds=exc.seconds),
                error="retry_after",
                throttled=exc.seconds,
            )
        if isinstance(exc, ChatMigrated):
            if row.attempts >= MAX_MIGRATIONS:
                return _Outcome(failed=True, error=exc.description or "chat migrated again")
            return _Outcome(retry_at=now, error="chat migrated", migrated_to=str(exc.new_chat_id))
        if isinstance(exc, PermanentError):
            # Telegram's description ("Forbidden: bot was blocked by the user") has no message text.
            log.warning("outbox row %d failed permanently: %s", row.id, exc.description)
            return _Outcome(failed=True, error=exc.description or type(exc).__name__)
        if not isinstance(exc, TransientError):
            log.error("outbox row %d: unexpected %s", row.id, type(exc).__name__, exc_info=exc)
        delay = backoff_delay(row.attempts, rng=self._rng)
        return _Outcome(retry_at=now + timedelta(seconds=delay), error=type(exc).__name__)

    def _slow_down(self, settled: Sequence[tuple[_Row, _Outcome]]) -> None:
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

    async def _record_link_now(self, row: _Row, outcome: _Outcome, state: _Round) -> None:
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

    async def _record(self, settled: list[tuple[_Row, _Outcome]]) -> None:
        now = self._clock()
        async with self._uow_factory() as uow:
            migrations: dict[ChatKey, str] = {}
            undeliverable: dict[int, str] = {}
            for row, outcome in settled:
                if outcome.sent:
                    await uow.outbox.mark_sent(row.id, message_id=outcome.message_id, now=now)
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
    async def _link(uow: UnitOfWork, row: _Row, ids: Sequence[int], now: datetime) -> None:
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


def _message_ids(result: Any) -> tuple[int, ...]:
    """The sent messages' ids: a Message, a list of them (an album), or none (``True``)."""
    messages = result if isinstance(result, list) else [result]
    return tuple(
        int(m["message_id"])
        for m in messages
        if isinstance(m, Mapping) and isinstance(m.get("message_id"), int)
    )
