"""Several bot processes on one database: each update handled once, in order per chat, and
one leader for the clock.

Each "process" here has its own engine (its own connections), as separate machines would; they
share the event loop only so that the test can watch them. SQLite is one writer by design (a
second process on it is refused at start), so these tests need the PostgreSQL server.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import sys
from collections import defaultdict
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from handlers.events import Event, Message
from locales import Catalogs
from runtime.clock import ManualClock
from runtime.inbox import InboxProcessor
from runtime.inbox_rows import record_update
from runtime.leader import REMINDERS, Leadership, local_scope, process_name
from storage import leases
from storage.db import create_engine, migration_head, schema_problem
from storage.uow import UnitOfWork
from tests.databases import database_on
from tests.integration.database import Database
from tests.integration.test_runtime import album_update, text_update

pytestmark = pytest.mark.postgresql  # several processes share one server

CHANNEL = "telegram"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
async def shared_url(tmp_path: Path) -> AsyncIterator[str]:
    async with database_on("postgresql", tmp_path) as url:
        yield url


class WatchingConversations:
    """Records who handled what, and fails the test if two processes are in one chat at once."""

    def __init__(self) -> None:
        self.handled: dict[str, list[tuple[str, Event]]] = defaultdict(list)
        self.busy: set[str] = set()
        self.overlaps: list[str] = []
        # Each process's first step waits (a while at most) until every process is in a step:
        # a process holding its chats must leave the others to the rest. Without it, a fast
        # process could take every chat before the other looked (a flaky "both did work").
        self.at_work: dict[str, asyncio.Event] = {}

    def for_process(self, name: str) -> _Process:
        self.at_work[name] = asyncio.Event()
        return _Process(self, name)

    async def all_at_work(self, name: str) -> None:
        if self.at_work[name].is_set():
            return
        self.at_work[name].set()
        others = [e.wait() for e in self.at_work.values()]
        with contextlib.suppress(TimeoutError):  # then the test's "both did work" fails
            await asyncio.wait_for(asyncio.gather(*others), timeout=10)


class _Process:
    def __init__(self, watch: WatchingConversations, name: str) -> None:
        self._watch = watch
        self._name = name

    async def handle(self, event: Event, uow: UnitOfWork) -> None:
        chat = event.chat_id
        if chat in self._watch.busy:
            self._watch.overlaps.append(chat)
        self._watch.busy.add(chat)
        try:
            await self._watch.all_at_work(self._name)
            await asyncio.sleep(0.005)  # the other process gets its turn meanwhile
            self._watch.handled[chat].append((self._name, event))
        finally:
            self._watch.busy.discard(chat)


async def _processes(url: str, count: int) -> list[Database]:
    databases = [Database(url) for _ in range(count)]
    for db in databases:
        await db.start()
    return databases


async def test_two_processes_share_the_inbox_without_overlap(shared_url: str) -> None:
    clock = ManualClock()
    first, second = await _processes(shared_url, 2)
    try:
        sent: dict[str, list[str]] = defaultdict(list)
        for n in range(12):
            for number in range(1, 7):
                text = f"pesan {n}"
                await record_update(first.uow, CHANNEL, text_update(number, text), clock)
                sent[str(number)].append(text)
        for n in range(3):  # one album of three photos, which must arrive as one message
            await record_update(first.uow, CHANNEL, album_update(9, "album-9", n), clock)
        clock.advance(seconds=5)
        watch = WatchingConversations()
        workers = [
            InboxProcessor(
                uow_factory=db.uow,
                conversations=watch.for_process(name),
                catalogs=Catalogs("id"),
                clock=clock,
                album_wait=timedelta(seconds=1),
                concurrency=2,  # seven chats: neither process can hold them all
            )
            for db, name in ((first, "A"), (second, "B"))
        ]

        async def drain(worker: InboxProcessor) -> None:
            while (await worker.process_pending())[0]:
                pass

        await asyncio.gather(*(drain(w) for w in workers))
    finally:
        await first.engine.dispose()
        await second.engine.dispose()

    assert watch.overlaps == []
    for chat, texts in sent.items():
        events = [event for _, event in watch.handled[chat]]
        assert [e.text for e in events if isinstance(e, Message)] == texts  # once each, in order
    album = watch.handled["9"]
    assert len(album) == 1
    assert isinstance(album[0][1], Message)
    assert len(album[0][1].photos) == 3
    by_process = {name for chat in sent for name, _ in watch.handled[chat]}
    assert by_process == {"A", "B"}  # both did work: the claims spread it


class CountingDuty:
    """A duty that only counts: how many times it was taken up and handed over."""

    def __init__(self) -> None:
        self.running = False
        self.taken_up = 0

    async def take_up(self) -> None:
        assert not self.running
        self.running = True
        self.taken_up += 1

    async def hand_over(self) -> None:
        self.running = False

    def check(self) -> None:
        return None


def _leadership(db: Database, holder: str, clock: ManualClock, **options: object) -> Any:
    return Leadership(
        name=REMINDERS,
        duty=CountingDuty(),
        uow_factory=db.uow,
        holder=holder,
        period=timedelta(seconds=30),
        timer=clock,
        **options,  # type: ignore[arg-type]
    )


async def test_a_lease_has_one_holder_and_moves_when_it_expires(database_url: str) -> None:
    """On either engine: the first process leads, the second waits; a leader that stopped
    renewing (killed) is replaced once its lease expired; it steps down when it comes back."""
    clock = ManualClock()
    db = Database(database_url)
    await db.start()
    try:
        first = _leadership(db, "host-a:1", clock)
        second = _leadership(db, "host-b:2", clock)
        assert await first.round() is True
        assert await second.round() is False
        clock.advance(seconds=10)
        assert await first.round() is True  # renewed: now valid until +40 s
        clock.advance(seconds=29)
        assert await second.round() is False
        # The first process is killed: it renews no more. The lease expires, the second leads.
        clock.advance(seconds=2)
        assert await second.round() is True
        assert second._duty.running
        assert second._duty.taken_up == 1
        # The first comes back (a paused VM): it sees another holder and stops its duty.
        assert await first.round() is False
        assert not first._duty.running
        async with db.uow() as uow:
            assert await leases.holder_of(uow.session, REMINDERS, now=clock()) == "host-b:2"
    finally:
        await db.engine.dispose()


async def test_a_clean_stop_hands_the_lease_over_at_once(database_url: str) -> None:
    clock = ManualClock()
    db = Database(database_url)
    await db.start()
    try:
        first = _leadership(db, "host-a:1", clock)
        second = _leadership(db, "host-b:2", clock)
        first_run = asyncio.create_task(first.run())
        await _until(lambda: first.leading)
        assert await second.round() is False
        first.stop()
        await first_run
        assert not first._duty.running
        assert await second.round() is True  # no need to wait for the expiry
    finally:
        await db.engine.dispose()


async def test_two_runtimes_elect_one_clock_and_the_survivor_takes_over(shared_url: str) -> None:
    """Two processes, each with its own engine, race for the lease many times over: never two
    leaders; when the leader dies the other takes over within one period plus one renewal."""
    clock = ManualClock()
    first, second = await _processes(shared_url, 2)
    try:
        a = _leadership(first, "host-a:1", clock)
        b = _leadership(second, "host-b:2", clock)
        for _ in range(20):
            results = await asyncio.gather(a.round(), b.round())
            assert sorted(results) == [False, True]
            assert a._duty.running != b._duty.running
            clock.advance(seconds=10)
        leader, follower = (a, b) if a.leading else (b, a)
        # The leader dies; the follower keeps trying every 10 s (a third of the period).
        tries = 0
        while not await follower.round():
            clock.advance(seconds=10)
            tries += 1
        assert tries * 10 <= 30 + 10
        assert follower._duty.taken_up == 1
        assert leader._duty.running  # the dead one never learnt; its process is gone
    finally:
        await first.engine.dispose()
        await second.engine.dispose()


async def _until(check: Callable[[], bool]) -> None:
    for _ in range(200):
        if check():
            return
        await asyncio.sleep(0.01)
    raise AssertionError("condition not met")


async def test_workers_starting_together_migrate_one_after_another(
    shared_url: str, tmp_path: Path
) -> None:
    """Each worker migrates on start: three processes at once on a fresh database all succeed
    (an advisory lock puts them one after another; the later ones find the schema current)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "DATABASE_URL": shared_url}
    workers = [
        await asyncio.create_subprocess_exec(
            sys.executable, "-m", "cli.main", "migrate", cwd=tmp_path, env=env
        )
        for _ in range(3)
    ]
    assert [await worker.wait() for worker in workers] == [0, 0, 0]
    engine = create_engine(shared_url)
    try:
        assert await schema_problem(engine, migration_head()) is None
    finally:
        await engine.dispose()


