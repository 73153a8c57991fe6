"""Finding reports in the console's list, on SQLite (FTS5) and PostgreSQL (tsvector, GIN):
"Cari" over the description, the address and the timeline's searchable notes, combined with the
other filters and scoped to the viewer; a tracking number typed there opens its report; each
person's saved views; and the list's photo thumbnails (tests/integration/test_console.py's
world: Monday 2 March 2026, desa Sepaso, Dinas PUPR and the coordinator)."""

from __future__ import annotations

import asyncio
import io
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import inspect, text, update

from core.permissions import CaseAction
from storage.console import ReportQuery, report_page
from storage.db import create_engine, session_factory, upgrade_sync
from storage.media_store import carries_metadata
from storage.models import Report, ReportPhoto
from tests.images import jpeg_with_identity
from tests.integration.console_forms import form_token, post_form
from tests.integration.database import Database
from tests.integration.test_console import (
    SECRET_NAME,
    SECRET_USERNAME,
    World,
    opened_world,
    wita,
)
from tests.integration.test_migrations import _downgrade

DATES = "dari=2026-03-01&sampai=2026-03-31"


@pytest.fixture
async def world(database_url: str, tmp_path: Path) -> AsyncIterator[World]:
    async with opened_world(Database(database_url), tmp_path) as found:
        yield found


@dataclass
class Found:
    road: str  # Sepaso: "Jalannya rusak …", answered "Sudah kami ukur …"
    lamp: str  # Sepaso: "Lampu jalan mati …" at "Gang Mawar RT 05", transferred to PUPR
    bridge: str  # Dinas PUPR: "Jembatan kayu lapuk …"


@pytest.fixture
async def found(world: World) -> Found:
    road_id, road = await world.file(
        category="sampah", description="Jalannya rusak parah di depan sekolah"
    )
    lamp_id, lamp = await world.file(
        category="sampah",
        description="Lampu jalan mati sejak minggu lalu",
        address="Gang Mawar RT 05",
    )
    _, bridge = await world.file(category="jalan", description="Jembatan kayu lapuk dan licin")
    await world.act(road_id, CaseAction.VERIFY, wita(3, 3), note="")
    await world.act(road_id, CaseAction.NOTE, wita(3, 4), note="Sudah kami ukur, aspal dipesan")
    # A transfer's reason is not among the searchable notes (core.timeline.SEARCHABLE_KINDS).
    await world.act(lamp_id, CaseAction.TRANSFER, wita(3, 4), to="dinas-pupr", note="Wewenang PLN")
    return Found(road, lamp, bridge)


def _numbers(page: str) -> set[str]:
    return set(re.findall(r'href="/laporan/([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z])"', page))


async def test_search_finds_description_address_and_answers_by_word_starts(
    world: World, found: Found
) -> None:
    client = await world.client("diskominfo")
    try:

        async def listed(words: str, extra: str = "") -> set[str]:
            response = await client.get(f"/laporan?{DATES}&cari={words}{extra}")
            assert response.status == 200, words
            return _numbers(await response.text())

        every = {found.road, found.lamp, found.bridge}
        assert await listed("jalan") == {found.road, found.lamp}  # "Jalannya" and "jalan"
        assert await listed("jalan rusak") == {found.road}  # every word must match
        assert await listed("JALAN   Rusak!") == {found.road}
        assert await listed("mawar rt") == {found.lamp}  # the address
        assert await listed("aspal") == {found.road}  # the unit's follow-up note
        assert await listed("ukur jalan") == {found.road}  # a note's word and a description's
        assert await listed("wewenang") == set()  # a transfer's reason is not searched
        assert await listed("usak") == set()  # the start of a word, not its middle
        assert await listed("jalan", "&status=selesai") == set()
        assert await listed("jalan", "&status=diproses") == {found.road}
        assert await listed("jalan", "&urut=lama") == {found.road, found.lamp}
        assert await listed("jalan", "&unit=dinas-pupr") == {found.lamp}  # transferred
        assert await listed("") == every
        assert await listed("a") == every  # one letter is no search
        page = await (await client.get(f"/laporan?{DATES}&cari=jalan+rusak")).text()
        assert 'name="cari" value="jalan rusak"' in page
        assert "cari=jalan+rusak" in page  # kept in the pager's and exports' fields
    finally:
        await client.close()


