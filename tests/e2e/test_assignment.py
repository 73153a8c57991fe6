"""One named person responsible, end to end on both frameworks: 🙋 Saya tangani, 👤 Tugaskan
through its picker (Telegram asked with getChatMember whether the person is still in the group),
✋ Lepas, and a person who is no longer in the group refused with nothing changed."""

from __future__ import annotations

from datetime import UTC, datetime

from emulator import EmulatorClient, TgUser
from emulator.chat import ChatView
from storage.db import create_engine, session_factory
from storage.models import UnitMember
from storage.uow import UnitOfWork
from tests.e2e.conftest import RunningBot, Settle
from tests.e2e.helpers import ChatOf
from tests.e2e.scenario import Scenario
from tests.e2e.units import KADES, SEPASO, SEPASO_GROUP, STAF_DESA, event_kinds, more_of

#: Seen in the group once (the bot remembers him), no longer in it.
MANTAN = TgUser(id=2199, first_name="Mantan", last_name="Staf")
NOW = datetime(2026, 11, 28, tzinfo=UTC)


async def remember_member(database_url: str, user: TgUser) -> None:
    """The bot saw ``user`` act in the desa's group before (``unit_members``)."""
    engine = create_engine(database_url)
    try:
        async with UnitOfWork(session_factory(engine)) as uow:
            unit = await uow.units.by_area(SEPASO)
            assert unit is not None
            name = f"{user.first_name} {user.last_name}".strip()
            uow.session.add(
                UnitMember(
                    unit_id=unit.id,
                    channel="telegram",
                    user_id=str(user.id),
                    name=name,
                    seen_at=NOW,
                )
            )
            await uow.commit()
    finally:
        await engine.dispose()


async def test_take_assign_release_and_someone_who_left(
    running_bot: RunningBot,
    telegram: EmulatorClient,
    chat_of: ChatOf,
    database_url: str,
    settle: Settle,
) -> None:
    scenario = await Scenario.start(telegram, database_url, chat_of)
    sepaso = scenario.desa
    number, _ = await scenario.file()
    staff = ChatView(telegram, STAF_DESA, SEPASO_GROUP)

    await more_of(sepaso, number, user=STAF_DESA)
    await staff.press("🙋 Saya tangani", "👤 Ditangani: Dewi")
    await more_of(sepaso, number)
    await sepaso.press("✋ Lepas", "tidak lagi ditangani Dewi")
    await remember_member(database_url, MANTAN)

    await more_of(sepaso, number)
    await sepaso.press("👤 Tugaskan", "Siapa yang menangani laporan ini?")
    await sepaso.press("Dewi", "👤 Ditangani: Dewi")

    await more_of(sepaso, number)
    await sepaso.press("👤 Tugaskan", "Siapa yang menangani laporan ini?")
    await telegram.press_button(KADES, "Mantan Staf", chat_id=SEPASO_GROUP)
    await settle()
    [answer] = (await telegram.callback_answers(SEPASO_GROUP))[-1:]
    assert "sudah tidak ada di grup" in answer["text"]
    assert answer["show_alert"]

    kinds = await event_kinds(database_url)
    assert [k for k in kinds if k in ("assigned", "released")] == [
        "assigned",
        "released",
        "assigned",
    ]
    assert number
