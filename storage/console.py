"""The console's data: single-use login links, sessions, the audit log, and the report queries
behind its pages and exports.

Login links and session cookies carry a random token; only its SHA-256 is stored, so a copy of
the database lets nobody in. A link is spent on first use and lapses after its time.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    case,
    func,
    literal,
    or_,
    select,
    union_all,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from core.lifecycle import ReportStatus, ReportType
from core.performance import Tally
from storage.models import (
    ConsoleAudit,
    ConsoleLogin,
    ConsoleSession,
    Report,
    ReportEvent,
    ReportPhoto,
    ReportSupporter,
    Unit,
)

LOGIN_TTL = timedelta(minutes=10)
SESSION_TTL = timedelta(hours=12)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def issue_login(
    session: AsyncSession,
    unit_id: int,
    *,
    now: datetime,
    user_id: str = "",
    user_name: str = "",
    ttl: timedelta = LOGIN_TTL,
) -> str:
    """A new single-use login token for ``unit_id``'s console (the caller commits)."""
    token = secrets.token_urlsafe(24)
    session.add(
        ConsoleLogin(
            token_hash=token_hash(token),
            unit_id=unit_id,
            user_id=user_id,
            user_name=user_name[:200],
            created_at=now,
            expires_at=now + ttl,
        )
    )
    await session.flush()
    return token


