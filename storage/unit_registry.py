"""The unit registry: seeding units from the regions, importing a coordinator's unit file,
binding codes, and the overview behind ``aduan units list``.

Every function takes a :class:`~storage.uow.UnitOfWork` and never commits: the caller does.

Unit codes are short, stable and typable: the coordinator ``diskominfo``, OPDs by the code the
categories use (``dinas-pupr``), area units from their Kemendagri code (``kec-64-08-01``,
``desa-64-08-01-2001``; kelurahan are kind ``desa`` too).

A province deployment (a 2-digit root such as ``64``) seeds the kecamatan and desa of every
kabupaten/kota under it. There is no kabupaten unit kind, so kecamatan hang directly under the
coordinator (the province's Diskominfo) and carry their kabupaten/kota in their name, which keeps
names unique across the province.

Validation problems are data (:class:`Problem`: where, a stable key, values), not text: the
command line turns them into sentences from the catalogues.
"""

from __future__ import annotations

import csv
import io
import re
import secrets
import tomllib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select

from core.categories import HANDLER_OPD, Category, load_categories
from core.deadlines import BINDING_CODE_TTL
from core.regions import LEVEL_DISTRICT, LEVEL_VILLAGE, Region, RegionDirectory
from storage.models import Unit, UnitChat
from storage.uow import UnitOfWork

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

BINDING_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud or typed safely
BINDING_LENGTH = 8
BINDING_TTL = BINDING_CODE_TTL

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
_SEPARATORS = re.compile(r"[\s\-]+")


# --- results and problems ----------------------------------------------------------------------


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


# --- codes and names -----------------------------------------------------------------------------


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
    units = await uow.units.all()
    by_code = {unit.code: unit for unit in units}
    by_area = {unit.area_code: unit for unit in units if unit.area_code}
    created = dict.fromkeys(KINDS, 0)
    existing = 0

    async def ensure(
        code: str, kind: str, name: str, parent: Unit | None, area: str | None
    ) -> Unit:
        nonlocal existing
        found = by_area.get(area) if area else None
        found = found or by_code.get(code)
        if found is not None:
            existing += 1
            return found
        unit = await uow.units.add(
            Unit(
                code=code,
                name=name[:NAME_MAX],
                kind=kind,
                parent_id=parent.id if parent is not None else None,
                area_code=area,
                show_officer_name=False,
                active=True,
                created_at=now,
                updated_at=now,
            )
        )
        by_code[code] = unit
        if area:
            by_area[area] = unit
        created[kind] += 1
        return unit

    coordinator = await uow.units.coordinator()
    if coordinator is None:
        title = f"Diskominfo {_region_title(regions.root)}"
        coordinator = await ensure(COORDINATOR_CODE, KIND_COORDINATOR, title, None, None)
    else:
        existing += 1

    opd_codes = [c.opd for c in categories if c.handler == HANDLER_OPD and c.opd]
    for code in dict.fromkeys(opd_codes):  # unique, in menu order
        if code in (COORDINATOR_CODE, coordinator.code):
            continue
        await ensure(code, KIND_OPD, names.get(code, code), coordinator, None)

    root = regions.root.code
    if regions.is_province:
        regencies: list[Region | None] = list(regions.children(root))
    else:
        regencies = [None]
    for regency in regencies:
        parent_code = root if regency is None else regency.code
        for district in regions.children(parent_code):
            kecamatan = await ensure(
                area_unit_code(KIND_KECAMATAN, district.code),
                KIND_KECAMATAN,
                _area_name(district, regency),
                coordinator,
                district.code,
            )
            for village in regions.children(district.code):
                if village.level != LEVEL_VILLAGE:
                    continue
                await ensure(
                    area_unit_code(KIND_DESA, village.code),
                    KIND_DESA,
                    _area_name(village, None),
                    kecamatan,
                    village.code,
                )
    return SeedResult(created=created, existing=existing)


