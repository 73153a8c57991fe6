"""The console's reporting views in Debian's Chromium: the overview with the period before, the
monthly summary on screen and printed to PDF (one A4 page), a report's printout, the SP4N-LAPOR!
ZIP downloaded from the list's button; at 1366×768 and 390×844, nothing blocked by the
Content-Security-Policy and nothing scrolling sideways.
Screenshots go to ``/work/shots/reports`` (``REPORT_SHOTS`` to change) for a person to look at."""

from __future__ import annotations

import asyncio
import os
import re
import zipfile
from pathlib import Path

from playwright.async_api import Page, async_playwright

from core.permissions import CaseAction
from tests.browser.test_sandbox_browser import CHROMIUM, CHROMIUM_ARGS
from tests.integration.test_console import Filed, World, wita
from tests.integration.test_console_reporting import with_photos

SHOTS = Path(os.environ.get("REPORT_SHOTS", "/work/shots/reports"))
SIZES = {"laptop-1366": (1366, 768), "phone-390": (390, 844)}
#: More reports in March, in as many categories as the summary names, some of them late.
MORE = ("air", "listrik", "banjir", "kesehatan", "pendidikan", "bansos", "desa")


def pdf_pages(data: bytes) -> int:
    """The pages of a PDF Chromium wrote (each page object says ``/Type /Page``)."""
    return len(re.findall(rb"/Type\s*/Page(?![s\w])", data))


def test_pdf_pages_counts_the_page_objects_and_nothing_else() -> None:
    one = b"<< /Type /Pages /Count 1 >> << /Type /Page /Parent 1 0 R >>"
    assert pdf_pages(one) == 1
    assert pdf_pages(one + b"<< /Type /Page >>") == 2
    assert pdf_pages(b"<< /Type /Pages /Count 0 >>") == 0


async def _fits(page: Page, what: str) -> None:
    widths = await page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    wide = await page.evaluate(
        "[...document.querySelectorAll('body *')].filter(e => e.getBoundingClientRect().right"
        " > window.innerWidth + 1).slice(0, 5).map(e => e.tagName + '.' + e.className)"
    )
    assert widths[0] <= widths[1], f"{what} scrolls sideways: {widths} {wide}"


async def test_the_reporting_views_read_and_print_in_chromium(
    world: World, filed: Filed, tmp_path: Path
) -> None:
    await with_photos(world, filed)
    for category in MORE:
        report_id, _ = await world.file(category=category, user="50")
        if category == "air":
            await world.act(report_id, CaseAction.VERIFY, wita(3, 9, 11))
    world.clock.set(wita(3, 12, 10))
    coordinator = await world.client("diskominfo")
    base = str(coordinator.make_url("/"))
    cookies = [
        {"name": morsel.key, "value": morsel.value, "url": base}
        for morsel in coordinator.session.cookie_jar
    ]
    await asyncio.to_thread(SHOTS.mkdir, parents=True, exist_ok=True)
    try:
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(
                executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
            )
            blocked: list[str] = []
            for name, (width, height) in SIZES.items():
                context = await browser.new_context(viewport={"width": width, "height": height})
                await context.add_cookies(cookies)  # type: ignore[arg-type]
                page = await context.new_page()
                page.on(
                    "console",
                    lambda m: blocked.append(m.text) if "Content Security" in m.text else None,
                )
                await page.goto(base + "?dari=2026-03-01&sampai=2026-03-31")
                card = page.locator(".card").first
                assert "Laporan masuk" in await card.inner_text()
                assert "Sebelumnya 0 · ▲ naik 10" in await card.inner_text()
                late = page.locator(".card", has_text="Terlambat sekarang")
                assert await late.locator(".change.bad").is_visible()
                await _fits(page, f"the overview at {width} px")
                await page.screenshot(path=str(SHOTS / f"{name}-overview.png"), full_page=True)

                await page.goto(base + "ringkasan?bulan=2026-03")
                assert await page.locator("svg.chart rect").count() >= 8
                await _fits(page, f"the monthly summary at {width} px")
                await page.screenshot(path=str(SHOTS / f"{name}-summary.png"), full_page=True)

                await page.goto(base + "silang?dari=2026-03-01&sampai=2026-03-31")
                await _fits(page, f"the category tables at {width} px")
                await page.screenshot(path=str(SHOTS / f"{name}-categories.png"), full_page=True)
                await page.goto(base + "laporan?dari=2026-03-01&sampai=2026-03-31")
                await page.screenshot(path=str(SHOTS / f"{name}-list-exports.png"), full_page=True)
                await page.goto(base + "petugas?dari=2026-03-01&sampai=2026-03-31")
                await page.screenshot(path=str(SHOTS / f"{name}-officers.png"), full_page=True)
                await context.close()
            assert blocked == []

            page = await browser.new_page()
            await page.context.add_cookies(cookies)  # type: ignore[arg-type]
            await page.goto(base + "laporan?dari=2026-03-01&sampai=2026-03-31")
            async with page.expect_download() as info:
                await page.get_by_role("button", name="SP4N-LAPOR! dengan foto (ZIP)").click()
            download = await info.value
            assert download.suggested_filename == "sp4n-lapor-2026-03-01-2026-03-31.zip"
            saved = tmp_path / download.suggested_filename
            await download.save_as(saved)
            with zipfile.ZipFile(saved) as archive:
                names = archive.namelist()
            assert f"foto/{filed.anonymous}-1.jpg" in names
            assert "sp4n-lapor-2026-03-01-2026-03-31.xlsx" in names

            await page.goto(base + "ringkasan?bulan=2026-03")
            await page.emulate_media(media="print")
            assert not await page.locator("header").is_visible()
            assert not await page.locator("form").first.is_visible()
            await page.screenshot(path=str(SHOTS / "print-summary.png"), full_page=True)
            summary = await page.pdf(format="A4", print_background=True)
            (SHOTS / "ringkasan-2026-03.pdf").write_bytes(summary)
            assert pdf_pages(summary) == 1, "the monthly summary does not fit one A4 page"

            await page.goto(base + f"laporan/{filed.done}")
            assert not await page.locator("form.action").first.is_visible()
            assert not await page.get_by_role("heading", name="Tindakan").is_visible()
            printed = await page.pdf(format="A4")
            (SHOTS / "laporan.pdf").write_bytes(printed)
            assert pdf_pages(printed) == 1
            await page.screenshot(path=str(SHOTS / "print-report.png"), full_page=True)
            await browser.close()
    finally:
        await coordinator.close()
