"""Unit files: the rows a coordinator writes for ``aduan units import``, and the rules they meet.

Pure: CSV text or already-loaded YAML entries in, :class:`UnitRow` s or problems out
(``cli/unit_files.py`` reads the file and loads YAML). Checking the rows against the units that
exist, and saying what to add and where each unit hangs, is :mod:`core.unit_import`'s;
``storage/unit_registry.py`` applies the plan. Nothing here needs a database.

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
    (parents, duplicates, kind changes) is :func:`core.unit_import.plan_import`'s."""
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
