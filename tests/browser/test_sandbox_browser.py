"""The sandbox page in a real browser: Debian's Chromium driven by Playwright.

``aduan sandbox`` runs as a subprocess, exactly as a trainer starts it; the test only clicks,
types and picks a file in the page. Screenshots of each pane are saved next to the test's files
and copied to ``/tmp/sandbox-shots`` for a person to look at.

The page is checked on the screens of a training room: a 1366×768 office laptop or projector
(every chat side by side) and a 390×844 phone (one chat at a time, chosen from a chat list).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Locator, Page, Playwright, expect, sync_playwright

from web.sandbox.samples import png

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SHOTS = Path("/tmp/sandbox-shots")
READY = re.compile(r"(http://localhost:\d+/)")
#: The sandbox migrates, seeds the kabupaten and starts the emulators: about 10 s on a quiet
#: machine, several times that beside three test workers and other work.
STARTUP_SECONDS = 120
TRACKING = re.compile(r"Nomor laporan: ([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z])")
WAIT_MS = 15_000
LAPTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}
PANES = ("siti", "budi", "wati", "desa", "opd", "koordinator")
#: A day separator and a clock as Indonesians write them.
DAY = re.compile(r"^(Senin|Selasa|Rabu|Kamis|Jumat|Sabtu|Minggu), [1-9]\d? \w+ 20\d\d$")
CLOCK = re.compile(r"^(.+) (\d\d)\.(\d\d) WITA$")
Box = dict[str, float]

DESCRIPTION = (
    "Tumpukan sampah di belakang pasar Sepaso sudah seminggu tidak diangkut, baunya menyengat."
)
ANSWER = "Terima kasih, Bu Siti. Petugas kebersihan desa mengangkutnya besok pagi."


@pytest.fixture
def sandbox_url(tmp_path: Path) -> Iterator[str]:
    """``aduan sandbox`` on a port the system picks (0; the printed URL names it), with its data
    in the test's folder."""
    log = tmp_path / "sandbox.log"
    env = {k: v for k, v in os.environ.items() if k != "BOT_TOKEN"}
    env["PYTHONPATH"] = str(ROOT)
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
        while not (found := READY.search(log.read_text(errors="replace"))):
            assert process.poll() is None, log.read_text(errors="replace")
            late = f"the sandbox did not print its URL in {STARTUP_SECONDS} s"
            assert time.monotonic() < deadline, late
            time.sleep(0.1)
        yield found.group(1)
    finally:
        process.terminate()
        process.wait(timeout=20)


def bot_message(pane: Locator, text: str) -> Locator:
    """The newest bot message whose own text (not a quoted one) has ``text``."""
    own_text = pane.page.locator(".text", has_text=text)
    return pane.locator(".msg.bot").filter(has=own_text).last


def bot_says(pane: Locator, text: str) -> Locator:
    message = bot_message(pane, text)
    expect(message).to_be_visible(timeout=WAIT_MS)
    return message


def tap(pane: Locator, label: str, then: str) -> Locator:
    """Tap the inline button ``label`` on the newest message showing it."""
    pane.locator(".inline-keyboard").get_by_role("button", name=label, exact=True).last.click()
    return bot_says(pane, then)


def key(pane: Locator, label: str, then: str) -> Locator:
    """Tap the reply-keyboard key ``label`` under the input."""
    pane.locator(".reply-keyboard").get_by_role("button", name=label, exact=True).click()
    return bot_says(pane, then)


def write(pane: Locator, text: str, then: str, *, answer_in: Locator | None = None) -> Locator:
    pane.locator("textarea.input").fill(text)
    pane.locator("textarea.input").press("Enter")
    return bot_says(answer_in or pane, then)


def launch(playwright: Playwright) -> Browser:
    if not CHROMIUM.exists():
        pytest.fail("Chromium is missing: apt-get install -y chromium (.ci/run installs it)")
    return playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)


def open_page(browser: Browser, url: str, viewport: dict[str, int]) -> Page:
    page = browser.new_page(viewport=viewport)  # type: ignore[arg-type]
    page.on("dialog", lambda dialog: dialog.accept())  # "are you sure?" → yes
    page.goto(url)
    expect(page.locator("body")).to_have_attribute("data-ready", "true")
    return page


def box_of(locator: Locator) -> Box:
    box = locator.bounding_box()
    assert box is not None, f"{locator} is not laid out"
    return {"x": box["x"], "y": box["y"], "width": box["width"], "height": box["height"]}


