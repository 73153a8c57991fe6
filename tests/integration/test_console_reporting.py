"""The console's reporting views and files: the period shortcuts on the pages, and the rekap
listing every unit in the viewer's reach, those without reports as zeros (the fixtures of
tests/integration/test_console.py: three reports filed on Monday 2 March 2026)."""

from __future__ import annotations

import asyncio
import csv
import io
import re
import zipfile
from datetime import date, datetime
from typing import Any

import pytest
from openpyxl import load_workbook
from openpyxl.cell.cell import Cell
from openpyxl.worksheet.worksheet import Worksheet

from core.permissions import CaseAction
from core.timeline import EventKind
from storage.media_store import carries_metadata
from storage.models import ReportEvent, ReportPhoto
from tests.images import assert_clean, jpeg_with_identity, png_with_identity
from tests.integration.console_forms import export, post_form
from tests.integration.test_console import (
    SECRET_NAME,
    SECRET_USERNAME,
    Filed,
    World,
    _xlsx_text,
    filed,
    store_report,
    wita,
    world,
)
from web.console import lapor_zip

__all__ = ["filed", "world"]  # the fixtures, shared with test_console.py


async def test_the_period_shortcuts_name_whole_months_quarters_and_halves(
    world: World, filed: Filed
) -> None:
    world.clock.set(world.clock().replace(month=4, day=8))  # Wednesday 8 April 2026
    client = await world.client("diskominfo")
    try:
        page = await (await client.get("/?periode=bulan_lalu")).text()
        assert "2026-03-01" in page
        assert "2026-03-31" in page
        assert "Bulan lalu" in page
        assert "Triwulan lalu" in page
        assert "Semester ini" in page
        listing = await (await client.get("/laporan?periode=triwulan_lalu")).text()
        assert filed.done in listing
        assert filed.road in listing
        quarter = await (await client.get("/laporan?periode=triwulan")).text()
        assert filed.done not in quarter  # April only
        english = await (await client.get("/?periode=semester&lang=en")).text()
        assert "2026-01-01" in english
        assert "This half-year" in english
    finally:
        await client.close()


async def _rekap(world: World, unit: str) -> dict[str, list[object]]:
    client = await world.client(unit)
    try:
        response = await post_form(
            client, "/ekspor", {"format": "rekap", "dari": "2026-03-01", "sampai": "2026-03-31"}
        )
        assert response.status == 200
        data = await response.read()
    finally:
        await client.close()
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet is not None
    return {str(r[0]): list(r) for r in sheet.iter_rows(min_row=3, values_only=True)}


async def test_the_rekap_lists_every_unit_in_reach_those_without_reports_as_zeros(
    world: World, filed: Filed
) -> None:
    everyone = await _rekap(world, "diskominfo")
    assert everyone["Desa Sepaso"][1] == 2
    # A unit nobody reported to this month: a row of zeros, its shares and medians empty.
    assert everyone["Dinas Kesehatan"][1:] == [
        0,
        None,
        None,
        None,
        None,
        None,
        None,
        0,
        0,
        None,
        None,
    ]
    assert everyone["Total"][1] == 3
    assert len(everyone) > 100  # every desa, kecamatan and OPD of Kutai Timur
    kecamatan = await _rekap(world, "kec-64-08-09")
    assert kecamatan["Desa Sepaso"][1] == 2
    assert kecamatan["Kecamatan Bengalon"][1] == 0
    assert "Dinas Kesehatan" not in kecamatan  # outside its reach
    assert kecamatan["Total"][1] == 2


# --- files ready to hand on -------------------------------------------------------------------

BOM = "\ufeff"


async def _files(world: World, unit: str, *kinds: str) -> list[bytes]:
    client = await world.client(unit)
    try:
        return [await export(client, kind) for kind in kinds]
    finally:
        await client.close()


def _sheet(data: bytes) -> Worksheet:
    sheet = load_workbook(io.BytesIO(data)).active
    assert isinstance(sheet, Worksheet)
    return sheet


