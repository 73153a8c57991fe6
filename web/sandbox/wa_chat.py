"""Wati's chat on WhatsApp: the sandbox's citizen pane that talks to the real bot through the
loopback fake Graph API (``emulator.whatsapp``) and its signed webhooks, as Meta would carry it.

:class:`SandboxWhatsApp` is the fake with the chat kept in order (the bot's messages and the
citizen's, each dated by the sandbox's clock); the functions below are the pane's typing, taps on
reply buttons and list rows, photos and locations, and the chat as the page draws it. The page
gets each message in one shape: ``text``, ``buttons`` (reply buttons), ``list`` (a list message:
its button and rows), ``location_request``, ``picture`` (an address on the page), ``clip`` (a voice
note or video: ``kind`` and ``url``) and ``quote``.
"""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from emulator.whatsapp import FakeWhatsApp

JsonDict = dict[str, Any]
#: The business number's id of the sandbox's fake; any will do, it reaches nobody.
SANDBOX_PHONE_NUMBER_ID = "7770001"


class WebhookRefusedError(RuntimeError):
    """The bot answered a webhook with something other than 200."""


@dataclass
class SandboxWhatsApp(FakeWhatsApp):
    """The fake Graph API of the sandbox: no pair rate (a trainee sees answers at once) and the
    chat of each number, both ways, in order."""

    phone_number_id: str = SANDBOX_PHONE_NUMBER_ID
    pair_burst: float = 1e9
    #: The date each message carries: the sandbox's clock, as the Telegram emulator's messages.
    stamp: Callable[[], float] = time.time
    chat: list[JsonDict] = field(default_factory=list)

    async def _record(self, message: JsonDict) -> None:
        self.chat.append({**message, "from_bot": True, "timestamp": int(self.stamp())})
        await super()._record(message)

    def clear(self) -> None:
        """Back to no chats (the sandbox's reset)."""
        for kept in (self.sent, self.refused, self.chat):
            kept.clear()
        self.media.clear()
        self._pairs.clear()

    async def says(self, wa_id: str, name: str, message: JsonDict) -> JsonDict:
        """The citizen ``wa_id`` sends ``message``: a signed webhook to the bot, kept in the chat
        once the bot took it (200)."""
        body = self.webhook_body(wa_id, name, message)
        sent = json.loads(body)["entry"][0]["changes"][0]["value"]["messages"][0]
        status = await self.post_webhook(body)
        if status != 200:
            raise WebhookRefusedError(f"the bot answered the webhook with {status}")
        kept = {**sent, "from_bot": False, "timestamp": int(self.stamp())}
        self.chat.append(kept)
        return kept


# --- what the citizen does -------------------------------------------------------------------
def text_message(text: str, reply_to: str | None = None) -> JsonDict:
    message: JsonDict = {"type": "text", "text": {"body": text}}
    if reply_to:
        message["context"] = {"id": reply_to}
    return message


def press_message(fake: SandboxWhatsApp, wa_id: str, message_id: str, data: str) -> JsonDict:
    """A tap on the reply button or list row ``data`` of the bot's message ``message_id``;
    KeyError when that message offers no such choice."""
    offered = next(
        (m for m in fake.chat if m["from_bot"] and m.get("to") == wa_id and m["id"] == message_id),
        None,
    )
    if offered is None:
        raise KeyError(message_id)
    found = {item["id"]: item["title"] for item in choices(offered)}
    title = found[data]
    kind = "list_reply" if _action(offered).get("sections") else "button_reply"
    return {
        "type": "interactive",
        "context": {"from": fake.phone_number_id, "id": message_id},
        "interactive": {"type": kind, kind: {"id": data, "title": title}},
    }


def photo_message(fake: SandboxWhatsApp, content: bytes, mime: str, caption: str) -> JsonDict:
    media_id = fake.add_media(content, mime)
    digest = base64.b64encode(content[:16]).decode()
    image: JsonDict = {"id": media_id, "mime_type": mime, "sha256": digest}
    if caption:
        image["caption"] = caption
    return {"type": "image", "image": image}


