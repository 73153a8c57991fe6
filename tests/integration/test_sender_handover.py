"""The sender moves between processes (its lease expired): no message twice, no limit broken.

Several ``aduan run`` processes share one database and one of them, the holder of the "sender"
lease, sends (runtime.leader). A holder starved of CPU may fail to renew in time: its lease expires
and another process takes it while the old holder still has a send on its way, or rows fetched
and not yet sent. These tests play both processes on one real database (either engine), with a
manual clock for the leases, the limits and the rows, and a channel per process that records
what Telegram received.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest

from runtime.clock import ManualClock
from runtime.leader import SENDER, Leadership
from runtime.outbox import OutboxWorker
from tests.integration.test_runtime import Database, FakeChannel, outbox_worker
from tests.integration.test_workers_together import CountingDuty

PERIOD = timedelta(seconds=30)


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    database = Database(database_url)
    await database.start()
    yield database
    await database.engine.dispose()


class HeldChannel(FakeChannel):
    """The first send to chat 42 is answered only when the test lets it (a slow request, or a
    process that the machine gives no CPU for a while)."""

    def __init__(self) -> None:
        super().__init__()
        self.entered = asyncio.Event()
        self.release = asyncio.Event()
        self._held = False

    async def call(self, method: str, params: dict[str, Any]) -> Any:
        if str(params["chat_id"]) == "42" and not self._held:
            self._held = True
            self.entered.set()
            await self.release.wait()
        return await super().call(method, params)


def sender_lease(db: Database, holder: str, clock: ManualClock) -> Leadership:
    """The sender's lease for one process; its monotonic clock follows the manual one."""
    return Leadership(
        name=SENDER,
        duty=CountingDuty(),
        uow_factory=db.uow,
        holder=holder,
        period=PERIOD,
        timer=clock,
        monotonic=lambda: clock().timestamp(),
    )


def received(*channels: FakeChannel) -> Counter[str]:
    return Counter(str(params["text"]) for ch in channels for _, params in ch.calls)


async def test_a_sender_whose_lease_expired_mid_round_and_its_successor_send_nothing_twice(
    db: Database,
) -> None:
    """Process A sends; its send to chat 42 hangs while the machine starves A of CPU, so A renews
    no more. Its lease expires and process B takes it over. B must not send what A still has on
    its way (A may yet get the answer and record it), and A, its lease run out, must not start
    the rows it fetched before: each message reaches Telegram once."""
    clock = ManualClock()
    a_channel, b_channel = HeldChannel(), FakeChannel()
    a_worker, b_worker = outbox_worker(db, clock, a_channel), outbox_worker(db, clock, b_channel)
    a, b = sender_lease(db, "host-a:1", clock), sender_lease(db, "host-b:2", clock)
    a_worker.may_send = a.may_act
    b_worker.may_send = b.may_act
    await db.queue(clock, "42", "satu", "dua")
    await db.queue(clock, "43", "tiga")
    assert await a.round() is True
    assert await b.round() is False
    a_round = asyncio.create_task(a_worker.send_due())
    try:
        async with asyncio.timeout(10):
            await a_channel.entered.wait()
        # A is starved: no renewal round. Its lease expires and B takes the sender over.
        clock.advance(PERIOD.total_seconds() + 1)
        assert await b.round() is True
        await b_worker.send_due()  # at once after the takeover: A's send is still on its way
    finally:
        a_channel.release.set()
        async with asyncio.timeout(10):
            await a_round
    for _ in range(5):  # B goes on sending, round after round, as the time passes
        clock.advance(5)
        assert await b.round() is True
        await b_worker.send_due()
    assert received(a_channel, b_channel) == {"satu": 1, "dua": 1, "tiga": 1}
    assert all(row.sent_at is not None for row in await db.outbox_rows())
    assert await a.round() is False  # A comes back and steps down


def group_worker(db: Database, clock: ManualClock, channel: FakeChannel) -> OutboxWorker:
    """Only a group's minute limits this worker (5 a minute here, Telegram's is 20)."""
    return outbox_worker(db, clock, channel, chat_per_second=0, group_per_minute=5)


async def test_a_new_sender_counts_the_sends_its_predecessor_made_to_a_group_this_minute(
    db: Database,
) -> None:
    """A group may get 20 messages a minute, whichever process sends them: a sender that takes
    over seconds after another filled a group's minute waits for that minute to pass."""
    clock = ManualClock()
    first_channel, successor_channel = FakeChannel(), FakeChannel()
    first = group_worker(db, clock, first_channel)
    await db.queue(clock, "-1001", *(f"kartu {n}" for n in range(7)))
    # The group's minute is full: 4 notifications, and the one place kept for a reply to an
    # officer talking there (FloodLimits.group_reply_reserve).
    assert await first.send_due() == 4
    clock.advance(2)
    await db.queue(clock, "42", "halo")
    successor = group_worker(db, clock, successor_channel)
    assert await successor.send_due() == 1
    assert [params["text"] for _, params in successor_channel.calls] == ["halo"]
    clock.advance(30)
    assert await successor.send_due() == 0  # still the same minute for the group
    clock.advance(29)
    assert await successor.send_due() == 3
    assert received(first_channel, successor_channel) == Counter(
        {"halo": 1, **{f"kartu {n}": 1 for n in range(7)}}
    )


async def test_a_holder_acts_only_with_a_margin_left_and_a_taker_waits_only_after_an_expiry(
    db: Database,
) -> None:
    """The rules of Leadership.may_act, one by one: a holder whose renewal is late stops acting
    a third of the period before its lease ends (and acts again once renewed); a lease released
    by a clean stop is taken and used at once; one that expired in its holder's hands is used
    only after a grace of a third of the period."""
    clock = ManualClock()
    a, b = sender_lease(db, "host-a:1", clock), sender_lease(db, "host-b:2", clock)
    assert not a.may_act()  # not leading
    assert await a.round() is True
    assert a.may_act()  # a lease of its own, new: at once
    clock.advance(10)
    assert await a.round() is True  # surely valid until +40 s
    clock.advance(19)
    assert a.may_act()  # 11 s left
    clock.advance(2)
    assert not a.may_act()  # 9 s left: the renewal is late, no new send starts
    assert await a.round() is True
    assert a.may_act()
    await a._step_down(release=True)  # a clean stop
    assert not a.may_act()
    assert await b.round() is True
    assert b.may_act()  # the released lease left nothing on its way
    # B is starved: its lease expires, A takes it and waits out the grace.
    clock.advance(31)
    assert await a.round() is True
    assert not a.may_act()
    clock.advance(9)
    assert not a.may_act()
    assert await a.round() is True  # renewing does not cut the grace short
    clock.advance(1.5)
    assert a.may_act()
    assert await b.round() is False
    assert not b.may_act()
