"""The emulator's group side: the bot's membership, group → supergroup migration, force replies,
replies with media, pins, and replies that carry the replied message."""

from __future__ import annotations

import pytest
from aiogram import Bot
from aiogram.exceptions import TelegramBadRequest, TelegramForbiddenError, TelegramMigrateToChat
from aiogram.types import (
    BufferedInputFile,
    ChatMemberAdministrator,
    ChatMemberBanned,
    ChatMemberLeft,
    ChatMemberMember,
    ForceReply,
    InputMediaPhoto,
    ReplyParameters,
)

from emulator import Emulator, EmulatorClient, EmulatorError, TgUser
from tests.unit.emulator_support import TOKEN, png

BOT_ID = 123456
ADMIN = TgUser(id=2001, first_name="Rahmat", username="rahmat_pupr")
OFFICER = TgUser(id=2002, first_name="Dewi")
CITIZEN = TgUser(id=1001, first_name="Siti")
BOT_USER = {
    "id": BOT_ID,
    "is_bot": True,
    "first_name": "Kanal Aduan",
    "username": "kanal_aduan_bot",
}
GROUP = -4001
SUPERGROUP = -1009001


# --- the bot's membership ----------------------------------------------------------------------


async def test_adding_promoting_and_removing_the_bot_queue_my_chat_member(
    bot: Bot, tg: EmulatorClient
) -> None:
    added = await tg.member_update(
        ADMIN, GROUP, "member", chat_type="group", title="Dinas PUPR", admins=[ADMIN.id]
    )
    assert added["chat"] == {"id": GROUP, "type": "group", "title": "Dinas PUPR"}
    assert added["old_chat_member"] == {"status": "left", "user": BOT_USER}
    assert added["new_chat_member"]["status"] == "member"

    [update] = await bot.get_updates(timeout=0)
    change = update.my_chat_member
    assert change is not None
    assert change.from_user.id == ADMIN.id
    assert change.chat.title == "Dinas PUPR"
    assert isinstance(change.old_chat_member, ChatMemberLeft)
    assert isinstance(change.new_chat_member, ChatMemberMember)
    assert change.new_chat_member.user.id == BOT_ID

    # A plain member may send but not pin; getChatMember tells the truth about both people.
    sent = await bot.send_message(GROUP, "Halo, tim")
    with pytest.raises(TelegramBadRequest, match="not enough rights to manage pinned messages"):
        await bot.pin_chat_message(GROUP, sent.message_id)
    assert isinstance(await bot.get_chat_member(GROUP, BOT_ID), ChatMemberMember)
    assert isinstance(await bot.get_chat_member(GROUP, ADMIN.id), ChatMemberAdministrator)

    promoted = await tg.member_update(ADMIN, GROUP, "administrator")
    assert (promoted["old_chat_member"]["status"], promoted["new_chat_member"]["status"]) == (
        "member",
        "administrator",
    )
    assert promoted["new_chat_member"]["can_pin_messages"] is True
    assert await bot.pin_chat_message(GROUP, sent.message_id, disable_notification=True)
    admins = await bot.get_chat_administrators(GROUP)
    assert sorted(member.user.id for member in admins) == [ADMIN.id, BOT_ID]

    removed = await tg.member_update(ADMIN, GROUP, "left")
    assert removed["new_chat_member"] == {"status": "left", "user": BOT_USER}
    with pytest.raises(TelegramForbiddenError, match="bot was kicked from the group chat"):
        await bot.send_message(GROUP, "masih di sini?")
    assert isinstance(await bot.get_chat_member(GROUP, BOT_ID), ChatMemberLeft)
    state = await tg.chat_state(GROUP)
    assert (state["bot_status"], state["admins"]) == ("left", [ADMIN.id])

    # Added again: sends work again.
    await tg.member_update(ADMIN, GROUP, "member")
    assert (await bot.send_message(GROUP, "kembali")).text == "kembali"
    updates = await bot.get_updates(offset=update.update_id + 1, timeout=0)
    assert [u.my_chat_member.new_chat_member.status for u in updates if u.my_chat_member] == [
        "administrator",
        "left",
        "member",
    ]


