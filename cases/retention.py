"""Retention (masa simpan): closed reports keep their reporter's identity and their evidence files
only for the periods the settings give (``RETENTION_IDENTITY_MONTHS``, ``RETENTION_MEDIA_MONTHS``).

The reminder engine runs :func:`run_retention` once a day (``runtime.reminders``). Past the identity
period a closed report's reporter is replaced by a pseudonym (:func:`erase_reporter`: a shared
placeholder citizen of the reason "retention", shown as "masa simpan habis"); past the media period
its photos and clips are deleted from the media store and their rows dropped, and the report keeps a
line saying so. The report itself, its unit's answers, its dates and so its statistics stay; the
roll-up's triggers watch no column this writes. A legal hold (``report_holds``, set by the
coordinator in the console) stops both for that report.

Every step is a compare-and-set in a short transaction (the report still names the old reporter;
the evidence rows still exist), so two processes running the round at once, or a round cut short
by a SIGKILL and run again, remove each thing once and record it once.
"""

from __future__ import annotations

import asyncio
import calendar
import logging
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from cases.reminders import UowFactory
from core.timeline import EventKind
from storage import retention as rows
from storage.media_store import remove_kept
from storage.models import ReportEvent
from storage.rights import erase_reporter_identity
from storage.rights import erase_supporters as erase_supporter_identities
from storage.uow import UnitOfWork

log = logging.getLogger(__name__)

#: The reason the retention round gives (the rights' removal on request gives its own).
REASON_RETENTION = "retention"
#: The engine's actor on the report's timeline.
ACTOR = "system"
#: Reports looked at per transaction.
BATCH = 100

__all__ = ["REASON_RETENTION", "RetentionPolicy", "erase_reporter"]


@dataclass(frozen=True)
class RetentionPolicy:
    """How long a closed report keeps its reporter's identity and its evidence files."""

    identity_months: int
    media_months: int
    media_dir: Path


def months_before(moment: datetime, months: int) -> datetime:
    """The same day and time ``months`` calendar months earlier (the month's last day when it is
    shorter)."""
    index = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(index, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


async def erase_reporter(uow: UnitOfWork, report_id: int, reason: str, now: datetime) -> bool:
    """Take ``report_id``'s reporter off the report for ``reason`` (the same function a citizen's
    own request uses, ``storage.rights``), in ``uow`` (the caller commits). The report, its
    answers and its numbers stay. A reporter left with no report and no support keeps only what
    the chat needs (channel and chat id, language, consent): name, username and phone are
    blanked. False when it was erased already."""
    reporter = await rows.reporter_of(uow, report_id)
    if reporter is None:
        return False
    if not await erase_reporter_identity(uow.session, report_id, reason, now=now):
        return False  # erased already, or another round got there first
    await rows.forget_if_unused(uow, reporter[0])
    return True


async def erase_supporters(
    uow: UnitOfWork, report_id: int, reason: str, now: datetime
) -> list[int]:
    """Take ``report_id``'s supporters off it for ``reason`` (their count stays), blanking those
    left with no report and no support, in ``uow`` (the caller commits); who was taken off."""
    taken = await erase_supporter_identities(uow.session, report_id, reason, now=now)
    for citizen_id in taken:
        await rows.forget_if_unused(uow, citizen_id)
    return taken


async def remove_evidence(uow: UnitOfWork, report_id: int, media_dir: Path, now: datetime) -> int:
    """Delete ``report_id``'s photo and clip files and rows, and note it on the report's
    timeline, in ``uow`` (the caller commits); the files go first, so a crash leaves rows that
    the next round removes, never files without rows. How many were removed (0: done already)."""
    for stored, ref in await rows.evidence_files(uow, report_id):
        await asyncio.to_thread(remove_kept, media_dir, stored, ref)
    count = await rows.drop_evidence(uow, report_id)
    if count:
        uow.session.add(
            ReportEvent(
                report_id=report_id,
                kind=EventKind.RETAINED,
                actor=ACTOR,
                note=str(count),
                created_at=now,
            )
        )
    return count


async def run_retention(
    factory: UowFactory, policy: RetentionPolicy, now: datetime
) -> Counter[str]:
    """One retention round at ``now``: identities, then evidence files, each report once."""
    done: Counter[str] = Counter()
    cutoff = months_before(now, policy.identity_months)
    after = 0
    while True:
        async with factory() as uow:
            ids = await rows.identities_due(uow, cutoff, after, BATCH)
            for report_id in ids:
                if await erase_reporter(uow, report_id, REASON_RETENTION, now):
                    done["identities"] += 1
                if supporters := await erase_supporters(uow, report_id, REASON_RETENTION, now):
                    done["supporters"] += len(supporters)
            await uow.commit()
        if len(ids) < BATCH:
            break
        after = ids[-1]
    cutoff = months_before(now, policy.media_months)
    after = 0
    while True:
        async with factory() as uow:
            ids = await rows.evidence_due(uow, cutoff, after, BATCH)
        for report_id in ids:
            async with factory() as uow:
                if await rows.is_held(uow, report_id):
                    continue  # held since the list was read
                done["evidence"] += await remove_evidence(uow, report_id, policy.media_dir, now)
                await uow.commit()
        if len(ids) < BATCH:
            break
        after = ids[-1]
    if done:
        log.info("retention round: %s", dict(done))
    return done
