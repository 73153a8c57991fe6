"""One named person responsible (👤 Tugaskan, 🙋 Saya tangani, ✋ Lepas) through the real inbox,
on each engine: who may do what, what the card and the group show, and bad input refused
politely with nothing changed."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from core.callbacks import sign_callback
from core.timeline import EventKind
from storage.models import Report, ReportEvent, UnitOfficer
from storage.uow import UnitOfWork
from tests.integration.test_admin_ask_first import (
    DESA_CHAT,
    KADES,
    STAF,
    GroupBot,
    T,
    bot,
    group_message,
    group_press,
    press,
)

__all__ = ["bot"]  # the fixture

STAF_NAME = f"Orang {STAF}"


async def report(bot: GroupBot) -> Report:
    async with UnitOfWork(bot.driver.factory) as uow:
        return (await uow.session.scalars(select(Report))).one()


async def events(bot: GroupBot) -> list[tuple[str, str]]:
    async with UnitOfWork(bot.driver.factory) as uow:
        rows = await uow.session.scalars(select(ReportEvent).order_by(ReportEvent.id))
        return [(str(e.kind), e.note) for e in rows]


def signed(bot: GroupBot, payload: str) -> str:
    return sign_callback(payload, bot.driver.conversations.deps.config.callback_secret)


async def forged_press(bot: GroupBot, user: int, arg: str) -> list[str]:
    """A press of ``u:<report>:as:<arg>`` signed as the bot signs, as a stale or crafted button."""
    number = (await report(bot)).id
    return await bot.receive(
        group_press(DESA_CHAT, user, bot.newest(), signed(bot, f"u:{number}:as:{arg}"))
    )


def answers(bot: GroupBot) -> list[str]:
    return [str(p.get("text", "")) for p in bot.delivered if p.get("kind") == "answer_callback"]


async def test_a_member_takes_a_report_and_the_card_says_who_has_it(bot: GroupBot) -> None:
    said = await press(bot, STAF, T.t("card.button.take"))

    taken = await report(bot)
    assert (taken.assignee_id, taken.assignee_name) == (str(STAF), STAF_NAME)
    assert any(T.t("card.assignee", name=STAF_NAME) in text for text in said), said
    assert any("Laporan" in t and STAF_NAME in t for t in said)  # the group is told
    assert (EventKind.ASSIGNED.value, STAF_NAME) in await events(bot)
    # The card now offers ✋ Lepas instead of 🙋 Saya tangani.
    await bot.reveal(T.t("card.button.release"))
    bot.card_button(T.t("card.button.release"))


async def test_an_admin_assigns_a_member_from_the_picker_and_releases_it(bot: GroupBot) -> None:
    await press(bot, STAF, T.t("card.button.vf"))  # STAF is now known to the bot
    opened = await press(bot, KADES, T.t("card.button.assign"))
    assert any(T.t("picker.assign") in text for text in opened), opened

    said = await press(bot, KADES, STAF_NAME)

    assert (await report(bot)).assignee_id == str(STAF)
    assert any(STAF_NAME in t and f"Orang {KADES}" in t for t in said), said
    assert bot.admins.asked_member == [(str(DESA_CHAT), str(STAF))]
    assert bot.admins.inside_a_transaction == []

    await press(bot, KADES, T.t("card.button.release"))
    released = await report(bot)
    assert released.assignee_id is None
    assert (EventKind.RELEASED.value, STAF_NAME) in await events(bot)


async def test_a_plain_member_may_not_assign_someone_else(bot: GroupBot) -> None:
    await press(bot, KADES, T.t("card.button.vf"))
    refused = await press(bot, STAF, T.t("card.button.assign"))
    role = T.t("role.officer_only", action=T.t("role.action.assign"))
    assert role in refused
    assert role in await forged_press(bot, STAF, str(KADES))  # the picker's data, crafted
    assert (await report(bot)).assignee_id is None


async def test_a_member_may_not_take_it_over_from_someone_else(bot: GroupBot) -> None:
    await press(bot, KADES, T.t("card.button.take"))
    refused = await forged_press(bot, STAF, "me")
    assert T.t("role.officer_only", action=T.t("role.action.assign")) in refused
    assert (await report(bot)).assignee_id == str(KADES)


async def test_someone_who_left_the_group_is_refused_and_nothing_changes(bot: GroupBot) -> None:
    await press(bot, STAF, T.t("card.button.vf"))
    await press(bot, KADES, T.t("card.button.assign"))
    bot.admins.gone.add(str(STAF))

    said = await press(bot, KADES, STAF_NAME)

    assert T.t("case.refused.assign_left") in said
    assert (await report(bot)).assignee_id is None
    assert EventKind.ASSIGNED.value not in [kind for kind, _ in await events(bot)]


async def test_another_unit_s_officer_or_a_stranger_is_refused(bot: GroupBot) -> None:
    """Data naming a named officer of another unit (or anyone the unit never saw)."""
    now = datetime.now().astimezone()
    async with UnitOfWork(bot.driver.factory) as uow:
        other = await uow.units.coordinator()
        assert other is not None
        uow.session.add(
            UnitOfficer(
                unit_id=other.id, channel="telegram", user_id="555", name="Luar", added_at=now
            )
        )
        await uow.commit()

    said = await forged_press(bot, KADES, "555")

    assert T.t("case.refused.assign_unknown") in said
    assert (await report(bot)).assignee_id is None


async def test_a_stale_button_of_an_archived_report_changes_nothing(bot: GroupBot) -> None:
    await bot.reveal(T.t("card.button.take"))
    take = bot.card_button(T.t("card.button.take"))
    await press(bot, KADES, T.t("card.button.ar"))
    await press(bot, KADES, T.t("archive.reason.spam"))
    assert (await report(bot)).status == "diarsipkan"

    said = await bot.receive(group_press(DESA_CHAT, STAF, take[0], take[1]))

    assert T.t("case.refused.assign_closed") in said
    assert (await report(bot)).assignee_id is None


async def test_the_citizen_s_status_never_shows_who_handles_it(bot: GroupBot) -> None:
    await press(bot, STAF, T.t("card.button.take"))
    number = (await report(bot)).tracking_no
    from tests.integration.test_admin_ask_first import CITIZEN

    private = group_message(CITIZEN, CITIZEN, f"/status {number}")
    private["message"]["chat"] = {"id": CITIZEN, "type": "private", "first_name": "Rahmat"}
    said = await bot.receive(private)

    assert any(number in text and T.t("status.timeline") in text for text in said), said
    assert not any(STAF_NAME in text for text in said), said
    assert not any(T.t("event.assigned") in text for text in said), said


async def test_a_transfer_releases_the_old_unit_s_person(bot: GroupBot) -> None:
    await press(bot, KADES, T.t("card.button.take"))
    await press(bot, KADES, T.t("card.button.tr"))
    async with UnitOfWork(bot.driver.factory) as uow:
        coordinator = await uow.units.coordinator()
        assert coordinator is not None
        name = coordinator.name[:40]
    await press(bot, KADES, name)
    await bot.receive(group_message(DESA_CHAT, KADES, "Bukan wewenang desa", reply_to=bot.newest()))

    moved = await report(bot)
    assert moved.unit_id == coordinator.id
    assert moved.assignee_id is None
    assert (EventKind.RELEASED.value, f"Orang {KADES}") in await events(bot)


async def test_the_person_assigned_hears_it_in_their_private_chat(bot: GroupBot) -> None:
    await press(bot, STAF, T.t("card.button.vf"))
    async with UnitOfWork(bot.driver.factory) as uow:  # STAF once started the bot in private
        await uow.conversations.get_or_create(
            "telegram", str(STAF), language="id", now=bot.driver.clock()
        )
        await uow.commit()
    await press(bot, KADES, T.t("card.button.assign"))

    await press(bot, KADES, STAF_NAME)

    private = [str(p.get("text")) for p in bot.delivered if p.get("chat_id") == str(STAF)]
    number = (await report(bot)).tracking_no
    told = T.t("private.assigned", number=number, officer=f"Orang {KADES}")
    assert private == [told]
