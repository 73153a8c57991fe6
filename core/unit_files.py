"""Unit files: the rows a coordinator writes for ``aduan units import``, and the rules they meet.

Pure: CSV text or already-loaded YAML entries in, :class:`UnitRow` s or problems out
(``cli/unit_files.py`` reads the file and loads YAML); and :func:`plan_import`, which checks the
rows against the units that exist, given as plain :class:`KnownUnit` s, and says what to add and
where each unit hangs. ``storage/unit_registry.py`` applies the plan; nothing here needs a
database.

Unit codes are short, stable and typable: the coordinator ``diskominfo``, OPDs by the code the
categories use (``dinas-pupr``), area units from their Kemendagri code (``kec-64-08-01``,
``desa-64-08-01-2001``; kelurahan are kind ``desa`` too).

Problems are data (:class:`Problem`: where, a stable key, values), not text: the command line
turns them into sentences from the catalogues (``cli.units.problem.<key>``).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from core.regions import LEVEL_DISTRICT, LEVEL_VILLAGE, RegionDirectory

KIND_COORDINATOR = "coordinator"
KIND_OPD = "opd"
KIND_KECAMATAN = "kecamatan"
KIND_DESA = "desa"
#: In the order the overview lists them.
KINDS = (KIND_COORDINATOR, KIND_OPD, KIND_KECAMATAN, KIND_DESA)
COORDINATOR_CODE = "diskominfo"

#: Column names of a unit file; only ``code`` is required (an edit names only what it changes).
FIELDS = ("code", "name", "kind", "parent", "area_code", "show_officer_name", "active")
CODE_MAX = 40
NAME_MAX = 200

_CODE = re.compile(r"[a-z][a-z0-9-]*")
_AREA_PATTERNS = {
    KIND_KECAMATAN: re.compile(r"\d{2}\.\d{2}\.\d{2}"),
    KIND_DESA: re.compile(r"\d{2}\.\d{2}\.\d{2}\.\d{4}"),
}
# Words a coordinator may write for a kind, in either language.
_KIND_ALIASES = {
    "coordinator": KIND_COORDINATOR,
    "koordinator": KIND_COORDINATOR,
    "opd": KIND_OPD,
    "kecamatan": KIND_KECAMATAN,
    "desa": KIND_DESA,
    "kelurahan": KIND_DESA,
}
_TRUE = frozenset({"true", "yes", "ya", "y", "1"})
_FALSE = frozenset({"false", "no", "tidak", "n", "0"})


# --- rows and problems ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """One validation problem. ``line`` is the file line (0: the file as a whole); ``entry`` the
    YAML list item (None for CSV); ``key`` a stable id the CLI translates with ``values``."""

    key: str
    line: int = 0
    entry: int | None = None
    values: Mapping[str, str] = field(default_factory=dict)


class UnitFileError(Exception):
    """A unit file or its rows cannot be imported; nothing was written."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        super().__init__("; ".join(f"line {p.line}: {p.key} {dict(p.values)}" for p in problems))
        self.problems = list(problems)


@dataclass(frozen=True)
class UnitRow:
    """One unit as written in a unit file. Blank fields leave an existing unit's value alone."""

    code: str
    name: str = ""
    kind: str = ""
    parent: str = ""
    area_code: str = ""
    show_officer_name: bool | None = None
    active: bool | None = None
    line: int = 0
    entry: int | None = None


@dataclass(frozen=True)
class RawRow:
    """A row's fields as the file gave them, before any check."""

    line: int
    entry: int | None
    values: Mapping[str, object]


def area_unit_code(kind: str, area_code: str) -> str:
    """``kec-64-08-01`` / ``desa-64-08-01-2001``: the seeded code of an area unit."""
    prefix = "kec" if kind == KIND_KECAMATAN else "desa"
    return f"{prefix}-{area_code.replace('.', '-')}"


def normalise_area_code(text: str) -> str:
    """``640801`` or `` 64.08.01 `` → ``64.08.01``; anything else is returned stripped."""
    value = text.strip()
    if value.isdigit() and len(value) in (6, 10):
        parts = [value[0:2], value[2:4], value[4:6]] + ([value[6:]] if len(value) == 10 else [])
        return ".".join(parts)
    return value


# --- reading rows --------------------------------------------------------------------------------


def rows_from_csv(text: str) -> list[UnitRow]:
    """The rows of a CSV unit file (a header line, then one unit a line; blank lines skipped)."""
    return validate_rows(_csv_rows(text))


def rows_from_entries(entries: Iterable[tuple[int, object]]) -> list[UnitRow]:
    """The rows of a YAML unit file, given as (line, item) for each item of its top-level list."""
    return validate_rows(_entry_rows(entries))


def validate_rows(raw: Iterable[RawRow]) -> list[UnitRow]:
    """Check each row's shape (code, kind, booleans, area code format); raise
    :class:`UnitFileError` with every problem found. Consistency with the units that exist
    (parents, duplicates, kind changes) is :func:`plan_import`'s."""
    problems: list[Problem] = []
    rows: list[UnitRow] = []
    for item in raw:
        reader = _RowReader(item)
        row = reader.row()
        problems += reader.problems
        if row is not None:
            rows.append(row)
    if not rows and not problems:
        problems.append(Problem("file_empty"))
    if problems:
        raise UnitFileError(problems)
    return rows


