"""Pacing under Telegram's flood limits: token buckets and sliding windows per chat, per group
and for the whole bot.

Pure: every method takes the current time, so tests drive it with a fake clock. The outbox worker
asks, each round, how many messages each chat may send now (:func:`plan_round`).

Telegram's published limits: about 30 messages/s overall, about 1 message/s in one chat ("short
bursts" tolerated) and 20 messages/min in a group. A chat is a token bucket: a chat that has been
quiet may send ``burst`` messages at once, then one per second. A token bucket lets ``burst +
rate * T`` through in a window of ``T`` seconds, which is more than Telegram's count over one
second overall or one minute in a group; so those two limits are also sliding-window logs of the
sends themselves (:class:`WindowLog`): never more than 30 in any second, never more than 20 in any
minute in one group, whatever the bursts. Rates and bursts are settings (``OUTBOX_*``).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import TypeVar

from runtime.limiters import Limiter, TokenBucket, WindowLog

UNLIMITED = 1_000_000
TELEGRAM_PER_SECOND = 30
"""Telegram's overall limit: no second may hold more sends than this (or the configured rate,
if it is set higher, as for a bot Telegram allows more)."""

LANE_BURST_SECONDS = 0.05
"""A channel's own lane spaces its starts: 50 ms worth, not half a second's (docs/whatsapp.md)."""

ChatKey = tuple[str, str]
"""(channel, chat_id)"""


def is_group_chat(chat_id: str) -> bool:
    """Telegram gives groups, supergroups and channels negative ids; users positive ones."""
    try:
        return int(chat_id) < 0
    except ValueError:
        return chat_id.startswith("@")  # a public @channelname


# --- flood scheduling (pure: every method takes the current time) -----------------------------


@dataclass(frozen=True)
class FloodLimits:
    """The worker's speed limits; a rate ``<= 0`` lifts that limit.

    A quiet chat may send its whole ``chat_burst`` at once. A group sends at most
    ``group_per_minute`` in any minute (a sliding window, so a card and its photos may go at once
    but the minute never holds more); ``group_burst``, if set, also limits how many go at once.
    Network jitter cannot push a chat over its limit, because a chat's sends are counted as of
    their answer (:meth:`TokenBucket.hold`); ``margin`` keeps sends of each chat's and group's
    burst back all the same (none by default). The overall bucket, shared by concurrent sends,
    paces at Telegram's 30/s with a burst of half a second's worth, and a
    sliding window keeps any one second at 30 at most (:data:`TELEGRAM_PER_SECOND`), counting each
    send from its start until a second after its answer (Telegram counts it on arrival, somewhere
    in between): that window is the guarantee, so the bucket may run at Telegram's own 30/s.
    """

    per_second: float = 30.0
    burst: float | None = None  # overall; default: half a second's worth
    chat_per_second: float = 1.0
    chat_burst: float = 3.0
    group_per_minute: float = 20.0
    group_burst: float | None = None  # default: none beyond the minute's window
    margin: float = 0.0
    # Overall tokens only replies to the person talking may use, so a reply finds one at once
    # even while a burst of notifications drains (at most a quarter of the overall burst).
    reply_reserve: float = 3.0
    # Of a group's minute, what notifications (cards, relays) leave to replies to the people
    # talking in the group (an officer's command), so the group stays usable after a flood
    # (at most a quarter of the minute).
    group_reply_reserve: float = 2.0
    # Channels whose chats have limits of their own, ``(channel, per second, burst)``: WhatsApp's
    # pair rate (about one message every 6 s to a user, short bursts allowed) instead of
    # Telegram's 1/s per chat.
    channel_chat: tuple[tuple[str, float, float], ...] = ()
    # Channels with an overall rate of their own, ``(channel, per second)``: WhatsApp's 80
    # messages/s for a business number, a lane beside Telegram's 30/s, neither slowing the other.
    channel_overall: tuple[tuple[str, float], ...] = ()

    @property
    def global_capacity(self) -> float:
        return self.burst if self.burst is not None else max(1.0, self.per_second / 2)

    @property
    def chat_capacity(self) -> float:
        return max(1.0, self.chat_burst - self.margin)

    @property
    def global_window(self) -> int:
        """The most sends any one second may hold."""
        return max(TELEGRAM_PER_SECOND, math.ceil(self.per_second - 1e-9))

    @property
    def group_window(self) -> int:
        """The most sends any one minute may hold in a group."""
        return max(1, math.floor(self.group_per_minute - self.margin + 1e-9))

    @property
    def group_reserve(self) -> int:
        if self.group_per_minute <= 0:
            return 0
        return math.floor(min(self.group_reply_reserve, self.group_window / 4) + 1e-9)

    @property
    def group_capacity(self) -> float:
        burst = self.group_burst if self.group_burst is not None else self.group_per_minute
        return max(1.0, min(burst, self.group_per_minute) - self.margin)

    @property
    def reserve(self) -> int:
        if self.per_second <= 0:
            return 0
        return math.floor(min(self.reply_reserve, self.global_capacity / 4) + 1e-9)

    @property
    def bulk_batch(self) -> float:
        """Overall tokens a round of notifications waits for: the reserve and a quarter of a
        second's worth, so a draining burst goes in a few rounds a second, not one per token
        (each round asks the database; replies are not held: a commit wakes the worker)."""
        if self.per_second <= 0:
            return 1.0
        return min(self.global_capacity, self.reserve + max(1.0, round(self.per_second / 4)))

    def rows_per_chat(self) -> int | None:
        """At most this many rows of one chat can go in one round (None: no per-chat bound)."""
        if self.chat_per_second > 0:
            return max(1, math.ceil(self.chat_capacity))
        if self.group_per_minute > 0:
            return max(1, math.ceil(self.group_capacity))
        return None


class FloodScheduler:
    """Limits for the whole bot, each chat and each group; answers how much may go now."""

    def __init__(self, limits: FloodLimits) -> None:
        self.limits = limits
        # The overall lanes: "" (Telegram's, and any channel without its own) and one per
        # channel with an overall rate of its own (FloodLimits.channel_overall).
        self._lanes = {"": limits} | {
            name: replace(
                limits,
                per_second=rate,
                burst=max(1.0, rate * LANE_BURST_SECONDS) if rate > 0 else None,
                channel_overall=(),
            )
            for name, rate in limits.channel_overall
        }
        self._global: dict[str, list[Limiter]] = {}
        self._chats: dict[ChatKey, list[Limiter]] = {}

    def lane(self, key: ChatKey) -> str:
        """The overall lane a chat's messages count in."""
        return key[0] if key[0] in self._lanes else ""

    def _overall(self, now: float, lane: str = "") -> list[Limiter]:
        found = self._global.setdefault(lane, [])
        limits = self._lanes[lane]
        if not found and limits.per_second > 0:
            found += [
                TokenBucket(limits.per_second, limits.global_capacity, now),
                WindowLog(1.0, limits.global_window, now),
            ]
        return found  # empty unless limited, or a 429 paused everything (pause_all)

    def _buckets(self, key: ChatKey, now: float) -> list[Limiter]:
        found = self._chats.get(key)
        if found is not None:
            return found
        buckets: list[Limiter] = []
        limits = self.limits
        own = next((c for c in limits.channel_chat if c[0] == key[0]), None)
        if own is not None:
            buckets.append(TokenBucket(own[1], max(1.0, own[2]), now))
            self._chats[key] = buckets
            return buckets
        if limits.chat_per_second > 0:
            buckets.append(TokenBucket(limits.chat_per_second, limits.chat_capacity, now))
        if limits.group_per_minute > 0 and is_group_chat(key[1]):
            buckets.append(WindowLog(60.0, limits.group_window, now))
            if limits.group_burst is not None:
                rate = limits.group_per_minute / 60
                buckets.append(TokenBucket(rate, limits.group_capacity, now))
        self._chats[key] = buckets
        return buckets

    def _group_kept(self, limiter: Limiter, reply: bool) -> int:
        """What a group's notifications leave of its minute for replies (see FloodLimits)."""
        return 0 if reply or not isinstance(limiter, WindowLog) else self.limits.group_reserve

    def chat_allowance(self, key: ChatKey, now: float, *, reply: bool = True) -> int:
        """Messages the chat's own limits allow now (the overall limit not counted); with
        ``reply=False``, notifications: what is left after a group's reserve for replies."""
        buckets = self._buckets(key, now)
        allowed = (b.available(now) - self._group_kept(b, reply) for b in buckets)
        return max(0, min(allowed, default=UNLIMITED))

    def global_allowance(self, now: float, lane: str = "") -> int:
        return min((b.available(now) for b in self._overall(now, lane)), default=UNLIMITED)

    def _kept(self, limiter: Limiter, lane: str = "") -> int:
        """What notifications leave of a limiter for replies: the overall bucket's reserve (a
        token that refills continuously costs no throughput; the second's window keeps none)."""
        return self._lanes[lane].reserve if isinstance(limiter, TokenBucket) else 0

    def notice_allowance(self, now: float, lane: str = "") -> int:
        """Notifications the lane's overall limits allow now, the replies' reserve left."""
        overall = self._overall(now, lane)
        allowed = (b.available(now) - self._kept(b, lane) for b in overall)
        return max(0, min(allowed, default=UNLIMITED))

    def overall_bound(self, waiting: Iterable[ChatKey], now: float) -> bool:
        """Is every overall lane that kept ``waiting`` chats back out of notifications' budget?
        Telegram's burst waiting does not make WhatsApp's wait (each has its own lane)."""
        lanes = {self.lane(key) for key in waiting}
        return bool(lanes) and all(self.notice_allowance(now, lane) < 1 for lane in lanes)

    def take(self, key: ChatKey, now: float) -> None:
        """One message to ``key`` is planned: count it against the chat and its lane."""
        for bucket in self._buckets(key, now):
            bucket.take(now)
        self.charge_global(now, self.lane(key))

    def sending(self, key: ChatKey, now: float) -> None:
        """A message planned earlier goes out now (see :meth:`TokenBucket.sent`)."""
        for bucket in self._buckets(key, now):
            bucket.start(now)
        for overall in self._overall(now, self.lane(key)):
            # The second's window holds the send from its start until a second after its
            # answer: Telegram counts it on arrival, somewhere in between, so a slow send and a
            # quick one a second later cannot meet in one of Telegram's seconds. The overall
            # bucket, shared by concurrent sends, counts it as of its start.
            if isinstance(overall, WindowLog):
                overall.start(now)
            else:
                overall.sent(now)

    def returned(self, key: ChatKey, now: float) -> None:
        """The message :meth:`sending` started has its answer (or failed): the chat's buckets
        and the overall second count it as of now."""
        for bucket in self._chats.get(key, ()):
            bucket.release(now)
        for overall in self._global.get(self.lane(key), ()):
            if isinstance(overall, WindowLog):
                overall.release(now)

    def charge_global(self, now: float, lane: str = "") -> None:
        """A call that is not a message to a chat (a pin) still counts towards the overall rate."""
        for bucket in self._overall(now, lane):
            bucket.take(now)

    def chat_ready_at(self, key: ChatKey, now: float, *, reply: bool = True) -> float:
        buckets = self._buckets(key, now)
        return max((b.ready_at(now, 1 + self._group_kept(b, reply)) for b in buckets), default=now)

    def global_ready_at(self, now: float, *, reply: bool = True, lane: str = "") -> float:
        """When the next reply may go (``reply=False``: the next round of notifications)."""
        overall = self._overall(now, lane)
        if reply:
            return max((b.ready_at(now) for b in overall), default=now)
        # The bucket's batch includes the reserve; the second's window keeps none back.
        limits = self._lanes[lane]
        batch = limits.bulk_batch - limits.reserve
        return max((b.ready_at(now, batch + self._kept(b, lane)) for b in overall), default=now)

    def notice_ready_at(self, key: ChatKey, now: float) -> float:
        """When one more notification may go to the chat: its own limits, and one overall
        place with the replies' reserve left (a round already under way sends it then)."""
        return self.notices_ready_at([key], now)

    def notices_ready_at(self, keys: Iterable[ChatKey], now: float) -> float:
        """The soonest :meth:`notice_ready_at` of ``keys`` (each lane's overall asked once)."""
        chats: dict[str, float] = {}
        for key in keys:
            lane, chat = self.lane(key), self.chat_ready_at(key, now, reply=False)
            chats[lane] = min(chat, chats.get(lane, chat))
        turns = (
            max([chat, *(b.ready_at(now, 1 + self._kept(b, ln)) for b in self._overall(now, ln))])
            for ln, chat in chats.items()
        )
        return min(turns, default=now)

    def ready_at(self, key: ChatKey, now: float, *, reply: bool = True) -> float:
        """When the chat may send its next message, the overall limit included."""
        chat = self.chat_ready_at(key, now, reply=reply)
        return max(chat, self.global_ready_at(now, reply=reply, lane=self.lane(key)))

    def throttle(self, key: ChatKey, seconds: float, now: float) -> None:
        """A 429 for this chat: it sends nothing for ``seconds`` and restarts without a burst."""
        buckets = self._buckets(key, now)
        if not buckets:  # per-chat limits lifted: the chat still respects its retry_after
            buckets.append(TokenBucket(UNLIMITED, UNLIMITED, now))
        for bucket in buckets:
            bucket.pause(now, seconds)

    def pause_all(self, seconds: float, now: float, lane: str = "") -> None:
        """A 429 for the whole bot (its lane): no message of it goes for ``seconds``."""
        buckets = self._overall(now, lane)
        if not buckets:
            buckets.append(TokenBucket(UNLIMITED, UNLIMITED, now))
        for bucket in buckets:
            bucket.pause(now, seconds)

    def seed_group(self, key: ChatKey, moments: Sequence[float], now: float) -> None:
        """A group's sends made by the sender before this one (``moments``, on this clock)
        count against its minute, as Telegram counts them."""
        for bucket in self._buckets(key, now):
            if isinstance(bucket, WindowLog):
                bucket.seed(moments, now)

    def waiting_chats(self, now: float) -> list[ChatKey]:
        """Chats that cannot send a message now (their rows need not be fetched)."""
        return [key for key in self._chats if self.chat_allowance(key, now) < 1]

    def forget_idle(self, now: float) -> None:
        """Drop the buckets that are full again, so memory follows the active chats only."""
        for key in [k for k, bs in self._chats.items() if all(b.idle(now) for b in bs)]:
            del self._chats[key]


