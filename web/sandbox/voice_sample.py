"""The sample voice note shipped with the sandbox (``static/samples/rekaman-suara.ogg``), and the
code that writes it: a real OGG/Opus file, three seconds of silence, that a browser plays and the
bot's checks take as a voice note (it starts with ``OggS``; its last page says its length,
``core.clips.measured_seconds``). It is built here with no encoder: the pages are framed and
checksummed as RFC 3533 says, and each 20 ms of sound is Opus's shortest silent CELT frame
(RFC 6716). ``python -m web.sandbox.voice_sample`` writes it again.
"""

from __future__ import annotations

import struct

from web.sandbox.samples import SAMPLES_DIR

VOICE_SAMPLE = SAMPLES_DIR / "rekaman-suara.ogg"
#: The length the sandbox declares when it sends the sample, as a Telegram app would.
VOICE_SECONDS = 3
#: One 20 ms frame of silence: CELT, full band, mono, one frame (TOC 0xF8), then its bits.
SILENT_FRAME = b"\xf8\xff\xfe"
FRAME_SAMPLES = 960  # 20 ms at 48 kHz, the rate Opus always counts in
PRE_SKIP = 312
SERIAL = 0x4B414E41  # any number names the stream; "KANA"
FRAMES_PER_PAGE = 50  # one second a page


def _crc_table() -> list[int]:
    table = []
    for byte in range(256):
        crc = byte << 24
        for _ in range(8):
            crc = ((crc << 1) ^ 0x04C11DB7) if crc & 0x80000000 else crc << 1
        table.append(crc & 0xFFFFFFFF)
    return table


_CRC = _crc_table()


def ogg_crc(data: bytes) -> int:
    """OGG's page checksum: CRC-32 with polynomial 0x04C11DB7, unreflected, starting at 0."""
    crc = 0
    for byte in data:
        crc = ((crc << 8) & 0xFFFFFFFF) ^ _CRC[((crc >> 24) ^ byte) & 0xFF]
    return crc


def ogg_page(packets: list[bytes], *, sequence: int, granule: int, flags: int = 0) -> bytes:
    """One page holding whole ``packets`` (each under 255 bytes, as everything here is)."""
    lacing = b""
    for packet in packets:
        assert len(packet) < 255, "a packet of 255 bytes or more needs more lacing values"
        lacing += bytes([len(packet)])
    header = b"OggS" + struct.pack("<BBqIII", 0, flags, granule, SERIAL, sequence, 0)
    page = header + bytes([len(packets)]) + lacing + b"".join(packets)
    return page[:22] + struct.pack("<I", ogg_crc(page)) + page[26:]


def silent_voice_note(seconds: int = VOICE_SECONDS) -> bytes:
    """An OGG/Opus voice note of ``seconds`` of silence, mono."""
    head = b"OpusHead" + struct.pack("<BBHIhB", 1, 1, PRE_SKIP, 48_000, 0, 0)
    vendor = b"Kanal Aduan sandbox"
    tags = b"OpusTags" + struct.pack("<I", len(vendor)) + vendor + struct.pack("<I", 0)
    pages = [
        ogg_page([head], sequence=0, granule=0, flags=0x02),  # beginning of the stream
        ogg_page([tags], sequence=1, granule=0),
    ]
    frames = seconds * 48_000 // FRAME_SAMPLES
    done = 0
    while done < frames:
        count = min(FRAMES_PER_PAGE, frames - done)
        done += count
        last = done == frames
        pages.append(
            ogg_page(
                [SILENT_FRAME] * count,
                sequence=len(pages),
                granule=PRE_SKIP + done * FRAME_SAMPLES,
                flags=0x04 if last else 0,  # the last page ends the stream
            )
        )
    return b"".join(pages)


if __name__ == "__main__":
    VOICE_SAMPLE.write_bytes(silent_voice_note())
    print(VOICE_SAMPLE)
