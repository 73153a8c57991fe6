"""referral: outside bodies (bukan kewenangan), the report's body, dirujuk in the roll-up

Revision ID: 0019
Revises: 0017
Create Date: 2026-12-07 17:00:00

A table of the bodies outside the kabupaten a report may be referred to, seeded with the usual
ones (contacts only where they are the bodies' public national numbers; the rest the coordinator
fills in); ``reports.referral_body_id``; the roll-up's ``status_dirujuk`` column, and its
triggers written again with the new status (the SQL is written out here, as in 0010, so the
revision stays what it was when it ran). No existing report is referred: nothing to backfill.
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BODIES = "referral_bodies"
TYPES = ("pengaduan", "aspirasi", "permintaan_informasi")
OLD_STATUSES = ("baru", "didisposisi", "diproses", "menunggu_pelapor", "selesai", "diarsipkan")
MEASURES = ("verify_days", "follow_up_days", "finish_days")
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
#: (name, what it handles, address, phone, web, its own complaint channel).
SEED = (
    (
        "PLN UP3 (Unit Pelaksana Pelayanan Pelanggan)",
        "Listrik: padam, sambungan baru, meteran, tagihan",
        "",
        "123 (Contact Center PLN)",
        "https://www.pln.co.id",
        "Aplikasi PLN Mobile",
    ),
    (
        "Perumda Air Minum (PDAM)",
        "Air bersih: air mati, pipa bocor, tagihan dan meteran air",
        "",
        "",
        "",
        "",
    ),
    (
        "BPJS Kesehatan",
        "JKN-KIS: kepesertaan, iuran, layanan faskes dan rumah sakit",
        "",
        "165 (Care Center BPJS Kesehatan)",
        "https://www.bpjs-kesehatan.go.id",
        "Aplikasi Mobile JKN",
    ),
    (
        "BPJS Ketenagakerjaan",
        "Jaminan hari tua, kecelakaan kerja, kematian, pensiun",
        "",
        "175",
        "https://www.bpjsketenagakerjaan.go.id",
        "Aplikasi JMO",
    ),
    (
        "Balai Pelaksanaan Jalan Nasional (Kementerian PU)",
        "Jalan dan jembatan berstatus nasional",
        "",
        "",
        "https://pu.go.id",
        "",
    ),
    (
        "Dinas PU Provinsi (jalan provinsi)",
        "Jalan dan jembatan berstatus provinsi",
        "",
        "",
        "",
        "",
    ),
    (
        "Polres (Kepolisian Resor)",
        "Tindak pidana, keamanan, ketertiban lalu lintas",
        "",
        "110 (Call Center Polri)",
        "https://www.polri.go.id",
        "",
    ),
    (
        "Kantor Pertanahan (ATR/BPN)",
        "Sertifikat dan sengketa tanah, pengukuran, pendaftaran tanah",
        "",
        "",
        "https://www.atrbpn.go.id",
        "",
    ),
)


def _if(condition: str) -> str:
    return f"CASE WHEN {condition} THEN 1 ELSE 0 END"


def _day_values(r: str, statuses: Sequence[str]) -> list[tuple[str, str]]:
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
        *((f"status_{s}", _if(f"{r}.status = '{s}'")) for s in statuses),
    ]


def _month(r: str, dialect: str) -> str:
    if dialect == "postgresql":
        return f"to_char({r}.created_on, 'YYYY-MM')"
    return f"substr({r}.created_on, 1, 7)"


def _deltas(r: str, sign: str, dialect: str, statuses: Sequence[str]) -> list[str]:
    """The statements that add (``sign`` '+') or take out ('-') report ``r``: make sure each
    roll-up row exists, then change it. A report without a day filed is not counted."""
    insert = "INSERT OR IGNORE INTO" if dialect == "sqlite" else "INSERT INTO"
    ignore = "" if dialect == "sqlite" else " ON CONFLICT DO NOTHING"
    unit = f"COALESCE({r}.unit_id, 0)"
    month = _month(r, dialect)
    filed = f"{r}.created_on IS NOT NULL"
    sets = ", ".join(f"{c} = {c} {sign} ({v})" for c, v in _day_values(r, statuses))
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


def _create_triggers(dialect: str, statuses: Sequence[str]) -> None:
    watched = ", ".join(WATCHED)
    if dialect == "postgresql":
        take = "\n        ".join(_deltas("OLD", "-", dialect, statuses))
        put = "\n        ".join(_deltas("NEW", "+", dialect, statuses))
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
        + "\n".join(_deltas("NEW", "+", dialect, statuses))
        + "\nEND;"
    )
    op.execute(
        "CREATE TRIGGER report_rollup_delete AFTER DELETE ON reports"
        " WHEN OLD.created_on IS NOT NULL BEGIN\n"
        + "\n".join(_deltas("OLD", "-", dialect, statuses))
        + "\nEND;"
    )
    op.execute(
        f"CREATE TRIGGER report_rollup_update AFTER UPDATE OF {watched} ON reports BEGIN\n"
        + "\n".join(_deltas("OLD", "-", dialect, statuses) + _deltas("NEW", "+", dialect, statuses))
        + "\nEND;"
    )


def _drop_triggers(dialect: str) -> None:
    if dialect == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS report_rollup_write ON reports")
        op.execute("DROP FUNCTION IF EXISTS report_rollup_apply()")
    else:
        for name in ("insert", "delete", "update"):
            op.execute(f"DROP TRIGGER IF EXISTS report_rollup_{name}")


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    bodies = op.create_table(
        _BODIES,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("handles", sa.String(length=300), server_default="", nullable=False),
        sa.Column("address", sa.String(length=300), server_default="", nullable=False),
        sa.Column("phone", sa.String(length=80), server_default="", nullable=False),
        sa.Column("web", sa.String(length=200), server_default="", nullable=False),
        sa.Column("channel", sa.String(length=300), server_default="", nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{_BODIES}")),
    )
    now = datetime.now(UTC)
    keys = ("name", "handles", "address", "phone", "web", "channel")
    op.bulk_insert(
        bodies,
        [{**dict(zip(keys, row, strict=True)), "active": True, "created_at": now} for row in SEED],
    )
    # A plain column: ALTER TABLE ADD COLUMN keeps the table (and its triggers) on SQLite.
    op.add_column("reports", sa.Column("referral_body_id", sa.Integer(), nullable=True))
    op.add_column(
        "report_rollup",
        sa.Column("status_dirujuk", sa.Integer(), server_default="0", nullable=False),
    )
    _drop_triggers(dialect)
    _create_triggers(dialect, (*OLD_STATUSES, "dirujuk"))


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    _drop_triggers(dialect)
    # In place, before the old triggers are written again: a batch copy of the table would be
    # renamed under triggers that name it, which SQLite refuses.
    op.drop_column("report_rollup", "status_dirujuk")
    _create_triggers(dialect, OLD_STATUSES)
    op.drop_column("reports", "referral_body_id")
    op.drop_table(_BODIES)
