"""Planning an import of a unit file: its rows checked against the units that exist.

Pure: the rows (:mod:`core.unit_files`) and the existing units as plain :class:`KnownUnit` s in,
an :class:`ImportPlan` (what to add, where each unit hangs) or every problem out.
``storage/unit_registry.py`` applies the plan; nothing here needs a database.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from core.regions import LEVEL_DISTRICT, LEVEL_VILLAGE, RegionDirectory
from core.unit_files import (
    KIND_COORDINATOR,
    KIND_DESA,
    KIND_KECAMATAN,
    Problem,
    UnitFileError,
    UnitRow,
)


@dataclass(frozen=True)
class KnownUnit:
    """A unit that exists, as far as an import needs to know it."""

    code: str
    kind: str
    parent: str | None = None
    area_code: str | None = None


@dataclass(frozen=True)
class ImportPlan:
    """What an import does: the units to add (in file order) and every unit's parent code
    afterwards (None: a root)."""

    new: tuple[UnitRow, ...]
    parents: Mapping[str, str | None]


def plan_import(
    rows: Sequence[UnitRow],
    known: Iterable[KnownUnit],
    *,
    regions: RegionDirectory | None = None,
) -> ImportPlan:
    """Check the rows against the existing units and plan the import.

    An existing unit takes the row's name, parent, ``show_officer_name`` and ``active`` where
    given; its kind and area code cannot change (reports and routing depend on them). A new unit
    needs a name and a kind, and an area unit its area code; without a parent it goes under its
    kecamatan (desa with an area code) or the coordinator. With ``regions``, area codes must be
    real regions of the deployment. On any problem :class:`UnitFileError` lists them all.
    """
    check = _ImportCheck(rows, known, regions)
    for row in rows:
        check.row(row)
    parents = check.final_parents()
    if not check.problems:
        for row in rows:
            if _has_cycle(row.code, parents):
                parent = parents.get(row.code) or ""
                check.problems.append(
                    Problem("parent_cycle", row.line, row.entry, {"parent": parent})
                )
    if check.problems:
        raise UnitFileError(check.problems)
    return ImportPlan(new=tuple(check.new_rows), parents=parents)


class _ImportCheck:
    """The rows of one import checked in file order against the units that exist."""

    def __init__(
        self, rows: Sequence[UnitRow], known: Iterable[KnownUnit], regions: RegionDirectory | None
    ) -> None:
        self.rows = rows
        self.by_code = {unit.code: unit for unit in known}
        self.regions = regions
        self.area_owner = {u.area_code: u.code for u in self.by_code.values() if u.area_code}
        self.new_rows = [row for row in rows if row.code not in self.by_code]
        self.new_codes = {row.code: row for row in self.new_rows}
        coordinators = [u.code for u in self.by_code.values() if u.kind == KIND_COORDINATOR]
        self.has_coordinator = bool(coordinators)
        new_coordinators = [row for row in self.new_rows if row.kind == KIND_COORDINATOR]
        self.first_new_coordinator = new_coordinators[0] if new_coordinators else None
        if not coordinators and self.first_new_coordinator is not None:
            coordinators.append(self.first_new_coordinator.code)
        self.coordinator_code = coordinators[0] if coordinators else ""
        self.problems: list[Problem] = []
        self.first_line: dict[str, int] = {}
        self.first_area: dict[str, int] = {}

    def problem(self, key: str, row: UnitRow, **details: str) -> None:
        self.problems.append(Problem(key, row.line, row.entry, details))

    def row(self, row: UnitRow) -> None:
        if row.code in self.first_line:
            self.problem("duplicate_code", row, code=row.code, first=str(self.first_line[row.code]))
            return
        self.first_line[row.code] = row.line
        unit = self.by_code.get(row.code)
        if unit is None:
            self._new_unit(row)
        else:
            self._existing_unit(row, unit)
        kind = row.kind or (unit.kind if unit is not None else "")
        if row.area_code and (unit is None or unit.area_code != row.area_code):
            self._area(row, kind)
        if row.parent:
            self._parent(row, kind)

    def _new_unit(self, row: UnitRow) -> None:
        if not row.name:
            self.problem("missing", row, field="name")
        if not row.kind:
            self.problem("missing", row, field="kind")
        elif row.kind in (KIND_KECAMATAN, KIND_DESA) and not row.area_code:
            self.problem("missing", row, field="area_code")
        if row.kind == KIND_COORDINATOR and (
            self.has_coordinator or row is not self.first_new_coordinator
        ):
            self.problem("second_coordinator", row, existing=self.coordinator_code)

    def _existing_unit(self, row: UnitRow, unit: KnownUnit) -> None:
        if row.kind and row.kind != unit.kind:
            self.problem("kind_changed", row, old=unit.kind, new=row.kind)
        if row.area_code and row.area_code != (unit.area_code or ""):
            self.problem("area_changed", row, old=unit.area_code or "-", new=row.area_code)

    def _area(self, row: UnitRow, kind: str) -> None:
        area = row.area_code
        owner = self.area_owner.get(area)
        if owner is not None and owner != row.code:
            self.problem("area_taken", row, area_code=area, other=owner)
        elif area in self.first_area:
            self.problem("duplicate_area", row, area_code=area, first=str(self.first_area[area]))
        elif self.regions is not None and not _area_fits(self.regions, area, kind):
            self.problem("area_unknown", row, area_code=area, root=self.regions.root.code)
        self.first_area.setdefault(area, row.line)

    def _parent(self, row: UnitRow, kind: str) -> None:
        if row.parent == row.code:
            self.problem("parent_self", row)
        elif row.parent not in self.by_code and row.parent not in self.new_codes:
            self.problem("parent_unknown", row, parent=row.parent)
        elif kind == KIND_COORDINATOR:
            self.problem("coordinator_parent", row)

    def final_parents(self) -> dict[str, str | None]:
        """Every unit's parent code once the rows are applied."""
        parents = {unit.code: unit.parent for unit in self.by_code.values()}
        area_codes = dict(self.area_owner)
        area_codes |= {row.area_code: row.code for row in self.new_rows if row.area_code}
        for row in self.rows:
            if row.parent:
                parents[row.code] = row.parent
            elif row.code in self.new_codes:
                parents[row.code] = _default_parent(row, area_codes, self.coordinator_code)
        return parents


def _area_fits(regions: RegionDirectory, area_code: str, kind: str) -> bool:
    region = regions.get(area_code) if regions.contains(area_code) else None
    if region is None:
        return False
    wanted = {KIND_KECAMATAN: LEVEL_DISTRICT, KIND_DESA: LEVEL_VILLAGE}.get(kind)
    return wanted is None or region.level == wanted


def _default_parent(row: UnitRow, area_codes: Mapping[str, str], coordinator: str) -> str | None:
    if row.kind == KIND_COORDINATOR:
        return None
    if row.kind == KIND_DESA and row.area_code:
        kecamatan = area_codes.get(row.area_code.rsplit(".", 1)[0])
        if kecamatan is not None:
            return kecamatan
    return coordinator or None


def _has_cycle(code: str, parents: Mapping[str, str | None]) -> bool:
    seen = {code}
    current = parents.get(code)
    while current is not None:
        if current in seen:
            return True
        seen.add(current)
        current = parents.get(current)
    return False
