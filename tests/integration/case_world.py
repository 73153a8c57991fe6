"""A small world on a real SQLite file for case-work tests: units seeded, Desa Sepaso's and the
coordinator's groups bound, a manual clock; helpers to file a report, act as an officer, answer
as the reporter, run the reminder engine and read what was queued."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from pydantic import SecretStr
from sqlalchemy import select

from cases.filing import file_report
from core.permissions import CaseAction
from handlers.case import Case, Officer
from handlers.deps import HandlerDeps
from handlers.notices import filing_for
from handlers.officer_actions import act
from handlers.reminders import run_reminders
from handlers.reporter_actions import relay_from_reporter
from locales import Catalogs
from runtime.clock import ManualClock
from runtime.deps import handler_deps
from runtime.settings import Settings
from storage.models import Citizen, OutboxMessage, Report
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
        """A report filed now (as the chat files it): routed to Desa Sepaso, clocks started."""
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
                tracking_no="",
                citizen_id=self.citizen_id,
                channel="telegram",
                report_type="pengaduan",
                category=category,
                region_code=SEPASO,
                description="Sampah menumpuk",
                privacy="biasa",
                created_at=now,
                updated_at=now,
            )
            await file_report(uow, filing_for(self.deps), now, report)
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
            refused = await act(
                Case(uow, self.deps, self.clock()), report, action, officer, note=note
            )
            assert refused == ""
            await uow.commit()

    async def reporter_answers(self, report_id: int) -> None:
        async with self.db.uow() as uow:
            report = await uow.reports.get(report_id)
            assert report is not None
            await relay_from_reporter(Case(uow, self.deps, self.clock()), report, "Di RT 05", [])
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
        return dict((await run_reminders(self.db.uow, self.deps)).counts)


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
