"""One process handles different chats side by side, each chat's own updates one at a time and in
order, an album whole; every step writes and commits, on both engines (issue 13)."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Callable, Collection
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from handlers.events import Event, Message
from locales import Catalogs
from runtime.clock import ManualClock
from runtime.inbox import InboxProcessor
from runtime.inbox_rows import record_updates
from storage.uow import UnitOfWork
from tests.databases import ENGINES, database_on
from tests.integration.database import Database
from tests.integration.test_runtime import album_update, text_update
from tests.waits import until_asleep

CHANNEL = "telegram"


class Recorder:
    """Writes each step into the chat's conversation (as a real step does) and records who ran
    when: a chat's overlap with itself is a defect, different chats at once are the point."""

    def __init__(self) -> None:
        self.handled: dict[str, list[Event]] = defaultdict(list)
        self.busy: set[str] = set()
        self.overlaps: list[str] = []
        self.most_at_once = 0

    async def handle(self, event: Event, uow: UnitOfWork) -> None:
        chat = event.chat_id
        if chat in self.busy:
            self.overlaps.append(chat)
        self.busy.add(chat)
        self.most_at_once = max(self.most_at_once, len(self.busy))
        try:
            conversation = await uow.conversations.get_or_create(
                CHANNEL, chat, language="id", now=ManualClock()()
            )
            await asyncio.sleep(0.01)  # a step that waits (a download, the database)
            conversation.step_seq += 1
            self.handled[chat].append(event)
        finally:
            self.busy.discard(chat)


def _processor(
    db: Database, recorder: Recorder, clock: ManualClock, *, concurrency: int
) -> InboxProcessor:
    return InboxProcessor(
        uow_factory=db.uow,
        conversations=recorder,
        catalogs=Catalogs("id"),
        clock=clock,
        album_wait=timedelta(seconds=1),
        concurrency=concurrency,
    )


async def _until_handled(db: Database, worker: InboxProcessor) -> None:
    """The running loop (``run``) until nothing is pending, then a stop."""
    loop = asyncio.create_task(worker.run())
    try:
        async with asyncio.timeout(60):
            while True:
                async with db.uow() as uow:
                    if not await uow.inbox.pending_keys(limit=1):
                        break
                await asyncio.sleep(0.02)
    finally:
        worker.stop()
        await loop


@pytest.mark.parametrize("mode", ["rounds", "loop"])
@pytest.mark.parametrize("engine", ENGINES)
async def test_chats_run_side_by_side_each_in_its_own_order(
    tmp_path: Path, engine: str, mode: str
) -> None:
    clock = ManualClock()
    async with database_on(engine, tmp_path) as url:
        db = Database(url)
        await db.start()
        try:
            sent: dict[str, list[str]] = defaultdict(list)
            batch = []
            for n in range(5):
                for number in range(1, 11):
                    batch.append(text_update(number, f"pesan {n}"))
                    sent[str(number)].append(f"pesan {n}")
            batch += [album_update(20, "album-20", n) for n in range(3)]
            assert await record_updates(db.uow, CHANNEL, batch, clock) == len(batch)
            clock.advance(seconds=5)  # the album is quiet
            recorder = Recorder()
            worker = _processor(db, recorder, clock, concurrency=4)
            if mode == "rounds":
                while (await worker.process_pending())[0]:
                    pass
            else:
                await _until_handled(db, worker)
            async with db.uow() as uow:
                assert await uow.inbox.pending_keys(limit=100) == []
                steps = {
                    chat: (
                        await uow.conversations.get_or_create(
                            CHANNEL, chat, language="id", now=clock()
                        )
                    ).step_seq
                    for chat in sent
                }
        finally:
            await db.engine.dispose()

    assert recorder.overlaps == []
    assert recorder.most_at_once > 1  # chats did run side by side
    for chat, texts in sent.items():
        assert [e.text for e in recorder.handled[chat] if isinstance(e, Message)] == texts
        assert steps[chat] == len(texts)  # every step committed, none lost to a busy database
    [album] = recorder.handled["20"]
    assert isinstance(album, Message)
    assert len(album.photos) == 3


class OrderRecorder(Recorder):
    """Also notes the order in which updates were handled, as (chat, text)."""

    def __init__(self) -> None:
        super().__init__()
        self.order: list[tuple[str, str]] = []

    async def handle(self, event: Event, uow: UnitOfWork) -> None:
        await super().handle(event, uow)
        if isinstance(event, Message):
            self.order.append((event.chat_id, event.text))


async def _until_none_pending(db: Database) -> None:
    async with asyncio.timeout(60):
        while True:
            async with db.uow() as uow:
                if not await uow.inbox.pending_keys(limit=1):
                    return
            await asyncio.sleep(0.02)


