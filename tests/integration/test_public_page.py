"""Halaman publik (``/publik``) on a real database (SQLite and PostgreSQL): no sign-in; the unit
table's figures are the console's own, ranked only from PUBLIC_MIN_REPORTS reports; a page is
kept (cacheable, and served again from this process); a report's page shows what Open311 would,
an anonim one its status and unit only; the setting turns it all off; and the reporter's
status messages link to their report's page when PUBLIC_BASE_URL is set."""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from pydantic import SecretStr
from sqlalchemy import event, select

from core.permissions import CaseAction
from core.public_key import report_key
from locales import Catalogs
from runtime.deps import handler_deps
from runtime.settings import Settings
from storage import console as store
from storage.models import OutboxMessage
from tests.integration.conversation_driver import Driver, buttons, texts
from tests.integration.database import Database
from tests.integration.test_console import SECRET_NAME, SECRET_USERNAME, World, open_world, wita
from tests.integration.test_console_map import _place
from tests.integration.test_intake import USER, consent, to_step
from web.console import public_page, queries
from web.console.figures import percent

APRIL = wita(4, 6, 10)  # Monday 6 April 2026: the 12 months are April 2025 - March 2026


@pytest.fixture
async def public(database_url: str, tmp_path: Path) -> AsyncIterator[World]:
    world = await open_world(Database(database_url), tmp_path)
    world.config = replace(world.config, public_min_reports=2)
    yield world
    await world.db.engine.dispose()


def _row(page: str, name: str) -> list[str]:
    """The cells of the table row that names ``name``."""
    for row in re.findall(r"<tr>(.*?)</tr>", page, re.S):
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        if name in cells:
            return cells
    raise AssertionError(f"no row for {name}")


def test_the_twelve_months_are_the_whole_months_before_this_one() -> None:
    assert public_page.months_before(date(2026, 4, 6)) == (date(2025, 4, 1), date(2026, 3, 31))
    assert public_page.months_before(date(2026, 1, 31)) == (date(2025, 1, 1), date(2025, 12, 31))


async def test_units_are_ranked_with_the_consoles_figures_from_the_minimum_and_named_nobody(
    public: World,
) -> None:
    done_id, _ = await public.file(category="sampah")
    await public.file(category="sampah", privacy="anonim", name=SECRET_NAME, user="43")
    await public.file(category="jalan", user="44")  # Dinas PUPR: one report, not ranked
    await public.act(done_id, CaseAction.VERIFY, wita(3, 4))
    await public.act(done_id, CaseAction.NOTE, wita(3, 5))
    await public.act(done_id, CaseAction.DONE, wita(3, 6))
    await public.rate(done_id, 5)
    public.clock.set(APRIL)
    client = await public.client()  # nobody signed in
    try:
        response = await client.get("/publik")
        page = await response.text()
    finally:
        await client.close()
    assert response.status == 200, page
    assert response.headers["Cache-Control"] == f"public, max-age={public_page.MAX_AGE}"
    assert "Set-Cookie" not in response.headers
    assert "2025-04-01" in page
    assert "2026-03-31" in page
    ranked, apart = page.split("Unit dengan kurang dari 2 laporan")
    assert "Desa Sepaso" in ranked
    assert "Dinas Pekerjaan Umum" not in ranked
    assert "Dinas Pekerjaan Umum" in apart
    # The figures are the console's: the same tallies the coordinator's unit table reads.
    async with public.db.sessions() as session:
        found = await queries.overview(
            session,
            store.ReportQuery(first_day=date(2026, 3, 1), last_day=date(2026, 3, 31)),
            public.config,
            APRIL.date(),
        )
    sepaso = next(ind for unit, ind in found.by_unit if unit.name == "Desa Sepaso")
    cells = _row(ranked, "Desa Sepaso")
    assert cells[0] == "1"
    assert cells[2:5] == [
        str(sepaso.received),
        percent(sepaso.verify_on_time),
        percent(sepaso.follow_up_on_time),
    ]
    assert cells[2] == "2"
    assert cells[6] == "5,0 (1)"
    for secret in (SECRET_NAME, SECRET_USERNAME, "Siti"):
        assert secret not in page


async def test_a_page_is_kept_for_its_period_and_the_setting_turns_the_page_off(
    public: World,
) -> None:
    await public.file(category="sampah")
    public.clock.set(APRIL)
    client = await public.client()
    try:
        first = await (await client.get("/publik")).text()
        public.clock.set(wita(3, 20))
        await public.file(category="jalan", user="44")  # filed in March, after the page was made
        public.clock.set(APRIL)
        again = await (await client.get("/publik")).text()
    finally:
        await client.close()
    assert again == first  # served from this process's store, not read again
    assert "Dinas Pekerjaan Umum" not in again
    public.config = replace(public.config, public_page=False)
    off = await public.client()
    try:
        responses = [await off.get(path) for path in ("/publik", "/publik/laporan/X")]
    finally:
        await off.close()
    assert [r.status for r in responses] == [404, 404]  # not a sign-in page: there is none