async def test_a_leader_that_cannot_reach_the_database_steps_down(database_url: str) -> None:
    """It cannot know whether its lease still holds: the duty stops rather than risk two."""
    clock = ManualClock()
    db = Database(database_url)
    await db.start()
    reachable = True

    def uow_factory() -> UnitOfWork:
        if not reachable:
            raise ConnectionRefusedError("database down")
        return db.uow()

    try:
        duty = CountingDuty()
        leader = Leadership(
            name=REMINDERS, duty=duty, uow_factory=uow_factory, holder="a:1", timer=clock
        )
        assert await leader.round() is True
        reachable = False
        clock.advance(seconds=10)
        assert await leader.round() is False
        assert not duty.running
        reachable = True
        assert await leader.round() is True  # its own lease: taken up again at once
        assert duty.taken_up == 2
    finally:
        await db.engine.dispose()


async def _a_pid_that_has_ended() -> int:
    child = await asyncio.create_subprocess_exec(sys.executable, "-c", "pass")
    await child.wait()
    return child.pid


async def test_a_restarted_process_takes_over_from_its_dead_predecessor_at_once(
    database_url: str,
) -> None:
    """A process killed (SIGKILL) and started again on the same machine need not wait for its
    predecessor's lease to expire: the lease names the holder's machine and pid, and a pid that
    no longer runs there is known for sure to hold nothing. A live holder, or one on another
    machine (or another container, whose pids this process cannot see), still keeps its lease."""
    clock = ManualClock()
    db = Database(database_url)
    await db.start()
    try:
        host, scope = socket.gethostname()[:64], local_scope()
        dead = f"{host}:{await _a_pid_that_has_ended()}:0badc0de:{scope}"
        alive = f"{host}:{os.getppid()}:0badc0de:{scope}"
        elsewhere = f"{host}:{await _a_pid_that_has_ended()}:0badc0de:other-container"
        for holder, taken_at_once in [(alive, False), (elsewhere, False), (dead, True)]:
            assert await _leadership(db, holder, clock).round() is True
            restarted = _leadership(db, process_name(), clock)
            assert await restarted.round() is taken_at_once, holder
            if not taken_at_once:
                clock.advance(seconds=31)  # the holder renews no more: the lease expires
                assert await restarted.round() is True
            await restarted._step_down(release=True)
            clock.advance(seconds=1)
        async with db.uow() as uow:
            assert await leases.holder_of(uow.session, REMINDERS, now=clock()) is None
    finally:
        await db.engine.dispose()
