"""The outbox's flood scheduling, pure: token buckets and round planning on an injected clock."""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass

import pytest

from bot.outbox import (
    ChatKey,
    FloodLimits,
    FloodScheduler,
    Plannable,
    TokenBucket,
    is_group_chat,
    plan_round,
)

PRIVATE: ChatKey = ("telegram", "1001")
OTHER: ChatKey = ("telegram", "1002")
GROUP: ChatKey = ("telegram", "-100123")


@dataclass(frozen=True)
class Item(Plannable):
    n: int = 0


def rows(key: ChatKey, count: int, *, counted: bool = True) -> list[Item]:
    return [Item(key, counted, n) for n in range(count)]


def sent(plan: dict[ChatKey, list[Item]], key: ChatKey) -> list[int]:
    return [item.n for item in plan.get(key, [])]


def test_group_ids_are_negative() -> None:
    assert is_group_chat("-100123")
    assert is_group_chat("-42")
    assert is_group_chat("@kanal_pengumuman")
    assert not is_group_chat("1001")


def test_a_bucket_bursts_then_refills_at_its_rate() -> None:
    bucket = TokenBucket(rate=2.0, capacity=3, now=0.0)
    assert bucket.available(0.0) == 3
    bucket.take(0.0, 3)
    assert bucket.available(0.0) == 0
    assert bucket.ready_at(0.0) == pytest.approx(0.5)
    assert bucket.available(0.49) == 0
    assert bucket.available(0.5) == 1
    assert bucket.available(100.0) == 3  # never more than the burst


def test_a_paused_bucket_sends_nothing_until_the_pause_ends() -> None:
    bucket = TokenBucket(rate=1.0, capacity=2, now=0.0)
    bucket.pause(0.0, 5.0)
    assert bucket.ready_at(1.0) == pytest.approx(5.0)
    assert bucket.available(4.9) == 0
    assert bucket.available(5.0) == 2  # refilled during the pause, up to its burst


def test_a_send_that_starts_late_counts_from_when_it_starts() -> None:
    bucket = TokenBucket(rate=1.0, capacity=2, now=0.0)
    bucket.take(0.0)  # planned at 0 ...
    bucket.sent(1.0)  # ... sent at 1, after the chat's previous message returned
    assert bucket.available(1.0) == 1  # not 2: the refill before 1 s was the full bucket's
    assert bucket.available(2.0) == 2


def test_a_send_queued_behind_a_busy_round_does_not_earn_a_burst() -> None:
    scheduler = FloodScheduler(FloodLimits())
    plan, _ = plan_round(rows(PRIVATE, 1), scheduler, 0.0)
    assert sent(plan, PRIVATE) == [0]
    scheduler.sending(PRIVATE, 1.0)  # it waited a second for a free connection
    plan, _ = plan_round(rows(PRIVATE, 3), scheduler, 1.0)
    assert sent(plan, PRIVATE) == [0]  # Telegram saw one message just now, not one a second ago


def test_a_clock_stepping_back_does_not_freeze_a_bucket() -> None:
    bucket = TokenBucket(rate=1.0, capacity=1, now=1000.0)
    bucket.take(1000.0)
    assert bucket.available(10.0) == 0  # stepped back: no refill, but no debt either
    assert bucket.available(11.0) == 1


def test_a_private_chat_bursts_then_gets_one_per_second() -> None:
    scheduler = FloodScheduler(FloodLimits())
    plan, waiting = plan_round(rows(PRIVATE, 5), scheduler, 0.0)
    # Telegram tolerates a burst of about 3; one token stays back for network jitter.
    assert sent(plan, PRIVATE) == [0, 1]
    assert waiting == {PRIVATE}
    assert scheduler.ready_at(PRIVATE, 0.0) == pytest.approx(1.0)
    plan, _ = plan_round(rows(PRIVATE, 3), scheduler, 0.5)
    assert plan == {}
    plan, _ = plan_round(rows(PRIVATE, 3), scheduler, 1.0)
    assert sent(plan, PRIVATE) == [0]


