"""What the emulator's tests share besides fixtures (those are in conftest.py)."""

from __future__ import annotations

import struct
import zlib

TOKEN = "123456:TEST-token"


def png(width: int, height: int) -> bytes:
    """A valid PNG so photo sizes get real dimensions."""

    def chunk(kind: bytes, payload: bytes) -> bytes:
        body = kind + payload
        return struct.pack(">I", len(payload)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    pixels = zlib.compress(b"".join(b"\x00" + b"\x80" * width for _ in range(height)))
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )
