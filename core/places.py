"""Where a report is, as each reader may see it: outside the handling unit (other units, Open311,
anyone not the holding unit or the coordinator) an anonim or rahasia report's GPS point is
rounded to :data:`BLUR_DECIMALS` decimals (about 100 m), so that a point on a house does not name
the household. The holding unit and the coordinator keep the exact point."""

from __future__ import annotations

from core.lifecycle import Privacy

#: Decimals a blurred point keeps: 0.001° is about 111 m of latitude (less of longitude).
BLUR_DECIMALS = 3
#: The privacies whose point is blurred outside the handling unit.
BLURRED = frozenset({Privacy.ANONIM, Privacy.RAHASIA})


def shown_point(
    latitude: float | None, longitude: float | None, privacy: str, *, insider: bool
) -> tuple[float, float] | None:
    """The point a reader sees: exact for an ``insider`` (the holding unit, the coordinator) or
    a biasa report, rounded for an anonim or rahasia one; None without a point."""
    if latitude is None or longitude is None:
        return None
    if insider or privacy not in BLURRED:
        return latitude, longitude
    return round(latitude, BLUR_DECIMALS), round(longitude, BLUR_DECIMALS)
