"""Supporters of a report (laporan serupa) and the candidates a new report is compared with."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.lifecycle import OPEN_STATUSES
from core.similar import Candidate
from storage.models import Citizen, Report, ReportSupporter


class SupporterRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def candidates(self, category: str, since: datetime) -> list[Candidate]:
        """Open reports of ``category`` filed since ``since`` (core.similar picks among them)."""
        rows = await self.session.scalars(
            select(Report)
            .where(
                Report.category == category,
                Report.created_at >= since,
                Report.status.in_(sorted(OPEN_STATUSES)),
            )
            .order_by(Report.created_at.desc())
            .limit(500)
        )
        return [
            Candidate(
                report_id=r.id,
                category=r.category,
                region_code=r.region_code,
                status=r.status,
                privacy=r.privacy,
                created_at=r.created_at,
                citizen_id=r.citizen_id,
                latitude=r.latitude,
                longitude=r.longitude,
            )
            for r in rows
        ]

    async def reports(self, ids: list[int]) -> list[Report]:
        """The reports ``ids`` that exist, in that order."""
        rows = await self.session.scalars(select(Report).where(Report.id.in_(ids)))
        found = {r.id: r for r in rows}
        return [found[i] for i in ids if i in found]

    async def add(
        self, report_id: int, citizen_id: int, now: datetime, *, source_report_id: int | None = None
    ) -> bool:
        """Follow ``report_id``; False when the citizen already does."""
        found = await self.session.scalar(
            select(ReportSupporter).where(
                ReportSupporter.report_id == report_id, ReportSupporter.citizen_id == citizen_id
            )
        )
        if found is not None:
            return False
        self.session.add(
            ReportSupporter(
                report_id=report_id,
                citizen_id=citizen_id,
                source_report_id=source_report_id,
                created_at=now,
            )
        )
        await self.session.flush()
        return True

    async def count(self, report_id: int) -> int:
        total = await self.session.scalar(
            select(func.count())
            .select_from(ReportSupporter)
            .where(ReportSupporter.report_id == report_id)
        )
        return int(total or 0)

    async def counts(self, report_ids: list[int]) -> dict[int, int]:
        if not report_ids:
            return {}
        rows = await self.session.execute(
            select(ReportSupporter.report_id, func.count())
            .where(ReportSupporter.report_id.in_(report_ids))
            .group_by(ReportSupporter.report_id)
        )
        return {int(report_id): int(n) for report_id, n in rows.all()}

    async def citizens_of(self, report_id: int) -> list[Citizen]:
        rows = await self.session.scalars(
            select(Citizen)
            .join(ReportSupporter, ReportSupporter.citizen_id == Citizen.id)
            .where(ReportSupporter.report_id == report_id)
            .order_by(ReportSupporter.id)
        )
        return list(rows)

    async def supports(self, report_id: int, citizen_id: int) -> bool:
        found = await self.session.scalar(
            select(ReportSupporter.id).where(
                ReportSupporter.report_id == report_id, ReportSupporter.citizen_id == citizen_id
            )
        )
        return found is not None


def since(now: datetime, days: int) -> datetime:
    return now - timedelta(days=days)
