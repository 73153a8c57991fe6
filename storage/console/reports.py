"""The reports of a page or an export, and what the page shows beside each one."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from datetime import date
from typing import Any

from sqlalchemy import func, or_, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from core.clips import CLIP_MIME_TYPES
from storage.console.query import ReportQuery, _display_form, _where, order_by
from storage.console.rollup import _open_where, rolled_up
from storage.models import (
    RATED_WITH_COMMENT,
    Citizen,
    Report,
    ReportEvent,
    ReportPhoto,
    ReportSupporter,
    Unit,
)

_FEW = 500


#: A search's matches are counted up to this many; above it the list says "more than" it
#: (issue 27: a word in most of 1,000,000 reports answers within 1 s).
SEARCH_CAP = 1000


async def report_page(
    session: AsyncSession,
    query: ReportQuery,
    *,
    offset: int,
    limit: int,
    few: int = _FEW,
    cap: int | None = None,
) -> tuple[list[Report], int]:
    """One page of the filtered list, in ``query.order`` (newest first: by day filed, then
    number), and the number of reports in it. The page's ids are picked first (newest first from
    ``ix_reports_console_days``: a deep page skips index entries, not rows), then those reports
    are read. A search (``query.words``) counts its matches up to ``cap`` only: more comes back
    as ``cap + 1`` (:func:`capped`), and its page is read in the list's order, stopping at the
    page, instead of fetching and sorting every match."""
    cap = SEARCH_CAP if cap is None else cap
    if query.words:
        upto = _where(query, select(Report.id)).limit(cap + 1).subquery()
        total = await session.scalar(select(func.count()).select_from(upto)) or 0
    else:
        count = _where(query, select(Report)).with_only_columns(func.count())
        total = await session.scalar(count) or 0
    more = bool(query.words) and total > cap  # counted to the cap only
    if total <= few and not query.order and not more:
        # Few matches (a tracking number, a narrow filter): let the database pick its most
        # selective index without an ORDER BY to serve, and order them here.
        stmt = _where(query, select(Report)).with_only_columns(Report.id, Report.created_on)
        picked = list((await session.execute(stmt)).all())
        picked.sort(key=lambda row: (row[1] or date.min, row[0]), reverse=True)
        ids = [row[0] for row in picked[offset : offset + limit]]
    else:
        ids = list(
            await session.scalars(
                _where(query, select(Report.id), in_order=more and not query.order)
                .order_by(*order_by(query.order))
                .offset(offset)
                .limit(limit)
            )
        )
    if not ids:
        return [], int(total)
    found = {r.id: r for r in await session.scalars(select(Report).where(Report.id.in_(ids)))}
    return [found[i] for i in ids if i in found], int(total)


def capped(query: ReportQuery, total: int) -> bool:
    """Whether :func:`report_page`'s ``total`` stands for "more than :data:`SEARCH_CAP`"."""
    return bool(query.words) and total > SEARCH_CAP


async def stream_reports(
    session: AsyncSession, query: ReportQuery, *, batch: int = 1000
) -> AsyncIterator[list[Report]]:
    """The filtered reports a batch at a time (exports hold one batch in memory): by day filed,
    then number, when the query has a first day (each batch continues from the last one's
    place in ``ix_reports_console_days``); in number order otherwise."""
    by_day = query.first_day is not None
    last_day: date | None = None
    last_id = 0
    while True:
        stmt = _where(query, select(Report))
        if by_day and last_day is not None:
            stmt = stmt.where(
                Report.created_on >= last_day,
                or_(Report.created_on > last_day, Report.id > last_id),
            )
        elif not by_day:
            stmt = stmt.where(Report.id > last_id)
        order = (Report.created_on, Report.id) if by_day else (Report.id,)
        rows = list(await session.scalars(stmt.order_by(*order).limit(batch)))
        if not rows:
            return
        yield rows
        last_day, last_id = rows[-1].created_on, rows[-1].id
        session.expunge_all()


async def events_of(
    session: AsyncSession, report_ids: Sequence[int]
) -> dict[int, list[ReportEvent]]:
    by_report: dict[int, list[ReportEvent]] = {rid: [] for rid in report_ids}
    if not report_ids:
        return by_report
    rows = await session.scalars(
        select(ReportEvent)
        .where(ReportEvent.report_id.in_(list(report_ids)))
        .order_by(ReportEvent.id)
    )
    for event in rows:
        by_report[event.report_id].append(event)
    return by_report


