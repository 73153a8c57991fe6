"""Removing a reporter's identity from a report: the one function every door calls (a citizen's
request through /dataku, a retention round with its own reason), and the removals that wait for
a report to close.

The report keeps everything else: its words (the reporter's name masked where written in
them), place, photos, timeline, the unit's answers and its statistics (the roll-up does not
move: no counted column changes). Its reporter becomes a shared placeholder citizen of the same
channel, one per reason (``~request``, ``~retention`` ...): no name, no username, no phone, no
chat. The citizen's own chat no longer leads to the report (its
message links there are removed). The placeholder's user id starts with ``~``, which no Telegram
user id does.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, delete, event, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import QueryableAttribute, Session

from core.lifecycle import ReportStatus
from core.redaction import redact
from storage.models import (
    Citizen,
    MessageLink,
    PendingErasure,
    Report,
    ReportEvent,
    ReportSupporter,
)

ERASED_PREFIX = "~"
#: What stands where the removed reporter's name was written in the report's words.
MASK = "•••"
#: The reason of a citizen's own request (/dataku).
REASON_REQUEST = "request"


def is_placeholder(user_id: QueryableAttribute[str]) -> ColumnElement[bool]:
    """In a query: the citizen is a placeholder, not a person."""
    return user_id.startswith(ERASED_PREFIX)


def erased_reason(citizen: Citizen | None) -> str:
    """Why a report's reporter is a placeholder ("request", "retention" ...); "" for a person."""
    if citizen is None or not citizen.user_id.startswith(ERASED_PREFIX):
        return ""
    # A supporter's placeholder carries its place among the report's supporters after "#".
    return citizen.user_id.removeprefix(ERASED_PREFIX).partition("#")[0]


def is_closed(report: Report) -> bool:
    """Closed for the citizen's removal: confirmed or closed by silence, or archived."""
    return report.closed_at is not None or report.status == ReportStatus.DIARSIPKAN


async def erase_reporter_identity(
    session: AsyncSession, report_id: int, reason: str, *, now: datetime
) -> bool:
    """Take the reporter's identity off report ``report_id`` (in the caller's transaction, which
    commits); False when there was none left to take (already removed, or no such report).
    A waiting removal of the report is settled either way."""
    await session.execute(delete(PendingErasure).where(PendingErasure.report_id == report_id))
    report = await session.get(Report, report_id)
    if report is None:
        return False
    citizen = await session.get(Citizen, report.citizen_id)
    if citizen is None or erased_reason(citizen):
        return False
    placeholder = await _placeholder(session, report.channel, reason, now)
    # Compare-and-set, so that two doors at once (a request and a retention round, or two
    # rounds in two processes) erase it once: the second finds the reporter already moved.
    moved = await session.execute(
        update(Report)
        .where(Report.id == report_id, Report.citizen_id == citizen.id)
        .values(citizen_id=placeholder.id)
        .execution_options(synchronize_session=False)
    )
    if moved.rowcount != 1:  # type: ignore[attr-defined]
        return False
    # People write their own name into their words ("depan rumah saya, Budi") and units greet
    # them by name; with the identity gone nothing else could keep it out of public text.
    identity = (citizen.name, citizen.username, citizen.user_id, citizen.phone)
    report.description = redact(report.description, identity, MASK)
    report.address_detail = redact(report.address_detail, identity, MASK)
    report.rating_comment = redact(report.rating_comment, identity, MASK)
    for note in await session.scalars(
        select(ReportEvent).where(ReportEvent.report_id == report_id, ReportEvent.note != "")
    ):
        note.note = redact(note.note, identity, MASK)
    report.citizen_id = placeholder.id
    await session.execute(
        delete(MessageLink).where(
            MessageLink.report_id == report_id,
            MessageLink.channel == citizen.channel,
            MessageLink.chat_id == citizen.chat_id,
        )
    )
    await session.flush()
    return True


