"""Voice notes and videos for tests, as small as the bot's checks allow: an OGG voice note
(Opus) whose last page says its length, an MP4 whose ``mvhd`` box does
(``core.clips.measured_seconds``)."""

from __future__ import annotations


def voice_of(seconds: int, filler: bytes = b"\x00" * 300) -> bytes:
    """Two OGG pages: the Opus header, then a last page at ``seconds`` × 48 kHz."""
    first = b"OggS\x00\x02" + (0).to_bytes(8, "little") + b"\x00" * 13 + b"OpusHead\x01\x01"
    last = b"OggS\x00\x04" + (seconds * 48_000).to_bytes(8, "little") + b"\x00" * 13
    return first + filler + last + b"\x00" * 40


def video_of(seconds: int, filler: bytes = b"\x00" * 400) -> bytes:
    """An ``ftyp`` box, then a version-0 ``mvhd`` with a timescale of 1000."""
    ftyp = b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 12
    version_and_dates = b"\x00" * 12
    body = version_and_dates + (1000).to_bytes(4, "big") + (seconds * 1000).to_bytes(4, "big")
    mvhd = (8 + len(body) + 80).to_bytes(4, "big") + b"mvhd" + body + b"\x00" * 80
    return ftyp + b"\x00\x00\x00\x08moov" + mvhd + filler
