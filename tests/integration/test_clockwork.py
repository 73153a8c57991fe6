"""The clock's round on a real SQLite file: the Ombudsman notice, the paused clock, nothing before
the morning, and two rounds at once sending each notice once."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from pydantic import SecretStr
from sqlalchemy import select

from bot.bootstrap import handler_deps
from bot.clock import ManualClock
from bot.settings import Settings
from core.casework import CaseAction
from core.lifecycle import ReportStatus
from handlers import casework
from handlers.casework import Case, Officer
from handlers.clockwork import run_clock
from handlers.deps import HandlerDeps
from locales import Catalogs
from storage.models import Citizen, OutboxMessage, Report, ReportEvent
from storage.unit_registry import seed_units
from tests.integration.database import Database

WITA = ZoneInfo("Asia/Makassar")
SEPASO = "64.08.09.2001"
DESA_CHAT = "-100200"
COORDINATOR_CHAT = "-100100"


def wita(month: int, day: int, hour: int = 9) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=WITA)


class World:
    def __init__(self, db: Database, deps: HandlerDeps, clock: ManualClock) -> None:
        self.db, self.deps, self.clock = db, deps, clock
        self.citizen_id: int | None = None

    async def new_report(self, *, category: str = "sampah") -> int:
        """A report filed now (as intake does): routed to Desa Sepaso, clocks started."""
        now = self.clock()
        async with self.db.uow() as uow:
            if self.citizen_id is None:
                citizen = Citizen(
                    channel="telegram",
                    user_id="42",
                    chat_id="42",
                    consent_at=now,
                    consent_version="1",
                    created_at=now,
                )
                self.citizen_id = (await uow.citizens.add(citizen)).id
            report = Report(
                tracking_no=f"T{now:%m%d%H%M%S}",
                citizen_id=self.citizen_id,
                channel="telegram",
                report_type="pengaduan",
                category=category,
                region_code=SEPASO,
                description="Sampah menumpuk",
                privacy="biasa",
                status="baru",
                created_at=now,
                updated_at=now,
            )
            case = Case(uow, self.deps, now)
            casework.start_clock(case, report)
            await uow.reports.add(
                report, [], ReportEvent(kind="submitted", actor="pelapor", created_at=now)
            )
            await casework.deliver_new_report(case, report)
            await uow.commit()
            return report.id

    async def act(self, report_id: int, action: CaseAction, note: str = "catatan") -> None:
        async with self.db.uow() as uow:
            report = await uow.reports.get(report_id)
            assert report is not None
            assert report.unit_id is not None
            unit = await uow.units.get(report.unit_id)
            assert unit is not None
            officer = Officer(user_id="7", name="Dewi", unit=unit)
            refused = await casework.act(
                Case(uow, self.deps, self.clock()), report, action, officer, note=note
            )
            assert refused == ""
            await uow.commit()

    async def reporter_answers(self, report_id: int) -> None:
        async with self.db.uow() as uow:
            report = await uow.reports.get(report_id)
            assert report is not None
            await casework.relay_from_reporter(
                Case(uow, self.deps, self.clock()), report, "Di RT 05", []
            )
            await uow.commit()

    async def report(self, report_id: int) -> Report:
        async with self.db.uow() as uow:
            report = await uow.reports.get(report_id)
            assert report is not None
            return report

    async def sent_to(self, chat_id: str) -> list[str]:
        async with self.db.uow() as uow:
            rows = await uow.session.scalars(
                select(OutboxMessage)
                .where(OutboxMessage.chat_id == chat_id)
                .order_by(OutboxMessage.id)
            )
            return [str(row.payload.get("text", "")) for row in rows]

    async def round(self, moment: datetime) -> dict[str, int]:
        self.clock.set(moment)
        return dict((await run_clock(self.db.uow, self.deps)).counts)


@pytest.fixture
async def world(database_url: str) -> AsyncIterator[World]:
    db = Database(database_url)
    await db.start()
    clock = ManualClock(wita(3, 2))
    settings = Settings(_env_file=None, bot_token=SecretStr("1:x"))
    deps = handler_deps(settings, "1:x", Catalogs("id"), clock)
    async with db.uow() as uow:
        await seed_units(uow, deps.regions, clock(), categories=deps.categories)
        desa = await uow.units.by_area(SEPASO)
        coordinator = await uow.units.coordinator()
        assert desa is not None
        assert coordinator is not None
        for unit_id, chat in ((desa.id, DESA_CHAT), (coordinator.id, COORDINATOR_CHAT)):
            await uow.units.bind(
                unit_id, channel="telegram", chat_id=chat, title="g", by="1", now=clock()
            )
        await uow.commit()
    yield World(db, deps, clock)
    await db.engine.dispose()


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
        run_clock(world.db.uow, world.deps),
        run_clock(world.db.uow, world.deps),
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
