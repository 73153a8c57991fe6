"""The unit registry on a real SQLite file: seeding, unit files, binding codes, the overview."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from cli.unit_files import parse_unit_file
from core.regions import RegionDirectory
from core.unit_files import UnitFileError, UnitRow
from storage.models import BindingCode, Unit
from storage.unit_registry import (
    BINDING_ALPHABET,
    import_units,
    issue_binding_code,
    normalise_binding_code,
    seed_units,
    unit_overview,
)
from tests.integration import database

NOW = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
LATER = NOW + timedelta(hours=5)
KUTIM = "64.08"


class Database(database.Database):
    """The shared database with this file's own helpers."""

    async def units(self) -> dict[str, Unit]:
        async with self.uow() as uow:
            return {unit.code: unit for unit in await uow.units.all()}

    async def import_file(self, path: Path) -> tuple[tuple[str, ...], ...]:
        rows = parse_unit_file(path)
        async with self.uow() as uow:
            result = await import_units(uow, rows, LATER, regions=RegionDirectory(KUTIM))
            await uow.commit()
        return result.added, result.updated, result.unchanged


@pytest.fixture(scope="module")
def kutim() -> RegionDirectory:
    return RegionDirectory(KUTIM)


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    database = Database(database_url)
    await database.start()
    yield database
    await database.engine.dispose()


@pytest.fixture
async def seeded(db: Database, kutim: RegionDirectory) -> Database:
    async with db.uow() as uow:
        await seed_units(uow, kutim, NOW)
        await uow.commit()
    return db


# --- seeding -----------------------------------------------------------------------------------


async def test_seed_kutai_timur_creates_every_unit_once(
    db: Database, kutim: RegionDirectory
) -> None:
    async with db.uow() as uow:
        first = await seed_units(uow, kutim, NOW)
        await uow.commit()
    assert dict(first.created) == {"coordinator": 1, "opd": 10, "kecamatan": 18, "desa": 141}
    assert first.existing == 0

    units = await db.units()
    assert len(units) == 170
    coordinator = units["diskominfo"]
    assert (coordinator.kind, coordinator.name) == (
        "coordinator",
        "Diskominfo Kabupaten Kutai Timur",
    )
    assert coordinator.parent_id is None
    pupr = units["dinas-pupr"]
    assert (pupr.kind, pupr.name) == ("opd", "Dinas Pekerjaan Umum dan Penataan Ruang")
    assert pupr.parent_id == coordinator.id
    assert {u.code for u in units.values() if u.kind == "opd"} == {
        "dinas-pupr",
        "perumda-air-minum",
        "dishub",
        "bpbd",
        "dinkes",
        "disdik",
        "disdukcapil",
        "dinsos",
        "inspektorat",
        "satpol-pp",
    }

    kecamatan = units["kec-64-08-01"]
    assert (kecamatan.kind, kecamatan.area_code) == ("kecamatan", "64.08.01")
    assert kecamatan.name.startswith("Kecamatan ")
    assert kecamatan.parent_id == coordinator.id
    desa = units["desa-64-08-01-2001"]
    assert (desa.kind, desa.area_code, desa.parent_id) == ("desa", "64.08.01.2001", kecamatan.id)
    kelurahan = [u for u in units.values() if u.name.startswith("Kelurahan ")]
    assert len(kelurahan) == 2
    assert {u.kind for u in kelurahan} == {"desa"}
    assert all(not u.show_officer_name and u.active for u in units.values())

    async with db.uow() as uow:
        again = await seed_units(uow, kutim, NOW + timedelta(days=1))
        await uow.commit()
    assert again.total_created == 0
    assert again.existing == 170
    assert len(await db.units()) == 170


async def test_seed_leaves_edited_units_alone(seeded: Database, kutim: RegionDirectory) -> None:
    async with seeded.uow() as uow:
        desa = await uow.units.by_area("64.08.01.2001")
        assert desa is not None
        desa.name = "Desa Senyiur (ganti nama)"
        desa.active = False
        await uow.commit()
    async with seeded.uow() as uow:
        result = await seed_units(uow, kutim, NOW)
        await uow.commit()
    assert result.total_created == 0
    desa_after = (await seeded.units())["desa-64-08-01-2001"]
    assert (desa_after.name, desa_after.active) == ("Desa Senyiur (ganti nama)", False)


async def test_seed_a_province_puts_kecamatan_of_every_kabupaten_under_the_coordinator(
    db: Database,
) -> None:
    async with db.uow() as uow:
        result = await seed_units(uow, RegionDirectory("64"), NOW)
        await uow.commit()
    assert dict(result.created) == {"coordinator": 1, "opd": 10, "kecamatan": 105, "desa": 1038}
    units = await db.units()
    assert units["diskominfo"].name == "Diskominfo Provinsi Kalimantan Timur"
    kecamatan = units["kec-64-08-01"]
    assert kecamatan.name.endswith(", Kabupaten Kutai Timur")
    assert kecamatan.parent_id == units["diskominfo"].id
    assert units["desa-64-08-01-2001"].parent_id == kecamatan.id