async def test_a_kicked_bot_is_refused_and_reported_as_banned(bot: Bot, tg: EmulatorClient) -> None:
    await tg.register_chat(SUPERGROUP, "supergroup", "Dinkes", admins=[ADMIN.id])
    kicked = await tg.member_update(ADMIN, SUPERGROUP, "kicked")
    assert kicked["old_chat_member"]["status"] == "administrator"  # the default in groups
    assert kicked["new_chat_member"]["status"] == "kicked"
    assert kicked["new_chat_member"]["until_date"] == 0
    [update] = await bot.get_updates(timeout=0)
    assert update.my_chat_member is not None
    assert isinstance(update.my_chat_member.new_chat_member, ChatMemberBanned)
    with pytest.raises(TelegramForbiddenError, match="bot was kicked from the group chat"):
        await bot.send_photo(SUPERGROUP, BufferedInputFile(png(4, 4), "a.png"))
    assert (await tg.chat_state(SUPERGROUP))["bot_status"] == "kicked"


async def test_a_user_blocking_the_bot_in_private(bot: Bot, tg: EmulatorClient) -> None:
    await tg.send_text(CITIZEN, "/start")
    blocked = await tg.member_update(CITIZEN, CITIZEN.id, "kicked")
    assert blocked["chat"]["type"] == "private"
    assert (blocked["old_chat_member"]["status"], blocked["new_chat_member"]["status"]) == (
        "member",
        "kicked",
    )
    with pytest.raises(TelegramForbiddenError, match="blocked by the user"):
        await bot.send_message(CITIZEN.id, "halo")
    await tg.member_update(CITIZEN, CITIZEN.id, "member")
    assert (await bot.send_message(CITIZEN.id, "halo lagi")).text == "halo lagi"
    with pytest.raises(EmulatorError, match="member or kicked"):
        await tg.member_update(CITIZEN, CITIZEN.id, "administrator")
    with pytest.raises(EmulatorError, match="status must be one of"):
        await tg.member_update(ADMIN, GROUP, "owner")


# --- group → supergroup ------------------------------------------------------------------------


async def test_a_group_becomes_a_supergroup(bot: Bot, tg: EmulatorClient) -> None:
    await tg.register_chat(GROUP, "group", "Kecamatan Bengalon", admins=[ADMIN.id])
    await tg.send_text(OFFICER, "siap", chat_id=GROUP)
    before = await bot.get_updates(timeout=0)
    offset = before[-1].update_id + 1

    chat = await tg.migrate_group(GROUP, SUPERGROUP, user=ADMIN)
    assert chat == {"id": SUPERGROUP, "type": "supergroup", "title": "Kecamatan Bengalon"}

    moved_out, moved_in = await bot.get_updates(offset=offset, timeout=0)
    assert moved_out.message is not None
    assert moved_out.message.chat.id == GROUP
    assert moved_out.message.migrate_to_chat_id == SUPERGROUP
    assert moved_out.message.from_user is not None
    assert moved_out.message.from_user.id == ADMIN.id
    assert moved_in.message is not None
    assert (moved_in.message.chat.id, moved_in.message.chat.type) == (SUPERGROUP, "supergroup")
    assert moved_in.message.migrate_from_chat_id == GROUP
    assert moved_in.message.sender_chat is not None
    assert moved_in.message.sender_chat.id == SUPERGROUP

    # The old id now answers 400 with the new one, in Telegram's shape.
    with pytest.raises(TelegramMigrateToChat) as migrated:
        await bot.send_message(GROUP, "laporan baru")
    assert migrated.value.migrate_to_chat_id == SUPERGROUP
    raw = await tg.call("sendMessage", chat_id=GROUP, text="laporan baru")
    assert raw == {
        "ok": False,
        "error_code": 400,
        "description": "Bad Request: group chat was upgraded to a supergroup chat",
        "parameters": {"migrate_to_chat_id": SUPERGROUP},
    }
    with pytest.raises(EmulatorError, match="upgraded to a supergroup"):
        await tg.send_text(OFFICER, "masih di grup lama", chat_id=GROUP)

    # The supergroup has the same people and the bot keeps its rights there.
    state = await tg.chat_state(SUPERGROUP)
    assert (state["admins"], state["members"]) == ([ADMIN.id], [OFFICER.id])
    assert isinstance(await bot.get_chat_member(SUPERGROUP, ADMIN.id), ChatMemberAdministrator)
    sent = await bot.send_message(SUPERGROUP, "laporan baru")
    assert sent.chat.id == SUPERGROUP
    assert (await tg.chat_state(GROUP))["migrated_to"] == SUPERGROUP


