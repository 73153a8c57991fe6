"""The map's points: the filtered list's reports that have a GPS point, in the list's order, at
most a cap of them (the JSON a browser gets stays small however long the list is)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.console.query import ReportQuery, _where, order_by
from storage.models import Report


@dataclass(frozen=True)
class Point:
    """A pin: where, which report, its category code and status; never who filed it."""

    latitude: float
    longitude: float
    tracking_no: str
    category: str
    status: str
    privacy: str = "biasa"
    unit_id: int | None = None  # the holding unit (whose officers see the exact point)


async def map_points(
    session: AsyncSession, query: ReportQuery, *, limit: int
) -> tuple[list[Point], int, bool]:
    """The first ``limit`` located reports of the list (in ``query.order``), the number of
    reports in the list, and whether more located ones were left out. The count reads the
    list's index only (the GPS columns are in no index: counting them would read every row)."""
    counted = _where(query, select(Report)).with_only_columns(func.count())
    total = await session.scalar(counted) or 0
    stmt = (
        _where(query, select(Report))
        .with_only_columns(
            Report.latitude,
            Report.longitude,
            Report.tracking_no,
            Report.category,
            Report.status,
            Report.privacy,
            Report.unit_id,
        )
        .where(Report.latitude.is_not(None), Report.longitude.is_not(None))
        .order_by(*order_by(query.order))
        .limit(limit + 1)
    )
    points = [
        Point(
            float(lat or 0),
            float(lon or 0),
            str(number),
            str(category or ""),
            str(status),
            str(privacy),
            unit_id,
        )
        for lat, lon, number, category, status, privacy, unit_id in (
            await session.execute(stmt)
        ).all()
    ]
    return points[:limit], int(total), len(points) > limit