def _csv_rows(text: str) -> list[RawRow]:
    reader = csv.reader(io.StringIO(text))
    header: list[str] | None = None
    rows: list[RawRow] = []
    try:
        for cells in reader:
            if not any(cell.strip() for cell in cells):
                continue
            if header is None:
                header = [cell.strip().lower() for cell in cells]
                _check_columns(header, reader.line_num)
                continue
            if len(cells) > len(header):
                values = {"count": str(len(cells)), "expected": str(len(header))}
                raise UnitFileError([Problem("csv_too_many_cells", reader.line_num, None, values)])
            rows.append(RawRow(reader.line_num, None, dict(zip(header, cells, strict=False))))
    except csv.Error as error:
        values = {"error": str(error)}
        raise UnitFileError([Problem("csv_syntax", reader.line_num, None, values)]) from None
    if header is None:
        raise UnitFileError([Problem("file_empty")])
    return rows


def _check_columns(header: list[str], line: int) -> None:
    problems: list[Problem] = []
    if "code" not in header:
        problems.append(Problem("header_missing", line, None, {"columns": "code"}))
    if unknown := [name for name in header if name not in FIELDS]:
        values = {"columns": ", ".join(unknown), "known": ", ".join(FIELDS)}
        problems.append(Problem("header_unknown", line, None, values))
    if duplicated := sorted({name for name in header if header.count(name) > 1}):
        problems.append(Problem("header_duplicate", line, None, {"columns": ", ".join(duplicated)}))
    if problems:
        raise UnitFileError(problems)


def _entry_rows(entries: Iterable[tuple[int, object]]) -> list[RawRow]:
    rows: list[RawRow] = []
    problems: list[Problem] = []
    for number, (line, item) in enumerate(entries, 1):
        if not isinstance(item, dict):
            problems.append(Problem("yaml_not_mapping", line, number))
            continue
        keys = [str(key).strip().lower() for key in item]
        if unknown := [key for key in keys if key not in FIELDS]:
            known = {"columns": ", ".join(unknown), "known": ", ".join(FIELDS)}
            problems.append(Problem("header_unknown", line, number, known))
            continue
        rows.append(RawRow(line, number, dict(zip(keys, item.values(), strict=True))))
    if problems:
        raise UnitFileError(problems)
    return rows


class _RowReader:
    """Reads one row's fields in file order, collecting every problem rather than the first."""

    def __init__(self, raw: RawRow) -> None:
        self.raw = raw
        self.problems: list[Problem] = []

    def problem(self, key: str, **details: str) -> None:
        self.problems.append(Problem(key, self.raw.line, self.raw.entry, details))

    def text(self, name: str) -> str | None:
        """The field's text ("" when blank), or None when it is no text at all."""
        value = self.raw.values.get(name)
        if value is None:
            return ""
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            # YAML reads `no` or `yes` as booleans and `a: b` as mappings: not a name or code.
            self.problem("not_text", field=name, value=str(value))
            return None
        return str(value).strip()

    def flag(self, name: str) -> bool | None:
        value = self.raw.values.get(name)
        if value is None or isinstance(value, bool):
            return value
        word = str(value).strip().lower()
        if not word:
            return None
        if word in _TRUE or word in _FALSE:
            return word in _TRUE
        self.problem("bad_bool", field=name, value=str(value))
        return None

    def row(self) -> UnitRow | None:
        code = self._code()
        name = self.text("name") or ""
        if len(name) > NAME_MAX:
            self.problem("name_too_long", limit=str(NAME_MAX))
        kind = self._kind()
        parent = (self.text("parent") or "").lower()
        area = self._area(kind)
        show = self.flag("show_officer_name")
        active = self.flag("active")
        if self.problems:
            return None
        line, entry = self.raw.line, self.raw.entry
        return UnitRow(code, name, kind, parent, area, show, active, line=line, entry=entry)

    def _code(self) -> str:
        raw_code = self.text("code")
        code = (raw_code or "").lower()
        if raw_code == "":
            self.problem("missing", field="code")
        elif code and (not _CODE.fullmatch(code) or len(code) > CODE_MAX):
            self.problem("bad_code", value=code, limit=str(CODE_MAX))
        return code

    def _kind(self) -> str:
        kind_text = (self.text("kind") or "").lower()
        kind = _KIND_ALIASES.get(kind_text, "")
        if kind_text and not kind:
            self.problem("bad_kind", value=kind_text, kinds=", ".join(KINDS))
        return kind

    def _area(self, kind: str) -> str:
        area = normalise_area_code(self.text("area_code") or "")
        if not area:
            return area
        if kind in (KIND_COORDINATOR, KIND_OPD):
            self.problem("area_for_non_area", kind=kind)
        elif kind and not _AREA_PATTERNS[kind].fullmatch(area):
            self.problem("bad_area_code", value=area, kind=kind)
        elif not kind and not any(p.fullmatch(area) for p in _AREA_PATTERNS.values()):
            self.problem("bad_area_code", value=area, kind=f"{KIND_KECAMATAN}/{KIND_DESA}")
        return area


# --- planning an import --------------------------------------------------------------------------


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