async def test_search_is_kept_up_to_date_and_scoped_to_the_viewer(
    world: World, found: Found
) -> None:
    async with world.db.sessions() as session:
        await session.execute(
            update(Report)
            .where(Report.tracking_no == found.bridge)
            .values(description="Jembatan besi berkarat")
        )
        await session.commit()
    desa = await world.client("desa-64-08-09-2001")
    pupr = await world.client("dinas-pupr")
    try:
        assert _numbers(await (await pupr.get(f"/laporan?{DATES}&cari=kayu")).text()) == set()
        mine = _numbers(await (await pupr.get(f"/laporan?{DATES}&cari=besi")).text())
        assert mine == {found.bridge}
        # PUPR holds the lamp now (transferred); the road stays the desa's.
        assert _numbers(await (await pupr.get(f"/laporan?{DATES}&cari=jalan")).text()) == {
            found.lamp
        }
        assert _numbers(await (await desa.get(f"/laporan?{DATES}&cari=jalan")).text()) == {
            found.road
        }
        assert _numbers(await (await desa.get(f"/laporan?{DATES}&cari=besi")).text()) == set()
    finally:
        await desa.close()
        await pupr.close()


async def test_search_never_finds_a_reporter_by_name(world: World, found: Found) -> None:
    """The reporter's name and username are not searched: only what the report page shows to
    every viewer (an anonymous reporter's words, not who they are)."""
    _, hidden = await world.file(
        category="sampah",
        privacy="anonim",
        name=SECRET_NAME,
        user="43",
        description="Saluran tersumbat di belakang pasar",
    )
    client = await world.client("diskominfo")
    try:
        for words in (SECRET_NAME, SECRET_USERNAME, "sutrisno"):
            listing = await (await client.get(f"/laporan?{DATES}&cari={words}")).text()
            assert _numbers(listing) == set(), words
        listing = await (await client.get(f"/laporan?{DATES}&cari=saluran")).text()
        assert _numbers(listing) == {hidden}
        assert SECRET_NAME not in listing
    finally:
        await client.close()


async def test_a_tracking_number_typed_in_search_opens_its_report_if_the_viewer_may_see_it(
    world: World, found: Found
) -> None:
    desa = await world.client("desa-64-08-09-2001")
    try:
        typed = found.road.lower().replace("-", " ")
        response = await desa.get(f"/laporan?cari={typed}", allow_redirects=False)
        assert response.status == 303
        assert response.headers["Location"] == f"/laporan/{found.road}"
        other = await desa.get(f"/laporan?cari={found.bridge}", allow_redirects=False)
        assert other.status == 200  # searched as words: nothing of another unit's
        assert found.bridge not in _numbers(await other.text())
    finally:
        await desa.close()