@dataclass(frozen=True)
class Plannable:
    """What the planner needs of a queued row: its chat, whether it counts as a message, and
    whether it answers the person talking in that chat (their next screen)."""

    key: ChatKey
    counted: bool
    reply: bool = field(default=False, kw_only=True)


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

    Replies (a chat's leading rows marked ``reply``; the due query puts them first) are served
    before any notification and may use the whole overall allowance; notifications leave the
    limits' ``reserve`` for replies that come before the next refill, and a group's
    ``group_reserve`` of its minute for replies to the people talking there.
    """
    queues: dict[ChatKey, list[PlannableT]] = {}
    for row in rows:
        queues.setdefault(row.key, []).append(row)
    counted = {key: [r for r in queue if r.counted] for key, queue in queues.items()}
    replies = {key: _leading_replies(queue) for key, queue in counted.items()}
    allowed = dict.fromkeys(queues, 0)
    lanes = {key: scheduler.lane(key) for key in queues}
    for wanted, notices in ((replies, False), ({k: len(q) for k, q in counted.items()}, True)):
        # Each overall lane (Telegram's, WhatsApp's) has its own budget.
        allowance = scheduler.notice_allowance if notices else scheduler.global_allowance
        budget = {lane: allowance(now, lane) for lane in set(lanes.values())}
        room: dict[ChatKey, int] = {}  # asked of a chat when its turn comes (a round's few)
        progress = True
        while progress:
            progress = False
            for key in queues:
                if budget[lanes[key]] < 1 or allowed[key] >= wanted[key]:
                    continue
                if key not in room:
                    room[key] = allowed[key] + scheduler.chat_allowance(key, now, reply=not notices)
                if allowed[key] < room[key]:
                    scheduler.take(key, now)
                    allowed[key] += 1
                    budget[lanes[key]] -= 1
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


def _leading_replies(counted: Sequence[Plannable]) -> int:
    n = 0
    for row in counted:
        if not row.reply:
            break
        n += 1
    return n