def _by_header(sheet: Worksheet) -> list[dict[str, Any]]:
    rows = list(sheet.iter_rows(values_only=True))
    return [dict(zip(map(str, rows[0]), r, strict=True)) for r in rows[1:]]


def _day(value: object) -> date:
    """A date cell's day (openpyxl reads date cells as datetimes)."""
    assert isinstance(value, datetime), value
    return value.date()


async def test_the_xlsx_has_date_cells_widths_a_frozen_header_and_a_filter(
    world: World, filed: Filed
) -> None:
    (raw,) = await _files(world, "diskominfo", "xlsx")
    sheet = _sheet(raw)
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:O4"  # the header and three reports
    assert all(sheet.column_dimensions[c].width >= 10 for c in "ABCDEFGHIJKLMNO")
    done = next(r for r in sheet.iter_rows(min_row=2) if r[0].value == filed.done)
    assert isinstance(done[1], Cell)
    assert done[1].is_date
    assert _day(done[1].value) == date(2026, 3, 2)
    assert _day(done[4].value) == date(2026, 3, 6)  # finished
    assert done[1].number_format == "yyyy-mm-dd"
    late = next(r for r in sheet.iter_rows(min_row=2) if r[0].value == filed.anonymous)
    assert late[2].value in (None, "")  # never verified: an empty cell, not a date


async def test_the_csv_has_a_bom_and_semicolons_and_commas_on_request(
    world: World, filed: Filed
) -> None:
    semicolons, commas = await _files(world, "diskominfo", "csv", "csv_koma")
    text = semicolons.decode("utf-8")
    assert text.startswith(BOM)
    rows = list(csv.reader(io.StringIO(text[1:]), delimiter=";"))
    assert rows[0][:2] == ["Nomor laporan", "Tanggal masuk"]
    assert len(rows[0]) == 15
    assert {r[0] for r in rows[1:]} == {filed.done, filed.anonymous, filed.road}
    plain = commas.decode("utf-8")
    assert plain.startswith(BOM)
    assert list(csv.reader(io.StringIO(plain[1:])))[1:] == rows[1:]


async def test_the_full_export_has_the_report_its_place_answers_and_every_stage(
    world: World, filed: Filed
) -> None:
    (raw,) = await _files(world, "diskominfo", "lengkap")
    sheet = _sheet(raw)
    assert sheet.freeze_panes == "A2"
    rows = {r["Nomor laporan"]: r for r in _by_header(sheet)}
    done = rows[filed.done]
    assert done["Uraian laporan"] == "Sampah menumpuk di depan balai desa"
    assert _day(done["Tanggal masuk"]) == date(2026, 3, 2)
    assert _day(done["Tanggal verifikasi"]) == date(2026, 3, 4)
    assert _day(done["Tanggal tindak lanjut pertama"]) == date(2026, 3, 5)
    assert _day(done["Tanggal selesai"]) == date(2026, 3, 6)
    assert done["Jawaban unit"] == "2026-03-05: catatan\n2026-03-06: catatan"
    assert done["Lintang"] is None  # filed without a GPS point
    assert "Alamat" in done
    assert "Bujur" in done
    assert rows[filed.anonymous]["Jawaban unit"] in (None, "")
    assert SECRET_NAME not in _xlsx_text(raw)


