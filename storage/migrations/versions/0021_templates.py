"""templates: ready answers (templat jawaban) of a unit or the whole kabupaten, with a few seeded
examples for every category and the common ones (kabupaten-wide: unit_id NULL)

Revision ID: 0021
Revises: 0017
Create Date: 2026-12-07 16:40:00
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TABLE = "answer_templates"

#: (category, title, words): the seed, kabupaten-wide, editable and removable by the coordinator.
SEED: tuple[tuple[str, str, str], ...] = (
    (
        "",
        "Sudah diterima",
        "Terima kasih, laporan {nomor} sudah kami terima dan sedang kami periksa. "
        "Kami akan mengabari Anda paling lambat {tenggat}.",
    ),
    (
        "",
        "Minta lokasi tepat",
        "Mohon bantuan Anda: di mana tepatnya lokasi di {desa}? Sebutkan patokan terdekat "
        "(nama jalan, RT, bangunan) atau kirim lokasi dari peta.",
    ),
    (
        "",
        "Minta foto",
        "Boleh kami minta foto terbaru dari lokasi yang Anda laporkan? Foto membantu petugas "
        "kami menemukan dan menilai masalahnya.",
    ),
    (
        "",
        "Selesai ditangani",
        "Laporan {nomor} sudah selesai kami tangani. Terima kasih atas laporan Anda. "
        "Jika masalahnya muncul lagi, silakan laporkan kembali.",
    ),
    (
        "jalan",
        "Diteruskan ke petugas jalan",
        "Laporan jalan rusak Anda di {desa} sudah kami teruskan ke petugas pemeliharaan jalan. "
        "Tim akan meninjau lokasi paling lambat {tenggat}.",
    ),
    (
        "jalan",
        "Perbaikan selesai",
        "Perbaikan jalan yang Anda laporkan ({nomor}) sudah selesai dikerjakan. "
        "Terima kasih sudah membantu kami menjaga jalan tetap aman.",
    ),
    (
        "sampah",
        "Diteruskan ke kebersihan",
        "Laporan sampah Anda di {desa} sudah kami teruskan ke petugas kebersihan. "
        "Pengangkutan dijadwalkan paling lambat {tenggat}.",
    ),
    (
        "sampah",
        "Sampah sudah diangkut",
        "Sampah di lokasi yang Anda laporkan sudah diangkut petugas kebersihan. "
        "Terima kasih atas kepedulian Anda.",
    ),
    (
        "air",
        "Diteruskan ke PDAM",
        "Laporan {kategori} Anda sudah kami teruskan ke petugas air minum. "
        "Mohon sebutkan sejak kapan air tidak mengalir, jika belum.",
    ),
    (
        "listrik",
        "Lampu jalan diperiksa",
        "Laporan lampu jalan Anda di {desa} sudah kami catat. "
        "Petugas akan memeriksa lampunya paling lambat {tenggat}.",
    ),
    (
        "banjir",
        "Banjir dipantau",
        "Laporan banjir Anda di {desa} sudah kami teruskan ke tim lapangan. "
        "Jika ada orang dalam bahaya, segera hubungi 112.",
    ),
)


def upgrade() -> None:
    table = op.create_table(
        _TABLE,
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=True),
        sa.Column("category", sa.String(length=20), nullable=False),
        sa.Column("title", sa.String(length=80), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["unit_id"], ["units.id"], name=op.f(f"fk_{_TABLE}_unit_id_units"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{_TABLE}")),
    )
    with op.batch_alter_table(_TABLE, schema=None) as batch_op:
        batch_op.create_index("ix_answer_templates_unit", ["unit_id", "category"], unique=False)
    seeded = datetime(2026, 12, 7, tzinfo=UTC)
    op.bulk_insert(
        table,
        [
            {
                "unit_id": None,
                "category": category,
                "title": title,
                "body": body,
                "created_by": "",
                "created_at": seeded,
            }
            for category, title, body in SEED
        ],
    )


def downgrade() -> None:
    op.drop_table(_TABLE)
