"""Reports, their events and photos."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from core.timeline import EventKind
from storage.db import began_as_writer
from storage.models import DigestRun, Report, ReportEvent, ReportPhoto


class ReportRepository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    async def add(
        self, report: Report, photos: Sequence[ReportPhoto], event: ReportEvent
    ) -> Report:
        self._session.add(report)
        await self._session.flush()
        for photo in photos:
            photo.report_id = report.id
            self._session.add(photo)
        event.report_id = report.id
        self._session.add(event)
        await self._session.flush()
        return report

    async def get(self, report_id: int) -> Report | None:
        return await self._session.get(Report, report_id)

    async def lock(self, report: Report) -> None:
        """Hold ``report``'s row until the transaction ends and read it again as it is now.

        Two transactions acting on one report at once (a group's press and a console request,
        handled side by side) each read the last committed row; without the lock both decided
        on the same status and both wrote. Now the second waits here for the first's commit and
        decides on what it wrote: on PostgreSQL for the row (``FOR UPDATE``); on SQLite for the
        turn to write (one writer at a time; a read alone takes no turn, so a write that changes
        nothing takes it: ``id`` is no column the roll-up's trigger watches). A SQLite
        transaction that began as a writer (a batch of the console's requests) holds the turn
        since before it read the report: nothing to do."""
        if self._session.get_bind().dialect.name == "sqlite":
            if await began_as_writer(self._session):
                return
            await self._session.execute(
                update(Report)
                .where(Report.id == report.id)
                .values(id=Report.id)
                .execution_options(synchronize_session=False)
            )
        await self._session.execute(
            select(Report)
            .where(Report.id == report.id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )

    async def photos_of(self, report_id: int) -> list[ReportPhoto]:
        rows = await self._session.scalars(
            select(ReportPhoto)
            .where(ReportPhoto.report_id == report_id)
            .order_by(ReportPhoto.position)
        )
        return list(rows)

    def add_event(self, event: ReportEvent) -> None:
        self._session.add(event)

    async def transfer_into(self, report_id: int, unit_id: int) -> ReportEvent | None:
        """The latest transfer of the report to ``unit_id`` (where it came from, and why)."""
        return await self._session.scalar(
            select(ReportEvent)
            .where(ReportEvent.report_id == report_id, ReportEvent.to_unit_id == unit_id)
            .where(ReportEvent.kind == EventKind.TRANSFERRED)
            .order_by(ReportEvent.id.desc())
            .limit(1)
        )

    async def count_events(self, report_id: int, kind: EventKind) -> int:
        """How many events of ``kind`` the report's timeline holds (the card's note count)."""
        count = await self._session.scalar(
            select(func.count())
            .select_from(ReportEvent)
            .where(ReportEvent.report_id == report_id, ReportEvent.kind == kind)
        )
        return int(count or 0)

    async def open_for_unit(
        self, unit_id: int, statuses: Sequence[str], limit: int
    ) -> list[Report]:
        """The unit's reports in ``statuses``, nearest deadline first."""
        rows = await self._session.scalars(
            select(Report)
            .where(Report.unit_id == unit_id, Report.status.in_(list(statuses)))
            .order_by(Report.due_date.is_(None), Report.due_date, Report.id)
            .limit(limit)
        )
        return list(rows)

    async def open_all(self, statuses: Sequence[str], limit: int) -> list[Report]:
        """Every unit's reports in ``statuses``, nearest deadline first (the coordinator's view)."""
        rows = await self._session.scalars(
            select(Report)
            .where(Report.status.in_(list(statuses)))
            .order_by(Report.due_date.is_(None), Report.due_date, Report.id)
            .limit(limit)
        )
        return list(rows)

    async def count_open_all(self, statuses: Sequence[str]) -> int:
        count = await self._session.scalar(
            select(func.count(Report.id)).where(Report.status.in_(list(statuses)))
        )
        return int(count or 0)

    async def count_open_for_unit(self, unit_id: int, statuses: Sequence[str]) -> int:
        count = await self._session.scalar(
            select(func.count(Report.id)).where(
                Report.unit_id == unit_id, Report.status.in_(list(statuses))
            )
        )
        return int(count or 0)

    # --- the clock's scans (core.deadlines); each is served by an index, see models.Report ---

    async def due_for_notice(self, today: date, limit: int) -> list[Report]:
        """Reports the clock must look at on ``today`` (ix_reports_next_notice)."""
        rows = await self._session.scalars(
            select(Report)
            .where(Report.next_notice_on <= today)
            .order_by(Report.next_notice_on, Report.id)
            .limit(limit)
        )
        return list(rows)

    async def due_for_ombudsman(
        self, today: date, statuses: Sequence[str], limit: int
    ) -> list[Report]:
        """Unresolved reports whose Ombudsman day has come (ix_reports_status_ombudsman)."""
        rows = await self._session.scalars(
            select(Report)
            .where(Report.status.in_(list(statuses)), Report.ombudsman_on <= today)
            .order_by(Report.ombudsman_on, Report.id)
            .limit(limit)
        )
        return list(rows)

    async def late_counts(self, today: date, statuses: Sequence[str]) -> dict[int, int]:
        """``unit_id -> reports past their deadline`` (ix_reports_status_due)."""
        rows = await self._session.execute(
            select(Report.unit_id, func.count(Report.id))
            .where(Report.status.in_(list(statuses)), Report.due_date < today)
            .group_by(Report.unit_id)
        )
        return {int(unit_id): int(count) for unit_id, count in rows if unit_id is not None}

    async def late(self, today: date, statuses: Sequence[str], limit: int) -> list[Report]:
        """Reports past their deadline, most overdue first (ix_reports_status_due)."""
        rows = await self._session.scalars(
            select(Report)
            .where(Report.status.in_(list(statuses)), Report.due_date < today)
            .order_by(Report.due_date, Report.id)
            .limit(limit)
        )
        return list(rows)

    async def digested(self, day: date) -> set[int]:
        """Units whose digest of ``day`` is queued already."""
        return set(
            await self._session.scalars(select(DigestRun.unit_id).where(DigestRun.day == day))
        )

    async def digest_sent(self, unit_id: int, day: date) -> bool:
        return await self._session.get(DigestRun, (unit_id, day)) is not None

    def mark_digest(self, unit_id: int, day: date, now: datetime) -> None:
        self._session.add(DigestRun(unit_id=unit_id, day=day, created_at=now))

    async def tracking_number_taken(self, tracking_no: str) -> bool:
        found = await self._session.scalar(
            select(Report.id).where(Report.tracking_no == tracking_no)
        )
        return found is not None

    async def by_tracking_number(self, tracking_no: str) -> Report | None:
        return await self._session.scalar(
            select(Report)
            .where(Report.tracking_no == tracking_no)
            .options(selectinload(Report.events), selectinload(Report.photos))
        )

    async def for_citizen(self, citizen_id: int, *, offset: int, limit: int) -> list[Report]:
        rows = await self._session.scalars(
            select(Report)
            .where(Report.citizen_id == citizen_id)
            .order_by(Report.created_at.desc(), Report.id.desc())
            .offset(offset)
            .limit(limit)
        )
        return list(rows)

    async def open_for_citizen(
        self, citizen_id: int, statuses: Sequence[str], limit: int
    ) -> list[Report]:
        """The citizen's reports in ``statuses``, not closed for good, newest change first."""
        rows = await self._session.scalars(
            select(Report)
            .where(
                Report.citizen_id == citizen_id,
                Report.status.in_(list(statuses)),
                Report.closed_at.is_(None),
            )
            .order_by(Report.updated_at.desc(), Report.id.desc())
            .limit(limit)
        )
        return list(rows)

    async def count_for_citizen(self, citizen_id: int) -> int:
        count = await self._session.scalar(
            select(func.count(Report.id)).where(Report.citizen_id == citizen_id)
        )
        return int(count or 0)

    async def photos_to_download(self, *, max_attempts: int, limit: int) -> list[ReportPhoto]:
        rows = await self._session.scalars(
            select(ReportPhoto)
            .where(
                ReportPhoto.stored_path.is_(None),
                ReportPhoto.download_attempts < max_attempts,
            )
            .order_by(ReportPhoto.id)
            .limit(limit)
        )
        return list(rows)

    async def record_download(
        self, photo_id: int, *, stored_path: str | None, error: str | None
    ) -> None:
        """One download attempt of an evidence photo: where it was stored, or why it failed."""
        await self._session.execute(
            update(ReportPhoto)
            .where(ReportPhoto.id == photo_id)
            .values(
                stored_path=stored_path,
                download_error=error,
                download_attempts=ReportPhoto.download_attempts + 1,
            )
        )
