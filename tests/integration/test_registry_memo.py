"""A transaction reads the unit registry once (``storage.repositories.registry_memo``): the
coordinator, a unit's chats and the units with a group are answered again from memory, and
read afresh as soon as the transaction changed a unit or a chat, and in the next transaction."""

from __future__ import annotations

import gc
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import event, update

from core.regions import RegionDirectory
from storage.models import UnitChat
from storage.unit_registry import seed_units
from tests.integration import database

NOW = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[database.Database]:
    db = database.Database(database_url)
    await db.start()
    async with db.uow() as uow:
        await seed_units(uow, RegionDirectory("64.08"), NOW)
        await uow.commit()
    yield db
    await db.engine.dispose()


@contextmanager
def unit_chat_reads(db: database.Database) -> Iterator[list[str]]:
    """The SELECTs on ``unit_chats`` or the coordinator sent to the database meanwhile."""
    seen: list[str] = []

    def on_statement(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        selects = statement.lstrip().upper().startswith("SELECT")
        if selects and ("unit_chats" in statement or "units.kind = " in statement):
            seen.append(statement)

    event.listen(db.engine.sync_engine, "before_cursor_execute", on_statement)
    try:
        yield seen
    finally:
        event.remove(db.engine.sync_engine, "before_cursor_execute", on_statement)


async def test_registry_reads_are_answered_once_per_transaction(db: database.Database) -> None:
    async with db.uow() as uow:
        coordinator = await uow.units.coordinator()
        assert coordinator is not None
        await uow.units.bind(
            coordinator.id, channel="telegram", chat_id="-1", title="K", by="1", now=NOW
        )
        await uow.commit()
    async with db.uow() as uow:
        with unit_chat_reads(db) as reads:
            for _ in range(3):
                assert (await uow.units.coordinator()).id == coordinator.id  # type: ignore[union-attr]
                assert [c.chat_id for c in await uow.units.chats_of(coordinator.id)] == ["-1"]
                assert await uow.units.unit_ids_with_chats() == {coordinator.id}
        assert len(reads) == 3  # one each
        assert uow.units.memo.hits == 6
        # A caller's list is its own.
        (await uow.units.chats_of(coordinator.id)).clear()
        assert len(await uow.units.chats_of(coordinator.id)) == 1


async def test_a_change_in_the_transaction_is_read_afresh(db: database.Database) -> None:
    async with db.uow() as uow:
        coordinator = await uow.units.coordinator()
        assert coordinator is not None
        assert await uow.units.chats_of(coordinator.id) == []
        assert await uow.units.unit_ids_with_chats() == set()
        # A binding (added and flushed here) is seen at once.
        row = await uow.units.bind(
            coordinator.id, channel="telegram", chat_id="-1", title="K", by="1", now=NOW
        )
        assert [c.chat_id for c in await uow.units.chats_of(coordinator.id)] == ["-1"]
        assert await uow.units.unit_ids_with_chats() == {coordinator.id}
        # An unbinding not flushed yet (a changed row) is seen at once too.
        uow.units.unbind(row, reason="test", now=NOW)
        assert await uow.units.chats_of(coordinator.id) == []
        await uow.commit()
    async with db.uow() as uow:
        assert await uow.units.chats_of(coordinator.id) == []
        # A bulk UPDATE of the chats' table forgets the memo as well.
        await uow.session.execute(update(UnitChat).values(active=True))
        assert [c.chat_id for c in await uow.units.chats_of(coordinator.id)] == ["-1"]
        await uow.commit()


async def test_the_next_transaction_reads_afresh(db: database.Database) -> None:
    async with db.uow() as uow:
        coordinator = await uow.units.coordinator()
        assert coordinator is not None
        assert await uow.units.chats_of(coordinator.id) == []
        # Another transaction binds a group meanwhile; this one commits, then looks again.
        async with db.uow() as other:
            await other.units.bind(
                coordinator.id, channel="telegram", chat_id="-1", title="K", by="1", now=NOW
            )
            await other.commit()
        await uow.commit()
        assert [c.chat_id for c in await uow.units.chats_of(coordinator.id)] == ["-1"]


async def test_a_unit_or_citizen_read_again_costs_no_statement(db: database.Database) -> None:
    report_id = await db.add_report(NOW)
    async with db.uow() as uow:
        report = await uow.reports.get(report_id)
        coordinator = await uow.units.coordinator()
        assert report is not None
        assert coordinator is not None
        citizen_id, unit_id = report.citizen_id, coordinator.id
    seen: list[str] = []

    def on_statement(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        seen.append(statement)

    event.listen(db.engine.sync_engine, "before_cursor_execute", on_statement)
    try:
        async with db.uow() as uow:
            for _ in range(3):
                # Nothing here keeps the rows between the reads (the identity map is weak).
                assert (await uow.citizens.by_id(citizen_id)) is not None
                assert (await uow.units.get(unit_id)) is not None
                gc.collect()
    finally:
        event.remove(db.engine.sync_engine, "before_cursor_execute", on_statement)
    assert len([s for s in seen if "FROM citizens" in s]) == 1
    assert len([s for s in seen if "FROM units" in s]) == 1


async def test_the_memo_outlives_a_savepoint_but_not_its_rollback(db: database.Database) -> None:
    """A batch of the console's requests (``runtime.console_batches``) takes each in a
    savepoint of one transaction: the registry read by one is answered from memory to the next;
    a savepoint rolled back forgets it (it may have changed the registry)."""
    async with db.uow() as uow:
        coordinator = await uow.units.coordinator()
        assert coordinator is not None
        with unit_chat_reads(db) as reads:
            for _ in range(2):
                async with uow.session.begin_nested():
                    assert await uow.units.chats_of(coordinator.id) == []
                    assert (await uow.units.coordinator()) is coordinator
        assert len(reads) == 1  # the chats, once (the coordinator was read before)
        savepoint = await uow.session.begin_nested()
        await uow.units.bind(
            coordinator.id, channel="telegram", chat_id="-1", title="K", by="1", now=NOW
        )
        assert [c.chat_id for c in await uow.units.chats_of(coordinator.id)] == ["-1"]
        await savepoint.rollback()
        with unit_chat_reads(db) as reads:
            assert await uow.units.chats_of(coordinator.id) == []
        assert len(reads) == 1
        await uow.commit()
