"""The sample evidence photos shipped with the sandbox, and the script that drew them.

The page offers them next to "upload from this computer", so a training room needs no photos of
its own. They are drawn here with plain ``zlib`` (no imaging library) and committed as PNG files;
``python -m web.sandbox.samples`` draws them again.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

SAMPLES_DIR = Path(__file__).parent / "static" / "samples"
WIDTH, HEIGHT = 320, 240
Rgb = tuple[int, int, int]
Painter = Callable[[int, int], Rgb]


@dataclass(frozen=True)
class Sample:
    """One sample photo: its file name and the catalogue key of its label."""

    file_name: str
    label_key: str

    @property
    def path(self) -> Path:
        return SAMPLES_DIR / self.file_name


SAMPLES = (
    Sample("jalan-berlubang.png", "sandbox.sample.road"),
    Sample("jalan-berlubang-dekat.png", "sandbox.sample.road_close"),
    Sample("sampah-menumpuk.png", "sandbox.sample.waste"),
)


def sample(file_name: str) -> Sample:
    """The shipped sample called ``file_name``; KeyError for any other name."""
    for item in SAMPLES:
        if item.file_name == file_name:
            return item
    raise KeyError(file_name)


def png(paint: Painter, width: int = WIDTH, height: int = HEIGHT) -> bytes:
    """An RGB PNG whose pixel (x, y) is ``paint(x, y)``."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(
        b"\x00" + b"".join(bytes(paint(x, y)) for x in range(width)) for y in range(height)
    )
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"".join(
        (
            b"\x89PNG\r\n\x1a\n",
            chunk(b"IHDR", header),
            chunk(b"IDAT", zlib.compress(rows, 9)),
            chunk(b"IEND", b""),
        )
    )


def _inside_ellipse(x: int, y: int, cx: int, cy: int, rx: int, ry: int) -> bool:
    return ((x - cx) / rx) ** 2 + ((y - cy) / ry) ** 2 <= 1


def _road(x: int, y: int, holes: tuple[tuple[int, int, int, int], ...]) -> Rgb:
    horizon = 90
    if y < horizon:
        return (135, 190, 235) if y < 70 else (60, 130, 60)  # sky, then trees
    # The road narrows towards the horizon: a trapezoid between two verges.
    depth = (y - horizon) / (HEIGHT - horizon)
    half = 20 + depth * 150
    if abs(x - WIDTH / 2) > half:
        return (70, 150, 60)
    for cx, cy, rx, ry in holes:
        if _inside_ellipse(x, y, cx, cy, rx, ry):
            return (70, 55, 40) if _inside_ellipse(x, y, cx, cy, rx - 4, ry - 3) else (40, 35, 30)
    if abs(x - WIDTH / 2) < 2 + depth * 3 and (y // 12) % 2 == 0:
        return (235, 235, 235)
    return (120, 120, 125)


def _road_far(x: int, y: int) -> Rgb:
    return _road(x, y, ((130, 170, 30, 12), (200, 205, 40, 16)))


def _road_close(x: int, y: int) -> Rgb:
    if _inside_ellipse(x, y, 160, 140, 120, 70):
        return (75, 60, 42) if _inside_ellipse(x, y, 160, 140, 105, 58) else (45, 40, 35)
    return (120, 120, 125) if (x * 7 + y * 13) % 17 else (100, 100, 104)


def _waste(x: int, y: int) -> Rgb:
    if y < 80:
        return (150, 200, 240)
    blobs = (
        (110, 170, 60, 40, (40, 90, 170)),
        (190, 175, 55, 35, (200, 60, 50)),
        (150, 140, 45, 30, (230, 200, 60)),
        (230, 195, 40, 25, (30, 30, 30)),
    )
    for cx, cy, rx, ry, colour in blobs:
        if _inside_ellipse(x, y, cx, cy, rx, ry):
            return colour
    return (150, 120, 80)


_PAINTERS: dict[str, Painter] = {
    "jalan-berlubang.png": _road_far,
    "jalan-berlubang-dekat.png": _road_close,
    "sampah-menumpuk.png": _waste,
}


def draw_all() -> None:
    SAMPLES_DIR.mkdir(parents=True, exist_ok=True)
    for item in SAMPLES:
        item.path.write_bytes(png(_PAINTERS[item.file_name]))


if __name__ == "__main__":
    draw_all()
