"""What the retention round (``cases.retention``) removes of WhatsApp: the notices held for a
citizen (``whatsapp_held``: they hold the message's text), the delivery statuses
(``whatsapp_deliveries``), and the cleaned copies under ``<media_dir>/clean/`` that no evidence
row names (a unit's photo or clip carried to a WhatsApp reporter: ``handlers.carried_media``)
with their remembered WhatsApp media ids (``<media_dir>/whatsapp-media/``).

Each is safe to repeat and to run in two processes at once: rows are deleted by a condition
that a second run finds false, and a file already gone is skipped.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path

from sqlalchemy import delete, exists, select

from storage.media_store import CLEAN_FOLDER, KEPT_NAME, LOCAL_PREFIX, UPLOADED_FOLDER
from storage.models import (
    Conversation,
    OutboxMessage,
    Report,
    ReportHold,
    ReportPhoto,
    WhatsAppDelivery,
    WhatsAppHeld,
)
from storage.uow import UnitOfWork

#: Rows or files looked at per transaction.
BATCH = 500


async def held_due(uow: UnitOfWork, cutoff: datetime, after: int, limit: int) -> list[int]:
    """Reports closed before ``cutoff``, not held, with held WhatsApp notices: ids above
    ``after``."""
    rows = await uow.session.scalars(
        select(Report.id)
        .where(
            Report.closed_at.is_not(None),
            Report.closed_at < cutoff,
            ~exists().where(ReportHold.report_id == Report.id),
            exists().where(WhatsAppHeld.report_id == Report.id),
            Report.id > after,
        )
        .order_by(Report.id)
        .limit(limit)
    )
    return list(rows)


async def drop_held(uow: UnitOfWork, report_id: int) -> int:
    """Delete ``report_id``'s held WhatsApp notices (the caller commits); how many of them were
    still waiting for the citizen (0: none, or another round at the same time took them: the
    delete's own count, so only one round writes the timeline line)."""
    waiting = await uow.session.execute(
        delete(WhatsAppHeld)
        .where(WhatsAppHeld.report_id == report_id, WhatsAppHeld.released_at.is_(None))
        .execution_options(synchronize_session=False)
    )
    await uow.session.execute(
        delete(WhatsAppHeld)
        .where(WhatsAppHeld.report_id == report_id)
        .execution_options(synchronize_session=False)
    )
    return int(waiting.rowcount)  # type: ignore[attr-defined]


async def prune_deliveries(factory: Callable[[], UnitOfWork], cutoff: datetime) -> int:
    """Delete the delivery statuses last changed before ``cutoff``; how many."""
    removed = 0
    while True:
        async with factory() as uow:
            wamids = list(
                await uow.session.scalars(
                    select(WhatsAppDelivery.wamid)
                    .where(WhatsAppDelivery.updated_at < cutoff)
                    .limit(BATCH)
                )
            )
            if wamids:
                await uow.session.execute(
                    delete(WhatsAppDelivery)
                    .where(WhatsAppDelivery.wamid.in_(wamids))
                    .execution_options(synchronize_session=False)
                )
                await uow.commit()
        removed += len(wamids)
        if len(wamids) < BATCH:
            return removed


def old_copies(media_dir: Path, cutoff: datetime) -> list[str]:
    """The names of cleaned copies last written or kept again before ``cutoff``. Blocking."""
    root = media_dir / CLEAN_FOLDER
    limit = cutoff.timestamp()
    try:
        entries = list(os.scandir(root))
    except OSError:
        return []
    return sorted(
        e.name
        for e in entries
        if KEPT_NAME.match(e.name) and e.is_file() and e.stat().st_mtime < limit
    )


def _named_in(values: Iterable[object], names: set[str]) -> set[str]:
    """Which of ``names`` a ``local:`` reference in ``values`` (JSON) points at."""
    found: set[str] = set()
    for value in values:
        text = json.dumps(value)
        found |= {n for n in names if LOCAL_PREFIX + n in text}
    return found


async def still_needed(uow: UnitOfWork, names: list[str]) -> set[str]:
    """Of ``names``, the copies something still needs: an evidence row, a message not yet sent,
    a notice still waiting for its citizen, a report being written (an intake's draft)."""
    refs = [LOCAL_PREFIX + n for n in names]
    evidence = await uow.session.scalars(
        select(ReportPhoto.file_id).where(ReportPhoto.file_id.in_(refs))
    )
    needed = {ref.removeprefix(LOCAL_PREFIX) for ref in evidence}
    wanted = set(names) - needed
    unsent = await uow.session.scalars(
        select(OutboxMessage.payload).where(
            OutboxMessage.sent_at.is_(None), OutboxMessage.failed_at.is_(None)
        )
    )
    needed |= _named_in(unsent, wanted)
    waiting = await uow.session.scalars(
        select(WhatsAppHeld.payload).where(WhatsAppHeld.released_at.is_(None))
    )
    needed |= _named_in(waiting, wanted - needed)
    drafts = await uow.session.scalars(
        select(Conversation.draft).where(Conversation.draft_started_at.is_not(None))
    )
    return needed | _named_in(drafts, wanted - needed)


def remove_copy(media_dir: Path, name: str) -> None:
    """Delete a cleaned copy and its remembered media id. Blocking."""
    for folder in (CLEAN_FOLDER, UPLOADED_FOLDER):
        (media_dir / folder / name).unlink(missing_ok=True)


def orphan_media_ids(media_dir: Path) -> list[str]:
    """Remembered media ids whose cleaned copy is gone. Blocking."""
    try:
        names = os.listdir(media_dir / UPLOADED_FOLDER)
    except OSError:
        return []
    clean = media_dir / CLEAN_FOLDER
    return sorted(n for n in names if KEPT_NAME.match(n) and not (clean / n).exists())