async def test_the_lapor_sheet_names_biasa_reporters_never_anonim_and_rahasia_to_the_coordinator(
    world: World, filed: Filed
) -> None:
    await world.file(category="sampah", privacy="rahasia", name="Rina Rahasia", user="45")
    (coordinator,) = await _files(world, "diskominfo", "lapor")
    (kecamatan,) = await _files(world, "kec-64-08-09", "lapor")
    rows = {r["Nomor Pelacakan Kanal Aduan"]: r for r in _by_header(_sheet(coordinator))}
    done = rows[filed.done]
    assert done["Nama Pelapor"] == "Siti"
    assert done["Tanggapan"] == "2026-03-05: catatan\n2026-03-06: catatan"
    assert _day(done["Tanggal Disposisi"]) == date(2026, 3, 4)
    assert _day(done["Tanggal Selesai"]) == date(2026, 3, 6)
    assert _day(done["Tanggal"]) == date(2026, 3, 2)
    assert rows[filed.anonymous]["Nama Pelapor"] in (None, "")
    assert SECRET_NAME not in _xlsx_text(coordinator)
    assert SECRET_USERNAME not in _xlsx_text(coordinator)
    assert "Rina Rahasia" in _xlsx_text(coordinator)
    assert "Rina Rahasia" not in _xlsx_text(kecamatan)  # a unit's export: never rahasia
    assert "Siti" in _xlsx_text(kecamatan)


# --- the overview beside the period before ----------------------------------------------------


def _cards(page: str) -> dict[str, tuple[str, str, str]]:
    """Each headline card: name → (value, the words about the period before, the change's tone)."""
    found = re.findall(
        r'<div class="v">([^<]*)</div><div class="k">([^<]*)</div><div class="was">([^<]*)'
        r'<span class="change ?([a-z]*)">([^<]*)</span>',
        page,
    )
    return {name: (value, f"{was}{change}", tone) for value, name, was, tone, change in found}


async def test_every_headline_figure_stands_beside_the_period_before(
    world: World, filed: Filed
) -> None:
    """March holds the three reports, February none; April none again: March is April's period
    before. Late is bad news, so fewer late reports is green; received is neither."""
    client = await world.client("diskominfo")
    try:
        march = await (await client.get("/?dari=2026-03-01&sampai=2026-03-31")).text()
        april = await (await client.get("/?dari=2026-04-01&sampai=2026-04-30")).text()
        english = await (await client.get("/?dari=2026-04-01&sampai=2026-04-30&lang=en")).text()
    finally:
        await client.close()
    assert "periode sebelumnya (2026-02-01 s.d. 2026-02-28)" in march
    assert 'href="/?dari=2026-02-01&amp;sampai=2026-02-28"' in march
    cards = _cards(march)
    assert cards["Laporan masuk"] == ("3", "Sebelumnya 0 · ▲ naik 3", "")
    assert cards["Selesai"] == ("1", "Sebelumnya 0 · ▲ naik 1", "good")
    assert cards["Terlambat sekarang"] == ("2", "Sebelumnya 0 · ▲ naik 2", "bad")
    assert cards["Rata-rata penilaian"] == ("5,0", "Sebelumnya – · belum bisa dibandingkan", "")
    assert len(cards) == 12  # every headline figure has its comparison
    cards = _cards(april)
    assert "2026-03-01 s.d. 2026-03-31" in april
    assert cards["Laporan masuk"] == ("0", "Sebelumnya 3 · ▼ turun 3", "")
    assert cards["Terlambat sekarang"] == ("0", "Sebelumnya 2 · ▼ turun 2", "good")
    assert cards["Selesai"] == ("0", "Sebelumnya 1 · ▼ turun 1", "bad")
    assert cards["Diverifikasi tepat waktu"][1] == "Sebelumnya 33% · belum bisa dibandingkan"
    assert _cards(english)["Reports received"] == ("0", "Before 3 · ▼ down 3", "")


# --- category × unit and category × kecamatan ---------------------------------------------------


def _cross_rows(page: str, heading: str) -> list[list[str]]:
    """The rows of the table under ``heading``: each cell's text (links' words)."""
    part = page.split(f"<h2>{heading}</h2>", 1)[1].split("</table>", 1)[0]
    rows = re.findall(r"<tr>(.*?)</tr>", part.split("<tbody>", 1)[1], re.S)
    return [[re.sub(r"<[^>]+>", "", c) for c in re.findall(r"<td>(.*?)</td>", r)] for r in rows]


