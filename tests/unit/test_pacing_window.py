"""The overall second counts a send from its start until a second after its answer (issue 13).

Telegram counts a message when it arrives, somewhere between the request's start and its answer;
the emulator counts it on arrival. A send counted only as of its start lets a slow send (arrived
late) and a quick one a second after its start land in the same second at Telegram.
"""

from __future__ import annotations

from runtime.pacing import ChatKey, FloodLimits, FloodScheduler, plan_round
from tests.unit.test_outbox_scheduler import Item


def _chats(count: int) -> list[ChatKey]:
    return [("telegram", str(1000 + n)) for n in range(count)]


def test_a_slow_send_holds_its_place_in_the_second_until_a_second_after_its_answer() -> None:
    scheduler = FloodScheduler(FloodLimits(per_second=30.0, burst=30.0))
    chats = _chats(60)
    plan, _ = plan_round([Item(key, True, reply=True) for key in chats[:30]], scheduler, 0.0)
    assert len(plan) == 30
    for key in plan:
        scheduler.sending(key, 0.0)
    for key in plan:
        scheduler.returned(key, 0.4)  # answered late: each may have arrived at 0.4
    # 1.05 s after the starts, but only 0.65 s after the answers: the second may still be full.
    assert scheduler.global_allowance(1.05) == 0
    plan, waiting = plan_round([Item(key, True, reply=True) for key in chats[30:]], scheduler, 1.05)
    assert plan == {}
    assert len(waiting) == 30
    assert scheduler.global_ready_at(1.05) > 1.4
    assert scheduler.global_allowance(1.41) == 30


def test_a_send_still_on_its_way_counts_in_every_second() -> None:
    scheduler = FloodScheduler(FloodLimits(per_second=30.0, burst=30.0))
    chats = _chats(31)
    plan, _ = plan_round([Item(key, True, reply=True) for key in chats[:30]], scheduler, 0.0)
    for key in plan:
        scheduler.sending(key, 0.0)
    # Nothing answered yet, 5 s later (a stalled connection): all 30 may arrive at any moment.
    assert scheduler.global_allowance(5.0) == 0
    for key in plan:
        scheduler.returned(key, 5.0)
    assert scheduler.global_allowance(5.5) == 0
    assert scheduler.global_allowance(6.01) == 30


def test_the_next_notification_is_due_when_the_first_place_frees_not_a_whole_batch() -> None:
    """A round under way sends one more notification as soon as one place is free (with the
    replies' reserve kept), instead of waiting for a new round's batch of places."""
    scheduler = FloodScheduler(FloodLimits(per_second=30.0, burst=30.0))
    chats = _chats(31)
    plan, _ = plan_round([Item(key, True, reply=True) for key in chats[:30]], scheduler, 0.0)
    assert len(plan) == 30  # the second is full
    for n, key in enumerate(plan):
        scheduler.sending(key, 0.0)
        scheduler.returned(key, 0.01 * (n + 1))  # answers spread over the round
    waiting = chats[30]
    turn = scheduler.notice_ready_at(waiting, 0.5)
    assert 1.01 < turn < 1.02  # a second after the first answer
    assert scheduler.global_ready_at(0.5, reply=False) > 1.08  # a new round's batch: 8 places
    plan, _ = plan_round([Item(waiting, True)], scheduler, turn)
    assert list(plan) == [waiting]