async def events_of_kinds(
    session: AsyncSession, report_ids: Sequence[int], kinds: Sequence[str]
) -> dict[int, list[ReportEvent]]:
    """Each report's events of ``kinds``, oldest first (one query for a whole batch)."""
    by_report: dict[int, list[ReportEvent]] = {rid: [] for rid in report_ids}
    if not report_ids:
        return by_report
    rows = await session.scalars(
        select(ReportEvent)
        .where(ReportEvent.report_id.in_(list(report_ids)), ReportEvent.kind.in_(list(kinds)))
        .order_by(ReportEvent.id)
    )
    for event in rows:
        by_report[event.report_id].append(event)
    return by_report


async def citizens_of(session: AsyncSession, citizen_ids: Sequence[int]) -> dict[int, Citizen]:
    """The reporters of a batch, by id (for an export that may name them)."""
    if not citizen_ids:
        return {}
    rows = await session.scalars(select(Citizen).where(Citizen.id.in_(sorted(set(citizen_ids)))))
    return {c.id: c for c in rows}


async def photo_files(
    session: AsyncSession, report_ids: Sequence[int]
) -> dict[int, list[tuple[int, str]]]:
    """Each report's stored photos, in order: (position, what ``/foto/{position}`` serves; the
    stored file's path)."""
    found = await _stored_files(session, report_ids, clips=False)
    return {r: [(n, path) for n, path, _ in files] for r, files in found.items()}


async def clip_files(
    session: AsyncSession, report_ids: Sequence[int]
) -> dict[int, list[tuple[int, str, str]]]:
    """Each report's stored voice notes and videos (core.clips), in order: (position, what
    ``/rekaman/{position}`` serves; the stored file's path; its MIME type, which names the
    kind)."""
    return await _stored_files(session, report_ids, clips=True)


async def _stored_files(
    session: AsyncSession, report_ids: Sequence[int], *, clips: bool
) -> dict[int, list[tuple[int, str, str]]]:
    if not report_ids:
        return {}
    is_clip = ReportPhoto.mime_type.in_(CLIP_MIME_TYPES)
    rows = await session.execute(
        select(
            ReportPhoto.report_id,
            ReportPhoto.position,
            ReportPhoto.stored_path,
            ReportPhoto.mime_type,
        )
        # NULL != "" is not true either: a file not downloaded yet is left out.
        .where(
            ReportPhoto.report_id.in_(list(report_ids)),
            ReportPhoto.stored_path != "",
            is_clip if clips else ReportPhoto.mime_type.not_in(CLIP_MIME_TYPES),
        )
        .order_by(ReportPhoto.report_id, ReportPhoto.position)
    )
    found: dict[int, list[tuple[int, str, str]]] = {}
    for report_id, position, stored, mime_type in rows:
        found.setdefault(int(report_id), []).append((int(position), str(stored), str(mime_type)))
    return found


async def supporter_counts(session: AsyncSession, report_ids: Sequence[int]) -> dict[int, int]:
    """How many citizens support each report (laporan serupa): one grouped count, 0 left out."""
    if not report_ids:
        return {}
    rows = await session.execute(
        select(ReportSupporter.report_id, func.count(ReportSupporter.id))
        .where(ReportSupporter.report_id.in_(list(report_ids)))
        .group_by(ReportSupporter.report_id)
    )
    return {int(rid): int(n) for rid, n in rows}


async def report_by_tracking(session: AsyncSession, normalised: str) -> Report | None:
    """The report with this tracking number (without hyphens), by the unique index."""
    return await session.scalar(
        select(Report).where(Report.tracking_no == _display_form(normalised))
    )


async def all_units(session: AsyncSession) -> list[Unit]:
    return list(await session.scalars(select(Unit).order_by(Unit.kind, Unit.name)))


def rated_statement(query: ReportQuery, *, limit: int) -> Any:
    """The query's last ``limit`` reports rated with a comment, the most recently changed first.
    A period's query (the overview's) reads ``ix_reports_rated_comments`` backwards until it
    has ``limit`` of them: the rows rated with a comment only, whatever the period's length
    (its day filed and unit are written so that no index on them is chosen, which would read
    every report of the period from the table)."""
    narrowed = _open_where if rolled_up(query) else _where
    return (
        narrowed(query, select(Report))
        .where(text(RATED_WITH_COMMENT))
        .order_by(Report.updated_at.desc(), Report.id.desc())
        .limit(limit)
    )


async def rated_with_comments(
    session: AsyncSession, query: ReportQuery, *, limit: int
) -> list[Report]:
    """The query's reports rated with a comment, the most recently changed first
    (:func:`rated_statement`)."""
    return list(await session.scalars(rated_statement(query, limit=limit)))
