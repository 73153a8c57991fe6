"""rollup: the console's counts per unit and day filed, kept by triggers on reports

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-29 02:30:00

Three tables (``report_rollup`` per unit and day filed; ``report_rollup_categories`` and
``report_rollup_days`` per unit and month filed) hold the counts of the console's overview that
do not depend on today. Triggers on ``reports`` take a row's old values out and put its new ones
in on every INSERT, DELETE and UPDATE of a counted column, so every writer (the bot, the CLI, bulk
loads, tests writing rows directly) keeps them without knowing. SQLite: three triggers whose
bodies are plain statements; PostgreSQL: one plpgsql function. The tables are filled from the
existing reports here. The SQL is written out in this file (not imported) so the revision stays
what it was when it ran.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TYPES = ("pengaduan", "aspirasi", "permintaan_informasi")
STATUSES = ("baru", "didisposisi", "diproses", "menunggu_pelapor", "selesai", "diarsipkan")
MEASURES = ("verify_days", "follow_up_days", "finish_days")
#: ``ix_reports_stage_due``: the open stages past their deadline, counted against today.
STAGE_DUE_COLUMNS = (
    "stage_due",
    "created_on",
    "unit_id",
    "verified_on",
    "verify_on_time",
    "followed_up_on",
    "follow_up_on_time",
    "finished_on",
    "finish_on_time",
)
#: The columns whose change moves a report in the roll-up (an UPDATE of others fires nothing).
WATCHED = (
    "unit_id",
    "created_on",
    "report_type",
    "category",
    "status",
    "verify_on_time",
    "follow_up_on_time",
    "finish_on_time",
    "reopened",
    "rating",
    *MEASURES,
)


def _if(condition: str) -> str:
    return f"CASE WHEN {condition} THEN 1 ELSE 0 END"


def _day_values(r: str) -> list[tuple[str, str]]:
    """(column, what one report ``r`` adds to it) for ``report_rollup``; ``r`` is NEW, OLD or
    the table name (backfill)."""
    return [
        ("received", "1"),
        ("verify_on_time", _if(f"{r}.verify_on_time")),
        ("verify_ended", _if(f"{r}.verify_on_time IS NOT NULL")),
        ("follow_up_on_time", _if(f"{r}.follow_up_on_time")),
        ("follow_up_ended", _if(f"{r}.follow_up_on_time IS NOT NULL")),
        ("finish_on_time", _if(f"{r}.finish_on_time")),
        ("finish_ended", _if(f"{r}.finish_on_time IS NOT NULL")),
        ("reopened", _if(f"{r}.reopened")),
        ("rating_sum", f"COALESCE({r}.rating, 0)"),
        ("rated", _if(f"{r}.rating IS NOT NULL")),
        ("rated_good", _if(f"{r}.rating >= 4")),
        *((f"type_{t}", _if(f"{r}.report_type = '{t}'")) for t in TYPES),
        *((f"status_{s}", _if(f"{r}.status = '{s}'")) for s in STATUSES),
    ]


def _month(r: str, dialect: str) -> str:
    if dialect == "postgresql":
        return f"to_char({r}.created_on, 'YYYY-MM')"
    return f"substr({r}.created_on, 1, 7)"


def _deltas(r: str, sign: str, dialect: str) -> list[str]:
    """The statements that add (``sign`` '+') or take out ('-') report ``r``: make sure each
    roll-up row exists, then change it. A report without a day filed is not counted."""
    insert = "INSERT OR IGNORE INTO" if dialect == "sqlite" else "INSERT INTO"
    ignore = "" if dialect == "sqlite" else " ON CONFLICT DO NOTHING"
    unit = f"COALESCE({r}.unit_id, 0)"
    month = _month(r, dialect)
    filed = f"{r}.created_on IS NOT NULL"
    sets = ", ".join(f"{c} = {c} {sign} ({v})" for c, v in _day_values(r))
    out = [
        f"{insert} report_rollup (unit_key, day) SELECT {unit}, {r}.created_on"
        f" WHERE {filed}{ignore};",
        f"UPDATE report_rollup SET {sets} WHERE unit_key = {unit} AND day = {r}.created_on;",
        f"{insert} report_rollup_categories (unit_key, month, category)"
        f" SELECT {unit}, {month}, {r}.category WHERE {filed}{ignore};",
        f"UPDATE report_rollup_categories SET n = n {sign} 1 WHERE unit_key = {unit}"
        f" AND month = {month} AND category = {r}.category;",
    ]
    for m in MEASURES:
        out += [
            f"{insert} report_rollup_days (unit_key, month, measure, days)"
            f" SELECT {unit}, {month}, '{m}', {r}.{m}"
            f" WHERE {filed} AND {r}.{m} IS NOT NULL{ignore};",
            f"UPDATE report_rollup_days SET n = n {sign} 1 WHERE unit_key = {unit}"
            f" AND month = {month} AND measure = '{m}' AND days = {r}.{m};",
        ]
    return out


def _create_triggers(dialect: str) -> None:
    watched = ", ".join(WATCHED)
    if dialect == "postgresql":
        take = "\n        ".join(_deltas("OLD", "-", dialect))
        put = "\n        ".join(_deltas("NEW", "+", dialect))
        op.execute(
            f"""
