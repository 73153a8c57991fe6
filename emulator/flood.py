"""Telegram's flood limits as the emulator enforces them: token buckets and sliding windows per
chat, per group and for the whole bot, counted when a request arrives (a 429 with
``retry_after`` when one is full)."""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable
from typing import Any

from emulator.errors import bad_request, too_many_requests


class _Bucket:
    """Token bucket: ``capacity`` burst, refilled at ``rate`` tokens per second."""

    def __init__(self, capacity: float, rate: float, now: float) -> None:
        self.capacity = capacity
        self.rate = rate
        self.tokens = capacity
        self.stamp = now

    def _refill(self, now: float) -> None:
        self.tokens = min(self.capacity, self.tokens + max(0.0, now - self.stamp) * self.rate)
        self.stamp = max(self.stamp, now)

    def wait_time(self, now: float) -> float:
        self._refill(now)
        return 0.0 if self.tokens >= 1 else (1 - self.tokens) / self.rate

    def take(self, now: float) -> None:
        self.tokens -= 1


class _Window:
    """Sliding window: at most ``capacity`` sends in any ``window`` seconds.

    A token bucket of the same rate lets ``capacity + rate * T`` through in ``T`` seconds (a full
    bucket, then its refill); Telegram counts sends per second overall and per minute in a
    group, so a window is the stricter, faithful model: a burst that used the second (or the
    minute) leaves nothing until its first send has left the window.
    """

    def __init__(self, capacity: float, window: float) -> None:
        self.capacity = max(1, math.floor(capacity + 1e-9))
        self.window = window
        self.sends: deque[float] = deque()

    def _expire(self, now: float) -> None:
        while self.sends and self.sends[0] <= now - self.window:
            self.sends.popleft()

    def wait_time(self, now: float) -> float:
        self._expire(now)
        if len(self.sends) < self.capacity:
            return 0.0
        return self.sends[len(self.sends) - self.capacity] + self.window - now

    def take(self, now: float) -> None:
        self.sends.append(now)


_Limit = _Bucket | _Window


class FloodLimiter:
    """Telegram's documented limits: ~30 msg/s per bot, 1/s per chat (burst 3), 20/min per group.

    The overall limit is a sliding window of one second (never more than ``global_per_second``
    sends in any second) and a group's a sliding window of one minute (never more than
    ``group_per_minute`` in any minute); a chat's own limit is a token bucket (1/s, a short burst
    tolerated). A ``group_burst`` below the minute's count adds a token bucket for the group too.
    The rates can be changed (``POST limits``) so tests can enforce the same shape of limits
    scaled up, and finish in a fraction of the time. ``clock`` (monotonic seconds) is for tests.
    """

    GLOBAL_PER_SECOND = 30.0
    CHAT_PER_SECOND = 1.0
    CHAT_BURST = 3.0
    GROUP_PER_MINUTE = 20.0

    def __init__(
        self,
        *,
        global_per_second: float | None = None,
        chat_per_second: float | None = None,
        chat_burst: float | None = None,
        group_per_minute: float | None = None,
        group_burst: float | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.global_per_second = global_per_second or self.GLOBAL_PER_SECOND
        self.chat_per_second = chat_per_second or self.CHAT_PER_SECOND
        self.chat_burst = chat_burst or self.CHAT_BURST
        self.group_per_minute = group_per_minute or self.GROUP_PER_MINUTE
        # Telegram counts groups per minute: a full minute's worth may come at once.
        self.group_burst = group_burst or self.group_per_minute
        self._clock = clock
        self._global = _Window(self.global_per_second, 1.0)
        self._chats: dict[int, _Bucket] = {}
        self._groups: dict[int, list[_Limit]] = {}
        #: When each accepted send was counted (for tests measuring the bot's pace).
        self.accepted: list[float] = []

    @classmethod
    def from_body(cls, body: dict[str, Any]) -> FloodLimiter:
        """From a ``POST limits`` body; missing or empty rates keep Telegram's."""

        def rate(key: str) -> float | None:
            value = body.get(key)
            if value is None or value == "":
                return None
            number = float(value)
            if not number > 0:
                raise bad_request(f"{key} must be positive")
            return number

        return cls(
            global_per_second=rate("global_per_second"),
            chat_per_second=rate("chat_per_second"),
            chat_burst=rate("chat_burst"),
            group_per_minute=rate("group_per_minute"),
            group_burst=rate("group_burst"),
        )

    def describe(self) -> dict[str, Any]:
        return {
            "global_per_second": self.global_per_second,
            "chat_per_second": self.chat_per_second,
            "chat_burst": self.chat_burst,
            "group_per_minute": self.group_per_minute,
            "group_burst": self.group_burst,
        }

    def _group(self, chat_id: int, now: float) -> list[_Limit]:
        found = self._groups.get(chat_id)
        if found is None:
            found = [_Window(self.group_per_minute, 60.0)]
            if self.group_burst < self.group_per_minute:
                found.append(_Bucket(self.group_burst, self.group_per_minute / 60.0, now))
            self._groups[chat_id] = found
        return found

    def check(self, chat_id: int) -> None:
        """Count one send for ``chat_id`` or raise 429 with the wait Telegram would ask for."""
        now = self._clock()
        chat = self._chats.get(chat_id)
        if chat is None:
            chat = self._chats[chat_id] = _Bucket(self.chat_burst, self.chat_per_second, now)
        limits: list[_Limit] = [self._global, chat]
        if chat_id < 0:
            limits.extend(self._group(chat_id, now))
        wait = max(limit.wait_time(now) for limit in limits)
        if wait > 0:
            raise too_many_requests(max(1, math.ceil(wait)))
        for limit in limits:
            limit.take(now)
        self.accepted.append(now)
