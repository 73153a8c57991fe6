"""Ready answers (templat jawaban) in a unit's group, through the real inbox on each engine:
``/templat`` lists, adds and removes; the prompts of 💬 Jawab pelapor, ❓ Minta info and 🏁 Selesai
offer the templates that fit the report; a pressed template comes back filled as a message that
is the prompt (a reply to it, edited, takes the action) or is sent with "Kirim apa adanya"; and the
bad input: an unknown fill-in, words too long once filled, a title too long, an unknown category,
a member without the role, a forged button, a stale button (a template removed since), another
unit's template."""

from __future__ import annotations

from sqlalchemy import select

from core.callbacks import sign_callback
from core.templates import TEMPLATE_MAX, TITLE_MAX
from storage.models import AnswerTemplate, Report
from storage.uow import UnitOfWork
from tests.integration.test_admin_ask_first import (
    CITIZEN,
    COORDINATOR_CHAT,
    DESA_CHAT,
    KADES,
    KOORDINATOR,
    STAF,
    GroupBot,
    T,
    bot,
    group_message,
    group_press,
    press,
)

__all__ = ["bot"]  # the fixture

SECRET_WORD = "Kalsedon"  # in the templates this test saves, and nothing else


async def templates(bot: GroupBot) -> list[AnswerTemplate]:
    async with UnitOfWork(bot.driver.factory) as uow:
        return list(await uow.session.scalars(select(AnswerTemplate).order_by(AnswerTemplate.id)))


async def report(bot: GroupBot) -> Report:
    async with UnitOfWork(bot.driver.factory) as uow:
        return (await uow.session.scalars(select(Report))).one()


def to_reporter(bot: GroupBot) -> list[str]:
    return [str(p.get("text", "")) for p in bot.delivered if p.get("chat_id") == str(CITIZEN)]


def buttons(bot: GroupBot, message_id: int) -> list[str]:
    markup = bot.shown[message_id].get("markup") or {}
    return [button["text"] for row in markup.get("rows", []) for button in row]


async def say(bot: GroupBot, user: int, text: str, chat: int = DESA_CHAT) -> str:
    return "\n".join(await bot.receive(group_message(chat, user, text)))


async def add(bot: GroupBot, text: str, user: int = KADES, chat: int = DESA_CHAT) -> str:
    return await say(bot, user, f"/templat tambah {text}", chat)


async def test_the_seed_is_listed_and_an_admin_adds_and_removes_the_unit_s_own(
    bot: GroupBot,
) -> None:
    seeded = await templates(bot)
    assert seeded
    assert all(t.unit_id is None for t in seeded)
    assert {"", "sampah", "jalan"} <= {t.category for t in seeded}

    listed = await say(bot, STAF, "/templat")  # reading needs no role
    assert "Diteruskan ke kebersihan" in listed
    assert "se-kabupaten" in listed

    saved = await add(bot, f"Diangkut besok | Sampah di {{desa}} diangkut besok {SECRET_WORD}.")
    [own] = [t for t in await templates(bot) if t.unit_id is not None]
    assert T.t("tpl.saved", id=own.id, title="Diangkut besok") in saved
    assert own.category == ""
    assert own.created_by == str(KADES)
    assert f"{own.id}. Diangkut besok" in await say(bot, STAF, "/templat")

    sampah = await add(bot, "Khusus sampah | Terima kasih, {nomor}. | sampah")
    assert "tersimpan" in sampah
    assert [t.category for t in await templates(bot) if t.unit_id is not None] == ["", "sampah"]

    removed = await say(bot, KADES, f"/templat hapus {own.id}")
    assert T.t("tpl.removed", id=own.id) in removed
    assert own.id not in [t.id for t in await templates(bot)]
    # A kabupaten-wide template is not the desa's to remove.
    kabupaten = seeded[0].id
    assert T.t("tpl.not_found", id=kabupaten) in await say(
        bot, KADES, f"/templat hapus {kabupaten}"
    )
    assert kabupaten in [t.id for t in await templates(bot)]


async def test_bad_templates_are_refused_at_save_with_the_reason(bot: GroupBot) -> None:
    before = len(await templates(bot))

    unknown = await add(bot, "Salah | Halo {nama}, laporan {nomor} di {alamat}.")
    assert "{nama}, {alamat}" in unknown
    assert "{nomor}, {kategori}, {desa}, {tenggat}" in unknown  # the known ones are listed

    # Short enough as typed, too long once {desa} is filled.
    body = "x" * (TEMPLATE_MAX - 10) + "{desa}"
    too_long = await add(bot, f"Panjang | {body}")
    assert T.t("tpl.refused.too_long", limit=TEMPLATE_MAX) in too_long

    title = await add(bot, "J" * (TITLE_MAX + 1) + " | Teks")
    assert T.t("tpl.refused.title_long", limit=TITLE_MAX) in title

    category = await add(bot, "Judul | Teks | sungai")
    assert '"sungai"' in category
    assert "sampah" in category

    assert T.t("tpl.usage") in await add(bot, "tanpa pemisah")
    assert len(await templates(bot)) == before  # nothing saved


async def test_a_member_without_the_role_may_read_but_not_keep_templates(bot: GroupBot) -> None:
    before = len(await templates(bot))
    refused = await add(bot, f"Judul | {SECRET_WORD}", user=STAF)
    assert "hanya admin grup ini atau petugas yang ditunjuk" in refused
    assert T.t("role.action.templat") in refused
    seeded = (await templates(bot))[0].id
    assert "hanya admin" in await say(bot, STAF, f"/templat hapus {seeded}")
    assert len(await templates(bot)) == before


