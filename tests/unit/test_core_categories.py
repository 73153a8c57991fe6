"""Categories TOML, plus the small constant modules (lifecycle, limits)."""

from pathlib import Path

import pytest

from core import limits
from core.categories import (
    Category,
    category_by_code,
    load_categories,
    parse_categories,
    photo_asked,
    photo_required,
)
from core.lifecycle import (
    ALLOWED_TRANSITIONS,
    SP4N_TERMS,
    Privacy,
    ReportStatus,
    ReportType,
    can_transition,
)

CODES = [
    "jalan",
    "air",
    "listrik",
    "sampah",
    "banjir",
    "kesehatan",
    "pendidikan",
    "kependudukan",
    "bansos",
    "desa",
    "aparatur",
    "keamanan",
    "lainnya",
]

GOOD = """
[[category]]
code = "jalan"
name_id = "Jalan"
name_en = "Roads"
handler = "opd"
opd = "dinas-pupr"
photo_required = true
"""


def test_default_categories() -> None:
    categories = load_categories()
    assert tuple(category.code for category in categories) == tuple(CODES)
    assert all(category.name_id and category.name_en for category in categories)
    assert categories[0] == Category(
        "jalan", "Jalan & Jembatan", "Roads & Bridges", "opd", "", "dinas-pupr", True
    )


def test_default_routing() -> None:
    categories = load_categories()
    by_code = {category.code: category for category in categories}
    assert by_code["kependudukan"].opd == "disdukcapil"
    assert by_code["kesehatan"].opd == "dinkes"
    assert by_code["pendidikan"].opd == "disdik"
    assert (by_code["sampah"].handler, by_code["sampah"].area_level) == ("area", "desa")
    # a complaint about the desa government is not sent to that desa
    assert (by_code["desa"].handler, by_code["desa"].area_level) == ("area", "kecamatan")
    assert {c.code for c in categories if c.photo_required} == {"jalan", "sampah"}
    for category in categories:
        if category.handler == "opd":
            assert category.opd
            assert category.area_level == ""
        else:
            assert category.area_level in {"desa", "kecamatan"}
            assert category.opd == ""


def test_category_by_code() -> None:
    categories = load_categories()
    found = category_by_code(categories, "bansos")
    assert found is not None
    assert found.name_id == "Bantuan Sosial"
    assert category_by_code(categories, "nope") is None


def test_load_from_path(tmp_path: Path) -> None:
    path = tmp_path / "kategori.toml"
    path.write_text(GOOD, encoding="utf-8")
    assert load_categories(path) == (
        Category("jalan", "Jalan", "Roads", "opd", "", "dinas-pupr", True),
    )


def test_error_names_file_and_entry(tmp_path: Path) -> None:
    path = tmp_path / "kategori.toml"
    path.write_text(GOOD + GOOD.replace('"jalan"', '"air"').replace('"opd"', '"dinas"'))
    with pytest.raises(ValueError, match=r"kategori\.toml: category #2 \('air'\): handler"):
        load_categories(path)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("not toml = = ", "not valid TOML"),
        ("", r"\[\[category\]\]"),
        (GOOD + GOOD, "duplicate category code 'jalan'"),
        (GOOD.replace('handler = "opd"', 'handler = "unit"'), "handler must be one of"),
        (GOOD.replace('opd = "dinas-pupr"\n', ""), "opd must be a code"),
        (GOOD.replace('opd = "dinas-pupr"', 'opd = "Dinas PUPR"'), "opd must be a code"),
        (GOOD.replace('opd = "dinas-pupr"', 'area_level = "desa"'), "area_level is only"),
        (GOOD.replace('"opd"', '"area"'), "opd is only"),
        (
            GOOD.replace('handler = "opd"', 'handler = "area"').replace(
                'opd = "dinas-pupr"', 'area_level = "rt"'
            ),
            "area_level must be",
        ),
        (GOOD.replace("photo_required = true", 'photo_required = "ya"'), "true or false"),
        (GOOD.replace("photo_required = true\n", ""), "missing photo_required"),
        (GOOD + "photo_requried = false\n", "unknown key"),
        (GOOD.replace('"jalan"', '"Jalan Raya"'), "code must be"),
        (GOOD.replace('name_en = "Roads"', 'name_en = " "'), "name_en must be"),
        ("category = 3", r"\[\[category\]\]"),
    ],
)
def test_invalid_files(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message) as raised:
        parse_categories(text, source="custom.toml")
    assert str(raised.value).startswith("custom.toml: ")


def test_every_status_has_an_sp4n_term_and_a_row() -> None:
    assert set(SP4N_TERMS) == set(ReportStatus)
    assert set(ALLOWED_TRANSITIONS) == set(ReportStatus)
    assert SP4N_TERMS[ReportStatus.MENUNGGU_PELAPOR] == "Tertunda"
    assert SP4N_TERMS[ReportStatus.DIARSIPKAN] == "Arsip"


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("baru", "didisposisi"),
        ("baru", "diarsipkan"),
        ("didisposisi", "diproses"),
        ("didisposisi", "menunggu_pelapor"),
        ("diproses", "menunggu_pelapor"),
        ("menunggu_pelapor", "diproses"),
        ("diproses", "selesai"),
        ("selesai", "diproses"),  # "belum selesai": reopened by the reporter
    ],
)
def test_allowed_transitions(a: str, b: str) -> None:
    assert can_transition(ReportStatus(a), ReportStatus(b))


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("baru", "selesai"),
        ("baru", "diproses"),
        ("selesai", "diarsipkan"),
        ("diarsipkan", "baru"),
        ("diarsipkan", "diproses"),
        ("diproses", "baru"),
        ("diproses", "diproses"),
    ],
)
def test_forbidden_transitions(a: str, b: str) -> None:
    assert not can_transition(ReportStatus(a), ReportStatus(b))


def test_enum_values_are_stable() -> None:
    assert [s.value for s in ReportStatus] == [
        "baru",
        "didisposisi",
        "diproses",
        "menunggu_pelapor",
        "selesai",
        "diarsipkan",
        "dirujuk",
    ]
    assert [t.value for t in ReportType] == ["pengaduan", "aspirasi", "permintaan_informasi"]
    assert [p.value for p in Privacy] == ["biasa", "anonim", "rahasia"]


def test_limits_fit_telegram() -> None:
    assert limits.DESCRIPTION_MIN < limits.DESCRIPTION_MAX <= limits.TELEGRAM_TEXT_MAX
    assert limits.CALLBACK_DATA_MAX == 64
    assert limits.TELEGRAM_ALBUM_MIN <= limits.MAX_PHOTOS <= limits.TELEGRAM_ALBUM_MAX


def test_a_photo_is_required_only_where_the_deployment_enforces_it() -> None:
    by_code = {category.code: category for category in load_categories()}
    assert photo_asked(by_code["jalan"])
    assert not photo_asked(by_code["air"])
    assert not photo_required(by_code["jalan"], enforced=False)
    assert photo_required(by_code["jalan"], enforced=True)
    assert not photo_required(by_code["air"], enforced=True)
    assert not photo_required(None, enforced=True)
