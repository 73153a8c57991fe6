"""Enum-typed columns (storage.models.enums.StoredEnum) store the enum's value as a plain string
and read it back as the member, on each engine; what is no member passes through as stored."""

from __future__ import annotations

from sqlalchemy import Column, Integer, MetaData, String, Table, insert, select

from core.lifecycle import ReportStatus
from core.timeline import EventKind
from storage.db import create_engine
from storage.models import Report, ReportEvent
from storage.models.enums import StoredEnum

_META = MetaData()
_ROWS = Table(
    "stored_enum_rows",
    _META,
    Column("id", Integer, primary_key=True),
    Column("status", StoredEnum(ReportStatus, 24)),
)
#: The same table seen as plain strings: what the database holds.
_RAW = Table(
    "stored_enum_rows",
    MetaData(),
    Column("id", Integer, primary_key=True),
    Column("status", String(24)),
)


async def test_a_member_is_stored_as_its_value_and_read_as_the_member(database_url: str) -> None:
    engine = create_engine(database_url)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(_META.create_all)
            await connection.execute(
                insert(_ROWS),
                [
                    {"id": 1, "status": ReportStatus.DIPROSES},
                    {"id": 2, "status": "selesai"},
                    {"id": 3, "status": None},
                ],
            )
            await connection.execute(insert(_RAW).values(id=4, status="not_a_status"))
            raw = dict((await connection.execute(select(_RAW.c.id, _RAW.c.status))).all())
            typed = dict((await connection.execute(select(_ROWS.c.id, _ROWS.c.status))).all())
            found = await connection.scalars(
                select(_ROWS.c.id).where(_ROWS.c.status.in_([ReportStatus.SELESAI, "diproses"]))
            )
            found_ids = sorted(found)
    finally:
        await engine.dispose()
    assert raw == {1: "diproses", 2: "selesai", 3: None, 4: "not_a_status"}
    assert typed == raw
    assert type(typed[1]) is ReportStatus
    assert type(typed[2]) is ReportStatus
    assert type(typed[4]) is str
    assert found_ids == [1, 2]


def test_the_lifecycle_columns_are_typed_by_their_enums() -> None:
    columns = {
        Report.status: ReportStatus,
        Report.paused_status: ReportStatus,
        ReportEvent.status_from: ReportStatus,
        ReportEvent.status_to: ReportStatus,
        ReportEvent.kind: EventKind,
    }
    for column, enum in columns.items():
        assert column.type.python_type is enum, column
