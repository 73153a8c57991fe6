"""Evidence judged by its bytes: signatures, empty files, per-photo and per-report limits."""

from __future__ import annotations

import pytest

from core.evidence import EvidenceLimits, EvidenceVerdict, image_type, judge, judge_declared

LIMITS = EvidenceLimits(max_photo_bytes=100, max_report_bytes=250)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"\xff\xd8\xff\xe0rest", "image/jpeg"),
        (b"\x89PNG\r\n\x1a\nrest", "image/png"),
        (b"RIFF\x10\x00\x00\x00WEBPVP8 ", "image/webp"),
        (b"GIF89a...", "image/gif"),
        (b"GIF87a...", "image/gif"),
        (b"MZ\x90\x00", None),
        (b"%PDF-1.7", None),
        (b"RIFF\x10\x00\x00\x00WAVE", None),
        (b"\xff\xd8", None),
        (b"", None),
    ],
)
def test_image_type_by_signature(content: bytes, expected: str | None) -> None:
    assert image_type(content) == expected


def test_judge_real_bytes() -> None:
    jpeg = b"\xff\xd8\xff" + b"\x00" * 77  # 80 bytes
    assert judge(b"", 0, LIMITS) == EvidenceVerdict.EMPTY
    assert judge(b"MZ" * 10, 0, LIMITS) == EvidenceVerdict.NOT_IMAGE
    assert judge(jpeg + b"\x00" * 21, 0, LIMITS) == EvidenceVerdict.TOO_BIG
    assert judge(jpeg, 0, LIMITS) == EvidenceVerdict.OK
    assert judge(jpeg, 170, LIMITS) == EvidenceVerdict.OK
    assert judge(jpeg, 171, LIMITS) == EvidenceVerdict.REPORT_FULL


def test_judge_declared_size_before_download() -> None:
    assert judge_declared(0, 0, LIMITS) == EvidenceVerdict.OK  # unknown: the bytes decide
    assert judge_declared(101, 0, LIMITS) == EvidenceVerdict.TOO_BIG
    assert judge_declared(100, 200, LIMITS) == EvidenceVerdict.REPORT_FULL
    assert judge_declared(50, 200, LIMITS) == EvidenceVerdict.OK
