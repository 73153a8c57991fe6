"""Wati's WhatsApp chat on the sandbox page, in Chromium (issue 30): she files a report by
tapping reply buttons and list rows, sharing her location from WhatsApp's location request and
sending a sample photo; the desa's pane gets the card. The chat fits a 1366×768 laptop beside
the five others, and a 390×844 phone from the chat list.

Screenshots go to ``/tmp/sandbox-shots`` for a person to look at.
"""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Locator, expect, sync_playwright

from tests.browser.test_sandbox_answers_browser import PLACEHOLDER_ROOM
from tests.browser.test_sandbox_browser import (
    LAPTOP,
    PANES,
    PHONE,
    TRACKING,
    WAIT_MS,
    assert_chat_usable,
    assert_no_sideways_scroll,
    bot_says,
    keep,
    launch,
    open_page,
    sandbox_url,
    write,
)

__all__ = ["sandbox_url"]  # the fixture, shared with the other page tests

SAMPAH = "Sampah menumpuk di belakang pasar Sepaso sudah seminggu, baunya menyengat."
WHATSAPP_GREEN = "rgb(0, 128, 105)"


def choose(pane: Locator, title: str, then: str) -> Locator:
    """Tap the reply button ``title`` under the newest message offering it, or open the newest
    list message's button and tap its row ``title``, as on WhatsApp."""
    button = pane.locator(".wa-button", has_text=title)
    if button.count():
        button.last.click()
    else:
        pane.locator(".wa-list-open").last.click()
        pane.locator(".wa-list").last.locator(".wa-row", has_text=title).first.click()
    return bot_says(pane, then)


def test_wati_files_on_whatsapp_and_the_card_reaches_the_desa(
    sandbox_url: str, tmp_path: Path
) -> None:
    shots = tmp_path / "whatsapp"
    shots.mkdir()
    with sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            page = open_page(browser, sandbox_url, LAPTOP)
            assert "wati" in PANES
            assert_no_sideways_scroll(page)
            wati = page.locator('section[data-pane="wati"]')
            desa = page.locator('section[data-pane="desa"]')
            assert_chat_usable(page, wati, "wati")
            for pane in PANES:  # six chats side by side: each input still shows its hint
                needs, has = page.evaluate(PLACEHOLDER_ROOM, pane)
                assert needs <= has, f"{pane}: the placeholder needs {needs} px of {has}"
            head = wati.locator(".pane-head")
            expect(head).to_have_css("background-color", WHATSAPP_GREEN)
            expect(wati.locator(".pane-kind")).to_have_text("Warga · WhatsApp")
            bot_says(desa, "terdaftar untuk Desa Sepaso")

            # WhatsApp has no Start button: her first message opens the chat.
            wati.get_by_role("button", name="Kirim pesan").click()
            bot_says(wati, "Apakah Anda setuju?")
            expect(wati.locator(".msg.out .text").first).to_have_text("Halo")
            choose(wati, "✅ Saya setuju", "Silakan pilih menu")
            choose(wati, "📝 Laporan baru", "Apa jenis laporan Anda?")
            choose(wati, "Pengaduan", "Pilih kategori")
            # More than three choices: a list message, its rows behind its button.
            expect(wati.locator(".wa-list").last).to_be_hidden()
            choose(wati, "Sampah & Lingkungan", "Di kecamatan mana")
            expect(wati.locator(".msg.out .text").last).to_have_text("Sampah & Lingkungan")
            write(wati, "bengalon", "Di desa/kelurahan mana")
            write(wati, "sepaso", "Tulis detail alamat")
            choose(wati, "Lewati ➡️", "Kirim titik lokasi")
            wati.locator(".wa-button", has_text="📍 Kirim lokasi").last.click()
            bot_says(wati, "Ceritakan masalahnya")
            expect(wati.locator(".msg.out .location")).to_contain_text("0.8302, 117.8871")
            write(wati, SAMPAH, "Kirim foto bukti")
            wati.locator(".samples-toggle").click()
            wati.locator(".samples button").nth(2).click()
            bot_says(wati, "Foto diterima: 1/5.")
            expect(wati.locator(".msg.out img")).to_be_visible()
            choose(wati, "✅ Selesai (1 foto)", "Pilih kerahasiaan")
            choose(wati, "Biasa", "Periksa laporan Anda")
            done = choose(wati, "📨 Kirim laporan", "Nomor laporan:")
            found = TRACKING.search(done.inner_text())
            assert found, done.inner_text()
            number = found.group(1)
            expect(wati.locator(".msg.out .ticks").first).to_have_text("✓✓")
            page.screenshot(path=shots / "laptop-1366-whatsapp.png")

            # The desa's Telegram group: the card, from WhatsApp, with her photo under it.
            card = bot_says(desa, f"📋 Laporan {number}")
            expect(card).to_contain_text("Masuk lewat WhatsApp")
            expect(card).to_contain_text("Wati Lestari")
            expect(card).not_to_contain_text("6281200001003")
            expect(desa.locator(".msg.bot img").last).to_be_visible()
            assert_no_sideways_scroll(page)
            wati.screenshot(path=shots / "pane-wati.png")

            # On a phone: Wati's chat from the chat list, green, with room to type.
            phone = open_page(browser, sandbox_url, PHONE)
            tab = phone.locator('#tabs button[data-pane="wati"]')
            expect(tab).to_have_text(re.compile("Wati"))
            tab.click()
            small = phone.locator('section[data-pane="wati"]')
            expect(small).to_be_visible()
            expect(small.locator(".wa-button").last).to_be_visible()
            assert_chat_usable(phone, small, "wati on a phone")
            assert_no_sideways_scroll(phone)
            bot_says(small, "Nomor laporan:")
            phone.screenshot(path=shots / "phone-390-whatsapp.png")
        finally:
            browser.close()
    keep(list(shots.iterdir()))
    assert WAIT_MS