# --- unit files --------------------------------------------------------------------------------


def parse_unit_file(path: Path) -> list[UnitRow]:
    """Rows of a CSV (``.csv``) or YAML (``.yaml``/``.yml``) unit file.

    Checks each row's shape (known fields, code, kind, booleans, area code format) and raises
    :class:`UnitFileError` with every problem found; consistency with the database (parents,
    duplicates, kind changes) is checked by :func:`import_units`.
    """
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".yaml", ".yml"):
        raise UnitFileError([Problem("file_type", values={"name": path.name})])
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise UnitFileError([Problem("file_encoding")]) from None
    except OSError as error:
        reason = error.strerror or type(error).__name__
        raise UnitFileError([Problem("file_unreadable", values={"error": reason})]) from None
    raw = _csv_rows(text) if suffix == ".csv" else _yaml_rows(text)
    problems: list[Problem] = []
    rows: list[UnitRow] = []
    for line, entry, values in raw:
        row = _row(values, line, entry, problems)
        if row is not None:
            rows.append(row)
    if not rows and not problems:
        problems.append(Problem("file_empty"))
    if problems:
        raise UnitFileError(problems)
    return rows


def _csv_rows(text: str) -> list[tuple[int, int | None, dict[str, Any]]]:
    reader = csv.reader(io.StringIO(text))
    header: list[str] | None = None
    rows: list[tuple[int, int | None, dict[str, Any]]] = []
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
            rows.append((reader.line_num, None, dict(zip(header, cells, strict=False))))
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


def _yaml_rows(text: str) -> list[tuple[int, int | None, dict[str, Any]]]:
    try:
        data = yaml.safe_load(text)
        # The node tree gives each entry's line; the plain load gives its values.
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark
        line = mark.line + 1 if mark is not None else 0
        values = {"error": str(error.problem or error)}
        raise UnitFileError([Problem("yaml_syntax", line, None, values)]) from None
    except yaml.YAMLError as error:
        raise UnitFileError([Problem("yaml_syntax", 0, None, {"error": str(error)})]) from None
    if data is None:
        raise UnitFileError([Problem("file_empty")])
    if not isinstance(data, list) or not isinstance(root, yaml.SequenceNode):
        raise UnitFileError([Problem("yaml_not_list", 1)])
    rows: list[tuple[int, int | None, dict[str, Any]]] = []
    problems: list[Problem] = []
    for number, (item, node) in enumerate(zip(data, root.value, strict=True), 1):
        line = node.start_mark.line + 1
        if not isinstance(item, dict):
            problems.append(Problem("yaml_not_mapping", line, number))
            continue
        keys = [str(key).strip().lower() for key in item]
        if unknown := [key for key in keys if key not in FIELDS]:
            values = {"columns": ", ".join(unknown), "known": ", ".join(FIELDS)}
            problems.append(Problem("header_unknown", line, number, values))
            continue
        rows.append((line, number, {str(k).strip().lower(): v for k, v in item.items()}))
    if problems:
        raise UnitFileError(problems)
    return rows


