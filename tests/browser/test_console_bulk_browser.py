"""Merging a duplicate and a bulk transfer from the console in a real browser (Debian's Chromium
through Playwright), in the sandbox, whose bot takes the console's requests.

Four more reports about rubbish at Desa Sepaso are filed into the sandbox's database as every
report is (``cases.filing``, beside the scenario's own). The coordinator opens the newest, merges
it into an older one picked among the laporan serupa, then on the list selects every report of
the page and transfers them to Dinas PUPR together: the merged one (archived) and the scenario's
road report (PUPR's already) are refused with why, the others are done. Screenshots of the
list with its selection at 1366×768 and 390×844 go to ``/work/shots/acts`` (``ACTS_SHOTS``
elsewhere) for a person to look at.
"""

from __future__ import annotations

import asyncio
import os
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

from playwright.sync_api import Page, expect, sync_playwright
from pydantic import SecretStr

from cases.filing import file_report
from handlers.notices import filing_for
from locales import Catalogs
from runtime.clock import ManualClock
from runtime.deps import handler_deps
from runtime.settings import Settings
from storage.db import create_engine, session_factory
from storage.models import Citizen, Report
from storage.uow import UnitOfWork
from tests.browser.test_console_browser import (
    Running,
    _post,
    sandbox,  # noqa: F401 (the fixture)
)
from tests.browser.test_sandbox_browser import CHROMIUM, CHROMIUM_ARGS

SHOTS = Path(os.environ.get("ACTS_SHOTS", "/work/shots/acts"))
BOT_MS = 30_000
SEPASO = "64.08.09.2001"


def _shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def _no_sideways(page: Page, what: str) -> None:
    widths = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"{what} scrolls sideways: {widths}"


async def _file(running: Running, count: int) -> list[str]:
    """``count`` reports about rubbish at Sepaso, a minute apart, each by its own citizen."""
    path = running.workdir / "data" / "sandbox.db"
    engine = create_engine(f"sqlite+aiosqlite:///{path}")
    sessions = session_factory(engine)
    settings = Settings(_env_file=None, bot_token=SecretStr("1:x"))
    start = datetime.now(UTC) - timedelta(minutes=count)
    numbers = []
    try:
        for i in range(count):
            now = start + timedelta(minutes=i)
            filing = filing_for(handler_deps(settings, "1:x", Catalogs("id"), ManualClock(now)))
            async with UnitOfWork(sessions) as uow:
                citizen = await uow.citizens.add(
                    Citizen(
                        channel="telegram",
                        user_id=str(7100 + i),
                        chat_id=str(7100 + i),
                        name=f"Warga {i}",
                        consent_at=now,
                        consent_version="1",
                        created_at=now,
                    )
                )
                report = Report(
                    tracking_no="",
                    citizen_id=citizen.id,
                    channel="telegram",
                    report_type="pengaduan",
                    category="sampah",
                    region_code=SEPASO,
                    description=f"Sampah menumpuk di depan balai desa ({i + 1})",
                    privacy="biasa",
                    created_at=now,
                    updated_at=now,
                )
                await file_report(uow, filing, now, report)
                await uow.commit()
                numbers.append(report.tracking_no)
    finally:
        await engine.dispose()
    return numbers


def test_merge_then_a_bulk_transfer_from_the_list(sandbox: Running) -> None:  # noqa: F811
    assert CHROMIUM.exists(), "Debian's chromium is needed (apt-get install chromium)"
    _post(sandbox.page_url + "api/scenarios/jalan")
    numbers = asyncio.run(_file(sandbox, 4))
    original, duplicate = numbers[0], numbers[-1]
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

            # Merge the newest into the oldest, picked among the similar reports.
            page.goto(f"{sandbox.console_url}/laporan/{duplicate}")
            merge = page.locator("form.merge")
            merge.locator("select[name=asli]").select_option(original)
            _shot(page, "1-merge-form")
            merge.get_by_role("button", name="🔗 Gabungkan sebagai duplikat").click()
            expect(page.locator("main")).to_contain_text(
                "Digabungkan sebagai duplikat", timeout=BOT_MS
            )
            expect(page.locator("main")).to_contain_text(f"duplikat: {original}")
            _shot(page, "2-merged")

            # The list: select every report of the page, then transfer them together.
            page.goto(f"{sandbox.console_url}/laporan")
            page.get_by_role("link", name="Pilih semua di halaman ini").click()
            boxes = page.locator("input[name=pilih]")
            # The click navigates: wait for the new page's boxes, not the old page's.
            expect(page).to_have_url(re.compile(r"pilih=semua"))
            expect(boxes).to_have_count(5)
            assert boxes.count() == 5  # the scenario's report and the four filed here
            for i in range(boxes.count()):
                expect(boxes.nth(i)).to_be_checked()
            bulk = page.locator("form.bulk")
            reason, words = bulk.locator("select[name=alasan]"), bulk.locator("input[name=teks]")
            # Only the chosen action's fields: an assignment has no reason or words.
            bulk.locator("select[name=aksi]").select_option("as")
            expect(reason).to_be_hidden()
            expect(words).to_be_hidden()
            expect(bulk.locator("select[name=unit]")).to_be_hidden()
            bulk.locator("select[name=aksi]").select_option("ar")
            expect(reason).to_be_visible()
            expect(words).to_be_visible()
            bulk.locator("select[name=aksi]").select_option("tr")
            expect(reason).to_be_hidden()
            bulk.locator("select[name=unit]").select_option("dinas-pupr")
            bulk.locator("input[name=teks]").fill("Wewenang Dinas PUPR")
            _no_sideways(page, "the list with its selection")
            _shot(page, "3-list-selected-1366")
            page.set_viewport_size({"width": 390, "height": 844})
            _no_sideways(page, "the list with its selection on a phone")
            _shot(page, "4-list-selected-390")
            page.set_viewport_size({"width": 1366, "height": 768})

            bulk.get_by_role("button", name="Jalankan").click()
            expect(page).to_have_url(re.compile(r"/laporan/massal/\d+$"))
            expect(page.locator("main")).to_contain_text(
                "3 dari 5 laporan sudah diproses; 2 ditolak.", timeout=BOT_MS
            )
            # The merged one is archived; the scenario's road report is PUPR's already.
            refused = page.locator("table tbody tr")
            expect(refused).to_have_count(2)
            expect(refused.filter(has_text=duplicate)).to_contain_text("sudah diarsipkan")
            expect(refused.filter(has_text="dipegang unit tersebut")).to_have_count(1)
            _shot(page, "5-bulk-result-1366")
            page.set_viewport_size({"width": 390, "height": 844})
            _no_sideways(page, "the bulk result on a phone")
            _shot(page, "6-bulk-result-390")

            page.goto(f"{sandbox.console_url}/laporan?unit=dinas-pupr")
            expect(page.locator("table tbody tr")).to_have_count(4)
            assert refusals == []
        finally:
            browser.close()
