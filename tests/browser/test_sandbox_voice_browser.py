"""The sandbox's sample voice note in Chromium on a 390×844 phone (issue 28): Siti sends it from
the sample picker at the evidence step; her chat plays it (a real OGG/Opus file the browser
decodes: three seconds), and Dinas PUPR's demo group shows the clip above the card whose line
counts it; Wati's WhatsApp chat sends and plays it as well. Screenshots go to
``/tmp/sandbox-shots``."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Locator, expect, sync_playwright

from tests.browser.test_sandbox_browser import (
    PANES,
    PHONE,
    WAIT_MS,
    assert_inside,
    assert_no_sideways_scroll,
    bot_says,
    box_of,
    keep,
    key,
    launch,
    open_page,
    sandbox_url,
    tap,
    viewport_box,
    write,
)

__all__ = ["sandbox_url"]  # the fixture

ROAD = "Jalan di depan SD Sepaso berlubang dalam, sepeda motor sering jatuh saat hujan."
#: The length of the newest voice player's file as the browser decodes it (Web Audio), in
#: seconds: what the pane's player plays.
DECODED_SECONDS = """async (key) => {
    const players = document.querySelectorAll(`section[data-pane="${key}"] .clip audio`);
    const response = await fetch(players[players.length - 1].src);
    const context = new OfflineAudioContext(1, 48000, 48000);
    const sound = await context.decodeAudioData(await response.arrayBuffer());
    return [response.headers.get("content-type"), Math.round(sound.duration * 10) / 10];
}"""


def plays_three_seconds(pane: Locator, key_name: str) -> None:
    assert pane.page.evaluate(DECODED_SECONDS, key_name) == ["audio/ogg", 3.0]


def test_siti_sends_the_sample_voice_note_and_the_group_plays_it(
    sandbox_url: str, tmp_path: Path
) -> None:
    shots = tmp_path / "voice"
    shots.mkdir()
    with sync_playwright() as playwright:
        browser = launch(playwright)
        try:
            page = open_page(browser, sandbox_url, PHONE)
            screen = viewport_box(page)
            tabs = page.locator("#tabs button")
            siti = page.locator('section[data-pane="siti"]')
            siti.get_by_role("button", name="MULAI").click()
            tap(siti, "✅ Saya setuju", "Silakan pilih menu di bawah.")
            key(siti, "📝 Laporan baru", "Apa jenis laporan Anda?")
            tap(siti, "Pengaduan", "Pilih kategori")
            tap(siti, "Jalan & Jembatan", "Di kecamatan mana")
            tap(siti, "Bengalon", "Di desa/kelurahan mana")
            tap(siti, "Sepaso", "Tulis detail alamat")
            tap(siti, "Lewati ➡️", "Kirim titik lokasi")
            key(siti, "Lewati lokasi ➡️", "Ceritakan masalahnya")
            write(siti, ROAD, "Kirim foto bukti")

            # The picker offers the voice note after the photos, on the phone's screen.
            siti.locator(".samples-toggle").click()
            voice = siti.get_by_role("button", name="Rekaman suara (3 detik)")
            assert_inside(box_of(voice), screen, "the voice note's button")
            voice.click()
            bot_says(siti, "Rekaman suara diterima")
            bot_says(siti, "📎 Lampiran diterima: 1/5.")
            mine = siti.locator(".msg.out .clip audio").last
            expect(mine).to_be_visible(timeout=WAIT_MS)
            expect(siti.locator(".msg.out .clip-label").last).to_have_text("🎙️ Rekaman suara")
            plays_three_seconds(siti, "siti")  # a real file the browser decodes
            assert_inside(box_of(mine), screen, "Siti's voice note")
            assert_no_sideways_scroll(page)
            page.screenshot(path=shots / "phone-390-siti-voice.png")

            tap(siti, "✅ Selesai (1 lampiran)", "Pilih kerahasiaan")
            tap(siti, "Biasa", "Periksa laporan Anda")
            tap(siti, "📨 Kirim laporan", "Nomor laporan:")

            # Dinas PUPR's group: the clip, then the card counting it.
            tabs.nth(PANES.index("opd")).click()
            opd = page.locator('section[data-pane="opd"]')
            card = bot_says(opd, "Rekaman bukti: 1 suara")
            clip = opd.locator(".msg.bot .clip audio").last
            expect(clip).to_be_visible(timeout=WAIT_MS)
            plays_three_seconds(opd, "opd")
            assert box_of(clip)["y"] < box_of(card)["y"], "the clip comes above its card"
            assert_inside(box_of(clip), box_of(opd), "the group's voice note")
            assert_no_sideways_scroll(page)
            page.screenshot(path=shots / "phone-390-opd-voice.png")

            # Wati sends the same voice note on WhatsApp; her chat plays it too.
            tabs.nth(PANES.index("wati")).click()
            wati = page.locator('section[data-pane="wati"]')
            wati.get_by_role("button", name="Kirim pesan").click()
            bot_says(wati, "Apakah Anda setuju?")
            wati.locator(".samples-toggle").click()
            wati.get_by_role("button", name="Rekaman suara (3 detik)").click()
            theirs = wati.locator(".msg.wa.out .clip audio").last
            expect(theirs).to_be_visible(timeout=WAIT_MS)
            plays_three_seconds(wati, "wati")
            assert_inside(box_of(theirs), screen, "Wati's voice note")
            assert_no_sideways_scroll(page)
            page.screenshot(path=shots / "phone-390-wati-voice.png")
        finally:
            browser.close()
    keep(list(shots.iterdir()))
