"""The sandbox page in a real browser: Debian's Chromium driven by Playwright.

``aduan sandbox`` runs as a subprocess, exactly as a trainer starts it; the test only clicks,
types and picks a file in the page. Screenshots of each pane are saved next to the test's files
and copied to ``/tmp/sandbox-shots`` for a person to look at.
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
from playwright.sync_api import Locator, Page, expect, sync_playwright

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
TRACKING = re.compile(r"Nomor laporan: ([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z])")
WAIT_MS = 15_000

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
            [sys.executable, "-m", "bot.cli", "sandbox", "--port", "0", "--data-dir", "data"],
            cwd=tmp_path,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 60
        while not (found := READY.search(log.read_text(errors="replace"))):
            assert process.poll() is None, log.read_text(errors="replace")
            assert time.monotonic() < deadline, "the sandbox did not print its URL in 60 s"
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


def shoot(page: Page, folder: Path) -> list[Path]:
    page.wait_for_function("Array.from(document.images).every((image) => image.complete)")
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
            page = browser.new_page(viewport={"width": 1680, "height": 1000})
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
            tap(desa, "✅ Verifikasi", "Status: Terdisposisi")
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
            bot_says(coordinator, "🚨 Eskalasi")
            shots = tmp_path / "trainer"
            shots.mkdir()
            coordinator.screenshot(path=shots / "pane-koordinator-terlambat.png")

            before = page.locator("#clock").inner_text()
            page.locator("#advance-one").click()
            expect(page.locator("#status")).to_contain_text("Jam dimajukan ke", timeout=WAIT_MS)
            expect(page.locator("#status")).to_contain_text("ringkasan pagi")
            assert page.locator("#clock").inner_text() != before
            expect(page.locator("#clock")).to_contain_text("08:00 WITA")

            page.locator("#reset").click()
            expect(page.locator("#status")).to_contain_text("Sandbox sudah kosong", timeout=WAIT_MS)
            expect(siti.get_by_role("button", name="MULAI")).to_be_visible()
            expect(coordinator.locator(".msg", has_text="Eskalasi")).to_have_count(0)
            bot_says(coordinator, "terdaftar untuk Diskominfo")
            page.screenshot(path=shots / "page-after-reset.png")
        finally:
            browser.close()
    keep(list(shots.iterdir()))
