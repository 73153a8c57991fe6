"""A clip's length measured from its bytes (WhatsApp declares none): OGG Opus and Vorbis by the
last page's granule position, MP4 by ``mvhd``; over the limit is refused like a declared one."""

from __future__ import annotations

from core.clips import CLIP_LIMITS, ClipKind, judge_clip, measured_seconds
from core.evidence import EvidenceLimits, EvidenceVerdict
from tests.clip_bytes import video_of, voice_of


def test_an_ogg_opus_voice_notes_length_is_its_last_granule_at_48_khz() -> None:
    assert measured_seconds(ClipKind.VOICE, voice_of(75)) == 75
    assert measured_seconds(ClipKind.VOICE, b"OggS\x00\x02" + b"\x00" * 400) == 0


def test_an_ogg_vorbis_voice_note_counts_its_own_rate() -> None:
    header = b"\x01vorbis" + (0).to_bytes(4, "little") + b"\x01" + (16_000).to_bytes(4, "little")
    first = b"OggS\x00\x02" + (0).to_bytes(8, "little") + b"\x00" * 13 + header
    last = b"OggS\x00\x04" + (16_000 * 30).to_bytes(8, "little") + b"\x00" * 13
    assert measured_seconds(ClipKind.VOICE, first + b"\x00" * 50 + last) == 30


def test_an_mp4s_length_is_its_mvhd_duration() -> None:
    assert measured_seconds(ClipKind.VIDEO, video_of(42)) == 42
    assert measured_seconds(ClipKind.VIDEO, b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 60) == 0


def test_a_clip_measured_over_the_limit_is_too_big() -> None:
    limits = EvidenceLimits()
    long = CLIP_LIMITS.max_voice_seconds + 1
    assert judge_clip(ClipKind.VOICE, voice_of(long), 0, limits) is EvidenceVerdict.TOO_BIG
    assert judge_clip(ClipKind.VOICE, voice_of(60), 0, limits) is EvidenceVerdict.OK
    too_long = video_of(CLIP_LIMITS.max_video_seconds + 5)
    assert judge_clip(ClipKind.VIDEO, too_long, 0, limits) is EvidenceVerdict.TOO_BIG
    assert judge_clip(ClipKind.VIDEO, video_of(20), 0, limits) is EvidenceVerdict.OK
