"""The public map's points (``/publik/wilayah/<kode>/titik``): only ``biasa`` reports the unit has
verified (Open311's rule: ``core.open311.is_listed``), that have a GPS point, filed in the area
and period of the query; newest first, at most a cap of them; never who filed them."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from core.lifecycle import Privacy
from storage.console.points import Point
from storage.console.query import ReportQuery, _where
from storage.models import Report


async def public_points(session: AsyncSession, query: ReportQuery, *, limit: int) -> list[Point]:
    stmt = (
        _where(query, select(Report))
        .with_only_columns(
            Report.latitude, Report.longitude, Report.tracking_no, Report.category, Report.status
        )
        .where(
            Report.privacy == Privacy.BIASA.value,
            Report.verified_on.is_not(None),
            Report.latitude.is_not(None),
            Report.longitude.is_not(None),
        )
        .order_by(Report.created_on.desc(), Report.id.desc())
        .limit(limit)
    )
    return [
        Point(float(lat or 0), float(lon or 0), str(number), str(category or ""), str(status))
        for lat, lon, number, category, status in await session.execute(stmt)
    ]


async def public_report(session: AsyncSession, number: str) -> Report | None:
    """The report numbered ``number`` (display form) if the public may see it: ``biasa`` and
    verified by its unit, the map's rule. One query whatever the answer, so that a hidden
    report and a number no report has take the same path and time."""
    return await session.scalar(
        select(Report).where(
            Report.tracking_no == number,
            Report.privacy == Privacy.BIASA.value,
            Report.verified_on.is_not(None),
        )
    )
