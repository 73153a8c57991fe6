"""Laporan serupa: which open reports look like the one a citizen is about to file.

Pure: the caller reads the candidate reports; this module says which of them are similar (same
category, and the same desa or a GPS point within the radius when both have one, from the last
days) and in which order they are shown (nearest first, then newest). A citizen is offered only
what :func:`offerable` allows (verified, biasa); the unit's duplicate picker sees more. See
docs/similar.md.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from core.lifecycle import OPEN_STATUSES, Privacy, ReportStatus

#: Mean Earth radius in metres (IUGG), enough for distances of a few hundred metres.
EARTH_RADIUS_M = 6_371_008.8
#: How many similar reports are shown at most.
SHOWN_MAX = 3
#: Open statuses a report reaches only once the unit verified it (baru is not verified yet).
VERIFIED_OPEN = OPEN_STATUSES - {ReportStatus.BARU}


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """The great-circle (haversine) distance between two points, in metres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp = p2 - p1
    dl = math.radians(lon2 - lon1)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


@dataclass(frozen=True)
class Place:
    """What is known of the new report: category, desa code, optional GPS point."""

    category: str
    region_code: str
    latitude: float | None = None
    longitude: float | None = None
    citizen_id: int | None = None  # the citizen's own reports are never offered to them


@dataclass(frozen=True)
class Candidate:
    """An existing report, as much of it as matching needs."""

    report_id: int
    category: str
    region_code: str
    status: ReportStatus
    privacy: Privacy
    created_at: datetime
    citizen_id: int | None = None
    latitude: float | None = None
    longitude: float | None = None


@dataclass(frozen=True)
class Match:
    candidate: Candidate
    distance_m: float | None  # None: matched by the desa, without two GPS points


def offerable(status: ReportStatus, privacy: Privacy) -> bool:
    """Whether a report may be offered to any citizen starting a report nearby: only once the
    unit verified it, and only when its reporter chose biasa (an anonim or rahasia report, or
    one nobody checked yet, is not shown to strangers)."""
    return status in VERIFIED_OPEN and privacy == Privacy.BIASA


def _distance(place: Place, candidate: Candidate) -> float | None:
    lat1, lon1 = place.latitude, place.longitude
    lat2, lon2 = candidate.latitude, candidate.longitude
    if lat1 is None or lon1 is None or lat2 is None or lon2 is None:
        return None
    return distance_m(lat1, lon1, lat2, lon2)


def match(
    place: Place, candidate: Candidate, *, now: datetime, radius_m: float, days: int
) -> Match | None:
    """``candidate`` as a match for ``place``, or None when it is not similar or not offered
    (closed, confidential, too old, the citizen's own)."""
    if candidate.category != place.category or candidate.status not in OPEN_STATUSES:
        return None
    if candidate.privacy == Privacy.RAHASIA:  # a confidential report is not public
        return None
    if place.citizen_id is not None and candidate.citizen_id == place.citizen_id:
        return None
    if candidate.created_at < now - timedelta(days=days):
        return None
    distance = _distance(place, candidate)
    if distance is not None and distance <= radius_m:
        return Match(candidate, distance)
    if candidate.region_code == place.region_code:
        return Match(candidate, distance)
    return None


def similar(
    place: Place,
    candidates: list[Candidate],
    *,
    now: datetime,
    radius_m: float,
    days: int,
    limit: int = SHOWN_MAX,
) -> list[Match]:
    """The similar reports to show, nearest first (those without a distance after), then the
    newest first."""
    found = [
        m
        for c in candidates
        if (m := match(place, c, now=now, radius_m=radius_m, days=days)) is not None
    ]
    found.sort(
        key=lambda m: (
            m.distance_m is None,
            m.distance_m or 0.0,
            -m.candidate.created_at.timestamp(),
        )
    )
    return found[: max(0, limit)]
