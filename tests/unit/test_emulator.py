"""The loopback Bot API emulator, exercised through a real aiogram Bot and the control client."""

from __future__ import annotations

import asyncio
import time

import pytest
from aiogram import Bot
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.types import (
    BufferedInputFile,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputMediaPhoto,
)

from emulator import Emulator, EmulatorClient, EmulatorError, TgUser
from emulator.formatting import parse_html
from tests.unit.emulator_support import TOKEN, png

CITIZEN = TgUser(id=1001, first_name="Siti", username="siti")


def _keyboard(*pairs: tuple[str, str]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [InlineKeyboardButton(text=text, callback_data=data)] for text, data in pairs
        ]
    )


async def test_get_me_and_send_message_with_inline_keyboard(bot: Bot, tg: EmulatorClient) -> None:
    me = await bot.get_me()
    assert (me.id, me.is_bot, me.username) == (123456, True, "kanal_aduan_bot")

    start = await tg.send_text(CITIZEN, "/start")
    assert start["entities"] == [{"type": "bot_command", "offset": 0, "length": 6}]

    sent = await bot.send_message(
        CITIZEN.id,
        "Halo <b>Siti</b> &amp; tim",
        parse_mode="HTML",
        reply_markup=_keyboard(("Buat laporan", "report:new")),
    )
    assert sent.text == "Halo Siti & tim"
    assert sent.message_id == start["message_id"] + 1  # one id sequence per chat
    assert sent.from_user is not None
    assert sent.from_user.is_bot
    assert sent.entities is not None
    assert sent.entities[0].type == "bold"
    assert sent.reply_markup is not None
    assert sent.reply_markup.inline_keyboard[0][0].callback_data == "report:new"

    [listed] = await tg.messages(CITIZEN.id)
    assert listed["text"] == "Halo Siti & tim"
    assert (listed["edited"], listed["deleted"]) == (0, False)


async def test_get_updates_redelivers_until_confirmed(bot: Bot, tg: EmulatorClient) -> None:
    await tg.send_text(CITIZEN, "halo")
    first = await bot.get_updates(timeout=0)
    again = await bot.get_updates(timeout=0)  # no offset: nothing confirmed, a crash loses nothing
    assert [u.update_id for u in first] == [u.update_id for u in again] == [1]
    assert first[0].message is not None
    assert first[0].message.text == "halo"

    assert await bot.get_updates(offset=first[0].update_id + 1, timeout=0) == []
    stats = await tg.stats()
    assert (stats["updates_pending"], stats["updates_confirmed"]) == (0, 1)
    assert stats["methods"]["getUpdates"] == 3


async def test_a_confirmed_update_can_be_delivered_again_in_its_place(
    bot: Bot, tg: EmulatorClient
) -> None:
    """``updates/again``: Telegram sends an update whose confirmation it never got once more."""
    await tg.send_text(CITIZEN, "satu")
    [first] = await tg.pending_updates()
    assert [u.update_id for u in await bot.get_updates(offset=2, timeout=0)] == []
    await tg.send_text(CITIZEN, "dua")
    await tg.deliver_again(first)
    again = await bot.get_updates(timeout=0)
    assert [u.update_id for u in again] == [1, 2]
    assert again[0].message is not None
    assert again[0].message.text == "satu"
    with pytest.raises(EmulatorError):
        await tg.deliver_again({**first, "update_id": 99})


async def test_long_poll_wakes_on_new_update(bot: Bot, tg: EmulatorClient) -> None:
    started = time.monotonic()
    poll = asyncio.create_task(bot.get_updates(timeout=5))
    await asyncio.sleep(0.05)
    await tg.send_text(CITIZEN, "ada yang baru")
    updates = await asyncio.wait_for(poll, 2)
    assert [u.message.text for u in updates if u.message] == ["ada yang baru"]
    assert time.monotonic() - started < 1


async def test_telegram_size_limits(bot: Bot, tg: EmulatorClient) -> None:
    await tg.send_text(CITIZEN, "/start")
    with pytest.raises(TelegramBadRequest, match="message is too long"):
        await bot.send_message(CITIZEN.id, "x" * 4097)
    await bot.send_message(CITIZEN.id, "x" * 4096)
    with pytest.raises(TelegramBadRequest, match="BUTTON_DATA_INVALID"):
        await bot.send_message(CITIZEN.id, "pilih", reply_markup=_keyboard(("A", "d" * 65)))
    with pytest.raises(TelegramBadRequest, match="caption is too long"):
        await bot.send_photo(CITIZEN.id, BufferedInputFile(png(4, 4), "a.png"), caption="c" * 1025)
    photo = await tg.upload(png(4, 4), "image/png", "a.png")
    with pytest.raises(TelegramBadRequest, match="2-10 items"):
        await bot.send_media_group(CITIZEN.id, [InputMediaPhoto(media=photo["file_id"])])
    with pytest.raises(TelegramBadRequest, match="can't parse entities"):
        await bot.send_message(CITIZEN.id, "a <br> b", parse_mode="HTML")
    with pytest.raises(TelegramBadRequest, match="chat not found"):
        await bot.send_message(999, "siapa?")