async def test_categories_are_counted_per_unit_and_per_kecamatan_in_the_viewers_reach(
    world: World, filed: Filed
) -> None:
    """Two sampah reports at Desa Sepaso (one finished, one late and open) and a jalan report
    at Dinas PUPR (open, late), all in Sepaso, Kecamatan Bengalon. The kecamatan sees its
    desa's reports only; each row leads to the list of exactly those reports."""
    client = await world.client("diskominfo")
    try:
        page = await (await client.get("/silang?dari=2026-03-01&sampai=2026-03-31")).text()
        listing = await (
            await client.get(
                "/laporan?dari=2026-03-01&sampai=2026-03-31&kategori=sampah&unit=desa-64-08-09-2001"
            )
        ).text()
    finally:
        await client.close()
    assert _cross_rows(page, "Kategori × unit") == [
        ["Jalan &amp; Jembatan", "Dinas Pekerjaan Umum dan Penataan Ruang", "1", "1", "1"],
        ["Sampah &amp; Lingkungan", "Desa Sepaso", "2", "1", "1"],
    ]
    assert _cross_rows(page, "Kategori × kecamatan") == [
        ["Jalan &amp; Jembatan", "Bengalon", "1", "1", "1"],
        ["Sampah &amp; Lingkungan", "Bengalon", "2", "1", "1"],
    ]
    assert (
        'href="/laporan?dari=2026-03-01&amp;sampai=2026-03-31&amp;unit=desa-64-08-09-2001'
        '&amp;kategori=sampah"' in page
    )
    assert 'wilayah=64.08.09&amp;kategori=jalan"' in page
    assert filed.done in listing
    assert filed.anonymous in listing
    assert filed.road not in listing
    kecamatan = await world.client("kec-64-08-09")
    try:
        own = await (await kecamatan.get("/silang?dari=2026-03-01&sampai=2026-03-31")).text()
        april = await (await kecamatan.get("/silang?dari=2026-04-01&sampai=2026-04-30")).text()
    finally:
        await kecamatan.close()
    assert _cross_rows(own, "Kategori × unit") == [
        ["Sampah &amp; Lingkungan", "Desa Sepaso", "2", "1", "1"]
    ]
    assert "Dinas Pekerjaan Umum" not in own
    assert april.count("Belum ada data.") == 2


# --- who acted how often ------------------------------------------------------------------------


async def test_the_officers_page_counts_each_officers_steps_in_the_viewers_reach(
    world: World, filed: Filed
) -> None:
    """Dewi verified, followed up and finished the done report for Desa Sepaso in March; she
    then transfers the road report for Dinas PUPR (as its officer). The coordinator sees both
    rows, the kecamatan its desa's, Dinas PUPR its own; April has nobody."""
    async with world.db.uow() as uow:
        road = await uow.reports.by_tracking_number(filed.road)
        assert road is not None
    await world.act(road.id, CaseAction.TRANSFER, wita(3, 10), to="desa-64-08-09-2001")

    async def rows(unit: str, dates: str = "dari=2026-03-01&sampai=2026-03-31") -> list[list[str]]:
        client = await world.client(unit)
        try:
            page = await (await client.get(f"/petugas?{dates}")).text()
        finally:
            await client.close()
        if "<tbody>" not in page:
            return []
        body = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
        return [re.findall(r"<td>(?:<strong>)?([^<]*)", r) for r in body.split("</tr>")[:-1]]

    # Officer, unit, verified, asked, answered, followed up, finished, transferred, archived, all.
    sepaso = ["Dewi", "Desa Sepaso", "1", "0", "0", "1", "1", "0", "0", "3"]
    pupr = ["Dewi", "Dinas Pekerjaan Umum dan Penataan Ruang", "0", "0", "0", "0", "0", "1", "0"]
    assert await rows("diskominfo") == [sepaso, [*pupr, "1"]]
    assert await rows("kec-64-08-09") == [sepaso]
    assert await rows("dinas-pupr") == [[*pupr, "1"]]
    assert await rows("diskominfo", "dari=2026-04-01&sampai=2026-04-30") == []


