"""The outbox worker against the loopback emulator with flood limits on, and a real SQLite file.

The emulator enforces Telegram's shape of limits (overall, per chat with a burst, per group per
minute) scaled up five- to ninefold, and the worker is given the same rates, so a burst that would
take a minute on Telegram drains in about a second here.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from bot.channels.base import Channel
from emulator import Emulator, EmulatorClient
from handlers.actions import (
    Action,
    AnswerButton,
    EditText,
    MediaItem,
    SendMedia,
    SendText,
    action_to_dict,
)
from handlers.events import Event
from locales import Catalogs
from runtime.clock import system_clock
from runtime.inbox import InboxProcessor
from runtime.outbox import OutboxWorker
from storage.models import MessageLink, OutboxMessage, Unit
from storage.repositories import LANE_KEY, REPLY_LANE
from storage.uow import UnitOfWork
from tests.e2e.helpers import tiny_png
from tests.emulated import TOKEN
from tests.integration import database

CHANNEL = "telegram"

# Telegram's limits scaled up: 1/s -> 5/s per chat (burst 3), 20/min -> 3/s per group (burst 6).
FAST = {
    "global_per_second": 300.0,
    "chat_per_second": 5.0,
    "chat_burst": 3.0,
    "group_per_minute": 180.0,
    "group_burst": 6.0,
}


class Database(database.Database):
    """The shared database with this file's own helpers."""

    async def queue(self, *rows: tuple[Action, dict[str, Any]]) -> list[int]:
        """Insert outbox rows (an action and extra columns each); returns their ids."""
        async with self.uow() as uow:
            for action, extra in rows:
                payload = action_to_dict(action)
                columns = dict(extra)
                chat_id = str(columns.pop("chat_id", payload.get("chat_id", "")))
                uow.outbox.add(
                    channel=CHANNEL, chat_id=chat_id, payload=payload, now=system_clock(), **columns
                )
            # The rows are written, in the order added, before this query (OutboxRepository).
            newest = select(OutboxMessage.id).order_by(OutboxMessage.id.desc()).limit(len(rows))
            added = sorted(await uow.session.scalars(newest))
            await uow.commit()
            return added

    async def outbox(self) -> list[OutboxMessage]:
        async with self.uow() as uow:
            rows = await uow.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
            return list(rows)

    async def links(self) -> list[MessageLink]:
        async with self.uow() as uow:
            return list(await uow.session.scalars(select(MessageLink).order_by(MessageLink.id)))

    async def pending(self) -> int:
        async with self.uow() as uow:
            return await uow.outbox.pending_count()


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    database = Database(database_url)
    await database.start()
    yield database
    await database.engine.dispose()


@pytest.fixture
async def telegram(emulator: Emulator) -> AsyncIterator[EmulatorClient]:
    """The users' side, with the emulator enforcing the scaled-up flood limits."""
    async with EmulatorClient(emulator.base_url, TOKEN) as client:
        await client.set_flood_limits(True, **FAST)
        yield client


def make_worker(db: Database, channel: Channel, *, limits: bool = True) -> OutboxWorker:
    if not limits:
        return OutboxWorker(
            uow_factory=db.uow,
            channels={CHANNEL: channel},
            clock=system_clock,
            per_second=0,
            chat_per_second=0,
            group_per_minute=0,
        )
    return OutboxWorker(
        uow_factory=db.uow,
        channels={CHANNEL: channel},
        clock=system_clock,
        # A little under the emulator's overall rate, as the product default is under Telegram's.
        per_second=280,
        # And a little under its per-chat and per-group rates: paced exactly at them, a send
        # delayed on a busy machine (CI runs three test workers) lands beside the next one.
        chat_per_second=FAST["chat_per_second"] * 0.9,
        chat_burst=FAST["chat_burst"],
        group_per_minute=FAST["group_per_minute"] * 0.9,
        group_burst=FAST["group_burst"],
        poll_seconds=0.05,
    )


async def drain(db: Database, worker: OutboxWorker, timeout: float = 20.0) -> None:
    """Run the worker until no row is left unsent (or the timeout says something is stuck)."""
    task = asyncio.create_task(worker.run())
    try:
        await until(lambda: _nothing_pending(db), timeout)
    finally:
        worker.stop()
        await asyncio.wait_for(task, 5)


async def _nothing_pending(db: Database) -> bool:
    return await db.pending() == 0


