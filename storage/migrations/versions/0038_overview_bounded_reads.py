"""the overview's reads bounded at any number of reports (docs/console.md, "Scale"):

- ``ix_reports_rated_comments``: a partial index of the reports rated with a comment, in the
  order the overview lists them (newest change first), with the day filed and the unit. Before
  it the overview read every report of its period from the table to find them; now it reads
  this index backwards until it has the period's last 20.
- ``ix_reports_status_due`` gains the day filed and the unit: it covers the open reports per
  day filed (the overview's ageing), which read a whole index of all reports before.
- ``ix_report_rollup_days_measure``: the medians' histograms of all units in (measure, days)
  order, summed without sorting every row of the period's months.
- ``ix_report_rollup_by_day``: the per-day series of all units in day order (on
  ``coalesce(day, day)``, which only that statement says: the per-unit sums keep the key).

Revision ID: 0038
Revises: 0036
Create Date: 2026-12-08 02:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0038"
down_revision: str | None = "0036"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Written out here (not imported from the models) so that the revision stays what it was.
_ROWS = "rating IS NOT NULL AND rating_comment <> ''"


def upgrade() -> None:
    op.drop_index("ix_reports_status_due", table_name="reports")
    op.create_index(
        "ix_reports_status_due", "reports", ["status", "due_date", "created_on", "unit_id"]
    )
    op.create_index(
        "ix_report_rollup_by_day",
        "report_rollup",
        [
            sa.text("coalesce(day, day)"),
            "received",
            "verify_on_time",
            "verify_ended",
            "type_pengaduan",
            "type_aspirasi",
            "type_permintaan_informasi",
        ],
    )
    op.create_index(
        "ix_report_rollup_days_measure",
        "report_rollup_days",
        ["measure", "days", "month", "unit_key", "n"],
    )
    op.create_index(
        "ix_reports_rated_comments",
        "reports",
        ["updated_at", "id", "created_on", "unit_id"],
        sqlite_where=sa.text(_ROWS),
        postgresql_where=sa.text(_ROWS),
    )


def downgrade() -> None:
    op.drop_index("ix_reports_rated_comments", table_name="reports")
    op.drop_index("ix_report_rollup_days_measure", table_name="report_rollup_days")
    op.drop_index("ix_report_rollup_by_day", table_name="report_rollup")
    op.drop_index("ix_reports_status_due", table_name="reports")
    op.create_index("ix_reports_status_due", "reports", ["status", "due_date"])
