"""A bulk action's requests, read once per transaction (issue 27: 500 reports within 5 s).

The bot takes a bulk action's requests in batches (``runtime.console_batches``), many in one
transaction. The first request of a bulk taken in a transaction reads every request of that
bulk still waiting, in one query, and holds them for the transaction: the next requests come
from the session's identity map without a statement of their own, and whether a request is the
bulk's last one waiting (its group's summary is then due) is known without asking again.

Only what the transaction itself read counts: a request held here whose outcome was undone (its
savepoint rolled back, its attributes expired) still waits. Requests taken one at a time (a
single form, the fallback of a batch) read their bulk's waiting ones the same way.
"""

from __future__ import annotations

from sqlalchemy import func, inspect, select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import ConsoleRequest

_KEY = "aduan_console_bulk_waiting"


def _held(session: AsyncSession) -> dict[int, list[ConsoleRequest]]:
    """The bulks' waiting requests read in the session's current transaction (a new
    transaction starts empty)."""
    transaction = session.sync_session.get_transaction()
    memo = session.info.get(_KEY)
    if memo is None or memo[0] is not transaction:
        memo = session.info[_KEY] = (transaction, {})
    held: dict[int, list[ConsoleRequest]] = memo[1]
    return held


async def request_with_bulk(session: AsyncSession, request_id: int) -> ConsoleRequest | None:
    """The request ``request_id``; the first of its bulk in this transaction reads the bulk's
    other waiting requests too (held: ``session.get`` then finds them without a statement)."""
    request = await session.get(ConsoleRequest, request_id)
    if request is None or request.batch_id is None:
        return request
    held = _held(session)
    if request.batch_id not in held:
        waiting = await session.scalars(
            select(ConsoleRequest).where(
                ConsoleRequest.batch_id == request.batch_id, ConsoleRequest.done_at.is_(None)
            )
        )
        held[request.batch_id] = list(waiting)  # held strongly: the identity map's are weak
    return request


def others_waiting(session: AsyncSession, request: ConsoleRequest) -> bool:
    """Whether a request of ``request``'s bulk other than itself still waits (True when this
    transaction did not read the bulk: it is not known to be the last)."""
    if request.batch_id is None:
        return False
    rows = _held(session).get(request.batch_id)
    if rows is None:
        return True
    for row in rows:
        if row is request:
            continue
        state = inspect(row)
        if state.expired or "done_at" in state.expired_attributes or row.done_at is None:
            return True
    return False


async def transferred_in_bulk(session: AsyncSession, batch_id: int) -> int:
    """How many requests of bulk ``batch_id`` were done (not refused)."""
    found = await session.scalar(
        select(func.count()).where(
            ConsoleRequest.batch_id == batch_id,
            ConsoleRequest.done_at.is_not(None),
            ConsoleRequest.refusal == "",
        )
    )
    return int(found or 0)