async def until(check: Callable[[], Awaitable[bool]], timeout: float) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not await check():
        if asyncio.get_running_loop().time() > deadline:
            raise TimeoutError(f"not done within {timeout}s")
        await asyncio.sleep(0.02)


@dataclass(frozen=True)
class Burst:
    texts: dict[int, list[str]]

    def rows(self) -> list[tuple[Action, dict[str, Any]]]:
        """Interleaved, as notifications for many reports would be."""
        queues = [[(chat, text) for text in texts] for chat, texts in self.texts.items()]
        mixed = [item for wave in itertools.zip_longest(*queues) for item in wave if item]
        return [(SendText(chat_id=str(chat), text=text), {}) for chat, text in mixed]


def burst(private: int, per_private: int, groups: dict[int, int]) -> Burst:
    texts = {
        1000 + c: [f"pesan {n} untuk {1000 + c}" for n in range(per_private)]
        for c in range(private)
    }
    texts |= {
        chat: [f"pesan {n} untuk grup {chat}" for n in range(count)]
        for chat, count in groups.items()
    }
    return Burst(texts)


async def register(telegram: EmulatorClient, chats: list[int]) -> None:
    for chat in chats:
        await telegram.register_chat(chat, "private" if chat > 0 else "supergroup")


async def assert_delivered_once_in_order(
    db: Database, telegram: EmulatorClient, plan: Burst
) -> None:
    for chat, texts in plan.texts.items():
        seen = [m["text"] for m in await telegram.messages(chat)]
        assert seen == texts, chat
    rows = await db.outbox()
    assert all(r.sent_at is not None and r.failed_at is None for r in rows)


async def test_a_burst_drains_within_the_limits_in_order_with_no_429(
    db: Database, telegram: EmulatorClient, channel: Channel
) -> None:
    plan = burst(6, 6, {-1001: 8, -1002: 4})
    await register(telegram, list(plan.texts))
    await db.queue(*plan.rows())
    await drain(db, make_worker(db, channel))
    await assert_delivered_once_in_order(db, telegram, plan)
    stats = await telegram.stats()
    assert stats["too_many_requests"] == 0
    assert stats["methods"]["sendMessage"] == 6 * 6 + 8 + 4  # nothing sent twice


async def test_faults_for_a_while_still_deliver_everything_once_in_order(
    db: Database, telegram: EmulatorClient, channel: Channel
) -> None:
    plan = burst(6, 3, {-1001: 4, -1002: 2})
    await register(telegram, list(plan.texts))
    await db.queue(*plan.rows())
    # Eight chats start at once, so the faults hit the first round and the test waits one backoff.
    await telegram.fault(500, count=3)
    await telegram.fault(429, count=2, retry_after=1)
    await telegram.fault(502, count=2)
    await drain(db, make_worker(db, channel))
    await assert_delivered_once_in_order(db, telegram, plan)
    assert (await telegram.stats())["errors"] == {"500": 3, "429": 2, "502": 2}


async def test_one_group_with_a_long_queue_does_not_starve_the_others(db: Database) -> None:
    busy: list[tuple[Action, dict[str, Any]]] = [
        (SendText(chat_id="-1001", text=f"antrian {n}"), {}) for n in range(300)
    ]
    await db.queue(*busy)
    await db.queue(*[(SendText(chat_id=str(c), text="halo"), {}) for c in (7, 8, 9)])
    # An officer pressed a button in the busy group: the answer must not queue behind 300 rows.
    await db.queue((AnswerButton(callback_id="q1"), {"chat_id": "-1001"}))
    async with db.uow() as uow:
        due = await uow.outbox.due(now=system_clock(), limit=5, per_chat=2)
        assert [r.chat_id for r in due] == ["-1001", "-1001", "7", "8", "9"]
        assert [r.payload["kind"] for r in due[:2]] == ["answer_button", "send_text"]
        due = await uow.outbox.due(now=system_clock(), limit=5, per_chat=2, skip_chats=["-1001"])
        assert [r.chat_id for r in due] == ["-1001", "7", "8", "9"]
        assert due[0].payload["kind"] == "answer_button"


