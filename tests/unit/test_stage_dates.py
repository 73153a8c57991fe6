"""Every deadline a person reads names its stage, and a late one says since when (issue 26, 7)."""

from __future__ import annotations

from datetime import date

import pytest

from core.calendar import WorkingCalendar
from core.lifecycle import ReportStatus
from handlers.stage_dates import stage_due
from locales import Catalogs

CALENDAR = WorkingCalendar()
DUE = date(2026, 12, 10)  # a Thursday
BEFORE = date(2026, 12, 8)


def words(language: str, status: ReportStatus, today: date, due: date | None = DUE) -> str:
    return stage_due(Catalogs(language).get(language), status, due, CALENDAR, today)


@pytest.mark.parametrize(
    ("status", "indonesian", "english"),
    [
        ("baru", "verifikasi paling lambat", "verified by"),
        ("didisposisi", "tindak lanjut pertama paling lambat", "first follow-up by"),
        ("diproses", "menurut aturan", "the longest the rules allow"),
        ("selesai", "ditutup otomatis", "closes automatically"),
    ],
)
def test_each_stage_names_what_its_date_is_for(status: str, indonesian: str, english: str) -> None:
    shown = words("id", ReportStatus(status), BEFORE)
    assert indonesian in shown
    assert "Kamis, 10 Desember 2026" in shown
    shown = words("en", ReportStatus(status), BEFORE)
    assert english in shown
    assert "Thursday, 10 December 2026" in shown


def test_a_late_stage_says_since_when() -> None:
    # The 10th passed unanswered: late from Friday the 11th; read on Monday the 14th.
    shown = words("id", ReportStatus.DIDISPOSISI, date(2026, 12, 14))
    assert "Kamis, 10 Desember 2026" in shown
    assert "terlambat sejak Jumat, 11 Desember 2026" in shown
    shown = words("en", ReportStatus.BARU, date(2026, 12, 14))
    assert "late since Friday, 11 December 2026" in shown


def test_a_stage_is_not_late_on_its_own_day_nor_after_it_is_finished() -> None:
    assert "terlambat" not in words("id", ReportStatus.DIPROSES, DUE)
    assert "terlambat" not in words("id", ReportStatus.SELESAI, date(2026, 12, 14))


def test_a_paused_stage_says_it_waits_for_the_reporter() -> None:
    shown = words("id", ReportStatus.MENUNGGU_PELAPOR, BEFORE, None)
    assert "berhenti" in shown
    assert words("id", ReportStatus.DIARSIPKAN, BEFORE, None) == "-"
