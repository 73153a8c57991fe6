"""The emulator's flood limits: overall and per-group limits are sliding windows, so a burst a
token bucket of the same rate would let through is refused with 429 (issue 13)."""

from __future__ import annotations

import pytest

from emulator.errors import ApiError
from emulator.flood import FloodLimiter

GROUP = -100
USERS = range(1, 1000)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _refused(limiter: FloodLimiter, chat_id: int) -> int:
    """The retry_after of the 429 this send gets (it must get one)."""
    with pytest.raises(ApiError) as refused:
        limiter.check(chat_id)
    assert refused.value.status == 429
    assert refused.value.retry_after is not None
    return refused.value.retry_after


def test_a_second_holds_at_most_the_overall_limit_even_after_a_full_burst() -> None:
    clock = Clock()
    limiter = FloodLimiter(clock=clock)
    users = iter(USERS)
    for _ in range(30):  # a whole second's worth at once
        limiter.check(next(users))
    clock.now += 0.5  # a 30/s bucket would have 15 tokens again; the second still holds 30
    assert _refused(limiter, next(users)) == 1
    clock.now += 0.49
    _refused(limiter, next(users))
    clock.now += 0.02  # the burst has left the window: a full second's worth again
    for _ in range(30):
        limiter.check(next(users))
    _refused(limiter, next(users))


def test_sends_spread_over_a_second_still_count_together() -> None:
    clock = Clock()
    limiter = FloodLimiter(clock=clock)
    users = iter(USERS)
    for _ in range(30):  # 30 sends, one every 30 ms: a bucket refills a token per 33 ms
        limiter.check(next(users))
        clock.now += 0.03
    # 0.9 s after the first: a bucket would hold about 27 tokens; the window still has 30.
    _refused(limiter, next(users))
    clock.now += 0.11  # the first send left the window: exactly one more fits
    limiter.check(next(users))
    _refused(limiter, next(users))


def test_a_group_gets_at_most_twenty_in_any_minute() -> None:
    clock = Clock()
    limiter = FloodLimiter(clock=clock, chat_per_second=100.0, chat_burst=100.0)
    for _ in range(20):
        limiter.check(GROUP)
    clock.now += 30.0  # a 20/min bucket would have refilled 10
    assert _refused(limiter, GROUP) == 30
    clock.now += 30.01
    for _ in range(20):
        limiter.check(GROUP)
    _refused(limiter, GROUP)
    limiter.check(GROUP - 1)  # another group has its own minute


def test_a_private_chat_keeps_its_short_burst() -> None:
    clock = Clock()
    limiter = FloodLimiter(clock=clock)
    for _ in range(3):
        limiter.check(7)
    _refused(limiter, 7)
    clock.now += 1.0
    limiter.check(7)
    _refused(limiter, 7)


def test_refused_sends_do_not_count() -> None:
    clock = Clock()
    limiter = FloodLimiter(clock=clock, global_per_second=2.0)
    limiter.check(1)
    limiter.check(2)
    for _ in range(5):
        _refused(limiter, 3)
    clock.now += 1.0
    limiter.check(3)
    limiter.check(4)
