"""The clock through the emulator: deadlines on the Indonesian calendar, reminders, escalation,
digests, a restart between two rounds, and auto-close, with the real bot and a clock the test
moves (it ticks in real time between jumps, so album waits and backoff still pass)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from emulator import EmulatorClient, TgUser
from emulator.chat import ChatView
from runtime.bootstrap import App, build_app
from runtime.clock import TravellingClock
from runtime.monthly import MonthRender
from runtime.settings import Settings
from tests.e2e.conftest import RunningBot, Store, text_of, wait_settled
from tests.e2e.helpers import SITI
from tests.e2e.scenario import Scenario
from tests.e2e.units import (
    bind_area,
    card_in,
    event_kinds,
    file_report,
    setup_groups,
)

ChatOf = Callable[[TgUser], ChatView]
Until = Callable[[Callable[[], Awaitable[bool]], float], Awaitable[None]]
WITA = ZoneInfo("Asia/Makassar")
CAMAT = TgUser(id=2005, first_name="Bu", last_name="Camat")
BENGALON_GROUP = -1001004
BENGALON = "64.08.09"


def wita(year: int, month: int, day: int, hour: int = 8, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=WITA)


class ClockBot:
    """The bot with its jobs on, built and rebuilt on one database around one moving clock."""

    def __init__(
        self,
        settings: Settings,
        clock: TravellingClock,
        store: Store,
        monthly: MonthRender | None = None,
    ) -> None:
        self.settings = settings
        self.clock = clock
        self.store = store
        self.monthly = monthly  # the monthly summary's page (runtime.monthly), as cli/main.py
        self.bot: RunningBot | None = None

    @property
    def app(self) -> App:
        assert self.bot is not None
        return self.bot.app

    async def start(self) -> None:
        app = await build_app(self.settings, clock=self.clock, monthly=self.monthly)
        self.bot = RunningBot(app, asyncio.create_task(app.run()))

    async def stop(self) -> None:
        if self.bot is not None and not self.bot.task.done():
            await self.bot.stop()
        self.bot = None

    async def settle(self, telegram: EmulatorClient) -> None:
        """Wait until the bot has handled every update and delivered every queued message."""
        await wait_settled(telegram, self.store)

    async def at(self, moment: datetime, telegram: EmulatorClient) -> dict[str, int]:
        """Move the clock to ``moment``, run the clock's round, wait until it is all sent."""
        self.clock.set(moment)
        assert self.app.jobs is not None
        done = await self.app.jobs.run_due()
        await self.settle(telegram)
        return dict(done.counts)


@pytest.fixture
async def clock_bot(bot_settings: Settings, store: Store) -> AsyncIterator[ClockBot]:
    # One scheduled round on start only (the interval is longer than any test): the test runs
    # the later rounds itself after moving the clock.
    settings = bot_settings.model_copy(update={"run_jobs": True, "jobs_interval_seconds": 3600})
    bot = ClockBot(settings, TravellingClock(wita(2026, 2, 13, 10, 0)), store)
    await bot.start()
    yield bot
    await bot.stop()


async def _answers_after(telegram: EmulatorClient, count: int) -> bool:
    return len(await telegram.callback_answers(SITI.id)) > count


async def texts_since(group: ChatView, seen: int) -> list[str]:
    return [text_of(m) for m in (await group.messages())[seen:]]