async def test_edit_message_text_rules(bot: Bot, tg: EmulatorClient) -> None:
    await tg.send_text(CITIZEN, "/start")
    sent = await bot.send_message(CITIZEN.id, "Status: baru", reply_markup=_keyboard(("OK", "ok")))
    markup = _keyboard(("OK", "ok"))
    with pytest.raises(TelegramBadRequest, match="message is not modified"):
        await bot.edit_message_text(
            "Status: baru", chat_id=CITIZEN.id, message_id=sent.message_id, reply_markup=markup
        )
    await bot.edit_message_text("Status: diproses", chat_id=CITIZEN.id, message_id=sent.message_id)
    with pytest.raises(TelegramBadRequest, match="message to edit not found"):
        await bot.edit_message_text("x", chat_id=CITIZEN.id, message_id=sent.message_id + 10)

    [current] = await tg.messages(CITIZEN.id)
    assert current["text"] == "Status: diproses"
    assert current["edited"] == 1
    assert "reply_markup" not in current  # an edit without markup removes the keyboard


async def test_file_upload_get_file_and_download_round_trip(bot: Bot, tg: EmulatorClient) -> None:
    picture = png(640, 480)
    sent = await tg.send_photo(CITIZEN, picture, caption="jalan rusak")
    assert sent["caption"] == "jalan rusak"
    [update] = await bot.get_updates(timeout=0)
    assert update.message is not None
    assert update.message.photo is not None
    assert len(update.message.photo) >= 2
    largest = update.message.photo[-1]
    assert (largest.width, largest.height) == (640, 480)

    file = await bot.get_file(largest.file_id)
    assert file.file_path is not None
    downloaded = await bot.download_file(file.file_path)
    assert downloaded is not None
    assert downloaded.read() == picture

    # The bot uploading through multipart (attach://) and resending by file_id both work.
    echoed = await bot.send_photo(CITIZEN.id, BufferedInputFile(picture, "p.png"))
    assert echoed.photo is not None
    again = await bot.send_photo(CITIZEN.id, echoed.photo[-1].file_id)
    assert again.photo is not None
    bot_file = await bot.get_file(again.photo[-1].file_id)
    assert bot_file.file_path is not None
    assert await tg.download(bot_file.file_path) == picture


async def test_fault_injection_then_recovery(bot: Bot, tg: EmulatorClient) -> None:
    await tg.send_text(CITIZEN, "/start")
    await tg.fault(500, method="sendMessage")
    with pytest.raises(TelegramServerError):
        await bot.send_message(CITIZEN.id, "pertama")
    await bot.send_message(CITIZEN.id, "kedua")

    await tg.fault(429, retry_after=7)
    with pytest.raises(TelegramRetryAfter) as retry:
        await bot.send_message(CITIZEN.id, "ketiga")
    assert retry.value.retry_after == 7

    await tg.block(CITIZEN.id)
    with pytest.raises(TelegramForbiddenError, match="blocked by the user"):
        await bot.send_message(CITIZEN.id, "keempat")
    assert [m["text"] for m in await tg.messages(CITIZEN.id)] == ["kedua"]


async def test_flood_limit_answers_429_with_retry_after(bot: Bot, tg: EmulatorClient) -> None:
    await tg.send_text(CITIZEN, "/start")
    await tg.set_flood_limits(True)
    for number in range(3):  # the per-chat burst allowance
        await bot.send_message(CITIZEN.id, f"pesan {number}")
    with pytest.raises(TelegramRetryAfter) as retry:
        await bot.send_message(CITIZEN.id, "terlalu cepat")
    assert retry.value.retry_after >= 1
    assert (await tg.stats())["too_many_requests"] == 1


async def test_button_presses_and_callback_answers(bot: Bot, tg: EmulatorClient) -> None:
    await tg.send_text(CITIZEN, "/start")
    sent = await bot.send_message(
        CITIZEN.id, "Pilih", reply_markup=_keyboard(("Ya, kirim", "send"), ("Batal", "cancel"))
    )
    with pytest.raises(EmulatorError, match="no button with callback_data 'forged'"):
        await tg.press(CITIZEN, sent.message_id, "forged")
    forged = await tg.press(CITIZEN, sent.message_id, "forged", force=True)
    assert forged["callback_query"]["data"] == "forged"

    pressed = await tg.press_button(CITIZEN, "Batal")
    assert pressed["callback_query"]["data"] == "cancel"
    with pytest.raises(AssertionError, match="Ya, kirim"):
        await tg.press_button(CITIZEN, "Hapus")

    query_id = pressed["callback_query"]["id"]
    assert await bot.answer_callback_query(query_id, text="Dibatalkan")
    with pytest.raises(TelegramBadRequest, match="query is too old"):
        await bot.answer_callback_query(query_id)
    [answer] = await tg.callback_answers(CITIZEN.id)
    assert (answer["data"], answer["text"]) == ("cancel", "Dibatalkan")


