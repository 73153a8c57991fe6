"""A citizen on WhatsApp, played on the loopback fake Graph API (``emulator.whatsapp``).

Each step posts a signed webhook and waits for the bot's next message to this number that shows
the expected words; it fails when none does within the timeout (tests/whatsapp/test_fake.py shows
it failing), so a test never goes on from a state it did not reach.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

from emulator.whatsapp import FakeWhatsApp, JsonDict

STEP_TIMEOUT = 15.0


def text_of(message: JsonDict) -> str:
    """What the citizen reads in a sent message (its text, interactive body or caption)."""
    if message.get("type") == "text":
        return str(message["text"]["body"])
    if message.get("type") == "interactive":
        return str(message["interactive"].get("body", {}).get("text", ""))
    if message.get("type") == "image":
        return str(message["image"].get("caption", ""))
    return ""


def choices(message: JsonDict) -> dict[str, str]:
    """Title → id of the reply buttons or list rows of a sent message."""
    action = (message.get("interactive") or {}).get("action") or {}
    found = {b["reply"]["title"]: b["reply"]["id"] for b in action.get("buttons", [])}
    for section in action.get("sections", []):
        found.update({row["title"]: row["id"] for row in section.get("rows", [])})
    return found


@dataclass
class WaCitizen:
    fake: FakeWhatsApp
    wa_id: str
    name: str
    timeout: float = STEP_TIMEOUT

    def mine(self) -> list[JsonDict]:
        return [m for m in self.fake.sent if m.get("to") == self.wa_id]

    async def expect(self, words: str, after: int) -> JsonDict:
        try:
            return await self.fake.wait_sent(
                lambda m: m.get("to") == self.wa_id and words in text_of(m),
                after=after,
                timeout=self.timeout,
            )
        except TimeoutError:
            seen = [(text_of(m)[:120], choices(m)) for m in self.mine()[-3:]]
            raise AssertionError(f"no message with {words!r}; the last: {seen}") from None

    async def _do(self, message: JsonDict, words: str) -> JsonDict:
        after = len(self.fake.sent)
        status = await self.fake.incoming(self.wa_id, self.name, message)
        assert status == 200, status
        return await self.expect(words, after)

    async def send(self, text: str, words: str) -> JsonDict:
        return await self._do({"type": "text", "text": {"body": text}}, words)

    def tap(self, title: str) -> JsonDict:
        """The message a tap on the button or list row ``title`` of the newest message that
        offers it sends (not sent yet)."""
        offered = next((m for m in reversed(self.mine()) if title in choices(m)), None)
        assert offered is not None, (title, [choices(m) for m in self.mine()[-3:]])
        data = choices(offered)[title]
        kind = "list_reply" if "sections" in offered["interactive"]["action"] else "button_reply"
        reply: dict[str, Any] = {
            "type": "interactive",
            "context": {"from": "6281100000000", "id": offered["id"]},
            "interactive": {"type": kind, kind: {"id": data, "title": title}},
        }
        return reply

    async def press(self, title: str, words: str) -> JsonDict:
        """Tap the button or list row ``title`` of the newest message that offers it."""
        return await self._do(self.tap(title), words)

    async def send_photo(self, content: bytes, words: str) -> JsonDict:
        media_id = self.fake.add_media(content, "image/jpeg")
        digest = base64.b64encode(content[:16]).decode()
        image = {"id": media_id, "mime_type": "image/jpeg", "sha256": digest}
        return await self._do({"type": "image", "image": image}, words)

    async def reply(self, to: JsonDict, text: str, words: str = "") -> JsonDict | None:
        """Quote the bot's message ``to`` with ``text`` (WhatsApp's reply)."""
        message = {"type": "text", "text": {"body": text}, "context": {"id": to["id"]}}
        if not words:
            assert await self.fake.incoming(self.wa_id, self.name, message) == 200
            return None
        return await self._do(message, words)
