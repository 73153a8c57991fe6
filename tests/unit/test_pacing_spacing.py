"""WhatsApp's lane spaces its starts (runtime.pacing.LANE_BURST_SECONDS): a drain of
notifications goes a few at a time, about one every 1/80 s, not 40 at once, so each request is
alone on the wire and answered at once; Telegram's lane keeps its half second's burst.

The scheduler's decisions are driven by an injected clock (a millisecond a tick), each planned
send started and answered at its tick."""

from __future__ import annotations

import random

from runtime.limiters import WindowLog
from runtime.pacing import LANE_BURST_SECONDS, FloodLimits, FloodScheduler, Plannable, plan_round

RATE = 80.0
LIMITS = FloodLimits(
    per_second=30.0,
    chat_per_second=1.0,
    channel_chat=(("whatsapp", 1 / 6, 45),),
    channel_overall=(("whatsapp", RATE),),
)
TICK = 0.001
SPACING = 1 / RATE


def _drain(channel: str, rows: int, seconds: float) -> list[float]:
    """The moments the scheduler lets ``rows`` notifications to as many chats start."""
    scheduler = FloodScheduler(LIMITS)
    left = [Plannable((channel, str(1000 + n)), True) for n in range(rows)]
    starts: list[float] = []
    for tick in range(round(seconds / TICK)):
        now = tick * TICK
        plan, _ = plan_round(left, scheduler, now)
        for key in plan:
            scheduler.sending(key, now)
            scheduler.returned(key, now)
            starts.append(now)
        left = [row for row in left if row.key not in plan]
    return starts


def test_whatsapps_sends_start_a_few_at_a_time_one_spacing_apart() -> None:
    starts = _drain("whatsapp", 200, 1.0)
    burst = round(RATE * LANE_BURST_SECONDS)
    assert burst <= 4
    # Never more than the lane's few sends' worth at one moment ...
    assert max(starts.count(moment) for moment in set(starts)) <= burst
    # ... and beyond it, each further start one spacing after (a tick's rounding allowed).
    for first, later in zip(starts, starts[burst:], strict=False):
        assert later - first >= SPACING - TICK - 1e-9
    # The rate is not lost: about 80 in the second (the first few at once, then one a spacing).
    assert len(starts) >= RATE - 2


def test_a_reply_on_whatsapp_still_goes_at_once_while_notifications_drain() -> None:
    scheduler = FloodScheduler(LIMITS)
    notices = [Plannable(("whatsapp", str(1000 + n)), True) for n in range(50)]
    plan, _ = plan_round(notices, scheduler, 0.0)
    for key in plan:
        scheduler.sending(key, 0.0)
        scheduler.returned(key, 0.0)
    reply = Plannable(("whatsapp", "9"), True, reply=True)
    plan, _ = plan_round([reply, *notices[len(plan) :]], scheduler, 0.0)
    assert ("whatsapp", "9") in plan  # the replies' reserve, as on Telegram
    assert len(plan) == 1  # no notification beside it: the lane is spent for now


def test_telegrams_lane_keeps_its_half_second_burst() -> None:
    starts = _drain("telegram", 60, 0.002)
    assert len(starts) == 15 - LIMITS.reserve  # all at once, as before


def test_the_soonest_notification_of_many_chats_is_the_soonest_of_each() -> None:
    """The outbox asks once for a round's chats (notices_ready_at), each lane's overall limits
    once: the answer is the soonest of asking chat by chat."""
    rng = random.Random(7)
    scheduler = FloodScheduler(LIMITS)
    keys = [(channel, str(n)) for channel in ("telegram", "whatsapp") for n in range(30)]
    now = 0.0
    for _ in range(400):
        now += rng.random() / 50
        key = rng.choice(keys)
        if rng.random() < 0.7 and scheduler.ready_at(key, now, reply=False) <= now:
            scheduler.take(key, now)
            scheduler.sending(key, now)
            scheduler.returned(key, now + rng.random() / 20)
        some = rng.sample(keys, 12)
        expected = min(scheduler.notice_ready_at(k, now) for k in some)
        assert scheduler.notices_ready_at(some, now) == expected
        assert scheduler.notices_ready_at([], now) == now


def test_a_windows_next_free_place_is_the_one_a_sorted_log_gives() -> None:
    """WindowLog.ready_at merges its sorted logs instead of sorting them on every ask."""
    rng = random.Random(3)
    log = WindowLog(1.0, 20, 0.0)
    now, on_way = 0.0, 0
    for _ in range(300):
        now += rng.random() / 30
        step = rng.random()
        if step < 0.4 and log.available(now):
            log.take(now)
            log.start(now)
            on_way += 1
        elif step < 0.7 and on_way:
            log.release(now)
            on_way -= 1
        elif step < 0.8 and log.available(now):
            log.take(now)
        for need in (1, 2, 5, 20):
            log._expire(now)
            leaving = sorted([*log._planned, *log._log, *([now] * log._in_flight)])
            free = log.capacity - len(leaving)
            expected = now if free >= need else leaving[need - free - 1] + 1.0 + 1e-6
            assert log.ready_at(now, need) == expected
