"""Unit files without a database: reading rows (CSV text, YAML entries, files) and planning an
import against existing units given as plain data."""

from __future__ import annotations

from pathlib import Path

import pytest

from cli.unit_files import parse_unit_file
from core.regions import RegionDirectory
from core.unit_files import (
    Problem,
    UnitFileError,
    UnitRow,
    rows_from_csv,
    rows_from_entries,
)
from core.unit_import import KnownUnit, plan_import

#: A small registry: the coordinator, one OPD, a kecamatan of Kutai Timur and one of its desa.
KNOWN = (
    KnownUnit("diskominfo", "coordinator"),
    KnownUnit("dinkes", "opd", "diskominfo"),
    KnownUnit("kec-64-08-01", "kecamatan", "diskominfo", "64.08.01"),
    KnownUnit("desa-64-08-01-2001", "desa", "kec-64-08-01", "64.08.01.2001"),
)


def problems_of(failure: pytest.ExceptionInfo[UnitFileError]) -> list[tuple[int, str]]:
    return [(p.line, p.key) for p in failure.value.problems]


# --- reading rows --------------------------------------------------------------------------------


def test_csv_rows_are_normalised() -> None:
    rows = rows_from_csv(
        "Code,Name,Kind,Parent,Area_Code,show_officer_name,active\n"
        "\n"
        "DLH , Dinas Lingkungan Hidup ,OPD,,,ya,\n"
        "desa-x,Desa X,kelurahan,KEC-64-08-01,6408012099,,tidak\n"
    )
    assert rows == [
        UnitRow("dlh", "Dinas Lingkungan Hidup", "opd", "", "", True, None, line=3),
        UnitRow("desa-x", "Desa X", "desa", "kec-64-08-01", "64.08.01.2099", None, False, line=4),
    ]


def test_an_invalid_csv_names_every_bad_line() -> None:
    with pytest.raises(UnitFileError) as failure:
        rows_from_csv(
            "code,name,kind,parent,area_code,show_officer_name\n"
            "dlh,Dinas Lingkungan Hidup,opd,,,\n"
            "dpmd,Dinas PMD,dinas,,,\n"
            "\n"
            "damkar,Pemadam Kebakaran,opd,,,mungkin\n"
        )
    found = [(p.line, p.key, dict(p.values)) for p in failure.value.problems]
    assert found == [
        (3, "bad_kind", {"value": "dinas", "kinds": "coordinator, opd, kecamatan, desa"}),
        (5, "bad_bool", {"field": "show_officer_name", "value": "mungkin"}),
    ]


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("", "file_empty"),
        ("code,name\n", "file_empty"),
        ("code,name,email\nx,y,z\n", "header_unknown"),
        ("name,kind\nx,opd\n", "header_missing"),
        ("code,code\nx,x\n", "header_duplicate"),
        ("code\nx,y\n", "csv_too_many_cells"),
        ("code,name\n,Tanpa Kode\n", "missing"),
        ("code\n9lives\n", "bad_code"),
        (f"code,name\nx,{'n' * 201}\n", "name_too_long"),
        ("code,kind,area_code\nx,opd,64.08.01\n", "area_for_non_area"),
        ("code,kind,area_code\nx,desa,64.08.01\n", "bad_area_code"),
        ("code,area_code\nx,64-08\n", "bad_area_code"),
    ],
)
def test_csv_problems(text: str, key: str) -> None:
    with pytest.raises(UnitFileError) as failure:
        rows_from_csv(text)
    assert failure.value.problems[0].key == key


def test_yaml_entries_need_mappings_of_known_fields_and_text() -> None:
    with pytest.raises(UnitFileError) as failure:
        rows_from_entries([(1, {"code": "dlh"}), (2, "dlh"), (3, {"code": "x", "email": "y"})])
    assert [(p.entry, p.line, p.key) for p in failure.value.problems] == [
        (2, 2, "yaml_not_mapping"),
        (3, 3, "header_unknown"),
    ]
    with pytest.raises(UnitFileError) as failure:
        rows_from_entries([(1, {"code": False, "name": {"a": "b"}})])
    assert [p.key for p in failure.value.problems] == ["not_text", "not_text"]
    [row] = rows_from_entries([(4, {"Code": "dlh", "active": False, "area_code": None})])
    assert (row.code, row.active, row.area_code, row.entry, row.line) == ("dlh", False, "", 1, 4)