async def erase_supporters(
    session: AsyncSession, report_id: int, reason: str, *, now: datetime
) -> list[int]:
    """Take the supporters' identities off report ``report_id`` (in the caller's transaction):
    the n-th supporter row becomes placeholder ``~<reason>#<n>`` of its channel, so the report
    keeps its count of supporters (one row each, as the unique rule wants) and a handful of
    placeholders serve every report. Their chats no longer lead to the report. The citizens
    taken off, each a compare-and-set: another door at the same time takes each off once."""
    rows = (
        await session.execute(
            select(
                ReportSupporter.id, Citizen.id, Citizen.channel, Citizen.chat_id, Citizen.user_id
            )
            .join(Citizen, Citizen.id == ReportSupporter.citizen_id)
            .where(ReportSupporter.report_id == report_id)
            .order_by(ReportSupporter.id)
        )
    ).all()
    taken: list[int] = []
    for place, (row_id, citizen_id, channel, chat_id, user_id) in enumerate(rows, 1):
        if user_id.startswith(ERASED_PREFIX):
            continue
        stand_in = await _placeholder(session, channel, f"{reason}#{place}", now)
        moved = await session.execute(
            update(ReportSupporter)
            .where(ReportSupporter.id == row_id, ReportSupporter.citizen_id == citizen_id)
            .values(citizen_id=stand_in.id)
            .execution_options(synchronize_session=False)
        )
        if moved.rowcount != 1:  # type: ignore[attr-defined]
            continue
        await session.execute(
            delete(MessageLink).where(
                MessageLink.report_id == report_id,
                MessageLink.channel == channel,
                MessageLink.chat_id == chat_id,
            )
        )
        taken.append(citizen_id)
    return taken


async def _placeholder(session: AsyncSession, channel: str, reason: str, now: datetime) -> Citizen:
    user_id = (ERASED_PREFIX + reason)[:64]
    query = select(Citizen).where(Citizen.channel == channel, Citizen.user_id == user_id)
    found = await session.scalar(query)
    if found is not None:
        return found
    row = Citizen(
        channel=channel,
        user_id=user_id,
        chat_id="",
        name="",
        username="",
        phone="",
        language="id",
        consent_at=now,
        consent_version="-",
        created_at=now,
    )
    try:
        async with session.begin_nested():  # another process may create it at the same time
            session.add(row)
    except IntegrityError:
        found = await session.scalar(query)
        assert found is not None
        return found
    return row


#: ``Session.info`` key: ids of the reports a transaction flushed while closed.
_CLOSED = "rights.closed_reports"


@event.listens_for(Session, "before_flush")
def _note_closed(session: Session, flush_context: object, instances: object) -> None:
    """Remember the closed reports each flush writes: by commit they are no longer dirty."""
    for row in session.dirty:
        if isinstance(row, Report) and row.id is not None and is_closed(row):
            session.info.setdefault(_CLOSED, set()).add(row.id)


async def erase_pending_on_close(session: AsyncSession) -> int:
    """Carry out the waiting removals of the reports this transaction closed (the unit of work
    calls it before each commit, so whichever door closes a report, the removal is in the same
    transaction); how many were carried out."""
    await session.flush()
    closed: set[int] = session.sync_session.info.pop(_CLOSED, set())
    if not closed:
        return 0
    waiting = (
        await session.scalars(
            select(PendingErasure.report_id).where(PendingErasure.report_id.in_(sorted(closed)))
        )
    ).all()
    done = 0
    for report_id in waiting:
        report = await session.get(Report, report_id)
        if report is None:
            continue
        former = report.citizen_id
        if await erase_reporter_identity(session, report_id, REASON_REQUEST, now=report.updated_at):
            done += 1
            await forget_if_bare(session, former)
    return done


async def forget_if_bare(session: AsyncSession, citizen_id: int) -> bool:
    """Delete the citizen's row (and their supports) once no report of theirs is left: the
    last step of a removal they asked for."""
    left = await session.scalar(select(Report.id).where(Report.citizen_id == citizen_id).limit(1))
    if left is not None:
        return False
    await session.execute(delete(ReportSupporter).where(ReportSupporter.citizen_id == citizen_id))
    await session.execute(delete(Citizen).where(Citizen.id == citizen_id))
    return True
