"""The unit registry in the database: seeding units from the regions, applying a unit file's
import plan, binding codes, and the overview behind ``aduan units list``.

Every function takes a :class:`~storage.uow.UnitOfWork` and never commits: the caller does. What a
unit file may say, and what an import may change, is decided in :mod:`core.unit_files`.

A province deployment (a 2-digit root such as ``64``) seeds the kecamatan and desa of every
kabupaten/kota under it. There is no kabupaten unit kind, so kecamatan hang directly under the
coordinator (the province's Diskominfo) and carry their kabupaten/kota in their name, which keeps
names unique across the province.
"""

from __future__ import annotations

import re
import secrets
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from importlib import resources
from pathlib import Path

from sqlalchemy import select

from core.categories import HANDLER_OPD, Category, load_categories
from core.deadlines import BINDING_CODE_TTL
from core.regions import LEVEL_DISTRICT, LEVEL_VILLAGE, Region, RegionDirectory
from core.unit_files import (
    COORDINATOR_CODE,
    KIND_COORDINATOR,
    KIND_DESA,
    KIND_KECAMATAN,
    KIND_OPD,
    KINDS,
    NAME_MAX,
    UnitRow,
    area_unit_code,
)
from core.unit_import import KnownUnit, plan_import
from storage.models import Unit, UnitChat
from storage.uow import UnitOfWork

BINDING_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud or typed safely
BINDING_LENGTH = 8
BINDING_TTL = BINDING_CODE_TTL

_SEPARATORS = re.compile(r"[\s\-]+")


@dataclass(frozen=True)
class SeedResult:
    """New units by kind, and how many of the wanted units were already there."""

    created: Mapping[str, int]
    existing: int

    @property
    def total_created(self) -> int:
        return sum(self.created.values())


@dataclass(frozen=True)
class ImportResult:
    added: tuple[str, ...]
    updated: tuple[str, ...]
    unchanged: tuple[str, ...]


@dataclass(frozen=True)
class UnitStatus:
    """A unit for the overview: its parent's code and the titles of its bound group chats."""

    unit: Unit
    parent_code: str
    chat_titles: tuple[str, ...]

    @property
    def kind(self) -> str:
        return self.unit.kind

    @property
    def chat_count(self) -> int:
        return len(self.chat_titles)


# --- names -------------------------------------------------------------------------------------


def _region_title(region: Region) -> str:
    """The root as it follows "Diskominfo": lokal names kabupaten/kota with their word already."""
    return f"Provinsi {region.name}" if region.kind == "provinsi" else region.name


def _area_name(region: Region, regency: Region | None) -> str:
    word = {"kelurahan": "Kelurahan", "distrik": "Distrik"}.get(region.kind)
    if word is None:
        word = "Kecamatan" if region.level == LEVEL_DISTRICT else "Desa"
    name = f"{word} {region.name}"
    return f"{name}, {regency.name}" if regency is not None else name


def load_opd_names(path: Path | None = None) -> dict[str, str]:
    """OPD code → Indonesian name, from ``path`` or the packaged ``core/defaults/opd.toml``."""
    if path is None:
        raw = (resources.files("core.defaults") / "opd.toml").read_text(encoding="utf-8")
    else:
        raw = path.read_text(encoding="utf-8")
    entries = tomllib.loads(raw).get("opd", [])
    return {str(entry["code"]): str(entry["name"]) for entry in entries}


# --- seeding -----------------------------------------------------------------------------------


async def seed_units(
    uow: UnitOfWork,
    regions: RegionDirectory,
    now: datetime,
    *,
    categories: Iterable[Category] | None = None,
    opd_names: Mapping[str, str] | None = None,
) -> SeedResult:
    """Create the coordinator, the OPDs the categories name and every kecamatan and desa unit.

    Idempotent: a unit whose code (or, for area units, area code) exists is left as it is, even
    if renamed or deactivated since, so a second run creates nothing.
    """
    categories = load_categories() if categories is None else categories
    names = load_opd_names() if opd_names is None else opd_names
    seeder = _Seeder(uow, now, await uow.units.all())
    coordinator = await uow.units.coordinator()
    if coordinator is None:
        title = f"Diskominfo {_region_title(regions.root)}"
        coordinator = await seeder.ensure(COORDINATOR_CODE, KIND_COORDINATOR, title, None, None)
    else:
        seeder.existing += 1
    opd_codes = [c.opd for c in categories if c.handler == HANDLER_OPD and c.opd]
    for code in dict.fromkeys(opd_codes):  # unique, in menu order
        if code not in (COORDINATOR_CODE, coordinator.code):
            await seeder.ensure(code, KIND_OPD, names.get(code, code), coordinator, None)
    await _seed_areas(seeder, regions, coordinator)
    return SeedResult(created=seeder.created, existing=seeder.existing)