def send_times(scheduler: FloodScheduler, key: ChatKey, count: int, step: float) -> list[float]:
    """When each of ``count`` queued messages goes, with a round every ``step`` seconds."""
    times: list[float] = []
    for tick in itertools.count():
        if len(times) == count:
            return times
        now = tick * step
        plan, _ = plan_round(rows(key, count - len(times)), scheduler, now)
        times += [now] * len(plan.get(key, []))
    raise AssertionError("unreachable")


def test_a_group_gets_twenty_a_minute() -> None:
    scheduler = FloodScheduler(FloodLimits(per_second=0, chat_per_second=0))
    times = send_times(scheduler, GROUP, 22, 0.5)
    # A minute's worth at once (one kept back for jitter), then one per 3 s.
    assert times[:19] == [0.0] * 19
    assert times[19:] == [3.0, 6.0, 9.0]


def test_a_group_also_keeps_to_one_message_a_second() -> None:
    times = send_times(FloodScheduler(FloodLimits()), GROUP, 30, 0.5)
    assert times[:4] == [0.0, 0.0, 1.0, 2.0]
    # One a second while the group's minute lasts (19 plus a third a second), then one per 3 s.
    assert times[25:] == [24.0, 25.0, 27.0, 30.0, 33.0]


def test_the_overall_budget_is_shared_one_message_per_chat_per_pass() -> None:
    scheduler = FloodScheduler(FloodLimits(per_second=4, burst=4))
    queue = rows(PRIVATE, 2) + rows(OTHER, 2) + rows(GROUP, 2)
    plan, waiting = plan_round(queue, scheduler, 0.0)
    assert sent(plan, PRIVATE) == [0, 1]
    assert sent(plan, OTHER) == [0]
    assert sent(plan, GROUP) == [0]
    assert waiting == {OTHER, GROUP}
    assert scheduler.global_ready_at(0.0) == pytest.approx(0.25)


def test_button_answers_never_wait() -> None:
    scheduler = FloodScheduler(FloodLimits(per_second=1, burst=1))
    scheduler.pause_all(30.0, 0.0)
    scheduler.throttle(PRIVATE, 30.0, 0.0)
    queue = [Item(PRIVATE, True, 0), Item(PRIVATE, False, 1), Item(PRIVATE, True, 2)]
    plan, waiting = plan_round(queue, scheduler, 1.0)
    assert sent(plan, PRIVATE) == [1]
    assert waiting == {PRIVATE}


def test_a_chat_keeps_its_order_the_later_messages_wait_with_the_first() -> None:
    scheduler = FloodScheduler(FloodLimits())
    queue = [Item(PRIVATE, True, 0), Item(PRIVATE, False, 1), Item(PRIVATE, True, 2)]
    queue += [Item(PRIVATE, True, 3)]
    plan, _ = plan_round(queue, scheduler, 0.0)
    assert sent(plan, PRIVATE) == [0, 1, 2]  # two messages allowed; the answer rides along


def test_a_429_slows_only_that_chat() -> None:
    scheduler = FloodScheduler(FloodLimits())
    scheduler.throttle(PRIVATE, 5.0, 0.0)
    plan, waiting = plan_round(rows(PRIVATE, 1) + rows(OTHER, 1), scheduler, 1.0)
    assert sent(plan, OTHER) == [0]
    assert waiting == {PRIVATE}
    assert scheduler.ready_at(PRIVATE, 1.0) == pytest.approx(5.0)
    assert scheduler.waiting_chats(1.0) == [PRIVATE]
    plan, _ = plan_round(rows(PRIVATE, 3), scheduler, 5.0)
    assert sent(plan, PRIVATE) == [0, 1]


