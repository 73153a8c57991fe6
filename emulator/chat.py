"""One chat as its user sees it, driven through the emulator's control API.

The end-to-end tests and the training sandbox's scenarios both act as users this way: do
something (type, tap a button, send a photo), then wait for the bot's new or edited message.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from emulator.client import EmulatorClient, EmulatorError, TgUser

JsonDict = dict[str, Any]


def text_of(message: JsonDict) -> str:
    return str(message.get("text") or message.get("caption") or "")


class ChatView:
    """One user's chat as the user sees it: act, then wait for what the bot sends or edits.

    Each action waits for a message that is new or was edited since just before the action and
    contains ``expect``; waiting for the *last* message an action produces keeps actions in step.
    """

    def __init__(self, telegram: EmulatorClient, user: TgUser, chat_id: int | None = None) -> None:
        self.telegram = telegram
        self.user = user
        self.chat_id = chat_id if chat_id is not None else user.id

    async def messages(self) -> list[JsonDict]:
        """The bot's live messages in this chat, in send order."""
        try:
            listed = await self.telegram.messages(self.chat_id)
        except EmulatorError as error:
            if "chat not found" not in error.description:
                raise
            return []
        return [m for m in listed if not m.get("deleted")]

    async def texts(self) -> list[str]:
        return [text_of(m) for m in await self.messages()]

    async def snapshot(self) -> dict[int, int]:
        """``message_id -> edit count`` of the bot's messages now."""
        return {int(m["message_id"]): int(m["edited"]) for m in await self.messages()}

    async def expect(self, contains: str, before: dict[int, int], timeout: float = 10) -> JsonDict:
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            changed = [
                m
                for m in await self.messages()
                if before.get(int(m["message_id"])) != int(m["edited"])
            ]
            for message in changed:
                if contains in text_of(message):
                    return message
            if asyncio.get_running_loop().time() > deadline:
                seen = [text_of(m)[:120] for m in changed]
                raise TimeoutError(f"no new or edited message with {contains!r}; got {seen!r}")
            await asyncio.sleep(0.02)

    async def do(self, action: Callable[[], Awaitable[object]], expect: str) -> JsonDict:
        before = await self.snapshot()
        await action()
        return await self.expect(expect, before)

    async def send(self, text: str, expect: str) -> JsonDict:
        return await self.do(
            lambda: self.telegram.send_text(self.user, text, chat_id=self.chat_id), expect
        )

    async def press(self, label: str, expect: str) -> JsonDict:
        return await self.do(
            lambda: self.telegram.press_button(self.user, label, chat_id=self.chat_id), expect
        )

    async def consent(self) -> None:
        """/start and agree to the privacy notice (Indonesian)."""
        await self.send("/start", "Apakah Anda setuju?")
        await self.press("✅ Saya setuju", "Silakan pilih menu di bawah.")
