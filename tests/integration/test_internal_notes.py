"""Internal notes (catatan internal) in a unit's group, through the real inbox on each engine: the
card's "📝 Catatan internal" button and its prompt (replied or typed), a reply to the card that
begins with "#catatan", the card's count, and the bad input (an empty note, a note too long, a
report that left the unit). Each note carries a word nobody else writes, and the test checks that
the reporter was sent nothing with it (nor anything at all for it); the citizen's and a
supporter's 🔎 Cek status leave the note out (tests/integration/test_internal_notes_privacy.py).
"""

from __future__ import annotations

from sqlalchemy import select

from core.internal_notes import INTERNAL_NOTE_MAX
from core.timeline import EventKind
from storage.models import Report, ReportEvent, Unit
from storage.uow import UnitOfWork
from tests.integration.test_admin_ask_first import (
    CITIZEN,
    COORDINATOR_CHAT,
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

WORD = "Zirkonium"  # in every note here, and in nothing else anyone writes


async def notes(bot: GroupBot) -> list[ReportEvent]:
    async with UnitOfWork(bot.driver.factory) as uow:
        rows = await uow.session.scalars(
            select(ReportEvent).where(ReportEvent.kind == EventKind.INTERNAL_NOTE)
        )
        return list(rows)


async def number(bot: GroupBot) -> str:
    async with UnitOfWork(bot.driver.factory) as uow:
        return str((await uow.session.scalars(select(Report.tracking_no))).one())


def to_reporter(bot: GroupBot) -> list[str]:
    return [str(p.get("text", "")) for p in bot.delivered if p.get("chat_id") == str(CITIZEN)]


def newest_card(bot: GroupBot, chat: int = DESA_CHAT) -> tuple[int, str]:
    """The newest card in ``chat`` (its message id and text, as edited last)."""
    found = [
        (message_id, payload)
        for message_id, payload in bot.shown.items()
        if payload.get("chat_id") == str(chat) and "📋 Laporan" in str(payload.get("text"))
    ]
    message_id, payload = max(found, key=lambda item: item[0])
    return message_id, str(payload.get("text"))


async def card_text_now(bot: GroupBot) -> str:
    """The card's text after its latest edit (the edits are payloads of their own)."""
    card_id, text = newest_card(bot)
    for payload in bot.delivered:
        if payload.get("kind") == "edit_text" and payload.get("message_id") == card_id:
            text = str(payload.get("text"))
    return text


async def test_the_button_s_prompt_records_a_note_the_reporter_never_gets(bot: GroupBot) -> None:
    await press(bot, STAF, T.t("card.button.vf"))
    heard_before = len(to_reporter(bot))
    opened = await press(bot, STAF, T.t("card.button.in"))
    assert any("catatan internal" in text for text in opened)  # the prompt
    prompt = bot.newest()

    said = await bot.receive(
        group_message(DESA_CHAT, STAF, f"Sudah dicek lapangan, {WORD}.", reply_to=prompt)
    )

    assert T.t("case.ok.in", number=await number(bot)) in said
    [note] = await notes(bot)
    assert note.note == f"Sudah dicek lapangan, {WORD}."
    assert note.actor.endswith(f":Orang {STAF}")  # who wrote it
    assert to_reporter(bot)[heard_before:] == []  # nothing at all reached the reporter
    assert await bot.status() == "didisposisi"  # a note changes no status
    assert T.t("card.internal_notes", count=1) in await card_text_now(bot)


async def test_a_reply_to_the_card_with_the_marker_is_a_note_and_the_count_grows(
    bot: GroupBot,
) -> None:
    card_id, _ = newest_card(bot)
    heard_before = len(to_reporter(bot))

    first = await bot.receive(
        group_message(DESA_CHAT, STAF, f"#catatan tunggu anggaran {WORD}", reply_to=card_id)
    )
    second = await bot.receive(
        group_message(DESA_CHAT, KADES, f"#Catatan: {WORD} dua", reply_to=card_id)
    )

    assert T.t("case.ok.in", number=await number(bot)) in first
    assert T.t("case.ok.in", number=await number(bot)) in second
    assert [n.note for n in await notes(bot)] == [f"tunggu anggaran {WORD}", f"{WORD} dua"]
    assert not any(WORD in text for text in to_reporter(bot))
    assert to_reporter(bot)[heard_before:] == []
    assert await bot.status() == "baru"  # a note is not a verification
    assert "📝 2 catatan internal" in await card_text_now(bot)
    # A reply without the marker still answers the reporter.
    await press(bot, STAF, T.t("card.button.vf"))
    await bot.receive(group_message(DESA_CHAT, STAF, "Petugas datang besok.", reply_to=card_id))
    assert any("Petugas datang besok." in text for text in to_reporter(bot))


async def test_typed_after_the_prompt_without_replying_is_the_note(bot: GroupBot) -> None:
    await press(bot, STAF, T.t("card.button.in"))
    said = await bot.receive(group_message(DESA_CHAT, STAF, f"Lurah sudah tahu {WORD}"))
    assert T.t("case.ok.in", number=await number(bot)) in said
    assert [n.note for n in await notes(bot)] == [f"Lurah sudah tahu {WORD}"]
    assert not any(WORD in text for text in to_reporter(bot))


async def test_a_marked_answer_to_the_reply_prompt_stays_inside(bot: GroupBot) -> None:
    """Pressing 💬 Jawab pelapor and then writing "#catatan …" is a note: the marker wins."""
    await press(bot, STAF, T.t("card.button.vf"))
    await press(bot, STAF, T.t("card.button.ans"))
    prompt = bot.newest()
    said = await bot.receive(
        group_message(DESA_CHAT, STAF, f"#catatan {WORD} jangan kirim", reply_to=prompt)
    )
    assert T.t("case.ok.in", number=await number(bot)) in said
    assert not any(WORD in text for text in to_reporter(bot))


async def test_an_empty_note_is_asked_for_again_and_nothing_is_recorded(bot: GroupBot) -> None:
    card_id, _ = newest_card(bot)
    heard_before = len(to_reporter(bot))
    said = await bot.receive(group_message(DESA_CHAT, STAF, "#catatan", reply_to=card_id))
    assert T.t("note.empty", marker="#catatan") in said
    await press(bot, STAF, T.t("card.button.in"))
    prompt = bot.newest()
    said = await bot.receive(group_message(DESA_CHAT, STAF, "#catatan  ", reply_to=prompt))
    assert T.t("note.empty", marker="#catatan") in said
    assert await notes(bot) == []
    assert to_reporter(bot)[heard_before:] == []


async def test_a_note_too_long_is_refused_with_the_limit_and_not_cut(bot: GroupBot) -> None:
    card_id, _ = newest_card(bot)
    long = WORD + "x" * INTERNAL_NOTE_MAX
    said = await bot.receive(group_message(DESA_CHAT, STAF, f"#catatan {long}", reply_to=card_id))
    assert T.t("note.too_long", length=len(long), limit=INTERNAL_NOTE_MAX) in said
    assert f"{INTERNAL_NOTE_MAX}" in T.t("note.too_long", length=1, limit=INTERNAL_NOTE_MAX)
    assert await notes(bot) == []
    exact = "y" * INTERNAL_NOTE_MAX  # the limit itself is allowed
    said = await bot.receive(group_message(DESA_CHAT, STAF, f"#catatan {exact}", reply_to=card_id))
    assert T.t("case.ok.in", number=await number(bot)) in said


async def test_a_note_on_a_card_whose_report_left_the_unit_is_refused(bot: GroupBot) -> None:
    """The stale card: the report went to another unit (transferred by the coordinator); the
    desa's old card and its button no longer write notes on it."""
    card_id, _ = newest_card(bot)
    await bot.reveal(T.t("card.button.in"))
    _, note_button = bot.card_button(T.t("card.button.in"))
    async with UnitOfWork(bot.driver.factory) as uow:
        report = (await uow.session.scalars(select(Report))).one()
        other = (await uow.session.scalars(select(Unit).where(Unit.kind == "opd"))).first()
        assert other is not None
        report.unit_id = other.id  # as a transfer leaves it (the transfer is tested elsewhere)
        await uow.commit()

    said = await bot.receive(group_message(DESA_CHAT, STAF, f"#catatan {WORD}", reply_to=card_id))
    assert T.t("case.refused.not_yours") in said
    pressed = await bot.receive(group_press(DESA_CHAT, STAF, card_id, note_button))
    assert pressed == [T.t("case.refused.not_yours")]  # the pop-up; no prompt was sent
    assert await notes(bot) == []


async def test_the_coordinator_s_group_may_note_any_report(bot: GroupBot) -> None:
    coordinator_card, _ = newest_card(bot, COORDINATOR_CHAT)
    said = await bot.receive(
        group_message(COORDINATOR_CHAT, 1001, f"#catatan {WORD} pantau", reply_to=coordinator_card)
    )
    assert T.t("case.ok.in", number=await number(bot)) in said
    [note] = await notes(bot)
    assert note.note == f"{WORD} pantau"
    # The unit holding the report reads the coordinator's note under its card; the reporter not.
    to_desa = [str(p.get("text")) for p in bot.delivered if p.get("chat_id") == str(DESA_CHAT)]
    assert any(f"{WORD} pantau" in text and "Orang 1001" in text for text in to_desa), to_desa
    assert not any(WORD in text for text in to_reporter(bot))