def test_a_global_pause_stops_every_chat() -> None:
    scheduler = FloodScheduler(FloodLimits(per_second=0))  # even with the overall limit lifted
    scheduler.pause_all(2.0, 0.0)
    plan, waiting = plan_round(rows(PRIVATE, 1) + rows(GROUP, 1), scheduler, 1.0)
    assert plan == {}
    assert waiting == {PRIVATE, GROUP}
    plan, _ = plan_round(rows(PRIVATE, 1) + rows(GROUP, 1), scheduler, 2.0)
    assert sent(plan, PRIVATE) == [0]
    assert sent(plan, GROUP) == [0]


def test_lifted_limits_send_everything_at_once() -> None:
    limits = FloodLimits(per_second=0, chat_per_second=0, group_per_minute=0)
    scheduler = FloodScheduler(limits)
    plan, waiting = plan_round(rows(GROUP, 40), scheduler, 0.0)
    assert len(plan[GROUP]) == 40
    assert waiting == set()
    assert limits.rows_per_chat() is None


def test_full_buckets_are_forgotten() -> None:
    scheduler = FloodScheduler(FloodLimits())
    plan_round(rows(PRIVATE, 1) + rows(GROUP, 1), scheduler, 0.0)
    scheduler.forget_idle(1.0)
    assert scheduler.waiting_chats(1.0) == []
    scheduler.forget_idle(60.0)
    assert scheduler._chats == {}


class TelegramModel:
    """An independent model of Telegram's documented limits, to check a schedule against."""

    def __init__(self) -> None:
        self.buckets: dict[tuple[str, str], list[float]] = {}  # tokens, stamp, rate, capacity
        self.violations = 0

    def _spend(self, name: tuple[str, str], rate: float, capacity: float, now: float) -> None:
        tokens, stamp = self.buckets.get(name, [capacity, now])[:2]
        tokens = min(capacity, tokens + (now - stamp) * rate)
        if tokens < 1 - 1e-9:
            self.violations += 1
        self.buckets[name] = [tokens - 1, now]

    def arrive(self, key: ChatKey, now: float) -> None:
        self._spend(("all", ""), 30.0, 30.0, now)
        self._spend(("chat", key[1]), 1.0, 3.0, now)
        if is_group_chat(key[1]):
            self._spend(("group", key[1]), 20 / 60, 20.0, now)


def test_a_burst_drains_near_the_ideal_time_without_breaking_any_limit() -> None:
    """600 messages in random order: 250 private chats x 2, 10 groups x 10.

    Rounds every 20 ms pick rows the way the due query does: the chats that cannot send are
    skipped, each chat's first two rows, heads first, at most 50.
    """
    keys = [("telegram", str(5000 + n)) for n in range(250) for _ in range(2)]
    keys += [("telegram", str(-1000 - n)) for n in range(10) for _ in range(10)]
    random.Random(7).shuffle(keys)
    queued = [Item(key, True, n) for n, key in enumerate(keys)]
    scheduler = FloodScheduler(FloodLimits())
    arrivals: list[tuple[float, ChatKey]] = []
    last = 0.0
    for step in itertools.count():
        if not queued:
            break
        now = step * 0.02
        skipped = set(scheduler.waiting_chats(now))
        ranks: dict[ChatKey, int] = {}
        window: list[tuple[int, int, Item]] = []
        for item in queued:
            ranks[item.key] = ranks.get(item.key, 0) + 1
            if item.key not in skipped and ranks[item.key] <= 2:
                window.append((ranks[item.key], item.n, item))
        plan, _ = plan_round([item for *_, item in sorted(window)[:50]], scheduler, now)
        for key, items in plan.items():
            for index, item in enumerate(items):
                # Each arrives 0..50 ms after planning: the jitter the margins absorb.
                arrivals.append((now + 0.025 * ((step + index + int(key[1])) % 3), key))
                queued.remove(item)
                last = now
    telegram = TelegramModel()
    for moment, key in sorted(arrivals):
        telegram.arrive(key, moment)
    assert len(arrivals) == 600
    assert telegram.violations == 0
    ideal = 600 / 30
    assert ideal / last >= 0.9
