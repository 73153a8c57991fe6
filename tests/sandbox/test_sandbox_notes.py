"""The sandbox's demo groups offer "📝 Catatan internal" as the real groups do: through the page's
API only, the desa's officer notes the anonymous scenario's report; the group is told it was
saved, the card counts it, and no message for a citizen carries it (read from the bot's outbox
once the card shows the count: the note's transaction wrote every message it owes)."""

from __future__ import annotations

from sqlalchemy import select

from emulator.chat import text_of
from storage.models import Citizen, OutboxMessage
from tests.sandbox.conftest import Site
from tests.sandbox.test_sandbox_api import press, say, wait_for

WORD = "Zirkonium"


async def test_the_demo_desa_writes_an_internal_note_the_citizen_never_gets(site: Site) -> None:
    await site.post("/api/scenarios/anonim")
    card = await wait_for(site, "desa", "📋 Laporan")
    buttons = [b["text"] for row in card["reply_markup"]["inline_keyboard"] for b in row]
    assert "⋯ Lainnya" in buttons
    card = await press(site, "desa", "⋯ Lainnya", "📋 Laporan")
    buttons = [b["text"] for row in card["reply_markup"]["inline_keyboard"] for b in row]
    assert "📝 Catatan internal" in buttons

    await press(site, "desa", "📝 Catatan internal", "balas pesan ini dengan catatan internal")
    saved = await say(site, "desa", f"Sudah dicek lapangan {WORD}", "Catatan internal laporan")
    assert "tersimpan" in text_of(saved)
    await wait_for(site, "desa", "📝 1 catatan internal")

    async with site.sandbox.app.uow_factory() as uow:
        chats = set(await uow.session.scalars(select(Citizen.chat_id)))
        rows = list(await uow.session.scalars(select(OutboxMessage)))
    to_citizens = [str(r.payload.get("text", "")) for r in rows if r.chat_id in chats]
    assert to_citizens  # the scenario's own messages are there
    assert not any(WORD in text for text in to_citizens)
