"""The Bot API methods that send voice notes and videos: sendVoice, sendVideo, sendVideoNote.

As Telegram does, a file is named by a file id the bot received (or uploaded anew); the sent
message carries a ``voice``/``video``/``video_note`` object whose file ``getFile`` serves."""

from __future__ import annotations

from emulator.calls import Call, _writable_chat, api_method
from emulator.messages import _caption_fields, _markup, _resolve_file, _send
from emulator.state import JsonDict, StoredFile


def _clip_object(stored: StoredFile, mime_type: str) -> JsonDict:
    return {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "duration": 5,
        "mime_type": mime_type,
        "file_size": len(stored.data),
    }


async def _send_clip(call: Call, field: str, mime_type: str) -> JsonDict:
    chat = _writable_chat(call)
    caption = _caption_fields(call.params.text("caption"), call.params.text("parse_mode"))
    markup = _markup(call)
    stored = _resolve_file(call, call.params.raw(field), field, field, mime_type)
    content: JsonDict = {field: _clip_object(stored, mime_type), **caption}
    if field == "video":
        content[field].update({"width": 640, "height": 480})
    if field == "video_note":
        content.pop("caption", None)
        content[field] = {**content[field], "length": 240}
        content[field].pop("mime_type", None)
    return _send(call, chat, content, markup=markup)


@api_method("sendVoice")
async def send_voice(call: Call) -> JsonDict:
    return await _send_clip(call, "voice", "audio/ogg")


@api_method("sendVideo")
async def send_video(call: Call) -> JsonDict:
    return await _send_clip(call, "video", "video/mp4")


@api_method("sendVideoNote")
async def send_video_note(call: Call) -> JsonDict:
    return await _send_clip(call, "video_note", "video/mp4")
