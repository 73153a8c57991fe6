"""Where a posted Open311 request is: an address read as a desa of the region (Kutai Timur)."""

from __future__ import annotations

import pytest

from core.regions import RegionDirectory
from web.open311.location import Place, resolve_place

SEPASO = "64.08.09.2001"
MUARA_BENGALON = "64.08.09.2008"


@pytest.fixture(scope="module")
def regions() -> RegionDirectory:
    return RegionDirectory("64.08")


@pytest.mark.parametrize(
    ("address", "code"),
    [
        ("Sepaso", SEPASO),
        ("Sepaso, Bengalon", SEPASO),  # the kecamatan's bare name is not a desa "Muara Bengalon"
        ("Bengalon, Sepaso", SEPASO),
        ("Sepaso, Kec. Bengalon", SEPASO),
        ("Jl. Poros RT 05, Sepaso, Bengalon", SEPASO),
        ("Muara Bengalon, Bengalon", MUARA_BENGALON),
    ],
)
def test_an_address_names_its_desa_whatever_the_order(
    regions: RegionDirectory, address: str, code: str
) -> None:
    place = resolve_place(regions, address)
    assert isinstance(place, Place), place
    assert place.desa.code == code


def test_the_street_stays_as_the_address_detail(regions: RegionDirectory) -> None:
    place = resolve_place(regions, "Jl. Poros RT 05, Sepaso, Bengalon")
    assert isinstance(place, Place)
    assert place.detail == "Jl. Poros RT 05"
