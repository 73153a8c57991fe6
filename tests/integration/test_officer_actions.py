"""The officers' side at unit-test speed: actions on a real SQLite file, without Telegram.
What is checked is what a user would notice: the report's status and deadline, its timeline,
and the messages queued for the reporter and the groups."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from core.permissions import CaseAction
from handlers.case import Case, Officer
from handlers.officer_actions import act, answer_reporter
from storage.models import OutboxMessage, Report, ReportEvent, Unit
from tests.integration.case_world import COORDINATOR_CHAT, World

REPORTER_CHAT = "42"


async def officer_act(
    world: World,
    report_id: int,
    action: CaseAction,
    *,
    unit_code: str | None = None,
    to_code: str | None = None,
    **details: Any,
) -> str:
    """Act as an officer of the holder (or of ``unit_code``); returns the refusal or ''."""
    async with world.db.uow() as uow:
        report = await uow.reports.get(report_id)
        assert report is not None
        unit = await (
            uow.units.by_code(unit_code) if unit_code else uow.units.get(report.unit_id or 0)
        )
        assert unit is not None
        to_unit = await uow.units.by_code(to_code) if to_code else None
        officer = Officer(user_id="7", name="Dewi", unit=unit)
        case = Case(uow, world.deps, world.clock())
        if action == CaseAction.ANSWER:
            refused = await answer_reporter(case, report, officer, details["note"], [])
        else:
            refused = await act(case, report, action, officer, to_unit=to_unit, **details)
        await uow.commit()
        return refused


async def rows(world: World, chat_id: str) -> list[OutboxMessage]:
    async with world.db.uow() as uow:
        found = await uow.session.scalars(
            select(OutboxMessage).where(OutboxMessage.chat_id == chat_id).order_by(OutboxMessage.id)
        )
        return list(found)


async def events(world: World, report_id: int) -> list[ReportEvent]:
    async with world.db.uow() as uow:
        found = await uow.session.scalars(
            select(ReportEvent).where(ReportEvent.report_id == report_id).order_by(ReportEvent.id)
        )
        return list(found)


async def unit_of(world: World, report: Report) -> Unit:
    async with world.db.uow() as uow:
        unit = await uow.units.get(report.unit_id) if report.unit_id else None
        assert unit is not None
        return unit


async def test_verifying_starts_the_follow_up_stage_and_tells_the_reporter(world: World) -> None:
    report_id = await world.new_report()  # Monday 2 March 2026
    assert await officer_act(world, report_id, CaseAction.VERIFY) == ""
    report = await world.report(report_id)
    assert report.status == "didisposisi"
    assert str(report.due_date) == "2026-03-09"  # 5 working days
    last = (await events(world, report_id))[-1]
    assert (last.kind, last.status_from, last.status_to) == ("vf", "baru", "didisposisi")
    assert last.actor == "petugas:7:Dewi"
    told = await rows(world, REPORTER_CHAT)
    assert len(told) == 1
    assert told[0].purpose == "notice"
    assert "diverifikasi" in told[0].payload["text"]
    assert "9 Maret 2026" in told[0].payload["text"]


async def test_a_refused_action_changes_and_sends_nothing(world: World) -> None:
    report_id = await world.new_report()
    await officer_act(world, report_id, CaseAction.VERIFY)
    before_events = len(await events(world, report_id))
    before_rows = len(await rows(world, REPORTER_CHAT))
    assert await officer_act(world, report_id, CaseAction.VERIFY) == "already_verified"
    assert len(await events(world, report_id)) == before_events
    assert len(await rows(world, REPORTER_CHAT)) == before_rows
    assert (await world.report(report_id)).status == "didisposisi"


async def test_an_officer_of_another_unit_is_refused(world: World) -> None:
    report_id = await world.new_report()
    holder = await unit_of(world, await world.report(report_id))
    async with world.db.uow() as uow:
        others = [u for u in await uow.units.of_kind("opd") if u.id != holder.id]
    refused = await officer_act(world, report_id, CaseAction.VERIFY, unit_code=others[0].code)
    assert refused == "not_yours"
    assert (await world.report(report_id)).status == "baru"


async def test_a_transfer_to_a_unit_without_a_group_is_shown_to_the_coordinator(
    world: World,
) -> None:
    report_id = await world.new_report()
    await officer_act(world, report_id, CaseAction.VERIFY)
    async with world.db.uow() as uow:
        opd = (await uow.units.of_kind("opd"))[0]
    coordinator_cards = len([r for r in await rows(world, COORDINATOR_CHAT) if r.purpose == "card"])
    refused = await officer_act(
        world, report_id, CaseAction.TRANSFER, to_code=opd.code, note="Bukan wewenang desa"
    )
    assert refused == ""
    report = await world.report(report_id)
    assert report.unit_id == opd.id
    assert report.status == "didisposisi"
    transfer = (await events(world, report_id))[-1]
    assert (transfer.kind, transfer.to_unit_id, transfer.note) == (
        "tr",
        opd.id,
        "Bukan wewenang desa",
    )
    cards = [r for r in await rows(world, COORDINATOR_CHAT) if r.purpose == "card"]
    assert len(cards) == coordinator_cards + 1
    assert "dialihkan" in (await rows(world, REPORTER_CHAT))[-1].payload["text"]
    same = await officer_act(world, report_id, CaseAction.TRANSFER, unit_code=opd.code)
    assert same == "unknown_unit"


async def test_archiving_tells_the_reporter_without_a_reply_button(world: World) -> None:
    report_id = await world.new_report()
    assert await officer_act(world, report_id, CaseAction.ARCHIVE, reason="spam") == ""
    report = await world.report(report_id)
    assert report.status == "diarsipkan"
    assert report.due_date is None
    assert report.next_notice_on is None
    notice = (await rows(world, REPORTER_CHAT))[-1]
    assert notice.payload.get("markup") is None
    assert await officer_act(world, report_id, CaseAction.NOTE, note="x") == "archived"


async def test_the_first_answer_starts_the_finishing_stage(world: World) -> None:
    report_id = await world.new_report()
    assert await officer_act(world, report_id, CaseAction.ANSWER, note="Halo") == "not_verified"
    await officer_act(world, report_id, CaseAction.VERIFY)
    assert await officer_act(world, report_id, CaseAction.ANSWER, note="Kami cek besok") == ""
    report = await world.report(report_id)
    assert report.status == "diproses"
    answer = (await rows(world, REPORTER_CHAT))[-1]
    assert "Kami cek besok" in answer.payload["text"]
    assert answer.payload.get("markup") is not None  # the reporter can reply to it


async def test_a_category_change_refuses_a_forged_or_unchanged_code(world: World) -> None:
    """What a forged button, a stale picker, another unit's group or a closed report asks: the
    use case refuses it, and nothing is written or sent."""
    report_id = await world.new_report()
    holder = await unit_of(world, await world.report(report_id))
    async with world.db.uow() as uow:
        other = next(u for u in await uow.units.of_kind("opd") if u.id != holder.id)
    before_events = len(await events(world, report_id))
    asked = CaseAction.RECATEGORIZE
    assert await officer_act(world, report_id, asked, category="nope") == "unknown_category"
    assert await officer_act(world, report_id, asked, category="sampah") == "same_category"
    refused = await officer_act(world, report_id, asked, unit_code=other.code, category="air")
    assert refused == "not_yours"
    await officer_act(world, report_id, CaseAction.ARCHIVE, reason="spam")
    assert await officer_act(world, report_id, asked, category="air") == "archived"
    assert (await world.report(report_id)).category == "sampah"
    kinds = [e.kind for e in await events(world, report_id)][before_events:]
    assert kinds == ["ar"]
    told = [r.payload["text"] for r in await rows(world, REPORTER_CHAT)]
    assert not any("Kategori" in text for text in told)

    fresh = await world.new_report()
    assert await officer_act(world, fresh, asked, category="air") == ""
    report = await world.report(fresh)
    assert (report.category, report.status) == ("air", "baru")
    assert (await events(world, fresh))[-1].note == "Sampah & Lingkungan → Air Bersih"
