"""Photos, files and locations sent during the new-report conversation.

At the photos step each image is checked as evidence (:mod:`handlers.evidence`) before it joins the
draft; at any other step media is answered with what the step expects instead.
"""

from __future__ import annotations

from core.limits import MAX_PHOTOS
from handlers import clips, evidence
from handlers.actions import InlineKeyboard
from handlers.draft import DraftPhoto, IntakeStep
from handlers.events import MediaKind, Message
from handlers.intake.flow import draft, update_draft
from handlers.intake.screens import photos_screen, step_header
from handlers.turn import Turn


async def wrong_media(turn: Turn, step: IntakeStep, message: Message) -> None:
    if message.clips:
        # A voice note never stands in for the description: the words are still asked for.
        key = "clips.type_description" if step == IntakeStep.DESCRIPTION else "clips.not_now"
        turn.send(turn.t(key))
    elif message.media in (MediaKind.PHOTO, MediaKind.IMAGE_DOCUMENT):
        turn.send(turn.t("photos.not_now"))
    elif message.location is not None:
        turn.send(turn.t("gps.not_now"))
    else:
        turn.send(turn.t("input.unsupported_media_step", step=turn.t(f"step.{step}")))


async def photos_media(turn: Turn, step: IntakeStep, message: Message) -> None:
    if message.photos or message.clips:
        await _add_photos(turn, message)
    else:
        await wrong_media(turn, step, message)


async def keep_early(turn: Turn, message: Message) -> None:
    """Photos sent at another step: checked and kept in the draft as at the photo step, with a
    word that they will go with the report; the step's own screen stays as it is."""
    count = await _take_photos(turn, message)
    if count:
        turn.send(turn.t("photos.kept_early", count=count, max=MAX_PHOTOS))


async def _add_photos(turn: Turn, message: Message) -> None:
    await _take_photos(turn, message)
    turn.conversation.step_seq += 1
    step = IntakeStep.PHOTOS
    text, rows = photos_screen(turn, step, step_header(turn, step))
    turn.send(text, InlineKeyboard(rows=rows))


async def _take_photos(turn: Turn, message: Message) -> int:
    """Check the message's photos as evidence and add those accepted to the draft (refusals and
    the limit are told); how many photos the draft holds now."""
    current = draft(turn)
    photos = list(current.photos)
    known = {p.file_unique_id for p in photos}
    unique = {p.file_unique_id: p for p in message.photos}
    fresh = [p for key, p in unique.items() if key not in known]
    rejected = max(0, len(photos) + len(fresh) - MAX_PHOTOS)
    fresh = fresh[: max(0, MAX_PHOTOS - len(photos))]
    used = sum(p.size for p in photos)
    checked = await evidence.inspect(turn, fresh, used)
    for photo, size, mime_type in checked.accepted:
        photos.append(
            DraftPhoto(
                file_id=photo.file_id,
                file_unique_id=photo.file_unique_id,
                media_group_id=photo.media_group_id,
                mime_type=mime_type,
                size=size,
            )
        )
    evidence.tell_refusals(turn, checked.refused)
    used += sum(size for _, size, _ in checked.accepted)
    room = max(0, MAX_PHOTOS - len(photos))
    new_clips = [c for c in message.clips if c.file_unique_id not in known]
    rejected += max(0, len(new_clips) - room)
    heard = await clips.inspect_clips(turn, new_clips[:room], used)
    for clip, size in heard.accepted:
        photos.append(
            DraftPhoto(
                file_id=clip.file_id,
                file_unique_id=clip.file_unique_id,
                media_group_id=clip.media_group_id,
                mime_type=clip.mime_type,
                size=size,
            )
        )
    clips.tell_accepted(turn, heard.accepted)
    clips.tell_clip_refusals(turn, heard.refused)
    refused = evidence.count_refusals(draft(turn).refused_files, [*checked.refused, *heard.refused])
    update_draft(turn, photos=tuple(photos), refused_files=refused)
    if rejected:
        turn.send(turn.t("photos.too_many", max=MAX_PHOTOS, rejected=rejected))
    return len(photos)