async def test_reminder_then_escalation_then_digest_and_a_restart_sends_nothing_twice(
    clock_bot: ClockBot,
    telegram: EmulatorClient,
    chat_of: ChatOf,
    database_url: str,
    store: Store,
    until: Until,
) -> None:
    coordinator, sepaso, _ = await setup_groups(telegram, database_url)
    await telegram.register_chat(BENGALON_GROUP, title="Kecamatan Bengalon", admins=[CAMAT.id])
    bengalon = ChatView(telegram, CAMAT, BENGALON_GROUP)
    await bind_area(coordinator, bengalon, database_url, BENGALON, "Kecamatan Bengalon")

    # Friday 13 February 2026, before the Imlek weekend (Monday 16 is cuti bersama, Tuesday 17
    # Imlek): three working days to verify end on Friday 20 February, not Wednesday 18.
    siti = chat_of(SITI)
    await siti.consent()
    number = await file_report(siti, telegram)
    confirmation = text_of((await siti.messages())[-1])
    assert "Jumat, 20 Februari 2026" in confirmation
    assert "Tenggat: verifikasi paling lambat Jumat, 20 Februari 2026" in text_of(
        await card_in(sepaso, number)
    )
    await clock_bot.settle(telegram)
    seen = {g.chat_id: len(await g.messages()) for g in (coordinator, sepaso, bengalon)}

    # Monday 16 (cuti bersama) and Tuesday 17 (Imlek) are days off: nothing at all.
    for day in (14, 15, 16, 17):
        assert await clock_bot.at(wita(2026, 2, day), telegram) == {}
    # Wednesday 18: digests only (nothing due yet); Thursday 19 — the working day before the
    # deadline: the reminder, in the desa's group only.
    await clock_bot.at(wita(2026, 2, 18), telegram)
    digest = await texts_since(sepaso, seen[sepaso.chat_id])
    assert len(digest) == 1
    assert "Ringkasan pagi — Desa Sepaso, Rabu, 18 Februari 2026" in digest[0]
    assert number in digest[0]
    assert "tenggat Jumat, 20 Februari 2026" in digest[0]
    seen[sepaso.chat_id] += 1
    early = await texts_since(coordinator, seen[coordinator.chat_id])
    assert len(early) == 1
    assert "Ringkasan pagi — Diskominfo" in early[0]
    seen[coordinator.chat_id] += 1

    counts = await clock_bot.at(wita(2026, 2, 19), telegram)
    assert counts == {"reminders": 1, "digests": 2}
    new = await texts_since(sepaso, seen[sepaso.chat_id])
    reminders = [t for t in new if t.startswith("🔔 Pengingat tenggat — Desa Sepaso")]
    assert len(reminders) == 1
    assert number in reminders[0]
    assert "tenggat Jumat, 20 Februari 2026" in reminders[0]
    assert not any(
        "Pengingat" in t for t in await texts_since(coordinator, seen[coordinator.chat_id])
    )
    assert not any("Pengingat" in t for t in await texts_since(bengalon, seen[bengalon.chat_id]))

    # The same round again, an hour later: nothing new anywhere.
    before = {g.chat_id: len(await g.messages()) for g in (coordinator, sepaso, bengalon)}
    assert await clock_bot.at(wita(2026, 2, 19, 9), telegram) == {}
    assert before == {g.chat_id: len(await g.messages()) for g in (coordinator, sepaso, bengalon)}

    # Friday 20, the deadline: "hari ini".
    await clock_bot.at(wita(2026, 2, 20), telegram)
    today = [t for t in await texts_since(sepaso, before[sepaso.chat_id]) if "Pengingat" in t]
    assert len(today) == 1
    assert "⏰ tenggat hari ini" in today[0]

    # Monday 23, the next working day: escalation to the kecamatan and the coordinator, with the
    # desa's count of late reports; the desa's digest marks the report late.
    before = {g.chat_id: len(await g.messages()) for g in (coordinator, sepaso, bengalon)}
    counts = await clock_bot.at(wita(2026, 2, 23), telegram)
    assert counts["escalations"] == 1
    for group in (bengalon, coordinator):
        escalations = [
            t
            for t in await texts_since(group, before[group.chat_id])
            if "perlu perhatian atasan" in t
        ]
        assert len(escalations) == 1, group.chat_id
        assert "Desa Sepaso — 1 laporan terlambat" in escalations[0]
        assert number in escalations[0]
        assert "sudah 1 kali dilaporkan ke atasan" in escalations[0]
        assert "terlambat 1 hari kerja" in escalations[0]
    desa_today = await texts_since(sepaso, before[sepaso.chat_id])
    assert not any("perlu perhatian atasan" in t for t in desa_today)
    assert any("Ringkasan pagi" in t and "⚠️ terlambat 1 hari kerja" in t for t in desa_today)
    coordinator_digest = [
        t for t in await texts_since(coordinator, before[coordinator.chat_id]) if "Ringkasan" in t
    ]
    assert "Desa Sepaso: 1 terlambat" in coordinator_digest[0]
    # Issue 26 (7): the reporter is told, with the stage and since when it is late.
    told = [t for t in await siti.texts() if "⏫" in t]
    assert len(told) == 1
    assert "verifikasi paling lambat Jumat, 20 Februari 2026" in told[0]
    assert "terlambat sejak Senin, 23 Februari 2026" in told[0]

    # A restart between two rounds: the round on start sends nothing twice.
    before = {g.chat_id: len(await g.messages()) for g in (coordinator, sepaso, bengalon)}
    await clock_bot.stop()
    clock_bot.clock.set(wita(2026, 2, 23, 11))
    await clock_bot.start()
    await clock_bot.settle(telegram)
    assert await clock_bot.at(wita(2026, 2, 23, 12), telegram) == {}
    assert before == {g.chat_id: len(await g.messages()) for g in (coordinator, sepaso, bengalon)}

    # Down overnight, started on Tuesday 24 after the morning time: the scheduler's round on
    # start catches up (the day's digests) without anyone calling it; escalation repeats every
    # 2 working days, so not today.
    await clock_bot.stop()
    clock_bot.clock.set(wita(2026, 2, 24, 9))
    await clock_bot.start()

    async def tuesday_digest() -> bool:
        return any("Selasa, 24 Februari 2026" in t for t in await sepaso.texts())

    await until(tuesday_digest, 15)
    await clock_bot.settle(telegram)
    assert not any(
        "perlu perhatian atasan" in t
        for t in await texts_since(coordinator, before[coordinator.chat_id])
    )
    assert "escalations" not in await clock_bot.at(wita(2026, 2, 24, 10), telegram)
    assert (await clock_bot.at(wita(2026, 2, 25), telegram))["escalations"] == 1
    last = [
        t
        for t in await texts_since(coordinator, before[coordinator.chat_id])
        if "perlu perhatian atasan" in t
    ]
    assert len(last) == 1
    assert "sudah 2 kali dilaporkan ke atasan" in last[0]
    assert "terlambat 3 hari kerja" in last[0]
    assert len([t for t in await siti.texts() if "⏫" in t]) == 1  # the reporter is told once

    # The officers' views mark it late.
    queue = await sepaso.send("/antrian", "Laporan terbuka")
    assert number in text_of(queue)
    assert "⚠️ terlambat 3 hari kerja" in text_of(queue)
    late = await coordinator.send("/terlambat", "Laporan terlambat")
    assert "Desa Sepaso — 1:" in text_of(late)
    assert number in text_of(late)

    kinds = await event_kinds(database_url)
    assert kinds.count("reminder") == 2
    assert kinds.count("escalated") == 2
    (report,) = await store.reports()
    assert report.due_date is not None
    assert report.due_date.isoformat() == "2026-02-20"


