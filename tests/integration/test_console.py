"""The coordinator's console on a real SQLite file: reports filed and handled through the real
case work (with the clock moved), pages and exports read through aiohttp's test client.

Checked here: single-use, expiring login links and signed session cookies; who sees what (403
for another unit's report, the audit page for the coordinator only); the unit table's numbers
against values computed by hand on the Indonesian calendar; every export's columns; and that an
anonymous reporter's identity is in no page and no export (the XLSX files are unzipped first).
"""

from __future__ import annotations

import argparse
import csv
import io
import re
import zipfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from openpyxl import load_workbook
from pydantic import SecretStr
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from cases.filing import file_report
from cli import console as console_cli
from core.permissions import CaseAction
from handlers import officer_actions, reporter_actions
from handlers.case import Case, Officer
from handlers.deps import HandlerDeps
from handlers.notices import filing_for
from locales import Catalogs
from runtime.clock import ManualClock
from runtime.deps import handler_deps
from runtime.settings import Settings
from storage.console import issue_login
from storage.models import Citizen, Report, ReportPhoto
from storage.unit_registry import seed_units
from tests.images import gif_html_polyglot
from tests.integration.console_forms import export, post_form, sign_in
from tests.integration.database import Database
from web.console import ConsoleConfig, build_console_app
from web.console.context import CONFIG
from web.from_settings import console_config

WITA = ZoneInfo("Asia/Makassar")
SEPASO = "64.08.09.2001"
SECRET_NAME = "Sutrisno Rahasia"
SECRET_USERNAME = "sutrisno_anon"


def wita(month: int, day: int, hour: int = 9) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=WITA)