# --- a report's page on paper -------------------------------------------------------------------


async def test_a_reports_page_prints_without_forms_or_internal_entries(
    world: World, filed: Filed
) -> None:
    """The page says how to print it (no script: the console's pages run none) and carries the
    print stylesheet; the reminder engine's entries are marked to be left off the paper; an
    anonymous reporter is named on paper no more than on screen."""
    async with world.db.uow() as uow:
        report = await uow.reports.by_tracking_number(filed.anonymous)
        assert report is not None
        uow.session.add(
            ReportEvent(
                report_id=report.id,
                kind=EventKind.REMINDER,
                actor="sistem",
                note="day",
                unit_id=report.unit_id,
                created_at=wita(3, 6),
            )
        )
        await uow.commit()
    client = await world.client("diskominfo")
    try:
        page = await (await client.get(f"/laporan/{filed.anonymous}")).text()
        css = await (await client.get("/static/console.css")).text()
    finally:
        await client.close()
    assert "<script" not in page
    assert "Untuk mencetak, tekan Ctrl+P" in page
    rows = re.findall(r"<tr( class=\"internal\")?><td>2026-03-0(\d)", page)
    assert ("", "2") in rows  # filed: printed
    assert (' class="internal"', "6") in rows  # the reminder: not printed
    assert "@page { size: A4" in css
    assert "tr.internal" in css.split("@media print", 1)[1]
    assert SECRET_NAME not in page
    assert SECRET_USERNAME not in page
    assert "Dicetak dari konsol Kanal Aduan, 2026-03-09 10:00." in page


# --- the monthly summary for the Bupati ---------------------------------------------------------


async def test_the_monthly_summary_holds_the_month_the_month_before_charts_and_late_units(
    world: World, filed: Filed
) -> None:
    """On 9 March the summary is February's by default (nothing in it); ``bulan=2026-03`` is
    March so far: the figures beside February, the charts as SVG shapes (no inline style for
    the policy to block), the units with late reports; a kecamatan's summary is its own."""
    client = await world.client("diskominfo")
    try:
        default = await (await client.get("/ringkasan")).text()
        march = await client.get("/ringkasan?bulan=2026-03")
        text = await march.text()
        bad = await client.get("/ringkasan?bulan=2026-13")
        bad_text = await bad.text()
    finally:
        await client.close()
    assert "Ringkasan bulanan: Februari 2026" in default
    assert "Ringkasan bulanan: Maret 2026" in text
    assert "laporan masuk 2026-03-01 s.d. 2026-03-09, dibandingkan dengan 2026-02-01" in text
    assert _cards(text)["Laporan masuk"] == ("3", "Sebelumnya 0 · ▲ naik 3", "")
    assert "style=" not in text
    assert "<script" not in text
    assert "'unsafe-inline'" not in march.headers["Content-Security-Policy"]
    charts = re.findall(r'<svg class="chart[^"]*" viewBox="0 0 400 (\d+)"', text)
    assert len(charts) == 3  # weeks, categories, ageing
    categories = text.split("Kategori terbanyak", 1)[1].split("</svg>", 1)[0]
    assert re.findall(r'class="lbl">([^<]+)</text>.*?class="val">(\d+)<', categories) == [
        ("Sampah &amp; Lingkungan", "2"),
        ("Jalan &amp; Jembatan", "1"),
    ]
    late = text.split("Unit dengan laporan terlambat", 1)[1].split("</table>", 1)[0]
    assert "Desa Sepaso" in late
    assert "Dinas Pekerjaan Umum" in late
    assert bad.status == 400
    assert "Tulis seperti 2026-11" in bad_text
    kecamatan = await world.client("kec-64-08-09")
    try:
        own = await (await kecamatan.get("/ringkasan?bulan=2026-03")).text()
    finally:
        await kecamatan.close()
    assert _cards(own)["Laporan masuk"][0] == "2"
    assert "Dinas Pekerjaan Umum" not in own


