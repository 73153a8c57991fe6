"""The chats of the sandbox's page: reading a pane's chat, and a person's typing, button
presses, photos, the sample voice note and locations, made on the emulator's control API in the
pane's person's name.
Each message carries ``shown``: its time and day on the sandbox's clock, for the page's language.
"""

from __future__ import annotations

import asyncio
from datetime import datetime

from aiohttp import web

from emulator import EmulatorClient, EmulatorError
from web.sandbox import wa_chat
from web.sandbox.cast import DEMO_LOCATION, Pane
from web.sandbox.clockface import stamp
from web.sandbox.requests import (
    JsonDict,
    RefusalError,
    body_of,
    page_language,
    pane_of,
    reply_id,
    sandbox_of,
    telegram_length,
)
from web.sandbox.runtime import Sandbox
from web.sandbox.samples import sample
from web.sandbox.voice_sample import VOICE_SAMPLE, VOICE_SECONDS

#: A Telegram app lets nobody send a longer text or caption (counted in UTF-16 units).
MAX_TEXT = 4096
MAX_CAPTION = 1024
#: How long a tapped button waits for the bot's answer: the bot answers within a second; a bot
#: that is down leaves the page's button spinning no longer than a Telegram app would.
ANSWER_WAIT_SECONDS = 8.0
ANSWER_POLL_SECONDS = 0.05


def add_routes(router: web.UrlDispatcher) -> None:
    router.add_get("/api/panes/{pane}/messages", _messages)
    router.add_post("/api/panes/{pane}/text", _text)
    router.add_post("/api/panes/{pane}/press", _press)
    router.add_post("/api/panes/{pane}/photo", _photo)
    router.add_post("/api/panes/{pane}/voice", _voice)
    router.add_post("/api/panes/{pane}/location", _location)
    router.add_get("/api/files/{file_id}", _file)
    router.add_get("/api/wa-media/{media_id}", _wa_media)


async def _messages(request: web.Request) -> web.Response:
    sandbox, chat = sandbox_of(request), pane_of(request)
    if chat.on_whatsapp:
        history = wa_chat.page_chat(sandbox.whatsapp, chat.wa_id)
    else:
        history = await chat_history(sandbox, chat.chat_id)
    language = page_language(request.query.get("lang") or sandbox.catalogs.default_language)
    shown = [_with_stamp(m, sandbox, language) for m in history if not m.get("deleted")]
    return web.json_response(shown)


async def chat_history(sandbox: Sandbox, chat_id: int) -> list[JsonDict]:
    """The chat's messages; none while nobody has written there (or just after a reset)."""
    try:
        return await sandbox.telegram.history(chat_id)
    except EmulatorError as error:
        if "chat not found" not in error.description:
            raise
        return []


def _with_stamp(message: JsonDict, sandbox: Sandbox, language: str) -> JsonDict:
    """The message with ``shown``: its time and day in the sandbox's zone (the emulator dates
    messages by the sandbox's clock)."""
    moment = datetime.fromtimestamp(int(message.get("date") or 0), sandbox.timezone)
    return {**message, "shown": stamp(moment, language)}


async def _text(request: web.Request) -> web.Response:
    sandbox, chat, body = sandbox_of(request), pane_of(request), await body_of(request)
    text = str(body.get("text") or "").strip()
    if not text:
        raise RefusalError("empty_message")
    if telegram_length(text) > MAX_TEXT:
        raise RefusalError("text_too_long")
    if chat.on_whatsapp:
        reply_to = str(body.get("reply_to") or "") or None
        return await _wa_says(sandbox, chat, wa_chat.text_message(text, reply_to))
    async with sandbox.lock:
        sent = await sandbox.telegram.send_text(
            chat.user,
            text,
            chat_id=chat.chat_id,
            chat_type=chat.chat_type,
            reply_to=reply_id(body.get("reply_to")),
        )
    return web.json_response(sent)


async def _press(request: web.Request) -> web.Response:
    """A tap on an inline button, and the bot's answer to it (``answerCallbackQuery``): the page
    shows its text as a toast over the chat, or as an alert with OK; ``null`` when the bot
    said nothing in time (Telegram's spinner stops then too)."""
    sandbox, chat, body = sandbox_of(request), pane_of(request), await body_of(request)
    if chat.on_whatsapp:  # no answer box on WhatsApp: the tap is the citizen's message
        tap = wa_chat.press_message(
            sandbox.whatsapp, chat.wa_id, str(body["message_id"]), str(body["data"])
        )
        async with sandbox.lock:
            sent = await sandbox.whatsapp.says(chat.wa_id, _name(chat), tap)
        return web.json_response({"update": sent, "answer": None})
    async with sandbox.lock:
        update = await sandbox.telegram.press(
            chat.user, int(body["message_id"]), str(body["data"]), chat_id=chat.chat_id
        )
    query_id = str(update["callback_query"]["id"])
    answer = await wait_for_answer(sandbox.telegram, chat.chat_id, query_id)
    return web.json_response({"update": update, "answer": answer})


