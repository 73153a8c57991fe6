"""Changing a report's category and a bulk assignment from the console in a real browser
(Debian's Chromium through Playwright), in the sandbox, whose bot takes the console's requests.

Two more reports about rubbish at Desa Sepaso are filed into the sandbox's database, and Pak Kades
is known as someone of the desa's group. The coordinator opens the first, changes its category to
"Jalan & Jembatan" (the timeline says "Sampah & Lingkungan → Jalan & Jembatan"), then on the list
selects every report of the page and assigns them to Pak Kades: the scenario's road report (Dinas
PUPR's) is refused with why, the desa's two are done. Screenshots at 1366×768 and 390×844 go to
``/work/shots/category`` (``CATEGORY_SHOTS`` elsewhere) for a person to look at.
"""

from __future__ import annotations

import asyncio
import os
import re
from datetime import UTC, datetime
from pathlib import Path

from playwright.sync_api import Page, expect, sync_playwright
from sqlalchemy import select

from storage.db import create_engine, session_factory
from storage.models import Unit, UnitChat, UnitMember
from tests.browser.test_console_browser import (
    Running,
    _post,
    sandbox,  # noqa: F401 (the fixture)
)
from tests.browser.test_console_bulk_browser import _file, _no_sideways
from tests.browser.test_sandbox_browser import CHROMIUM, CHROMIUM_ARGS

SHOTS = Path(os.environ.get("CATEGORY_SHOTS", "/work/shots/category"))
BOT_MS = 30_000
KADES = "2002"  # the sandbox's Pak Kades Sepaso, a member of the desa's group


def _shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


async def _know_kades(running: Running) -> None:
    """Pak Kades acted in the desa's group (the bot remembers him there)."""
    engine = create_engine(f"sqlite+aiosqlite:///{running.workdir / 'data' / 'sandbox.db'}")
    try:
        async with session_factory(engine)() as session:
            desa = await session.scalar(select(Unit).where(Unit.code == "desa-64-08-09-2001"))
            assert desa is not None
            channel = await session.scalar(
                select(UnitChat.channel).where(UnitChat.unit_id == desa.id)
            )
            known = await session.scalar(
                select(UnitMember.id).where(
                    UnitMember.unit_id == desa.id, UnitMember.user_id == KADES
                )
            )
            if known is None:
                session.add(
                    UnitMember(
                        unit_id=desa.id,
                        channel=channel or "telegram",
                        user_id=KADES,
                        name="Pak Kades Sepaso",
                        seen_at=datetime.now(UTC),
                    )
                )
            await session.commit()
    finally:
        await engine.dispose()


def test_change_a_category_then_assign_many(sandbox: Running) -> None:  # noqa: F811
    assert CHROMIUM.exists(), "Debian's chromium is needed (apt-get install chromium)"
    _post(sandbox.page_url + "api/scenarios/jalan")
    numbers = asyncio.run(_file(sandbox, 2))
    asyncio.run(_know_kades(sandbox))
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_context(viewport={"width": 1366, "height": 768}).new_page()
            refusals: list[str] = []
            page.on(
                "console",
                lambda m: refusals.append(m.text) if "Content Security Policy" in m.text else None,
            )
            page.goto(sandbox.page_url + "konsol")
            expect(page.locator("h1")).to_contain_text("Ringkasan", timeout=BOT_MS)

            # Change the first report's category.
            page.goto(f"{sandbox.console_url}/laporan/{numbers[0]}")
            form = page.locator("form.action").filter(has=page.locator("select[name=kategori]"))
            form.locator("select[name=kategori]").select_option("jalan")
            _shot(page, "1-category-form-1366")
            form.get_by_role("button", name="Ubah kategori").click()
            main = page.locator("main")
            expect(main).to_contain_text("Kategori laporan sudah diubah", timeout=BOT_MS)
            expect(main).to_contain_text("Sampah & Lingkungan → Jalan & Jembatan")
            expect(main).to_contain_text("Jalan & Jembatan")
            _shot(page, "2-category-changed-1366")
            page.set_viewport_size({"width": 390, "height": 844})
            _no_sideways(page, "the report page on a phone")
            _shot(page, "3-category-changed-390")
            page.set_viewport_size({"width": 1366, "height": 768})

            # Select every report of the list, then assign them to Pak Kades together.
            page.goto(f"{sandbox.console_url}/laporan")
            page.get_by_role("link", name="Pilih semua di halaman ini").click()
            boxes = page.locator("input[name=pilih]")
            # The click navigates: wait for the new page's boxes, not the old page's.
            expect(page).to_have_url(re.compile(r"pilih=semua"))
            expect(boxes).to_have_count(3)
            assert boxes.count() == 3  # the scenario's road report and the two filed here
            bulk = page.locator("form.bulk")
            bulk.locator("select[name=aksi]").select_option("as")
            bulk.locator("select[name=petugas]").select_option(KADES)
            _no_sideways(page, "the list with its selection")
            _shot(page, "4-bulk-assign-1366")
            page.set_viewport_size({"width": 390, "height": 844})
            _no_sideways(page, "the list with its selection on a phone")
            _shot(page, "5-bulk-assign-390")
            page.set_viewport_size({"width": 1366, "height": 768})
            bulk.get_by_role("button", name="Jalankan").click()
            expect(page).to_have_url(re.compile(r"/laporan/massal/\d+$"))
            expect(main).to_contain_text(
                "2 dari 3 laporan sudah diproses; 1 ditolak.", timeout=BOT_MS
            )
            refused = page.locator("table tbody tr")
            expect(refused).to_have_count(1)
            expect(refused).to_contain_text("bukan anggota grup unit")
            _shot(page, "6-bulk-result-1366")

            page.goto(f"{sandbox.console_url}/laporan?ditangani={KADES}")
            for number in numbers:
                expect(page.locator("main")).to_contain_text(number)
            assert refusals == []
        finally:
            browser.close()
