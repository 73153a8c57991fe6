"""The public page in Debian's Chromium at a phone's 390 px: no sideways scroll, nothing asked
of another host, no script error; the search box leads to a report's page. Screenshots go to
``/work/shots/public/`` (``PUBLIC_SHOTS``)."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path

import pytest
from playwright.async_api import async_playwright, expect

from core.permissions import CaseAction
from core.public_key import report_key
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


#: Whether the page, or any box inside it, scrolls sideways: [what, its scroll width, its width].
SIDEWAYS = """() => {
  const found = [];
  const root = document.documentElement;
  if (root.scrollWidth > window.innerWidth)
    found.push(["page", root.scrollWidth, window.innerWidth]);
  for (const el of document.querySelectorAll("main *")) {
    const style = getComputedStyle(el);
    if (["auto", "scroll"].includes(style.overflowX) && el.scrollWidth > el.clientWidth + 1)
      found.push([el.tagName + "." + el.className, el.scrollWidth, el.clientWidth]);
  }
  return found;
}"""


@pytest.mark.parametrize("width", [390, 1366])
async def test_no_public_page_scrolls_sideways_on_a_phone_or_a_desk(
    world: World, width: int
) -> None:
    """Every /publik page (units, areas, a kecamatan, a report, a hidden number, the reporter's
    own link) at a phone's 390 px and a desk's 1366 px: neither the page nor a table in it
    scrolls sideways, and nothing is asked of another host."""
    assert CHROMIUM.exists(), "Debian's chromium is needed (apt-get install chromium)"
    done_id, number = await world.file(category="sampah", description="Sampah di parit RT 3")
    _, anon = await world.file(category="sampah", privacy="anonim", user="43")
    for user in ("44", "45"):
        await world.file(category="jalan", user=user)
    await world.act(done_id, CaseAction.VERIFY, wita(3, 4))
    world.clock.set(wita(4, 6, 10))
    world.config = replace(world.config, public_min_reports=2, map_tiles="", map_attribution="")
    key = report_key(world.config.public_key, anon)
    paths = {
        "units": "/publik",
        "areas": "/publik/wilayah",
        "kecamatan": "/publik/wilayah/64.08.09",
        "report": f"/publik/laporan/{number}",
        "hidden": f"/publik/laporan/{anon}",
        "own": f"/publik/laporan/{anon}/{key}",
        "units-en": "/publik?lang=en",
    }
    client = await world.client()
    base = str(client.make_url("/")).rstrip("/")
    found: dict[str, list[object]] = {}
    requested: list[str] = []
    try:
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(
                executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
            )
            context = await browser.new_context(viewport={"width": width, "height": 844})
            page = await context.new_page()
            page.on("request", lambda r: requested.append(r.url))
            for name, path in paths.items():
                await page.goto(f"{base}{path}")
                await expect(page.locator("main h1")).to_have_count(1)
                if "wilayah/" in path:
                    await expect(page.locator("#map.loaded")).to_have_count(1, timeout=15_000)
                wide = await page.evaluate(SIDEWAYS)
                if wide:
                    found[path] = wide
                shot = SHOTS / f"all-{name}-{width}.png"
                await page.screenshot(path=str(shot), full_page=True)
            await browser.close()
    finally:
        await client.close()
    assert found == {}, f"sideways at {width} px: {found}"
    assert all(url.startswith(base) for url in requested), requested