def assert_inside(inner: Box, outer: Box, what: str) -> None:
    """``inner`` lies within ``outer`` (a pixel of rounding allowed)."""
    assert inner["x"] >= outer["x"] - 1, (what, inner, outer)
    assert inner["y"] >= outer["y"] - 1, (what, inner, outer)
    assert inner["x"] + inner["width"] <= outer["x"] + outer["width"] + 1, (what, inner, outer)
    assert inner["y"] + inner["height"] <= outer["y"] + outer["height"] + 1, (what, inner, outer)


def viewport_box(page: Page) -> Box:
    size = page.viewport_size
    assert size is not None
    return {"x": 0, "y": 0, "width": size["width"], "height": size["height"]}


def assert_no_sideways_scroll(page: Page) -> None:
    widths = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth,"
        " document.getElementById('panes').scrollWidth,"
        " document.getElementById('panes').clientWidth]"
    )
    assert widths[0] <= widths[1], f"the page scrolls sideways: {widths}"
    assert widths[2] <= widths[3], f"the chats scroll sideways: {widths}"


def assert_chat_usable(page: Page, pane: Locator, name: str) -> None:
    """The chat, its input, its send button, its sample photos and the sample voice note are all
    on the screen."""
    screen = viewport_box(page)
    assert_inside(box_of(pane), screen, f"{name}: chat")
    for part in ("textarea.input", ".send", ".attach", ".samples-toggle", ".share-location"):
        assert_inside(box_of(pane.locator(part)), box_of(pane), f"{name}: {part}")
    assert box_of(pane.locator("textarea.input"))["width"] >= 90, f"{name}: the input is a sliver"
    pane.locator(".send").click(trial=True)  # visible, enabled, not covered by anything
    pane.locator(".samples-toggle").click()
    picks = pane.locator(".samples button")
    expect(picks).to_have_count(4)  # three photos, then the voice note
    for index in range(4):
        assert_inside(box_of(picks.nth(index)), screen, f"{name}: sample {index}")
        assert_inside(box_of(picks.nth(index)), box_of(pane), f"{name}: sample {index}")
        picks.nth(index).click(trial=True)
    pane.locator(".samples-toggle").click()
    expect(pane.locator(".samples")).to_be_hidden()


NEWEST_SHOWN = """(key) => {
    const chat = document.querySelector(`section[data-pane="${key}"] .chat`);
    const messages = chat.querySelectorAll(".msg");
    if (!messages.length) return true;
    const last = messages[messages.length - 1].getBoundingClientRect();
    const box = chat.getBoundingClientRect();
    return box.height > 0 && last.bottom <= box.bottom + 2 && last.bottom > box.top + 20;
}"""


IMAGES_LOADED = "() => Array.from(document.images).every((image) => image.complete)"


def wait_for_js(page: Page, function: str, arg: object = None, timeout: float = 10.0) -> None:
    """Wait until the page's ``function(arg)`` is true; fails after ``timeout`` seconds.

    Playwright's ``wait_for_function`` polls by evaluating a string inside the page, which the
    page's Content-Security-Policy (no ``unsafe-eval``) refuses once the first check is false;
    ``evaluate`` runs through the browser's debugging protocol, which the policy does not bind.
    """
    deadline = time.monotonic() + timeout
    while not page.evaluate(function, arg):
        if time.monotonic() > deadline:
            raise AssertionError(f"not true within {timeout} s: {function[:80]}")
        page.wait_for_timeout(50)


def assert_newest_shown(page: Page, keys: tuple[str, ...]) -> None:
    """Each chat is scrolled to its newest message (its bottom edge is in view)."""
    wait_for_js(page, IMAGES_LOADED)
    for key in keys:
        wait_for_js(page, NEWEST_SHOWN, key, timeout=3.0)


def read_back_in_every_chat(page: Page) -> None:
    """Trainees scroll up to read older messages (each chat fires its own scroll event)."""
    page.evaluate(
        """() => document.querySelectorAll(".chat").forEach((chat) => {
            chat.scrollTop = 0;
            chat.dispatchEvent(new Event("scroll"));
        })"""
    )
    page.wait_for_timeout(100)  # let the page's scroll handlers run, as a person's scroll would