async def wait_for_answer(
    telegram: EmulatorClient, chat_id: int, query_id: str, timeout: float = ANSWER_WAIT_SECONDS
) -> JsonDict | None:
    """The bot's answer to the button press ``query_id``: ``{text, show_alert}``, or None when
    none came within ``timeout`` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        for answer in await telegram.callback_answers(chat_id):
            if answer["callback_query_id"] == query_id:
                return {"text": answer["text"], "show_alert": bool(answer["show_alert"])}
        if loop.time() >= deadline:
            return None
        await asyncio.sleep(ANSWER_POLL_SECONDS)


async def _photo(request: web.Request) -> web.Response:
    sandbox, chat = sandbox_of(request), pane_of(request)
    if request.content_type.startswith("multipart/"):
        form = await request.post()
        upload = form.get("file")
        if not isinstance(upload, web.FileField):
            raise RefusalError("no_file")
        data, mime_type = upload.file.read(), upload.content_type
        caption, reply_to = str(form.get("caption") or ""), form.get("reply_to")
    else:
        body = await body_of(request)
        data, mime_type = _sample_bytes(str(body.get("sample"))), "image/png"
        caption, reply_to = str(body.get("caption") or ""), body.get("reply_to")
    if not mime_type.startswith("image/"):
        raise RefusalError("not_an_image")
    if telegram_length(caption.strip()) > MAX_CAPTION:
        raise RefusalError("caption_too_long")
    if chat.on_whatsapp:
        image = wa_chat.photo_message(sandbox.whatsapp, data, mime_type, caption.strip())
        return await _wa_says(sandbox, chat, image)
    async with sandbox.lock:
        sent = await sandbox.telegram.send_photo(
            chat.user,
            data,
            caption=caption.strip(),
            chat_id=chat.chat_id,
            chat_type=chat.chat_type,
            reply_to=reply_id(reply_to),
            mime_type=mime_type,
        )
    return web.json_response(sent)


async def _voice(request: web.Request) -> web.Response:
    """The sample voice note (:mod:`web.sandbox.voice_sample`) sent as a voice message, the way a
    Telegram app sends one (or WhatsApp: an audio message marked as a voice note); in the chat
    it is evidence at the intake's evidence step, a follow-up later, or an officer's clip for
    the reporter when it replies to a card."""
    sandbox, chat, body = sandbox_of(request), pane_of(request), await body_of(request)
    data = await asyncio.to_thread(VOICE_SAMPLE.read_bytes)
    if chat.on_whatsapp:
        reply_to = str(body.get("reply_to") or "") or None
        return await _wa_says(
            sandbox, chat, wa_chat.voice_message(sandbox.whatsapp, data, reply_to)
        )
    async with sandbox.lock:
        sent = await sandbox.telegram.send_voice(
            chat.user,
            data,
            duration=VOICE_SECONDS,
            chat_id=chat.chat_id,
            reply_to=reply_id(body.get("reply_to")),
        )
    return web.json_response(sent)


def _sample_bytes(name: str) -> bytes:
    try:
        return sample(name).path.read_bytes()
    except KeyError:
        raise RefusalError("no_such_sample") from None


async def _location(request: web.Request) -> web.Response:
    sandbox, chat = sandbox_of(request), pane_of(request)
    latitude, longitude = DEMO_LOCATION
    if chat.on_whatsapp:
        return await _wa_says(sandbox, chat, wa_chat.location_message(latitude, longitude))
    async with sandbox.lock:
        sent = await sandbox.telegram.send_location(
            chat.user, latitude, longitude, chat_id=chat.chat_id
        )
    return web.json_response(sent)


async def _file(request: web.Request) -> web.Response:
    """A photo or clip by file id, fetched like a client does: ``getFile``, then the file URL."""
    telegram = sandbox_of(request).telegram
    found = await telegram.call("getFile", file_id=request.match_info["file_id"])
    if not found.get("ok"):
        raise web.HTTPNotFound(text=str(found.get("description")))
    data = await telegram.download(str(found["result"]["file_path"]))
    headers = {"Cache-Control": "max-age=3600"}
    return web.Response(body=data, content_type=media_type(data), headers=headers)


def media_type(data: bytes) -> str:
    """The file's type from its first bytes: uploads are named ``photo.jpg`` whatever they are
    (Telegram re-encodes photos to JPEG; the emulator keeps the bytes as sent); a voice note is
    OGG, a video MP4 (``core.clips.matches``)."""
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            return kind
    if data[4:8] == b"ftyp":
        return "video/mp4"
    return "image/jpeg"


_MAGIC = (
    (b"\x89PNG", "image/png"),
    (b"GIF8", "image/gif"),
    (b"RIFF", "image/webp"),
    (b"OggS", "audio/ogg"),
)


# --- Wati's WhatsApp chat (web.sandbox.wa_chat) -------------------------------------------------
def _name(chat: Pane) -> str:
    return f"{chat.user.first_name} {chat.user.last_name}".strip()


async def _wa_says(sandbox: Sandbox, chat: Pane, message: JsonDict) -> web.Response:
    """The pane's citizen sends ``message`` on WhatsApp: a signed webhook to the bot."""
    async with sandbox.lock:
        sent = await sandbox.whatsapp.says(chat.wa_id, _name(chat), message)
    return web.json_response(sent)


async def _wa_media(request: web.Request) -> web.Response:
    """A photo or clip of the WhatsApp chat (the citizen's, or one the bot uploaded), from the
    fake."""
    found = sandbox_of(request).whatsapp.media.get(request.match_info["media_id"])
    if found is None:
        raise web.HTTPNotFound()
    headers = {"Cache-Control": "max-age=3600"}
    return web.Response(body=found[0], content_type=media_type(found[0]), headers=headers)
