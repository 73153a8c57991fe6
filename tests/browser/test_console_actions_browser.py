"""Acting from the console in a real browser (Debian's Chromium through Playwright), in the
sandbox, whose bot takes the console's requests: the coordinator verifies a report and asks its
reporter a question; the page waits for the bot by reloading itself (no script: the
Content-Security-Policy allows none inline) and then says what was done. Screenshots at
1366×768 and 390×844 go to ``/tmp/console-shots`` for a person to look at.
"""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect, sync_playwright

from tests.browser.test_console_browser import (
    Running,
    _post,
    _shot,
    sandbox,  # noqa: F401 (the fixture)
)
from tests.browser.test_sandbox_browser import CHROMIUM, CHROMIUM_ARGS

#: The sandbox's bot looks for the console's requests within its idle poll (5 s).
BOT_MS = 20_000


def _no_sideways(page: Page, what: str) -> None:
    widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"{what} scrolls sideways: {widths}"


def test_the_coordinator_verifies_and_asks_from_the_report_page(sandbox: Running) -> None:  # noqa: F811
    assert CHROMIUM.exists(), "Debian's chromium is needed (apt-get install chromium)"
    _post(sandbox.page_url + "api/scenarios/anonim")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": 1366, "height": 768})
            page = context.new_page()
            refusals: list[str] = []
            page.on(
                "console",
                lambda m: refusals.append(m.text) if "Content Security Policy" in m.text else None,
            )
            page.goto(sandbox.page_url + "konsol")
            expect(page.locator("h1")).to_contain_text("Ringkasan", timeout=BOT_MS)
            page.goto(sandbox.console_url + "/laporan?status=baru")
            page.locator("table tbody tr td a").first.click()
            actions = page.locator("div.actions")
            expect(actions).to_contain_text("Verifikasi")
            expect(actions).not_to_contain_text("Selesai")  # not before verification
            _shot(page, "6-report-actions")
            page.set_viewport_size({"width": 390, "height": 844})
            _no_sideways(page, "the report page with its actions on a phone")
            _shot(page, "6-report-actions-phone")
            page.set_viewport_size({"width": 1366, "height": 768})

            page.get_by_role("button", name="✅ Verifikasi").click()
            expect(page).to_have_url(re.compile(r"\?tindakan=\d+"))
            _shot(page, "7-waiting")
            expect(page.locator("main")).to_contain_text("✅ Terverifikasi", timeout=BOT_MS)
            expect(page.locator("dl")).to_contain_text("Didisposisi")
            _shot(page, "8-verified")

            form = page.locator("form.action", has_text="Minta info")
            form.locator("textarea").fill("Di RT berapa tepatnya, Pak/Bu?")
            form.get_by_role("button", name="❓ Minta info").click()
            expect(page.locator("main")).to_contain_text(
                "Pertanyaan terkirim ke pelapor", timeout=BOT_MS
            )
            expect(page.locator("main")).to_contain_text("Di RT berapa tepatnya, Pak/Bu?")
            page.set_viewport_size({"width": 390, "height": 844})
            _no_sideways(page, "the report page after a question on a phone")
            _shot(page, "9-asked-phone")
            assert refusals == []
        finally:
            browser.close()