@dataclass
class World:
    db: Database
    deps: HandlerDeps
    clock: ManualClock
    config: ConsoleConfig
    units: dict[str, int]

    async def file(
        self,
        *,
        category: str,
        privacy: str = "biasa",
        name: str = "Siti",
        user: str = "42",
        description: str = "Sampah menumpuk di depan balai desa",
        address: str = "",
    ) -> tuple[int, str]:
        now = self.clock()
        async with self.db.uow() as uow:
            citizen = await uow.citizens.get("telegram", user)
            if citizen is None:
                citizen = await uow.citizens.add(
                    Citizen(
                        channel="telegram",
                        user_id=user,
                        chat_id=user,
                        name=name,
                        username=SECRET_USERNAME if privacy == "anonim" else "",
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
                category=category,
                region_code=SEPASO,
                description=description,
                address_detail=address,
                privacy=privacy,
                created_at=now,
                updated_at=now,
            )
            await file_report(uow, filing_for(self.deps), now, report)
            await uow.commit()
            return report.id, report.tracking_no

    async def act(
        self,
        report_id: int,
        action: CaseAction,
        when: datetime,
        *,
        to: str = "",
        note: str = "catatan",
    ) -> None:
        """``action`` by an officer of the report's unit (``to``: a transfer's unit code)."""
        self.clock.set(when)
        async with self.db.uow() as uow:
            report = await uow.reports.get(report_id)
            assert report is not None
            unit = await uow.units.get(report.unit_id or 0)
            assert unit is not None
            target = await uow.units.get(self.units[to]) if to else None
            officer = Officer(user_id="7", name="Dewi", unit=unit)
            case = Case(uow, self.deps, when)
            done = await officer_actions.act(
                case, report, action, officer, note=note, to_unit=target
            )
            assert done == ""
            await uow.commit()

    async def rate(self, report_id: int, rating: int, comment: str = "") -> None:
        async with self.db.uow() as uow:
            report = await uow.reports.get(report_id)
            assert report is not None
            case = Case(uow, self.deps, self.clock())
            assert await reporter_actions.rate(case, report, rating) == ""
            if comment:
                await reporter_actions.comment_rating(case, report, comment)
            await uow.commit()

    async def login_token(self, unit: str, *, name: str = "Admin", user: str = "900") -> str:
        async with self.db.sessions() as session:
            token = await issue_login(
                session, self.units[unit], now=self.clock(), user_id=user, user_name=name
            )
            await session.commit()
        return token

    async def client(
        self, unit: str | None = None, *, user: str = "900"
    ) -> TestClient[web.Request, web.Application]:
        client = TestClient(TestServer(build_console_app(self.config, self.db.sessions)))
        await client.start_server()
        if unit is not None:
            response = await sign_in(client, await self.login_token(unit, user=user))
            assert response.status == 303
        return client


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    found = await open_world(Database(tmp_path / "console.db"), tmp_path)
    yield found
    await found.db.engine.dispose()


async def open_world(db: Database, tmp_path: Path) -> World:
    """The units seeded and three groups bound on ``db`` (a SQLite file or PostgreSQL), the
    clock on Monday 2 March 2026; the caller disposes of ``db.engine``."""
    await db.start()
    clock = ManualClock(wita(3, 2))  # Monday 2 March 2026
    settings = Settings(_env_file=None, bot_token=SecretStr("1:x"), media_dir=tmp_path / "media")
    deps = handler_deps(settings, "1:x", Catalogs("id"), clock)
    units: dict[str, int] = {}
    async with db.uow() as uow:
        await seed_units(uow, deps.regions, clock(), categories=deps.categories)
        for code, chat in (
            ("diskominfo", "-100100"),
            ("desa-64-08-09-2001", "-100200"),
            ("dinas-pupr", "-100300"),
        ):
            unit = await uow.units.by_code(code)
            assert unit is not None
            units[code] = unit.id
            await uow.units.bind(
                unit.id, channel="telegram", chat_id=chat, title="g", by="1", now=clock()
            )
        kecamatan = await uow.units.by_code("kec-64-08-09")
        assert kecamatan is not None
        units["kec-64-08-09"] = kecamatan.id
        await uow.commit()
    config = replace(console_config(settings), clock=clock)
    return World(db, deps, clock, config, units)


@asynccontextmanager
async def opened_world(db: Database, tmp_path: Path) -> AsyncIterator[World]:
    """:func:`open_world` as a context: ``db.engine`` disposed of at the end."""
    found = await open_world(db, tmp_path)
    try:
        yield found
    finally:
        await found.db.engine.dispose()


@dataclass
class Filed:
    done: str  # Sepaso, verified, followed up, finished, rated 5
    anonymous: str  # Sepaso, anonymous, never verified: late
    road: str  # Dinas PUPR


@pytest.fixture
async def filed(world: World) -> Filed:
    done_id, done = await world.file(category="sampah")
    _, anonymous = await world.file(
        category="sampah", privacy="anonim", name=SECRET_NAME, user="43"
    )
    _, road = await world.file(category="jalan", user="44")
    await world.act(done_id, CaseAction.VERIFY, wita(3, 4))  # Wednesday
    await world.act(done_id, CaseAction.NOTE, wita(3, 5))  # Thursday
    await world.act(done_id, CaseAction.DONE, wita(3, 6))  # Friday
    await world.rate(done_id, 5)
    world.clock.set(wita(3, 9, 10))  # Monday 9 March: the anonymous report is late
    return Filed(done, anonymous, road)


async def test_a_login_link_works_once_and_lapses_after_ten_minutes(world: World) -> None:
    client = await world.client()
    try:
        token = await world.login_token("desa-64-08-09-2001")
        form = await client.get(f"/masuk/{token}")  # a link preview's GET spends nothing
        assert form.status == 200
        first = await sign_in(client, token)
        assert first.status == 303
        assert "HttpOnly" in first.headers["Set-Cookie"]
        again = await sign_in(client, token)
        assert again.status == 403
        assert "sudah dipakai" in await again.text()
        late = await world.login_token("desa-64-08-09-2001")
        world.clock.set(world.clock() + timedelta(minutes=11))
        expired = await sign_in(client, late)
        assert expired.status == 403
        assert "kedaluwarsa" in await expired.text()
    finally:
        await client.close()


async def test_a_link_is_never_spent_by_opening_it_outside_the_sandbox(world: World) -> None:
    """``/langsung/TOKEN`` (the sandbox's Konsol button) exists only with ``direct_sign_in``."""
    client = await world.client()
    try:
        token = await world.login_token("desa-64-08-09-2001")
        assert (await client.get(f"/langsung/{token}", allow_redirects=False)).status == 404
        assert (await sign_in(client, token)).status == 303  # still unspent
    finally:
        await client.close()


async def test_no_session_or_a_forged_cookie_gets_the_sign_in_page(world: World) -> None:
    client = await world.client()
    try:
        outsider = await client.get("/laporan")
        assert outsider.status == 401
        assert "/dasbor" in await outsider.text()
        client.session.cookie_jar.update_cookies({"aduan_konsol": "abc.def"})
        forged = await client.get("/")
        assert forged.status == 401
    finally:
        await client.close()


async def test_a_session_lasts_twelve_hours_and_logout_ends_it(world: World) -> None:
    client = await world.client("desa-64-08-09-2001")
    try:
        assert (await client.get("/laporan")).status == 200
        out = await post_form(client, "/keluar")
        assert out.status == 200
        assert (await client.get("/laporan")).status == 401
    finally:
        await client.close()
    client = await world.client("desa-64-08-09-2001")
    try:
        world.clock.set(world.clock() + timedelta(hours=12, minutes=1))
        assert (await client.get("/laporan")).status == 401
    finally:
        await client.close()


async def test_a_desa_sees_its_reports_only_and_is_refused_another_units(
    world: World, filed: Filed
) -> None:
    client = await world.client("desa-64-08-09-2001")
    try:
        listing = await (await client.get("/laporan?periode=30")).text()
        assert filed.done in listing
        assert filed.anonymous in listing
        assert filed.road not in listing
        refused = await client.get(f"/laporan/{filed.road}")
        assert refused.status == 403
        assert "bukan untuk unit Anda" in await refused.text()
        assert (await client.get("/laporan?unit=dinas-pupr")).status == 403
        assert (await client.get("/audit")).status == 403
        page = await client.get(f"/laporan/{filed.done}")
        assert page.status == 200
        assert "Siti" in await page.text()  # a normal report names its reporter, as the card does
    finally:
        await client.close()


async def test_a_kecamatan_sees_its_desa_and_the_coordinator_sees_all(
    world: World, filed: Filed
) -> None:
    kecamatan = await world.client("kec-64-08-09")
    coordinator = await world.client("diskominfo")
    try:
        assert (await kecamatan.get(f"/laporan/{filed.done}")).status == 200
        assert (await kecamatan.get(f"/laporan/{filed.road}")).status == 403
        listing = await (await coordinator.get("/laporan?periode=30")).text()
        assert all(n in listing for n in (filed.done, filed.anonymous, filed.road))
        await coordinator.get(f"/laporan/{filed.road}")
        await post_form(coordinator, "/ekspor", {"format": "csv", "periode": "30"})
        audit = await (await coordinator.get("/audit")).text()
        assert "Membuka laporan" in audit
        assert filed.road in audit
        assert "Mengunduh" in audit
        assert "Ditolak membuka laporan" in audit  # the kecamatan's refused look
    finally:
        await kecamatan.close()
        await coordinator.close()


async def test_the_unit_table_matches_hand_computed_numbers(world: World, filed: Filed) -> None:
    client = await world.client("diskominfo")
    try:
        page = await (await client.get("/?dari=2026-03-01&sampai=2026-03-31")).text()
    finally:
        await client.close()
    row = page.split("Desa Sepaso", 1)[1].split("</tr>", 1)[0]
    cells = [c.split("</td>")[0] for c in row.split("<td>")[1:]]
    # received 2; verified on time 1 of 2 (the anonymous one is past its 5 March deadline);
    # followed up on time 1 of 1; finished on time 1 of 1; late now 1; reopened 0; rating 5.
    assert cells[:4] == ["2", "50%", "100%", "100%"]
    assert '<span class="late">1</span>' in cells[4]
    assert cells[5:] == ["0", "5,0", "100%"]
    # The weekly charts: all three filed in the week of Monday 2 March; 1 of 3 verified on time
    # (the anonymous and the road report passed their 5 March deadline unverified).
    week = page.split("Minggu 2026-03-02 · Pengaduan 3", 1)[1].split("</div>", 1)[0]
    assert '<span class="n">3</span>' in week
    shares = page.split("per minggu masuk", 1)[1]
    assert '<span class="n">33%</span>' in shares.split("</div></div>", 1)[0]


def _xlsx_text(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as book:
        return "".join(book.read(name).decode("utf-8") for name in book.namelist())


async def test_exports_carry_the_columns_and_never_an_anonymous_identity(
    world: World, filed: Filed
) -> None:
    client = await world.client("diskominfo")
    try:
        pages = [
            await (await client.get(path)).text()
            for path in ("/?periode=30", "/laporan?periode=30", f"/laporan/{filed.anonymous}")
        ]
        raw_csv = await export(client, "csv")
        raw_xlsx = await export(client, "xlsx")
        raw_lapor = await export(client, "lapor")
    finally:
        await client.close()
    xlsx, lapor = _xlsx_text(raw_xlsx), _xlsx_text(raw_lapor)
    for text in (*pages, raw_csv.decode("utf-8-sig"), xlsx, lapor):
        assert SECRET_NAME not in text
        assert SECRET_USERNAME not in text
    assert filed.anonymous in xlsx
    assert filed.anonymous in lapor
    assert "disembunyikan (anonim)" in pages[2]
    rows = list(csv.reader(io.StringIO(raw_csv.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][:3] == ["Nomor laporan", "Tanggal masuk", "Tanggal verifikasi"]
    done = next(r for r in rows if r[0] == filed.done)
    # Filed Mon 2 March, verified Wed 4, followed up Thu 5, finished Fri 6: 4 working days.
    assert done[1:5] == ["2026-03-02", "2026-03-04", "2026-03-05", "2026-03-06"]
    assert done[8:] == ["Sepaso", "Desa Sepaso", "Selesai", "4", "Tidak", "5", "0"]
    late = next(r for r in rows if r[0] == filed.anonymous)
    assert late[2:5] == ["", "", ""]
    assert late[10:13] == ["Baru", "5", "Ya"]  # 3, 4, 5, 6, 9 March
    sheet = load_workbook(io.BytesIO(raw_lapor), read_only=True).active
    assert sheet is not None
    table = [[c if c is not None else "" for c in r] for r in sheet.iter_rows(values_only=True)]
    assert table[0][2] == "Klasifikasi"
    by_number = {r[-1]: r for r in table[1:]}
    assert by_number[filed.done][2] == "Pengaduan"
    assert by_number[filed.done][13] == "Terdisposisi Selesai"
    assert by_number[filed.anonymous][9:11] == ["Ya", "Tidak"]
    assert by_number[filed.anonymous][13] == "Belum Terverifikasi"
    assert by_number[filed.road][12] == "Dinas Pekerjaan Umum dan Penataan Ruang"


async def test_bad_input_gets_a_clear_page_and_a_4xx(world: World, filed: Filed) -> None:
    client = await world.client("diskominfo")
    try:
        for path, status, words in (
            ("/laporan?dari=2026-13-01", 400, "tidak valid"),
            ("/laporan?hal=99999999999", 400, "Nomor halaman"),
            ("/laporan?unit=tidak-ada", 404, "tidak ditemukan"),
            ("/laporan?status=hilang", 400, "tidak dikenal"),
            ("/laporan/XXXX-XXXX-X", 404, "tidak ditemukan"),
            ("/?periode=abad", 400, "Periode tidak dikenal"),
            ("/ekspor?format=pdf", 400, "tidak dikenal"),
            ("/tidak/ada", 404, "tidak ada"),
        ):
            response = await client.get(path)
            assert response.status == status, path
            text = await response.text()
            assert words in text, path
            assert "Traceback" not in text
        english = await (await client.get("/laporan?dari=x&lang=en")).text()
        assert "is not valid" in english
    finally:
        await client.close()


async def test_the_rekap_has_a_row_per_unit_and_the_total(world: World, filed: Filed) -> None:
    client = await world.client("diskominfo")
    try:
        response = await post_form(
            client, "/ekspor", {"format": "rekap", "dari": "2026-03-01", "sampai": "2026-03-31"}
        )
        assert response.status == 200
        data = await response.read()
    finally:
        await client.close()
    sheet = load_workbook(io.BytesIO(data), read_only=True).active
    assert sheet is not None
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[1][:3] == ["Unit", "Laporan masuk", "Diverifikasi tepat waktu"]
    by_name = {r[0]: r for r in rows[2:]}
    assert by_name["Desa Sepaso"][1:5] == [2, 50.0, 100.0, 100.0]
    assert by_name["Desa Sepaso"][8] == 1  # late now
    assert by_name["Desa Sepaso"][10:] == [5.0, 100.0]
    assert by_name["Total"][1] == 3


async def test_aduan_export_writes_each_format_from_the_command_line(
    world: World, filed: Filed, tmp_path: Path
) -> None:
    settings = Settings(_env_file=None, bot_token=SecretStr("1:x"), database_url=world.db.url)
    for kind in ("csv", "lapor", "rekap"):
        out = tmp_path / f"out.{kind}"
        args = argparse.Namespace(
            format=kind, first="2026-03-01", last="2026-03-31", unit="kec-64-08-09", output=out
        )
        assert await console_cli.export(settings, args) == 0
        text = (
            out.read_bytes().decode("utf-8-sig") if kind == "csv" else _xlsx_text(out.read_bytes())
        )
        assert SECRET_NAME not in text
        if kind != "rekap":
            assert filed.done in text
            assert filed.road not in text  # the kecamatan's reach only
    bad = argparse.Namespace(
        format="csv", first="2026-02-30", last=None, unit=None, output=tmp_path / "x"
    )
    assert await console_cli.export(settings, bad) == console_cli.EXIT_FAILED


async def test_a_mounted_sub_application_is_public_and_shares_the_config(world: World) -> None:
    async def hello(request: web.Request) -> web.Response:
        config = request.config_dict[CONFIG]
        return web.Response(text=f"open311 {config.timezone}")

    sub = web.Application()
    sub.router.add_get("/services.json", hello)
    app = build_console_app(world.config, world.db.sessions, extra_subapps=[("/open311/v2/", sub)])
    client = TestClient(TestServer(app))
    await client.start_server()
    try:
        response = await client.get("/open311/v2/services.json")
        assert response.status == 200
        assert await response.text() == "open311 Asia/Makassar"
        missing = await client.get("/open311/v2/requests/1.json")
        assert missing.status == 404
        assert "<html" not in await missing.text()  # the sub-app's own answer, not a console page
        assert (
            await client.get("/laporan")
        ).status == 401  # the console itself still needs sign-in
    finally:
        await client.close()


async def test_the_areas_page_counts_every_desa_including_those_that_sent_nothing(
    world: World, filed: Filed
) -> None:
    coordinator = await world.client("diskominfo")
    desa = await world.client("desa-64-08-09-2001")
    march = "dari=2026-03-01&sampai=2026-03-31"
    try:
        page = await (await coordinator.get(f"/wilayah?{march}&semua=1")).text()
        busy = await (await coordinator.get(f"/wilayah?{march}")).text()
        own = await (await desa.get(f"/wilayah?{march}")).text()
    finally:
        await coordinator.close()
        await desa.close()
    sepaso = page.split(">Sepaso</a>", 1)[1].split("</tr>", 1)[0]
    assert "<td>3</td><td>2</td>" in sepaso  # three reports filed there, two still open
    bengalon = page.split(">Bengalon</a>", 1)[1].split("</tr>", 1)[0]
    assert "<strong>3</strong></td><td><strong>2</strong>" in bengalon  # filed, still open
    assert "<td>Sekerat</td><td>0</td><td>0</td>" in page  # a desa that sent nothing
    assert "Sangatta Utara" in page  # every kecamatan
    # By default the desa that sent nothing are one line with a way to list them; every
    # kecamatan keeps its row, the busiest first.
    assert "Sekerat" not in busy
    assert ">Sepaso</a>" in busy
    assert "desa/kelurahan tanpa laporan pada periode ini disembunyikan" in busy
    assert 'href="/wilayah?dari=2026-03-01&amp;sampai=2026-03-31&amp;semua=1"' in busy
    assert busy.index(">Bengalon</a>") < busy.index(">Sangatta Utara</a>")
    assert "Sangatta Utara" in busy
    assert "Sangatta Utara" not in own  # a desa sees its own area only
    assert "<td>2</td><td>1</td>" in own.split(">Sepaso</a>", 1)[1]  # only its own reports


async def test_photos_are_served_only_to_those_who_may_see_the_report(
    world: World, filed: Filed, tmp_path: Path
) -> None:
    image = world.config.media_dir / "1" / "1-ua.jpg"
    image.parent.mkdir(parents=True)
    image.write_bytes(b"\xff\xd8\xff\xe0 bukti")
    async with world.db.sessions() as session:
        report = await store_report(session, filed.done)
        session.add_all(
            [
                ReportPhoto(
                    report_id=report,
                    position=1,
                    file_id="a",
                    file_unique_id="ua",
                    stored_path=str(image),
                ),
                ReportPhoto(report_id=report, position=2, file_id="b", file_unique_id="ub"),
            ]
        )
        await session.commit()
    desa = await world.client("desa-64-08-09-2001")
    pupr = await world.client("dinas-pupr")
    try:
        page = await (await desa.get(f"/laporan/{filed.done}")).text()
        assert f'src="/laporan/{filed.done}/foto/1"' in page
        assert "Foto 2: belum tersimpan" in page
        photo = await desa.get(f"/laporan/{filed.done}/foto/1")
        assert photo.status == 200
        assert await photo.read() == image.read_bytes()
        assert (await desa.get(f"/laporan/{filed.done}/foto/2")).status == 404
        assert (await pupr.get(f"/laporan/{filed.done}/foto/1")).status == 403
    finally:
        await desa.close()
        await pupr.close()


async def test_a_photo_is_served_with_the_type_its_bytes_have_and_never_as_a_page(
    world: World, filed: Filed, tmp_path: Path
) -> None:
    """Security review, finding 1: a GIF/HTML polyglot declared ``image/png, text/html`` once
    ran its script in the coordinator's session. Now the server decides the type from the
    bytes, forbids sniffing and sandboxes the response; a file that is no image, or lies
    outside the media folder, is not served at all."""
    folder = world.config.media_dir / "9"
    folder.mkdir(parents=True)
    polyglot, page = folder / "0-a.gif", folder / "1-b.png"
    polyglot.write_bytes(gif_html_polyglot())
    page.write_bytes(b"<html><script>alert(1)</script></html>")
    outside = tmp_path / "elsewhere.jpg"
    outside.write_bytes(b"\xff\xd8\xff\xe0 bukan dari folder media")
    async with world.db.sessions() as session:
        report = await store_report(session, filed.done)
        session.add_all(
            [
                ReportPhoto(
                    report_id=report,
                    position=position,
                    file_id=f"f{position}",
                    file_unique_id=f"u{position}",
                    mime_type="image/png, text/html",
                    stored_path=str(path),
                )
                for position, path in enumerate((polyglot, page, outside))
            ]
        )
        await session.commit()
    coordinator = await world.client("diskominfo")
    try:
        served = await coordinator.get(f"/laporan/{filed.done}/foto/0")
        assert served.status == 200
        assert served.headers["Content-Type"] == "image/gif"
        assert served.headers["X-Content-Type-Options"] == "nosniff"
        assert "sandbox" in served.headers["Content-Security-Policy"]
        assert served.headers["Content-Disposition"].startswith('inline; filename="laporan-')
        for position in (1, 2):
            refused = await coordinator.get(f"/laporan/{filed.done}/foto/{position}")
            assert refused.status == 404, position
            assert "text/html" in refused.headers["Content-Type"]
            assert "<script>alert" not in await refused.text()
    finally:
        await coordinator.close()


async def store_report(session: AsyncSession, number: str) -> int:
    found = await session.scalar(select(Report.id).where(Report.tracking_no == number))
    assert found is not None
    return found


async def test_the_list_finds_a_tracking_number_as_forgivingly_as_status_and_filters_by_area(
    world: World, filed: Filed
) -> None:
    client = await world.client("diskominfo")
    dates = "dari=2026-03-01&sampai=2026-03-31"
    try:
        for typed in (
            filed.done,  # as printed
            filed.done.replace("-", "").lower(),  # without hyphens, lower case
            filed.done.replace("-", "")[:6],  # the first six symbols
            filed.done[:4],  # the first group only
        ):
            listing = await (await client.get(f"/laporan?{dates}&nomor={typed}")).text()
            assert filed.done in listing, typed
            assert filed.road not in listing, typed
        in_area = await (await client.get(f"/laporan?{dates}&wilayah=64.08.09")).text()
        assert filed.done in in_area  # Sepaso (64.08.09.2001) lies in kecamatan 64.08.09
        response = await client.get(f"/laporan?{dates}&wilayah=64.08.01")
        assert response.status == 200  # another kecamatan of the kabupaten
        assert filed.done not in await response.text()
    finally:
        await client.close()


async def test_the_area_filter_takes_a_place_name_as_the_bot_does_and_a_bad_one_keeps_the_form(
    world: World, filed: Filed
) -> None:
    """A kecamatan or desa typed by name (any case, a typo) filters as its code does; a name
    that fits several places offers them as links; an unknown one shows the list's form again,
    with what was typed and why, instead of a page with no way back."""
    client = await world.client("diskominfo")
    dates = "dari=2026-03-01&sampai=2026-03-31"
    try:
        for typed in ("Bengalon", "sepaso", "bengalom", "Kec. Bengalon"):
            response = await client.get(f"/laporan?{dates}&wilayah={typed}")
            listing = await response.text()
            assert response.status == 200, typed
            assert filed.done in listing, typed
            assert "Kec. Bengalon (64.08.09" in listing, typed  # what it was taken as
        elsewhere = await (await client.get(f"/laporan?{dates}&wilayah=Muara Wahau")).text()
        assert filed.done not in elsewhere
        several = await client.get(f"/laporan?{dates}&wilayah=sangatta")
        text = await several.text()
        assert several.status == 400
        assert '<form class="filters"' in text
        assert "wilayah=64.08.04" in text  # pick one
        assert "wilayah=64.08.12" in text
        unknown = await client.get(f"/laporan?{dates}&wilayah=Xyzzyq&status=baru")
        text = await unknown.text()
        assert unknown.status == 400
        assert '<form class="filters"' in text  # the form again, not a dead end
        assert 'value="Xyzzyq"' in text
        assert "Xyzzyq" in text.split('<form class="filters"')[0]  # the message names it
        assert filed.done not in text
        wrong = await client.get(f"/laporan?{dates}&status=diterima")
        assert wrong.status == 400
        assert '<form class="filters"' in await wrong.text()
    finally:
        await client.close()


async def test_the_list_sorts_by_age_deadline_or_last_activity_and_shows_what_a_desk_needs(
    world: World, filed: Filed
) -> None:
    """Newest first by default; "urut" sorts oldest first, by the stage's deadline (soonest
    first, reports no unit owes work on last) or by last activity. Each row shows the stage's
    deadline and the description's first words."""
    client = await world.client("diskominfo")
    dates = "dari=2026-03-01&sampai=2026-03-31"

    async def order(sort: str) -> list[str]:
        response = await client.get(f"/laporan?{dates}&urut={sort}")
        assert response.status == 200, sort
        text = await response.text()
        numbers = (filed.done, filed.anonymous, filed.road)
        return sorted(numbers, key=lambda number: text.index(f">{number}<"))

    try:
        assert await order("") == [filed.road, filed.anonymous, filed.done]
        assert await order("lama") == [filed.done, filed.anonymous, filed.road]
        assert await order("tenggat") == [filed.anonymous, filed.road, filed.done]
        assert (await order("aktivitas"))[0] == filed.done  # rated last
        listing = await (await client.get(f"/laporan?{dates}")).text()
        assert "Sampah menumpuk di depan balai desa" in listing
        assert "Tenggat" in listing
        assert "2026-03-" in listing.split(f">{filed.anonymous}<")[1].split("</tr>")[0]
        wrong = await client.get(f"/laporan?{dates}&urut=acak")
        assert wrong.status == 400
        assert '<form class="filters"' in await wrong.text()
        kept = await (await client.get(f"/laporan?{dates}&urut=lama")).text()
        assert 'value="lama" selected' in kept  # the choice stays in the form
    finally:
        await client.close()


async def test_the_unit_filter_groups_the_desa_under_their_kecamatan(world: World) -> None:
    """About 170 units in one drop-down are found by their kecamatan: the kabupaten's own units
    first, then one group per kecamatan holding it and its desa."""
    client = await world.client("diskominfo")
    try:
        text = await (await client.get("/laporan")).text()
        select = text.split('<select name="unit">')[1].split("</select>")[0]
        groups = re.findall(r'<optgroup label="([^"]+)">(.*?)</optgroup>', select, re.S)
        labels = [label for label, _ in groups]
        assert labels[0] == "Kabupaten"
        assert "Kec. Bengalon" in labels
        bengalon = dict(groups)["Kec. Bengalon"]
        assert "Desa Sepaso" in bengalon
        assert 'value="dinas-pupr"' in dict(groups)["Kabupaten"]
        assert "Desa Sepaso" not in dict(groups)["Kabupaten"]
    finally:
        await client.close()


async def test_the_timeline_names_where_a_transferred_report_went(world: World) -> None:
    report_id, number = await world.file(category="sampah")
    await world.act(report_id, CaseAction.TRANSFER, wita(3, 4), to="dinas-pupr")
    client = await world.client("diskominfo")
    try:
        text = await (await client.get(f"/laporan/{number}")).text()
        timeline = text.split("<h2>")[-1]
        assert "Dialihkan ke Dinas" in timeline
    finally:
        await client.close()


async def test_the_overview_shows_how_long_open_reports_have_waited(
    world: World, filed: Filed
) -> None:
    """Open reports by working days since they came in, today (whatever the period): the two
    open ones came in on Monday 2 March, five working days before Monday 9 March; the finished
    one is not counted. A kecamatan's admin sees only its own."""
    client = await world.client("diskominfo")
    try:
        text = await (await client.get("/?periode=tahun")).text()
        ages = text.split("Umur laporan terbuka")[1].split("<h2>")[0]
        rows = re.findall(
            r'<span class="label">([^<]+)</span>.*?<span class="n">(\d+)</span>', ages, re.S
        )
        assert rows == [
            ("0–3 hari kerja", "0"),
            ("4–7 hari kerja", "2"),
            ("8–14 hari kerja", "0"),
            ("lebih dari 14 hari kerja", "0"),
        ]
    finally:
        await client.close()
    pupr = await world.client("dinas-pupr")
    try:
        text = await (await pupr.get("/?periode=tahun")).text()
        ages = text.split("Umur laporan terbuka")[1].split("<h2>")[0]
        assert re.findall(r'<span class="n">(\d+)</span>', ages) == ["0", "1", "0", "0"]
    finally:
        await pupr.close()


async def test_the_overview_shows_the_citizens_comments_beside_their_ratings(
    world: World,
) -> None:
    """What citizens wrote with their rating, newest first, with the rating, the unit and a
    link to the report; an anonymous reporter's comment never names them."""
    first_id, first = await world.file(category="sampah")
    second_id, second = await world.file(
        category="sampah", privacy="anonim", name=SECRET_NAME, user="43"
    )
    for report_id, when in ((first_id, 4), (second_id, 5)):
        await world.act(report_id, CaseAction.VERIFY, wita(3, when))
        await world.act(report_id, CaseAction.DONE, wita(3, when, 11))
    await world.rate(first_id, 5, "Cepat sekali, terima kasih")
    await world.rate(second_id, 2, "Baru diangkut setelah seminggu")
    client = await world.client("diskominfo")
    try:
        text = await (await client.get("/?dari=2026-03-01&sampai=2026-03-31")).text()
        said = text.split("Komentar pelapor")[1].split("<h2>")[0]
        assert said.index("Baru diangkut") < said.index("Cepat sekali")  # newest first
        assert f'href="/laporan/{first}"' in said
        assert f'href="/laporan/{second}"' in said
        assert "2/5" in said
        assert "Desa Sepaso" in said
        assert SECRET_NAME not in said
    finally:
        await client.close()


async def test_exports_and_pages_read_every_report_once_whatever_the_batch(
    world: World, filed: Filed
) -> None:
    """Reports filed on the same day are read one by one (batch of 1) and all at once alike,
    and the list's pages split them without loss."""
    from datetime import date

    from storage.console import ReportQuery, report_page, stream_reports

    query = ReportQuery(first_day=date(2026, 3, 1), last_day=date(2026, 3, 31))
    async with world.db.sessions() as session:
        one_by_one = [
            r.tracking_no async for rows in stream_reports(session, query, batch=1) for r in rows
        ]
        at_once = [r.tracking_no async for rows in stream_reports(session, query) for r in rows]
        pages = [
            [r.tracking_no for r in (await report_page(session, query, offset=n, limit=2))[0]]
            for n in (0, 2)
        ]
        ordered_in_sql = [
            [
                r.tracking_no
                for r in (await report_page(session, query, offset=n, limit=2, few=0))[0]
            ]
            for n in (0, 2)
        ]
        _, total = await report_page(session, query, offset=0, limit=2)
    everything = {filed.done, filed.anonymous, filed.road}
    assert one_by_one == at_once
    assert sorted(one_by_one) == sorted(everything)
    assert total == 3
    assert [len(p) for p in pages] == [2, 1]
    assert set(pages[0] + pages[1]) == everything
    assert pages[0][0] == filed.road  # newest first: the last one filed
    assert ordered_in_sql == pages  # many matches are ordered by the database, the same way


async def test_supporters_are_counted_in_the_list_the_page_and_the_exports(
    world: World, filed: Filed
) -> None:
    """ "Didukung N warga": one grouped count, shown in the list, on the report's page and as the
    exports' ``pendukung`` column (0 for a report nobody supports)."""
    from storage.supporters import SupporterRepository

    async with world.db.uow() as uow:
        done_id = await store_report(uow.session, filed.done)
        road_id = await store_report(uow.session, filed.road)
        for user in ("51", "52"):
            citizen = await uow.citizens.add(
                Citizen(
                    channel="telegram",
                    user_id=user,
                    chat_id=user,
                    name="Pendukung",
                    consent_at=world.clock(),
                    consent_version="1",
                    created_at=world.clock(),
                )
            )
            assert await SupporterRepository(uow.session).add(done_id, citizen.id, world.clock())
        assert await SupporterRepository(uow.session).add(road_id, citizen.id, world.clock())
        await uow.commit()
    client = await world.client("diskominfo")
    try:
        listing = await (await client.get("/laporan?periode=30")).text()
        page = await (await client.get(f"/laporan/{filed.done}")).text()
        raw_csv = await export(client, "csv")
        raw_xlsx = await export(client, "xlsx")
    finally:
        await client.close()
    assert "<th>Pendukung</th>" in listing
    assert "<dt>Pendukung</dt><dd>2</dd>" in page
    rows = list(csv.reader(io.StringIO(raw_csv.decode("utf-8-sig")), delimiter=";"))
    assert rows[0][-1] == "Pendukung"
    by_number = {r[0]: r for r in rows[1:]}
    assert by_number[filed.done][-1] == "2"
    assert by_number[filed.road][-1] == "1"
    assert by_number[filed.anonymous][-1] == "0"
    sheet = load_workbook(io.BytesIO(raw_xlsx), read_only=True).active
    assert sheet is not None
    table = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert table[0][-1] == "Pendukung"
    counts = {r[0]: r[-1] for r in table[1:]}
    assert counts == {filed.done: 2, filed.road: 1, filed.anonymous: 0}
    row_of = {n: listing.split(f">{n}</a>")[1].split("</tr>")[0] for n in (filed.done, filed.road)}
    assert row_of[filed.done].endswith("<td>2</td>")
    assert row_of[filed.road].endswith("<td>1</td>")
