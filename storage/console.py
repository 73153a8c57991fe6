"""The console's data: single-use login links, sessions, the audit log, and the report queries
behind its pages and exports.

Login links and session cookies carry a random token; only its SHA-256 is stored, so a copy of
the database lets nobody in. A link is spent on first use and lapses after its time.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, replace
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
from core.performance import TALLY_SUMS, Tally
from storage.models import (
    ROLLUP_MEASURES,
    ROLLUP_STATUSES,
    ROLLUP_TYPES,
    ConsoleAudit,
    ConsoleLogin,
    ConsoleSession,
    Report,
    ReportDay,
    ReportEvent,
    ReportMonthCategory,
    ReportMonthDays,
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
    session_id: int | None = None,
    address: str = "",
) -> None:
    session.add(
        ConsoleAudit(
            at=now,
            unit_id=unit_id,
            user_id=user_id,
            user_name=user_name[:200],
            action=action,
            subject=subject[:500],
            session_id=session_id,
            address=address[:64],
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


async def photo_positions(session: AsyncSession, report_ids: Sequence[int]) -> dict[int, list[int]]:
    """Each report's stored photos by position, in order (what ``/foto/{position}`` serves)."""
    if not report_ids:
        return {}
    rows = await session.execute(
        select(ReportPhoto.report_id, ReportPhoto.position)
        # NULL != "" is not true either: a photo not downloaded yet is left out.
        .where(ReportPhoto.report_id.in_(list(report_ids)), ReportPhoto.stored_path != "")
        .order_by(ReportPhoto.report_id, ReportPhoto.position)
    )
    found: dict[int, list[int]] = {}
    for report_id, position in rows:
        found.setdefault(int(report_id), []).append(int(position))
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


def _tally_columns(today: date, unit_stages: Sequence[str]) -> list[ColumnElement[Any]]:
    """The sums of :class:`core.performance.Tally` (in ``TALLY_SUMS`` order), then the counts
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
    no medians (see :func:`day_counts`). A period's query (:func:`rolled_up`) reads the roll-up
    and the open stages; any other adds up the reports."""
    if rolled_up(query):
        return await _rolled_tallies(session, query, today=today, unit_stages=unit_stages)
    found: dict[int | None, Tally] = {}
    width = len(TALLY_SUMS)
    stmt = tally_statement(query, today=today, unit_stages=unit_stages)
    for row in await session.execute(stmt):
        values = [int(v or 0) for v in row[1:]]
        part = Tally()
        for name, value in zip(TALLY_SUMS, values[:width], strict=True):
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
    ``ix_reports_<stage>_days`` for the total). A period's query by holding unit or in total
    reads the whole months from the roll-up and only the period's partial months from the
    reports."""
    found: dict[Any, dict[str, dict[int, int]]] = {}

    def add(value: Any, name: str, days: int, n: int) -> None:
        if n:
            per = found.setdefault(value, {}).setdefault(name, {})
            per[days] = per.get(days, 0) + n

    parts: list[ReportQuery] = [query]
    if rolled_up(query) and (key is None or key is Report.unit_id):
        months, parts = _month_split(query)
        if months is not None:
            by_unit = key is not None
            for unit, name, days, n in await session.execute(
                rollup_days_statement(query, months, by_unit=by_unit)
            ):
                add((unit or None) if by_unit else None, str(name), int(days), int(n or 0))
    for part in parts:
        for value, name, days, n in await session.execute(day_count_statement(part, key)):
            add(value, str(name), int(days), int(n))
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
    verify_on_time: int
    verify_judged: int


def daily_statement(query: ReportQuery, today: date) -> Any:
    """Per day filed (``ix_reports_console_days``): reports, by class, verified on time,
    verifications judged."""
    r = Report
    open_late = and_(r.verified_on.is_(None), r.stage_due < today)
    stmt = _where(query, select(Report)).with_only_columns(
        r.created_on,
        func.count(),
        _count_if(r.verify_on_time.is_(True)),
        _count_if(or_(r.verify_on_time.is_not(None), open_late)),
        *(_count_if(r.report_type == kind) for kind in _TYPES),
    )
    return stmt.group_by(r.created_on).order_by(r.created_on)


async def daily(session: AsyncSession, query: ReportQuery, *, today: date) -> list[Day]:
    """The query's reports per day filed (from the roll-up for a period's query)."""
    rows: list[Sequence[Any]]
    if rolled_up(query):
        late = {
            day: int(n) for day, n in await session.execute(open_verify_statement(query, today))
        }
        rows = []
        for rolled in await session.execute(rollup_daily_statement(query)):
            values = list(rolled)
            values[3] = int(values[3] or 0) + late.get(rolled[0], 0)
            rows.append(values)
    else:
        rows = [tuple(row) for row in await session.execute(daily_statement(query, today))]
    found: list[Day] = []
    for row in rows:
        if row[0] is None:
            continue  # not submitted: no day filed
        values = [int(v or 0) for v in row[1:]]
        received, ok, judged = values[:3]
        kinds = dict(zip(_TYPES, values[3 : 3 + len(_TYPES)], strict=True))
        found.append(
            Day(
                day=row[0],
                received=received,
                by_type={k: n for k, n in kinds.items() if n},
                verify_on_time=ok,
                verify_judged=judged,
            )
        )
    return found


async def category_counts(
    session: AsyncSession, query: ReportQuery, categories: Sequence[str]
) -> dict[str, int]:
    """How many of the query's reports per category; a category no longer configured is
    counted under ``""``. Whole months from the roll-up for a period's query."""
    raw: dict[str, int] = {}
    parts: list[ReportQuery] = [query]
    if rolled_up(query):
        months, parts = _month_split(query)
        if months is not None:
            for code, n in await session.execute(rollup_category_statement(query, months)):
                raw[str(code)] = raw.get(str(code), 0) + int(n or 0)
    for part in parts:
        stmt = _where(part, select(Report)).with_only_columns(Report.category, func.count())
        for code, n in await session.execute(stmt.group_by(Report.category)):
            raw[str(code)] = raw.get(str(code), 0) + int(n)
    # In the configured order, then the rest under "".
    found = {code: raw.pop(code, 0) for code in categories}
    found[""] = found.get("", 0) + sum(raw.values())
    return {k: n for k, n in found.items() if n}