CREATE FUNCTION report_rollup_apply() RETURNS trigger AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.created_on IS NOT NULL THEN
        {take}
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.created_on IS NOT NULL THEN
        {put}
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
"""
        )
        op.execute(
            "CREATE TRIGGER report_rollup_write AFTER INSERT OR DELETE OR UPDATE OF"
            f" {watched} ON reports FOR EACH ROW EXECUTE PROCEDURE report_rollup_apply();"
        )
        return
    op.execute(
        "CREATE TRIGGER report_rollup_insert AFTER INSERT ON reports"
        " WHEN NEW.created_on IS NOT NULL BEGIN\n"
        + "\n".join(_deltas("NEW", "+", dialect))
        + "\nEND;"
    )
    op.execute(
        "CREATE TRIGGER report_rollup_delete AFTER DELETE ON reports"
        " WHEN OLD.created_on IS NOT NULL BEGIN\n"
        + "\n".join(_deltas("OLD", "-", dialect))
        + "\nEND;"
    )
    op.execute(
        f"CREATE TRIGGER report_rollup_update AFTER UPDATE OF {watched} ON reports BEGIN\n"
        + "\n".join(_deltas("OLD", "-", dialect) + _deltas("NEW", "+", dialect))
        + "\nEND;"
    )


def backfill_statements(dialect: str) -> list[str]:
    """The statements that fill the empty roll-up from the reports (also used by the bench
    after a bulk load)."""
    values = _day_values("reports")
    names = ", ".join(c for c, _ in values)
    sums = ", ".join(f"SUM({v})" for _, v in values)
    month = _month("reports", dialect)
    out = [
        f"INSERT INTO report_rollup (unit_key, day, {names})"
        f" SELECT COALESCE(unit_id, 0), created_on, {sums} FROM reports"
        " WHERE created_on IS NOT NULL GROUP BY COALESCE(unit_id, 0), created_on",
        "INSERT INTO report_rollup_categories (unit_key, month, category, n)"
        f" SELECT COALESCE(unit_id, 0), {month}, category, COUNT(*) FROM reports"
        f" WHERE created_on IS NOT NULL GROUP BY COALESCE(unit_id, 0), {month}, category",
    ]
    for m in MEASURES:
        out.append(
            "INSERT INTO report_rollup_days (unit_key, month, measure, days, n)"
            f" SELECT COALESCE(unit_id, 0), {month}, '{m}', {m}, COUNT(*) FROM reports"
            f" WHERE created_on IS NOT NULL AND {m} IS NOT NULL"
            f" GROUP BY COALESCE(unit_id, 0), {month}, {m}"
        )
    return out


def _count(name: str) -> sa.Column[int]:
    return sa.Column(name, sa.Integer(), server_default="0", nullable=False)


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    op.create_table(
        "report_rollup",
        sa.Column("unit_key", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        *(_count(c) for c, _ in _day_values("x")),
        sa.PrimaryKeyConstraint("unit_key", "day", name=op.f("pk_report_rollup")),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "report_rollup_categories",
        sa.Column("unit_key", sa.Integer(), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("category", sa.String(length=32), nullable=False),
        _count("n"),
        sa.PrimaryKeyConstraint(
            "unit_key", "month", "category", name=op.f("pk_report_rollup_categories")
        ),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "report_rollup_days",
        sa.Column("unit_key", sa.Integer(), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("measure", sa.String(length=16), nullable=False),
        sa.Column("days", sa.Integer(), nullable=False),
        _count("n"),
        sa.PrimaryKeyConstraint(
            "unit_key", "month", "measure", "days", name=op.f("pk_report_rollup_days")
        ),
        sqlite_with_rowid=False,
    )
    op.create_index("ix_reports_stage_due", "reports", list(STAGE_DUE_COLUMNS), unique=False)
    for statement in backfill_statements(dialect):
        op.execute(statement)
    _create_triggers(dialect)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS report_rollup_write ON reports")
        op.execute("DROP FUNCTION IF EXISTS report_rollup_apply()")
    else:
        for name in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER IF EXISTS report_rollup_{name}")
    op.drop_index("ix_reports_stage_due", table_name="reports")
    op.drop_table("report_rollup_days")
    op.drop_table("report_rollup_categories")
    op.drop_table("report_rollup")
