"""``cases.filing.file_report``, the one way a report comes to exist: what it stores, and that
the cards it owes go to the door's notifier (no text is written by the use case)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select, update

from cases.filing import Filing, file_report
from core.decisions import Actor, Rules
from core.permissions import ActorKind
from core.tracking import TrackingCheck, parse_tracking_number
from storage.models import OutboxMessage, Report, ReportEvent, ReportPhoto, Unit
from storage.uow import UnitOfWork
from tests.integration.case_world import DESA_CHAT, SEPASO, World


class Owed:
    """A notifier that records what filing says is owed instead of writing cards."""

    def __init__(self) -> None:
        self.calls: list[tuple[int, int]] = []

    async def new_report(self, uow: UnitOfWork, now: datetime, report: Report, unit: Unit) -> None:
        self.calls.append((report.id, unit.id))


def filing(world: World, owed: Owed) -> Filing:
    deps = world.deps
    rules = Rules(deps.calendar, deps.config.timezone, deps.config.deadlines)
    return Filing(rules, deps.categories, owed)


def draft(citizen_id: int, now: datetime) -> Report:
    return Report(
        tracking_no="",
        citizen_id=citizen_id,
        channel="telegram",
        report_type="pengaduan",
        category="sampah",
        region_code=SEPASO,
        description="Sampah menumpuk di depan balai desa",
        privacy="biasa",
        created_at=now,
        updated_at=now,
    )


async def test_a_filed_report_is_stored_opened_routed_and_its_cards_are_owed(
    world: World,
) -> None:
    first = await world.new_report()  # the citizen, and a report filed before this one
    owed = Owed()
    now = world.clock()
    async with world.db.uow() as uow:
        before = await uow.session.scalar(select(func.count()).select_from(OutboxMessage))
        earlier = await uow.reports.get(first)
        assert earlier is not None
        citizen_id, earlier_number = earlier.citizen_id, earlier.tracking_no
        photo = ReportPhoto(position=0, file_id="f1", file_unique_id="u1", media_group_id="")
        by = Actor(ActorKind.CITIZEN, "open311:dinas")
        unit = await file_report(
            uow, filing(world, owed), now, draft(citizen_id, now), [photo], filed_by=by, note="n"
        )
        await uow.commit()
        after = await uow.session.scalar(select(func.count()).select_from(OutboxMessage))
    assert unit is not None
    assert unit.area_code == SEPASO
    async with world.db.uow() as uow:
        report = await uow.session.scalar(select(Report).order_by(Report.id.desc()).limit(1))
        assert report is not None
        assert parse_tracking_number(report.tracking_no).check == TrackingCheck.VALID
        assert report.tracking_no != earlier_number
        assert (report.status, report.unit_id) == ("baru", unit.id)
        assert report.due_date is not None
        assert report.ombudsman_on is not None
        assert [p.file_id for p in await uow.reports.photos_of(report.id)] == ["f1"]
        events = list(
            await uow.session.scalars(
                select(ReportEvent)
                .where(ReportEvent.report_id == report.id)
                .order_by(ReportEvent.id)
            )
        )
    assert [(e.kind, e.actor, e.note) for e in events] == [
        ("submitted", "open311:dinas", "n"),
        ("routed", "sistem", unit.name),
    ]
    # What is owed goes to the door's notifier, once; the use case itself queued no message.
    assert owed.calls == [(report.id, unit.id)]
    assert after == before


async def test_without_an_active_unit_the_report_still_exists_and_no_card_is_owed(
    world: World,
) -> None:
    first = await world.new_report()
    owed = Owed()
    now = world.clock()
    async with world.db.uow() as uow:
        await uow.session.execute(update(Unit).values(active=False))
        earlier = await uow.reports.get(first)
        assert earlier is not None
        report = draft(earlier.citizen_id, now)
        assert await file_report(uow, filing(world, owed), now, report) is None
        await uow.commit()
    async with world.db.uow() as uow:
        stored = await uow.reports.get(report.id)
        assert stored is not None
        assert (stored.status, stored.unit_id) == ("baru", None)
        kinds = await uow.session.scalars(
            select(ReportEvent.kind).where(ReportEvent.report_id == report.id)
        )
        assert list(kinds) == ["submitted"]
    assert owed.calls == []


async def test_the_units_card_says_when_no_photo_was_sent(world: World) -> None:
    await world.new_report()  # filed without a photo
    card = next(t for t in await world.sent_to(DESA_CHAT) if "Foto bukti" in t)
    assert "Foto bukti: tidak ada" in card, card
