"""Telegram JSON ↔ channel-neutral events and actions, and error classification."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from bot.channels.base import Upload
from bot.channels.errors import (
    IgnorableError,
    PermanentError,
    RetryAfter,
    TransientError,
    error_from_response,
)
from bot.telegram_events import to_event, update_key
from bot.telegram_render import render
from handlers.actions import (
    AnswerButton,
    EditText,
    InlineButton,
    InlineKeyboard,
    RemoveKeyboard,
    ReplyButton,
    ReplyKeyboard,
    SendFile,
    SendText,
    action_from_dict,
    action_to_dict,
)
from handlers.events import ButtonPress, ChatKind, Location, MediaKind, Message, Unsupported

CHAT = {"id": 42, "type": "private", "first_name": "Siti"}
USER = {"id": 42, "is_bot": False, "first_name": "Siti", "last_name": "A", "language_code": "id"}


def message(**content: Any) -> dict[str, Any]:
    body = {"message_id": 7, "date": 1_767_574_800, "chat": CHAT, "from": USER, **content}
    return {"update_id": 1, "message": body}


def as_message(update: dict[str, Any]) -> Message:
    event = to_event(update, "telegram")
    assert isinstance(event, Message)
    return event


def test_text_command_and_sender() -> None:
    event = as_message(message(text="/status@aduan_bot AB12", reply_to_message={"message_id": 3}))
    assert (event.chat_id, event.chat_kind, event.message_id) == ("42", ChatKind.PRIVATE, 7)
    assert (event.command, event.command_args) == ("status", "AB12")
    assert event.sender.display_name == "Siti A"
    assert event.sender.language_code == "id"
    assert event.reply_to_message_id == 3


def test_photo_keeps_the_largest_size_and_the_caption() -> None:
    sizes = [
        {"file_id": "m", "file_unique_id": "um", "width": 320, "height": 240, "file_size": 9},
        {"file_id": "l", "file_unique_id": "ul", "width": 1280, "height": 960, "file_size": 99},
        {"file_id": "s", "file_unique_id": "us", "width": 90, "height": 67, "file_size": 1},
    ]
    event = as_message(message(photo=sizes, caption="Lampu mati", media_group_id="g1"))
    assert event.media is MediaKind.PHOTO
    assert event.text == "Lampu mati"
    (photo,) = event.photos
    assert (photo.file_id, photo.file_unique_id, photo.media_group_id) == ("l", "ul", "g1")
    assert photo.file_size == 99


def test_image_document_is_a_photo_other_documents_are_not() -> None:
    png = {"file_id": "d", "file_unique_id": "ud", "mime_type": "image/png", "file_size": 5}
    event = as_message(message(document=png))
    assert event.media is MediaKind.IMAGE_DOCUMENT
    assert event.photos[0].mime_type == "image/png"
    pdf = as_message(message(document={**png, "mime_type": "application/pdf"}))
    assert pdf.media is MediaKind.DOCUMENT
    assert pdf.photos == ()


@pytest.mark.parametrize(
    ("content", "kind"),
    [
        ({"sticker": {"file_id": "s"}}, MediaKind.STICKER),
        ({"voice": {"file_id": "v"}}, MediaKind.VOICE),
        ({"audio": {"file_id": "a"}}, MediaKind.AUDIO),
        ({"video": {"file_id": "v"}}, MediaKind.VIDEO),
        ({"animation": {"file_id": "a"}, "document": {"file_id": "a"}}, MediaKind.ANIMATION),
        ({"contact": {"phone_number": "0812", "first_name": "S"}}, MediaKind.CONTACT),
        ({"video_note": {"file_id": "n"}}, MediaKind.VIDEO),
    ],
)
def test_other_media_kinds(content: dict[str, Any], kind: MediaKind) -> None:
    assert as_message(message(**content)).media is kind


@pytest.mark.parametrize(
    ("key", "mime_type"),
    [("voice", "audio/ogg"), ("video", "video/mp4"), ("video_note", "video/mp4")],
)
def test_voice_and_video_are_evidence_clips_never_photos(key: str, mime_type: str) -> None:
    body = {"file_id": "c", "file_unique_id": "uc", "file_size": 2048, "duration": 42}
    event = as_message(message(**{key: body}))
    assert event.photos == ()
    (clip,) = event.clips
    assert (clip.file_id, clip.file_unique_id, clip.mime_type) == ("c", "uc", mime_type)
    assert (clip.file_size, clip.duration) == (2048, 42)


def test_location_and_venue() -> None:
    point = {"latitude": -0.5, "longitude": 117.1}
    assert as_message(message(location=point)).location == Location(-0.5, 117.1)
    venue = as_message(message(venue={"location": point, "title": "Pasar"}))
    assert venue.location == Location(-0.5, 117.1)


def test_service_messages_and_other_updates_are_unsupported() -> None:
    joined = to_event(message(new_chat_members=[USER]), "telegram")
    assert joined == Unsupported("telegram", "42", "service_message")
    edited = {"update_id": 2, "edited_message": message(text="x")["message"]}
    assert to_event(edited, "telegram") == Unsupported("telegram", "42", "edited_message")


def test_callback_query_is_a_button_press() -> None:
    group = {"id": -100, "type": "supergroup", "title": "Dinas PU"}
    update = {
        "update_id": 3,
        "callback_query": {
            "id": "cb1",
            "from": USER,
            "chat_instance": "x",
            "data": "d:1:ok|tag",
            "message": {"message_id": 9, "date": 0, "chat": group},
        },
    }
    event = to_event(update, "telegram")
    assert event == ButtonPress(
        channel="telegram",
        chat_id="-100",
        chat_kind=ChatKind.GROUP,
        callback_id="cb1",
        sender=as_message(message(text="x")).sender,
        data="d:1:ok|tag",
        message_id=9,
    )
    assert update_key(update) == ("-100", "")


def test_update_key_of_an_album_item() -> None:
    assert update_key(message(photo=[], media_group_id="g9")) == ("42", "g9")


def test_render_send_text_with_each_keyboard() -> None:
    inline = InlineKeyboard(rows=((InlineButton("Ya", "d:1:yes|t"),),))
    assert render(SendText("42", "Kirim?", inline, reply_to_message_id=5)) == (
        "sendMessage",
        {
            "chat_id": 42,
            "text": "Kirim?",
            "reply_markup": {"inline_keyboard": [[{"text": "Ya", "callback_data": "d:1:yes|t"}]]},
            "reply_parameters": {"message_id": 5, "allow_sending_without_reply": True},
        },
    )
    reply = ReplyKeyboard(rows=((ReplyButton("📍 Lokasi", request_location=True),),), one_time=True)
    assert render(SendText("42", "Lokasi?", reply))[1]["reply_markup"] == {
        "keyboard": [[{"text": "📍 Lokasi", "request_location": True}]],
        "resize_keyboard": True,
        "one_time_keyboard": True,
    }
    removed = render(SendText("42", "Baik", RemoveKeyboard()))[1]
    assert removed["reply_markup"] == {"remove_keyboard": True}


def test_render_edit_and_answer() -> None:
    assert render(EditText("-100", 9, "Selesai")) == (
        "editMessageText",
        {"chat_id": -100, "message_id": 9, "text": "Selesai"},
    )
    assert render(AnswerButton("cb1", "Kedaluwarsa", alert=True)) == (
        "answerCallbackQuery",
        {"callback_query_id": "cb1", "text": "Kedaluwarsa", "show_alert": True},
    )
    assert render(AnswerButton("cb1")) == ("answerCallbackQuery", {"callback_query_id": "cb1"})


@pytest.mark.parametrize(
    ("code", "description", "retry_after", "expected"),
    [
        (429, "Too Many Requests: retry after 5", 5, RetryAfter),
        (502, "Bad Gateway", None, TransientError),
        (403, "Forbidden: bot was blocked by the user", None, PermanentError),
        (400, "Bad Request: chat not found", None, PermanentError),
        (400, "Bad Request: message is not modified: same content", None, IgnorableError),
        (400, "Bad Request: query is too old and response timeout expired", None, IgnorableError),
    ],
)
def test_error_classification(
    code: int, description: str, retry_after: int | None, expected: type[Exception]
) -> None:
    error = error_from_response(code, description, retry_after)
    assert type(error) is expected


def test_aiogram_errors_map_to_channel_errors() -> None:
    from aiogram.exceptions import (
        TelegramBadRequest,
        TelegramForbiddenError,
        TelegramNetworkError,
        TelegramRetryAfter,
        TelegramServerError,
    )
    from aiogram.methods import SendMessage

    from bot.channels.aiogram_channel import channel_error

    method = SendMessage(chat_id=42, text="x")
    assert channel_error(TelegramRetryAfter(method, "Too Many Requests", 7)).seconds == 7  # type: ignore[attr-defined]
    assert type(channel_error(TelegramNetworkError(method, "timeout"))) is TransientError
    assert type(channel_error(TelegramServerError(method, "Bad Gateway"))) is TransientError
    blocked = channel_error(
        TelegramForbiddenError(method, "Forbidden: bot was blocked by the user")
    )
    assert type(blocked) is PermanentError
    same = channel_error(TelegramBadRequest(method, "Bad Request: message is not modified"))
    assert type(same) is IgnorableError


def test_aiogram_round_trip_keeps_telegram_json() -> None:
    from aiogram.methods import SendMessage
    from aiogram.types import Update

    from bot.channels.aiogram_channel import method_class, update_json

    original = message(text="halo", future_field={"kept": True})
    assert update_json(Update.model_validate(original)) == original
    request = method_class("sendMessage").model_validate(
        render(SendText("42", "x", RemoveKeyboard()))[1]
    )
    assert isinstance(request, SendMessage)
    assert request.reply_markup is not None


def test_ptb_transport_errors_and_refusals_map_to_channel_errors() -> None:
    from telegram.error import BadRequest, NetworkError, TimedOut

    from bot.channels.ptb_channel import TelegramRefusal, channel_error, refusal

    assert type(channel_error(TimedOut())) is TransientError
    assert type(channel_error(NetworkError("httpx.ConnectError"))) is TransientError
    # PTB's BadRequest subclasses its NetworkError, but a refusal is not worth retrying.
    assert type(channel_error(BadRequest("Bad Request: chat not found"))) is PermanentError
    flood = refusal(
        429,
        b'{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 9",'
        b'"parameters":{"retry_after":9}}',
    )
    assert isinstance(flood, RetryAfter)
    assert flood.seconds == 9
    assert channel_error(TelegramRefusal(flood)) is flood
    proxy = refusal(502, b"<html>Bad Gateway</html>")
    assert (type(proxy), proxy.description) == (TransientError, "HTTP 502")
    with pytest.raises(KeyError):
        channel_error(KeyError("a bug, not a Telegram error"))


def test_aiogram_keeps_the_response_validators_it_uses_every_call() -> None:
    """aiogram's ``check_response`` asks pydantic for ``Response[T]`` on every call; pydantic
    keeps that class only while something refers to it, so without the adapter's reference a
    garbage collection made the next call build its validator again."""
    import gc
    import weakref

    from aiogram.methods.base import Response

    import bot.channels.aiogram_channel  # noqa: F401  (the adapter, as the bot imports it)

    calls = weakref.ref(Response[Any])  # every outbox call, getFile and getMe
    polls = weakref.ref(Response[list[dict[str, Any]]])  # getUpdates
    gc.collect()
    assert calls() is not None
    assert polls() is not None


def test_aiogram_raw_call_sends_what_the_typed_method_would() -> None:
    """The outbox's parameters go through aiogram's own form encoding unchanged: the same
    fields and values as aiogram's typed ``SendMessage`` built from them."""
    from aiogram import Bot
    from aiogram.client.session.aiohttp import AiohttpSession

    from bot.channels.aiogram_channel import method_class, raw_method

    params = render(
        SendText(
            "42",
            "Pilih <b>kategori</b>",
            InlineKeyboard(((InlineButton("Jalan", "c:1"), InlineButton("Air", "c:2")),)),
        )
    )[1]
    params["parse_mode"] = "HTML"
    session = AiohttpSession()
    bot = Bot("42:TEST", session=session)

    def fields(method: Any) -> dict[str, Any]:
        form = session.build_form_data(bot, method)
        return {options["name"]: value for options, _headers, value in form._fields}

    typed = method_class("sendMessage").model_validate(params)
    raw = raw_method("sendMessage").model_validate(params)
    assert raw.__api_method__ == "sendMessage"
    assert fields(raw) == fields(typed)
    assert '"callback_data":"c:1"' in fields(raw)["reply_markup"].replace(" ", "")
    with pytest.raises(PermanentError):
        raw_method("sendNothing")


def test_a_written_file_survives_the_outbox_and_is_uploaded_as_a_document() -> None:
    action = SendFile("42", "data-saya.json", '{"name": "Siti"}', caption="Salinan")
    stored = action_from_dict(action_to_dict(action))
    assert stored == action
    method, params = render(stored)
    assert method == "sendDocument"
    assert params["chat_id"] == 42
    assert params["caption"] == "Salinan"
    assert params["document"] == Upload("data-saya.json", b'{"name": "Siti"}')


def test_a_binary_file_travels_base64_and_is_uploaded_as_its_bytes() -> None:
    pdf = b"%PDF-1.3\n\x00\xff\xfe binary"
    content = base64.b64encode(pdf).decode("ascii")
    action = SendFile("-100", "ringkasan-2026-03.pdf", content, caption="Maret", binary=True)
    stored = action_from_dict(json.loads(json.dumps(action_to_dict(action))))
    assert stored == action
    method, params = render(stored)
    assert method == "sendDocument"
    assert params["document"] == Upload("ringkasan-2026-03.pdf", pdf)
