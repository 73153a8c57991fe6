"""The console in a real browser: Debian's Chromium driven by Playwright.

``aduan sandbox`` runs as a subprocess (it starts the console beside it); a scenario files an
anonymous report at Desa Sepaso. The trainer follows the page's "Konsol" link (signed in at
once, as Rina of Diskominfo), reads the overview, filters the list, opens the report and
downloads each export; a spent link is refused when used again; an officer of Dinas PUPR,
signed in with a link from ``aduan console link``, is refused the desa's report by its URL.
Screenshots go to ``/tmp/console-shots`` for a person to look at.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect, sync_playwright

from tests.browser.test_sandbox_browser import CHROMIUM, CHROMIUM_ARGS, ROOT

SHOTS = Path("/tmp/console-shots")
READY = re.compile(r"(http://localhost:\d+/)\s*\(data sandbox")
#: The sandbox migrates, seeds the kabupaten and starts the emulators: about 10 s on a quiet
#: machine, several times that beside three test workers and other work.
STARTUP_SECONDS = 120
CONSOLE = re.compile(r"Konsol koordinator: (http://localhost:\d+)/")
WAIT_MS = 15_000
SECRET = "Sutrisno"


@dataclass
class Running:
    page_url: str
    console_url: str
    env: dict[str, str]
    workdir: Path


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[Running]:
    log = tmp_path / "sandbox.log"
    env = {k: v for k, v in os.environ.items() if k != "BOT_TOKEN"}
    # Both ports picked by the system (0): the printed lines name them.
    env.update(PYTHONPATH=str(ROOT), CONSOLE_PORT="0", DEFAULT_LANGUAGE="id")
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "cli.main", "sandbox", "--port", "0", "--data-dir", "data"],
            cwd=tmp_path,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while not (
            (found := READY.search(log.read_text(errors="replace")))
            and (console := CONSOLE.search(log.read_text(errors="replace")))
        ):
            assert process.poll() is None, log.read_text(errors="replace")
            late = f"the sandbox did not print its URL in {STARTUP_SECONDS} s"
            assert time.monotonic() < deadline, late
            time.sleep(0.1)
        yield Running(found.group(1), console.group(1), env, tmp_path)
    finally:
        process.terminate()
        process.wait(timeout=20)


def _post(url: str) -> object:
    request = urllib.request.Request(url, data=b"{}", method="POST")
    request.add_header("Content-Type", "application/json")
    with urllib.request.urlopen(request, timeout=120) as response:
        return json.loads(response.read())


def _unit_link(running: Running, unit: str) -> str:
    env = dict(running.env)
    env["DATABASE_URL"] = f"sqlite+aiosqlite:///{running.workdir / 'data' / 'sandbox.db'}"
    env["CONSOLE_PUBLIC_URL"] = running.console_url
    done = subprocess.run(
        [sys.executable, "-m", "cli.main", "console", "link", unit],
        cwd=running.workdir,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    found = re.search(r"(http://\S+/masuk/\S+)", done.stdout)
    assert found, done.stdout + done.stderr
    return found.group(1)


def _fits_across(page: Page, what: str) -> None:
    """Every table's box shows all its columns: nothing to scroll sideways."""
    boxes = page.evaluate(
        "[...document.querySelectorAll('.scroll')].map(b => [b.scrollWidth, b.clientWidth])"
    )
    assert boxes, f"{what}: no table on the page"
    assert all(wide <= shown for wide, shown in boxes), f"{what} scrolls sideways: {boxes}"


