"""``cases.officer`` checks an officer's action once, in the order the group hears it: the
report's unit, then the lifecycle (``decide``), then the person's role in the group; a refused
action writes nothing and owes no notice."""

from __future__ import annotations

from dataclasses import dataclass, field

from cases.officer import (
    Officer,
    OfficerStep,
    RoleRefusal,
    act,
    answer_reporter,
    may_start,
)
from core.decisions import Decision, Refusal
from core.permissions import CaseAction
from core.roles import GroupAction, GroupRole
from handlers.case import Case
from storage.models import Report, Unit
from tests.integration.case_world import World
from tests.integration.test_officer_actions import events, officer_act, rows, unit_of

REPORTER_CHAT = "42"


@dataclass
class Owed:
    """A notices port that only counts what it was asked to send."""

    acted: list[CaseAction] = field(default_factory=list)

    async def acted_on(self, action: CaseAction) -> None:
        self.acted.append(action)


@dataclass
class Recording:
    owed: Owed

    async def acted(
        self,
        report: Report,
        decision: Decision,
        step: OfficerStep,
        officer: Officer,
        old_unit: Unit | None,
    ) -> None:
        await self.owed.acted_on(step.action)

    async def answered(
        self, report: Report, decision: Decision, officer: Officer, language: str
    ) -> None:
        await self.owed.acted_on(CaseAction.ANSWER)


async def _act_as(
    world: World, report_id: int, action: CaseAction, role: GroupRole, unit_code: str = ""
) -> tuple[RoleRefusal | Refusal | None, list[CaseAction]]:
    owed = Owed()
    async with world.db.uow() as uow:
        report = await uow.reports.get(report_id)
        assert report is not None
        unit = await (
            uow.units.by_code(unit_code) if unit_code else uow.units.get(report.unit_id or 0)
        )
        assert unit is not None
        officer = Officer(user_id="8", name="Staf", unit=unit, role=role)
        work = Case(uow, world.deps, world.clock()).work
        if action == CaseAction.ANSWER:
            refused = await answer_reporter(
                work, report, officer, "Sudah kami catat.", Recording(owed)
            )
        else:
            step = OfficerStep(action, note="Sampah sudah diangkut.")
            refused = await act(work, report, step, officer, Recording(owed))
        await uow.commit()
    return refused, owed.acted


async def test_another_units_report_is_refused_before_its_status(world: World) -> None:
    report_id = await world.new_report()
    assert await officer_act(world, report_id, CaseAction.VERIFY) == ""
    holder = await unit_of(world, await world.report(report_id))
    async with world.db.uow() as uow:
        other = next(u for u in await uow.units.of_kind("opd") if u.id != holder.id)
    # Verified already, and not theirs: the group hears "not yours", not "already verified".
    refused, owed = await _act_as(world, report_id, CaseAction.VERIFY, GroupRole.ADMIN, other.code)
    assert refused == Refusal("not_yours")
    assert owed == []


async def test_a_members_role_is_checked_after_the_status_and_nothing_is_written(
    world: World,
) -> None:
    report_id = await world.new_report()
    refused, _ = await _act_as(world, report_id, CaseAction.DONE, GroupRole.MEMBER)
    assert refused == Refusal("not_verified")  # the status first, as the button always said
    assert await officer_act(world, report_id, CaseAction.VERIFY) == ""
    before_events = len(await events(world, report_id))
    before_rows = len(await rows(world, REPORTER_CHAT))
    refused, owed = await _act_as(world, report_id, CaseAction.DONE, GroupRole.MEMBER)
    assert refused == RoleRefusal(GroupAction.DONE, GroupRole.OFFICER)
    assert owed == []
    assert len(await events(world, report_id)) == before_events
    assert len(await rows(world, REPORTER_CHAT)) == before_rows
    assert (await world.report(report_id)).status == "didisposisi"
    refused, owed = await _act_as(world, report_id, CaseAction.DONE, GroupRole.OFFICER)
    assert refused is None
    assert owed == [CaseAction.DONE]
    assert (await world.report(report_id)).status == "selesai"


async def test_a_member_may_reply_to_the_reporter(world: World) -> None:
    report_id = await world.new_report()
    assert await officer_act(world, report_id, CaseAction.VERIFY) == ""
    refused, owed = await _act_as(world, report_id, CaseAction.ANSWER, GroupRole.MEMBER)
    assert refused is None
    assert owed == [CaseAction.ANSWER]


async def test_opening_a_prompt_is_checked_like_the_action(world: World) -> None:
    report_id = await world.new_report()
    async with world.db.uow() as uow:
        report = await uow.reports.get(report_id)
        assert report is not None
        unit = await uow.units.get(report.unit_id or 0)
        assert unit is not None
        member = Officer("8", "Staf", unit, GroupRole.MEMBER)
        admin = Officer("9", "Kades", unit, GroupRole.ADMIN)
        assert may_start(member, report, CaseAction.ASK) == Refusal("not_verified")
        assert may_start(admin, report, CaseAction.ARCHIVE) is None
        assert may_start(member, report, CaseAction.ARCHIVE) == RoleRefusal(
            GroupAction.ARCHIVE, GroupRole.OFFICER
        )