def test_an_invalid_yaml_file_names_the_entry_and_its_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(
        "- code: dlh\n"
        "  name: Dinas Lingkungan Hidup\n"
        "  kind: opd\n"
        "- code: Bad Code!\n"
        "  name: x\n"
        "  kind: opd\n"
        "- code: desa-x\n"
        "  kind: desa\n"
        "  name: Desa X\n"
        "  area_code: 64.08.01\n",
        encoding="utf-8",
    )
    with pytest.raises(UnitFileError) as failure:
        parse_unit_file(path)
    found = [(p.entry, p.line, p.key) for p in failure.value.problems]
    assert found == [(2, 4, "bad_code"), (3, 7, "bad_area_code")]

    path.write_text("- code: dlh\n  name: [oops\n", encoding="utf-8")
    with pytest.raises(UnitFileError) as failure:
        parse_unit_file(path)
    [problem] = failure.value.problems
    assert (problem.key, problem.line) == ("yaml_syntax", 3)


@pytest.mark.parametrize(
    ("name", "content", "key"),
    [
        ("units.txt", b"code\nx\n", "file_type"),
        ("units.csv", b"", "file_empty"),
        ("units.csv", b"code,name,email\nx,y,z\n", "header_unknown"),
        ("units.csv", b"name,kind\nx,opd\n", "header_missing"),
        ("units.csv", b"code\n\xff\xfe\n", "file_encoding"),
        ("units.yaml", b"", "file_empty"),
        ("units.yaml", b"code: dlh\n", "yaml_not_list"),
        ("units.yaml", b"- code: no\n", "not_text"),
    ],
)
def test_file_level_problems(tmp_path: Path, name: str, content: bytes, key: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(UnitFileError) as failure:
        parse_unit_file(path)
    assert failure.value.problems[0].key == key


def test_a_missing_file_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    with pytest.raises(UnitFileError) as failure:
        parse_unit_file(tmp_path / "absent.csv")
    assert failure.value.problems[0].key == "file_unreadable"


def test_a_utf8_csv_with_a_byte_order_mark_reads_like_one_without(tmp_path: Path) -> None:
    path = tmp_path / "units.csv"
    path.write_bytes("\ufeffcode,name\ndlh,Dinas LH\n".encode())
    assert parse_unit_file(path) == [UnitRow("dlh", "Dinas LH", line=2)]


# --- planning an import --------------------------------------------------------------------------


def test_a_plan_adds_new_units_under_their_default_parents() -> None:
    rows = [
        UnitRow("dlh", "Dinas Lingkungan Hidup", "opd", line=2),
        UnitRow("desa-baru", "Desa Baru", "desa", area_code="64.08.01.2099", line=3),
        UnitRow("desa-lain", "Desa Lain", "desa", area_code="64.08.02.2001", line=4),
        UnitRow("dinkes", parent="dlh", line=5),
    ]
    plan = plan_import(rows, KNOWN)
    assert [row.code for row in plan.new] == ["dlh", "desa-baru", "desa-lain"]
    assert plan.parents["dlh"] == "diskominfo"
    assert plan.parents["desa-baru"] == "kec-64-08-01"  # its kecamatan, by area code
    assert plan.parents["desa-lain"] == "diskominfo"  # no unit for its kecamatan
    assert plan.parents["dinkes"] == "dlh"  # an edit may name a parent added in the same file
    assert plan.parents["desa-64-08-01-2001"] == "kec-64-08-01"  # untouched units keep theirs


def test_the_first_coordinator_of_an_empty_registry_is_everyones_default_parent() -> None:
    rows = [
        UnitRow("kec-a", "Kecamatan A", "kecamatan", area_code="64.08.01", line=2),
        UnitRow("desa-a", "Desa A", "desa", area_code="64.08.01.2001", line=3),
        UnitRow("pemkab", "Pemkab", "coordinator", line=4),
        UnitRow("bupati", "Bupati", "coordinator", line=5),
    ]
    with pytest.raises(UnitFileError) as failure:
        plan_import(rows, [])
    assert failure.value.problems == [
        Problem("second_coordinator", 5, None, {"existing": "pemkab"})
    ]
    plan = plan_import(rows[:3], [])
    assert plan.parents == {"kec-a": "pemkab", "desa-a": "kec-a", "pemkab": None}


@pytest.mark.parametrize(
    ("row", "key"),
    [
        (UnitRow("baru", kind="opd"), "missing"),  # a new unit needs a name
        (UnitRow("baru", "Baru"), "missing"),  # ... and a kind
        (UnitRow("baru", "Baru", "kecamatan"), "missing"),  # ... and an area unit its area
        (UnitRow("bupati", "Bupati", "coordinator"), "second_coordinator"),
        (UnitRow("dinkes", kind="desa"), "kind_changed"),
        (UnitRow("kec-64-08-01", area_code="64.08.02"), "area_changed"),
        (UnitRow("kec-b", "B", "kecamatan", area_code="64.08.01"), "area_taken"),
        (UnitRow("dinkes", parent="dinkes"), "parent_self"),
        (UnitRow("dinkes", parent="tidak-ada"), "parent_unknown"),
        (UnitRow("diskominfo", parent="dinkes"), "coordinator_parent"),
        (UnitRow("diskominfo", parent="desa-64-08-01-2001"), "coordinator_parent"),
        (UnitRow("kec-64-08-01", parent="desa-64-08-01-2001"), "parent_cycle"),
    ],
)
def test_a_row_that_clashes_with_the_registry_is_refused(row: UnitRow, key: str) -> None:
    with pytest.raises(UnitFileError) as failure:
        plan_import([row], KNOWN)
    assert [p.key for p in failure.value.problems] == [key]


def test_duplicates_within_a_file_name_the_first_line() -> None:
    rows = [
        UnitRow("kec-x", "X", "kecamatan", area_code="64.08.09", line=2),
        UnitRow("kec-y", "Y", "kecamatan", area_code="64.08.09", line=3),
        UnitRow("kec-x", "X lagi", line=4),
    ]
    with pytest.raises(UnitFileError) as failure:
        plan_import(rows, KNOWN)
    assert [(p.line, p.key, dict(p.values)) for p in failure.value.problems] == [
        (3, "duplicate_area", {"area_code": "64.08.09", "first": "2"}),
        (4, "duplicate_code", {"code": "kec-x", "first": "2"}),
    ]


def test_with_regions_area_codes_must_be_real_and_of_the_right_level() -> None:
    regions = RegionDirectory("64.08")
    fine = UnitRow("kec-b", "B", "kecamatan", area_code="64.08.02", line=2)
    assert [row.code for row in plan_import([fine], KNOWN, regions=regions).new] == ["kec-b"]
    rows = [
        UnitRow("kec-x", "X", "kecamatan", area_code="64.08.99", line=2),
        UnitRow("kec-y", "Y", "kecamatan", area_code="64.08.02.2001", line=3),
    ]
    with pytest.raises(UnitFileError) as failure:
        plan_import(rows, KNOWN, regions=regions)
    assert problems_of(failure) == [(2, "area_unknown"), (3, "area_unknown")]


def test_every_unit_in_a_cycle_is_named() -> None:
    rows = [UnitRow("dinkes", parent="dlh", line=2), UnitRow("dlh", "DLH", "opd", "dinkes", line=3)]
    with pytest.raises(UnitFileError) as failure:
        plan_import(rows, KNOWN)
    assert problems_of(failure) == [(2, "parent_cycle"), (3, "parent_cycle")]
