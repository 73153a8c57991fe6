"""A photo that is also a web page runs nothing in a real browser (security review, finding 1).

The attack: a "photo" whose bytes are a GIF and an HTML page at once, declared
``image/png, text/html``; served with that type, Chromium ran its script in the coordinator's
session. Here Debian's Chromium opens the photo's address and the report page that shows it,
signed in as the coordinator, and the page's script never runs (it would rename the page).
"""

from __future__ import annotations

from playwright.async_api import async_playwright

from storage.models import ReportPhoto
from tests.browser.test_sandbox_browser import CHROMIUM, CHROMIUM_ARGS
from tests.images import gif_html_polyglot
from tests.integration.test_console import Filed, World, store_report


async def test_a_polyglot_photo_runs_no_script_in_chromium(world: World, filed: Filed) -> None:
    folder = world.config.media_dir / "1"
    folder.mkdir(parents=True)
    polyglot = folder / "0-u0.gif"
    polyglot.write_bytes(gif_html_polyglot())
    async with world.db.sessions() as session:
        report = await store_report(session, filed.done)
        session.add(
            ReportPhoto(
                report_id=report,
                position=0,
                file_id="f0",
                file_unique_id="u0",
                mime_type="image/png, text/html",
                stored_path=str(polyglot),
            )
        )
        await session.commit()
    coordinator = await world.client("diskominfo")
    base = str(coordinator.make_url("/"))
    cookies = [
        {"name": morsel.key, "value": morsel.value, "url": base}
        for morsel in coordinator.session.cookie_jar
    ]
    assert cookies, "the coordinator was not signed in"
    try:
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(
                executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
            )
            context = await browser.new_context()
            await context.add_cookies(cookies)  # type: ignore[arg-type]
            page = await context.new_page()
            for address in (f"laporan/{filed.done}/foto/0", f"laporan/{filed.done}"):
                response = await page.goto(base + address, wait_until="load")
                assert response is not None
                assert response.status == 200, address
                title = await page.title()
                assert "PWNED" not in title, address
                assert "STOLEN" not in title, address
            shown = await page.eval_on_selector(
                ".photos img", "img => img.decode().then(() => img.naturalWidth)"
            )
            assert shown  # the GIF half is shown as the image it claims to be
            await browser.close()
    finally:
        await coordinator.close()
