"""Finding reports in the console's list in a real browser (Debian's Chromium, Playwright): the
coordinator searches "jalan rusak", narrows to a kecamatan typed with a typo ("bengalom"),
saves that as a view, opens it again from its link and deletes it; the list shows each
report's photo as a thumbnail. Screenshots at 1366×768 and 390×844 go to ``FIND_SHOTS``
(``/tmp/console-shots/find`` by default) for a person to look at."""

from __future__ import annotations

import io
import os
from pathlib import Path

from PIL import Image, ImageDraw
from playwright.async_api import Page, async_playwright, expect

from storage.models import ReportPhoto
from tests.browser.test_sandbox_browser import CHROMIUM, CHROMIUM_ARGS
from tests.integration.console_forms import sign_in
from tests.integration.test_console import World, store_report
from tests.integration.test_console_search import DATES, Found, found

__all__ = ["found"]  # the fixture

SHOTS = Path(os.environ.get("FIND_SHOTS", "/tmp/console-shots/find"))


def _photo(colour: tuple[int, int, int]) -> bytes:
    image = Image.new("RGB", (640, 480), colour)
    draw = ImageDraw.Draw(image)
    draw.rectangle((120, 300, 520, 420), fill=(90, 90, 90))
    draw.ellipse((260, 80, 380, 200), fill=(250, 220, 90))
    out = io.BytesIO()
    image.save(out, "JPEG")
    return out.getvalue()


async def _no_sideways(page: Page, what: str) -> None:
    widths = await page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"{what} scrolls sideways: {widths}"


async def _shot(page: Page, name: str) -> None:
    # Playwright makes the screenshot's folder.
    await page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


async def test_search_a_typed_area_and_a_saved_view_in_chromium(world: World, found: Found) -> None:
    assert CHROMIUM.exists(), "Debian's chromium is needed (apt-get install chromium)"
    folder = world.config.media_dir / "1"
    folder.mkdir(parents=True)
    async with world.db.sessions() as session:
        for n, (number, colour) in enumerate(
            ((found.road, (70, 130, 180)), (found.bridge, (60, 150, 80)))
        ):
            path = folder / f"{n}.jpg"
            path.write_bytes(_photo(colour))
            report = await store_report(session, number)
            session.add(
                ReportPhoto(
                    report_id=report,
                    position=0,
                    file_id=f"f{n}",
                    file_unique_id=f"u{n}",
                    stored_path=str(path),
                )
            )
        await session.commit()
    coordinator = await world.client()
    assert (await sign_in(coordinator, await world.login_token("diskominfo", name="Rina"))).status
    base = str(coordinator.make_url("/")).rstrip("/")
    cookies = [
        {"name": morsel.key, "value": morsel.value, "url": base}
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
            refusals: list[str] = []
            page.on(
                "console",
                lambda m: refusals.append(m.text) if "Content Security Policy" in m.text else None,
            )
            await page.goto(f"{base}/laporan?{DATES}")
            rows = page.locator("table tbody tr")
            await expect(rows).to_have_count(3)
            thumbs = page.locator("td.thumb img")
            await expect(thumbs).to_have_count(2)
            for index in range(2):
                await thumbs.nth(index).scroll_into_view_if_needed()
                # decode() waits for a lazy thumbnail to arrive and rejects when it is broken.
                loaded = await thumbs.nth(index).evaluate(
                    "i => i.decode().then(() => i.naturalWidth)"
                )
                assert loaded == 160
            await _shot(page, "laptop-1366-list-thumbnails")

            await page.get_by_label("Cari", exact=True).fill("jalan rusak")
            await page.get_by_label("Kecamatan/desa").fill("bengalom")
            await page.get_by_role("button", name="Tampilkan").click()
            await expect(rows).to_have_count(1)
            await expect(rows.first).to_contain_text(found.road)
            await expect(page.locator("p.taken")).to_contain_text("Kec. Bengalon")
            await _shot(page, "laptop-1366-search-area")

            await page.get_by_label("Simpan tampilan ini sebagai").fill("Jalan rusak di Bengalon")
            await page.get_by_role("button", name="Simpan", exact=True).click()
            views = page.locator("nav.views")
            await expect(views).to_contain_text("Jalan rusak di Bengalon")
            await page.goto(f"{base}/laporan?{DATES}")
            await expect(rows).to_have_count(3)
            await views.get_by_role("link", name="Jalan rusak di Bengalon").click()
            await expect(rows).to_have_count(1)
            await expect(page.get_by_label("Cari", exact=True)).to_have_value("jalan rusak")
            await expect(page.get_by_label("Kecamatan/desa")).to_have_value("bengalom")
            await _shot(page, "laptop-1366-saved-view")

            await page.goto(f"{base}/laporan?{DATES}")
            await page.set_viewport_size({"width": 390, "height": 844})
            await _no_sideways(page, "the list on a phone")
            await _shot(page, "phone-390-list-thumbnails")
            await page.set_viewport_size({"width": 1366, "height": 768})

            delete = views.get_by_role("button", name="Hapus tampilan: Jalan rusak di Bengalon")
            await delete.click()
            await expect(page.locator("nav.views")).to_have_count(0)
            await expect(rows).to_have_count(3)
            assert refusals == []
            await browser.close()
    finally:
        await coordinator.close()