async def _order_with_one_slot(
    engine: str, tmp_path: Path, first: list[dict[str, Any]], then: list[dict[str, Any]]
) -> list[tuple[str, str]]:
    """The running loop with one slot: ``first`` handled (its chats are then under way), 30 s
    later ``then`` as one getUpdates batch; the order in which every update was handled."""
    clock = ManualClock()
    recorder = OrderRecorder()
    async with database_on(engine, tmp_path) as url:
        db = Database(url)
        await db.start()
        worker = _processor(db, recorder, clock, concurrency=1)
        loop = asyncio.create_task(worker.run())
        try:
            await worker.on_updates(CHANNEL, first)
            await _until_none_pending(db)
            clock.advance(seconds=30)
            await worker.on_updates(CHANNEL, then)
            await _until_none_pending(db)
        finally:
            worker.stop()
            await loop
            await db.engine.dispose()
    return recorder.order


@pytest.mark.parametrize("engine", ENGINES)
async def test_a_conversation_under_way_goes_before_a_crowd_of_new_chats(
    tmp_path: Path, engine: str
) -> None:
    """Issue 13: hundreds of people press /start at once; a citizen in the middle of a report is
    not put behind all of them. Chats this process handled lately are taken first (and get the
    next free slot), the crowd in arrival order after them."""
    crowd = [text_update(1000 + n, "/start") for n in range(300)]
    # One getUpdates batch: the crowd first, the citizen's next step last.
    order = await _order_with_one_slot(
        engine, tmp_path, [text_update(7, "Laporan baru")], [*crowd, text_update(7, "Pengaduan")]
    )

    after_crowd = order[1:]
    assert len(after_crowd) == 301
    assert after_crowd.index(("7", "Pengaduan")) == 0
    newcomers = [chat for chat, _ in after_crowd[1:]]
    assert newcomers == [str(1000 + n) for n in range(300)]  # the crowd in arrival order


@pytest.mark.parametrize("engine", ENGINES)
async def test_a_new_chat_is_not_kept_waiting_by_conversations_that_never_pause(
    tmp_path: Path, engine: str
) -> None:
    """The other side of the rule above: while conversations under way always have a next
    update ready (many citizens at once, each answering at once), a citizen who just pressed
    /start still gets a turn soon, not only when every one of them has paused. With one slot,
    at most a few under-way steps go before a waiting newcomer."""
    talking = [str(n) for n in range(1, 4)]
    steps = [text_update(int(c), f"langkah {n}") for n in range(20) for c in talking]
    order = await _order_with_one_slot(
        engine,
        tmp_path,
        [text_update(int(c), "mulai") for c in talking],
        [*steps, text_update(500, "/start")],
    )

    after = order[len(talking) :]
    assert len(after) == 61
    assert after.index(("500", "/start")) <= 4  # not after all 60 of the others' steps
    for chat in talking:  # each conversation still in its own order
        assert [t for c, t in after if c == chat] == [f"langkah {n}" for n in range(20)]


async def _until(condition: Callable[[], bool]) -> None:
    async with asyncio.timeout(30):
        while True:
            if condition():
                return
            await asyncio.sleep(0.01)


class LookCounter(InboxProcessor):
    """Counts the loop's looks at every chat (each a transaction and one or two queries)."""

    looks = 0

    async def _ready_work(self, exclude: Collection[tuple[str, str]] = ()) -> Any:
        self.looks += 1
        return await super()._ready_work(exclude)


@pytest.mark.parametrize("engine", ENGINES)
async def test_a_chat_with_nothing_more_does_not_make_the_loop_look_at_every_chat(
    tmp_path: Path, engine: str
) -> None:
    """Issue 13: a citizen waits for the reply before the next step, so after a step the chat
    usually has nothing more. Its task found that with its own small query; a look at every
    chat as well (a transaction and two queries per step) found nothing it did not know."""
    clock = ManualClock()
    async with database_on(engine, tmp_path) as url:
        db = Database(url)
        await db.start()
        recorder = OrderRecorder()
        worker = LookCounter(
            uow_factory=db.uow,
            conversations=recorder,
            catalogs=Catalogs("id"),
            clock=clock,
            album_wait=timedelta(seconds=1),
            idle_poll_seconds=600,  # no poll: only a wake makes the loop look
        )
        loop = asyncio.create_task(worker.run())
        try:
            await until_asleep(worker)  # the loop's first look, at start, is over
            for step in range(3):
                looks, rounds = worker.looks, worker.rounds
                await worker.on_updates(CHANNEL, [text_update(7, f"langkah {step}")])
                await _until_none_pending(db)
                await _until(lambda: not worker._in_flight)
                # The chat's task is over, so a wake it gave is pending or answered: asleep, the
                # loop has done every look it was going to.
                await until_asleep(worker, after=rounds)
                assert worker.looks == looks + 1, step  # the recorded batch's look only
        finally:
            worker.stop()
            await loop
            await db.engine.dispose()
    assert recorder.order == [("7", f"langkah {step}") for step in range(3)]