def assert_times_and_days(pane: Locator, clock: str) -> None:
    """Every message shows its time (``08.00``); a separator names each day, the first one
    above the first message, and the newest day is the clock's."""
    messages = pane.locator(".msg")
    assert messages.count() > 0
    for text in pane.locator(".msg .time").all_inner_texts():
        assert re.fullmatch(r"\d\d\.\d\d", text), text
    expect(pane.locator(".msg .time")).to_have_count(messages.count())
    days = pane.locator(".day").all_inner_texts()
    assert days, "no day separator"
    for day in days:
        assert DAY.match(day), day
    assert len(set(days)) == len(days), f"a day named twice: {days}"
    first = pane.locator(".chat > *").first
    expect(first).to_have_class(re.compile(r"\bday\b"))
    found = CLOCK.match(clock)
    assert found, clock
    assert days[-1] == found.group(1), (days, clock)


def page_labels(page: Page) -> list[str]:
    """Every label of the page's own controls a person reads or hears (not the chats)."""
    labels: list[str] = page.evaluate(
        """() => Array.from(document.querySelectorAll("[aria-label], [title], [placeholder]"))
            .filter((node) => !node.closest(".chat") && !node.closest("template"))
            .flatMap((node) => ["aria-label", "title", "placeholder"]
                .map((name) => node.getAttribute(name)).filter(Boolean))"""
    )
    return labels


def shoot(page: Page, folder: Path) -> list[Path]:
    wait_for_js(page, IMAGES_LOADED)
    saved = []
    for pane in ("siti", "desa", "opd", "koordinator"):
        path = folder / f"pane-{pane}.png"
        page.locator(f'section[data-pane="{pane}"]').screenshot(path=path)
        saved.append(path)
    whole = folder / "page.png"
    page.screenshot(path=whole)
    return [*saved, whole]


