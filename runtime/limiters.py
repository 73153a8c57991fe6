"""The two limiters pacing is built of, pure (every method takes the current time): a token
bucket (a burst, then a steady rate: one chat) and a sliding-window log of the sends themselves
(never more than so many in any window: the whole bot's second, a group's minute)."""

from __future__ import annotations

import bisect
import heapq
import itertools
import math
from collections.abc import Sequence
from typing import Protocol

_JUST_AFTER = 1e-6  # a window's send leaves just after the window, not at its end


class TokenBucket:
    """``capacity`` sends at once, refilled at ``rate`` per second; can be paused (after a 429)."""

    def __init__(self, rate: float, capacity: float, now: float) -> None:
        self.rate = rate
        self.capacity = max(1.0, capacity)
        self._tokens = self.capacity
        self._stamp = now
        self._paused_until = -math.inf
        self._in_flight = 0

    def _refill(self, now: float) -> None:
        if now >= self._stamp and self._in_flight:
            pass  # a send is on its way: it counts as of its return (see hold), no refill yet
        elif now >= self._stamp:
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

    def ready_at(self, now: float, need: float = 1.0) -> float:
        """When ``need`` tokens are there (the next send: one; ``now`` when they already are)."""
        self._refill(now)
        refilled = now + max(0.0, need - self._tokens) / self.rate
        return max(self._paused_until, refilled if self._tokens < need - 1e-9 else now)

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

    def hold(self, now: float) -> None:
        """A send to this bucket's chat starts now: refill nothing until it has returned.

        Telegram counts a message when it arrives, some time between the start of the request and
        its answer. A chat's messages go one after another, so counting each as of its answer
        (:meth:`release`) makes the gaps this bucket sees never longer than the gaps between
        arrivals: whatever the network's jitter, Telegram's bucket is at least as full as this one,
        and no token has to be kept back for jitter.
        """
        self._refill(now)
        self._in_flight += 1

    def start(self, now: float) -> None:
        """A planned send starts now and is on its way until :meth:`release`."""
        self.sent(now)
        self.hold(now)

    def release(self, now: float) -> None:
        """The send started by :meth:`hold` has returned (or failed): refill from now on."""
        self._refill(now)
        self._in_flight = max(0, self._in_flight - 1)

    def pause(self, now: float, seconds: float) -> None:
        """Telegram said 429: nothing before ``now + seconds``, and no burst saved up meanwhile
        beyond what the rate refills during the pause."""
        self._refill(now)
        self._tokens = min(self._tokens, 0.0)
        self._paused_until = max(self._paused_until, now + seconds)

    def idle(self, now: float) -> bool:
        """Full and not paused: the same as a fresh bucket, so it can be forgotten."""
        self._refill(now)
        return not self._in_flight and now >= self._paused_until and self._tokens >= self.capacity


class Limiter(Protocol):
    """What the scheduler asks of a token bucket or a sliding window."""

    def available(self, now: float) -> int: ...
    def ready_at(self, now: float, need: float = 1.0) -> float: ...
    def take(self, now: float, count: float = 1.0) -> None: ...
    def sent(self, now: float) -> None: ...
    def start(self, now: float) -> None: ...
    def release(self, now: float) -> None: ...
    def pause(self, now: float, seconds: float) -> None: ...
    def idle(self, now: float) -> bool: ...


class WindowLog:
    """At most ``capacity`` sends in any ``window`` seconds: a log of the sends still inside it.

    A token bucket cannot say "20 a minute" without either forbidding a burst or letting ``burst
    + 20`` through in some minute; this can: a group may get a card and its photos at once, and
    still never more than 20 in any minute. A planned send (:meth:`take`) counts as of its
    planning, is moved to when it really starts (:meth:`sent`), and a held one (:meth:`start`,
    :meth:`release`) counts from its start until a window after its answer, as Telegram counts a
    message when it arrives, somewhere in between.
    """

    def __init__(self, window: float, capacity: int, now: float) -> None:
        self.window = window
        self.capacity = max(1, capacity)
        self._planned: list[float] = []  # taken, not yet started (sorted)
        self._log: list[float] = []  # started (or answered, when held), sorted
        self._in_flight = 0
        self._latest = now
        self._paused_until = -math.inf

    def _expire(self, now: float) -> None:
        if now < self._latest - self.window:
            # The clock stepped back by more than a window (a wall-clock correction): move
            # everything by the step, so nothing waits for the size of the step. Smaller steps
            # back are calls out of order (concurrent sends) and change nothing.
            step = self._latest - now
            self._planned = [t - step for t in self._planned]
            self._log = [t - step for t in self._log]
            self._paused_until -= step
            self._latest = now
        self._latest = max(self._latest, now)
        # A send at t is in every window that holds t: it leaves only after t + window.
        edge = now - self.window - 1e-9
        for entries in (self._planned, self._log):
            del entries[: bisect.bisect_left(entries, edge)]

    def _used(self) -> int:
        return len(self._planned) + len(self._log) + self._in_flight

    def available(self, now: float) -> int:
        self._expire(now)
        if now < self._paused_until:
            return 0
        return max(0, self.capacity - self._used())

    def ready_at(self, now: float, need: float = 1.0) -> float:
        """When ``need`` sends fit (a send on its way frees its place a window after its
        answer at the earliest, so not before a window from now)."""
        self._expire(now)
        need = min(math.ceil(need - 1e-9), self.capacity)
        free = self.capacity - self._used()
        if free >= need:
            return max(self._paused_until, now)
        # The (need - free)th to leave, of the sorted logs and the sends on their way (now):
        # merged, not sorted, as a draining lane asks this for every chat of a round.
        leaving = heapq.merge(self._planned, self._log, itertools.repeat(now, self._in_flight))
        moment = next(itertools.islice(leaving, need - free - 1, None))
        return max(self._paused_until, moment + self.window + _JUST_AFTER)

    def take(self, now: float, count: float = 1.0) -> None:
        self._expire(now)
        for _ in range(max(1, math.ceil(count - 1e-9))):
            bisect.insort(self._planned, now)

    def _unplan(self) -> None:
        if self._planned:
            del self._planned[0]

    def sent(self, now: float) -> None:
        """A planned send starts now: it counts from now on (a window from now)."""
        self._expire(now)
        self._unplan()
        bisect.insort(self._log, now)

    def start(self, now: float) -> None:
        """A planned send starts now and counts until a window after :meth:`release`."""
        self._expire(now)
        self._unplan()
        self._in_flight += 1

    def release(self, now: float) -> None:
        self._expire(now)
        if self._in_flight:
            self._in_flight -= 1
            bisect.insort(self._log, now)

    def seed(self, moments: Sequence[float], now: float) -> None:
        """Sends made before this log existed (by another process) count from ``moments``."""
        self._expire(now)
        for moment in moments:
            if now - self.window < moment <= now:
                bisect.insort(self._log, moment)

    def pause(self, now: float, seconds: float) -> None:
        """Telegram said 429: nothing before ``now + seconds``."""
        self._expire(now)
        self._paused_until = max(self._paused_until, now + seconds)

    def idle(self, now: float) -> bool:
        self._expire(now)
        return not self._used() and now >= self._paused_until
