"""The person responsible gets the report's reminders: in their private chat with the bot when
they have started it, otherwise the group's reminder names them. Escalation stays the group's
and the coordinator's."""

from __future__ import annotations

from cases.officer import Officer
from core.lifecycle import GroupRole
from handlers.assignment import assign
from handlers.case import Case
from tests.integration.case_world import COORDINATOR_CHAT, DESA_CHAT, World, wita, world

__all__ = ["world"]  # the fixture

BUDI = "3003"


async def _budi_takes(world: World, report_id: int) -> None:
    async with world.db.uow() as uow:
        report = await uow.reports.get(report_id)
        assert report is not None
        assert report.unit_id is not None
        unit = await uow.units.get(report.unit_id)
        assert unit is not None
        budi = Officer(user_id=BUDI, name="Budi", unit=unit, role=GroupRole.MEMBER)
        case = Case(uow, world.deps, world.clock())
        assert await assign(case, report, budi, BUDI, here=("telegram", DESA_CHAT)) is None
        await uow.commit()


async def _budi_starts_the_bot(world: World) -> None:
    async with world.db.uow() as uow:
        await uow.conversations.get_or_create("telegram", BUDI, language="id", now=world.clock())
        await uow.commit()


def _reminders(texts: list[str]) -> list[str]:
    return [t for t in texts if t.startswith("🔔")]


async def test_the_person_who_started_the_bot_is_reminded_in_private(world: World) -> None:
    report_id = await world.new_report()
    other_id = await world.new_report()  # nobody has it: the group is reminded of it
    await _budi_takes(world, report_id)
    await _budi_starts_the_bot(world)

    assert (await world.round(wita(3, 5, 8)))["reminders"] == 2

    number = (await world.report(report_id)).tracking_no
    other = (await world.report(other_id)).tracking_no
    private = _reminders(await world.sent_to(BUDI))
    assert len(private) == 1
    assert number in private[0]
    assert other not in private[0]
    group = _reminders(await world.sent_to(DESA_CHAT))
    assert len(group) == 1
    assert other in group[0]
    assert number not in group[0]


async def test_without_a_private_chat_the_group_is_reminded_naming_them(world: World) -> None:
    report_id = await world.new_report()
    await _budi_takes(world, report_id)

    await world.round(wita(3, 5, 8))

    assert _reminders(await world.sent_to(BUDI)) == []
    group = _reminders(await world.sent_to(DESA_CHAT))
    number = (await world.report(report_id)).tracking_no
    assert len(group) == 1
    assert number in group[0]
    assert "👤 Budi" in group[0]


async def test_escalation_stays_with_the_group_and_the_coordinator(world: World) -> None:
    await world.new_report()
    report_id = await world.new_report()
    await _budi_takes(world, report_id)
    await _budi_starts_the_bot(world)

    assert (await world.round(wita(3, 6, 9))).get("escalations", 0) >= 1

    assert any("👤 Budi" in t for t in await world.sent_to(COORDINATOR_CHAT))
