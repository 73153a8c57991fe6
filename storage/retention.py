"""The retention round's queries (``cases.retention``): closed reports past a period, their
evidence, holds, and blanking a citizen no report needs any more. The reporter's identity
itself is taken off by ``storage.rights.erase_reporter_identity``, the one function for it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import ColumnElement, delete, exists, func, select, update
from sqlalchemy.orm import aliased

from storage.models import (
    Citizen,
    ConsoleAudit,
    Report,
    ReportHold,
    ReportPhoto,
    ReportSupporter,
)
from storage.rights import is_placeholder
from storage.uow import UnitOfWork


async def reporter_of(uow: UnitOfWork, report_id: int) -> tuple[int, str] | None:
    """The id and channel of ``report_id``'s reporter (None: no such report)."""
    row = (
        await uow.session.execute(
            select(Citizen.id, Citizen.channel)
            .join(Report, Report.citizen_id == Citizen.id)
            .where(Report.id == report_id)
        )
    ).first()
    return None if row is None else (row[0], row[1])


async def forget_if_unused(uow: UnitOfWork, citizen_id: int) -> None:
    """Blank the name, username and phone of a citizen left with no report and no support
    (channel, chat id, language and consent stay: the chat still works)."""
    used = await uow.session.scalar(
        select(
            exists().where(Report.citizen_id == citizen_id)
            | exists().where(ReportSupporter.citizen_id == citizen_id)
        )
    )
    if not used:
        await uow.session.execute(
            update(Citizen)
            .where(Citizen.id == citizen_id)
            .values(name="", username="", phone="")
            .execution_options(synchronize_session=False)
        )


def _past(cutoff: datetime, after: int) -> list[ColumnElement[bool]]:
    return [
        Report.closed_at.is_not(None),
        Report.closed_at < cutoff,
        ~exists().where(ReportHold.report_id == Report.id),
        Report.id > after,
    ]


async def identities_due(uow: UnitOfWork, cutoff: datetime, after: int, limit: int) -> list[int]:
    """Closed before ``cutoff``, not held, reporter or a supporter not erased yet: ids above
    ``after``."""
    supporter = aliased(Citizen)
    rows = await uow.session.scalars(
        select(Report.id)
        .join(Citizen, Citizen.id == Report.citizen_id)
        .where(
            ~is_placeholder(Citizen.user_id)
            | exists()
            .where(ReportSupporter.report_id == Report.id)
            .where(ReportSupporter.citizen_id == supporter.id)
            .where(~is_placeholder(supporter.user_id)),
            *_past(cutoff, after),
        )
        .order_by(Report.id)
        .limit(limit)
    )
    return list(rows)


async def evidence_due(uow: UnitOfWork, cutoff: datetime, after: int, limit: int) -> list[int]:
    """Closed before ``cutoff``, not held, with evidence rows left: ids above ``after``."""
    rows = await uow.session.scalars(
        select(Report.id)
        .where(exists().where(ReportPhoto.report_id == Report.id), *_past(cutoff, after))
        .order_by(Report.id)
        .limit(limit)
    )
    return list(rows)


async def evidence_files(uow: UnitOfWork, report_id: int) -> list[tuple[str | None, str]]:
    """``report_id``'s evidence as (stored path, cleaned-copy reference): the reference is ''
    when another report's evidence names the same cleaned copy (the same picture sent twice)."""
    photos = list(
        await uow.session.scalars(select(ReportPhoto).where(ReportPhoto.report_id == report_id))
    )
    files = []
    for photo in photos:
        shared = await uow.session.scalar(
            select(func.count()).where(
                ReportPhoto.file_id == photo.file_id, ReportPhoto.report_id != report_id
            )
        )
        files.append((photo.stored_path, "" if shared else photo.file_id))
    return files


async def drop_evidence(uow: UnitOfWork, report_id: int) -> int:
    """Delete ``report_id``'s evidence rows; how many there were (0: another round did)."""
    removed = await uow.session.execute(
        delete(ReportPhoto)
        .where(ReportPhoto.report_id == report_id)
        .execution_options(synchronize_session=False)
    )
    return int(removed.rowcount)  # type: ignore[attr-defined]


async def is_held(uow: UnitOfWork, report_id: int) -> bool:
    return await uow.session.get(ReportHold, report_id) is not None


#: Access-log entries deleted per transaction.
ACCESS_BATCH = 1000


async def prune_access_log(factory: Callable[[], UnitOfWork], cutoff: datetime) -> int:
    """Delete the console's access-log entries written before ``cutoff``, a batch per short
    transaction (oldest first, by the ``at`` index); how many. Repeating it, or two processes
    at once, deletes nothing twice."""
    removed = 0
    while True:
        async with factory() as uow:
            ids = list(
                await uow.session.scalars(
                    select(ConsoleAudit.id)
                    .where(ConsoleAudit.at < cutoff)
                    .order_by(ConsoleAudit.at)
                    .limit(ACCESS_BATCH)
                )
            )
            if ids:
                gone = await uow.session.execute(
                    delete(ConsoleAudit)
                    .where(ConsoleAudit.id.in_(ids))
                    .execution_options(synchronize_session=False)
                )
                removed += int(gone.rowcount)  # type: ignore[attr-defined]
                await uow.commit()
        if len(ids) < ACCESS_BATCH:
            return removed
