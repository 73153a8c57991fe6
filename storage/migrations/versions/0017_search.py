"""search: full-text indexes over reports and their timeline's notes; saved console views

SQLite: two external-content FTS5 tables (``report_search`` over reports' description and
address, ``report_event_search`` over events' notes) kept up to date by triggers, filled from
the rows already there. PostgreSQL: GIN indexes over ``to_tsvector('simple', …)`` of the same
columns (expression indexes: no column to keep up to date). Which event kinds are searched is
decided when searching (core.timeline.SEARCHABLE_KINDS), so every note is indexed.

Revision ID: 0017
Revises: 0013
Create Date: 2026-12-07 16:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_VIEWS = "console_views"
_TOKENIZE = "unicode61 remove_diacritics 2"

_SQLITE_UP = (
    f"""CREATE VIRTUAL TABLE report_search USING fts5(description, address_detail,
        content='reports', content_rowid='id', tokenize='{_TOKENIZE}')""",
    """CREATE TRIGGER report_search_insert AFTER INSERT ON reports BEGIN
        INSERT INTO report_search(rowid, description, address_detail)
        VALUES (new.id, new.description, new.address_detail); END""",
    """CREATE TRIGGER report_search_delete AFTER DELETE ON reports BEGIN
        INSERT INTO report_search(report_search, rowid, description, address_detail)
        VALUES ('delete', old.id, old.description, old.address_detail); END""",
    """CREATE TRIGGER report_search_update AFTER UPDATE OF description, address_detail
        ON reports BEGIN
        INSERT INTO report_search(report_search, rowid, description, address_detail)
        VALUES ('delete', old.id, old.description, old.address_detail);
        INSERT INTO report_search(rowid, description, address_detail)
        VALUES (new.id, new.description, new.address_detail); END""",
    "INSERT INTO report_search(report_search) VALUES ('rebuild')",
    f"""CREATE VIRTUAL TABLE report_event_search USING fts5(note,
        content='report_events', content_rowid='id', tokenize='{_TOKENIZE}')""",
    """CREATE TRIGGER report_event_search_insert AFTER INSERT ON report_events BEGIN
        INSERT INTO report_event_search(rowid, note) VALUES (new.id, new.note); END""",
    """CREATE TRIGGER report_event_search_delete AFTER DELETE ON report_events BEGIN
        INSERT INTO report_event_search(report_event_search, rowid, note)
        VALUES ('delete', old.id, old.note); END""",
    """CREATE TRIGGER report_event_search_update AFTER UPDATE OF note ON report_events BEGIN
        INSERT INTO report_event_search(report_event_search, rowid, note)
        VALUES ('delete', old.id, old.note);
        INSERT INTO report_event_search(rowid, note) VALUES (new.id, new.note); END""",
    "INSERT INTO report_event_search(report_event_search) VALUES ('rebuild')",
)
_SQLITE_DOWN = (
    "DROP TRIGGER IF EXISTS report_search_insert",
    "DROP TRIGGER IF EXISTS report_search_delete",
    "DROP TRIGGER IF EXISTS report_search_update",
    "DROP TABLE IF EXISTS report_search",
    "DROP TRIGGER IF EXISTS report_event_search_insert",
    "DROP TRIGGER IF EXISTS report_event_search_delete",
    "DROP TRIGGER IF EXISTS report_event_search_update",
    "DROP TABLE IF EXISTS report_event_search",
)
_POSTGRES_UP = (
    """CREATE INDEX ix_reports_search ON reports USING gin
        (to_tsvector('simple', description || ' ' || address_detail))""",
    """CREATE INDEX ix_report_events_search ON report_events USING gin
        (to_tsvector('simple', note))""",
)
_POSTGRES_DOWN = (
    "DROP INDEX IF EXISTS ix_reports_search",
    "DROP INDEX IF EXISTS ix_report_events_search",
)


def upgrade() -> None:
    statements = _SQLITE_UP if op.get_bind().dialect.name == "sqlite" else _POSTGRES_UP
    for statement in statements:
        op.execute(statement)
    op.create_table(
        _VIEWS,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("person", sa.String(length=270), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("query", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["units.id"], name=op.f(f"fk_{_VIEWS}_unit_id_units"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{_VIEWS}")),
    )
    with op.batch_alter_table(_VIEWS, schema=None) as batch_op:
        batch_op.create_index("ix_console_views_person", ["unit_id", "person", "name"], unique=True)


def downgrade() -> None:
    op.drop_table(_VIEWS)
    statements = _SQLITE_DOWN if op.get_bind().dialect.name == "sqlite" else _POSTGRES_DOWN
    for statement in statements:
        op.execute(statement)
