"""Peta in a real browser (Debian's Chromium through Playwright), with ``MAP_TILE_URL`` empty as
in a training room: the map shows a pin (or a cluster counting them) for every located report
of the list, the list's filters carry over both ways, a pin's popup opens its report, a report's
page shows its point on a small map, nothing is refused by the Content-Security-Policy and no
request leaves the console. Screenshots at 1366×768 and 390×844 go to ``/work/shots/map/``
(``MAP_SHOTS=DIR`` elsewhere) for a person to look at."""

from __future__ import annotations

import os
import re
from dataclasses import replace
from pathlib import Path

from playwright.async_api import Page, async_playwright, expect

from tests.browser.test_sandbox_browser import CHROMIUM, CHROMIUM_ARGS
from tests.integration.test_console import SECRET_NAME, World, wita
from tests.integration.test_console_map import _place

SHOTS = Path(os.environ.get("MAP_SHOTS", "/work/shots/map"))
MARCH = "dari=2026-03-01&sampai=2026-03-31"
#: Four reports within about 150 m of each other at Sepaso, and a road 30 km away.
SEPASO = ((0.7512, 117.5321), (0.7519, 117.5330), (0.7505, 117.5315), (0.7524, 117.5309))
ROAD = (0.5003, 117.6104)


async def _shot(page: Page, name: str) -> None:
    """A whole page's picture (Playwright makes the folder)."""
    await page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


async def _pins_on_map(page: Page) -> int:
    """The reports the map draws: single pins plus the number each cluster says it holds."""
    await expect(page.locator("#map.loaded")).to_have_count(1, timeout=15_000)
    counted: int = await page.evaluate(
        """() => [...document.querySelectorAll('#map .marker-cluster > div > span')]
            .map(s => parseInt(s.textContent, 10)).reduce((a, b) => a + b, 0)
          + document.querySelectorAll('#map .leaflet-marker-icon.pin').length"""
    )
    return counted