async def test_a_reports_page_shows_what_open311_would_once_verified(public: World) -> None:
    open_id, number = await public.file(category="sampah", description="Sampah di parit RT 3")
    client = await public.client()
    try:
        await public.act(open_id, CaseAction.VERIFY, wita(3, 4))
        await public.act(open_id, CaseAction.NOTE, wita(3, 5), note="Sudah diangkut truk DLH")
        after = await (await client.get(f"/publik/laporan/{number.lower()}")).text()
        found = await client.get(f"/publik/laporan?nomor={number}", allow_redirects=False)
    finally:
        await client.close()
    assert "Sampah di parit RT 3" in after
    assert "Sudah diangkut truk DLH" in after
    assert "Desa Sepaso" in after
    assert found.status == 303
    assert found.headers["Location"] == f"/publik/laporan/{number}"


async def test_hidden_reports_answer_exactly_as_a_number_that_does_not_exist(
    public: World,
) -> None:
    """Without the reporter's key, an anonim, a rahasia and an unverified biasa report answer
    as a number no report has: the same status and the same bytes, naming neither unit nor
    status; only a verified biasa report is public (as in Open311)."""
    _, unverified = await public.file(category="sampah", description="Belum diverifikasi")
    anon_id, anon = await public.file(
        category="sampah", privacy="anonim", name=SECRET_NAME, user="43", description="Anon X"
    )
    secret_id, secret = await public.file(
        category="sampah", privacy="rahasia", user="44", description="Rahasia X"
    )
    await public.act(anon_id, CaseAction.VERIFY, wita(3, 4))
    await public.act(secret_id, CaseAction.VERIFY, wita(3, 4))
    client = await public.client()
    statements: list[str] = []

    def seen(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        statements.append(statement)

    engine = public.db.engine.sync_engine
    try:
        answers, asked = [], []
        for number in (unverified, anon, secret, "AAAA-AAAA-A", "ZZZZ"):
            statements.clear()
            event.listen(engine, "before_cursor_execute", seen)
            response = await client.get(f"/publik/laporan/{number}")
            answers.append((response.status, await response.text()))
            event.remove(engine, "before_cursor_execute", seen)
            asked.append(list(statements))
    finally:
        await client.close()
    assert answers[0][0] == 404
    assert all(found == answers[0] for found in answers), answers
    # The same statements for each (one query; no second one for a report that exists).
    assert len([s for s in asked[0] if "FROM reports" in s]) == 1
    assert all(found == asked[0] for found in asked), asked
    page = answers[0][1]
    for leak in ("Desa Sepaso", "Baru", "Didisposisi", SECRET_NAME, anon, secret, unverified):
        assert leak not in page


async def test_the_reporters_own_link_opens_their_report_whatever_its_privacy(
    public: World,
) -> None:
    _, anon = await public.file(
        category="sampah", privacy="anonim", name=SECRET_NAME, user="43", description="Anon X"
    )
    key = report_key(public.config.public_key, anon)
    wrong_key = key[:-1] + ("a" if key[-1] != "a" else "b")
    client = await public.client()
    try:
        own = await client.get(f"/publik/laporan/{anon}/{key}")
        own_page = await own.text()
        wrong = await client.get(f"/publik/laporan/{anon}/{wrong_key}")
        other = await client.get(f"/publik/laporan/AAAA-AAAA-A/{key}")
    finally:
        await client.close()
    assert own.status == 200
    assert "Desa Sepaso" in own_page
    assert "Baru" in own_page
    assert "Anon X" not in own_page  # an anonim report's words are never public
    assert own.headers["Cache-Control"] == "private, no-store"
    assert own.headers["Referrer-Policy"] == "no-referrer"
    for secret in (SECRET_NAME, SECRET_USERNAME):
        assert secret not in own_page
    assert [wrong.status, other.status] == [404, 404]


async def test_the_reporters_status_messages_link_to_the_public_page_when_its_address_is_set(
    public: World,
) -> None:
    settings = Settings(
        _env_file=None, bot_token=SecretStr("1:x"), public_base_url="https://aduan.example.id/"
    )
    linked_id, number = await public.file(category="sampah")
    plain_id, _ = await public.file(category="sampah", user="44")
    await public.act(plain_id, CaseAction.VERIFY, wita(3, 4))
    public.deps = handler_deps(settings, "1:x", Catalogs("id"), public.clock)
    await public.act(linked_id, CaseAction.VERIFY, wita(3, 4))
    async with public.db.sessions() as session:
        texts = {
            m.chat_id: str(m.payload.get("text", ""))
            for m in await session.scalars(
                select(OutboxMessage).where(OutboxMessage.chat_id.in_(["42", "44"]))
            )
        }
    key = report_key(public.config.public_key, number)
    assert texts["42"].endswith(
        f"Lihat di halaman publik: https://aduan.example.id/publik/laporan/{number}/{key}"
    )
    assert "/publik/" not in texts["44"]  # PUBLIC_BASE_URL unset: no link


async def test_the_status_answer_links_to_the_reports_public_page(database_url: str) -> None:
    driver = Driver(database_url, public_base_url="https://aduan.example.id")
    await driver.start()
    try:
        await consent(driver)
        b = await to_step(driver, "photos")
        b = buttons(await driver.press_data(USER, b["Lewati ➡️"]))
        b = buttons(await driver.press_data(USER, b["Anonim"]))
        sent = await driver.press_data(USER, b["📨 Kirim laporan"])
        number = texts(sent)[-1].split("Nomor laporan: ")[1].split("\n")[0]
        status = texts(await driver.text(USER, f"/status {number}"))[0]
    finally:
        await driver.close()
    assert "Riwayat:" in status
    key = report_key(driver.conversations.deps.config.callback_secret, number)
    assert status.endswith(
        f"Lihat di halaman publik: https://aduan.example.id/publik/laporan/{number}/{key}"
    )


async def test_areas_show_the_same_figures_and_none_below_the_minimum(public: World) -> None:
    done_id, _ = await public.file(category="sampah")
    await public.file(category="jalan", user="44")  # at Sepaso too, handled by Dinas PUPR
    await public.act(done_id, CaseAction.VERIFY, wita(3, 4))
    public.clock.set(APRIL)
    client = await public.client()
    try:
        kabupaten = await client.get("/publik/wilayah")
        kabupaten_page = await kabupaten.text()
        kecamatan_page = await (await client.get("/publik/wilayah/64.08.09")).text()
        desa = await client.get("/publik/wilayah/64.08.09.2001")
        elsewhere = await client.get("/publik/wilayah/31.71")
    finally:
        await client.close()
    assert kabupaten.status == 200
    assert kabupaten.headers["Cache-Control"] == f"public, max-age={public_page.MAX_AGE}"
    bengalon = _row(kabupaten_page, '<a href="/publik/wilayah/64.08.09">Kec. Bengalon</a>')
    assert bengalon[1:4] == ["2", "50%", "0%"]  # both units' reports filed there
    sepaso = _row(kecamatan_page, "Desa Sepaso")
    assert sepaso[1] == "2"
    assert "Kurang dari 2 laporan" in kecamatan_page  # the other desa of Bengalon
    assert [desa.status, elsewhere.status] == [404, 404]  # a desa has no lower level


async def test_the_area_map_shows_only_verified_biasa_reports_blurred_and_names_nobody(
    public: World,
) -> None:
    shown_id, shown = await public.file(category="sampah")
    unverified_id, unverified = await public.file(category="sampah", user="44")
    anon_id, anon = await public.file(
        category="sampah", privacy="anonim", name=SECRET_NAME, user="43"
    )
    for report_id, (lat, lon) in (
        (shown_id, (0.751234, 117.532187)),
        (unverified_id, (0.7519, 117.5330)),
        (anon_id, (0.7601, 117.5402)),
    ):
        await _place(public, report_id, lat, lon)
    await public.act(shown_id, CaseAction.VERIFY, wita(3, 4))
    await public.act(anon_id, CaseAction.VERIFY, wita(3, 4))
    public.clock.set(APRIL)
    client = await public.client()
    try:
        response = await client.get("/publik/wilayah/64.08.09/titik")
        raw = await response.text()
        page = await (await client.get("/publik/wilayah/64.08.09")).text()
    finally:
        await client.close()
    assert response.status == 200
    assert response.headers["Cache-Control"] == f"public, max-age={public_page.MAX_AGE}"
    found = json.loads(raw)
    assert found["points"] == [[0.751, 117.532, shown, 0, "didisposisi"]]
    assert found["categories"] == ["Sampah & Lingkungan"]
    for secret in (unverified, anon, SECRET_NAME, SECRET_USERNAME, "Siti"):
        assert secret not in raw
    assert 'data-points="/publik/wilayah/64.08.09/titik"' in page
    assert 'data-report-base="/publik/laporan/"' in page
