"""Routing: category → area unit or OPD, falling back up desa → kecamatan → coordinator."""

from __future__ import annotations

import pytest

from core.categories import load_categories
from core.routing import COORDINATOR, Target, candidates, choose, kecamatan_of

CATEGORIES = {c.code: c for c in load_categories()}
SEPASO = "64.08.09.2001"


def test_kecamatan_of_a_desa_code() -> None:
    assert kecamatan_of(SEPASO) == "64.08.09"
    assert kecamatan_of("64.08.09") == "64.08.09"


def test_desa_category_goes_to_desa_then_kecamatan_then_coordinator() -> None:
    assert candidates(CATEGORIES["sampah"], SEPASO) == (
        Target("area", SEPASO),
        Target("area", "64.08.09"),
        COORDINATOR,
    )


def test_kecamatan_category_skips_the_desa() -> None:
    assert candidates(CATEGORIES["desa"], SEPASO) == (Target("area", "64.08.09"), COORDINATOR)


def test_opd_category_goes_to_the_opd_then_the_coordinator() -> None:
    assert candidates(CATEGORIES["jalan"], SEPASO) == (Target("opd", "dinas-pupr"), COORDINATOR)


def test_choose_takes_the_first_reachable_and_says_when_it_fell_back() -> None:
    assert choose(["desa", "kec", "koord"], lambda u: u != "x") == ("desa", False)
    assert choose(["desa", "kec", "koord"], lambda u: u == "kec") == ("kec", True)
    # Nobody has a group: the coordinator still holds the report.
    assert choose(["desa", "kec", "koord"], lambda u: False) == ("koord", True)
    assert choose(["koord"], lambda u: False) == ("koord", False)
    with pytest.raises(ValueError, match="no routing options"):
        choose([], lambda u: True)