async def _seed_areas(seeder: _Seeder, regions: RegionDirectory, coordinator: Unit) -> None:
    """Every kecamatan under the coordinator, every desa under its kecamatan."""
    root = regions.root.code
    regencies: list[Region | None] = list(regions.children(root)) if regions.is_province else [None]
    for regency in regencies:
        for district in regions.children(root if regency is None else regency.code):
            kecamatan = await seeder.ensure(
                area_unit_code(KIND_KECAMATAN, district.code),
                KIND_KECAMATAN,
                _area_name(district, regency),
                coordinator,
                district.code,
            )
            for village in regions.children(district.code):
                if village.level == LEVEL_VILLAGE:
                    await seeder.ensure(
                        area_unit_code(KIND_DESA, village.code),
                        KIND_DESA,
                        _area_name(village, None),
                        kecamatan,
                        village.code,
                    )


class _Seeder:
    """Adds the units a seed wants unless one with the code (or area code) exists."""

    def __init__(self, uow: UnitOfWork, now: datetime, units: Sequence[Unit]) -> None:
        self.uow = uow
        self.now = now
        self.by_code = {unit.code: unit for unit in units}
        self.by_area = {unit.area_code: unit for unit in units if unit.area_code}
        self.created = dict.fromkeys(KINDS, 0)
        self.existing = 0

    async def ensure(
        self, code: str, kind: str, name: str, parent: Unit | None, area: str | None
    ) -> Unit:
        found = (self.by_area.get(area) if area else None) or self.by_code.get(code)
        if found is not None:
            self.existing += 1
            return found
        parent_id = parent.id if parent is not None else None
        unit = await self.uow.units.add(
            _new_unit(code, name[:NAME_MAX], kind, parent_id, area, self.now)
        )
        self.by_code[code] = unit
        if area:
            self.by_area[area] = unit
        self.created[kind] += 1
        return unit


def _new_unit(
    code: str, name: str, kind: str, parent_id: int | None, area: str | None, now: datetime
) -> Unit:
    return Unit(
        code=code,
        name=name,
        kind=kind,
        parent_id=parent_id,
        area_code=area,
        show_officer_name=False,
        active=True,
        created_at=now,
        updated_at=now,
    )


# --- importing ---------------------------------------------------------------------------------


async def import_units(
    uow: UnitOfWork,
    rows: Sequence[UnitRow],
    now: datetime,
    *,
    regions: RegionDirectory | None = None,
) -> ImportResult:
    """Add the rows' new units and edit existing ones (matched by code), as
    :func:`core.unit_import.plan_import` plans it. Every row is checked before anything changes:
    on any problem :class:`~core.unit_files.UnitFileError` lists them all and the database is
    untouched.
    """
    units = await uow.units.all()
    plan = plan_import(rows, _known_units(units), regions=regions)
    by_code = {unit.code: unit for unit in units}
    for row in plan.new:
        unit = _new_unit(row.code, row.name, row.kind, None, row.area_code or None, now)
        unit.show_officer_name = bool(row.show_officer_name)
        unit.active = row.active is not False
        by_code[row.code] = await uow.units.add(unit)
    new_codes = {row.code for row in plan.new}
    updated: list[str] = []
    unchanged: list[str] = []
    for row in rows:
        parent_code = plan.parents.get(row.code)
        parent_id = by_code[parent_code].id if parent_code else None
        changed = _apply_row(by_code[row.code], row, parent_id, now)
        if row.code not in new_codes:
            (updated if changed else unchanged).append(row.code)
    await uow.flush()
    added = tuple(row.code for row in plan.new)
    return ImportResult(added=added, updated=tuple(updated), unchanged=tuple(unchanged))