# --- the SP4N-LAPOR! sheet with its photos, in one ZIP -------------------------------------------


async def with_photos(world: World, filed: Filed) -> None:
    """The anonymous report gets a JPEG whose EXIF and comment name its owner (stored as it
    came, as a file stored before photos were cleaned would be), the done one a PNG with text
    chunks naming theirs, and a photo whose file is gone."""
    folder = world.config.media_dir / "zip"
    await asyncio.to_thread(folder.mkdir, parents=True)
    for name, content in (("a.jpg", jpeg_with_identity()), ("b.png", png_with_identity())):
        await asyncio.to_thread((folder / name).write_bytes, content)
    async with world.db.sessions() as session:
        anonymous = await store_report(session, filed.anonymous)
        done = await store_report(session, filed.done)
        for report, position, stored in (
            (anonymous, 0, folder / "a.jpg"),
            (done, 0, folder / "b.png"),
            (done, 1, folder / "gone.jpg"),
        ):
            session.add(
                ReportPhoto(
                    report_id=report,
                    position=position,
                    file_id=f"f{report}{position}",
                    file_unique_id=f"u{report}{position}",
                    mime_type="image/jpeg",
                    stored_path=str(stored),
                )
            )
        await session.commit()


async def test_the_lapor_zip_holds_the_sheet_and_clean_photos_named_by_tracking_number(
    world: World, filed: Filed
) -> None:
    await with_photos(world, filed)
    client = await world.client("diskominfo")
    try:
        data = {"format": "lapor_zip", "dari": "2026-03-01", "sampai": "2026-03-31"}
        response = await post_form(client, "/ekspor", data)
        assert response.status == 200
        assert response.headers["Content-Type"] == "application/zip"
        assert "sp4n-lapor-2026-03-01-2026-03-31.zip" in response.headers["Content-Disposition"]
        raw = await response.read()
        listing = await (await client.get("/laporan?periode=30")).text()
    finally:
        await client.close()
    assert "SP4N-LAPOR! dengan foto (ZIP)" in listing  # the list's button
    with zipfile.ZipFile(io.BytesIO(raw)) as archive:
        names = sorted(archive.namelist())
        files = {name: archive.read(name) for name in names}
    photos = sorted([f"foto/{filed.anonymous}-1.jpg", f"foto/{filed.done}-1.jpg"])
    book = "sp4n-lapor-2026-03-01-2026-03-31.xlsx"
    assert names == [*photos, book]
    for name in photos:
        assert not carries_metadata(files[name]), name
        assert_clean(files[name], name, ((48, 64), (32, 32)))
    sheet = _by_header(_sheet(files[book]))
    rows = {r["Nomor Pelacakan Kanal Aduan"]: r for r in sheet}
    assert rows[filed.anonymous]["Lampiran"] == f"foto/{filed.anonymous}-1.jpg"
    assert rows[filed.done]["Lampiran"] == f"foto/{filed.done}-1.jpg"  # the lost file: none
    assert rows[filed.road]["Lampiran"] in (None, "")
    assert rows[filed.anonymous]["Nama Pelapor"] in (None, "")
    assert SECRET_NAME.encode() not in raw
    assert SECRET_NAME not in _xlsx_text(files[book])


async def test_a_lapor_zip_too_large_is_refused_with_the_way_out(
    world: World, filed: Filed, monkeypatch: pytest.MonkeyPatch
) -> None:
    await with_photos(world, filed)
    monkeypatch.setattr(lapor_zip, "PHOTO_LIMIT", 200)  # bytes: smaller than one photo
    client = await world.client("diskominfo")
    try:
        data = {"format": "lapor_zip", "dari": "2026-03-01", "sampai": "2026-03-31"}
        response = await post_form(client, "/ekspor", data)
        text = await response.text()
    finally:
        await client.close()
    assert response.status == 413
    assert "terlalu besar untuk satu ZIP" in text
    assert "unduh lembar SP4N-LAPOR! (XLSX) saja" in text
