"""A card's facts read in one statement (``storage.card_facts``) say what the five reads each
card made before said: the evidence in order, the supporters and internal notes counted, a
counter filing's way in and officer, and where the latest transfer into a unit came from. On
SQLite and PostgreSQL (``TEST_POSTGRES_URL``)."""

from __future__ import annotations

from sqlalchemy import select

from core.timeline import EventKind
from storage.card_facts import Evidence, read_card_facts
from storage.counter import filing_of
from storage.models import (
    Citizen,
    CounterFiling,
    Report,
    ReportEvent,
    ReportPhoto,
    ReportSupporter,
)
from storage.supporters import SupporterRepository
from tests.integration import test_console_actions as base
from tests.integration.test_console_actions import Desk
from tests.integration.test_console_merge import file_as

desk = base.desk


async def test_one_read_says_what_the_five_reads_said(desk: Desk) -> None:
    number = await desk.file()
    plain = await file_as(desk, "43")
    now = desk.clock()
    pupr, desa, kec = (desk.units[c] for c in ("dinas-pupr", "desa-64-08-09-2001", "kec-64-08-09"))
    async with desk.db.uow() as uow:
        report = await uow.session.scalar(select(Report).where(Report.tracking_no == number))
        assert report is not None
        rid = report.id
        for position, file_id, mime in ((2, "b", "audio/ogg"), (1, "a", "image/jpeg")):
            uow.session.add(
                ReportPhoto(
                    report_id=rid,
                    position=position,
                    file_id=file_id,
                    file_unique_id=file_id,
                    mime_type=mime,
                )
            )
        fan = Citizen(
            channel="telegram",
            user_id="99",
            chat_id="99",
            name="Budi",
            consent_at=now,
            consent_version="1",
            created_at=now,
        )
        uow.session.add(fan)
        await uow.session.flush()
        uow.session.add(ReportSupporter(report_id=rid, citizen_id=fan.id, created_at=now))
        uow.session.add(
            CounterFiling(
                report_id=rid,
                via="loket",
                unit_id=desa,
                officer_id="7",
                officer_name="Agus",
                claim_hash="0" * 64,
                claim_failures=0,
                created_at=now,
            )
        )
        events = [
            (EventKind.INTERNAL_NOTE, None, None, "catatan"),
            (EventKind.TRANSFERRED, desa, pupr, "pertama"),
            (EventKind.TRANSFERRED, kec, pupr, "kedua"),  # the latest into PUPR
            (EventKind.TRANSFERRED, None, desa, "tanpa asal"),  # no unit it came from
        ]
        for kind, unit_id, to_unit_id, note in events:
            uow.session.add(
                ReportEvent(
                    report_id=rid,
                    kind=kind,
                    actor="petugas:1:Rina",
                    note=note,
                    unit_id=unit_id,
                    to_unit_id=to_unit_id,
                    created_at=now,
                )
            )
        await uow.commit()

    async with desk.db.uow() as uow:
        facts = await read_card_facts(uow.session, rid, [pupr, desa, kec, None])
        assert facts.evidence == (Evidence("a", "image/jpeg"), Evidence("b", "audio/ogg"))
        assert (facts.supporters, facts.internal_notes) == (1, 1)
        assert (facts.taken_via, facts.taken_by) == ("loket", "Agus")
        assert facts.moved_into == {pupr: (kec, "kedua")}
        # The same as the reads each card made before.
        photos = await uow.reports.photos_of(rid)
        assert [(p.file_id, p.mime_type) for p in photos] == [
            (e.file_id, e.mime_type) for e in facts.evidence
        ]
        assert await SupporterRepository(uow.session).count(rid) == facts.supporters
        notes = await uow.reports.count_events(rid, EventKind.INTERNAL_NOTE)
        assert notes == facts.internal_notes
        filing = await filing_of(uow.session, rid)
        assert filing is not None
        assert filing.via == facts.taken_via
        moved = await uow.reports.transfer_into(rid, pupr)
        assert moved is not None
        assert (moved.unit_id, moved.note) == facts.moved_into[pupr]

        # A report with none of them: one row of empties.
        other = await uow.session.scalar(select(Report.id).where(Report.tracking_no == plain))
        assert other is not None
        empty = await read_card_facts(uow.session, other, [pupr])
        assert empty.evidence == ()
        assert empty.moved_into == {}
        assert (empty.supporters, empty.internal_notes, empty.taken_via) == (0, 0, "")