@pytest.mark.parametrize("engine", ENGINES)
async def test_a_chat_s_update_recorded_while_it_is_handled_is_handled_without_a_poll(
    tmp_path: Path, engine: str
) -> None:
    """The chat's next update arrives while its step runs (or while its task looks for the next
    one): it is handled at once, not at the next poll (none in this test)."""
    clock = ManualClock()
    async with database_on(engine, tmp_path) as url:
        db = Database(url)
        await db.start()
        worker: InboxProcessor

        arrivals: list[asyncio.Task[int]] = []

        class Arriving(OrderRecorder):
            async def handle(self, event: Event, uow: UnitOfWork) -> None:
                await super().handle(event, uow)
                if isinstance(event, Message) and event.text == "pertama":
                    # Received while this step runs; stored as soon as the database lets the
                    # polling loop (this step's transaction holds SQLite's writer), so around
                    # the time the chat's task looks for its next update.
                    updates = [text_update(7, "kedua"), text_update(8, "lain")]
                    arrivals.append(asyncio.create_task(worker.on_updates(CHANNEL, updates)))

        recorder = Arriving()
        worker = InboxProcessor(
            uow_factory=db.uow,
            conversations=recorder,
            catalogs=Catalogs("id"),
            clock=clock,
            album_wait=timedelta(seconds=1),
            idle_poll_seconds=600,
        )
        loop = asyncio.create_task(worker.run())
        try:
            await worker.on_updates(CHANNEL, [text_update(7, "pertama")])
            await _until(lambda: bool(arrivals))
            await arrivals[0]
            await _until_none_pending(db)
        finally:
            worker.stop()
            await loop
            await db.engine.dispose()
    assert sorted(recorder.order) == [("7", "kedua"), ("7", "pertama"), ("8", "lain")]
    assert recorder.order.index(("7", "pertama")) < recorder.order.index(("7", "kedua"))


class LateArrival(InboxProcessor):
    """The chat's next update is stored just after its task found the chat empty (in the
    step's transaction, so just after that commits) and while the chat is still in flight, so
    the look the recording wakes skips it."""

    arrived = False

    async def _process(self, work: Any, follow: Any = None) -> int:
        done = await super()._process(work, follow)
        if not self.arrived:
            assert follow is not None
            assert not follow.pending  # the chat was found empty
            self.arrived = True
            rounds = self.rounds
            await self.on_updates(CHANNEL, [text_update(int(work.chat_id), "terlambat")])
            await until_asleep(self, after=rounds)  # the look that recording woke is over
        return done


@pytest.mark.parametrize("engine", ENGINES)
async def test_an_update_stored_as_its_chat_s_task_ends_is_not_left_for_the_poll(
    tmp_path: Path, engine: str
) -> None:
    clock = ManualClock()
    async with database_on(engine, tmp_path) as url:
        db = Database(url)
        await db.start()
        recorder = OrderRecorder()
        worker = LateArrival(
            uow_factory=db.uow,
            conversations=recorder,
            catalogs=Catalogs("id"),
            clock=clock,
            album_wait=timedelta(seconds=1),
            idle_poll_seconds=600,  # left for the poll, it would wait ten minutes
        )
        loop = asyncio.create_task(worker.run())
        try:
            await worker.on_updates(CHANNEL, [text_update(7, "pertama")])
            await _until(lambda: len(recorder.order) >= 2)
        finally:
            worker.stop()
            await loop
            await db.engine.dispose()
    assert recorder.order == [("7", "pertama"), ("7", "terlambat")]


async def test_an_album_another_process_finished_between_two_looks_is_passed_over(
    tmp_path: Path,
) -> None:
    """Two processes share the inbox: one lists the pending heads, the other handles the album
    before the first looks at the album's items. The first must pass over it, not fail."""
    db = Database(tmp_path / "race.db")
    await db.start()
    clock = ManualClock()
    await record_updates(db.uow, CHANNEL, [album_update(9, "album-9", n) for n in range(2)], clock)
    clock.advance(seconds=5)

    class OtherProcessFinishesTheAlbum(UnitOfWork):
        """A real unit of work whose listing of heads is followed, before it returns, by another
        process handling every pending row."""

        async def __aenter__(self) -> UnitOfWork:
            uow = await super().__aenter__()
            listing = uow.inbox.pending_keys

            async def listed(**kwargs: Any) -> Any:
                heads = await listing(**kwargs)
                async with db.uow() as other:
                    for row in await other.inbox.pending(limit=10):
                        other.inbox.mark_processed(row, clock())
                    await other.commit()
                return heads

            uow.inbox.pending_keys = listed  # type: ignore[method-assign]
            return uow

    recorder = Recorder()
    worker = InboxProcessor(
        uow_factory=lambda: OtherProcessFinishesTheAlbum(db.sessions),
        conversations=recorder,
        catalogs=Catalogs("id"),
        clock=clock,
        album_wait=timedelta(seconds=1),
        concurrency=2,
    )
    assert await worker.process_pending() == (0, None)
    assert recorder.handled == {}
    await db.engine.dispose()
