"""The console's period shortcuts: each names whole calendar months, quarters (triwulan) and
halves (semester) as a coordinator reporting to the Bupati counts them."""

from __future__ import annotations

from datetime import date

import pytest

from locales import Catalogs
from web.console.periods import SHORTCUTS, previous, shortcut

CASES = [
    # key, today, first, last
    ("bulan", date(2026, 12, 7), date(2026, 12, 1), date(2026, 12, 7)),
    ("bulan_lalu", date(2026, 12, 7), date(2026, 11, 1), date(2026, 11, 30)),
    ("bulan_lalu", date(2026, 1, 15), date(2025, 12, 1), date(2025, 12, 31)),
    ("bulan_lalu", date(2026, 3, 31), date(2026, 2, 1), date(2026, 2, 28)),
    ("triwulan", date(2026, 12, 7), date(2026, 10, 1), date(2026, 12, 7)),
    ("triwulan", date(2026, 4, 1), date(2026, 4, 1), date(2026, 4, 1)),
    ("triwulan_lalu", date(2026, 12, 7), date(2026, 7, 1), date(2026, 9, 30)),
    ("triwulan_lalu", date(2026, 2, 10), date(2025, 10, 1), date(2025, 12, 31)),
    ("semester", date(2026, 12, 7), date(2026, 7, 1), date(2026, 12, 7)),
    ("semester", date(2026, 6, 30), date(2026, 1, 1), date(2026, 6, 30)),
    ("semester_lalu", date(2026, 12, 7), date(2026, 1, 1), date(2026, 6, 30)),
    ("semester_lalu", date(2026, 3, 1), date(2025, 7, 1), date(2025, 12, 31)),
    ("30", date(2026, 3, 1), date(2026, 1, 31), date(2026, 3, 1)),
    ("tahun", date(2026, 12, 7), date(2026, 1, 1), date(2026, 12, 7)),
    ("tahun_lalu", date(2026, 12, 7), date(2025, 1, 1), date(2025, 12, 31)),
]


@pytest.mark.parametrize(("key", "today", "first", "last"), CASES)
def test_a_shortcut_names_its_days(key: str, today: date, first: date, last: date) -> None:
    assert shortcut(key, today) == (first, last)


def test_every_shortcut_is_tested_and_an_unknown_one_is_none() -> None:
    assert {key for key, *_ in CASES} == set(SHORTCUTS)
    assert shortcut("abad", date(2026, 12, 7)) is None


@pytest.mark.parametrize("language", ["id", "en"])
def test_every_shortcut_has_words(language: str) -> None:
    tr = Catalogs("id").get(language)
    words = [tr.t(f"console.period.{key}") for key in SHORTCUTS]
    assert all(w and not w.startswith("console.") for w in words)
    assert len(set(words)) == len(words)


PREVIOUS = [
    # first, last, the period compared with
    (date(2026, 12, 1), date(2026, 12, 7), date(2026, 11, 1), date(2026, 11, 7)),  # so far
    (date(2026, 11, 1), date(2026, 11, 30), date(2026, 10, 1), date(2026, 10, 31)),
    (date(2026, 3, 1), date(2026, 3, 31), date(2026, 2, 1), date(2026, 2, 28)),
    (date(2026, 1, 1), date(2026, 1, 31), date(2025, 12, 1), date(2025, 12, 31)),
    (date(2026, 3, 1), date(2026, 3, 30), date(2026, 2, 1), date(2026, 2, 28)),  # no 30 Feb
    (date(2026, 1, 1), date(2026, 3, 31), date(2025, 10, 1), date(2025, 12, 31)),  # triwulan
    (date(2026, 7, 1), date(2026, 12, 31), date(2026, 1, 1), date(2026, 6, 30)),  # semester
    (date(2026, 1, 1), date(2026, 12, 7), date(2025, 1, 1), date(2025, 12, 7)),  # year so far
    (date(2026, 12, 2), date(2026, 12, 7), date(2026, 11, 26), date(2026, 12, 1)),  # 6 days
    (date(2026, 11, 8), date(2026, 12, 7), date(2026, 10, 9), date(2026, 11, 7)),  # 30 days
]


@pytest.mark.parametrize(("first", "last", "before_first", "before_last"), PREVIOUS)
def test_a_period_is_compared_with_the_months_or_days_just_before_it(
    first: date, last: date, before_first: date, before_last: date
) -> None:
    assert previous(first, last) == (before_first, before_last)