async def test_saved_views_belong_to_the_person_who_saved_them(world: World, found: Found) -> None:
    rina = await world.client("desa-64-08-09-2001", user="901")
    budi = await world.client("desa-64-08-09-2001", user="902")
    try:
        saved = await post_form(
            rina,
            "/tampilan",
            {"nama": "Jalan rusak di desa", "tampilan": f"cari=jalan+rusak&{DATES}&urut=lama"},
        )
        assert saved.status == 200  # followed the 303 to the view itself
        assert _numbers(await saved.text()) == {found.road}
        listing = await (await rina.get("/laporan")).text()
        link = re.search(r'<a href="(/laporan\?[^"]*)">Jalan rusak di desa</a>', listing)
        assert link is not None
        assert "cari=jalan+rusak" in link.group(1)
        assert "urut=lama" in link.group(1)
        assert "Jalan rusak di desa" not in await (await budi.get("/laporan")).text()
        view_id = re.search(r'name="id" value="([0-9]+)"', listing)
        assert view_id is not None
        # Budi cannot delete Rina's view, nor can a form without the page's token.
        assert (await post_form(budi, "/tampilan/hapus", {"id": view_id.group(1)})).status == 404
        forged = await rina.post("/tampilan/hapus", data={"id": view_id.group(1)})
        assert forged.status == 403
        forged_save = await rina.post("/tampilan", data={"nama": "x", "tampilan": "cari=x"})
        assert forged_save.status == 403
        assert "Jalan rusak di desa" in await (await rina.get("/laporan")).text()
        # A bad filter or no name is refused and nothing is saved.
        bad = await post_form(rina, "/tampilan", {"nama": "salah", "tampilan": "status=hilang"})
        assert bad.status == 400
        nameless = await post_form(rina, "/tampilan", {"nama": "  ", "tampilan": "cari=x"})
        assert nameless.status == 400
        gone = await post_form(rina, "/tampilan/hapus", {"id": view_id.group(1)})
        assert gone.status == 200
        after = await (await rina.get("/laporan")).text()
        assert "Jalan rusak di desa" not in after
        assert "salah" not in after
        assert await form_token(rina, "/laporan")  # the save form is on the list
    finally:
        await rina.close()
        await budi.close()


async def test_a_period_shortcut_is_saved_as_a_shortcut(world: World, found: Found) -> None:
    client = await world.client("diskominfo")
    try:
        await post_form(client, "/tampilan", {"nama": "bulan ini", "tampilan": "periode=bulan"})
        listing = await (await client.get("/laporan")).text()
        assert '<a href="/laporan?periode=bulan">bulan ini</a>' in listing
    finally:
        await client.close()


async def test_the_list_shows_a_clean_thumbnail_of_the_first_photo_to_who_may_see_it(
    world: World, found: Found
) -> None:
    folder = world.config.media_dir / "1"
    folder.mkdir(parents=True)
    big = Image.open(io.BytesIO(jpeg_with_identity())).resize((800, 600))
    with_gps = io.BytesIO()
    big.save(with_gps, "JPEG", exif=Image.open(io.BytesIO(jpeg_with_identity())).getexif())
    (folder / "a.jpg").write_bytes(with_gps.getvalue())
    async with world.db.sessions() as session:
        report_id = await session.scalar(
            text("SELECT id FROM reports WHERE tracking_no = :n").bindparams(n=found.road)
        )
        session.add_all(
            [
                ReportPhoto(
                    report_id=report_id,
                    position=2,
                    file_id="b",
                    file_unique_id="ub",
                    stored_path=str(folder / "a.jpg"),
                ),
                ReportPhoto(report_id=report_id, position=1, file_id="a", file_unique_id="ua"),
            ]
        )
        await session.commit()
    desa = await world.client("desa-64-08-09-2001")
    pupr = await world.client("dinas-pupr")
    try:
        listing = await (await desa.get(f"/laporan?{DATES}")).text()
        assert f'src="/laporan/{found.road}/kecil"' in listing
        assert f'src="/laporan/{found.lamp}/kecil"' not in listing  # no photo
        small = await desa.get(f"/laporan/{found.road}/kecil")
        assert small.status == 200
        assert small.headers["Content-Type"] == "image/jpeg"
        body = await small.read()
        assert not carries_metadata(body)
        assert max(Image.open(io.BytesIO(body)).size) == 160
        assert len(list((world.config.media_dir / "thumbs").iterdir())) == 1  # kept once
        again = await desa.get(f"/laporan/{found.road}/kecil")
        assert await again.read() == body
        assert (await pupr.get(f"/laporan/{found.road}/kecil")).status == 403
        assert f"/laporan/{found.road}/kecil" not in await (await pupr.get("/laporan")).text()
        assert (await desa.get(f"/laporan/{found.lamp}/kecil")).status in (403, 404)
        assert (await pupr.get(f"/laporan/{found.bridge}/kecil")).status == 404  # no photo
    finally:
        await desa.close()
        await pupr.close()


