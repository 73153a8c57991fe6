"""The outbox's flood scheduling, pure: token buckets and round planning on an injected clock."""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass

import pytest

from runtime.limiters import TokenBucket, WindowLog
from runtime.pacing import (
    ChatKey,
    FloodLimits,
    FloodScheduler,
    Plannable,
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
    scheduler.returned(PRIVATE, 1.0)
    plan, _ = plan_round(rows(PRIVATE, 5), scheduler, 1.0)
    # Telegram saw one message just now, not one a second ago: two more of the burst of three.
    assert sent(plan, PRIVATE) == [0, 1]


def test_a_send_counts_as_of_its_answer() -> None:
    """Arrivals cannot bunch up by network jitter: the bucket refills only after the answer."""
    scheduler = FloodScheduler(FloodLimits())
    plan, _ = plan_round(rows(PRIVATE, 3), scheduler, 0.0)
    assert sent(plan, PRIVATE) == [0, 1, 2]
    for moment in (0.0, 0.1):
        scheduler.sending(PRIVATE, moment)
        scheduler.returned(PRIVATE, moment + 0.1)
    scheduler.sending(PRIVATE, 0.2)
    assert scheduler.chat_allowance(PRIVATE, 5.0) == 0  # still on its way: nothing refilled
    scheduler.returned(PRIVATE, 5.0)
    assert scheduler.ready_at(PRIVATE, 5.0) == pytest.approx(6.0)
    assert scheduler.chat_allowance(PRIVATE, 8.0) == 3


def test_a_clock_stepping_back_does_not_freeze_a_bucket() -> None:
    bucket = TokenBucket(rate=1.0, capacity=1, now=1000.0)
    bucket.take(1000.0)
    assert bucket.available(10.0) == 0  # stepped back: no refill, but no debt either
    assert bucket.available(11.0) == 1


def test_a_private_chat_bursts_then_gets_one_per_second() -> None:
    scheduler = FloodScheduler(FloodLimits())
    plan, waiting = plan_round(rows(PRIVATE, 5), scheduler, 0.0)
    # Telegram tolerates a burst of about 3 (OUTBOX_CHAT_BURST).
    assert sent(plan, PRIVATE) == [0, 1, 2]
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
    times = send_times(scheduler, GROUP, 20, 0.5)
    # Notifications: the minute's worth at once but two, kept for replies to the people talking
    # in the group; then nothing until the minute is over (the first round after 60 s).
    assert times[:18] == [0.0] * 18
    assert times[18:] == [60.5, 60.5]
    scheduler = FloodScheduler(FloodLimits(per_second=0, chat_per_second=0))
    notices = rows(GROUP, 20)
    plan, _ = plan_round(notices, scheduler, 0.0)
    assert len(plan[GROUP]) == 18
    replies = [Item(GROUP, True, 100 + n, reply=True) for n in range(3)]
    plan, waiting = plan_round(replies + notices[18:], scheduler, 1.0)
    assert sent(plan, GROUP) == [100, 101]  # an officer's command is answered; never 21 a minute
    assert waiting == {GROUP}
    assert scheduler.ready_at(GROUP, 1.0) == pytest.approx(60.0, abs=1e-3)


def test_a_group_also_keeps_to_one_message_a_second() -> None:
    times = send_times(FloodScheduler(FloodLimits()), GROUP, 30, 0.5)
    assert times[:5] == [0.0, 0.0, 0.0, 1.0, 2.0]
    # One a second until the minute holds 18 notifications (at 15 s), then each as one leaves it.
    assert times[17] == 15.0
    assert times[18:23] == [60.5, 60.5, 60.5, 61.5, 62.5]
    assert times[23:] == [63.5, 64.5, 65.5, 66.5, 67.5, 68.5, 69.5]


def test_a_window_counts_a_held_send_until_a_window_after_its_answer() -> None:
    log = WindowLog(60.0, 2, now=0.0)
    log.take(0.0, 2)
    assert log.available(0.0) == 0
    log.start(5.0)  # planned at 0, starts at 5 and is on its way ...
    log.sent(5.0)  # ... the other counts from its start
    assert log.ready_at(10.0) == pytest.approx(65.0)
    log.release(20.0)  # ... answered at 20: it may have arrived as late as that
    assert log.available(65.0) == 0  # the minute [5, 65] still holds the first
    assert log.available(65.1) == 1
    assert log.ready_at(65.1, 2) == pytest.approx(80.0)
    assert log.available(log.ready_at(65.1, 2)) == 2
    assert log.idle(80.1)


def test_a_window_survives_a_clock_stepping_back() -> None:
    log = WindowLog(1.0, 1, now=1000.0)
    log.take(1000.0)
    log.sent(1000.0)
    assert log.available(999.5) == 0  # a call out of order: still counted
    assert log.available(10.0) == 0  # a correction: the send stays a window long ...
    assert log.available(11.1) == 1  # ... not a thousand seconds


def test_the_overall_budget_is_shared_one_message_per_chat_per_pass() -> None:
    scheduler = FloodScheduler(FloodLimits(per_second=4, burst=4, reply_reserve=0))
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
    assert sent(plan, PRIVATE) == [0, 1, 2, 3]  # three messages allowed; the answer rides along

    queue = [Item(PRIVATE, True, 0), Item(PRIVATE, False, 1), Item(PRIVATE, True, 2)]
    queue += [Item(PRIVATE, True, 3), Item(PRIVATE, True, 4), Item(PRIVATE, False, 5)]
    plan, _ = plan_round(queue, FloodScheduler(FloodLimits()), 0.0)
    assert sent(plan, PRIVATE) == [0, 1, 2, 3, 5]  # the fourth message waits, answers never


def test_a_429_slows_only_that_chat() -> None:
    scheduler = FloodScheduler(FloodLimits())
    scheduler.throttle(PRIVATE, 5.0, 0.0)
    plan, waiting = plan_round(rows(PRIVATE, 1) + rows(OTHER, 1), scheduler, 1.0)
    assert sent(plan, OTHER) == [0]
    assert waiting == {PRIVATE}
    assert scheduler.ready_at(PRIVATE, 1.0) == pytest.approx(5.0)
    assert scheduler.waiting_chats(1.0) == [PRIVATE]
    plan, _ = plan_round(rows(PRIVATE, 5), scheduler, 5.0)
    assert sent(plan, PRIVATE) == [0, 1, 2]


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
    scheduler.forget_idle(60.1)  # the group's minute holds the send until just after 60 s
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


def test_the_bursts_are_settings() -> None:
    limits = FloodLimits(per_second=10, burst=6, chat_burst=5, group_burst=8)
    scheduler = FloodScheduler(limits)
    plan, _ = plan_round(rows(PRIVATE, 10), scheduler, 0.0)
    assert sent(plan, PRIVATE) == [0, 1, 2, 3, 4]
    times = send_times(
        FloodScheduler(FloodLimits(per_second=0, chat_per_second=0, group_burst=8)), GROUP, 9, 0.5
    )
    assert times == [0.0] * 8 + [3.0]


def person(seed: int, steps: int, think: tuple[float, float]) -> list[tuple[float, int]]:
    """A citizen's steps: when each is taken and how many counted messages the bot answers with
    (an edited screen, sometimes a new message as well)."""
    rng = random.Random(seed)
    moments: list[tuple[float, int]] = []
    now = 0.0
    for _ in range(steps):
        now += rng.uniform(*think)
        moments.append((round(now, 2), rng.choice([1, 1, 1, 2])))
    return moments


def simulate(
    limits: FloodLimits, chats: dict[ChatKey, list[tuple[float, int]]], *, seed: int = 1
) -> tuple[dict[ChatKey, list[tuple[float, float]]], list[tuple[float, ChatKey]]]:
    """The worker's loop on a fake clock: each step's messages are queued when it is taken; a
    round plans, sends every chat's planned messages one after another (each 10 to 400 ms on its
    way, arriving somewhere in between) and ends when every answer is back; rounds start at least
    10 ms apart. Returns, per chat, (queued at, sent at) of every message, and the arrivals."""
    rng = random.Random(seed)
    scheduler = FloodScheduler(limits)
    pending = {key: sorted(steps) for key, steps in chats.items()}
    queue: list[tuple[Item, float]] = []
    done: dict[ChatKey, list[tuple[float, float]]] = {key: [] for key in chats}
    arrivals: list[tuple[float, ChatKey]] = []
    serial = itertools.count()
    now = 0.0
    while True:
        for key, steps in pending.items():
            while steps and steps[0][0] <= now + 1e-9:
                at, count = steps.pop(0)
                queue += [(Item(key, True, next(serial)), at) for _ in range(count)]
        if not queue and not any(pending.values()):
            return done, arrivals
        plan, _ = plan_round([item for item, _ in queue], scheduler, now)
        chosen = {id(item) for items in plan.values() for item in items}
        end = now
        for key, items in plan.items():
            moment = now
            for item in items:
                trip = rng.uniform(0.01, 0.4)
                scheduler.sending(key, moment)
                arrivals.append((moment + rng.uniform(0.0, trip), key))
                done[key].append((next(at for it, at in queue if it is item), moment))
                moment += trip
                scheduler.returned(key, moment)
            end = max(end, moment)
        queue = [entry for entry in queue if id(entry[0]) not in chosen]
        now = round(max(end, now + 0.01), 6)


def most_in_any_window(moments: list[float], seconds: float) -> int:
    moments = sorted(moments)
    return max(
        (
            sum(1 for m in moments[i:] if m <= start + seconds + 1e-9)
            for i, start in enumerate(moments)
        ),
        default=0,
    )


def test_a_person_at_reading_pace_is_answered_at_once() -> None:
    """A lone citizen who reads each screen (1.2 to 4 s) never waits for the per-chat limit."""
    for seed in range(20):
        done, _ = simulate(FloodLimits(), {PRIVATE: person(seed, 15, (1.2, 4.0))}, seed=seed)
        waits = [sent_at - queued for queued, sent_at in done[PRIVATE]]
        assert max(waits) < 0.4 + 0.4 + 0.02, seed  # at most behind its own earlier messages


@pytest.mark.parametrize("think", [(0.0, 0.05), (0.2, 1.0), (1.0, 3.0)])
@pytest.mark.parametrize(
    "limits", [FloodLimits(per_second=10, burst=5), FloodLimits()], ids=["slow", "defaults"]
)
def test_sustained_rates_stay_under_the_limits_over_any_window(
    think: tuple[float, float], limits: FloodLimits
) -> None:
    """Citizens faster than anyone reads, groups and a crowd: no window breaks a limit, and the
    network between the worker and Telegram (answers in 10 to 400 ms) does not make one.

    With the default limits the crowd (40 chats) asks for more than Telegram allows, so the
    overall and the group limits are reached; Telegram's own limits bound every window: at most
    30 messages in any second overall and 20 in any minute per group (sends and arrivals)."""
    chats: dict[ChatKey, list[tuple[float, int]]] = {
        ("telegram", str(7000 + n)): person(n, 30, think) for n in range(40)
    }
    for n in range(3):  # groups fed a card, a photo and a relay at a time
        chats[("telegram", str(-2000 - n))] = [(t, 3) for t, _ in person(100 + n, 12, think)]
    done, arrivals = simulate(limits, chats)
    telegram = TelegramModel()
    assert len(arrivals) == sum(c for steps in chats.values() for _, c in steps)
    for moment, key in sorted(arrivals):
        telegram.arrive(key, moment)
    assert telegram.violations == 0
    everything = [sent_at for sends in done.values() for _, sent_at in sends]
    assert most_in_any_window(everything, 1.0) <= 30  # Telegram: about 30 messages/s
    for seconds in (0.5, 1.0, 3.0, 10.0):
        bound = limits.global_capacity + limits.per_second * seconds
        assert most_in_any_window(everything, seconds) <= bound
        for sends in done.values():
            moments = [sent_at for _, sent_at in sends]
            assert most_in_any_window(moments, seconds) <= 3 + 1.0 * seconds
    for key, sends in done.items():
        if is_group_chat(key[1]):
            # Telegram: 20 messages a minute in a group, over any minute.
            assert most_in_any_window([sent_at for _, sent_at in sends], 60.0) <= 20
            assert most_in_any_window([at for at, k in arrivals if k == key], 60.0) <= 20


def test_replies_go_first_and_notifications_leave_them_a_reserve() -> None:
    limits = FloodLimits(per_second=20, burst=8, reply_reserve=2)
    scheduler = FloodScheduler(limits)
    notices = [Item(("telegram", str(3000 + n)), True, n) for n in range(10)]
    plan, _ = plan_round(notices, scheduler, 0.0)
    assert len(plan) == 6  # eight tokens, two kept for replies
    talking = [Item(PRIVATE, True, 100, reply=True), Item(PRIVATE, True, 101, reply=True)]
    more = [Item(("telegram", str(4000 + n)), True, n) for n in range(5)]
    plan, _ = plan_round(talking + more, scheduler, 0.0)
    assert sent(plan, PRIVATE) == [100, 101]  # the reserve is theirs
    assert len(plan) == 1
    # Notifications wait for a batch above the reserve (two plus a quarter of a second's worth);
    # a reply waits only for its own token.
    assert scheduler.global_ready_at(0.0) == pytest.approx(1 / 20)
    assert scheduler.global_ready_at(0.0, reply=False) == pytest.approx(7 / 20)


def test_a_reply_goes_before_the_notice_queued_earlier_in_its_chat() -> None:
    scheduler = FloodScheduler(FloodLimits(per_second=20, burst=8))
    # The due query puts a chat's replies first: [reply, older notice, older notice].
    queue = [Item(PRIVATE, True, 9, reply=True), Item(PRIVATE, True, 1), Item(PRIVATE, True, 2)]
    plan, _ = plan_round(queue, scheduler, 0.0)
    assert sent(plan, PRIVATE) == [9, 1, 2]
    plan, _ = plan_round([Item(OTHER, True, 5, reply=True)], scheduler, 0.0)
    assert sent(plan, OTHER) == [5]