async def test_auto_close_after_exactly_ten_quiet_working_days_and_not_after_a_reply(
    clock_bot: ClockBot,
    telegram: EmulatorClient,
    chat_of: ChatOf,
    database_url: str,
    store: Store,
    until: Until,
) -> None:
    scenario = await Scenario.start(telegram, database_url, chat_of)
    sepaso, siti = scenario.desa, scenario.citizen
    clock_bot.clock.set(wita(2026, 5, 4, 9))  # Monday 4 May 2026
    quiet, _ = await scenario.file()
    answered, _ = await scenario.file()
    for number in (answered, quiet):
        await sepaso.send(f"/verifikasi {number}", f"✅ Laporan {number} diverifikasi")
        await sepaso.send(f"/selesai {number} Sampah sudah diangkut.", "dinyatakan selesai")
    # The officer's answer in the group goes out before the notices to the reporter (the
    # outbox sends the person talking first), so wait until everything committed is delivered.
    await clock_bot.settle(telegram)
    done = [t for t in await siti.texts() if "menyatakan laporan" in t]
    # Ten working days from Monday 4 May skip Kenaikan (Thursday 14) and its cuti bersama (15).
    assert len(done) == 2
    assert all("ditutup otomatis setelah Rabu, 20 Mei 2026" in t for t in done)

    # The reporter of the second report writes back on Monday 11 May: the quiet period restarts.
    clock_bot.clock.set(wita(2026, 5, 11, 10))
    reply_to = [
        m for m in await siti.messages() if answered in text_of(m) and "menyatakan" in text_of(m)
    ]
    await siti.do(
        lambda: telegram.send_text(
            SITI, "Masih ada sisa sampah di ujung gang.", reply_to=int(reply_to[0]["message_id"])
        ),
        "diteruskan",
    )

    assert "closed" not in await clock_bot.at(wita(2026, 5, 20, 8), telegram)
    counts = await clock_bot.at(wita(2026, 5, 21, 8), telegram)
    assert counts["closed"] == 1
    closed = [t for t in await siti.texts() if t.startswith("📁 Laporan")]
    assert len(closed) == 1
    assert quiet in closed[0]
    assert "10 hari kerja" in closed[0]
    reports = {r.tracking_no: r for r in await store.reports()}
    assert reports[quiet].closed_at is not None
    assert reports[answered].closed_at is None
    assert "Status: Selesai dan sudah ditutup" in text_of(await card_in(sepaso, quiet))
    # Closed for good: "Belum selesai" is refused politely.
    answers_before = len(await telegram.callback_answers(SITI.id))
    # On the quiet report's own "done" message: the reply on the other report offered one too.
    [done_quiet] = [
        m for m in await siti.messages() if quiet in text_of(m) and "menyatakan" in text_of(m)
    ]
    [not_yet] = [
        b["callback_data"]
        for row in done_quiet["reply_markup"]["inline_keyboard"]
        for b in row
        if b["text"] == "👎 Belum selesai"
    ]
    await telegram.press(SITI, int(done_quiet["message_id"]), not_yet)
    await until(lambda: _answers_after(telegram, answers_before), 10)
    [answer] = (await telegram.callback_answers(SITI.id))[answers_before:]
    assert answer["show_alert"] is True
    assert "sudah ditutup" in answer["text"]
    assert {r.status for r in await store.reports()} == {"selesai"}
