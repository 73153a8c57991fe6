"""Voice notes and short videos as evidence, judged by their bytes like photos
(``core.evidence``): a voice note must be an OGG file (it starts with ``OggS``), a video an MP4
(an ``ftyp`` box at byte 4); a renamed file is refused. Each kind has its own size and length
limit, told to the citizen; the per-report total of ``core.evidence`` counts them too. The
length is the one the messenger declares and, where the bytes say it (WhatsApp declares none),
the one measured from them.

Telegram lets a bot download at most 20 MB, so no limit here is above that.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from core.evidence import MB, EvidenceLimits, EvidenceVerdict


class ClipKind(StrEnum):
    VOICE = "voice"
    VIDEO = "video"


#: The MIME type a kept clip is stored and served with (``report_photos.mime_type``).
MIME_TYPES = {ClipKind.VOICE: "audio/ogg", ClipKind.VIDEO: "video/mp4"}
#: The evidence rows that are no pictures: thumbnails, Open311 and the SP4N-LAPOR! photos skip them.
CLIP_MIME_TYPES = tuple(MIME_TYPES.values())


@dataclass(frozen=True)
class ClipLimits:
    max_voice_bytes: int = 5 * MB
    max_voice_seconds: int = 3 * 60
    max_video_bytes: int = 20 * MB
    max_video_seconds: int = 3 * 60

    def max_bytes(self, kind: ClipKind) -> int:
        return self.max_voice_bytes if kind is ClipKind.VOICE else self.max_video_bytes

    def max_seconds(self, kind: ClipKind) -> int:
        return self.max_voice_seconds if kind is ClipKind.VOICE else self.max_video_seconds


CLIP_LIMITS = ClipLimits()


def clip_kind_of(mime_type: str) -> ClipKind | None:
    """The clip kind a stored evidence row's MIME type names, or None for an image."""
    for kind, mime in MIME_TYPES.items():
        if mime == mime_type:
            return kind
    return None


def matches(kind: ClipKind, content: bytes) -> bool:
    """Whether the bytes are what the kind says: OGG for a voice note, MP4 for a video."""
    if kind is ClipKind.VOICE:
        return content[:4] == b"OggS"
    return content[4:8] == b"ftyp"


def measured_seconds(kind: ClipKind, content: bytes) -> int:
    """A clip's length read from its bytes, 0 where they do not say (WhatsApp declares none): an
    OGG's last page's granule position over its rate (Opus counts 48 kHz, Vorbis names its
    own), an MP4's ``mvhd`` duration over its timescale."""
    if kind is ClipKind.VOICE:
        last = content.rfind(b"OggS")
        granule = int.from_bytes(content[last + 6 : last + 14], "little", signed=True)
        vorbis = content.find(b"\x01vorbis")
        rate = 48_000
        if vorbis >= 0 and content.find(b"OpusHead") < 0:
            rate = int.from_bytes(content[vorbis + 12 : vorbis + 16], "little")
        return granule // rate if last >= 0 and granule > 0 and rate > 0 else 0
    box = content.find(b"mvhd")
    if box < 0:
        return 0
    wide = content[box + 4 : box + 5] == b"\x01"
    at = box + (24 if wide else 16)
    timescale = int.from_bytes(content[at : at + 4], "big")
    duration = int.from_bytes(content[at + 4 : at + (12 if wide else 8)], "big")
    return duration // timescale if timescale else 0


def judge_clip_declared(
    kind: ClipKind, size: int, seconds: int, used: int, evidence: EvidenceLimits
) -> EvidenceVerdict:
    """What the declared size and length alone say (0 means unknown)."""
    if size > CLIP_LIMITS.max_bytes(kind) or seconds > CLIP_LIMITS.max_seconds(kind):
        return EvidenceVerdict.TOO_BIG
    if size and used + size > evidence.max_report_bytes:
        return EvidenceVerdict.REPORT_FULL
    return EvidenceVerdict.OK


def judge_clip(
    kind: ClipKind, content: bytes, used: int, evidence: EvidenceLimits
) -> EvidenceVerdict:
    """The verdict on a clip's real bytes, with ``used`` bytes already in the report."""
    if not content:
        return EvidenceVerdict.EMPTY
    if len(content) > CLIP_LIMITS.max_bytes(kind):
        return EvidenceVerdict.TOO_BIG
    if not matches(kind, content):
        return EvidenceVerdict.NOT_IMAGE
    if measured_seconds(kind, content) > CLIP_LIMITS.max_seconds(kind):
        return EvidenceVerdict.TOO_BIG
    if used + len(content) > evidence.max_report_bytes:
        return EvidenceVerdict.REPORT_FULL
    return EvidenceVerdict.OK
