"""The demo groups show the person responsible: a card in the desa's group offers 👤 Tugaskan
and 🙋 Saya tangani, and taking it shows who has it (the sandbox's page API, real bot)."""

from __future__ import annotations

from emulator.chat import text_of
from tests.sandbox.conftest import Site
from tests.sandbox.test_sandbox_api import press, wait_for


async def test_pak_kades_takes_a_report_in_the_demo_desa_group(site: Site) -> None:
    await site.post("/api/scenarios/anonim")
    await wait_for(site, "desa", "📋 Laporan")

    await press(site, "desa", "⋯ Lainnya", "📋 Laporan")
    await press(site, "desa", "🙋 Saya tangani", "👤 Ditangani: Pak Kades Sepaso")
    card = await press(site, "desa", "⋯ Lainnya", "👤 Ditangani: Pak Kades Sepaso")

    labels = [b["text"] for row in card["reply_markup"]["inline_keyboard"] for b in row]
    assert "👤 Tugaskan" in labels
    assert "✋ Lepas" in labels
    assert "📋 Laporan" in text_of(card)
