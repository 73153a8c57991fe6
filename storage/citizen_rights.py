"""A citizen's rights over their own data (UU PDP; docs/privacy.md): what the bot holds about
them, a copy, corrections, withdrawing consent and removal, each recorded in ``data_requests``.

Everything here works on the citizen found by the chat's own sender, never on a number or an id
the citizen typed or a button carried: a stranger cannot reach another person's data.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.clips import clip_kind_of
from core.lifecycle import Privacy
from storage.models import (
    Citizen,
    DataRequest,
    PendingErasure,
    Report,
    ReportPhoto,
    ReportSupporter,
)
from storage.rights import REASON_REQUEST, erase_reporter_identity, is_closed

#: Copies of one's data per day; more is answered politely with when to ask again.
COPIES_PER_DAY = 3
COPY_WINDOW = timedelta(hours=24)

# Outcomes of a request (``data_requests.outcome``).
DONE = "granted"
PENDING = "pending"
LIMITED = "limited"
NOTHING = "nothing"


def subject_of(secret: bytes, channel: str, user_id: str) -> str:
    """The record's name for a person: a keyed hash, the same for every request of theirs."""
    return hmac.new(secret, f"{channel}:{user_id}".encode(), hashlib.sha256).hexdigest()


def record(
    session: AsyncSession, subject: str, kind: str, outcome: str, now: datetime, detail: str = ""
) -> DataRequest:
    row = DataRequest(
        subject=subject, kind=kind, outcome=outcome, detail=detail[:2000], created_at=now
    )
    session.add(row)
    return row


@dataclass(frozen=True)
class HeldReport:
    number: str
    status: str
    category: str
    region_code: str
    created_at: datetime
    closed: bool
    privacy: str
    photos: int
    clips: int
    removal_waits: bool
    description: str
    address: str
    latitude: float | None
    longitude: float | None


@dataclass(frozen=True)
class Holdings:
    """What the bot holds about one citizen."""

    name: str
    username: str
    phone: str
    language: str
    consent_at: datetime
    consent_withdrawn_at: datetime | None
    reports: list[HeldReport] = field(default_factory=list)
    supported: list[str] = field(default_factory=list)

    @property
    def photos(self) -> int:
        return sum(r.photos for r in self.reports)

    @property
    def clips(self) -> int:
        return sum(r.clips for r in self.reports)


async def holdings(session: AsyncSession, citizen: Citizen) -> Holdings:
    reports = (
        await session.scalars(
            select(Report).where(Report.citizen_id == citizen.id).order_by(Report.created_at)
        )
    ).all()
    ids = [r.id for r in reports]
    media: dict[int, tuple[int, int]] = {}
    waiting: set[int] = set()
    if ids:
        rows = await session.execute(
            select(ReportPhoto.report_id, ReportPhoto.mime_type, func.count())
            .where(ReportPhoto.report_id.in_(ids))
            .group_by(ReportPhoto.report_id, ReportPhoto.mime_type)
        )
        for report_id, mime, count in rows:
            photos, clips = media.get(report_id, (0, 0))
            if clip_kind_of(mime) is None:
                photos += count
            else:
                clips += count
            media[report_id] = (photos, clips)
        waiting = set(
            (
                await session.scalars(
                    select(PendingErasure.report_id).where(PendingErasure.report_id.in_(ids))
                )
            ).all()
        )
    supported = (
        await session.scalars(
            select(Report.tracking_no)
            .join(ReportSupporter, ReportSupporter.report_id == Report.id)
            .where(ReportSupporter.citizen_id == citizen.id)
            .order_by(Report.tracking_no)
        )
    ).all()
    return Holdings(
        name=citizen.name,
        username=citizen.username,
        phone=citizen.phone,
        language=citizen.language,
        consent_at=citizen.consent_at,
        consent_withdrawn_at=citizen.consent_withdrawn_at,
        reports=[
            HeldReport(
                number=r.tracking_no,
                status=str(r.status),
                category=r.category,
                region_code=r.region_code,
                created_at=r.created_at,
                closed=is_closed(r),
                privacy=str(r.privacy),
                photos=media.get(r.id, (0, 0))[0],
                clips=media.get(r.id, (0, 0))[1],
                removal_waits=r.id in waiting,
                description=r.description,
                address=r.address_detail,
                latitude=r.latitude,
                longitude=r.longitude,
            )
            for r in reports
        ],
        supported=list(supported),
    )


async def copies_left(session: AsyncSession, subject: str, now: datetime) -> int:
    """How many more copies the person may have within the window."""
    given = await session.scalar(
        select(func.count())
        .select_from(DataRequest)
        .where(
            DataRequest.subject == subject,
            DataRequest.kind == "copy",
            DataRequest.outcome == DONE,
            DataRequest.created_at > now - COPY_WINDOW,
        )
    )
    return max(0, COPIES_PER_DAY - int(given or 0))


@dataclass(frozen=True)
class Removal:
    """What a removal request did: the reports whose identity went now, those that wait for
    closing, and whether the citizen's own row went too (nothing open was left)."""

    erased: list[str]
    waiting: list[str]
    hidden: list[str]
    forgotten: bool


async def remove_me(
    session: AsyncSession, citizen: Citizen, subject: str, now: datetime, *, hide: bool
) -> Removal:
    """The removal a citizen asked for, in the caller's one transaction: closed reports lose the
    identity at once; open ones wait for closing (``hide``: and the unit no longer sees who
    filed them); supports end. With nothing open left, the citizen's row goes too."""
    reports = (await session.scalars(select(Report).where(Report.citizen_id == citizen.id))).all()
    erased, waiting, hidden = [], [], []
    request = record(session, subject, "erase", DONE, now)
    await session.flush()
    for report in reports:
        if is_closed(report):
            if await erase_reporter_identity(session, report.id, REASON_REQUEST, now=now):
                erased.append(report.tracking_no)
            continue
        waiting.append(report.tracking_no)
        if await session.get(PendingErasure, report.id) is None:
            session.add(PendingErasure(report_id=report.id, request_id=request.id, created_at=now))
        if hide and report.privacy == Privacy.BIASA:
            report.privacy = Privacy.ANONIM
            hidden.append(report.tracking_no)
    await session.execute(delete(ReportSupporter).where(ReportSupporter.citizen_id == citizen.id))
    forgotten = not waiting
    if forgotten:
        await session.delete(citizen)
    request.outcome = PENDING if waiting else DONE
    request.detail = _detail(erased=erased, waiting=waiting, hidden=hidden)
    await session.flush()
    return Removal(erased, waiting, hidden, forgotten)


def _detail(**groups: list[str]) -> str:
    return "; ".join(f"{name}: {', '.join(numbers)}" for name, numbers in groups.items() if numbers)
