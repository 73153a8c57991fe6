"""The unit's photos for the reporter (:func:`send_photos_to_reporter`), also on another
messenger (issue 30): a photo an officer sent in the unit's Telegram group has a Telegram file
id, which means nothing to WhatsApp.

Such a photo is downloaded before the step (``handlers.evidence.DownloadFirst``, as a citizen's
evidence is), redrawn without metadata and kept in the media store (``FileFetcher.keep``); the
reporter is sent that cleaned copy's ``local:`` reference, which the WhatsApp channel uploads
through the Cloud API (once per file: ``bot.whatsapp_media``). A voice note or video is carried
the same way, kept as it came once its bytes are what it claims (``core.clips``); a file the
messenger no longer hands over is left out.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import replace

from core.clips import clip_kind_of, matches
from core.purposes import Purpose
from handlers import counter_relay
from handlers.case import Case
from handlers.deps import FileFetcher
from handlers.events import Photo
from handlers.evidence import DownloadFirst, downloaded_files
from handlers.notices import media_actions, media_items
from storage.media_store import KeptImage, is_local
from storage.models import Report

log = logging.getLogger(__name__)


async def for_messenger(case: Case, channel: str, photos: Sequence[Photo]) -> list[Photo]:
    """``photos`` as ``channel`` can send them: those of another messenger as cleaned copies."""
    source = case.channel
    if not photos or not source or source == channel:
        return list(photos)
    foreign = [p for p in photos if not is_local(p.file_id)]
    if not foreign:
        return list(photos)
    files = case.deps.files
    downloaded = downloaded_files()
    wanted = [p for p in foreign if p.file_id not in downloaded]
    if files is not None and wanted:
        raise DownloadFirst(files, source, wanted)
    carried: list[Photo] = []
    for photo in photos:
        if is_local(photo.file_id):
            carried.append(photo)
            continue
        content = downloaded.get(photo.file_id)
        kept = await _keep(files, photo, content) if files is not None and content else None
        if kept is None:
            log.info("a %s file could not be carried to %s", source, channel)
            continue
        carried.append(replace(photo, file_id=kept.ref, mime_type=kept.mime_type, as_file=False))
    return carried


async def _keep(files: FileFetcher, photo: Photo, content: bytes) -> KeptImage | None:
    """A photo's cleaned copy; a clip as it came once its bytes are what it claims."""
    clip = clip_kind_of(photo.mime_type)
    if clip is None:
        return await files.keep(content)
    return await files.keep_clip(content, photo.mime_type) if matches(clip, content) else None


async def send_photos_to_reporter(case: Case, report: Report, photos: Sequence[Photo]) -> None:
    citizen = await case.uow.citizens.by_id(report.citizen_id) if photos else None
    if citizen is None:
        return
    channel, chat_id = report.channel, citizen.chat_id
    if not chat_id:  # unclaimed counter filing: its officer shows the citizen (else: removed)
        if (officer := await counter_relay.officer_target(case.uow, report)) is None:
            return
        channel, chat_id = officer
    photos = await for_messenger(case, channel, photos)
    for action in media_actions(chat_id, media_items(photos), reply_to_card=False):
        case.emit(channel, action, report, purpose=Purpose.NOTICE)
