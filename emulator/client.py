"""Async client of the emulator's control API: the *user side* for tests and benchmarks.

Example::

    async with Emulator() as emulator, EmulatorClient(emulator.base_url, TOKEN) as tg:
        citizen = TgUser(id=1001, first_name="Siti")
        await tg.send_text(citizen, "/start")
        menu = await tg.wait_for_message(citizen.id, contains="Selamat datang")
        await tg.press_button(citizen, "Buat laporan")
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

from emulator.session import ControlSession, EmulatorError, JsonDict

__all__ = ["EmulatorClient", "EmulatorError", "TgUser"]


@dataclass(frozen=True)
class TgUser:
    """A simulated Telegram user."""

    id: int
    first_name: str
    last_name: str = ""
    username: str = ""
    language_code: str = "id"

    def as_json(self) -> JsonDict:
        user: JsonDict = {"id": self.id, "first_name": self.first_name}
        for key in ("last_name", "username", "language_code"):
            if getattr(self, key):
                user[key] = getattr(self, key)
        return user


def _text_of(message: JsonDict) -> str:
    return str(message.get("text") or message.get("caption") or "")


def _buttons(message: JsonDict) -> list[JsonDict]:
    rows = (message.get("reply_markup") or {}).get("inline_keyboard") or []
    return [button for row in rows for button in row]


class EmulatorClient(ControlSession):
    """The users' side: what simulated people send and press, and waiting for the bot."""

    # --- user actions ----------------------------------------------------------------------
    async def _user_message(
        self,
        user: TgUser,
        content: JsonDict,
        *,
        chat_id: int | None,
        chat_type: str,
        chat_title: str = "",
        reply_to: int | None = None,
    ) -> JsonDict:
        body: JsonDict = {
            "chat_id": chat_id if chat_id is not None else user.id,
            "chat_type": chat_type,
            "from": user.as_json(),
            **content,
        }
        if chat_title:
            body["chat_title"] = chat_title
        if reply_to is not None:
            body["reply_to_message_id"] = reply_to
        result: JsonDict = await self._request("POST", "updates/message", json=body)
        message: JsonDict = result["message"]
        return message

    @staticmethod
    def _chat_type(chat_id: int | None, chat_type: str | None) -> str:
        if chat_type is not None:
            return chat_type
        return "supergroup" if chat_id is not None and chat_id < 0 else "private"

    async def send_text(
        self,
        user: TgUser,
        text: str,
        *,
        chat_id: int | None = None,
        chat_type: str | None = None,
        reply_to: int | None = None,
        reply_to_message_id: int | None = None,
    ) -> JsonDict:
        """Send ``text`` (private chat by default; a negative chat_id means a supergroup).

        ``reply_to`` (or its Bot API name ``reply_to_message_id``) makes it a reply: the update
        then carries the whole replied message, as Telegram's does.
        """
        return await self._user_message(
            user,
            {"text": text},
            chat_id=chat_id,
            chat_type=self._chat_type(chat_id, chat_type),
            reply_to=reply_to if reply_to is not None else reply_to_message_id,
        )

    async def send_photo(
        self,
        user: TgUser,
        data: bytes,
        *,
        caption: str = "",
        media_group_id: str | None = None,
        chat_id: int | None = None,
        chat_type: str | None = None,
        reply_to: int | None = None,
        mime_type: str = "image/jpeg",
        reply_to_message_id: int | None = None,
    ) -> JsonDict:
        uploaded = await self.upload(data, mime_type, "photo.jpg")
        content: JsonDict = {"photo_file_id": uploaded["file_id"]}
        if caption:
            content["caption"] = caption
        if media_group_id:
            content["media_group_id"] = media_group_id
        return await self._user_message(
            user,
            content,
            chat_id=chat_id,
            chat_type=self._chat_type(chat_id, chat_type),
            reply_to=reply_to if reply_to is not None else reply_to_message_id,
        )

    async def send_document(
        self,
        user: TgUser,
        data: bytes,
        file_name: str,
        mime_type: str,
        *,
        caption: str = "",
        chat_id: int | None = None,
        chat_type: str | None = None,
    ) -> JsonDict:
        uploaded = await self.upload(data, mime_type, file_name)
        content: JsonDict = {
            "document_file_id": uploaded["file_id"],
            "mime_type": mime_type,
            "file_name": file_name,
        }
        if caption:
            content["caption"] = caption
        return await self._user_message(
            user, content, chat_id=chat_id, chat_type=self._chat_type(chat_id, chat_type)
        )

    async def _flag(self, user: TgUser, flag: str, chat_id: int | None) -> JsonDict:
        return await self._user_message(
            user, {flag: True}, chat_id=chat_id, chat_type=self._chat_type(chat_id, None)
        )

    async def send_sticker(self, user: TgUser, *, chat_id: int | None = None) -> JsonDict:
        return await self._flag(user, "sticker", chat_id)

    async def send_voice(
        self,
        user: TgUser,
        data: bytes | None = None,
        *,
        duration: int = 3,
        chat_id: int | None = None,
        reply_to: int | None = None,
    ) -> JsonDict:
        """A voice note: placeholder bytes without ``data``, else ``data`` as its OGG file;
        ``reply_to``: a reply to that message."""
        if data is None:
            return await self._flag(user, "voice", chat_id)
        return await self._clip(user, "voice", data, duration, chat_id, reply_to)

    async def send_video(
        self,
        user: TgUser,
        data: bytes | None = None,
        *,
        duration: int = 5,
        note: bool = False,
        chat_id: int | None = None,
        reply_to: int | None = None,
    ) -> JsonDict:
        """A video (``note``: a round video note): placeholder bytes without ``data``."""
        if data is None:
            return await self._flag(user, "video", chat_id)
        field = "video_note" if note else "video"
        return await self._clip(user, field, data, duration, chat_id, reply_to)

    async def _clip(
        self,
        user: TgUser,
        field: str,
        data: bytes,
        duration: int,
        chat_id: int | None,
        reply_to: int | None = None,
    ) -> JsonDict:
        mime_type, name = ("audio/ogg", "voice.oga") if field == "voice" else ("video/mp4", "v.mp4")
        uploaded = await self.upload(data, mime_type, name)
        content: JsonDict = {f"{field}_file_id": uploaded["file_id"], "duration": duration}
        return await self._user_message(
            user,
            content,
            chat_id=chat_id,
            chat_type=self._chat_type(chat_id, None),
            reply_to=reply_to,
        )

    async def send_location(
        self, user: TgUser, latitude: float, longitude: float, *, chat_id: int | None = None
    ) -> JsonDict:
        content = {"location": {"latitude": latitude, "longitude": longitude}}
        return await self._user_message(
            user, content, chat_id=chat_id, chat_type=self._chat_type(chat_id, None)
        )

    async def send_contact(
        self, user: TgUser, phone_number: str, *, chat_id: int | None = None
    ) -> JsonDict:
        contact = {"phone_number": phone_number, "first_name": user.first_name, "user_id": user.id}
        return await self._user_message(
            user, {"contact": contact}, chat_id=chat_id, chat_type=self._chat_type(chat_id, None)
        )

    async def member_update(
        self,
        user: TgUser,
        chat_id: int,
        status: str,
        *,
        chat_type: str | None = None,
        title: str = "",
        admins: list[int] | None = None,
        members: list[int] | None = None,
    ) -> JsonDict:
        """``user`` changes the bot's membership in a chat: adds it ("member"), promotes it
        ("administrator"), removes it ("left") or bans it ("kicked"); returns the queued
        ``my_chat_member`` payload. ``admins``/``members`` register the group's people too."""
        body: JsonDict = {"chat_id": chat_id, "from": user.as_json(), "status": status}
        if chat_type is not None:
            body["chat_type"] = chat_type
        if title:
            body["title"] = title
        if admins:
            body["admins"] = admins
        if members:
            body["members"] = members
        result: JsonDict = await self._request("POST", "updates/member", json=body)
        change: JsonDict = result["my_chat_member"]
        return change

    async def migrate_group(
        self, chat_id: int, new_chat_id: int, *, user: TgUser | None = None
    ) -> JsonDict:
        """The group ``chat_id`` becomes the supergroup ``new_chat_id`` (upgraded by ``user``);
        returns the new chat. Both service messages are queued as updates."""
        body: JsonDict = {"chat_id": chat_id, "new_chat_id": new_chat_id}
        if user is not None:
            body["from"] = user.as_json()
        result: JsonDict = await self._request("POST", "updates/migrate", json=body)
        chat: JsonDict = result["chat"]
        return chat

    async def press(
        self,
        user: TgUser,
        message_id: int,
        data: str,
        *,
        chat_id: int | None = None,
        force: bool = False,
    ) -> JsonDict:
        """Press the button with ``data`` on a bot message; returns the queued update."""
        body = {
            "chat_id": chat_id if chat_id is not None else user.id,
            "from": user.as_json(),
            "message_id": message_id,
            "data": data,
            "force": force,
        }
        result: JsonDict = await self._request("POST", "updates/callback", json=body)
        update: JsonDict = result["update"]
        return update

    async def press_button(
        self, user: TgUser, text: str, *, chat_id: int | None = None
    ) -> JsonDict:
        """Press the button labelled ``text`` on the newest bot message that shows it.

        An exact label anywhere in the chat wins over a substring match.
        """
        target_chat = chat_id if chat_id is not None else user.id
        messages = [m for m in await self.messages(target_chat) if not m.get("deleted")]
        for exact in (True, False):
            for message in reversed(messages):
                for button in _buttons(message):
                    label = str(button.get("text", ""))
                    if (label == text) if exact else (text in label):
                        if "callback_data" not in button:
                            raise AssertionError(
                                f"button {label!r} in message {message['message_id']} "
                                f"is not a callback button: {button!r}"
                            )
                        return await self.press(
                            user,
                            int(message["message_id"]),
                            str(button["callback_data"]),
                            chat_id=target_chat,
                        )
        available = [
            (m["message_id"], [str(b.get("text")) for b in _buttons(m)])
            for m in messages
            if _buttons(m)
        ]
        raise AssertionError(
            f"no button {text!r} in chat {target_chat}; buttons per message: {available!r}"
        )

    # --- observing the bot -----------------------------------------------------------------
    async def messages(
        self, chat_id: int | None = None, after_message_id: int = 0
    ) -> list[JsonDict]:
        """Bot-sent messages in send order (current state; ``deleted``/``edited`` flags)."""
        if chat_id is None:
            result: list[JsonDict] = await self._request("GET", "messages/all")
            return [m for m in result if int(m["message_id"]) > after_message_id]
        params = {"chat_id": str(chat_id), "after_message_id": str(after_message_id)}
        listed: list[JsonDict] = await self._request("GET", "messages", params=params)
        return listed

    async def raw_update(self, kind: str, payload: JsonDict) -> JsonDict:
        """Queue an update exactly as given (one a framework may fail to parse)."""
        result: JsonDict = await self._request(
            "POST", "updates/raw", json={"kind": kind, "payload": payload}
        )
        return result

    async def deliver_again(self, update: JsonDict) -> JsonDict:
        """Telegram sends an update again, id and all: its confirmation never came."""
        result: JsonDict = await self._request("POST", "updates/again", json={"update": update})
        return result

    async def history(self, chat_id: int, after_message_id: int = 0) -> list[JsonDict]:
        """The whole chat as a client shows it: users' and bot's messages (``from_bot``)."""
        params = {"chat_id": str(chat_id), "after_message_id": str(after_message_id)}
        listed: list[JsonDict] = await self._request("GET", "history", params=params)
        return listed

    async def wait_for_message(
        self,
        chat_id: int,
        *,
        contains: str | None = None,
        after_message_id: int = 0,
        timeout: float = 10.0,
    ) -> JsonDict:
        """First live bot message after ``after_message_id`` whose text/caption has ``contains``."""
        deadline = time.monotonic() + timeout
        seen: list[JsonDict] = []
        while True:
            try:
                seen = await self.messages(chat_id, after_message_id)
            except EmulatorError as error:
                if "chat not found" not in error.description:
                    raise
                seen = []
            for message in seen:
                if message.get("deleted"):
                    continue
                if contains is None or contains in _text_of(message):
                    return message
            if time.monotonic() >= deadline:
                received = [(m["message_id"], _text_of(m)[:200]) for m in seen]
                raise TimeoutError(
                    f"no bot message in chat {chat_id} after #{after_message_id} containing "
                    f"{contains!r} within {timeout}s; received: {received!r}"
                )
            await asyncio.sleep(0.02)