def keep(shots: list[Path]) -> None:
    """Copy the screenshots where a reviewer looks (they are also in the test's tmp folder)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    for shot in shots:
        assert shot.stat().st_size > 5_000, shot  # an image with content, not a blank page
        shutil.copy(shot, SHOTS / shot.name)


def test_a_citizen_reports_with_a_photo_and_the_desa_answers_in_the_page(
    sandbox_url: str, tmp_path: Path
) -> None:
    if not CHROMIUM.exists():
        pytest.fail("Chromium is missing: apt-get install -y chromium (.ci/run installs it)")
    photo = tmp_path / "foto-sampah.png"
    photo.write_bytes(png(lambda x, y: (90 + x % 60, 70 + y % 40, 40), 160, 120))

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport=LAPTOP)  # type: ignore[arg-type]
            page.goto(sandbox_url)
            expect(page.locator("body")).to_have_attribute("data-ready", "true")
            expect(page.locator("#clock")).to_contain_text("WITA")
            siti = page.locator('section[data-pane="siti"]')
            desa = page.locator('section[data-pane="desa"]')
            bot_says(desa, "terdaftar untuk Desa Sepaso")

            # Siti, in her chat: start, agree, and walk through a report.
            siti.get_by_role("button", name="MULAI").click()
            bot_says(siti, "Apakah Anda setuju?")
            tap(siti, "✅ Saya setuju", "Silakan pilih menu di bawah.")
            key(siti, "📝 Laporan baru", "Apa jenis laporan Anda?")
            tap(siti, "Pengaduan", "Pilih kategori")
            tap(siti, "Sampah & Lingkungan", "Di kecamatan mana")
            tap(siti, "Bengalon", "Di desa/kelurahan mana")
            tap(siti, "Sepaso", "Tulis detail alamat")
            write(siti, "Gang Mawar RT 02, belakang pasar", "Kirim titik lokasi")
            key(siti, "📍 Kirim lokasi saya", "Ceritakan masalahnya")
            expect(siti.locator(".msg.out .location")).to_contain_text("0.8302, 117.8871")
            write(siti, DESCRIPTION, "Kirim foto bukti")
            siti.locator("input.file").set_input_files(photo)  # 📎: a photo from the computer
            bot_says(siti, "📷 Foto diterima: 1/5.")
            expect(siti.locator(".msg.out img")).to_be_visible()
            tap(siti, "✅ Selesai (1 foto)", "Pilih kerahasiaan")
            tap(siti, "Biasa", "Periksa laporan Anda")
            done = tap(siti, "📨 Kirim laporan", "Nomor laporan:")
            found = TRACKING.search(done.inner_text())
            assert found, done.inner_text()
            number = found.group(1)

            # The desa's group: the card, with Siti's photo under it.
            card = bot_says(desa, f"📋 Laporan {number}")
            expect(card).to_contain_text("Siti Aminah")
            expect(desa.locator(".msg.bot img").last).to_be_visible()
            tap(desa, "✅ Verifikasi", "Status: Sudah diverifikasi dan diterima unit")
            bot_says(siti, "sudah diverifikasi")

            # Pak Kades replies to the card; the answer reaches Siti.
            bot_message(desa, f"📋 Laporan {number}").locator(".reply-action").click()
            expect(desa.locator(".replying")).to_contain_text(f"📋 Laporan {number}")
            write(desa, ANSWER, ANSWER, answer_in=siti)
            sent = desa.locator(".msg.out", has_text=ANSWER)
            expect(sent.locator(".quote")).to_contain_text(f"📋 Laporan {number}")
            expect(sent.locator(".sender")).to_have_text("Pak Kades Sepaso")

            shots = shoot(page, tmp_path)
        finally:
            browser.close()
    keep(shots)


def test_a_trainer_loads_a_scenario_moves_the_clock_and_resets_from_the_page(
    sandbox_url: str, tmp_path: Path
) -> None:
    if not CHROMIUM.exists():
        pytest.fail("Chromium is missing: apt-get install -y chromium (.ci/run installs it)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1680, "height": 1000})
            page.on("dialog", lambda dialog: dialog.accept())  # "are you sure?" → yes
            page.goto(sandbox_url + "?lang=en")
            expect(page.locator("body")).to_have_attribute("data-ready", "true")
            expect(page.locator("#advance-one")).to_have_text("+1 working day")
            page.goto(sandbox_url)
            expect(page.locator("body")).to_have_attribute("data-ready", "true")
            siti = page.locator('section[data-pane="siti"]')
            coordinator = page.locator('section[data-pane="koordinator"]')

            page.locator("#scenario").select_option("terlambat")
            page.locator("#load-scenario").click()
            expect(page.locator("#status")).to_contain_text(
                "Skenario dimuat: Laporan terlambat", timeout=WAIT_MS * 2
            )
            bot_says(siti, "Nomor laporan:")
            bot_says(coordinator, "🚨 Laporan lewat tenggat")
            shots = tmp_path / "trainer"
            shots.mkdir()
            coordinator.screenshot(path=shots / "pane-koordinator-terlambat.png")

            before = page.locator("#clock").inner_text()
            page.locator("#advance-one").click()
            expect(page.locator("#status")).to_contain_text("Jam dimajukan ke", timeout=WAIT_MS)
            expect(page.locator("#status")).to_contain_text("ringkasan pagi")
            assert page.locator("#clock").inner_text() != before
            expect(page.locator("#clock")).to_contain_text("08.00 WITA")

            page.locator("#reset").click()
            expect(page.locator("#status")).to_contain_text("Sandbox sudah kosong", timeout=WAIT_MS)
            expect(siti.get_by_role("button", name="MULAI")).to_be_visible()
            expect(coordinator.locator(".msg", has_text="perlu perhatian atasan")).to_have_count(0)
            bot_says(coordinator, "terdaftar untuk Diskominfo")
            page.screenshot(path=shots / "page-after-reset.png")
        finally:
            browser.close()
    keep(list(shots.iterdir()))


def test_on_a_training_laptop_every_chat_fits_and_shows_its_newest_message_and_time(
    sandbox_url: str, tmp_path: Path
) -> None:
    shots = tmp_path / "laptop"
    shots.mkdir()
    with sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            page = open_page(browser, sandbox_url, LAPTOP)
            texts = page.evaluate("() => fetch('/api/state?lang=id').then((r) => r.json())")
            assert_no_sideways_scroll(page)
            for key in PANES:
                assert_chat_usable(page, page.locator(f'section[data-pane="{key}"]'), key)
            # Chats are named by their people and units; every other label is a page text.
            names = {pane["title"] for pane in texts["panes"]}
            for label in page_labels(page):
                allowed = label in texts["texts"].values() or label in names
                assert allowed, f"{label!r} is not a text of the page"

            page.locator("#scenario").select_option("jalan")
            page.locator("#load-scenario").click()
            expect(page.locator("#status")).to_contain_text("Skenario dimuat", timeout=WAIT_MS * 2)
            bot_says(page.locator('section[data-pane="opd"]'), "📋 Laporan")
            assert_newest_shown(page, PANES)
            clock = page.locator("#clock").inner_text()
            assert CLOCK.match(clock), clock
            for key in ("siti", "opd", "koordinator"):
                assert_times_and_days(page.locator(f'section[data-pane="{key}"]'), clock)
            page.screenshot(path=shots / "laptop-1366-scenario.png")

            read_back_in_every_chat(page)
            page.locator("#advance-one").click()
            expect(page.locator("#status")).to_contain_text("Jam dimajukan ke", timeout=WAIT_MS)
            moved = page.locator("#clock").inner_text()
            assert moved.endswith("08.00 WITA"), moved
            coordinator = page.locator('section[data-pane="koordinator"]')
            bot_says(coordinator, "Ringkasan pagi")
            assert_newest_shown(page, PANES)
            assert_times_and_days(coordinator, moved)
            assert coordinator.locator(".day").count() >= 2  # the day it started, and today
            assert_no_sideways_scroll(page)
            page.screenshot(path=shots / "laptop-1366-next-day.png")

            # Another scenario, loaded while the chats were read back: each shows its newest.
            read_back_in_every_chat(page)
            page.locator("#scenario").select_option("anonim")
            page.locator("#load-scenario").click()
            expect(page.locator("#status")).to_contain_text(
                "Skenario dimuat: Laporan anonim", timeout=WAIT_MS * 2
            )
            bot_says(page.locator('section[data-pane="desa"]'), "📋 Laporan")
            assert_newest_shown(page, PANES)

            # A refusal of the sandbox's API reads in the page's language.
            page.locator("#advance-days").fill("99")
            page.locator("#advance-many").click()
            expect(page.locator("#status")).to_have_text(
                "Gagal: Jam hanya bisa dimajukan 1 sampai 60 hari kerja."
            )
        finally:
            browser.close()
    keep(list(shots.iterdir()))


def test_on_a_phone_one_chat_at_a_time_from_the_chat_list(sandbox_url: str, tmp_path: Path) -> None:
    shots = tmp_path / "phone"
    shots.mkdir()
    with sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            page = open_page(browser, sandbox_url + "?lang=en", PHONE)
            screen = viewport_box(page)
            bar = box_of(page.locator(".topbar"))
            assert bar["height"] <= 0.12 * screen["height"], f"the top bar is {bar['height']} px"
            assert_no_sideways_scroll(page)
            tabs = page.locator("#tabs button")
            expect(tabs).to_have_count(len(PANES))
            for index, key in enumerate(PANES):
                tabs.nth(index).click()
                pane = page.locator(f'section[data-pane="{key}"]')
                expect(pane).to_be_visible()
                others = [k for k in PANES if k != key]
                for other in others:
                    expect(page.locator(f'section[data-pane="{other}"]')).to_be_hidden()
                assert_chat_usable(page, pane, key)
                assert_no_sideways_scroll(page)

            # Siti sends a sample photo from the picker, on the phone.
            tabs.nth(0).click()
            siti = page.locator('section[data-pane="siti"]')
            siti.get_by_role("button", name="START").click()
            bot_says(siti, "Do you agree?")  # the chats speak the page's language
            siti.locator(".samples-toggle").click()
            siti.locator(".samples button").first.click()
            expect(siti.locator(".msg.out img")).to_be_visible(timeout=WAIT_MS)
            assert_newest_shown(page, ("siti",))
            page.screenshot(path=shots / "phone-390-siti.png")

            # The trainer's controls are one tap away; a refusal reads in English here.
            page.locator("#more").click()
            assert box_of(page.locator("#advance-one"))["y"] < 40, "the menu pushed the bar down"
            page.screenshot(path=shots / "phone-390-menu.png")
            page.locator("#advance-days").fill("0")
            page.locator("#advance-many").click()
            expect(page.locator("#status")).to_contain_text(
                "The clock can be moved by 1 to 60 working days."
            )
            page.locator("#scenario").select_option("jalan")
            page.locator("#load-scenario").click()
            expect(page.locator("#status")).to_contain_text("Scenario loaded", timeout=WAIT_MS * 2)
            expect(page.locator("#controls")).to_be_hidden()  # the menu closed itself
            bar = box_of(page.locator(".topbar"))
            assert bar["height"] <= 0.12 * screen["height"], f"the top bar is {bar['height']} px"
            tabs.nth(PANES.index("opd")).click()
            bot_says(page.locator('section[data-pane="opd"]'), "📋 Report")
            assert_newest_shown(page, ("opd",))
            assert_no_sideways_scroll(page)
            page.screenshot(path=shots / "phone-390-opd.png")
        finally:
            browser.close()
    keep(list(shots.iterdir()))


def test_wait_for_js_fails_when_the_page_never_makes_it_true(sandbox_url: str) -> None:
    with sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            page = open_page(browser, sandbox_url, LAPTOP)
            wait_for_js(page, "(n) => n === 2", 2, timeout=0.5)
            with pytest.raises(AssertionError, match=r"not true within 0\.5 s"):
                wait_for_js(page, "(n) => n === 2", 3, timeout=0.5)
        finally:
            browser.close()
