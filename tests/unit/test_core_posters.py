"""Poster codes (core/posters.py): a region's code and back, the link, and forms that are not
a poster's code (forged or damaged start parameters)."""

from __future__ import annotations

import re

import pytest

from core.posters import poster_code, region_of, start_link

TELEGRAM_START = re.compile(r"[A-Za-z0-9_-]{1,64}")


@pytest.mark.parametrize("region", ["64.08.09.2001", "64.08.09"])
def test_a_code_names_its_region_and_fits_telegrams_start_parameter(region: str) -> None:
    code = poster_code(region)
    assert TELEGRAM_START.fullmatch(code)
    assert region_of(code) == region


@pytest.mark.parametrize(
    "parameter",
    ["", "p64", "p64_08", "p64_08_09_20011", "x64_08_09_2001", "p64.08.09", "halo", "p64_08_09_"],
)
def test_other_parameters_are_not_poster_codes(parameter: str) -> None:
    assert region_of(parameter) is None


def test_the_link_opens_the_bot_with_the_code() -> None:
    assert start_link("@aduan_bot", "p64_08_09") == "https://t.me/aduan_bot?start=p64_08_09"