async def test_the_coordinator_keeps_the_kabupaten_wide_templates(bot: GroupBot) -> None:
    saved = await add(
        bot, f"Dari koordinator | {SECRET_WORD} {{nomor}}", KOORDINATOR, COORDINATOR_CHAT
    )
    assert "tersimpan" in saved
    [made] = [t for t in await templates(bot) if SECRET_WORD in t.body]
    assert made.unit_id is None  # kabupaten-wide
    assert "Dari koordinator" in await say(bot, STAF, "/templat")  # the desa reads it
    removed = await say(bot, KOORDINATOR, f"/templat hapus {made.id}", COORDINATOR_CHAT)
    assert T.t("tpl.removed", id=made.id) in removed


async def test_a_template_pressed_under_the_answer_prompt_is_sent_as_is_filled(
    bot: GroupBot,
) -> None:
    await press(bot, STAF, T.t("card.button.vf"))
    await add(bot, f"Dijadwalkan | Laporan {{nomor}} ({{kategori}}) di {{desa}}: {SECRET_WORD}.")
    opened = await press(bot, STAF, "💬 Jawab pelapor")
    number = (await report(bot)).tracking_no
    assert T.t("tpl.offer", number=number) in opened
    offer_id = next(m for m, p in bot.shown.items() if "📋 Templat untuk" in str(p.get("text")))
    offered = buttons(bot, offer_id)
    assert offered[0] == "Dijadwalkan"  # the unit's own first
    assert "Diteruskan ke kebersihan" in offered  # the category's, kabupaten-wide
    assert "Perbaikan selesai" not in offered  # another category's is not offered
    assert bot.newest() != offer_id  # the prompt comes last

    await press(bot, STAF, "Dijadwalkan")
    filled_id = bot.newest()
    filled = str(bot.shown[filled_id]["text"])
    assert filled.startswith(f"Laporan {number} (Sampah & Lingkungan) di Desa Sepaso")
    assert "Sepaso" in filled
    assert "{" not in filled
    assert buttons(bot, filled_id) == [T.t("tpl.send_as_is")]
    assert not any(SECRET_WORD in text for text in to_reporter(bot))  # not yet

    said = await press(bot, STAF, T.t("tpl.send_as_is"))
    assert T.t("case.relayed", number=number) in said
    assert any(filled in text for text in to_reporter(bot))
    assert buttons(bot, filled_id) == []  # the button went: not sent twice


async def test_a_template_edited_and_replied_takes_the_action_with_the_edited_words(
    bot: GroupBot,
) -> None:
    await press(bot, STAF, T.t("card.button.vf"))
    await press(bot, KADES, "🏁 Selesai")
    await press(bot, KADES, "Sampah sudah diangkut")
    filled_id = bot.newest()
    assert "sudah diangkut" in str(bot.shown[filled_id]["text"])

    edited = f"Sampah sudah diangkut tadi pagi {SECRET_WORD}."
    await bot.receive(group_message(DESA_CHAT, KADES, edited, reply_to=filled_id))

    assert await bot.status() == "selesai"
    assert any(edited in text for text in to_reporter(bot))


async def test_forged_stale_and_foreign_template_buttons_are_refused(bot: GroupBot) -> None:
    await press(bot, STAF, T.t("card.button.vf"))
    await add(bot, f"Hilang nanti | {SECRET_WORD}")
    await press(bot, STAF, "❓ Minta info")
    offer_id, data = bot.card_button("Hilang nanti")
    [own] = [t for t in await templates(bot) if t.unit_id is not None]

    # Forged: the same payload with a tag the bot never made.
    forged = data.rsplit("|", 1)[0] + "|AAAAAAAA"
    assert T.t("button.unknown") in await bot.receive(
        group_press(DESA_CHAT, STAF, offer_id, forged)
    )
    # Stale: the template is removed after it was offered.
    await say(bot, KADES, f"/templat hapus {own.id}")
    assert T.t("tpl.gone") in await bot.receive(group_press(DESA_CHAT, STAF, offer_id, data))
    # Signed but naming another unit's template (or an action that offers none).
    rid = (await report(bot)).id
    secret = bot.driver.conversations.deps.config.callback_secret
    async with UnitOfWork(bot.driver.factory) as uow:
        other = await uow.units.by_code("dinas-pupr")
        assert other is not None
        foreign = AnswerTemplate(
            unit_id=other.id, category="", title="PUPR", body="x", created_at=bot.driver.clock()
        )
        uow.session.add(foreign)
        await uow.session.flush()
        foreign_id = foreign.id
        await uow.commit()
    signed = sign_callback(f"u:{rid}:tp:ask.{foreign_id}", secret)
    assert T.t("tpl.gone") in await bot.receive(group_press(DESA_CHAT, STAF, offer_id, signed))
    signed = sign_callback(f"u:{rid}:tp:vf.{own.id}", secret)
    assert T.t("button.unknown") in await bot.receive(
        group_press(DESA_CHAT, STAF, offer_id, signed)
    )
    assert await bot.status() == "didisposisi"
    assert not any(SECRET_WORD in text for text in to_reporter(bot))
