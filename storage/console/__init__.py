"""The console's data: single-use login links, sessions, the audit log, and the report queries
behind its pages and exports.

One module per part: ``sessions`` (logins, sessions, audit), ``query`` (the filter every page
shares), ``reports`` (a page's or an export's reports), ``tallies`` (the indicators added up in
the database) and ``rollup`` (a period's whole days and months read from the roll-up). This
package names them all, so callers import from ``storage.console``.
"""

from storage.console.actors import actor_counts, actor_statement
from storage.console.cross import Cross, cross_counts, cross_statement
from storage.console.points import Point, map_points
from storage.console.query import ORDERS, ReportQuery
from storage.console.rebuild import clear_statements, rebuild_statements
from storage.console.reports import (
    all_units,
    citizens_of,
    events_of,
    events_of_kinds,
    photo_files,
    rated_with_comments,
    report_by_tracking,
    report_page,
    stream_reports,
    supporter_counts,
)
from storage.console.requests import (
    ASSIGN_REQUEST,
    CONSOLE_ACTIONS,
    CONSOLE_CHANNEL,
    RELEASE_ARG,
    REQUEST_KEY,
    finish_request,
    queue_request,
    request_of,
    still_queued,
)
from storage.console.rollup import (
    Months,
    late_now_statement,
    open_tally_statement,
    open_verify_statement,
    rolled_up,
    rollup_category_statement,
    rollup_daily_statement,
    rollup_days_statement,
    rollup_tally_statement,
)
from storage.console.sessions import (
    LOGIN_TTL,
    SESSION_TTL,
    audit,
    audit_page,
    issue_login,
    live_session,
    open_session,
    redeem_login,
    token_hash,
)
from storage.console.tallies import (
    Day,
    category_counts,
    counts_by_region,
    daily,
    daily_statement,
    day_count_statement,
    day_counts,
    open_by_day,
    region_statement,
    tallies,
    tally_statement,
    with_days,
)

__all__ = [
    "ASSIGN_REQUEST",
    "CONSOLE_ACTIONS",
    "CONSOLE_CHANNEL",
    "LOGIN_TTL",
    "ORDERS",
    "RELEASE_ARG",
    "REQUEST_KEY",
    "SESSION_TTL",
    "Cross",
    "Day",
    "Months",
    "Point",
    "ReportQuery",
    "actor_counts",
    "actor_statement",
    "all_units",
    "audit",
    "audit_page",
    "category_counts",
    "citizens_of",
    "clear_statements",
    "counts_by_region",
    "cross_counts",
    "cross_statement",
    "daily",
    "daily_statement",
    "day_count_statement",
    "day_counts",
    "events_of",
    "events_of_kinds",
    "finish_request",
    "issue_login",
    "late_now_statement",
    "live_session",
    "map_points",
    "open_by_day",
    "open_session",
    "open_tally_statement",
    "open_verify_statement",
    "photo_files",
    "queue_request",
    "rated_with_comments",
    "rebuild_statements",
    "redeem_login",
    "region_statement",
    "report_by_tracking",
    "report_page",
    "request_of",
    "rolled_up",
    "rollup_category_statement",
    "rollup_daily_statement",
    "rollup_days_statement",
    "rollup_tally_statement",
    "still_queued",
    "stream_reports",
    "supporter_counts",
    "tallies",
    "tally_statement",
    "token_hash",
    "with_days",
]
