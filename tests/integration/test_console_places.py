"""Outside the handling unit an anonim or rahasia report's place is blurred (core.places): the
kecamatan above the desa sees its point rounded to 3 decimals (about 100 m) on the report's page
and the map; the desa that holds it and the coordinator see the exact point; a biasa report's
point is exact for everyone who may see it."""

from __future__ import annotations

import io
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import update

from core.lifecycle import Privacy, ReportStatus
from core.places import shown_point
from core.similar import offerable
from storage.models import Report
from tests.integration.console_forms import export
from tests.integration.test_console_actions import Desk, desk

__all__ = ["desk"]  # the fixture

DESA, KECAMATAN, COORDINATOR = "desa-64-08-09-2001", "kec-64-08-09", "diskominfo"
EXACT = (0.934567, 117.751234)


async def placed(desk: Desk, privacy: str) -> str:
    number = await desk.file()
    async with desk.db.sessions() as session:
        await session.execute(
            update(Report)
            .where(Report.tracking_no == number)
            .values(latitude=EXACT[0], longitude=EXACT[1], privacy=privacy)
        )
        await session.commit()
    return number


async def seen(desk: Desk, unit: str, number: str) -> tuple[str, list[Any]]:
    """The report's page and its pins on the map, as ``unit``'s officer sees them; and the
    points in that officer's full export and SP4N-LAPOR! sheet must be the page's."""
    client = await desk.client(unit, "Petugas")
    try:
        page = await (await client.get(f"/laporan/{number}")).text()
        pins = await (await client.get("/peta/titik")).json()
        full = cells(await export(client, "lengkap"))
        lapor = cells(await export(client, "lapor"))
    finally:
        await client.close()
    head = full[0]
    [row] = [r for r in full[1:] if r[0] == number]
    lat, lon = row[head.index("Lintang")], row[head.index("Bujur")]
    assert f"{lat}, {lon}" in page or f"{lat:.6f}, {lon:.6f}" in page, (unit, lat, lon)
    assert any(f"({lat:.6f}, {lon:.6f})" in str(cell) for r in lapor for cell in r), unit
    return page, [p[:2] for p in pins["points"] if p[2] == number]


def cells(data: bytes) -> list[list[Any]]:
    sheet = load_workbook(io.BytesIO(data), read_only=True).active
    assert sheet is not None
    return [list(row) for row in sheet.iter_rows(values_only=True)]


@pytest.mark.parametrize("privacy", ["anonim", "rahasia"])
async def test_outside_the_unit_the_point_is_rounded(desk: Desk, privacy: str) -> None:
    number = await placed(desk, privacy)
    for unit in (DESA, COORDINATOR):
        page, pins = await seen(desk, unit, number)
        assert "0.934567, 117.751234" in page, unit
        assert pins == [[0.93457, 117.75123]], unit
    page, pins = await seen(desk, KECAMATAN, number)
    assert "0.935, 117.751" in page
    assert "0.9345" not in page
    assert "117.7512" not in page
    assert pins == [[0.935, 117.751]]


async def test_a_biasa_report_s_point_is_exact_for_the_kecamatan(desk: Desk) -> None:
    number = await placed(desk, "biasa")
    page, pins = await seen(desk, KECAMATAN, number)
    assert "0.934567, 117.751234" in page
    assert pins == [[0.93457, 117.75123]]


def test_the_rule_and_the_offers() -> None:
    assert shown_point(*EXACT, "anonim", insider=False) == (0.935, 117.751)
    assert shown_point(*EXACT, "rahasia", insider=False) == (0.935, 117.751)
    assert shown_point(*EXACT, "anonim", insider=True) == EXACT
    assert shown_point(*EXACT, "biasa", insider=False) == EXACT
    assert shown_point(None, None, "anonim", insider=False) is None
    # "Laporan serupa" offers never show an anonim or rahasia report to a stranger at all.
    for status in ReportStatus:
        assert not offerable(status, Privacy.ANONIM)
        assert not offerable(status, Privacy.RAHASIA)
