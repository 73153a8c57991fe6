"""Retention (masa simpan): closed reports keep their reporter's identity and their evidence files
only for the periods the settings give (``RETENTION_IDENTITY_MONTHS``, ``RETENTION_MEDIA_MONTHS``).

The reminder engine runs :func:`run_retention` once a day (``runtime.reminders``). Past the identity
period a closed report's reporter is replaced by a pseudonym (:func:`erase_reporter`: a shared
placeholder citizen of the reason "retention", shown as "masa simpan habis"); past the media period
its photos and clips are deleted from the media store and their rows dropped, and the report keeps a
line saying so. The report itself, its unit's answers, its dates and so its statistics stay; the
roll-up's triggers watch no column this writes. A legal hold (``report_holds``, set by the
coordinator in the console) stops both for that report. WhatsApp's leftovers (held notices,
delivery statuses, carried cleaned copies: ``storage.wa_retention``) and the console's access
log (``ACCESS_LOG_RETENTION_MONTHS``) go in the same round.

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
from datetime import datetime, timedelta
from pathlib import Path

from cases.reminders import UowFactory
from core.crash_points import crash_point
from core.timeline import EventKind
from storage import retention as rows
from storage import wa_retention as wa_rows
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
    #: WhatsApp's delivery statuses are kept this many days (``OUTBOX_RETENTION_DAYS``, as the
    #: texts of the messages they describe); 0: as long as identities.
    deliveries_days: int = 0
    #: Months the console's access log is kept (``ACCESS_LOG_RETENTION_MONTHS``); 0: not pruned.
    access_log_months: int = 0


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
    """One retention round at ``now``: identities (and the WhatsApp notices held for them),
    WhatsApp's delivery statuses, evidence files and the cleaned copies nothing needs, the
    console's access log; each thing once. What was done, by kind (nothing: empty)."""
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
            crash_point("retention.identities")  # the crash tests' kill: done, not committed
            await uow.commit()
        if len(ids) < BATCH:
            break
        after = ids[-1]
    done["held"] += await drop_held_notices(factory, cutoff, now)
    deliveries = (
        now - timedelta(days=policy.deliveries_days) if policy.deliveries_days > 0 else cutoff
    )
    done["deliveries"] += await wa_rows.prune_deliveries(factory, deliveries)
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
    done["copies"] += await remove_carried_copies(factory, policy.media_dir, cutoff)
    if policy.access_log_months > 0:
        access = months_before(now, policy.access_log_months)
        done["access"] += await rows.prune_access_log(factory, access)
    done = +done  # only what was done
    if done:
        log.info("retention round: %s", dict(done))
    return done


async def drop_held_notices(factory: UowFactory, cutoff: datetime, now: datetime) -> int:
    """Past the identity period, a closed report's notices held for its WhatsApp citizen (their
    text waits in ``whatsapp_held`` for the citizen to write) are dropped; the report's timeline
    says how many were still waiting. How many that was."""
    dropped = 0
    after = 0
    while True:
        async with factory() as uow:
            ids = await wa_rows.held_due(uow, cutoff, after, BATCH)
            for report_id in ids:
                if waiting := await wa_rows.drop_held(uow, report_id):
                    dropped += waiting
                    uow.session.add(
                        ReportEvent(
                            report_id=report_id,
                            kind=EventKind.WA_HELD_DROPPED,
                            actor=ACTOR,
                            note=str(waiting),
                            created_at=now,
                        )
                    )
            await uow.commit()
        if len(ids) < BATCH:
            return dropped
        after = ids[-1]


async def remove_carried_copies(factory: UowFactory, media_dir: Path, cutoff: datetime) -> int:
    """Cleaned copies older than the media period that nothing needs any more (no evidence row,
    no message or notice waiting to be sent, no draft): a unit's photo or clip carried to a
    WhatsApp reporter. Each goes with its remembered WhatsApp media id, and media ids whose copy
    is gone go too. How many copies were removed."""
    names = await asyncio.to_thread(wa_rows.old_copies, media_dir, cutoff)
    removed = 0
    for start in range(0, len(names), wa_rows.BATCH):
        chunk = names[start : start + wa_rows.BATCH]
        async with factory() as uow:
            needed = await wa_rows.still_needed(uow, chunk)
        for name in chunk:
            if name not in needed:
                await asyncio.to_thread(wa_rows.remove_copy, media_dir, name)
                removed += 1
    for name in await asyncio.to_thread(wa_rows.orphan_media_ids, media_dir):
        await asyncio.to_thread(wa_rows.remove_copy, media_dir, name)
    return removed
