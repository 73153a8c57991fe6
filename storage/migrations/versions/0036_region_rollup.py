"""region rollup: the public area pages' counts per desa and month filed, kept by triggers

Revision ID: 0036
Revises: 0033
Create Date: 2026-12-07 23:00:00

The public page's areas (``/publik/wilayah``, docs/public.md) show per kecamatan and desa the
figures the console shows per unit. Two tables, as the unit roll-up of 0010 but keyed by the
area filed (``region_code``, "" for none) and month filed: ``report_region_rollup`` (the
indicators' sums) and ``report_region_rollup_days`` (the medians' day histograms). Triggers on
``reports`` take a row's old values out and put its new ones in on every INSERT, DELETE and
UPDATE of a counted column. The SQL is written out here (not imported) so the revision stays
what it was when it ran.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0036"
down_revision: str | None = "0033"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MEASURES = ("verify_days", "follow_up_days", "finish_days")
WATCHED = (
    "region_code",
    "created_on",
    "verify_on_time",
    "follow_up_on_time",
    "finish_on_time",
    "reopened",
    "rating",
    *MEASURES,
)


def _if(condition: str) -> str:
    return f"CASE WHEN {condition} THEN 1 ELSE 0 END"


def _values(r: str) -> list[tuple[str, str]]:
    """(column, what one report ``r`` adds to it); ``r`` is NEW, OLD or ``reports``."""
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
    ]


def _month(r: str, dialect: str) -> str:
    if dialect == "postgresql":
        return f"to_char({r}.created_on, 'YYYY-MM')"
    return f"substr({r}.created_on, 1, 7)"


def _deltas(r: str, sign: str, dialect: str) -> list[str]:
    insert = "INSERT OR IGNORE INTO" if dialect == "sqlite" else "INSERT INTO"
    ignore = "" if dialect == "sqlite" else " ON CONFLICT DO NOTHING"
    area = f"COALESCE({r}.region_code, '')"
    month = _month(r, dialect)
    filed = f"{r}.created_on IS NOT NULL"
    sets = ", ".join(f"{c} = {c} {sign} ({v})" for c, v in _values(r))
    out = [
        f"{insert} report_region_rollup (region_code, month) SELECT {area}, {month}"
        f" WHERE {filed}{ignore};",
        f"UPDATE report_region_rollup SET {sets} WHERE region_code = {area} AND month = {month};",
    ]
    for m in MEASURES:
        out += [
            f"{insert} report_region_rollup_days (region_code, month, measure, days)"
            f" SELECT {area}, {month}, '{m}', {r}.{m}"
            f" WHERE {filed} AND {r}.{m} IS NOT NULL{ignore};",
            f"UPDATE report_region_rollup_days SET n = n {sign} 1 WHERE region_code = {area}"
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
CREATE FUNCTION report_region_rollup_apply() RETURNS trigger AS $$
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
            "CREATE TRIGGER report_region_rollup_write AFTER INSERT OR DELETE OR UPDATE OF"
            f" {watched} ON reports FOR EACH ROW EXECUTE PROCEDURE report_region_rollup_apply();"
        )
        return
    op.execute(
        "CREATE TRIGGER report_region_rollup_insert AFTER INSERT ON reports"
        " WHEN NEW.created_on IS NOT NULL BEGIN\n"
        + "\n".join(_deltas("NEW", "+", dialect))
        + "\nEND;"
    )
    op.execute(
        "CREATE TRIGGER report_region_rollup_delete AFTER DELETE ON reports"
        " WHEN OLD.created_on IS NOT NULL BEGIN\n"
        + "\n".join(_deltas("OLD", "-", dialect))
        + "\nEND;"
    )
    op.execute(
        f"CREATE TRIGGER report_region_rollup_update AFTER UPDATE OF {watched} ON reports BEGIN\n"
        + "\n".join(_deltas("OLD", "-", dialect) + _deltas("NEW", "+", dialect))
        + "\nEND;"
    )


def _backfill(dialect: str) -> list[str]:
    values = _values("reports")
    names = ", ".join(c for c, _ in values)
    sums = ", ".join(f"SUM({v})" for _, v in values)
    month = _month("reports", dialect)
    area = "COALESCE(region_code, '')"
    out = [
        f"INSERT INTO report_region_rollup (region_code, month, {names})"
        f" SELECT {area}, {month}, {sums} FROM reports"
        f" WHERE created_on IS NOT NULL GROUP BY {area}, {month}"
    ]
    for m in MEASURES:
        out.append(
            "INSERT INTO report_region_rollup_days (region_code, month, measure, days, n)"
            f" SELECT {area}, {month}, '{m}', {m}, COUNT(*) FROM reports"
            f" WHERE created_on IS NOT NULL AND {m} IS NOT NULL GROUP BY {area}, {month}, {m}"
        )
    return out


def _count(name: str) -> sa.Column[int]:
    return sa.Column(name, sa.Integer(), server_default="0", nullable=False)


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    op.create_table(
        "report_region_rollup",
        sa.Column("region_code", sa.String(length=32), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        *(_count(c) for c, _ in _values("x")),
        sa.PrimaryKeyConstraint("region_code", "month", name=op.f("pk_report_region_rollup")),
        sqlite_with_rowid=False,
    )
    op.create_table(
        "report_region_rollup_days",
        sa.Column("region_code", sa.String(length=32), nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("measure", sa.String(length=16), nullable=False),
        sa.Column("days", sa.Integer(), nullable=False),
        _count("n"),
        sa.PrimaryKeyConstraint(
            "region_code", "month", "measure", "days", name=op.f("pk_report_region_rollup_days")
        ),
        sqlite_with_rowid=False,
    )
    for statement in _backfill(dialect):
        op.execute(statement)
    _create_triggers(dialect)


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS report_region_rollup_write ON reports")
        op.execute("DROP FUNCTION IF EXISTS report_region_rollup_apply()")
    else:
        for name in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER IF EXISTS report_region_rollup_{name}")
    op.drop_table("report_region_rollup_days")
    op.drop_table("report_region_rollup")
