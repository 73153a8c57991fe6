"""``python -m bench console`` signs in and downloads the exports as the console's own pages do
(its forms carry the CSRF token): a small run goes through every page and every export."""

from __future__ import annotations

import pytest

from bench.console import run


@pytest.mark.slow
async def test_a_small_console_bench_reads_every_page_and_export(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert await run(1000, 1, 1000, False, 7) == 0
    printed = capsys.readouterr().out
    rows = ("CSV export, 1,000 reports", "XLSX export, 1,000 reports", "one report's page")
    for row in (
        *rows,
        "peta, points of all reports",
        "peta, one kecamatan's points, all",
        "search, a common word ('jalan'",
        "search, a rare word ('longsor'",
    ):
        assert row in printed
