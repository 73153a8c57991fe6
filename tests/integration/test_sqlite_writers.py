"""SQLite: the bot's own write transactions take turns in the process, instead of meeting at
SQLite's lock (issue 13).

SQLite has one writer at a time. A transaction that found the lock taken used to wait in SQLite's
busy handler, which sleeps and looks again (1, 2, 5 ... up to 100 ms a time): with several chats
handled side by side, most of a step's time went to those sleeps (bench/README.md, "one writer
at a time"). Now a write transaction waits for the one before it on an asyncio lock and starts
the moment it commits. These tests set SQLite's own wait to zero, so a writer that met the lock
would fail at once with "database is locked".
"""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine

from storage import db as storage_db
from storage.db import create_engine


def _engine(path: Path) -> AsyncEngine:
    engine = create_engine(f"sqlite+aiosqlite:///{path}")

    def no_busy_wait(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA busy_timeout=0")
        cursor.close()

    event.listen(engine.sync_engine, "connect", no_busy_wait)
    return engine


async def _table(engine: AsyncEngine) -> None:
    async with engine.begin() as connection:
        await connection.execute(text("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)"))


async def test_a_second_writer_waits_its_turn_instead_of_meeting_the_lock(tmp_path: Path) -> None:
    engine = _engine(tmp_path / "a.db")
    await _table(engine)
    first_wrote, first_may_commit = asyncio.Event(), asyncio.Event()
    order: list[str] = []

    async def first() -> None:
        async with engine.connect() as connection:
            await connection.execute(text("INSERT INTO notes (body) VALUES ('first')"))
            first_wrote.set()
            await first_may_commit.wait()  # the transaction stays open across an await
            await connection.commit()
            order.append("first committed")

    async def second() -> None:
        await first_wrote.wait()
        async with engine.connect() as connection:
            # A reader is not held up by the open write transaction (WAL).
            count = (await connection.execute(text("SELECT count(*) FROM notes"))).scalar_one()
            assert count == 0
            await connection.rollback()
            # The first commits a moment after this writer asked for its turn.
            asyncio.get_running_loop().call_later(0.3, first_may_commit.set)
            await connection.execute(text("INSERT INTO notes (body) VALUES ('second')"))
            await connection.commit()
            order.append("second committed")

    try:
        await asyncio.gather(first(), second())
        async with engine.connect() as connection:
            rows = (await connection.execute(text("SELECT body FROM notes ORDER BY id"))).all()
    finally:
        await engine.dispose()
    assert order == ["first committed", "second committed"]
    assert [body for (body,) in rows] == ["first", "second"]


async def test_many_writers_side_by_side_all_commit(tmp_path: Path) -> None:
    engine = _engine(tmp_path / "a.db")
    await _table(engine)

    async def write(n: int) -> None:
        async with engine.connect() as connection:
            await connection.execute(text("INSERT INTO notes (body) VALUES (:b)"), {"b": f"{n}"})
            await asyncio.sleep(0)  # another writer's turn meanwhile
            await connection.execute(
                text("UPDATE notes SET body = body || '!' WHERE body = :b"), {"b": f"{n}"}
            )
            if n % 3 == 0:
                await connection.rollback()  # a rolled-back writer frees the turn too
            else:
                await connection.commit()

    try:
        await asyncio.gather(*(write(n) for n in range(30)))
        async with engine.connect() as connection:
            count = (await connection.execute(text("SELECT count(*) FROM notes"))).scalar_one()
    finally:
        await engine.dispose()
    assert count == 20


async def test_a_writer_that_waits_too_long_is_told_the_database_is_locked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(storage_db, "SQLITE_BUSY_SECONDS", 0.2)
    engine = _engine(tmp_path / "a.db")
    await _table(engine)
    try:
        async with engine.connect() as holder:
            await holder.execute(text("INSERT INTO notes (body) VALUES ('held')"))
            async with engine.connect() as late:
                with pytest.raises(OperationalError, match="database is locked"):
                    await late.execute(text("INSERT INTO notes (body) VALUES ('late')"))
            await holder.commit()
        async with engine.connect() as after:  # the turn is free again
            await after.execute(text("INSERT INTO notes (body) VALUES ('after')"))
            await after.commit()
    finally:
        await engine.dispose()
