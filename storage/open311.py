"""Queries of the Open311 API: its keys, and the public reports it lists.

Kept apart from ``storage.repositories`` because only the Open311 door reads this way; the unit of
work's session is passed in (``Open311Repository(uow.session)``), and nothing here commits.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from core.clips import CLIP_MIME_TYPES
from core.timeline import EventKind
from storage.models import ApiKey, Citizen, Report, ReportEvent, ReportPhoto, Unit


class Open311Repository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    # --- keys ---------------------------------------------------------------------------------

    async def add_key(self, *, name: str, key_hash: str, prefix: str, now: datetime) -> ApiKey:
        row = ApiKey(name=name, key_hash=key_hash, prefix=prefix, created_at=now)
        self._session.add(row)
        await self._session.flush()
        return row

    async def key_named(self, name: str) -> ApiKey | None:
        return await self._session.scalar(select(ApiKey).where(ApiKey.name == name))

    async def key_with_hash(self, key_hash: str) -> ApiKey | None:
        return await self._session.scalar(select(ApiKey).where(ApiKey.key_hash == key_hash))

    async def keys(self) -> list[ApiKey]:
        return list(await self._session.scalars(select(ApiKey).order_by(ApiKey.name)))

    async def touch_key(self, key_id: int, now: datetime) -> None:
        await self._session.execute(
            update(ApiKey).where(ApiKey.id == key_id).values(last_used_at=now)
        )

    async def filed_since(self, citizen_id: int, since: datetime) -> list[datetime]:
        """When the requester filed each report after ``since``, oldest first (a key's pace)."""
        rows = await self._session.scalars(
            select(Report.created_at)
            .where(Report.citizen_id == citizen_id, Report.created_at > since)
            .order_by(Report.created_at)
        )
        return list(rows)

    # --- public reports -------------------------------------------------------------------------

    async def public_reports(
        self,
        *,
        privacy: str,
        tracking_numbers: Collection[str] = (),
        categories: Collection[str] = (),
        statuses: Collection[str] = (),
        start: datetime | None = None,
        end: datetime | None = None,
        limit: int,
    ) -> list[Report]:
        """Reports of one privacy kind, newest first, filtered as given."""
        query = select(Report).where(Report.privacy == privacy)
        if tracking_numbers:
            query = query.where(Report.tracking_no.in_(list(tracking_numbers)))
        if categories:
            query = query.where(Report.category.in_(list(categories)))
        if statuses:
            query = query.where(Report.status.in_(list(statuses)))
        if start is not None:
            query = query.where(Report.created_at >= start)
        if end is not None:
            query = query.where(Report.created_at <= end)
        query = query.order_by(Report.created_at.desc(), Report.id.desc()).limit(limit)
        return list(await self._session.scalars(query))

    async def verified(self, report_ids: Sequence[int], kind: EventKind) -> set[int]:
        """Which of the reports have an event of ``kind`` (the unit's verification)."""
        if not report_ids:
            return set()
        rows = await self._session.scalars(
            select(ReportEvent.report_id)
            .where(ReportEvent.report_id.in_(list(report_ids)), ReportEvent.kind == kind)
            .distinct()
        )
        return set(rows)

    async def last_notes(
        self, report_ids: Sequence[int], kinds: Collection[EventKind]
    ) -> dict[int, str]:
        """The newest non-empty note of the given event kinds, per report."""
        if not report_ids:
            return {}
        newest = (
            select(func.max(ReportEvent.id))
            .where(
                ReportEvent.report_id.in_(list(report_ids)),
                ReportEvent.kind.in_(list(kinds)),
                ReportEvent.note != "",
            )
            .group_by(ReportEvent.report_id)
        )
        rows = await self._session.scalars(select(ReportEvent).where(ReportEvent.id.in_(newest)))
        return {row.report_id: row.note for row in rows}

    async def stored_photos(self, report_ids: Sequence[int]) -> dict[int, ReportPhoto]:
        """Each report's first photo that is already in the media store."""
        if not report_ids:
            return {}
        rows = await self._session.scalars(
            select(ReportPhoto)
            .where(
                ReportPhoto.report_id.in_(list(report_ids)),
                ReportPhoto.stored_path.is_not(None),
                ReportPhoto.mime_type.not_in(CLIP_MIME_TYPES),
            )
            .order_by(ReportPhoto.report_id, ReportPhoto.position)
        )
        first: dict[int, ReportPhoto] = {}
        for row in rows:
            first.setdefault(row.report_id, row)
        return first

    async def unit_names(self, unit_ids: Collection[int]) -> dict[int, str]:
        if not unit_ids:
            return {}
        rows = await self._session.execute(
            select(Unit.id, Unit.name).where(Unit.id.in_(list(unit_ids)))
        )
        return {row[0]: row[1] for row in rows}

    async def identities(self, citizen_ids: Collection[int]) -> dict[int, tuple[str, ...]]:
        """What names each reporter (name, username, user id): to be kept out of public text."""
        if not citizen_ids:
            return {}
        rows = await self._session.scalars(select(Citizen).where(Citizen.id.in_(list(citizen_ids))))
        return {row.id: (row.name, row.username, row.user_id) for row in rows}
