"""Input that says nothing is not input: invisible characters and implausible places.

A text is judged (empty? long enough?) by what a reader sees: zero-width spaces, joiners,
direction marks, byte-order marks and control characters are not counted. A GPS point must lie
within the region's bounds (a setting; the default is Indonesia), so a point in London is not
stored for a report in Kutai Timur.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

#: Layout characters a person does type and sees the effect of.
_KEPT = frozenset("\n\t ")


def visible(text: str) -> str:
    """``text`` without invisible characters (format and control characters), stripped."""
    return "".join(
        ch for ch in text if ch in _KEPT or unicodedata.category(ch) not in ("Cf", "Cc")
    ).strip()


def says_nothing(text: str) -> bool:
    return not visible(text)


@dataclass(frozen=True)
class Bounds:
    """A latitude/longitude box (south, west, north, east), in degrees."""

    south: float = -11.2
    west: float = 94.7
    north: float = 6.3
    east: float = 141.1

    def contains(self, latitude: float, longitude: float) -> bool:
        return self.south <= latitude <= self.north and self.west <= longitude <= self.east

    @classmethod
    def parse(cls, text: str) -> Bounds:
        """``"south,west,north,east"``; raises ValueError on anything else."""
        parts = [float(part) for part in text.split(",")]
        if len(parts) != 4:
            raise ValueError("bounds are four numbers: south,west,north,east")
        south, west, north, east = parts
        if not (-90 <= south < north <= 90 and -180 <= west < east <= 180):
            raise ValueError("bounds must be south < north and west < east, in degrees")
        return cls(south, west, north, east)
