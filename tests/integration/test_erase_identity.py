"""storage.rights.erase_reporter_identity: the one way a reporter's identity leaves a report (a
citizen's /dataku removal, later a retention round with its own reason), and removals that wait
for a report to close, carried out by whichever door closes it (here the reminder engine's
automatic closing). The roll-up does not move."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from core.lifecycle import Privacy, ReportStatus
from core.permissions import CaseAction
from storage.citizen_rights import remove_me
from storage.models import Citizen, DataRequest, PendingErasure, Report, ReportEvent
from storage.rights import erase_reporter_identity, erased_reason
from tests.integration.case_world import World, wita
from tests.integration.test_console_rollup import _rollup_rows


async def _reporter(world: World, report_id: int) -> Citizen:
    async with world.db.uow() as uow:
        report = await uow.reports.get(report_id)
        assert report is not None
        citizen = await uow.citizens.by_id(report.citizen_id)
        assert citizen is not None
        return citizen


async def _erase(world: World, report_id: int, reason: str) -> bool:
    async with world.db.uow() as uow:
        done = await erase_reporter_identity(uow.session, report_id, reason, now=world.clock())
        await uow.commit()
        return done


async def test_the_identity_goes_once_and_the_rollup_stays(world: World) -> None:
    first, second = await world.new_report(), await world.new_report()
    await world.act(first, CaseAction.VERIFY)
    before: dict[str, set[tuple[Any, ...]]] = await _rollup_rows(world)
    assert await _erase(world, first, "retention")
    assert not await _erase(world, first, "retention")  # twice: nothing more to take
    assert not await _erase(world, first, "request")
    assert erased_reason(await _reporter(world, first)) == "retention"
    assert (await _reporter(world, second)).user_id == "42"
    assert await _erase(world, second, "request")
    placeholder = await _reporter(world, second)
    assert (placeholder.name, placeholder.username, placeholder.phone) == ("", "", "")
    assert placeholder.chat_id == ""
    assert erased_reason(placeholder) == "request"
    assert await _rollup_rows(world) == before


async def test_the_name_written_in_the_report_is_masked(world: World) -> None:
    """Open311 and supporters keep the reporter's name out of the words by the reporter's row;
    once that row is a placeholder, the words themselves must not hold the name."""
    report_id = await world.new_report()
    async with world.db.uow() as uow:
        report = await uow.reports.get(report_id)
        assert report is not None
        citizen = await uow.citizens.by_id(report.citizen_id)
        assert citizen is not None
        citizen.name = "Budi Santoso"
        report.description = "Sampah di depan rumah saya, Budi, sudah seminggu."
        await uow.commit()
    await world.act(report_id, CaseAction.VERIFY)
    await world.act(report_id, CaseAction.NOTE, note="Terima kasih Pak Budi, kami cek besok")
    assert "Budi" in " ".join(await _notes(world, report_id))
    assert await _erase(world, report_id, "request")
    async with world.db.uow() as uow:
        report = await uow.reports.get(report_id)
        assert report is not None
        assert report.description == "Sampah di depan rumah saya, •••, sudah seminggu."
    assert "Terima kasih Pak •••, kami cek besok" in await _notes(world, report_id)


async def _notes(world: World, report_id: int) -> list[str]:
    async with world.db.uow() as uow:
        notes = await uow.session.scalars(
            select(ReportEvent.note).where(ReportEvent.report_id == report_id)
        )
        return list(notes)


async def test_a_waiting_removal_happens_when_the_engine_closes_the_report(world: World) -> None:
    report_id = await world.new_report()
    await world.act(report_id, CaseAction.VERIFY)
    await world.act(report_id, CaseAction.DONE, note="Sudah diangkut")
    async with world.db.uow() as uow:
        uow.session.add(PendingErasure(report_id=report_id, created_at=world.clock()))
        await uow.commit()
    assert (await _reporter(world, report_id)).user_id == "42"
    counts = await world.round(wita(5, 29))
    assert counts.get("closed") == 1, counts
    assert erased_reason(await _reporter(world, report_id)) == "request"
    async with world.db.uow() as uow:
        assert list(await uow.session.scalars(select(PendingErasure))) == []
        left = await uow.session.scalars(select(Citizen.user_id).order_by(Citizen.user_id))
        assert list(left) == ["~request"]  # the citizen had nothing else: their row went too
        report = await uow.session.get(Report, report_id)
        assert report is not None
        assert report.closed_at is not None


async def test_a_removal_cut_off_before_its_commit_leaves_nothing_half_done(world: World) -> None:
    """A crash (here: the transaction ends without its commit) leaves the identity, the record
    and the citizen as they were: the removal, its record and the waiting rows are one commit."""
    closed_id, open_id = await world.new_report(), await world.new_report()
    async with world.db.uow() as uow:
        report = await uow.reports.get(closed_id)
        assert report is not None
        report.status = ReportStatus.DIARSIPKAN  # closed for the removal
        await uow.commit()
    async with world.db.uow() as uow:
        citizen = await uow.citizens.get("telegram", "42")
        assert citizen is not None
        done = await remove_me(uow.session, citizen, "subject", world.clock(), hide=True)
        assert done.erased
        assert done.waiting
        # no commit: the process dies here
    assert (await _reporter(world, closed_id)).user_id == "42"
    assert (await _reporter(world, open_id)).user_id == "42"
    async with world.db.uow() as uow:
        assert list(await uow.session.scalars(select(DataRequest))) == []
        assert list(await uow.session.scalars(select(PendingErasure))) == []
        report = await uow.reports.get(open_id)
        assert report is not None
        assert report.privacy == Privacy.BIASA
