"""outbox_notify: on PostgreSQL, a committed outbox row wakes the elected sender at once

Several ``aduan run`` processes share one PostgreSQL database and one of them is the sender
(bot/leader.py). A statement-level trigger on ``outbox`` sends ``NOTIFY aduan_outbox`` after
each insert; PostgreSQL delivers it only when the transaction commits (and once per
transaction, as identical notifications in one transaction fold into one), so the sender,
which listens (bot/wakeups.py), wakes as soon as another process's reply is committed instead
of at its next poll. SQLite is one process: nothing to do there.

Revision ID: 0011
Revises: 0009
Create Date: 2026-11-29 03:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: The channel the sender listens on (bot.wakeups.OUTBOX_CHANNEL says the same).
CHANNEL = "aduan_outbox"


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        f"""
        CREATE OR REPLACE FUNCTION aduan_outbox_notify() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM pg_notify('{CHANNEL}', '');
            RETURN NULL;
        END
        $$
        """
    )
    op.execute(
        """
        CREATE TRIGGER outbox_notify_sender
        AFTER INSERT ON outbox
        FOR EACH STATEMENT EXECUTE FUNCTION aduan_outbox_notify()
        """
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP TRIGGER IF EXISTS outbox_notify_sender ON outbox")
    op.execute("DROP FUNCTION IF EXISTS aduan_outbox_notify()")
