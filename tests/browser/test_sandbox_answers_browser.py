"""The sandbox page shows what Telegram shows besides messages, in Chromium: a tapped button's
answer as a short toast over its chat or an alert with OK, the map link as the bot wrote it,
English that reads as English, and a refusal line that clears once a later action succeeds.

Screenshots of a toast and an alert at 1366×768 and 390×844 go to ``/tmp/sandbox-shots`` (and to
the folder ``SANDBOX_SHOTS`` names, when set) for a person to look at.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from playwright.sync_api import Locator, Page, expect, sync_playwright

from tests.browser.test_sandbox_browser import (
    LAPTOP,
    PHONE,
    SHOTS,
    WAIT_MS,
    bot_says,
    key,
    launch,
    open_page,
    sandbox_url,
    tap,
    write,
)
from web.sandbox.server import page_texts

__all__ = ["sandbox_url"]  # the fixture, shared with the other page tests

#: A second folder for the screenshots, e.g. a reviewer's (``SANDBOX_SHOTS=shots/page``).
EXTRA_SHOTS = os.environ.get("SANDBOX_SHOTS", "")
STALE = "Tombol ini sudah tidak berlaku. Silakan gunakan pesan terbaru."

#: How much room the placeholder needs and how much the input gives it, in pixels.
PLACEHOLDER_ROOM = """(key) => {
    const input = document.querySelector(`section[data-pane="${key}"] textarea.input`);
    const style = getComputedStyle(input);
    const context = document.createElement("canvas").getContext("2d");
    context.font = `${style.fontSize} ${style.fontFamily}`;
    const padding = parseFloat(style.paddingLeft) + parseFloat(style.paddingRight);
    const inner = input.clientWidth - padding;
    return [context.measureText(input.placeholder).width, inner];
}"""


def save(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=path)
    assert path.stat().st_size > 5_000, path
    if EXTRA_SHOTS:
        Path(EXTRA_SHOTS).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, Path(EXTRA_SHOTS) / path.name)


def show_toast_and_alert(page: Page, siti: Locator, prefix: str) -> None:
    """Siti agrees (the bot's short answer is a toast over her chat), then taps a button of a
    draft she threw away (the bot's polite refusal is an alert with OK)."""
    siti.get_by_role("button", name="MULAI").click()
    bot_says(siti, "Apakah Anda setuju?")
    tap(siti, "✅ Saya setuju", "Silakan pilih menu di bawah.")
    toast = siti.locator(".toast")
    expect(toast).to_have_text("Terima kasih", timeout=WAIT_MS)
    expect(toast).to_be_visible()
    save(page, f"{prefix}-toast")
    expect(toast).to_be_hidden(timeout=WAIT_MS)  # gone by itself after a few seconds

    key(siti, "📝 Laporan baru", "Apa jenis laporan Anda?")
    tap(siti, "Pengaduan", "Pilih kategori")
    tap(siti, "Jalan & Jembatan", "Di kecamatan mana")
    write(siti, "/start", "belum selesai")
    tap(siti, "🗑️ Buang, mulai baru", "Apa jenis laporan Anda?")
    old = siti.locator(".inline-keyboard").get_by_role("button", name="Bengalon", exact=True)
    old.click()
    alert = siti.get_by_role("alertdialog")
    expect(alert).to_be_visible(timeout=WAIT_MS)
    expect(alert).to_contain_text(STALE)
    expect(old).to_be_enabled()  # the spinner stopped: the button is not left greyed out
    save(page, f"{prefix}-alert")
    alert.get_by_role("button", name="OK").click()
    expect(alert).to_be_hidden()
    expect(page.get_by_role("alertdialog")).to_have_count(0)


def test_a_buttons_answer_shows_as_a_toast_or_an_alert_on_a_laptop(
    sandbox_url: str, tmp_path: Path
) -> None:
    with sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            page = open_page(browser, sandbox_url, LAPTOP)
            siti = page.locator('section[data-pane="siti"]')
            show_toast_and_alert(page, siti, "laptop-1366")

            # A refused upload says so; a later photo that goes through clears the line.
            text_file = tmp_path / "catatan.txt"
            text_file.write_text("bukan gambar")
            siti.locator("input.file").set_input_files(text_file)
            status = page.locator("#status")
            expect(status).to_have_text("Gagal: " + page_texts("id")["error.not_an_image"])
            siti.locator(".samples-toggle").click()
            siti.locator(".samples button").first.click()
            expect(siti.locator(".msg.out img")).to_be_visible(timeout=WAIT_MS)
            expect(status).to_have_text("")
            # And after a message sent.
            page.locator("#advance-days").fill("99")
            page.locator("#advance-many").click()
            expect(status).to_contain_text("Gagal:")
            siti.locator("textarea.input").fill("Halo")
            siti.locator("textarea.input").press("Enter")
            expect(siti.locator(".msg.out", has_text="Halo")).to_be_visible(timeout=WAIT_MS)
            expect(status).to_have_text("")

            # The card's map link points at the report's point: both coordinates.
            page.locator("#scenario").select_option("jalan")
            page.locator("#load-scenario").click()
            expect(status).to_contain_text("Skenario dimuat", timeout=WAIT_MS * 2)
            opd = page.locator('section[data-pane="opd"]')
            link = bot_says(opd, "📋 Laporan").get_by_role("link", name="📍 Lihat peta")
            href = link.get_attribute("href") or ""
            assert "&mlon=117.887100" in href, href
            assert "&amp;" not in href, href

            # As the officers' guide says ("long-press the card, choose Reply"): a double click
            # on a message starts a reply to it, as the small "↩ Balas" does.
            expect(opd.locator(".replying")).to_be_hidden()
            # On its first line: with six chats at 1366 px the card's middle may be its map link,
            # which keeps its own tap.
            card_text = opd.locator(".msg", has_text="📋 Laporan").last.locator(".text")
            card_text.dblclick(position={"x": 8, "y": 6})
            expect(opd.locator(".replying")).to_be_visible()
            expect(opd.locator(".replying-text")).to_contain_text("📋 Laporan")
        finally:
            browser.close()


def test_a_buttons_answer_shows_as_a_toast_or_an_alert_on_a_phone(sandbox_url: str) -> None:
    with sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            page = open_page(browser, sandbox_url, PHONE)
            siti = page.locator('section[data-pane="siti"]')
            show_toast_and_alert(page, siti, "phone-390")
            # A long press (Chromium's touch "contextmenu") on a message starts a reply to it.
            expect(siti.locator(".replying")).to_be_hidden()
            siti.locator(".msg.bot .text").last.click(button="right")
            expect(siti.locator(".replying")).to_be_visible()
        finally:
            browser.close()


def test_the_english_page_reads_as_english_and_its_chats_follow(sandbox_url: str) -> None:
    with sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            page = open_page(browser, sandbox_url + "?lang=en", LAPTOP)
            for pane in ("siti", "desa", "koordinator"):
                needs, has = page.evaluate(PLACEHOLDER_ROOM, pane)
                assert needs <= has, f"{pane}: the placeholder needs {needs} px of {has}"
            expect(page.locator("#clock")).to_contain_text(":")
            siti = page.locator('section[data-pane="siti"]')
            siti.get_by_role("button", name="START").click()
            bot_says(siti, "Do you agree?")
            day = siti.locator(".day").first.inner_text()
            assert day.split(", ")[0] in (
                "Monday",
                "Tuesday",
                "Wednesday",
                "Thursday",
                "Friday",
                "Saturday",
                "Sunday",
            ), day
            assert siti.locator(".msg .time").first.inner_text()[2] == ":"
            tap(siti, "✅ I agree", "Please choose from the menu below.")
            expect(siti.locator(".toast")).to_have_text("Thank you", timeout=WAIT_MS)
            desa = page.locator('section[data-pane="desa"]')
            write(desa, "/bantuan", "Kanal Aduan guide for officers")
            save(page, "laptop-1366-english")
            siti.locator(".share-location").click()  # numbers with a decimal point
            expect(siti.locator(".msg.out .location")).to_have_text(
                "📍 Location: 0.8302, 117.8871", timeout=WAIT_MS
            )

            page.locator("#language").click()  # back to Indonesian: the chats follow
            expect(page.locator("body")).to_have_attribute("data-ready", "true")
            needs, has = page.evaluate(PLACEHOLDER_ROOM, "siti")
            assert needs <= has, f"the placeholder needs {needs} px of {has}"
            write(desa, "/bantuan", "Panduan petugas Kanal Aduan")
        finally:
            browser.close()
