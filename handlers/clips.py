"""Voice notes and videos as evidence (``core.clips``): downloaded before the step like photos
(:class:`handlers.evidence.DownloadFirst`), judged by their bytes and size, and kept by their
Telegram file id with the MIME type that says what they are (``audio/ogg``, ``video/mp4``); a
clip from another messenger (``as_file``: WhatsApp) is kept as a ``local:`` copy in the media
store instead, which the outbox uploads to the unit's Telegram group.

A refused clip is told once per reason, with the limits; refusals join the draft's tally like
photos' (``evidence.reason.*``). A clip carries the sender's voice or face and is passed on as
it came (no library in the stack strips a video's metadata), so the citizen is told so when it is
accepted: whoever later chooses anonim knows what the unit will hear or see (docs/decisions.md).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from core.clips import (
    CLIP_LIMITS,
    MIME_TYPES,
    ClipKind,
    clip_kind_of,
    judge_clip,
    judge_clip_declared,
)
from core.evidence import MB, EvidenceVerdict
from handlers import evidence
from handlers.events import Photo
from handlers.turn import Turn

log = logging.getLogger(__name__)


@dataclass
class ClipInspection:
    accepted: list[tuple[Photo, int]] = field(default_factory=list)  # clip, size in bytes
    refused: list[str] = field(default_factory=list)  # reason key per refused clip


def _reason(kind: ClipKind, verdict: EvidenceVerdict) -> str:
    if verdict is EvidenceVerdict.NOT_IMAGE:
        return f"not_{kind}"
    if verdict is EvidenceVerdict.TOO_BIG:
        return f"{kind}_too_big"
    return verdict.value


async def inspect_clips(turn: Turn, clips: Sequence[Photo], used: int) -> ClipInspection:
    """Judge ``clips`` in order; ``used`` bytes of evidence are already in the report."""
    result = ClipInspection()
    limits = turn.deps.config.evidence
    files = turn.deps.files
    downloaded = evidence.downloaded_files()
    wanted = []
    for clip in clips:
        kind = clip_kind_of(clip.mime_type) or ClipKind.VOICE
        declared = judge_clip_declared(kind, clip.file_size, clip.duration, used, limits)
        if declared is EvidenceVerdict.OK and clip.file_id not in downloaded:
            wanted.append(clip)
    if wanted and files is not None:
        raise evidence.DownloadFirst(files, turn.channel, wanted)
    for clip in clips:
        kind = clip_kind_of(clip.mime_type) or ClipKind.VOICE
        verdict = judge_clip_declared(kind, clip.file_size, clip.duration, used, limits)
        size, content = clip.file_size, None
        if verdict is EvidenceVerdict.OK:
            content = downloaded.get(clip.file_id)
            if content is None:  # not downloadable (or no file fetcher): never unchecked
                result.refused.append(evidence.UNREADABLE)
                continue
            verdict, size = judge_clip(kind, content, used, limits), len(content)
        if verdict is not EvidenceVerdict.OK:
            result.refused.append(_reason(kind, verdict))
            continue
        if clip.as_file and files is not None and content is not None:
            # Another messenger's clip (WhatsApp's media id means nothing to Telegram): the
            # checked bytes are kept and the report holds that copy's ``local:`` reference.
            kept = await files.keep_clip(content, MIME_TYPES[kind])
            clip = replace(clip, file_id=kept.ref, mime_type=kept.mime_type, as_file=False)
        result.accepted.append((clip, size))
        used += size
    if result.refused:
        log.info("clip refused: %s", ", ".join(result.refused))
    return result


def tell_clip_refusals(turn: Turn, refused: Sequence[str]) -> None:
    """One polite sentence per reason; the clips' own limits are named."""
    ours = [r for r in refused if r.startswith(("not_voice", "not_video", "voice_", "video_"))]
    for reason in dict.fromkeys(ours):
        turn.send(
            turn.t(
                f"clips.refused.{reason}",
                voice_mb=CLIP_LIMITS.max_voice_bytes // MB,
                voice_minutes=CLIP_LIMITS.max_voice_seconds // 60,
                video_mb=CLIP_LIMITS.max_video_bytes // MB,
                video_minutes=CLIP_LIMITS.max_video_seconds // 60,
            )
        )
    evidence.tell_refusals(turn, [r for r in refused if r not in ours])


def tell_accepted(turn: Turn, accepted: Sequence[tuple[Photo, int]]) -> None:
    """A word per kind accepted: it goes to the unit as it is, voice and face included."""
    kinds = dict.fromkeys(clip_kind_of(clip.mime_type) or ClipKind.VOICE for clip, _ in accepted)
    for kind in kinds:
        turn.send(turn.t(f"clips.accepted.{kind}"))
