"""stages: each report's measured stages kept on the row, backfilled from the timeline

The console's indicators become SQL aggregates over these columns. Reports filed before this
revision get the same numbers ``core.performance`` computed from their timelines: the timeline
is folded with ``core.performance.moments`` on the region's calendar and deadlines (read from
the environment or ``.env`` as the program reads its settings: ``TIMEZONE``, ``LOCAL_HOLIDAYS``,
``CATEGORIES_FILE`` and the ``*_WORKING_DAYS`` numbers; the defaults otherwise).

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29 00:10:00
"""

import os
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from alembic import op
from dotenv import dotenv_values

from core.calendar import WorkingCalendar
from core.categories import load_categories
from core.deadlines import DeadlinePolicy, local_date
from core.performance import Step, moments, stage_limits

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_DATES = ("created_on", "verified_on", "followed_up_on", "finished_on", "stage_due")
_DAYS = ("verify_days", "follow_up_days", "finish_days")
_FLAGS = ("verify_on_time", "follow_up_on_time", "finish_on_time")
_BATCH = 2000
# Written out (not imported from storage.models) so the revision stays what it was.
_INDEXES = {
    "ix_reports_console_units": (
        "unit_id",
        "created_on",
        "report_type",
        "status",
        "verify_on_time",
        "verified_on",
        "follow_up_on_time",
        "followed_up_on",
        "finish_on_time",
        "finished_on",
        "stage_due",
        "due_date",
        "reopened",
        "rating",
    ),
    "ix_reports_console_days": (
        "created_on",
        "unit_id",
        "report_type",
        "category",
        "status",
        "due_date",
        "region_code",
        "verify_on_time",
        "verified_on",
        "stage_due",
    ),
    "ix_reports_console_regions": ("region_code", "created_on", "unit_id", "status"),
    "ix_reports_verify_days": ("verify_days", "created_on", "unit_id"),
    "ix_reports_follow_up_days": ("follow_up_days", "created_on", "unit_id"),
    "ix_reports_finish_days": ("finish_days", "created_on", "unit_id"),
}


def upgrade() -> None:
    # Plain ALTER TABLE ADD COLUMN (no batch copy): on SQLite a batch would copy and drop the
    # reports table, and dropping it cascades to the timeline (report_events) when foreign
    # keys are enforced.
    for name in _DATES:
        op.add_column("reports", sa.Column(name, sa.Date(), nullable=True))
    for name in _DAYS:
        op.add_column("reports", sa.Column(name, sa.Integer(), nullable=True))
    for name in _FLAGS:
        op.add_column("reports", sa.Column(name, sa.Boolean(), nullable=True))
    op.add_column(
        "reports", sa.Column("stage_paused", sa.Integer(), nullable=False, server_default="0")
    )
    op.add_column(
        "reports", sa.Column("reopened", sa.Boolean(), nullable=False, server_default="0")
    )
    _backfill()
    for name, columns in _INDEXES.items():
        op.create_index(name, "reports", list(columns), unique=False)


def _setting(name: str) -> str:
    """A setting as the program reads it: the environment first, then ``.env`` (names in any
    case)."""
    for source in (os.environ, _DOTENV):
        for key in (name.upper(), name):
            value = source.get(key)
            if value:
                return value
    return ""


_DOTENV: dict[str, str | None] = dict(dotenv_values(".env")) if Path(".env").is_file() else {}


def _env_days(name: str, default: int) -> int:
    raw = _setting(name)
    return int(raw) if raw.strip().isdigit() else default


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _backfill() -> None:
    base = DeadlinePolicy()
    policy = replace(
        base,
        **{
            field: _env_days(f"{env}_working_days", getattr(base, field))
            for field, env in (
                ("verify", "verify"),
                ("follow_up", "follow_up"),
                ("resolve_aspirasi", "resolve_aspirasi"),
                ("resolve_informasi", "resolve_informasi"),
                ("resolve_pengaduan", "resolve_pengaduan"),
                ("resolve_pengawasan", "resolve_pengawasan"),
            )
        },
    )
    tz = ZoneInfo(_setting("timezone") or "Asia/Makassar")
    holidays = [
        date.fromisoformat(d.strip()) for d in _setting("local_holidays").split(",") if d.strip()
    ]
    cal = WorkingCalendar(extra_holidays=holidays)
    path = _setting("categories_file")
    watched = {c.code for c in load_categories(Path(path) if path else None) if c.pengawasan}
    reports = sa.table(
        "reports",
        sa.column("id", sa.Integer()),
        sa.column("status", sa.String()),
        sa.column("report_type", sa.String()),
        sa.column("category", sa.String()),
        sa.column("created_at", sa.DateTime(timezone=True)),
        sa.column("paused_at", sa.DateTime(timezone=True)),
        *(sa.column(n, sa.Date()) for n in _DATES),
        *(sa.column(n, sa.Integer()) for n in _DAYS),
        *(sa.column(n, sa.Boolean()) for n in _FLAGS),
        sa.column("stage_paused", sa.Integer()),
        sa.column("reopened", sa.Boolean()),
    )
    events = sa.table(
        "report_events",
        sa.column("id", sa.Integer()),
        sa.column("report_id", sa.Integer()),
        sa.column("status_from", sa.String()),
        sa.column("status_to", sa.String()),
        sa.column("created_at", sa.DateTime(timezone=True)),
    )
    bind = op.get_bind()
    last = 0
    while True:
        rows = bind.execute(
            sa.select(
                reports.c.id,
                reports.c.status,
                reports.c.report_type,
                reports.c.category,
                reports.c.created_at,
            )
            .where(reports.c.id > last, reports.c.status != "")
            .order_by(reports.c.id)
            .limit(_BATCH)
        ).all()
        if not rows:
            return
        last = rows[-1].id
        steps: dict[int, list[Step]] = {row.id: [] for row in rows}
        for event in bind.execute(
            sa.select(
                events.c.report_id, events.c.status_from, events.c.status_to, events.c.created_at
            )
            .where(events.c.report_id.in_(list(steps)), events.c.status_to.is_not(None))
            .order_by(events.c.id)
        ):
            if event.status_to != event.status_from:
                on = local_date(_aware(event.created_at), tz)
                steps[event.report_id].append(Step(on, event.status_from, event.status_to))
        for row in rows:
            limits = stage_limits(policy, row.report_type, pengawasan=row.category in watched)
            created_on = local_date(_aware(row.created_at), tz)
            m = moments(created_on, steps[row.id], limits, cal)
            if row.status == "diarsipkan":
                m = replace(m, archived=True, stage_due=None)
            values: dict[str, object] = {n: getattr(m, n) for n in (*_DATES, *_DAYS, *_FLAGS)}
            values.update(stage_paused=m.stage_paused, reopened=m.reopened)
            bind.execute(sa.update(reports).where(reports.c.id == row.id).values(**values))


def downgrade() -> None:
    for name in _INDEXES:
        op.drop_index(name, table_name="reports")
    for name in ("reopened", "stage_paused", *_FLAGS, *_DAYS, *_DATES):
        op.drop_column("reports", name)  # SQLite 3.35+ drops a column in place
