"""Routing (disposisi awal): which unit must act on a new report, per docs/domain.md.

Each category names its handler: the area unit of the report's location (desa or kecamatan) or a
named OPD. A unit without a bound group chat cannot hear about a report, so the report goes up:
desa → kecamatan → coordinator (an OPD → coordinator). The coordinator is always the last resort.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal, TypeVar

from core.categories import HANDLER_OPD, Category

TargetKind = Literal["area", "opd", "coordinator"]
T = TypeVar("T")


@dataclass(frozen=True)
class Target:
    """A unit to look up: by area code (``64.08.01.2001``), by OPD code, or the coordinator."""

    kind: TargetKind
    key: str = ""


COORDINATOR = Target("coordinator")


def kecamatan_of(desa_code: str) -> str:
    """``64.08.01.2001`` → ``64.08.01`` (Kemendagri codes: province.kabupaten.kecamatan.desa)."""
    parts = desa_code.split(".")
    return ".".join(parts[:3]) if len(parts) >= 4 else desa_code


def candidates(category: Category, desa_code: str) -> tuple[Target, ...]:
    """The units that may hold a report of ``category`` at ``desa_code``, first choice first."""
    if category.handler == HANDLER_OPD:
        return (Target("opd", category.opd), COORDINATOR)
    kecamatan = Target("area", kecamatan_of(desa_code))
    if category.area_level == "desa":
        return (Target("area", desa_code), kecamatan, COORDINATOR)
    return (kecamatan, COORDINATOR)


def choose(options: Sequence[T], reachable: Callable[[T], bool]) -> tuple[T, bool]:
    """The first reachable option, or the last one (the coordinator) when none is.

    Returns the choice and whether it fell back from the first option.
    """
    if not options:
        raise ValueError("no routing options")
    for index, option in enumerate(options):
        if reachable(option):
            return option, index > 0
    return options[-1], len(options) > 1


def seen_by(holder: T | None, coordinator: T | None, reachable: Callable[[T], bool]) -> T | None:
    """The unit whose groups see a report held by ``holder``: the holder when it has a bound
    group, otherwise the coordinator (the last step of the same ladder as :func:`choose`)."""
    if holder is not None and (coordinator is None or reachable(holder)):
        return holder
    return coordinator
