"""The training guide (docs/training.md) sends a newcomer to each card button where the real
card has it: the sandbox's card is read on both of its screens (a new report, a verified one,
one somebody handles), and every paragraph of the guide that names a button found only behind
"⋯ Lainnya" says "⋯ Lainnya" too. A guide written for the old one-screen card fails here."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

from tests.sandbox.conftest import JsonDict, Site
from tests.sandbox.test_sandbox_api import TRACKING, wait_for

ROOT = Path(__file__).resolve().parents[2]
GUIDE = ROOT / "docs" / "training.md"
MORE = "⋯ Lainnya"
BACK = "‹ Kembali"


def labels(message: JsonDict) -> list[str]:
    rows = (message.get("reply_markup") or {}).get("inline_keyboard") or []
    return [str(button["text"]) for row in rows for button in row]


async def card_of(site: Site, number: str, *, second: bool, timeout: float = 10.0) -> JsonDict:
    """The newest card of ``number`` in Dinas PUPR's chat once it shows the screen asked for."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        cards = [
            m
            for m in await site.messages("opd")
            if m["from_bot"] and f"📋 Laporan {number}" in str(m.get("text"))
        ]
        if cards and (BACK in labels(cards[-1])) == second:
            return cards[-1]
        if asyncio.get_running_loop().time() > deadline:
            raise TimeoutError(f"the card of {number} never showed second={second}")
        await asyncio.sleep(0.05)


async def tap(site: Site, card: JsonDict, label: str) -> None:
    rows = (card.get("reply_markup") or {}).get("inline_keyboard") or []
    data = next(b["callback_data"] for row in rows for b in row if b["text"] == label)
    await site.post("/api/panes/opd/press", {"message_id": card["message_id"], "data": data})


async def both_screens(site: Site, number: str) -> tuple[list[str], list[str]]:
    first = await card_of(site, number, second=False)
    await tap(site, first, MORE)
    second = await card_of(site, number, second=True)
    await tap(site, second, BACK)
    await card_of(site, number, second=False)
    return labels(first), labels(second)


def paragraphs(text: str) -> list[str]:
    """The guide's paragraphs, bold marks dropped and lines joined; a list is one with the
    sentence before it that ends with ":"."""
    found: list[str] = []
    for block in re.split(r"\n\s*\n", text):
        flat = " ".join(block.replace("**", "").split())
        if found and flat.startswith("- ") and found[-1].endswith(":"):
            found[-1] += " " + flat
        elif flat:
            found.append(flat)
    return found


async def test_every_button_the_guide_names_is_where_the_card_has_it(site: Site) -> None:
    await site.post("/api/scenarios/jalan")  # a new road report waiting at Dinas PUPR
    filed = await wait_for(site, "siti", "Nomor laporan:")
    found = TRACKING.search(str(filed.get("text")))
    assert found
    number = found.group(1)

    screens = [await both_screens(site, number)]
    await tap(site, await card_of(site, number, second=False), "✅ Verifikasi")
    await wait_for(site, "opd", "Sudah diverifikasi")
    screens.append(await both_screens(site, number))
    second = await card_of(site, number, second=False)
    await tap(site, second, MORE)
    await tap(site, await card_of(site, number, second=True), "🙋 Saya tangani")
    await wait_for(site, "opd", "Ditangani")
    screens.append(await both_screens(site, number))

    first_screen = {label for first, _ in screens for label in first} - {MORE}
    behind = {label for _, other in screens for label in other} - {BACK} - first_screen
    # The card as the guide describes it (docs/training.md, "The card's two screens").
    assert {"📝 Catatan internal", "🏷 Ubah kategori", "🙋 Saya tangani", "✋ Lepas"} <= behind
    assert {"👤 Tugaskan", "↗ Bukan kewenangan", "🗄 Arsipkan"} <= behind
    assert {"✅ Verifikasi", "💬 Jawab pelapor", "🏁 Selesai"} <= first_screen

    guide = GUIDE.read_text(encoding="utf-8")
    named = 0
    for paragraph in paragraphs(guide):
        for label in sorted(behind):
            if label in paragraph:
                named += 1
                assert MORE in paragraph, f"{label!r} without {MORE!r}: {paragraph[:160]!r}"
    assert named >= 8  # the guide does name them


def test_the_check_fails_on_a_paragraph_of_the_old_one_screen_card() -> None:
    old = "Under every open card are two more buttons:\n\n- **🙋 Saya tangani** — you take it."
    [paragraph] = paragraphs(old)
    assert "🙋 Saya tangani" in paragraph
    assert MORE not in paragraph
