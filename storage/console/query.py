"""A filtered list of reports (:class:`ReportQuery`) and its WHERE clause, shared by every page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, func, or_

from core.deadlines import UNIT_STAGES
from storage.console.search import WordMatch
from storage.models import Report


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
    order: str = ""  # one of ORDERS' keys: '' newest first
    # Ditangani oleh: a person's user id, :data:`UNASSIGNED` for nobody, '' for any.
    assignee: str = ""
    words: tuple[str, ...] = ()  # full-text search: each word starts a word of the report
    # The viewer's own unit: where its reports are exact in files (core.places); None with
    # ``visible`` None is the coordinator's.
    own_unit: int | None = None


#: The assignee filter's value for reports nobody handles yet ("belum ditugaskan").
UNASSIGNED = "-"

#: How a list may be sorted: newest first (''), oldest first, by the deadline of the stage a
#: unit owes (soonest first; reports no unit owes work on come last), by last activity.
ORDERS = ("", "lama", "tenggat", "aktivitas")


def order_by(order: str) -> tuple[ColumnElement[Any], ...]:
    """The ORDER BY of ``order`` (one of :data:`ORDERS`), the report's id breaking ties."""
    if order == "lama":
        return (Report.created_on.asc(), Report.id.asc())
    if order == "tenggat":
        owed = Report.status.in_(sorted(UNIT_STAGES)) & Report.due_date.is_not(None)
        return (case((owed, 0), else_=1), Report.due_date.asc(), Report.id.asc())
    if order == "aktivitas":
        return (Report.updated_at.desc(), Report.id.desc())
    return (Report.created_on.desc(), Report.id.desc())


def _display_form(symbols: str) -> str:
    """Tracking symbols as stored (XXXX-XXXX-C), or a prefix of them in that form."""
    return "-".join(symbols[i : i + 4] for i in range(0, len(symbols), 4))


def _where(query: ReportQuery, stmt: Select[Any], *, in_order: bool = False) -> Select[Any]:
    """``stmt`` narrowed to the query's reports (``in_order``: a search of words in very many
    reports, read in the list's order: ``storage.console.search.WordMatch``)."""
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
            Report.status.in_(sorted(UNIT_STAGES)),
            Report.due_date < query.late_on,
        )
    if query.assignee == UNASSIGNED:
        stmt = stmt.where(Report.assignee_id.is_(None))
    elif query.assignee:
        stmt = stmt.where(Report.assignee_id == query.assignee)
    if query.tracking:
        # Stored in display form (XXXX-XXXX-C): the prefix in that form, as a range on the
        # unique index.
        shown = _display_form(query.tracking)
        after = shown[:-1] + chr(ord(shown[-1]) + 1)
        stmt = stmt.where(Report.tracking_no >= shown, Report.tracking_no < after)
    # Internal notes are read by the holding unit and the coordinator only: a kecamatan, which
    # lists its desa's reports too, does not search them (a match would tell what they say).
    internal = query.visible is None or len(query.visible) == 1
    for word in query.words:
        stmt = stmt.where(WordMatch(Report.id, word, internal=internal, in_order=in_order))
    return stmt


def _count_if(condition: ColumnElement[bool]) -> ColumnElement[int]:
    """How many rows meet ``condition``: ``COUNT(CASE WHEN … THEN 1 END)`` (no ELSE: the rest are
    NULL, which COUNT skips): the same number as ``SUM(CASE … THEN 1 ELSE 0 END)``, but SQLite
    steps it faster (the overview's per-unit and per-day statements about 12 % faster, see
    docs/console.md); 0, never NULL, for an empty group."""
    return func.count(case((condition, 1)))
