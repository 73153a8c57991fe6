"""The end-to-end tests' wait-helpers fail when what they wait for does not come."""

from __future__ import annotations

import pytest

from bot.emulator import EmulatorClient
from bot.emulator.chat import ChatView
from tests.e2e.units import KADES, SEPASO_GROUP, card_in


async def test_card_in_returns_the_card_showing_the_text_and_fails_on_another(
    telegram: EmulatorClient,
) -> None:
    await telegram.register_chat(SEPASO_GROUP, title="Pemdes Sepaso", admins=[KADES.id])
    sent = await telegram.call(
        "sendMessage", chat_id=SEPASO_GROUP, text="📋 Laporan ABCD-EFGH-J\nStatus: Baru"
    )
    assert sent["ok"], sent
    group = ChatView(telegram, KADES, SEPASO_GROUP)
    card = await card_in(group, "ABCD-EFGH-J", showing="Status: Baru")
    assert card["message_id"] == sent["result"]["message_id"]
    with pytest.raises(AssertionError, match="does not show 'Status: Selesai'"):
        await card_in(group, "ABCD-EFGH-J", showing="Status: Selesai", timeout=0.3)
    with pytest.raises(AssertionError, match="no card of ZZZZ-ZZZZ-Z"):
        await card_in(group, "ZZZZ-ZZZZ-Z", timeout=0.3)