async def test_the_person_talking_goes_before_a_burst_of_notifications(db: Database) -> None:
    notices: list[tuple[Action, dict[str, Any]]] = [
        (SendText(chat_id=str(1000 + n % 200), text=f"pemberitahuan {n}"), {}) for n in range(600)
    ]
    notices += [(SendText(chat_id="7", text="laporan Anda diproses"), {})]
    await db.queue(*notices)
    async with db.uow() as uow:
        uow.outbox.replying_to = (CHANNEL, "7")  # handling chat 7's update
        for text in ("langkah 2", "langkah 3"):
            uow.outbox.add(
                channel=CHANNEL,
                chat_id="7",
                payload=action_to_dict(SendText(chat_id="7", text=text)),
                now=system_clock(),
            )
        uow.outbox.add(
            channel=CHANNEL,
            chat_id="-1001",
            payload=action_to_dict(SendText(chat_id="-1001", text="kartu laporan")),
            now=system_clock(),
        )
        await uow.commit()
    async with db.uow() as uow:
        due = await uow.outbox.due(now=system_clock(), limit=50, per_chat=3)
    texts = [r.payload["text"] for r in due]
    # The person's next screens first, in their order, even before their own older notice.
    assert texts[:2] == ["langkah 2", "langkah 3"]
    assert "kartu laporan" not in texts  # a card is a notification: it waits its turn
    assert texts[2:5] == ["pemberitahuan 0", "pemberitahuan 1", "pemberitahuan 2"]


class Answering:
    """A stand-in for the conversations: answers the chat that wrote and tells a group."""

    async def handle(self, event: Event, uow: UnitOfWork) -> None:
        for chat, text in ((event.chat_id, "jawaban"), ("-1001", "kartu")):
            uow.outbox.add(
                channel=CHANNEL,
                chat_id=chat,
                payload=action_to_dict(SendText(chat_id=chat, text=text)),
                now=system_clock(),
            )


async def test_the_inbox_marks_what_answers_the_person_talking(db: Database) -> None:
    update = {
        "update_id": 5,
        "message": {
            "message_id": 5,
            "date": 1_767_574_800,
            "chat": {"id": 42, "type": "private", "first_name": "Siti"},
            "from": {"id": 42, "is_bot": False, "first_name": "Siti"},
            "text": "halo",
        },
    }
    inbox = InboxProcessor(
        uow_factory=db.uow,
        conversations=Answering(),
        catalogs=Catalogs("id"),
        clock=system_clock,
        album_wait=timedelta(seconds=1),
    )
    await inbox.on_update(CHANNEL, update)
    assert (await inbox.process_pending())[0] == 1
    lanes = {r.chat_id: r.payload.get(LANE_KEY) for r in await db.outbox()}
    assert lanes == {"42": REPLY_LANE, "-1001": None}


async def test_links_replies_and_pins(
    db: Database, emulator: Emulator, telegram: EmulatorClient, channel: Channel
) -> None:
    await telegram.set_flood_limits(False)  # the worker's limits are lifted: one round only
    group = -2001
    await telegram.register_chat(group, "supergroup")
    photos = [await telegram.upload(tiny_png(n), "image/png", f"{n}.png") for n in (1, 2)]
    report = await db.add_report(system_clock())
    about = {"report_id": report}
    g = str(group)
    await db.queue(
        (SendText(chat_id=g, text="balasan tanpa kartu", reply_to_purpose="card"), about),
        (
            SendMedia(chat_id=g, items=tuple(MediaItem(p["file_id"]) for p in photos)),
            {**about, "purpose": "album"},
        ),
        (SendText(chat_id=g, text="kartu laporan"), {**about, "purpose": "card"}),
        (
            SendText(chat_id=g, text="mohon jawab", reply_to_purpose="card"),
            {**about, "purpose": "prompt", "link_action": "ask"},
        ),
        (SendText(chat_id=g, text="panduan petugas", pin=True), {}),
    )
    worker = make_worker(db, channel, limits=False)
    assert await worker.send_due() == 5  # one round: the card's id is known only in memory

    messages = {m.get("text", "album"): m for m in await telegram.messages(group)}
    card = messages["kartu laporan"]
    assert "reply_to_message" not in messages["balasan tanpa kartu"]  # no card yet: no reply
    assert messages["mohon jawab"]["reply_to_message"]["message_id"] == card["message_id"]
    album = [m for m in await telegram.messages(group) if m.get("media_group_id")]
    links = sorted(await db.links(), key=lambda link: link.message_id)  # recorded as answered
    assert [(link.purpose, link.message_id, link.action) for link in links] == [
        ("album", album[0]["message_id"], ""),
        ("album", album[1]["message_id"], ""),
        ("card", card["message_id"], ""),
        ("prompt", messages["mohon jawab"]["message_id"], "ask"),
    ]
    rows = await db.outbox()
    assert rows[1].sent_message_id == album[0]["message_id"]
    assert emulator.bot_state(TOKEN).chats[group].pinned == [
        messages["panduan petugas"]["message_id"]
    ]

    # A later round finds the committed card.
    await db.queue((SendText(chat_id=g, text="catatan baru", reply_to_purpose="card"), about))
    assert await worker.send_due() == 1
    (note,) = [m for m in await telegram.messages(group) if m.get("text") == "catatan baru"]
    assert note["reply_to_message"]["message_id"] == card["message_id"]