def _shot(page: Page, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_the_trainer_reads_filters_opens_and_downloads_and_others_are_refused(
    sandbox: Running, tmp_path: Path
) -> None:
    assert CHROMIUM.exists(), "Debian's chromium is needed (apt-get install chromium)"
    _post(sandbox.page_url + "api/scenarios/anonim")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": 1366, "height": 768})
            page = context.new_page()
            refusals: list[str] = []  # what the Content-Security-Policy blocked, if anything
            page.on(
                "console",
                lambda m: refusals.append(m.text) if "Content Security Policy" in m.text else None,
            )
            page.goto(sandbox.page_url + "konsol")  # signed in at once, as the coordinator
            expect(page.locator("h1")).to_contain_text("Ringkasan", timeout=WAIT_MS)
            expect(page.locator("header")).to_contain_text("Rina (Diskominfo) · Diskominfo")
            expect(page.locator("table")).to_contain_text("Desa Sepaso")
            _shot(page, "1-overview")
            _fits_across(page, "the unit table at 1366 px")

            page.get_by_role("link", name="Daftar laporan").click()
            page.select_option("select[name=status]", "baru")
            page.get_by_role("button", name="Tampilkan").click()
            expect(page).to_have_url(re.compile(r"status=baru"))
            number = page.locator("table tbody tr td a").first
            expect(number).to_be_visible()
            report_path = number.get_attribute("href") or ""
            _shot(page, "2-list")
            _fits_across(page, "the report list at 1366 px")
            number.click()
            expect(page.locator("dl")).to_contain_text("disembunyikan (anonim)")
            assert SECRET not in page.content()
            _shot(page, "3-report")
            page.set_viewport_size({"width": 390, "height": 844})  # a phone: nothing sideways
            widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
            assert widths[0] <= widths[1], f"the report page scrolls sideways: {widths}"
            _shot(page, "3-report-phone")
            page.set_viewport_size({"width": 1366, "height": 768})

            page.go_back()
            for label, suffix in (
                ("CSV (pemisah titik koma)", ".csv"),
                ("CSV (pemisah koma)", ".csv"),
                ("XLSX", ".xlsx"),
                ("Lengkap (XLSX)", ".xlsx"),
                ("Lembar SP4N-LAPOR! (XLSX)", ".xlsx"),
                ("Rekap per unit (XLSX)", ".xlsx"),
            ):
                with page.expect_download() as info:
                    page.get_by_role("button", name=label, exact=True).click()
                saved = tmp_path / info.value.suggested_filename
                info.value.save_as(saved)
                assert saved.suffix == suffix
                assert saved.stat().st_size > 0

            assert refusals == []

            # A link, once spent, used again in another browser, is refused.
            login_url = _unit_link(sandbox, "diskominfo")
            first = browser.new_context()
            spend = first.new_page()
            spend.goto(login_url)
            spend.get_by_role("button", name="Masuk").click()
            expect(spend.locator("h1")).to_contain_text("Ringkasan", timeout=WAIT_MS)
            first.close()
            other = browser.new_context()
            again = other.new_page()
            again.goto(login_url)
            again.get_by_role("button", name="Masuk").click()
            expect(again.locator("main")).to_contain_text("sudah dipakai")
            _shot(again, "4-link-reused")
            other.close()

            # An officer of Dinas PUPR may not open the desa's report by its address.
            pupr = browser.new_context(viewport={"width": 390, "height": 844})  # a phone
            officer = pupr.new_page()
            officer.goto(_unit_link(sandbox, "dinas-pupr"))
            officer.get_by_role("button", name="Masuk").click()
            expect(officer.locator("h1")).to_contain_text("Ringkasan")
            response = officer.goto(sandbox.console_url + report_path)
            assert response is not None
            assert response.status == 403
            expect(officer.locator("main")).to_contain_text("bukan untuk unit Anda")
            _shot(officer, "5-refused-phone")
            pupr.close()
        finally:
            browser.close()
    shutil.copytree(SHOTS, tmp_path / "shots", dirs_exist_ok=True)


def test_dasbor_in_the_sandbox_sends_a_link_the_trainer_opens_from_the_private_chat(
    sandbox: Running,
) -> None:
    """The coordinator's officer sends /dasbor in the group; the group's "🔑 Chat pribadi" shows
    the bot's link in the officer's private chat; the link signs in as Rina."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1366, "height": 768})
            page.goto(sandbox.page_url)
            group = page.locator('section[data-pane="koordinator"]')
            group.locator("textarea").fill("/dasbor")
            group.locator("textarea").press("Enter")
            expect(group.locator(".chat")).to_contain_text("chat pribadi Anda", timeout=WAIT_MS)
            with page.expect_popup() as opened:
                group.locator(".private-chat").click()
            private = opened.value
            link = private.locator("a[href*='/masuk/']")
            expect(link).to_be_visible(timeout=WAIT_MS)  # the page reloads itself until it comes
            _shot(private, "6-private-chat")
            link.click()
            private.get_by_role("button", name="Masuk").click()
            expect(private.locator("h1")).to_contain_text("Ringkasan", timeout=WAIT_MS)
            expect(private.locator("header")).to_contain_text("Rina (Diskominfo)")
        finally:
            browser.close()
