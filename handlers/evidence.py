"""Checking evidence before it counts: each photo's bytes are fetched and judged by
``core.evidence`` (a real image, not empty, within the per-photo and per-report limits).

A refused file is not added to the report; the citizen hears why, once per reason, and the
refusal is logged with the reason only (no names, no file ids).

An image sent as a file (not as a photo, which Telegram re-encodes) carries the citizen's own file
name and bytes: EXIF with a GPS position or an owner's name, PNG text, a polyglot. It is redrawn
without metadata and kept on the server (``FileFetcher.keep``), and from then on the report holds
only that copy's ``local:`` reference: the original never goes to a unit, the console or Open311.
Without a file fetcher (some conversation tests) such a file cannot be cleaned and is refused.

The bytes are never downloaded inside a step: the step's transaction would wait on the messenger's
network. A step that needs files it was not given raises :class:`DownloadFirst` before it judges
anything; the inbox ends the transaction (nothing of the step is kept), downloads the files with
none open, and runs the step again with them (``handlers.ask_first``, which asks Telegram the
same way whether the sender administers a group).
"""

from __future__ import annotations

import logging
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field, replace

from core.evidence import EvidenceVerdict, judge, judge_declared
from handlers.ask_first import AskFirst, answers
from handlers.deps import FileFetcher
from handlers.events import Photo
from handlers.turn import Turn

log = logging.getLogger(__name__)

#: The messenger could not hand the file over (gone, or too big for the Bot API).
UNREADABLE = "unreadable"


@dataclass
class Inspection:
    #: photo, size in bytes, MIME type (as Telegram declared it: a photo is JPEG there, however
    #: the emulator stores it, and it decides how the photo is sent on)
    accepted: list[tuple[Photo, int, str]] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)  # reason per refused photo


class DownloadFirst(AskFirst):
    """The step needs these files' bytes: let its transaction end, and run it again through
    ``handlers.ask_first.asking_first``, which downloads them in between."""

    def __init__(self, files: FileFetcher, channel: str, photos: Sequence[Photo]) -> None:
        self.files = files
        self.channel = channel
        self.file_ids = tuple(dict.fromkeys(photo.file_id for photo in photos))
        super().__init__(f"{len(self.file_ids)} file(s) to download before the step", self._ask)

    async def _ask(self) -> dict[Hashable, object]:
        """Each file's bytes, or None when the messenger refused it for good; network trouble
        raises (the update is retried)."""
        return {
            _file_question(file_id): await self.files.fetch(self.channel, file_id)
            for file_id in self.file_ids
        }


def _file_question(file_id: str) -> tuple[str, str]:
    return ("file", file_id)


def downloaded_files() -> Mapping[str, bytes | None]:
    """The files downloaded for the step now running, by file id."""
    found: dict[str, bytes | None] = {}
    for question, content in answers().items():
        if isinstance(question, tuple) and len(question) == 2 and question[0] == "file":
            found[question[1]] = content if isinstance(content, bytes) else None
    return found


async def inspect(turn: Turn, photos: Sequence[Photo], used: int) -> Inspection:
    """Judge ``photos`` in order; ``used`` bytes of evidence are already in the report."""
    result = Inspection()
    limits = turn.deps.config.evidence
    files = turn.deps.files
    downloaded = downloaded_files()
    if files is not None:
        # Every photo whose declared size may pass (``used`` only grows below), if not yet here.
        wanted = [
            photo
            for photo in photos
            if photo.file_id not in downloaded
            and judge_declared(photo.file_size, used, limits) == EvidenceVerdict.OK
        ]
        if wanted:
            raise DownloadFirst(files, turn.channel, wanted)
    for photo in photos:
        verdict = judge_declared(photo.file_size, used, limits)
        size = photo.file_size
        if verdict == EvidenceVerdict.OK and files is None and photo.as_file:
            result.refused.append(UNREADABLE)
            continue
        if verdict == EvidenceVerdict.OK and files is not None:
            if photo.file_id not in downloaded:  # not expected: ``wanted`` holds every such photo
                raise DownloadFirst(files, turn.channel, [photo])
            content = downloaded[photo.file_id]
            if content is None:
                result.refused.append(UNREADABLE)
                continue
            verdict, size = judge(content, used, limits), len(content)
            if verdict == EvidenceVerdict.OK and photo.as_file:
                kept = await files.keep(content)
                if kept is None:
                    verdict = EvidenceVerdict.NOT_IMAGE
                else:
                    photo = replace(
                        photo, file_id=kept.ref, mime_type=kept.mime_type, as_file=False
                    )
        if verdict != EvidenceVerdict.OK:
            result.refused.append(verdict.value)
            continue
        result.accepted.append((photo, size, photo.mime_type))
        used += size
    if result.refused:
        log.info("evidence refused: %s", ", ".join(result.refused))
    return result


def tell_refusals(turn: Turn, refused: Sequence[str]) -> None:
    """One polite sentence per kind of refusal, with how many files it concerned."""
    limits = turn.deps.config.evidence
    for reason in dict.fromkeys(refused):
        turn.send(
            turn.t(
                f"evidence.refused.{reason}",
                count=refused.count(reason),
                photo_mb=limits.max_photo_bytes // (1024 * 1024),
                report_mb=limits.max_report_bytes // (1024 * 1024),
            )
        )


def count_refusals(before: object, refused: Sequence[str]) -> dict[str, int]:
    """The draft's tally of refused files by reason, with ``refused`` added."""
    counts = {str(k): int(v) for k, v in before.items()} if isinstance(before, dict) else {}
    for reason in refused:
        counts[reason] = counts.get(reason, 0) + 1
    return counts


def refusals_note(turn: Turn, counts: object) -> str:
    """The refused files for the report's timeline, in the reporter's words, or ''."""
    if not isinstance(counts, dict) or not counts:
        return ""
    reasons = ", ".join(
        f"{count} {turn.t(f'evidence.reason.{reason}')}" for reason, count in sorted(counts.items())
    )
    return turn.t("evidence.note", reasons=reasons)