async def test_rows_written_before_the_search_migration_are_found_and_a_downgrade_removes_it(
    database_url: str,
) -> None:
    """Upgrading from 0013 indexes the reports and notes already there (SQLite's FTS tables are
    rebuilt from them; PostgreSQL's indexes cover them); downgrading removes the search and the
    saved views, and reports and events can be written after it."""
    await asyncio.to_thread(upgrade_sync, database_url, "0013")
    engine = create_engine(database_url)
    stamp = "'2026-03-02 01:00:00'"
    citizen = (
        "INSERT INTO citizens (channel, user_id, chat_id, name, username, language, consent_at,"
        f" consent_version, created_at) VALUES ('telegram', '1', '1', '', '', 'id', {stamp}, '1',"
        f" {stamp})"
    )

    def report(number: str, description: str) -> str:
        return (
            "INSERT INTO reports (tracking_no, citizen_id, channel, report_type, category,"
            " region_code, address_detail, description, privacy, status, created_at, updated_at,"
            f" rating_comment, stage_paused, reopened) VALUES ('{number}', 1, 'telegram',"
            f" 'pengaduan', 'sampah', '64.08', 'Gang Kenari', '{description}', 'biasa', 'baru',"
            f" {stamp}, {stamp}, '', 0, false)"
        )

    def event(kind: str, note: str) -> str:
        return (
            "INSERT INTO report_events (report_id, kind, actor, note, created_at) VALUES"
            f" (1, '{kind}', 'unit:1', '{note}', {stamp})"
        )

    try:
        async with engine.begin() as connection:
            await connection.execute(text(citizen))
            await connection.execute(text(report("OLD", "Jalan berlubang besar")))
            await connection.execute(text(event("tl", "Aspal sudah dipesan")))
            await connection.execute(text(event("tr", "Wewenang provinsi")))
        await asyncio.to_thread(upgrade_sync, database_url, "head")
        sessions = session_factory(engine)
        async with sessions() as session:
            for words, expected in (
                (("berlubang",), ["OLD"]),
                (("kenari",), ["OLD"]),
                (("aspal", "jalan"), ["OLD"]),
                (("wewenang",), []),
            ):
                found, _ = await report_page(session, ReportQuery(words=words), offset=0, limit=9)
                assert [r.tracking_no for r in found] == expected, words
        await asyncio.to_thread(_downgrade, database_url, "0013")
        async with engine.begin() as connection:
            await connection.execute(text(report("NEW", "Ditulis setelah turun versi")))
            await connection.execute(text(event("tl", "masih bisa")))
            tables = await connection.run_sync(lambda c: set(inspect(c).get_table_names()))
        assert not {"console_views", "report_search", "report_event_search"} & tables
    finally:
        await engine.dispose()


async def test_internal_notes_are_searched_by_those_who_read_them_only(
    world: World, found: Found
) -> None:
    """The desa holding the road report and the coordinator find it by its internal note's
    word; the kecamatan, which lists the desa's reports but never reads their notes, does not
    (a match would tell what the note says)."""
    async with world.db.sessions() as session:
        road_id = (
            await session.execute(
                text("SELECT id FROM reports WHERE tracking_no = :t"), {"t": found.road}
            )
        ).scalar_one()
    await world.act(road_id, CaseAction.INTERNAL_NOTE, wita(3, 5), note="Tunggu anggaran zirkonium")
    clients = {
        code: await world.client(code)
        for code in ("diskominfo", "desa-64-08-09-2001", "kec-64-08-09", "dinas-pupr")
    }
    try:
        seen = {
            code: _numbers(await (await client.get(f"/laporan?{DATES}&cari=zirkonium")).text())
            for code, client in clients.items()
        }
        assert seen == {
            "diskominfo": {found.road},
            "desa-64-08-09-2001": {found.road},
            "kec-64-08-09": set(),
            "dinas-pupr": set(),
        }
        kecamatan = clients["kec-64-08-09"]
        listed = _numbers(await (await kecamatan.get(f"/laporan?{DATES}&cari=jalan")).text())
        assert found.road in listed  # the kecamatan does list the report itself
    finally:
        for client in clients.values():
            await client.close()
