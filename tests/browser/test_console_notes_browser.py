"""An internal note from the console in a real browser (Debian's Chromium through Playwright), in
the sandbox, whose bot takes the console's requests: the coordinator writes a note on the report
page, waits for the bot, and reads it in the timeline marked internal. Screenshots at 1366×768 and
390×844 go to ``/tmp/console-shots`` (``10-note*.png``)."""

from __future__ import annotations

from playwright.sync_api import expect, sync_playwright

from tests.browser.test_console_actions_browser import BOT_MS, _no_sideways
from tests.browser.test_console_browser import (
    Running,
    _post,
    _shot,
    sandbox,  # noqa: F401 (the fixture)
)
from tests.browser.test_sandbox_browser import CHROMIUM, CHROMIUM_ARGS

NOTE = "Sudah dicek lapangan, tunggu anggaran Zirkonium."


def test_the_coordinator_writes_an_internal_note_on_the_report_page(sandbox: Running) -> None:  # noqa: F811
    assert CHROMIUM.exists(), "Debian's chromium is needed (apt-get install chromium)"
    _post(sandbox.page_url + "api/scenarios/anonim")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_context(viewport={"width": 1366, "height": 768}).new_page()
            page.goto(sandbox.page_url + "konsol")
            expect(page.locator("h1")).to_contain_text("Ringkasan", timeout=BOT_MS)
            page.goto(sandbox.console_url + "/laporan?status=baru")
            page.locator("table tbody tr td a").first.click()

            form = page.locator("form.action", has_text="Catatan internal")
            expect(form).to_contain_text("tidak dikirim ke pelapor")
            form.locator("textarea").fill(NOTE)
            form.get_by_role("button", name="📝 Simpan catatan internal").click()
            main = page.locator("main")
            expect(main).to_contain_text("📝 Catatan internal tersimpan", timeout=BOT_MS)
            row = page.locator("tr", has_text=NOTE)
            expect(row).to_contain_text("🔒 internal")
            _shot(page, "10-note")
            page.set_viewport_size({"width": 390, "height": 844})
            _no_sideways(page, "the report page with an internal note on a phone")
            _shot(page, "10-note-phone")
        finally:
            browser.close()
