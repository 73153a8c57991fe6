"""WhatsApp's lane counts its second as Meta does (issue 30, "Measured"): a message counts in the
second Meta accepts it, a short and steady time after the request's start, so the lane's second
holds a send from its start for a second and a margin, not until a second after its answer as
Telegram's lane does (runtime.limiters.ArrivalWindowLog). Telegram's lane is unchanged."""

from __future__ import annotations

import random
from collections import deque

from runtime.limiters import ArrivalWindowLog
from runtime.pacing import LANE_MARGIN, ChatKey, FloodLimits, FloodScheduler, plan_round
from tests.unit.test_outbox_scheduler import Item

LIMITS = FloodLimits(per_second=30.0, chat_per_second=1.0, channel_overall=(("whatsapp", 80.0),))


def _send_all(scheduler: FloodScheduler, channel: str, count: int, now: float) -> list[ChatKey]:
    rows = [Item((channel, str(1000 + n)), True, reply=True) for n in range(count)]
    plan, _ = plan_round(rows, scheduler, now)
    for key in plan:
        scheduler.sending(key, now)
    return list(plan)


def test_a_quick_answer_frees_whatsapps_second_a_second_and_the_margin_after_the_start() -> None:
    scheduler = FloodScheduler(LIMITS)
    for start in (0.0, 0.5):  # the lane's bucket: 40 at once, then 80 a second
        sent = _send_all(scheduler, "whatsapp", 40, start)
        assert len(sent) == 40
        for key in sent:
            scheduler.returned(key, start + 0.15)  # Meta took each somewhere in between
    # A second and the margin after the first starts their places are free again, though the
    # answers came only 0.91 s before (Telegram's rule would keep them until 1.15).
    assert scheduler.global_allowance(1.0 + LANE_MARGIN - 0.01, "whatsapp") == 0
    assert scheduler.global_allowance(1.0 + LANE_MARGIN + 0.01, "whatsapp") == 40
    # Telegram's lane keeps its rule: a send counts until a second after its answer.
    for start in (0.0, 0.5):
        telegram = _send_all(scheduler, "telegram", 15, start)
        assert len(telegram) == 15
        for key in telegram:
            scheduler.returned(key, start + 0.15)
    assert scheduler.global_allowance(1.1) == 0
    assert scheduler.global_allowance(1.16) == 15


def test_a_send_made_slow_keeps_its_place_until_nearly_a_second_after_its_answer() -> None:
    log = ArrivalWindowLog(1.0, 2, 0.0, margin=0.05, memory=10.0)
    log.take(0.0, 2)
    log.start(0.0)
    log.start(0.0)
    log.release(0.1, 0.0)  # the quickest answer: 0.1 s
    assert log.available(1.04) == 0
    assert log.available(1.06) == 1  # a second after its start and the margin
    assert log.available(5.0) == 1  # the other still on its way: it may arrive any moment
    log.release(5.0, 0.0)  # a stall: it may have arrived just before its answer
    assert log.available(5.9) == 1
    assert log.available(5.96) == 2  # a second after its answer, less 0.1 s, plus the margin


def _drain(scheduler: FloodScheduler, messages: int, seed: int) -> tuple[float, int]:
    """Messages to as many WhatsApp chats, each arriving at the fake 0.08-0.12 s after its start
    and answered 0.02 s later: (when the last arrived, the most arrivals in any second)."""
    rng = random.Random(seed)
    rows = [Item(("whatsapp", str(1000 + n)), True) for n in range(messages)]
    answers: list[tuple[float, ChatKey]] = []
    arrivals: list[float] = []
    now = 0.0
    while rows or answers:
        for answer, key in sorted(a for a in answers if a[0] <= now):
            scheduler.returned(key, answer)
            answers.remove((answer, key))
        plan: dict[ChatKey, list[Item]] = {}
        if scheduler.notice_allowance(now, "whatsapp") > 0:
            plan, _ = plan_round(rows[:100], scheduler, now)
        for key in plan:
            scheduler.sending(key, now)
            arrival = now + rng.uniform(0.08, 0.08 + LANE_MARGIN * 0.8)
            arrivals.append(arrival)
            answers.append((arrival + 0.02, key))
        rows = rows[len(plan) :]  # one message each: the plan is the rows' head
        now = round(now + 0.005, 3)
    second: deque[float] = deque()
    most = 0
    for arrival in sorted(arrivals):  # the fake's count: any second ending at an arrival
        second.append(arrival)
        while second[0] <= arrival - 1.0:
            second.popleft()
        most = max(most, len(second))
    return max(arrivals), most


def test_a_burst_goes_at_95_percent_of_metas_rate_and_no_second_holds_more_than_80() -> None:
    for seed in range(3):
        last, most = _drain(FloodScheduler(LIMITS), 800, seed)
        assert most <= 80
        assert 800 / 80 / last >= 0.95, last  # Telegram's rule: about 0.93
