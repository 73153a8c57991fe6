"""The public page in Debian's Chromium at a phone's 390 px: no sideways scroll, nothing asked
of another host, no script error; the search box leads to a report's page. Screenshots go to
``/work/shots/public/`` (``PUBLIC_SHOTS``)."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

from playwright.async_api import async_playwright, expect

from core.permissions import CaseAction
from tests.browser.test_sandbox_browser import CHROMIUM, CHROMIUM_ARGS
from tests.integration.test_console import World, wita
from tests.integration.test_console_map import _place

SHOTS = Path(os.environ.get("PUBLIC_SHOTS", "/work/shots/public"))


async def test_the_public_page_fits_a_phone_and_finds_a_report(world: World) -> None:
    assert CHROMIUM.exists(), "Debian's chromium is needed (apt-get install chromium)"
    done_id, number = await world.file(category="sampah", description="Sampah di parit RT 3")
    await world.file(category="sampah", user="43")
    await world.file(category="jalan", user="44")
    await world.act(done_id, CaseAction.VERIFY, wita(3, 4))
    world.clock.set(wita(4, 6, 10))
    await _place(world, done_id, 0.7512, 117.5321)
    world.config = replace(world.config, public_min_reports=2, map_tiles="", map_attribution="")
    client = await world.client()  # nobody signed in
    base = str(client.make_url("/")).rstrip("/")
    try:
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(
                executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
            )
            context = await browser.new_context(viewport={"width": 390, "height": 844})
            page = await context.new_page()
            requested: list[str] = []
            problems: list[str] = []
            page.on("request", lambda r: requested.append(r.url))
            page.on("pageerror", lambda e: problems.append(str(e)))
            await page.goto(f"{base}/publik")
            await expect(page.locator("table.public-units").first).to_contain_text("Desa Sepaso")
            widths = await page.evaluate(
                "[document.documentElement.scrollWidth, window.innerWidth]"
            )
            assert widths[0] <= widths[1], f"the public page scrolls sideways: {widths}"
            await page.screenshot(path=str(SHOTS / "publik-390.png"), full_page=True)
            await page.goto(f"{base}/publik/wilayah/64.08.09")
            await expect(page.locator("#map.loaded")).to_have_count(1, timeout=15_000)
            widths = await page.evaluate(
                "[document.documentElement.scrollWidth, window.innerWidth]"
            )
            assert widths[0] <= widths[1], f"the area page scrolls sideways: {widths}"
            await page.screenshot(path=str(SHOTS / "wilayah-390.png"), full_page=True)
            await page.goto(f"{base}/publik")
            await page.fill("input[name=nomor]", number.lower())
            await page.click("form.public-find button")
            await expect(page.locator("h1")).to_contain_text(number)
            await expect(page.locator("main")).to_contain_text("Sampah di parit RT 3")
            widths = await page.evaluate(
                "[document.documentElement.scrollWidth, window.innerWidth]"
            )
            assert widths[0] <= widths[1], f"the report's page scrolls sideways: {widths}"
            await page.screenshot(path=str(SHOTS / "laporan-390.png"), full_page=True)
            await browser.close()
    finally:
        await client.close()
    assert problems == []
    assert all(url.startswith(base) for url in requested), requested