async def test_the_map_shows_the_lists_reports_offline_and_a_pin_opens_its_report(
    world: World,
) -> None:
    assert CHROMIUM.exists(), "Debian's chromium is needed (apt-get install chromium)"
    numbers = []
    for index, (lat, lon) in enumerate(SEPASO):
        privacy = "anonim" if index == 0 else "biasa"
        name = SECRET_NAME if index == 0 else "Siti"
        report_id, number = await world.file(
            category="sampah", privacy=privacy, name=name, user=str(50 + index)
        )
        await _place(world, report_id, lat, lon)
        numbers.append(number)
    road_id, road = await world.file(category="jalan", user="60")
    await _place(world, road_id, *ROAD)
    await world.file(category="sampah", user="61")  # no GPS point: in the list, not on the map
    world.clock.set(wita(3, 9, 10))
    world.config = replace(world.config, map_tiles="", map_attribution="")
    coordinator = await world.client("diskominfo")
    base = str(coordinator.make_url("/")).rstrip("/")
    cookies = [
        {"name": morsel.key, "value": morsel.value, "url": base + "/"}
        for morsel in coordinator.session.cookie_jar
    ]
    try:
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(
                executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
            )
            context = await browser.new_context(viewport={"width": 1366, "height": 768})
            await context.add_cookies(cookies)  # type: ignore[arg-type]
            page = await context.new_page()
            requested: list[str] = []
            problems: list[str] = []
            page.on("request", lambda r: requested.append(r.url))
            page.on("pageerror", lambda e: problems.append(str(e)))
            page.on(
                "console",
                lambda m: (
                    problems.append(m.text)
                    if m.type == "error" and not m.text.startswith("Failed to load resource")
                    else None
                ),
            )
            page.on(  # the browser's own favicon.ico is a 404 of no matter
                "response",
                lambda r: (
                    problems.append(f"{r.status} {r.url}")
                    if r.status >= 400 and not r.url.endswith("/favicon.ico")
                    else None
                ),
            )

            await page.goto(f"{base}/laporan?{MARCH}")
            listed = await page.locator("table tbody tr").count()
            assert listed == 6
            await page.get_by_role("link", name="Lihat daftar ini di peta").click()
            await expect(page).to_have_url(re.compile(r"/peta\?dari=2026-03-01&sampai=2026-03-31"))
            assert await _pins_on_map(page) == 5  # the list's six, less the one without a point
            count = page.locator("#map-count")
            await expect(count).to_contain_text("Di peta: 5 laporan (yang punya titik GPS).")
            await expect(count).to_contain_text("Di daftar: 6 laporan.")
            assert await page.locator("#map .marker-cluster").count() >= 1  # Sepaso's four
            await expect(page.locator(".leaflet-control-scale")).to_be_visible()
            legend = page.locator("ul.legend")
            for word in ("Baru", "Diproses", "Selesai", "Diarsipkan"):
                await expect(legend).to_contain_text(word)
            await _shot(page, "map-1366")
            await page.set_viewport_size({"width": 390, "height": 844})
            widths = await page.evaluate(
                "[document.documentElement.scrollWidth, window.innerWidth]"
            )
            assert widths[0] <= widths[1], f"the map page scrolls sideways: {widths}"
            await _shot(page, "map-390")
            await page.set_viewport_size({"width": 1366, "height": 768})

            # A cluster opens into its pins; a pin's popup names no reporter.
            await page.locator("#map .marker-cluster").first.click()  # zooms in to Sepaso
            await expect(page.locator("#map .leaflet-marker-icon.pin")).to_have_count(4)
            await page.locator(f'#map .leaflet-marker-icon[title="{numbers[0]}"]').click()
            popup = page.locator(".leaflet-popup-content")
            await expect(popup).to_contain_text(numbers[0])
            await expect(popup).to_contain_text("Sampah")
            await expect(popup).not_to_contain_text(SECRET_NAME)
            await expect(page.locator(".leaflet-popup")).to_have_css("opacity", "1")  # faded in
            await _shot(page, "map-1366-popup")

            # The list's filters carry over to the map and back.
            await page.goto(f"{base}/laporan?{MARCH}&kategori=jalan")
            assert await page.locator("table tbody tr").count() == 1
            await page.get_by_role("link", name="Lihat daftar ini di peta").click()
            await expect(page).to_have_url(re.compile(r"kategori=jalan"))
            assert await _pins_on_map(page) == 1
            await expect(page.locator("select[name=kategori]")).to_have_value("jalan")
            await page.locator(f'#map .leaflet-marker-icon[title="{road}"]').click()
            popup = page.locator(".leaflet-popup-content")
            await expect(popup).to_contain_text("Jalan & Jembatan")
            await expect(popup).to_contain_text("Baru")
            await popup.get_by_role("link", name="Buka laporan").click()
            await expect(page).to_have_url(re.compile(f"/laporan/{road}$"))
            await expect(page.locator("h1")).to_contain_text(road)

            # The report's own point, on a small map from the same files.
            await expect(page.locator("#map.small.loaded")).to_have_count(1, timeout=15_000)
            await expect(page.locator("#map .leaflet-marker-icon.pin-baru")).to_have_count(1)
            await _shot(page, "report-1366")
            await page.set_viewport_size({"width": 390, "height": 844})
            widths = await page.evaluate(
                "[document.documentElement.scrollWidth, window.innerWidth]"
            )
            assert widths[0] <= widths[1], f"the report page scrolls sideways: {widths}"
            await _shot(page, "report-390")
            await page.go_back()
            await page.get_by_role("link", name=re.compile("Kembali ke daftar")).click()
            await expect(page).to_have_url(re.compile(r"/laporan\?kategori=jalan"))

            await browser.close()
    finally:
        await coordinator.close()
    assert problems == []
    outside = [url for url in requested if not url.startswith(base + "/")]
    assert outside == [], outside  # no tile, font or script from anywhere else
    assert any(url.startswith(f"{base}/peta/titik?") for url in requested)