async def redeem_login(
    session: AsyncSession, token: str, *, now: datetime
) -> tuple[ConsoleLogin | None, str]:
    """Spend a login token: (the login, '') or (None, 'unknown' | 'used' | 'expired').

    The spend is one compare-and-set, so two tabs opening the same link get one session."""
    login = await session.scalar(
        select(ConsoleLogin).where(ConsoleLogin.token_hash == token_hash(token))
    )
    if login is None:
        return None, "unknown"
    if login.used_at is not None:
        return None, "used"
    if login.expires_at <= now:
        return None, "expired"
    spent = await session.execute(
        update(ConsoleLogin)
        .where(ConsoleLogin.id == login.id, ConsoleLogin.used_at.is_(None))
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    if getattr(spent, "rowcount", 0) != 1:
        return None, "used"
    return login, ""


async def open_session(
    session: AsyncSession, login: ConsoleLogin, *, now: datetime, ttl: timedelta = SESSION_TTL
) -> str:
    token = secrets.token_urlsafe(32)
    session.add(
        ConsoleSession(
            token_hash=token_hash(token),
            unit_id=login.unit_id,
            user_id=login.user_id,
            user_name=login.user_name,
            created_at=now,
            expires_at=now + ttl,
        )
    )
    await session.flush()
    return token


async def live_session(
    session: AsyncSession, token: str, *, now: datetime
) -> ConsoleSession | None:
    found = await session.scalar(
        select(ConsoleSession).where(ConsoleSession.token_hash == token_hash(token))
    )
    if found is None or found.ended_at is not None or found.expires_at <= now:
        return None
    return found


def audit(
    session: AsyncSession,
    *,
    now: datetime,
    action: str,
    subject: str = "",
    unit_id: int | None = None,
    user_id: str = "",
    user_name: str = "",
) -> None:
    session.add(
        ConsoleAudit(
            at=now,
            unit_id=unit_id,
            user_id=user_id,
            user_name=user_name[:200],
            action=action,
            subject=subject[:500],
        )
    )


async def audit_page(
    session: AsyncSession, *, offset: int, limit: int
) -> tuple[list[ConsoleAudit], int]:
    total = await session.scalar(select(func.count()).select_from(ConsoleAudit)) or 0
    rows = await session.scalars(
        select(ConsoleAudit).order_by(ConsoleAudit.id.desc()).offset(offset).limit(limit)
    )
    return list(rows), total


# --- reports --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReportQuery:
    """A filtered list of reports. ``visible``: the unit ids the viewer may see (None: all)."""

    visible: frozenset[int] | None = None
    created_from: datetime | None = None
    created_before: datetime | None = None
    # Filed on these local days (inclusive); the console's periods use these, which its indexes
    # lead with (``created_on``).
    first_day: date | None = None
    last_day: date | None = None
    status: str = ""
    unit_id: int | None = None
    category: str = ""
    report_type: str = ""
    region_prefix: str = ""
    late_on: date | None = None  # only reports whose unit stage deadline is before this day
    tracking: str = ""  # normalised tracking number (no hyphens), matched as a prefix


def _where(query: ReportQuery, stmt: Select[Any]) -> Select[Any]:
    if query.visible is not None:
        stmt = stmt.where(Report.unit_id.in_(sorted(query.visible)))
    if query.created_from is not None:
        stmt = stmt.where(Report.created_at >= query.created_from)
    if query.created_before is not None:
        stmt = stmt.where(Report.created_at < query.created_before)
    if query.first_day is not None:
        stmt = stmt.where(Report.created_on >= query.first_day)
    if query.last_day is not None:
        stmt = stmt.where(Report.created_on <= query.last_day)
    if query.status:
        stmt = stmt.where(Report.status == query.status)
    if query.unit_id is not None:
        stmt = stmt.where(Report.unit_id == query.unit_id)
    if query.category:
        stmt = stmt.where(Report.category == query.category)
    if query.report_type:
        stmt = stmt.where(Report.report_type == query.report_type)
    if query.region_prefix:
        prefix = query.region_prefix
        # "Starts with prefix." as a range ("/" follows "."), which an index can serve.
        stmt = stmt.where(
            or_(
                Report.region_code == prefix,
                and_(Report.region_code >= prefix + ".", Report.region_code < prefix + "/"),
            )
        )
    if query.late_on is not None:
        stmt = stmt.where(
            Report.status.in_(["baru", "didisposisi", "diproses"]),
            Report.due_date < query.late_on,
        )
    if query.tracking:
        # Stored in display form (XXXX-XXXX-C): the prefix in that form, as a range on the
        # unique index.
        shown = _display_form(query.tracking)
        after = shown[:-1] + chr(ord(shown[-1]) + 1)
        stmt = stmt.where(Report.tracking_no >= shown, Report.tracking_no < after)
    return stmt


_FEW = 500


async def report_page(
    session: AsyncSession, query: ReportQuery, *, offset: int, limit: int, few: int = _FEW
) -> tuple[list[Report], int]:
    """One page of the filtered list, newest first (by day filed, then number), and the number
    of reports in it. The page's ids are picked first from ``ix_reports_console_days`` (a deep
    page skips index entries, not rows), then those reports are read."""
    count = _where(query, select(Report)).with_only_columns(func.count())
    total = await session.scalar(count) or 0
    if total <= few:
        # Few matches (a tracking number, a narrow filter): let the database pick its most
        # selective index without an ORDER BY to serve, and order them here.
        stmt = _where(query, select(Report)).with_only_columns(Report.id, Report.created_on)
        picked = list((await session.execute(stmt)).all())
        picked.sort(key=lambda row: (row[1] or date.min, row[0]), reverse=True)
        ids = [row[0] for row in picked[offset : offset + limit]]
    else:
        ids = list(
            await session.scalars(
                _where(query, select(Report.id))
                .order_by(Report.created_on.desc(), Report.id.desc())
                .offset(offset)
                .limit(limit)
            )
        )
    if not ids:
        return [], int(total)
    found = {r.id: r for r in await session.scalars(select(Report).where(Report.id.in_(ids)))}
    return [found[i] for i in ids if i in found], int(total)


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


async def photo_counts(session: AsyncSession, report_ids: Sequence[int]) -> dict[int, int]:
    if not report_ids:
        return {}
    rows = await session.execute(
        select(ReportPhoto.report_id, func.count(ReportPhoto.id))
        .where(ReportPhoto.report_id.in_(list(report_ids)))
        .group_by(ReportPhoto.report_id)
    )
    return {int(rid): int(n) for rid, n in rows}


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


def _display_form(symbols: str) -> str:
    """Tracking symbols as stored (XXXX-XXXX-C), or a prefix of them in that form."""
    return "-".join(symbols[i : i + 4] for i in range(0, len(symbols), 4))


async def report_by_tracking(session: AsyncSession, normalised: str) -> Report | None:
    """The report with this tracking number (without hyphens), by the unique index."""
    return await session.scalar(
        select(Report).where(Report.tracking_no == _display_form(normalised))
    )


async def all_units(session: AsyncSession) -> list[Unit]:
    return list(await session.scalars(select(Unit).order_by(Unit.kind, Unit.name)))


def region_statement(query: ReportQuery, open_statuses: Sequence[str]) -> Any:
    """Per area code (``ix_reports_console_regions``): reports, and how many still open."""
    still_open = _count_if(Report.status.in_(list(open_statuses)))
    stmt = _where(query, select(Report)).with_only_columns(
        Report.region_code, func.count(), still_open
    )
    return stmt.group_by(Report.region_code)


async def counts_by_region(
    session: AsyncSession, query: ReportQuery, open_statuses: Sequence[str]
) -> dict[str, tuple[int, int]]:
    """``region code -> (reports, still open)`` of the query's reports, counted in the database."""
    rows = await session.execute(region_statement(query, open_statuses))
    return {str(code): (int(n), int(o or 0)) for code, n, o in rows}


# --- indicators, added up in the database ---------------------------------------------------
#
# Each statement groups by one column that leads a covering index (see storage/models.py), so
# SQLite reads the index in group order: no table rows, no sorting. Counts by class, status and
# category are conditional sums over their known values rather than more GROUP BY columns.


def _count_if(condition: ColumnElement[bool]) -> ColumnElement[int]:
    """How many rows meet ``condition``: ``COUNT(CASE WHEN … THEN 1 END)`` (no ELSE: the rest are
    NULL, which COUNT skips): the same number as ``SUM(CASE … THEN 1 ELSE 0 END)``, but SQLite
    steps it faster (the overview's per-unit and per-day statements about 12 % faster, see
    docs/console.md); 0, never NULL, for an empty group."""
    return func.count(case((condition, 1)))


_TYPES = tuple(t.value for t in ReportType)
_STATUSES = tuple(s.value for s in ReportStatus)
_TALLY_SUMS = (
    "received",
    "verify_on_time",
    "verify_judged",
    "follow_up_on_time",
    "follow_up_judged",
    "finish_on_time",
    "finish_judged",
    "late_now",
    "reopened",
    "rating_sum",
    "rated",
    "rated_good",
)


def _tally_columns(today: date, unit_stages: Sequence[str]) -> list[ColumnElement[Any]]:
    """The sums of :class:`core.performance.Tally` (in ``_TALLY_SUMS`` order), then the counts
    by class and by status. A stage is judged once it ended or its open deadline
    (``stage_due``) has passed."""
    r = Report
    open_late = r.stage_due < today
    verify_open = r.verified_on.is_(None)
    follow_open = and_(r.verified_on.is_not(None), r.followed_up_on.is_(None))
    finish_open = and_(r.followed_up_on.is_not(None), r.finished_on.is_(None))
    return [
        func.count(),
        _count_if(r.verify_on_time.is_(True)),
        _count_if(or_(r.verify_on_time.is_not(None), and_(verify_open, open_late))),
        _count_if(r.follow_up_on_time.is_(True)),
        _count_if(or_(r.follow_up_on_time.is_not(None), and_(follow_open, open_late))),
        _count_if(r.finish_on_time.is_(True)),
        _count_if(or_(r.finish_on_time.is_not(None), and_(finish_open, open_late))),
        _count_if(and_(r.status.in_(list(unit_stages)), r.due_date < today)),
        _count_if(r.reopened.is_(True)),
        func.coalesce(func.sum(r.rating), 0),
        func.count(r.rating),
        _count_if(r.rating >= 4),
        *(_count_if(r.report_type == kind) for kind in _TYPES),
        *(_count_if(r.status == status) for status in _STATUSES),
    ]


def tally_statement(query: ReportQuery, *, today: date, unit_stages: Sequence[str]) -> Any:
    """The query's reports added up per holding unit (``ix_reports_console_units``)."""
    stmt = _where(query, select(Report)).with_only_columns(
        Report.unit_id, *_tally_columns(today, unit_stages)
    )
    return stmt.group_by(Report.unit_id)


async def tallies(
    session: AsyncSession, query: ReportQuery, *, today: date, unit_stages: Sequence[str]
) -> dict[int | None, Tally]:
    """Per holding unit: the counts and sums of the indicators, by class and status included;
    no medians (see :func:`day_counts`)."""
    found: dict[int | None, Tally] = {}
    width = len(_TALLY_SUMS)
    stmt = tally_statement(query, today=today, unit_stages=unit_stages)
    for row in await session.execute(stmt):
        values = [int(v or 0) for v in row[1:]]
        part = Tally()
        for name, value in zip(_TALLY_SUMS, values[:width], strict=True):
            setattr(part, name, value)
        kinds = values[width : width + len(_TYPES)]
        part.by_type = {k: n for k, n in zip(_TYPES, kinds, strict=True) if n}
        statuses = values[width + len(_TYPES) :]
        part.by_status = {k: n for k, n in zip(_STATUSES, statuses, strict=True) if n}
        found[row[0]] = part
    return found


_STAGE_DAYS = {
    "verify_days": Report.verify_days,
    "follow_up_days": Report.follow_up_days,
    "finish_days": Report.finish_days,
}


def day_count_statement(query: ReportQuery, key: InstrumentedAttribute[Any] | None) -> Any:
    keys: list[Any] = [key] if key is not None else [literal(None)]
    parts = [
        _where(query, select(Report))
        .with_only_columns(*keys, literal(name), column, func.count())
        .where(column.is_not(None))
        .group_by(*([key] if key is not None else []), column)
        for name, column in _STAGE_DAYS.items()
    ]
    return union_all(*parts)


async def day_counts(
    session: AsyncSession, query: ReportQuery, key: InstrumentedAttribute[Any] | None
) -> dict[Any, dict[str, dict[int, int]]]:
    """Per value of ``key`` (None: all together, under the key None): for each stage, working
    days taken → how many reports (the medians' histograms; only ended stages have days;
    ``ix_reports_<stage>_days`` for the total)."""
    found: dict[Any, dict[str, dict[int, int]]] = {}
    for value, name, days, n in await session.execute(day_count_statement(query, key)):
        found.setdefault(value, {}).setdefault(str(name), {})[int(days)] = int(n)
    return found


def with_days(tally: Tally, days: dict[str, dict[int, int]]) -> Tally:
    """``tally`` with the day histograms of :func:`day_counts` added."""
    for name, counts in days.items():
        mine: dict[int, int] = getattr(tally, name)
        for value, n in counts.items():
            mine[value] = mine.get(value, 0) + n
    return tally


@dataclass(frozen=True)
class Day:
    """The reports filed on one local day."""

    day: date
    received: int
    by_type: dict[str, int]
    by_category: dict[str, int]
    verify_on_time: int
    verify_judged: int


def daily_statement(query: ReportQuery, today: date, categories: Sequence[str]) -> Any:
    """Per day filed (``ix_reports_console_days``): reports, by class, by category, verified on
    time, verifications judged."""
    r = Report
    open_late = and_(r.verified_on.is_(None), r.stage_due < today)
    stmt = _where(query, select(Report)).with_only_columns(
        r.created_on,
        func.count(),
        _count_if(r.verify_on_time.is_(True)),
        _count_if(or_(r.verify_on_time.is_not(None), open_late)),
        *(_count_if(r.report_type == kind) for kind in _TYPES),
        *(_count_if(r.category == code) for code in categories),
    )
    return stmt.group_by(r.created_on)


async def daily(
    session: AsyncSession, query: ReportQuery, *, today: date, categories: Sequence[str]
) -> list[Day]:
    """The query's reports per day filed. Reports of a category no longer configured are
    counted under ``""``."""
    found: list[Day] = []
    for row in await session.execute(daily_statement(query, today, categories)):
        if row[0] is None:
            continue  # not submitted: no day filed
        values = [int(v or 0) for v in row[1:]]
        received, ok, judged = values[:3]
        kinds = dict(zip(_TYPES, values[3 : 3 + len(_TYPES)], strict=True))
        by_category = dict(zip(categories, values[3 + len(_TYPES) :], strict=True))
        other = received - sum(by_category.values())
        if other:
            by_category[""] = other
        found.append(
            Day(
                day=row[0],
                received=received,
                by_type={k: n for k, n in kinds.items() if n},
                by_category={k: n for k, n in by_category.items() if n},
                verify_on_time=ok,
                verify_judged=judged,
            )
        )
    return found