def _row(
    values: Mapping[str, Any], line: int, entry: int | None, problems: list[Problem]
) -> UnitRow | None:
    found: list[Problem] = []

    def problem(key: str, **details: str) -> None:
        found.append(Problem(key, line, entry, details))

    def text(name: str) -> str | None:
        """The field's text ("" when blank), or None when it is no text at all."""
        value = values.get(name)
        if value is None:
            return ""
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            # YAML reads `no` or `yes` as booleans and `a: b` as mappings: not a name or code.
            problem("not_text", field=name, value=str(value))
            return None
        return str(value).strip()

    def flag(name: str) -> bool | None:
        value = values.get(name)
        if value is None or isinstance(value, bool):
            return value
        word = str(value).strip().lower()
        if not word:
            return None
        if word in _TRUE:
            return True
        if word in _FALSE:
            return False
        problem("bad_bool", field=name, value=str(value))
        return None

    raw_code = text("code")
    code = (raw_code or "").lower()
    if raw_code == "":
        problem("missing", field="code")
    elif code and (not _CODE.fullmatch(code) or len(code) > CODE_MAX):
        problem("bad_code", value=code, limit=str(CODE_MAX))
    name = text("name") or ""
    if len(name) > NAME_MAX:
        problem("name_too_long", limit=str(NAME_MAX))
    kind_text = (text("kind") or "").lower()
    kind = _KIND_ALIASES.get(kind_text, "")
    if kind_text and not kind:
        problem("bad_kind", value=kind_text, kinds=", ".join(KINDS))
    parent = (text("parent") or "").lower()
    area = normalise_area_code(text("area_code") or "")
    if area:
        if kind in (KIND_COORDINATOR, KIND_OPD):
            problem("area_for_non_area", kind=kind)
        elif kind and not _AREA_PATTERNS[kind].fullmatch(area):
            problem("bad_area_code", value=area, kind=kind)
        elif not kind and not any(p.fullmatch(area) for p in _AREA_PATTERNS.values()):
            problem("bad_area_code", value=area, kind=f"{KIND_KECAMATAN}/{KIND_DESA}")
    show = flag("show_officer_name")
    active = flag("active")
    problems.extend(found)
    if found:
        return None
    return UnitRow(
        code=code,
        name=name,
        kind=kind,
        parent=parent,
        area_code=area,
        show_officer_name=show,
        active=active,
        line=line,
        entry=entry,
    )


# --- importing ---------------------------------------------------------------------------------


