"""Complaint categories (kategori aduan) and who handles each, loaded from TOML.

The default set lives in ``core/defaults/categories.toml`` (see the comment at its top for the
choices); a deployment may pass its own file with the same shape.
"""

import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

HANDLER_AREA = "area"
HANDLER_OPD = "opd"
HANDLERS = frozenset({HANDLER_AREA, HANDLER_OPD})
AREA_LEVELS = frozenset({"desa", "kecamatan"})
#: Codes go into button data, so they stay short.
CODE_MAX = 20

_CODE = re.compile(r"[a-z][a-z0-9_]*")
_OPD = re.compile(r"[a-z][a-z0-9-]*")
_REQUIRED = frozenset({"code", "name_id", "name_en", "handler", "photo_required"})
_OPTIONAL = frozenset({"area_level", "opd", "pengawasan"})
_DEFAULT_NAME = "core/defaults/categories.toml"


@dataclass(frozen=True)
class Category:
    """A category. ``handler`` "area" → the location's ``area_level`` unit ("desa"/"kecamatan");
    "opd" → the OPD ``opd`` (e.g. "dinas-pupr"). The unused one of the two is ""."""

    code: str
    name_id: str
    name_en: str
    handler: str
    area_level: str
    opd: str
    photo_required: bool
    #: Complaints here are "berkadar pengawasan" (they need an inspection): 60 working days.
    pengawasan: bool = False


def load_categories(path: Path | None = None) -> tuple[Category, ...]:
    """Categories from ``path``, or the packaged defaults; raises ValueError naming the problem."""
    if path is None:
        source = _DEFAULT_NAME
        raw = (resources.files("core.defaults") / "categories.toml").read_bytes()
    else:
        source = str(path)
        raw = path.read_bytes()
    return parse_categories(raw.decode("utf-8"), source=source)


def parse_categories(text: str, *, source: str = "<string>") -> tuple[Category, ...]:
    """Categories from TOML text with ``[[category]]`` tables; ``source`` names it in errors."""
    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ValueError(f"{source}: not valid TOML: {error}") from error
    entries = document.get("category")
    if not isinstance(entries, list) or not entries:
        raise ValueError(f"{source}: expected one or more [[category]] tables")
    categories = tuple(
        _category(entry, f"{source}: category #{number}") for number, entry in enumerate(entries, 1)
    )
    _check_unique(categories, source)
    return categories


def category_by_code(categories: Iterable[Category], code: str) -> Category | None:
    """The category with ``code``, or None."""
    return next((category for category in categories if category.code == code), None)


def photo_required(category: Category | None, *, enforced: bool) -> bool:
    """Whether a report in ``category`` may not be filed without a photo.

    A category's ``photo_required`` asks for a photo; it refuses a report without one only where
    the deployment enforces it (the setting ``CATEGORY_PHOTOS_REQUIRED``, off by default), so a
    citizen who has no photo can still say so and file."""
    return enforced and category is not None and category.photo_required


def photo_asked(category: Category | None) -> bool:
    """Whether the photo step of ``category`` asks for a photo in so many words."""
    return category is not None and category.photo_required


def _category(entry: Any, where: str) -> Category:
    if not isinstance(entry, Mapping):
        raise ValueError(f"{where}: expected a table")
    if isinstance(entry.get("code"), str):
        where = f"{where} ({entry['code']!r})"
    keys = set(entry)
    if missing := sorted(_REQUIRED - keys):
        raise ValueError(f"{where}: missing {', '.join(missing)}")
    if unknown := sorted(keys - _REQUIRED - _OPTIONAL):
        raise ValueError(f"{where}: unknown key(s) {', '.join(unknown)}")
    code = _text(entry, "code", where)
    if not _CODE.fullmatch(code) or len(code) > CODE_MAX:
        raise ValueError(
            f"{where}: code must be lowercase letters, digits or _ (at most {CODE_MAX})"
        )
    photo_required = entry["photo_required"]
    if not isinstance(photo_required, bool):
        raise ValueError(f"{where}: photo_required must be true or false")
    pengawasan = entry.get("pengawasan", False)
    if not isinstance(pengawasan, bool):
        raise ValueError(f"{where}: pengawasan must be true or false")
    handler = _text(entry, "handler", where)
    area_level, opd = _routing(entry, handler, where)
    return Category(
        code=code,
        name_id=_text(entry, "name_id", where),
        name_en=_text(entry, "name_en", where),
        handler=handler,
        area_level=area_level,
        opd=opd,
        photo_required=photo_required,
        pengawasan=pengawasan,
    )


def _routing(entry: Mapping[str, Any], handler: str, where: str) -> tuple[str, str]:
    """(area_level, opd) checked against ``handler``."""
    if handler == HANDLER_AREA:
        if "opd" in entry:
            raise ValueError(f'{where}: opd is only for handler = "opd"')
        level = _text(entry, "area_level", where) if "area_level" in entry else ""
        if level not in AREA_LEVELS:
            raise ValueError(f'{where}: area_level must be "desa" or "kecamatan"')
        return level, ""
    if handler == HANDLER_OPD:
        if "area_level" in entry:
            raise ValueError(f'{where}: area_level is only for handler = "area"')
        opd = _text(entry, "opd", where) if "opd" in entry else ""
        if not _OPD.fullmatch(opd):
            raise ValueError(f'{where}: opd must be a code like "dinas-pupr", got {opd!r}')
        return "", opd
    raise ValueError(f"{where}: handler must be one of {sorted(HANDLERS)}, got {handler!r}")


def _text(entry: Mapping[str, Any], key: str, where: str) -> str:
    value = entry[key]
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{where}: {key} must be a non-empty string")
    return value.strip()


def _check_unique(categories: tuple[Category, ...], source: str) -> None:
    seen: set[str] = set()
    for category in categories:
        if category.code in seen:
            raise ValueError(f"{source}: duplicate category code {category.code!r}")
        seen.add(category.code)
