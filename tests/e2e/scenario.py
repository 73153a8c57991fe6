"""One report's way through the unit groups, as the end-to-end tests walk it again and again:
the groups bound, a citizen who has agreed to the notice, the report filed until its card shows,
verified, a question asked, the citizen's answer relayed.

Every step waits for what it causes (a card, a notice, a relayed message) and fails when that
does not come within its timeout (``tests/unit/test_wait_helpers.py`` shows each one failing), so
a test built on it never goes on from a state it did not reach.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from emulator import EmulatorClient, TgUser
from emulator.chat import ChatView
from tests.e2e.helpers import SITI, ChatOf, JsonDict
from tests.e2e.units import (
    CARD_TIMEOUT,
    KADES,
    SAMPAH,
    card_in,
    file_report,
    setup_groups,
)

#: The card's status line once a unit has verified the report and holds it.
FORWARDED = "Status: Sudah diverifikasi dan diterima unit"
#: What the citizen is told when the report is verified.
VERIFIED = "sudah diverifikasi"
#: What the unit group sees when the citizen's message is relayed to it.
RELAYED = "Pesan dari pelapor"


@dataclass
class Scenario:
    """The three groups of :func:`setup_groups` and one citizen in a private chat."""

    telegram: EmulatorClient
    coordinator: ChatView
    desa: ChatView
    pupr: ChatView
    citizen: ChatView
    timeout: float = CARD_TIMEOUT

    @classmethod
    async def start(
        cls,
        telegram: EmulatorClient,
        database_url: str,
        chat_of: ChatOf,
        *,
        citizen: TgUser = SITI,
        desa: bool = True,
        consent: bool = True,
    ) -> Scenario:
        """Bind the groups (``desa=False``: not the village's), then the citizen's /start and
        consent (``consent=False``: neither)."""
        coordinator, sepaso, pupr = await setup_groups(telegram, database_url, desa=desa)
        chat = chat_of(citizen)
        if consent:
            await chat.consent()
        return cls(telegram, coordinator, sepaso, pupr, chat)

    async def file(
        self,
        *,
        privacy: str = "Biasa",
        description: str = SAMPAH,
        to: ChatView | None = None,
    ) -> tuple[str, JsonDict]:
        """The citizen files a complaint with one photo (:func:`file_report`); its tracking
        number and its card, once the card is in the group ``to`` (the village's by default)."""
        number = await file_report(
            self.citizen, self.telegram, privacy=privacy, description=description
        )
        return number, await card_in(to or self.desa, number, timeout=self.timeout)

    async def _do(
        self, chat: ChatView, action: Callable[[], Awaitable[object]], expect: str
    ) -> JsonDict:
        """``action``, then the new or edited message in ``chat`` that shows ``expect``."""
        before = await chat.snapshot()
        await action()
        return await chat.expect(expect, before, timeout=self.timeout)

    async def verify(
        self, number: str, *, by: TgUser = KADES, group: ChatView | None = None
    ) -> JsonDict:
        """``by`` presses ✅ Verifikasi in ``group`` (the village's by default); the citizen's
        notice, once the card shows the report as held by the unit."""
        chat = group or self.desa
        notice = await self._do(
            self.citizen,
            lambda: self.telegram.press_button(by, "✅ Verifikasi", chat_id=chat.chat_id),
            VERIFIED,
        )
        await card_in(chat, number, showing=FORWARDED, timeout=self.timeout)
        return notice

    async def ask(self, question: str, *, group: ChatView | None = None) -> JsonDict:
        """The group's officer presses ❓ Minta info and replies to its prompt with
        ``question``; the question as the citizen receives it."""
        chat = group or self.desa
        prompt = await self._do(
            chat,
            lambda: self.telegram.press_button(chat.user, "❓ Minta info", chat_id=chat.chat_id),
            "balas pesan ini dengan pertanyaan",
        )
        return await self._do(self.citizen, lambda: _reply(chat, prompt, question), question)

    async def answer(self, to: JsonDict, text: str, *, group: ChatView | None = None) -> JsonDict:
        """The citizen replies to the bot's message ``to`` (a question) with ``text``; the
        message relayed to the group (the village's by default), which shows ``text``."""
        relayed = await self._do(
            group or self.desa, lambda: _reply(self.citizen, to, text), RELAYED
        )
        assert text in str(relayed.get("text", "")), relayed
        return relayed


async def _reply(chat: ChatView, to: JsonDict, text: str) -> JsonDict:
    """``chat.user`` replies (a Telegram reply) to the bot's message ``to`` in ``chat``."""
    return await chat.telegram.send_text(
        chat.user, text, chat_id=chat.chat_id, reply_to=int(to["message_id"])
    )