# --- unit files --------------------------------------------------------------------------------

CSV_FILE = """code,name,kind,parent,area_code,show_officer_name
dlh,Dinas Lingkungan Hidup,opd,,,ya
desa-64-08-01-2001,Desa Senyiur Baru,,,,
"""

YAML_FILE = """# written by hand by the coordinator
- code: dlh
  name: Dinas Lingkungan Hidup
  kind: opd
  show_officer_name: true
- code: desa-64-08-01-2001
  name: Desa Senyiur Baru
"""


@pytest.mark.parametrize(("name", "content"), [("units.csv", CSV_FILE), ("units.yaml", YAML_FILE)])
async def test_import_adds_an_opd_and_renames_a_desa(
    seeded: Database, tmp_path: Path, name: str, content: str
) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    added, updated, unchanged = await seeded.import_file(path)
    assert (added, updated, unchanged) == (("dlh",), ("desa-64-08-01-2001",), ())

    units = await seeded.units()
    assert len(units) == 171
    dlh = units["dlh"]
    assert (dlh.kind, dlh.name, dlh.show_officer_name, dlh.active) == (
        "opd",
        "Dinas Lingkungan Hidup",
        True,
        True,
    )
    assert dlh.parent_id == units["diskominfo"].id  # no parent given: the coordinator
    desa = units["desa-64-08-01-2001"]
    assert desa.name == "Desa Senyiur Baru"
    assert desa.parent_id == units["kec-64-08-01"].id  # unchanged
    assert desa.updated_at == LATER
    assert units["dinkes"].updated_at == NOW

    # The same file again changes nothing.
    assert await seeded.import_file(path) == ((), (), ("dlh", "desa-64-08-01-2001"))


async def test_import_edits_parent_active_and_officer_names(
    seeded: Database, tmp_path: Path
) -> None:
    path = tmp_path / "edit.csv"
    path.write_text(
        "code,parent,active,show_officer_name\n"
        "dishub,dinas-pupr,tidak,\n"
        "dinkes,,,yes\n"
        "kec-64-08-01,,no,\n",
        encoding="utf-8",
    )
    _, updated, _ = await seeded.import_file(path)
    assert updated == ("dishub", "dinkes", "kec-64-08-01")
    units = await seeded.units()
    assert units["dishub"].parent_id == units["dinas-pupr"].id
    assert not units["dishub"].active
    assert units["dinkes"].show_officer_name
    assert units["dinkes"].name == "Dinas Kesehatan"  # a blank name keeps the name
    assert not units["kec-64-08-01"].active


async def test_import_new_desa_goes_under_its_kecamatan_and_parents_may_come_later(
    db: Database, tmp_path: Path
) -> None:
    path = tmp_path / "new.yaml"
    path.write_text(
        "- {code: desa-senyiur, name: Desa Senyiur, kind: desa, area_code: '6408012001'}\n"
        "- {code: kec-muara-ancalong, name: Kecamatan Muara Ancalong, kind: kecamatan,"
        " area_code: 64.08.01}\n"
        "- {code: diskominfo, name: Diskominfo Kutim, kind: koordinator}\n",
        encoding="utf-8",
    )
    added, _, _ = await db.import_file(path)
    assert added == ("desa-senyiur", "kec-muara-ancalong", "diskominfo")
    units = await db.units()
    assert units["desa-senyiur"].area_code == "64.08.01.2001"
    assert units["desa-senyiur"].parent_id == units["kec-muara-ancalong"].id
    assert units["kec-muara-ancalong"].parent_id == units["diskominfo"].id
    assert units["diskominfo"].parent_id is None


async def _count_units(db: Database) -> int:
    async with db.uow() as uow:
        return int(await uow.session.scalar(select(func.count(Unit.id))) or 0)


async def test_rows_that_clash_with_the_database_write_nothing_and_name_the_line(
    seeded: Database, tmp_path: Path
) -> None:
    path = tmp_path / "bad.csv"
    # Rows that parse may still clash with the database: checked before anything is written.
    path.write_text(
        "code,name,kind,parent,area_code\n"
        "dlh,Dinas Lingkungan Hidup,opd,,\n"
        "dinkes,,kecamatan,,\n"
        "dpmd,Dinas PMD,opd,dinas-tidak-ada,\n"
        "desa-baru,Desa Baru,desa,,64.08.01.2001\n"
        "dlh,Dinas LH,opd,,\n"
        "diskominfo,,,dinkes,\n",
        encoding="utf-8",
    )
    with pytest.raises(UnitFileError) as failure:
        await seeded.import_file(path)
    clashes = [(p.line, p.key) for p in failure.value.problems]
    assert clashes == [
        (3, "kind_changed"),
        (4, "parent_unknown"),
        (5, "area_taken"),
        (6, "duplicate_code"),
        (7, "coordinator_parent"),
    ]
    assert failure.value.problems[2].values == {
        "area_code": "64.08.01.2001",
        "other": "desa-64-08-01-2001",
    }
    assert await _count_units(seeded) == 170
    assert "dlh" not in await seeded.units()