async def import_units(
    uow: UnitOfWork,
    rows: Sequence[UnitRow],
    now: datetime,
    *,
    regions: RegionDirectory | None = None,
) -> ImportResult:
    """Add the rows' new units and edit existing ones (matched by code).

    An existing unit takes the row's name, parent, ``show_officer_name`` and ``active`` where
    given; its kind and area code cannot change (reports and routing depend on them). A new unit
    needs a name and a kind, and an area unit its area code; without a parent it goes under its
    kecamatan (desa with an area code) or the coordinator. With ``regions``, area codes must be
    real regions of the deployment. Every row is checked before anything changes: on any problem
    :class:`UnitFileError` lists them all and the database is untouched.
    """
    units = await uow.units.all()
    by_code = {unit.code: unit for unit in units}
    by_id = {unit.id: unit for unit in units}
    area_owner = {unit.area_code: unit.code for unit in units if unit.area_code}
    coordinator = next((u for u in units if u.kind == KIND_COORDINATOR), None)
    problems: list[Problem] = []
    first_line: dict[str, int] = {}
    first_area: dict[str, int] = {}
    new_rows = [row for row in rows if row.code not in by_code]
    new_codes = {row.code: row for row in new_rows}
    new_coordinators = [row for row in new_rows if row.kind == KIND_COORDINATOR]
    coordinator_code = coordinator.code if coordinator is not None else ""
    if coordinator is None and new_coordinators:
        coordinator_code = new_coordinators[0].code

    for row in rows:

        def problem(key: str, row: UnitRow = row, **details: str) -> None:
            problems.append(Problem(key, row.line, row.entry, details))

        if row.code in first_line:
            problem("duplicate_code", code=row.code, first=str(first_line[row.code]))
            continue
        first_line[row.code] = row.line
        unit = by_code.get(row.code)
        kind = row.kind or (unit.kind if unit is not None else "")
        if unit is None:
            if not row.name:
                problem("missing", field="name")
            if not row.kind:
                problem("missing", field="kind")
            elif row.kind in (KIND_KECAMATAN, KIND_DESA) and not row.area_code:
                problem("missing", field="area_code")
            if row.kind == KIND_COORDINATOR and (
                coordinator is not None or row is not new_coordinators[0]
            ):
                problem("second_coordinator", existing=coordinator_code)
        else:
            if row.kind and row.kind != unit.kind:
                problem("kind_changed", old=unit.kind, new=row.kind)
            if row.area_code and row.area_code != (unit.area_code or ""):
                problem("area_changed", old=unit.area_code or "-", new=row.area_code)
        if row.area_code and (unit is None or unit.area_code != row.area_code):
            owner = area_owner.get(row.area_code)
            if owner is not None and owner != row.code:
                problem("area_taken", area_code=row.area_code, other=owner)
            elif row.area_code in first_area:
                problem(
                    "duplicate_area", area_code=row.area_code, first=str(first_area[row.area_code])
                )
            elif regions is not None and not _area_fits(regions, row.area_code, kind):
                problem("area_unknown", area_code=row.area_code, root=regions.root.code)
            first_area.setdefault(row.area_code, row.line)
        if row.parent:
            if row.parent == row.code:
                problem("parent_self")
            elif row.parent not in by_code and row.parent not in new_codes:
                problem("parent_unknown", parent=row.parent)
            elif kind == KIND_COORDINATOR:
                problem("coordinator_parent")

    parents = _final_parents(rows, by_code, by_id, new_codes, coordinator_code)
    if not problems:
        for row in rows:
            if _has_cycle(row.code, parents):
                parent = parents.get(row.code) or ""
                problems.append(Problem("parent_cycle", row.line, row.entry, {"parent": parent}))
    if problems:
        raise UnitFileError(problems)

    added: list[str] = []
    updated: list[str] = []
    unchanged: list[str] = []
    for row in new_rows:
        by_code[row.code] = await uow.units.add(
            Unit(
                code=row.code,
                name=row.name,
                kind=row.kind,
                parent_id=None,
                area_code=row.area_code or None,
                show_officer_name=bool(row.show_officer_name),
                active=row.active is not False,
                created_at=now,
                updated_at=now,
            )
        )
        added.append(row.code)
    for row in rows:
        unit = by_code[row.code]
        before = (unit.name, unit.parent_id, unit.show_officer_name, unit.active)
        if row.name:
            unit.name = row.name
        if row.show_officer_name is not None:
            unit.show_officer_name = row.show_officer_name
        if row.active is not None:
            unit.active = row.active
        parent_code = parents.get(row.code)
        unit.parent_id = by_code[parent_code].id if parent_code else None
        if row.code in new_codes:
            continue
        if (unit.name, unit.parent_id, unit.show_officer_name, unit.active) != before:
            unit.updated_at = now
            updated.append(row.code)
        else:
            unchanged.append(row.code)
    await uow.flush()
    return ImportResult(added=tuple(added), updated=tuple(updated), unchanged=tuple(unchanged))


def _area_fits(regions: RegionDirectory, area_code: str, kind: str) -> bool:
    region = regions.get(area_code) if regions.contains(area_code) else None
    if region is None:
        return False
    wanted = {KIND_KECAMATAN: LEVEL_DISTRICT, KIND_DESA: LEVEL_VILLAGE}.get(kind)
    return wanted is None or region.level == wanted


def _final_parents(
    rows: Sequence[UnitRow],
    by_code: Mapping[str, Unit],
    by_id: Mapping[int, Unit],
    new_codes: Mapping[str, UnitRow],
    coordinator_code: str,
) -> dict[str, str | None]:
    """Every unit's parent code once the rows are applied."""
    parents: dict[str, str | None] = {}
    for unit in by_code.values():
        parent = by_id.get(unit.parent_id) if unit.parent_id is not None else None
        parents[unit.code] = parent.code if parent is not None else None
    area_codes = {u.area_code: u.code for u in by_code.values() if u.area_code}
    area_codes |= {row.area_code: row.code for row in new_codes.values() if row.area_code}
    for row in rows:
        if row.parent:
            parents[row.code] = row.parent
        elif row.code in new_codes:
            parents[row.code] = _default_parent(row, area_codes, coordinator_code)
    return parents


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
