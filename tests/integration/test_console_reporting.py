"""The console's reporting views and files: the period shortcuts on the pages, and the rekap
listing every unit in the viewer's reach, those without reports as zeros (the fixtures of
tests/integration/test_console.py: three reports filed on Monday 2 March 2026)."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from tests.integration.console_forms import post_form
from tests.integration.test_console import Filed, World, filed, world

__all__ = ["filed", "world"]  # the fixtures, shared with test_console.py


async def test_the_period_shortcuts_name_whole_months_quarters_and_halves(
    world: World, filed: Filed
) -> None:
    world.clock.set(world.clock().replace(month=4, day=8))  # Wednesday 8 April 2026
    client = await world.client("diskominfo")
    try:
        page = await (await client.get("/?periode=bulan_lalu")).text()
        assert "2026-03-01" in page and "2026-03-31" in page
        assert "Bulan lalu" in page and "Triwulan lalu" in page and "Semester ini" in page
        listing = await (await client.get("/laporan?periode=triwulan_lalu")).text()
        assert filed.done in listing and filed.road in listing  # January to March
        quarter = await (await client.get("/laporan?periode=triwulan")).text()
        assert filed.done not in quarter  # April only
        english = await (await client.get("/?periode=semester&lang=en")).text()
        assert "2026-01-01" in english and "This half-year" in english
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
    assert everyone["Dinas Kesehatan"][1:] == [0, None, None, None, None, None, None, 0, 0, None, None]
    assert everyone["Total"][1] == 3
    assert len(everyone) > 100  # every desa, kecamatan and OPD of Kutai Timur
    kecamatan = await _rekap(world, "kec-64-08-09")
    assert kecamatan["Desa Sepaso"][1] == 2
    assert kecamatan["Kecamatan Bengalon"][1] == 0
    assert "Dinas Kesehatan" not in kecamatan  # outside its reach
    assert kecamatan["Total"][1] == 2