def _known_units(units: Sequence[Unit]) -> list[KnownUnit]:
    code_of = {unit.id: unit.code for unit in units}
    return [
        KnownUnit(
            code=unit.code,
            kind=unit.kind,
            parent=code_of.get(unit.parent_id) if unit.parent_id is not None else None,
            area_code=unit.area_code,
        )
        for unit in units
    ]


def _apply_row(unit: Unit, row: UnitRow, parent_id: int | None, now: datetime) -> bool:
    """Write the row's given fields and the planned parent; True when anything changed."""
    before = (unit.name, unit.parent_id, unit.show_officer_name, unit.active)
    if row.name:
        unit.name = row.name
    if row.show_officer_name is not None:
        unit.show_officer_name = row.show_officer_name
    if row.active is not None:
        unit.active = row.active
    unit.parent_id = parent_id
    if (unit.name, unit.parent_id, unit.show_officer_name, unit.active) == before:
        return False
    unit.updated_at = now
    return True


# --- binding codes -----------------------------------------------------------------------------


def normalise_binding_code(text: str) -> str:
    """``abcd efgh`` / ``ABCD-EFGH`` → ``ABCDEFGH``: the form binding codes are stored in."""
    return _SEPARATORS.sub("", text).upper()


def format_binding_code(code: str) -> str:
    """``ABCDEFGH`` → ``ABCD-EFGH``: halves are easier to read out and type."""
    half = len(code) // 2
    return f"{code[:half]}-{code[half:]}"


async def issue_binding_code(
    uow: UnitOfWork, unit_id: int, *, now: datetime, ttl: timedelta = BINDING_TTL
) -> str:
    """A new one-time code for ``/daftar`` in the unit's group, valid for ``ttl``.

    Stored normalised (``ABCDEFGH``); returned as shown to people (``ABCD-EFGH``).
    """
    if await uow.units.get(unit_id) is None:
        raise ValueError(f"no unit with id {unit_id}")
    # 32^8 ≈ 10^12 codes: a clash is practically impossible, but checking costs one query.
    for _ in range(20):
        code = "".join(secrets.choice(BINDING_ALPHABET) for _ in range(BINDING_LENGTH))
        if await uow.units.binding_code(code) is None:
            break
    else:  # pragma: no cover - needs ~10^12 codes in the table
        raise RuntimeError("could not find an unused binding code")
    uow.units.add_code(unit_id, code, now=now, expires_at=now + ttl)
    await uow.flush()
    return format_binding_code(code)


# --- overview ----------------------------------------------------------------------------------


async def unit_overview(uow: UnitOfWork) -> list[UnitStatus]:
    """Every unit with its parent code and bound groups, in tree order: the coordinator, OPDs,
    then each kecamatan followed by its desa (names alphabetical within each level)."""
    units = await uow.units.all()
    by_id = {unit.id: unit for unit in units}
    chats = await uow.session.scalars(
        select(UnitChat).where(UnitChat.active.is_(True)).order_by(UnitChat.id)
    )
    titles: dict[int, list[str]] = {}
    for chat in chats:
        titles.setdefault(chat.unit_id, []).append(chat.title or chat.chat_id)

    def status(unit: Unit) -> UnitStatus:
        parent = by_id.get(unit.parent_id) if unit.parent_id is not None else None
        return UnitStatus(
            unit=unit,
            parent_code=parent.code if parent is not None else "",
            chat_titles=tuple(titles.get(unit.id, [])),
        )

    def by_name(unit: Unit) -> tuple[str, str]:
        return unit.name.casefold(), unit.code

    ordered: list[Unit] = []
    for kind in (KIND_COORDINATOR, KIND_OPD):
        ordered += sorted((u for u in units if u.kind == kind), key=by_name)
    desa_of: dict[int | None, list[Unit]] = {}
    for unit in units:
        if unit.kind == KIND_DESA:
            desa_of.setdefault(unit.parent_id, []).append(unit)
    for kecamatan in sorted((u for u in units if u.kind == KIND_KECAMATAN), key=by_name):
        ordered.append(kecamatan)
        ordered += sorted(desa_of.pop(kecamatan.id, []), key=by_name)
    ordered += sorted((u for group in desa_of.values() for u in group), key=by_name)
    placed = {unit.id for unit in ordered}
    ordered += sorted((u for u in units if u.id not in placed), key=by_name)
    return [status(unit) for unit in ordered]
