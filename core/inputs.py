"""Input that says nothing is not input: invisible characters and implausible places; and
text that could break what it is written into is cleaned where it enters.

A text is judged (empty? long enough?) by what a reader sees: zero-width spaces, joiners,
direction marks, byte-order marks and control characters are not counted. A GPS point must lie
within the region's bounds (a setting; the default is Indonesia), so a point in London is not
stored for a report in Kutai Timur.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

#: Layout characters a person does type and sees the effect of.
_KEPT = frozenset("\n\t ")


def visible(text: str) -> str:
    """``text`` without invisible characters (format and control characters), stripped."""
    return "".join(
        ch for ch in text if ch in _KEPT or unicodedata.category(ch) not in ("Cf", "Cc")
    ).strip()


#: C0 and C1 control characters (newline and tab apart), lone surrogates (a Python string holds
#: a pair as one character, so any surrogate is alone) and the noncharacters U+FFFE/U+FFFF:
#: nothing a person means to type, and each one breaks an XML document, an XLSX cell or UTF-8.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def clean_text(text: str, *, multiline: bool = True) -> str:
    """``text`` fit to store and to write anywhere: line ends made ``\\n``, the characters above
    removed; a one-line text (``multiline=False``) also gets a space for each newline and tab."""
    text = _UNSAFE.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    return text if multiline else text.replace("\n", " ").replace("\t", " ")


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
