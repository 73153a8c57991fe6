"""What the page shows besides the chats' messages, through the page's API: a tapped button's
answer (a toast, or an alert with OK), the map link of a card, and the chats' language
following the page's."""

from __future__ import annotations

from datetime import date

from emulator.chat import text_of
from handlers.formatting import long_date
from tests.sandbox.conftest import JsonDict, Site
from tests.sandbox.test_sandbox_api import press, say, wait_for
from web.sandbox.chats import wait_for_answer
from web.sandbox.clockface import day_label


def button(message: JsonDict, label: str) -> str:
    rows = (message.get("reply_markup") or {}).get("inline_keyboard") or []
    found = [b["callback_data"] for row in rows for b in row if b["text"] == label]
    assert found, f"no button {label!r} on {text_of(message)[:60]!r}"
    return str(found[0])


async def tap(site: Site, pane: str, message: JsonDict, label: str) -> JsonDict | None:
    """Tap ``label`` on ``message`` as the page does; the bot's answer the page is given."""
    body = {"message_id": message["message_id"], "data": button(message, label)}
    pressed = await site.post(f"/api/panes/{pane}/press", body)
    answer: JsonDict | None = pressed["answer"]
    return answer


async def test_a_tapped_buttons_answer_reaches_the_page_a_toast_or_an_alert(site: Site) -> None:
    consent = await say(site, "siti", "/start", "Apakah Anda setuju?")
    thanks = await tap(site, "siti", consent, "✅ Saya setuju")
    assert thanks == {"text": "Terima kasih", "show_alert": False}
    await say(site, "siti", "📝 Laporan baru", "Apa jenis laporan Anda?")
    await press(site, "siti", "Pengaduan", "Pilih kategori")
    old = await press(site, "siti", "Jalan & Jembatan", "Di kecamatan mana")
    await say(site, "siti", "/start", "belum selesai")
    await press(site, "siti", "🗑️ Buang, mulai baru", "Apa jenis laporan Anda?")

    # The kecamatan list of the thrown-away draft still shows its buttons, as in Telegram.
    stale = await tap(site, "siti", old, "Bengalon")
    assert stale is not None
    assert stale["text"] == "Tombol ini sudah tidak berlaku. Silakan gunakan pesan terbaru."
    assert stale["show_alert"] is True


async def test_waiting_for_an_answer_gives_none_when_the_bot_never_answers(site: Site) -> None:
    """Telegram's spinner stops even when the bot says nothing: the page is told "no answer"."""
    telegram = site.sandbox.telegram
    assert await wait_for_answer(telegram, 1001, "not-a-query", timeout=0.3) is None


async def test_the_pages_english_day_is_the_bots_english_long_date() -> None:
    for day in (date(2026, 11, 30), date(2026, 12, 10), date(2027, 1, 1)):
        for language in ("id", "en"):
            assert day_label(day, language) == long_date(day, language)
    assert day_label(date(2026, 11, 30), "en") == "Monday, 30 November 2026"


async def test_switching_the_page_to_english_switches_every_chat_and_back(site: Site) -> None:
    await say(site, "siti", "/start", "Apakah Anda setuju?")
    switched = await site.post("/api/language", {"lang": "en"})
    assert switched == {"language": "en"}
    assert (await site.get("/api/state?lang=en"))["chat_language"] == "en"
    await say(site, "siti", "/start", "Do you agree?")
    await say(site, "budi", "/start", "Do you agree?")
    await say(site, "desa", "/bantuan", "Kanal Aduan guide for officers")
    await say(site, "koordinator", "/bantuan", "Kanal Aduan guide for officers")

    # A scenario plays whatever the page's language, and the chats keep the page's language.
    await site.post("/api/scenarios/jalan")
    card = await wait_for(site, "opd", "📋")
    assert "📍 View map" in text_of(card)  # the groups read English from the start
    # Bound again by the scenario's reset: registered and guided in English too.
    await wait_for(site, "opd", "This group is now registered")
    await wait_for(site, "opd", "📌 Kanal Aduan guide for officers")
    await say(site, "budi", "/start", "Do you agree?")
    await say(site, "siti", "/start", "Please choose from the menu below.")

    await site.post("/api/language", {"lang": "id"})
    await say(site, "budi", "/start", "Apakah Anda setuju?")
    await say(site, "desa", "/bantuan", "Panduan petugas Kanal Aduan")
    await site.post("/api/language", {"lang": "xx"}, status=400)


async def test_a_cards_map_link_carries_both_coordinates_and_its_buttons_answer(
    site: Site,
) -> None:
    await site.post("/api/scenarios/jalan")
    card = await wait_for(site, "opd", "📍 Lihat peta")
    [link] = [e for e in card.get("entities") or [] if e["type"] == "text_link"]
    assert "&mlon=117.887100" in link["url"], link["url"]
    assert "&amp;" not in link["url"]
    # The officer's press is answered too: the page shows it over the group's chat.
    verified = await tap(site, "opd", card, "✅ Verifikasi")
    assert verified is not None
    assert verified["text"].endswith("diverifikasi. Pelapor sudah diberi tahu.")
    assert verified["show_alert"] is False
