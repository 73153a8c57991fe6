"""The reminder engine's round on a real SQLite file: the Ombudsman notice, the paused clock,
nothing before the morning, and two rounds at once sending each notice once."""

from __future__ import annotations

import asyncio
from datetime import datetime

import pytest
from sqlalchemy import select

from cases.reminders import look_at
from core.decisions import Rules
from core.lifecycle import ReportStatus
from core.permissions import CaseAction
from core.timeline import EventKind
from handlers.reminders import run_reminders
from runtime.reminders import ReminderJobs
from storage.models import ReportEvent
from storage.report_state import apply_decision
from storage.uow import UnitOfWork
from tests.integration.case_world import COORDINATOR_CHAT, DESA_CHAT, WITA, World, wita


async def test_nothing_goes_out_before_the_morning_time(world: World) -> None:
    await world.new_report()
    assert await world.round(wita(3, 5, 7)) == {}  # 07:00 WITA, the reminder day
    assert (await world.round(wita(3, 5, 8)))["reminders"] == 1


async def test_two_rounds_at_once_send_each_notice_once(world: World) -> None:
    for _ in range(3):
        await world.new_report()
        world.clock.advance(seconds=1)
    world.clock.set(wita(3, 5, 8))
    results = await asyncio.gather(
        run_reminders(world.db.uow, world.deps),
        run_reminders(world.db.uow, world.deps),
        return_exceptions=True,
    )
    assert any(not isinstance(r, BaseException) for r in results)
    reminders = [t for t in await world.sent_to(DESA_CHAT) if t.startswith("🔔")]
    assert len(reminders) == 1
    assert reminders[0].count("• ") == 3
    digests = [t for t in await world.sent_to(DESA_CHAT) if t.startswith("☀️")]
    assert len(digests) == 1
    assert await world.round(wita(3, 5, 10)) == {}


async def test_the_paused_clock_keeps_what_was_left_and_moves_the_ombudsman_day(
    world: World,
) -> None:
    report_id = await world.new_report()  # Monday 2 March; verify by Thursday 5
    await world.act(report_id, CaseAction.VERIFY)  # follow-up by Monday 9 March
    assert (await world.report(report_id)).due_date == datetime(2026, 3, 9).date()
    ombudsman = (await world.report(report_id)).ombudsman_on
    world.clock.set(wita(3, 4))  # Wednesday: 3 working days left (5, 6, 9)
    await world.act(report_id, CaseAction.ASK, "Di RT berapa?")
    paused = await world.report(report_id)
    assert paused.due_date is None
    assert paused.next_notice_on is None
    assert paused.paused_days_left == 3
    # Nothing is owed while waiting, however long.
    assert "reminders" not in await world.round(wita(3, 12))
    world.clock.set(wita(4, 6))  # Monday 6 April, after the Idulfitri holidays
    await world.reporter_answers(report_id)
    resumed = await world.report(report_id)
    assert resumed.status == ReportStatus.DIDISPOSISI
    assert resumed.due_date == datetime(2026, 4, 9).date()  # 3 working days: 7, 8, 9 April
    assert ombudsman is not None
    assert resumed.ombudsman_on is not None
    assert resumed.ombudsman_on > ombudsman  # moved by the working days spent waiting


async def test_the_reporter_hears_of_ombudsman_ri_once_after_sixty_working_days(
    world: World,
) -> None:
    report_id = await world.new_report(category="aparatur")
    ombudsman_on = (await world.report(report_id)).ombudsman_on
    assert ombudsman_on is not None
    day_before = world.deps.calendar.previous_working_day(ombudsman_on)
    assert "ombudsman" not in await world.round(
        datetime(day_before.year, day_before.month, day_before.day, 9, tzinfo=WITA)
    )
    moment = datetime(ombudsman_on.year, ombudsman_on.month, ombudsman_on.day, 9, tzinfo=WITA)
    assert (await world.round(moment))["ombudsman"] == 1
    told = [t for t in await world.sent_to("42") if "Ombudsman" in t]
    assert len(told) == 1
    assert "60 hari kerja" in told[0]
    assert "137" in told[0]
    assert any("Ombudsman RI" in t for t in await world.sent_to(COORDINATOR_CHAT))
    assert "ombudsman" not in await world.round(moment.replace(hour=15))
    assert (await world.report(report_id)).ombudsman_on is None


async def test_the_metrics_hear_of_each_round_done_and_each_that_failed(world: World) -> None:
    rounds: list[str] = []
    await world.new_report()
    world.clock.set(wita(3, 5, 8))
    jobs = ReminderJobs(world.db.uow, world.deps, interval=60, on_round=rounds.append)
    assert (await jobs.run_due()).counts["reminders"] == 1
    assert (await jobs.run_due()).counts == {}  # nothing owed: still a round done

    def broken() -> UnitOfWork:
        raise ConnectionError("database unreachable")

    failing = ReminderJobs(broken, world.deps, interval=60, on_round=rounds.append)
    with pytest.raises(ConnectionError):
        await failing.run_due()
    assert rounds == ["done", "done", "failed"]


async def test_of_two_rounds_holding_the_same_look_only_the_first_writes(world: World) -> None:
    """The claim of storage.report_state.apply_decision: a round that read the agenda before
    another round moved it writes nothing (and so sends nothing)."""
    report_id = await world.new_report()
    now = wita(3, 5, 8)
    rules, categories = world_rules(world), world.deps.categories
    async with world.db.uow() as first, world.db.uow() as second:
        mine = await first.reports.get(report_id)
        theirs = await second.reports.get(report_id)
        assert mine is not None
        assert theirs is not None
        seen = mine.next_notice_on
        decided, _ = look_at(rules, categories, mine, now)
        late, _ = look_at(rules, categories, theirs, now)
        assert decided.action == CaseAction.REMIND
        assert decided.claim is not None
        assert await apply_decision(first, mine, decided, now)
        await first.commit()
        assert not await apply_decision(second, theirs, late, now)
        assert theirs.next_notice_on == seen  # nothing of the decision was written
        await second.commit()
    stored = await world.report(report_id)
    assert stored.next_notice_on == decided.after.next_notice_on != seen
    async with world.db.uow() as uow:
        kinds = list(
            await uow.session.scalars(
                select(ReportEvent.kind).where(ReportEvent.report_id == report_id)
            )
        )
    assert kinds.count(EventKind.REMINDER) == 1


def world_rules(world: World) -> Rules:
    config = world.deps.config
    return Rules(world.deps.calendar, config.timezone, config.deadlines)


async def test_the_morning_summary_goes_out_in_the_morning_only(world: World) -> None:
    """A bot started (or back) in the evening sends the day's reminders, but no "Ringkasan pagi"
    at nine at night: the next working morning brings it."""
    await world.new_report()  # Monday 2 March
    evening = await world.round(wita(3, 3, 21))  # Tuesday 21:00 WITA
    assert "digests" not in evening
    assert not [t for t in await world.sent_to(DESA_CHAT) if t.startswith("☀️")]
    morning = await world.round(wita(3, 4, 8))  # Wednesday 08:00
    assert morning["digests"] >= 1
    assert "digests" not in await world.round(wita(3, 4, 11))  # once a day
