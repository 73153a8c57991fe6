"""What the end-to-end tests share: reading the bot's screens and walking through a report."""

from __future__ import annotations

import re
import struct
import zlib
from collections.abc import Awaitable, Callable
from typing import Any, Literal

from emulator import TgUser
from emulator.chat import ChatView

Until = Callable[[Callable[[], Awaitable[bool]], float], Awaitable[None]]
ChatOf = Callable[[TgUser], ChatView]
JsonDict = dict[str, Any]

SITI = TgUser(id=1001, first_name="Siti")
DESCRIPTION = "Air PDAM mati total sejak tiga hari di RT 05, warga beli air galon."
TRACKING = re.compile(r"Nomor laporan: ([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z])\n")


def labels(message: JsonDict) -> list[str]:
    """The labels of the inline keyboard under ``message``."""
    rows = (message.get("reply_markup") or {}).get("inline_keyboard") or []
    return [str(button["text"]) for row in rows for button in row]


def reply_labels(message: JsonDict) -> list[str]:
    """The labels of the reply keyboard sent with ``message``."""
    rows = (message.get("sent_markup") or {}).get("keyboard") or []
    return [str(button["text"]) for row in rows for button in row]


def callback_data(message: JsonDict, label: str) -> str:
    rows = (message.get("reply_markup") or {}).get("inline_keyboard") or []
    return next(str(b["callback_data"]) for row in rows for b in row if b["text"] == label)


def tracking_number(message: JsonDict) -> str:
    found = TRACKING.search(str(message.get("text", "")))
    assert found, message.get("text")
    return found.group(1)


def tiny_png(tag: int) -> bytes:
    """A valid 1×1 PNG; ``tag`` makes the pixel (and so the bytes) unique."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixel = zlib.compress(bytes([0, tag % 256, 0x80, 0x40]))
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixel) + chunk(b"IEND", b"")
    )


# The quickest report (Pengaduan, Air Bersih, Sepaso in Bengalon, no optional step), one row per
# screen: how the citizen gets there (a typed text or a pressed button), the label, and a part of
# the screen's text. ``None`` as the label stands for the report's description.
_WALK: list[tuple[str, Literal["send", "press"], str | None, str]] = [
    ("type", "send", "📝 Laporan baru", "Apa jenis laporan Anda?"),
    ("category", "press", "Pengaduan", "Pilih kategori"),
    ("kecamatan", "press", "Air Bersih", "Di kecamatan mana"),
    ("desa", "press", "Bengalon", "Di desa/kelurahan mana"),
    ("address", "press", "Sepaso", "Tulis detail alamat"),
    ("gps", "press", "Lewati ➡️", "Kirim titik lokasi"),
    # On the GPS step the buttons are a reply keyboard: Skip arrives as text.
    ("description", "send", "Lewati lokasi ➡️", "Ceritakan masalahnya"),
    ("photos", "send", None, "Kirim foto bukti"),
    ("privacy", "press", "Lewati ➡️", "Pilih kerahasiaan"),
    ("summary", "press", "Biasa", "Periksa laporan Anda"),
    ("sent", "press", "📨 Kirim laporan", "Nomor laporan:"),
]
_STEPS = ["menu", *(step for step, *_ in _WALK)]


async def walk_to(
    chat: ChatView,
    step: str,
    *,
    start: str = "menu",
    consent: bool = False,
    description: str = DESCRIPTION,
) -> JsonDict:
    """Go from the screen ``start`` (the main menu by default) to ``step``; the last screen.

    ``consent`` first agrees to the privacy notice; ``"sent"`` submits the report, so the last
    screen is the confirmation with the tracking number.
    """
    if not {start, step} <= set(_STEPS):
        raise ValueError(f"steps are {_STEPS}, not {start!r} and {step!r}")
    walk = _WALK[_STEPS.index(start) : _STEPS.index(step)]
    if not walk:
        raise ValueError(f"{step!r} does not come after {start!r}")
    if consent:
        await chat.consent()
    screen: JsonDict = {}
    for _, how, label, expect in walk:
        act = chat.send if how == "send" else chat.press
        screen = await act(description if label is None else label, expect)
    return screen