async def test_a_failed_pin_never_resends_the_message(
    db: Database, telegram: EmulatorClient, channel: Channel
) -> None:
    await telegram.set_flood_limits(False)
    await telegram.register_chat(77, "private")
    await db.queue((SendText(chat_id="77", text="panduan", pin=True), {}))
    await telegram.fault(400, method="pinchatmessage")
    worker = make_worker(db, channel, limits=False)
    assert await worker.send_due() == 1
    assert await worker.send_due() == 0
    assert [m["text"] for m in await telegram.messages(77)] == ["panduan"]
    stats = await telegram.stats()
    assert stats["methods"]["pinChatMessage"] == 1


async def test_a_group_that_became_a_supergroup_gets_its_queue_moved(
    db: Database, telegram: EmulatorClient, channel: Channel
) -> None:
    old, new = -3001, -1003001
    await telegram.register_chat(old, "group")
    report = await db.add_report(system_clock())
    now = system_clock()
    async with db.uow() as uow:
        unit = await uow.units.add(
            Unit(code="dpu", name="Dinas PU", kind="opd", created_at=now, updated_at=now)
        )
        await uow.units.bind(
            unit.id, channel=CHANNEL, chat_id=str(old), title="PU", by="1", now=now
        )
        await uow.commit()
    await db.queue(
        (SendText(chat_id=str(old), text="kartu"), {"report_id": report, "purpose": "card"})
    )
    await drain(db, make_worker(db, channel))
    (card,) = await db.outbox()
    await telegram.migrate_group(old, new)
    texts = [f"pesan {n}" for n in range(4)]
    await db.queue(
        *[(SendText(chat_id=str(old), text=t), {}) for t in texts[:2]],
        # An edit of a message in the old group cannot follow: it fails, visibly, after a few
        # quick tries instead of looping.
        (EditText(chat_id=str(old), message_id=card.sent_message_id or 0, text="kartu baru"), {}),
        *[(SendText(chat_id=str(old), text=t), {}) for t in texts[2:]],
        (
            SendText(chat_id=str(old), text="balasan", reply_to_purpose="card"),
            {"report_id": report},
        ),
    )

    await drain(db, make_worker(db, channel))

    received = [m for m in await telegram.messages(new) if "text" in m]
    # The card stayed in the old group: the reply goes as a plain message.
    assert [m["text"] for m in received] == [*texts, "balasan"]
    assert "reply_to_message" not in received[-1]
    rows = await db.outbox()
    moved = [r for r in rows[1:] if r.payload["kind"] == "send_text"]
    assert [(r.chat_id, r.payload["chat_id"]) for r in moved] == [(str(new), str(new))] * 5
    assert all(r.sent_at is not None for r in moved)
    (edit,) = [r for r in rows if r.payload["kind"] == "edit_text"]
    assert edit.failed_at is not None
    assert "upgraded to a supergroup" in (edit.error or "")
    async with db.uow() as uow:
        assert await uow.units.chat(CHANNEL, str(new)) is not None
    (link,) = await db.links()
    assert link.chat_id == str(old)  # message ids do not carry over to the supergroup


async def test_permanent_failures_are_listed_newest_first(
    db: Database, telegram: EmulatorClient, channel: Channel
) -> None:
    await register(telegram, [501, 502, 503])
    await telegram.block(501)
    await telegram.block(503)
    await db.queue(*[(SendText(chat_id=str(c), text="halo"), {}) for c in (501, 502, 503)])
    await drain(db, make_worker(db, channel))
    async with db.uow() as uow:
        failed = await uow.outbox.failed(10)
        assert [r.chat_id for r in failed] == ["503", "501"]
        assert all("blocked" in (r.error or "") for r in failed)
        assert await uow.outbox.failed(10, since=system_clock()) == []


