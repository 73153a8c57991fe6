"""The card's "💬 Jawab pelapor": an officer who does not know that replying to the card answers
the reporter finds a button for it; its prompt takes the answer, replied or simply typed."""

from __future__ import annotations

from tests.integration.test_admin_ask_first import (
    CITIZEN,
    DESA_CHAT,
    KADES,
    GroupBot,
    T,
    bot,
    group_message,
    press,
)

__all__ = ["bot"]  # the fixture


async def test_the_cards_answer_button_prompts_and_relays_the_answer(bot: GroupBot) -> None:
    await press(bot, KADES, T.t("card.button.vf"))
    opened = await press(bot, KADES, T.t("card.button.ans"))
    assert any("jawaban untuk pelapor" in text for text in opened)  # the prompt
    said = await bot.receive(group_message(DESA_CHAT, KADES, "Petugas datang besok pagi."))
    assert T.t("case.relayed", number=await number(bot)) in said
    to_reporter = [p for p in bot.delivered if p.get("chat_id") == str(CITIZEN)]
    assert any("Petugas datang besok pagi." in str(p.get("text")) for p in to_reporter)
    assert await bot.status() == "diproses"  # an answer after verification starts the work


async def number(bot: GroupBot) -> str:
    from sqlalchemy import select

    from storage.models import Report
    from storage.uow import UnitOfWork

    async with UnitOfWork(bot.driver.factory) as uow:
        return str((await uow.session.scalars(select(Report.tracking_no))).one())
