"""Evidence photos are judged by their bytes, not by the type the sender's app declared.

A file counts as a photo only if it starts with the signature of an image format officers'
phones show (JPEG, PNG, WebP, GIF); a file named ``surat.exe`` declared ``image/png`` is not one.
Sizes are limited per photo and per report (settings), so one report cannot fill the disk; an
empty file is refused. Each refusal is a reason key the conversation turns into a sentence.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

MB = 1024 * 1024


class EvidenceVerdict(StrEnum):
    OK = "ok"
    EMPTY = "empty"  # 0 bytes
    NOT_IMAGE = "not_image"  # the bytes are not JPEG, PNG, WebP or GIF
    TOO_BIG = "too_big"  # over the per-photo limit
    REPORT_FULL = "report_full"  # would take the report over its total


@dataclass(frozen=True)
class EvidenceLimits:
    max_photo_bytes: int = 10 * MB
    max_report_bytes: int = 25 * MB


def image_type(content: bytes) -> str | None:
    """The image's MIME type by its signature (magic number), or None if it is no image."""
    if content[:3] == b"\xff\xd8\xff":
        return "image/jpeg"
    if content[:8] == b"\x89PNG\r\n\x1a\n":
        return "image/png"
    if content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return "image/webp"
    if content[:6] in (b"GIF87a", b"GIF89a"):
        return "image/gif"
    return None


def judge_declared(size: int, used: int, limits: EvidenceLimits) -> EvidenceVerdict:
    """What the declared size alone says (before anything is downloaded); 0 means unknown."""
    if size > limits.max_photo_bytes:
        return EvidenceVerdict.TOO_BIG
    if size and used + size > limits.max_report_bytes:
        return EvidenceVerdict.REPORT_FULL
    return EvidenceVerdict.OK


def judge(content: bytes, used: int, limits: EvidenceLimits) -> EvidenceVerdict:
    """The verdict on a file's real bytes, with ``used`` bytes already in the report."""
    if not content:
        return EvidenceVerdict.EMPTY
    if len(content) > limits.max_photo_bytes:
        return EvidenceVerdict.TOO_BIG
    if image_type(content) is None:
        return EvidenceVerdict.NOT_IMAGE
    if used + len(content) > limits.max_report_bytes:
        return EvidenceVerdict.REPORT_FULL
    return EvidenceVerdict.OK