async def _reply(db: Database, chat: str, text: str) -> None:
    """A row that answers the person talking in ``chat`` (as the inbox marks it)."""
    async with db.uow() as uow:
        uow.outbox.replying_to = (CHANNEL, chat)
        uow.outbox.add(
            channel=CHANNEL,
            chat_id=chat,
            payload=action_to_dict(SendText(chat_id=chat, text=text)),
            now=system_clock(),
        )
        await uow.commit()


async def test_replies_to_a_conversation_under_way_go_before_first_greetings(
    db: Database,
) -> None:
    for n in range(40):
        await _reply(db, str(2000 + n), "selamat datang")
    await _reply(db, "7", "langkah 5")
    async with db.uow() as uow:
        due = await uow.outbox.due(now=system_clock(), limit=5, per_chat=3, talking=["7"])
        assert [r.chat_id for r in due] == ["7", "2000", "2001", "2002", "2003"]
        due = await uow.outbox.due(now=system_clock(), limit=5, per_chat=3)
        assert [r.chat_id for r in due] == ["2000", "2001", "2002", "2003", "2004"]


async def test_a_crowd_of_newcomers_does_not_hold_back_the_person_mid_report(
    db: Database, telegram: EmulatorClient, channel: Channel
) -> None:
    await register(telegram, [7, *range(2000, 2040)])
    worker = OutboxWorker(
        uow_factory=db.uow,
        channels={CHANNEL: channel},
        clock=system_clock,
        per_second=10,  # an overall burst of 5: a round cannot greet the whole crowd
        chat_per_second=FAST["chat_per_second"],
        chat_burst=FAST["chat_burst"],
        group_per_minute=FAST["group_per_minute"],
        timer=lambda: 1000.0,  # the limits' clock stands still: no refill between the rounds
    )
    await _reply(db, "7", "langkah 4")
    assert await worker.send_due() == 1  # chat 7's conversation is under way
    for n in range(40):  # then forty newcomers send /start at once
        await _reply(db, str(2000 + n), "selamat datang")
    await _reply(db, "7", "langkah 5")
    assert await worker.send_due() == 4  # the overall burst left after the first round
    assert [m["text"] for m in await telegram.messages(7)] == ["langkah 4", "langkah 5"]
    greeted = [c for c in range(2000, 2040) if await telegram.messages(c)]
    assert greeted == [2000, 2001, 2002]  # the crowd in the order it came
    await drain(db, make_worker(db, channel))
    for chat in range(2000, 2040):
        assert [m["text"] for m in await telegram.messages(chat)] == ["selamat datang"]


def _add_text(uow: UnitOfWork, chat: str, text: str) -> None:
    uow.outbox.add(
        channel=CHANNEL,
        chat_id=chat,
        payload=action_to_dict(SendText(chat_id=chat, text=text)),
        now=system_clock(),
    )


async def test_rows_added_in_a_unit_of_work_are_seen_by_its_next_query_in_order(
    db: Database,
) -> None:
    """A step's rows are written as one INSERT (issue 13), but before anything else the unit of
    work asks: a migrated group's unsent messages moved in the same transaction include them."""
    async with db.uow() as uow:
        for n in range(3):
            _add_text(uow, "-100", f"kartu {n}")
        assert await uow.outbox.move_chat(CHANNEL, "-100", "-200") == 3
        _add_text(uow, "-200", "kartu 3")
        await uow.commit()
    rows = await db.outbox()
    assert [(r.chat_id, r.payload["text"]) for r in rows] == [
        ("-200", "kartu 0"),
        ("-200", "kartu 1"),
        ("-200", "kartu 2"),
        ("-200", "kartu 3"),
    ]


async def _add_then_fail(db: Database) -> None:
    async with db.uow() as uow:
        _add_text(uow, "7", "gagal")
        raise RuntimeError("the step failed")


async def test_rows_of_a_unit_of_work_that_does_not_commit_are_never_written(
    db: Database,
) -> None:
    async with db.uow() as uow:
        _add_text(uow, "7", "tidak jadi")  # the unit of work ends without a commit
    with pytest.raises(RuntimeError):
        await _add_then_fail(db)
    async with db.uow() as uow:
        _add_text(uow, "7", "dibatalkan")
        await uow.session.rollback()
        _add_text(uow, "7", "terkirim")
        await uow.commit()
    assert [r.payload["text"] for r in await db.outbox()] == ["terkirim"]