async def test_only_a_group_migrates_and_only_once(tg: EmulatorClient) -> None:
    await tg.register_chat(SUPERGROUP, "supergroup", "Sudah super")
    with pytest.raises(EmulatorError, match="only a group"):
        await tg.migrate_group(SUPERGROUP, -1009002)
    await tg.register_chat(GROUP, "group", "Grup")
    with pytest.raises(EmulatorError, match="new negative chat id"):
        await tg.migrate_group(GROUP, SUPERGROUP)
    await tg.migrate_group(GROUP, -1009003)  # without from: signed by GroupAnonymousBot
    with pytest.raises(EmulatorError, match="upgraded"):
        await tg.migrate_group(GROUP, -1009004)
    updates = await tg.pending_updates()
    assert updates[0]["message"]["from"]["username"] == "GroupAnonymousBot"


# --- sending in groups -------------------------------------------------------------------------


async def test_force_reply_is_accepted_and_kept_as_sent(bot: Bot, tg: EmulatorClient) -> None:
    await tg.register_chat(SUPERGROUP, "supergroup", "Dinas PUPR", admins=[ADMIN.id])
    prompt = await bot.send_message(
        SUPERGROUP,
        "Balas pesan ini dengan jawaban untuk pelapor.",
        reply_markup=ForceReply(selective=True, input_field_placeholder="Jawaban untuk pelapor"),
    )
    assert prompt.reply_markup is None  # Telegram does not echo reply keyboards or force reply
    [listed] = await tg.messages(SUPERGROUP)
    assert listed["sent_markup"] == {
        "force_reply": True,
        "selective": True,
        "input_field_placeholder": "Jawaban untuk pelapor",
    }
    with pytest.raises(TelegramBadRequest, match="reply keyboard markup"):
        await bot.send_message(
            SUPERGROUP, "x", reply_markup=ForceReply(input_field_placeholder="p" * 65)
        )


async def test_replies_with_media_and_albums_of_citizens_photos(
    bot: Bot, tg: EmulatorClient
) -> None:
    await tg.register_chat(SUPERGROUP, "supergroup", "Dinas PUPR", admins=[ADMIN.id])
    first = await tg.send_photo(CITIZEN, png(64, 48), media_group_id="album-1")
    second = await tg.send_photo(CITIZEN, png(32, 32), media_group_id="album-1")
    file_ids = [first["photo"][-1]["file_id"], second["photo"][-1]["file_id"]]
    card = await bot.send_message(SUPERGROUP, "Laporan 7KQ4-M2XD-P")
    reply = ReplyParameters(message_id=card.message_id)

    album = await bot.send_media_group(
        SUPERGROUP, [InputMediaPhoto(media=file_id) for file_id in file_ids], reply_parameters=reply
    )
    assert len(album) == 2
    assert len({message.media_group_id for message in album}) == 1
    for message, file_id in zip(album, file_ids, strict=True):
        assert message.photo is not None
        assert message.photo[-1].file_id == file_id  # the citizen's file, re-sent by id
        assert message.reply_to_message is not None
        assert message.reply_to_message.message_id == card.message_id

    photo = await bot.send_photo(SUPERGROUP, file_ids[0], reply_parameters=reply)
    assert photo.reply_to_message is not None
    assert photo.reply_to_message.text == "Laporan 7KQ4-M2XD-P"
    document = await bot.send_document(
        SUPERGROUP, BufferedInputFile(b"a,b\n", "rekap.csv"), reply_parameters=reply
    )
    assert document.reply_to_message is not None
    assert document.reply_to_message.message_id == card.message_id

    missing = ReplyParameters(message_id=999)
    with pytest.raises(TelegramBadRequest, match="message to be replied not found"):
        await bot.send_photo(SUPERGROUP, file_ids[0], reply_parameters=missing)
    lenient = ReplyParameters(message_id=999, allow_sending_without_reply=True)
    sent = await bot.send_media_group(
        SUPERGROUP, [InputMediaPhoto(media=f) for f in file_ids], reply_parameters=lenient
    )
    assert all(message.reply_to_message is None for message in sent)