# --- the roll-up (migration 0010) -----------------------------------------------------------
#
# ``report_rollup`` holds, per holding unit and day filed, every count of the overview that does
# not depend on today; ``report_rollup_categories`` and ``report_rollup_days`` hold the
# categories and the medians' day histograms per unit and month filed. Database triggers on
# ``reports`` keep them. What depends on today (open stages past their deadline, late now) is
# counted from the reports with an open stage past its deadline (``ix_reports_stage_due``) or a
# unit stage past its due date (``ix_reports_status_due``): the open reports, a few percent.


def rolled_up(query: ReportQuery) -> bool:
    """Whether the roll-up answers ``query``: a period of days filed, and at most the viewer's
    units as a filter (the console's overview, unit table and rekap)."""
    if query.first_day is None and query.last_day is None:
        return False
    return not (
        query.created_from is not None
        or query.created_before is not None
        or query.status
        or query.unit_id is not None
        or query.category
        or query.report_type
        or query.region_prefix
        or query.late_on is not None
        or query.tracking
    )


def _month_key(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def _month_end(day: date) -> date:
    following = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return following - timedelta(days=1)


Months = tuple[str | None, str | None]


def _month_split(query: ReportQuery) -> tuple[Months | None, list[ReportQuery]]:
    """The whole months filed inside the query's period (first and last ``YYYY-MM``, None:
    unbounded; None when there are none) and the queries of the partial months at its ends."""
    first, last = query.first_day, query.last_day
    if first is not None and last is not None and last < first:
        return None, []
    edges: list[ReportQuery] = []
    low: str | None = None
    high: str | None = None
    if first is not None:
        if first.day == 1:
            low = _month_key(first)
        else:
            end = _month_end(first) if last is None else min(_month_end(first), last)
            edges.append(replace(query, first_day=first, last_day=end))
            low = _month_key(_month_end(first) + timedelta(days=1))
    if last is not None:
        if last == _month_end(last):
            high = _month_key(last)
        else:
            start = last.replace(day=1)
            if first is None or start > first:
                edges.append(replace(query, first_day=start, last_day=last))
            high = _month_key(start - timedelta(days=1))
    if low is not None and high is not None and low > high:
        return None, edges
    return (low, high), edges


def _units_filter(query: ReportQuery, column: Any) -> list[ColumnElement[bool]]:
    return [] if query.visible is None else [column.in_(sorted(query.visible))]


def _days_filter(query: ReportQuery) -> list[ColumnElement[bool]]:
    found = _units_filter(query, ReportDay.unit_key)
    if query.first_day is not None:
        found.append(ReportDay.day >= query.first_day)
    if query.last_day is not None:
        found.append(ReportDay.day <= query.last_day)
    return found


def _months_filter(
    query: ReportQuery, months: Months, table: type[ReportMonthCategory] | type[ReportMonthDays]
) -> list[ColumnElement[bool]]:
    found = _units_filter(query, table.unit_key)
    if months[0] is not None:
        found.append(table.month >= months[0])
    if months[1] is not None:
        found.append(table.month <= months[1])
    return found


def rollup_tally_statement(query: ReportQuery) -> Any:
    """Per holding unit (``unit_key``): the sums of the roll-up's columns over the period."""
    d = ReportDay
    columns = (
        *(getattr(d, name) for name in _ROLLUP_SUMS),
        *(getattr(d, f"type_{t}") for t in ROLLUP_TYPES),
        *(getattr(d, f"status_{s}") for s in ROLLUP_STATUSES),
    )
    return (
        select(d.unit_key, *(func.sum(c) for c in columns))
        .where(*_days_filter(query))
        .group_by(d.unit_key)
        .having(func.sum(d.received) > 0)
    )


def _open_where(query: ReportQuery, stmt: Select[Any]) -> Select[Any]:
    """The query's period and units, written over ``coalesce(…)`` of the columns so that no
    index on them is chosen: the few reports with an open stage past its deadline are found
    by ``ix_reports_stage_due`` and ``ix_reports_status_due`` instead of a scan of the period
    (the same rows: ``visible`` never holds 0)."""
    r = Report
    if query.visible is not None:
        stmt = stmt.where(func.coalesce(r.unit_id, 0).in_(sorted(query.visible)))
    filed = func.coalesce(r.created_on, r.created_on)
    if query.first_day is not None:
        stmt = stmt.where(filed >= query.first_day)
    if query.last_day is not None:
        stmt = stmt.where(filed <= query.last_day)
    return stmt


def _past_stage_due(today: date) -> list[ColumnElement[bool]]:
    """``stage_due < today``, with a lower bound every date meets: SQLite's planner rates a
    range closed at both ends as narrow and reads ``ix_reports_stage_due``; with one end only it
    scans a whole covering index of ``reports`` instead (about 1 s at 1,000,000 reports)."""
    return [Report.stage_due >= date.min, Report.stage_due < today]


def open_tally_statement(query: ReportQuery, *, today: date) -> Any:
    """Per holding unit: verifications, follow-ups and finishes open past their deadline, from
    the reports with an open stage past its deadline only (``ix_reports_stage_due``)."""
    r = Report
    return (
        _open_where(query, select(Report))
        .with_only_columns(
            r.unit_id,
            _count_if(and_(r.verify_on_time.is_(None), r.verified_on.is_(None))),
            _count_if(
                and_(
                    r.follow_up_on_time.is_(None),
                    r.verified_on.is_not(None),
                    r.followed_up_on.is_(None),
                )
            ),
            _count_if(
                and_(
                    r.finish_on_time.is_(None),
                    r.followed_up_on.is_not(None),
                    r.finished_on.is_(None),
                )
            ),
        )
        .where(*_past_stage_due(today))
        .group_by(r.unit_id)
    )


def late_now_statement(query: ReportQuery, *, today: date, unit_stages: Sequence[str]) -> Any:
    """Per holding unit: reports in a unit stage past their due date (``ix_reports_status_due``
    or ``ix_reports_unit_status_due``)."""
    r = Report
    return (
        _open_where(query, select(Report))
        .with_only_columns(r.unit_id, func.count())
        .where(r.status.in_(list(unit_stages)), r.due_date < today)
        .group_by(r.unit_id)
    )


_ROLLUP_SUMS = (
    "received",
    "verify_on_time",
    "verify_ended",
    "follow_up_on_time",
    "follow_up_ended",
    "finish_on_time",
    "finish_ended",
    "reopened",
    "rating_sum",
    "rated",
    "rated_good",
)


async def _rolled_tallies(
    session: AsyncSession, query: ReportQuery, *, today: date, unit_stages: Sequence[str]
) -> dict[int | None, Tally]:
    found: dict[int | None, Tally] = {}
    width = len(_ROLLUP_SUMS)
    for row in await session.execute(rollup_tally_statement(query)):
        values = [int(v or 0) for v in row[1:]]
        sums = dict(zip(_ROLLUP_SUMS, values[:width], strict=True))
        kinds = values[width : width + len(ROLLUP_TYPES)]
        statuses = values[width + len(ROLLUP_TYPES) :]
        found[int(row[0]) or None] = Tally(
            received=sums["received"],
            by_type={k: n for k, n in zip(ROLLUP_TYPES, kinds, strict=True) if n},
            by_status={k: n for k, n in zip(ROLLUP_STATUSES, statuses, strict=True) if n},
            verify_on_time=sums["verify_on_time"],
            verify_judged=sums["verify_ended"],
            follow_up_on_time=sums["follow_up_on_time"],
            follow_up_judged=sums["follow_up_ended"],
            finish_on_time=sums["finish_on_time"],
            finish_judged=sums["finish_ended"],
            reopened=sums["reopened"],
            rating_sum=sums["rating_sum"],
            rated=sums["rated"],
            rated_good=sums["rated_good"],
        )
    for unit, verify, follow_up, finish in await session.execute(
        open_tally_statement(query, today=today)
    ):
        part = found.setdefault(unit, Tally())
        part.verify_judged += int(verify or 0)
        part.follow_up_judged += int(follow_up or 0)
        part.finish_judged += int(finish or 0)
    stmt = late_now_statement(query, today=today, unit_stages=unit_stages)
    for unit, late in await session.execute(stmt):
        found.setdefault(unit, Tally()).late_now += int(late or 0)
    return found


def rollup_daily_statement(query: ReportQuery) -> Any:
    """Per day filed: received, verified on time, verifications ended, by class."""
    d = ReportDay
    return (
        select(
            d.day,
            func.sum(d.received),
            func.sum(d.verify_on_time),
            func.sum(d.verify_ended),
            *(func.sum(getattr(d, f"type_{t}")) for t in _TYPES),
        )
        .where(*_days_filter(query))
        .group_by(d.day)
        .having(func.sum(d.received) > 0)
        .order_by(d.day)
    )


def open_verify_statement(query: ReportQuery, today: date) -> Any:
    """Per day filed: verifications still open past their deadline."""
    r = Report
    return (
        _open_where(query, select(Report))
        .with_only_columns(r.created_on, func.count())
        .where(*_past_stage_due(today), r.verify_on_time.is_(None), r.verified_on.is_(None))
        .group_by(r.created_on)
    )


def rollup_category_statement(query: ReportQuery, months: Months) -> Any:
    c = ReportMonthCategory
    return (
        select(c.category, func.sum(c.n))
        .where(*_months_filter(query, months, c))
        .group_by(c.category)
    )


def rollup_days_statement(query: ReportQuery, months: Months, *, by_unit: bool) -> Any:
    h = ReportMonthDays
    keys: list[Any] = [h.unit_key] if by_unit else [literal(0)]
    groups: list[Any] = [h.unit_key] if by_unit else []
    return (
        select(*keys, h.measure, h.days, func.sum(h.n))
        .where(*_months_filter(query, months, h), h.measure.in_(ROLLUP_MEASURES))
        .group_by(*groups, h.measure, h.days)
    )