async def test_raw_http_surface(tg: EmulatorClient) -> None:
    await tg.send_text(CITIZEN, "/start")
    unknown = await tg.call("sendTelepathy", chat_id=CITIZEN.id)
    assert unknown == {"ok": False, "error_code": 404, "description": "Not Found: method not found"}
    shouted = await tg.call("SENDMESSAGE", chat_id=CITIZEN.id, text="json body")
    assert shouted["ok"]
    assert shouted["result"]["text"] == "json body"
    assert (await tg.stats())["methods"]["sendMessage"] == 1


async def test_python_telegram_bot_parses_emulator_objects(
    emulator: Emulator, tg: EmulatorClient
) -> None:
    import telegram

    await tg.send_text(CITIZEN, "/lapor")
    ptb = telegram.Bot(
        TOKEN, base_url=f"{emulator.base_url}/bot", base_file_url=f"{emulator.base_url}/file/bot"
    )
    async with ptb:
        [update] = await ptb.get_updates(timeout=0)
        assert update.message is not None
        assert update.message.text == "/lapor"
        keyboard = telegram.InlineKeyboardMarkup(
            [[telegram.InlineKeyboardButton("Kirim", callback_data="send")]]
        )
        sent = await ptb.send_message(CITIZEN.id, "Siap", reply_markup=keyboard)
        assert sent.reply_markup is not None
        assert sent.reply_markup.inline_keyboard[0][0].callback_data == "send"
        photo = await ptb.send_photo(CITIZEN.id, png(8, 8), caption="foto")
        assert photo.photo[-1].width == 8
        assert photo.caption == "foto"
        pressed = await tg.press_button(CITIZEN, "Kirim")
        [callback] = await ptb.get_updates(offset=update.update_id + 1, timeout=0)
        assert callback.callback_query is not None
        assert callback.callback_query.id == pressed["callback_query"]["id"]
        assert (await ptb.get_chat(CITIZEN.id)).first_name == "Siti"


async def test_history_shows_both_sides_of_a_chat_in_order(bot: Bot, tg: EmulatorClient) -> None:
    question = await tg.send_text(CITIZEN, "/start")
    await bot.send_message(CITIZEN.id, "Selamat datang")
    await tg.send_text(CITIZEN, "Halo", reply_to=question["message_id"] + 1)

    history = await tg.history(CITIZEN.id)
    assert [(m.get("text"), m["from_bot"]) for m in history] == [
        ("/start", False),
        ("Selamat datang", True),
        ("Halo", False),
    ]
    assert history[2]["reply_to_message"]["text"] == "Selamat datang"
    assert [m["text"] for m in await tg.history(CITIZEN.id, after_message_id=2)] == ["Halo"]
    assert [m["text"] for m in await tg.messages(CITIZEN.id)] == ["Selamat datang"]
    with pytest.raises(EmulatorError, match="chat not found"):
        await tg.history(424242)


async def test_messages_are_dated_by_the_emulators_clock() -> None:
    """The training sandbox moves its clock; a chat's messages carry that time, as a phone would
    show them, both the users' and the bot's (and an edit's date)."""
    moment = 1_795_996_800.0  # Monday 30 November 2026, 08.00 WITA
    async with (
        Emulator(clock=lambda: moment) as server,
        EmulatorClient(server.base_url, TOKEN) as client,
    ):
        sent = await client.send_text(CITIZEN, "/start")
        assert sent["date"] == int(moment)
        answer = await client.call("sendMessage", chat_id=CITIZEN.id, text="Halo")
        assert answer["result"]["date"] == int(moment)
        moment += 90
        edited = await client.call(
            "editMessageText",
            chat_id=CITIZEN.id,
            message_id=answer["result"]["message_id"],
            text="Halo lagi",
        )
        assert edited["result"]["edit_date"] == int(moment)


def test_a_links_address_is_unescaped_as_telegram_does() -> None:
    """``href="...&amp;mlon=..."`` is how HTML writes ``&`` in an address; Telegram's link (and
    the sandbox's "📍 Lihat peta") carries ``&mlon=``."""
    source = '<a href="https://osm.example/?mlat=0.83&amp;mlon=117.88&#35;map">peta</a>'
    text, [link] = parse_html(source)
    assert text == "peta"
    assert link["url"] == "https://osm.example/?mlat=0.83&mlon=117.88#map"
