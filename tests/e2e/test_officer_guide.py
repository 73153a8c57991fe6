"""/panduan in a unit's group, on both frameworks: the pinned guide and the second guide that
explains the card's other buttons and the tools typed (/templat, /loket, /klaim); a group
that is not bound hears how to bind it instead. Binding sends both guides, the first pinned."""

from __future__ import annotations

from emulator import EmulatorClient
from emulator.chat import ChatView
from tests.e2e.conftest import RunningBot
from tests.e2e.units import KADES, setup_groups

UNBOUND_GROUP = -1001077


async def test_panduan_sends_both_guides_in_a_bound_group(
    running_bot: RunningBot, telegram: EmulatorClient, database_url: str
) -> None:
    _, sepaso, _ = await setup_groups(telegram, database_url)
    texts = await sepaso.texts()
    assert any("🧰 Alat lainnya" in t for t in texts)  # sent with the pinned guide on binding
    more = await sepaso.send("/panduan", "🧰 Alat lainnya")
    for tool in ("👤 Tugaskan", "🙋 Saya tangani", "🏷 Ubah kategori", "↗ Bukan kewenangan"):
        assert tool in more["text"], tool
    for command in ("/templat", "/loket", "/klaim"):
        assert command in more["text"], command
    assert any("Panduan petugas" in t for t in (await sepaso.texts())[-3:])


async def test_panduan_in_a_group_not_bound_says_how_to_bind(
    running_bot: RunningBot, telegram: EmulatorClient, database_url: str
) -> None:
    await setup_groups(telegram, database_url)
    stranger = ChatView(telegram, KADES, UNBOUND_GROUP)
    await stranger.send("/panduan", "belum terdaftar")