async def test_pins_are_recorded(bot: Bot, tg: EmulatorClient) -> None:
    await tg.register_chat(SUPERGROUP, "supergroup", "Dinas PUPR", admins=[ADMIN.id])
    first = await bot.send_message(SUPERGROUP, "Petunjuk grup")
    second = await bot.send_message(SUPERGROUP, "Laporan aktif")
    assert await tg.pinned(SUPERGROUP) == []
    await bot.pin_chat_message(SUPERGROUP, first.message_id, disable_notification=True)
    await bot.pin_chat_message(SUPERGROUP, second.message_id)
    assert await tg.pinned(SUPERGROUP) == [first.message_id, second.message_id]
    chat = await bot.get_chat(SUPERGROUP)
    assert chat.pinned_message is not None
    assert chat.pinned_message.message_id == second.message_id
    await bot.unpin_chat_message(SUPERGROUP, message_id=second.message_id)
    assert await tg.pinned(SUPERGROUP) == [first.message_id]
    # Pinning sends no service message of the bot's: the group's message list is unchanged.
    assert [m["message_id"] for m in await tg.messages(SUPERGROUP)] == [1, 2]


async def test_a_reply_carries_the_whole_replied_message(bot: Bot, tg: EmulatorClient) -> None:
    await tg.register_chat(SUPERGROUP, "supergroup", "Dinas PUPR", admins=[ADMIN.id])
    prompt = await bot.send_message(SUPERGROUP, "Balas dengan jawaban", reply_markup=ForceReply())
    answer = await tg.send_text(
        OFFICER, "Sudah kami perbaiki", chat_id=SUPERGROUP, reply_to_message_id=prompt.message_id
    )
    replied = answer["reply_to_message"]
    assert replied["message_id"] == prompt.message_id
    assert replied["text"] == "Balas dengan jawaban"
    assert replied["from"] == BOT_USER
    assert replied["chat"]["id"] == SUPERGROUP

    photo = await tg.send_photo(
        OFFICER, png(8, 8), chat_id=SUPERGROUP, reply_to_message_id=answer["message_id"]
    )
    assert photo["reply_to_message"]["from"]["id"] == OFFICER.id
    assert "reply_to_message" not in photo["reply_to_message"]  # never nested deeper

    updates = await bot.get_updates(timeout=0)
    message = updates[0].message
    assert message is not None
    assert message.reply_to_message is not None
    assert message.reply_to_message.from_user is not None
    assert message.reply_to_message.from_user.is_bot
    with pytest.raises(EmulatorError, match="message to be replied not found"):
        await tg.send_text(OFFICER, "?", chat_id=SUPERGROUP, reply_to_message_id=999)


async def test_python_telegram_bot_parses_membership_and_migration(
    emulator: Emulator, tg: EmulatorClient
) -> None:
    import telegram

    await tg.member_update(ADMIN, GROUP, "administrator", chat_type="group", title="Disdukcapil")
    await tg.migrate_group(GROUP, SUPERGROUP, user=ADMIN)
    ptb = telegram.Bot(
        TOKEN, base_url=f"{emulator.base_url}/bot", base_file_url=f"{emulator.base_url}/file/bot"
    )
    async with ptb:
        change, moved_out, moved_in = await ptb.get_updates(timeout=0)
        assert change.my_chat_member is not None
        assert change.my_chat_member.new_chat_member.status == "administrator"
        assert change.my_chat_member.old_chat_member.status == "left"
        assert moved_out.message is not None
        assert moved_out.message.migrate_to_chat_id == SUPERGROUP
        assert moved_in.message is not None
        assert moved_in.message.migrate_from_chat_id == GROUP
        with pytest.raises(telegram.error.ChatMigrated) as migrated:
            await ptb.send_message(GROUP, "halo")
        assert migrated.value.new_chat_id == SUPERGROUP