async def test_import_refuses_cycles_second_coordinator_and_unknown_regions(
    seeded: Database,
) -> None:
    rows = [
        UnitRow(code="dinas-pupr", parent="dishub", line=2),
        UnitRow(code="dishub", parent="dinas-pupr", line=3),
        UnitRow(code="bupati", name="Bupati", kind="coordinator", line=4),
        UnitRow(code="kec-x", name="Kecamatan X", kind="kecamatan", area_code="64.08.99", line=5),
    ]
    async with seeded.uow() as uow:
        with pytest.raises(UnitFileError) as failure:
            await import_units(uow, rows, NOW, regions=RegionDirectory(KUTIM))
    keys = [(p.line, p.key) for p in failure.value.problems]
    assert keys == [(4, "second_coordinator"), (5, "area_unknown")]

    async with seeded.uow() as uow:
        with pytest.raises(UnitFileError) as failure:
            await import_units(uow, rows[:2], NOW)
    assert [(p.line, p.key) for p in failure.value.problems] == [
        (2, "parent_cycle"),
        (3, "parent_cycle"),
    ]


# --- binding codes -----------------------------------------------------------------------------


async def test_binding_codes_are_typable_unique_and_expire(seeded: Database) -> None:
    async with seeded.uow() as uow:
        unit = await uow.units.by_code("dinkes")
        assert unit is not None
        codes = [await issue_binding_code(uow, unit.id, now=NOW) for _ in range(40)]
        short = await issue_binding_code(uow, unit.id, now=NOW, ttl=timedelta(minutes=30))
        await uow.commit()
    shape = re.compile(f"[{BINDING_ALPHABET}]{{4}}-[{BINDING_ALPHABET}]{{4}}")
    assert all(shape.fullmatch(code) for code in codes)
    assert len(set(codes)) == len(codes)
    assert not set("01IO") & set("".join(codes))

    async with seeded.uow() as uow:
        stored = await uow.units.binding_code(normalise_binding_code(codes[0]))
        assert stored is not None
        assert (stored.unit_id, stored.created_at) == (unit.id, NOW)
        assert stored.expires_at == NOW + timedelta(hours=48)
        assert stored.used_at is None
        quick = await uow.units.binding_code(normalise_binding_code(short))
        assert quick is not None
        assert quick.expires_at == NOW + timedelta(minutes=30)
        count = await uow.session.scalar(select(func.count(BindingCode.id)))
    assert count == 41


def test_normalise_binding_code() -> None:
    assert normalise_binding_code("abcd efgh") == "ABCDEFGH"
    assert normalise_binding_code(" ABCD-EFGH ") == "ABCDEFGH"
    assert normalise_binding_code("ab-cd\tef gh") == "ABCDEFGH"


async def test_issue_binding_code_for_an_unknown_unit_fails(db: Database) -> None:
    async with db.uow() as uow:
        with pytest.raises(ValueError, match="no unit"):
            await issue_binding_code(uow, 999, now=NOW)


# --- overview ----------------------------------------------------------------------------------


async def test_overview_lists_units_in_tree_order_with_their_groups(seeded: Database) -> None:
    async with seeded.uow() as uow:
        dinkes = await uow.units.by_code("dinkes")
        kecamatan = await uow.units.by_code("kec-64-08-01")
        assert dinkes is not None
        assert kecamatan is not None
        for chat_id, title in (("-1001", "Dinkes Kutim"), ("-1002", "Dinkes Piket")):
            await uow.units.bind(
                dinkes.id, channel="telegram", chat_id=chat_id, title=title, by="7", now=NOW
            )
        old = await uow.units.bind(
            kecamatan.id, channel="telegram", chat_id="-1003", title="Lama", by="7", now=NOW
        )
        uow.units.unbind(old, reason="left", now=NOW)
        await uow.commit()
    async with seeded.uow() as uow:
        overview = await unit_overview(uow)
    assert len(overview) == 170
    assert [s.kind for s in overview[:11]] == ["coordinator"] + ["opd"] * 10
    by_code = {status.unit.code: status for status in overview}
    assert by_code["dinkes"].chat_titles == ("Dinkes Kutim", "Dinkes Piket")
    assert by_code["dinkes"].parent_code == "diskominfo"
    assert by_code["kec-64-08-01"].chat_count == 0  # an unbound group no longer counts
    assert by_code["diskominfo"].parent_code == ""
    # Each kecamatan is followed by its own desa.
    position = [status.unit.code for status in overview].index("kec-64-08-01")
    following = overview[position + 1]
    assert (following.kind, following.parent_code) == ("desa", "kec-64-08-01")
