"""Just enough image sniffing to give PhotoSize objects plausible dimensions."""

from __future__ import annotations

import struct

_DEFAULT_SIZE = (1280, 960)


def image_size(data: bytes) -> tuple[int, int]:
    """(width, height) of a PNG, GIF or JPEG; a default for anything else or broken data."""
    if data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) >= 24:
        width, height = struct.unpack(">II", data[16:24])
        return int(width), int(height)
    if data[:6] in (b"GIF87a", b"GIF89a") and len(data) >= 10:
        width, height = struct.unpack("<HH", data[6:10])
        return int(width), int(height)
    if data.startswith(b"\xff\xd8"):
        return _jpeg_size(data) or _DEFAULT_SIZE
    return _DEFAULT_SIZE


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    # Walk the marker segments until a start-of-frame, which carries the dimensions.
    pos = 2
    while pos + 9 < len(data):
        if data[pos] != 0xFF:
            return None
        marker = data[pos + 1]
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:
            pos += 2
            continue
        (length,) = struct.unpack(">H", data[pos + 2 : pos + 4])
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            height, width = struct.unpack(">HH", data[pos + 5 : pos + 9])
            return int(width), int(height)
        pos += 2 + length
    return None


def photo_sizes(width: int, height: int) -> list[tuple[int, int]]:
    """Telegram keeps a thumbnail plus the (at most 1280 px) full picture, smallest first."""
    sizes: list[tuple[int, int]] = []
    for limit in (90, 320, 1280):
        scale = min(1.0, limit / max(width, height, 1))
        size = (max(1, round(width * scale)), max(1, round(height * scale)))
        if size not in sizes:
            sizes.append(size)
    if len(sizes) == 1:  # tiny image: still offer two sizes, as clients expect a thumbnail
        sizes.insert(0, sizes[0])
    return sizes
