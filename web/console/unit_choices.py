"""The units offered in a drop-down (the list's unit filter, a transfer's destination), in groups:
the kabupaten's own units, then each kecamatan with its desa."""

from __future__ import annotations

from core.permissions import UnitKind
from core.regions import region_label
from locales import Translator
from storage.models import Unit
from web.console.config import ConsoleConfig


def unit_groups(
    tr: Translator, config: ConsoleConfig, units: list[Unit]
) -> list[tuple[str, list[tuple[str, str]]]]:
    """The unit filter's choices in groups: the kabupaten's own units (the coordinator, the
    OPDs), then each kecamatan with its desa, by name."""
    own: list[tuple[str, str]] = []
    areas: dict[str, list[tuple[str, str]]] = {}
    for unit in sorted(units, key=lambda u: (u.kind != UnitKind.KECAMATAN, u.name)):
        code = unit.area_code or ""
        if unit.kind in (UnitKind.KECAMATAN, UnitKind.DESA) and code.count(".") >= 2:
            areas.setdefault(".".join(code.split(".")[:3]), []).append((unit.code, unit.name))
        else:
            own.append((unit.code, unit.name))
    groups = [(tr.t("console.filter.unit_group_own"), own)] if own else []
    named = []
    for code, members in areas.items():
        region = config.regions.get(code)
        named.append((region_label(region) if region else code, members))
    return groups + sorted(named)
