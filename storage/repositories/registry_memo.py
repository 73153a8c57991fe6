"""What one transaction has read of the unit registry (units and their group chats), kept for the
rest of it.

A step that tells a report's groups reads the same things again for every notice: the
coordinator, which units have a group, a unit's chats (a console transfer read them about ten
times). The registry changes rarely, and never behind a transaction's back in a way it could
see before its commit on SQLite; on PostgreSQL (read committed) a second read could see a
binding committed meanwhile, which the first read in the same step did not: keeping the first
answer makes the step's notices agree with each other.

The memo is forgotten whenever the session may see the registry differently: a unit or chat
row added, changed or deleted in it (pending, or flushed), a bulk UPDATE/DELETE/INSERT on their
tables, at every rollback (a savepoint's too), and when the transaction ends (the next
transaction reads afresh); a savepoint's release keeps it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from sqlalchemy import event, inspect
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import ORMExecuteState, Session, SessionTransaction

from storage.models import Unit, UnitChat

T = TypeVar("T")

_REGISTRY = (Unit, UnitChat)


def usable(row: object) -> bool:
    """Whether a row held in a unit of work may be answered as the session's identity map would:
    still the session's, not deleted and fully loaded (an expired attribute would need a lazy
    load, which an async session cannot do)."""
    state = inspect(row)
    return bool(state.persistent and not state.expired_attributes)


class RegistryMemo:
    """Answers of registry reads in ``session``'s current transaction, by key."""

    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        self._answers: dict[tuple[Any, ...], Any] = {}
        #: Reads answered from the memo (tests).
        self.hits = 0
        sync = session.sync_session
        event.listen(sync, "after_flush", self._after_flush)
        event.listen(sync, "do_orm_execute", self._on_execute)
        # A savepoint's release fires ``after_commit`` too: the memo is kept through it (a
        # batch of requests, each in a savepoint: ``runtime.console_batches``) and forgotten
        # when the transaction itself ends, or anything is rolled back.
        event.listen(sync, "after_transaction_end", self._on_end)
        for name in ("after_rollback", "after_soft_rollback"):
            event.listen(sync, name, self._forget_all)

    async def read(self, key: tuple[Any, ...], load: Callable[[], Awaitable[T]]) -> T:
        if self._answers and self._changed_here():
            self._answers.clear()
        if key in self._answers:
            self.hits += 1
            answer: T = self._answers[key]
            return answer
        answer = await load()
        self._answers[key] = answer
        return answer

    def forget(self) -> None:
        self._answers.clear()

    def _changed_here(self) -> bool:
        session = self._session
        return any(
            isinstance(row, _REGISTRY)
            for rows in (session.new, session.dirty, session.deleted)
            for row in rows
        )

    def _on_end(self, _session: Session, transaction: SessionTransaction) -> None:
        if transaction.parent is None:
            self._answers.clear()

    def _forget_all(self, *_: Any) -> None:
        self._answers.clear()

    def _after_flush(self, session: Session, _context: Any) -> None:
        # The flushed rows are still listed as new/dirty/deleted here.
        if any(
            isinstance(row, _REGISTRY)
            for rows in (session.new, session.dirty, session.deleted)
            for row in rows
        ):
            self._answers.clear()

    def _on_execute(self, state: ORMExecuteState) -> None:
        if state.is_select:
            return
        if any(mapper.class_ in _REGISTRY for mapper in state.all_mappers):
            self._answers.clear()