def voice_message(fake: SandboxWhatsApp, content: bytes, reply_to: str | None) -> JsonDict:
    """A voice note as WhatsApp carries it: an OGG/Opus audio message marked ``voice``."""
    media_id = fake.add_media(content, "audio/ogg")
    digest = base64.b64encode(content[:16]).decode()
    audio = {"id": media_id, "mime_type": "audio/ogg; codecs=opus", "sha256": digest, "voice": True}
    message: JsonDict = {"type": "audio", "audio": audio}
    if reply_to:
        message["context"] = {"id": reply_to}
    return message


def location_message(latitude: float, longitude: float) -> JsonDict:
    return {"type": "location", "location": {"latitude": latitude, "longitude": longitude}}


# --- what the page draws ---------------------------------------------------------------------
def _action(message: JsonDict) -> JsonDict:
    return dict((message.get("interactive") or {}).get("action") or {})


def choices(message: JsonDict) -> list[JsonDict]:
    """The reply buttons or list rows of a message: ``{id, title, description}`` each."""
    action = _action(message)
    found = [
        {"id": b["reply"]["id"], "title": b["reply"]["title"], "description": ""}
        for b in action.get("buttons", [])
    ]
    for section in action.get("sections", []):
        found += [
            {"id": r["id"], "title": r["title"], "description": r.get("description", "")}
            for r in section.get("rows", [])
        ]
    return found


def page_message(message: JsonDict, quoted: JsonDict | None) -> JsonDict:
    """One message of the chat as the page draws it (see the module's docstring)."""
    kind = str(message.get("type", ""))
    shown: JsonDict = {
        "message_id": message["id"],
        "from_bot": bool(message["from_bot"]),
        "date": message["timestamp"],
        "text": "",
    }
    if kind == "text":
        shown["text"] = str(message["text"]["body"])
    elif kind == "image":
        image = message["image"]
        shown["text"] = str(image.get("caption") or "")
        if image.get("id"):
            shown["picture"] = f"/api/wa-media/{image['id']}"
    elif kind in ("audio", "video") and (message.get(kind) or {}).get("id"):
        clip = message[kind]
        shown["text"] = str(clip.get("caption") or "")
        shown["clip"] = {"kind": "voice" if kind == "audio" else "video"}
        shown["clip"]["url"] = f"/api/wa-media/{clip['id']}"
    elif kind == "location":
        shown["location"] = message["location"]
    elif kind == "interactive":
        interactive = message["interactive"]
        shown["text"] = str((interactive.get("body") or {}).get("text", ""))
        if interactive.get("type") == "location_request_message":
            shown["location_request"] = True
        elif interactive.get("type") == "list":
            shown["list"] = {"button": _action(message).get("button", ""), "rows": choices(message)}
        elif interactive.get("type") == "button":
            shown["buttons"] = choices(message)
        else:  # the citizen's tap: WhatsApp shows the chosen title as the citizen's message
            reply = interactive.get(str(interactive.get("type"))) or {}
            shown["text"] = str(reply.get("title", ""))
    else:
        shown["text"] = f"[{kind}]"
    if quoted is not None:
        shown["quote"] = page_message(quoted, None)["text"] or _symbol(quoted)
    return shown


def _symbol(message: JsonDict) -> str:
    """What a quote of a message without words shows: 🎙️ a voice note, 🎬 a video, else 📷."""
    return {"audio": "🎙️", "video": "🎬"}.get(str(message.get("type", "")), "📷")


def page_chat(fake: SandboxWhatsApp, wa_id: str) -> list[JsonDict]:
    """The chat with ``wa_id`` as the page draws it, oldest first."""
    mine = [m for m in fake.chat if wa_id in (m.get("to"), m.get("from"))]
    by_id = {m["id"]: m for m in mine}
    shown = []
    for message in mine:
        context = message.get("context") or {}
        quoted_id = context.get("id") or context.get("message_id")
        quoted = by_id.get(quoted_id) if message.get("type") != "interactive" else None
        shown.append(page_message(message, quoted))
    return shown
