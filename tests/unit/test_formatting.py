"""Dates, times and places as Indonesians write them (issue 17)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from core.regions import RegionDirectory
from handlers.formatting import clock_time, long_date, place_name, short_datetime

WITA = ZoneInfo("Asia/Makassar")


def test_a_long_date_has_no_leading_zero_on_the_day() -> None:
    assert long_date(date(2026, 12, 2), "id") == "Rabu, 2 Desember 2026"
    assert long_date(date(2026, 12, 25), "id") == "Jumat, 25 Desember 2026"


def test_an_english_date_reads_as_the_sandbox_page_writes_it() -> None:
    """Issue 26 (16): one English date style everywhere, day before month, as on the page."""
    assert long_date(date(2026, 12, 10), "en") == "Thursday, 10 December 2026"
    assert long_date(date(2026, 12, 2), "en") == "Wednesday, 2 December 2026"


def test_times_are_written_with_a_dot_and_the_zone() -> None:
    moment = datetime(2026, 12, 1, 21, 57, tzinfo=UTC)
    assert clock_time(moment, WITA) == "05.57 WITA"
    assert short_datetime(moment, WITA, "id") == "2 Des 2026 05.57 WITA"


def test_english_times_are_written_with_a_colon() -> None:
    """Issue 26 (16): "06.30" is Indonesian; English readers expect "06:30"."""
    moment = datetime(2026, 12, 1, 22, 30, tzinfo=UTC)
    assert clock_time(moment, WITA, "en") == "06:30 WITA"
    assert clock_time(moment, WITA, "id") == "06.30 WITA"
    assert short_datetime(moment, WITA, "en") == "2 Dec 2026 06:30 WITA"


def test_places_carry_their_kind() -> None:
    regions = RegionDirectory("64.08")
    assert place_name(regions, "64.08.09.2001") == "Desa Sepaso, Kec. Bengalon"
    assert place_name(regions, "64.08.12.1002") == "Kelurahan Singa Geweh, Kec. Sangatta Selatan"
