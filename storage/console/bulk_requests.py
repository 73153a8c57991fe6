"""A bulk action's requests, read once per transaction (issue 27: 500 reports within 5 s).

The bot takes a bulk action's requests in batches (``runtime.console_batches``), many in one
transaction. The first request of a bulk taken in a transaction reads every request of that
bulk still waiting, in one query, and holds them for the transaction: the next requests come
from the session's identity map without a statement of their own, and whether a request is the
bulk's last one waiting (its group's summary is then due) is known without asking again.

In a batch on SQLite, the reports of the next :data:`READ_AHEAD` waiting requests (from this
one on, as the batch takes them) are read with them in one more query, their reporters and
their cards' links (``storage.read_ahead``) in two others, and held too, so each request's
report, reporter and cards' links come without a statement of their own as well.

Only what the transaction itself read counts: a request held here whose outcome was undone (its
savepoint rolled back, its attributes expired) still waits. Requests taken one at a time (a
single form, the fallback of a batch) read their bulk's waiting ones the same way.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, inspect, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.purposes import Purpose
from storage.db import began_as_writer
from storage.models import Citizen, ConsoleRequest, MessageLink, Report
from storage.read_ahead import hold_cards

_KEY = "aduan_console_bulk_waiting"
#: The requests whose reports are read ahead: a batch's size (``runtime.console_batches``).
READ_AHEAD = 50


@dataclass
class _Memo:
    transaction: object
    #: Per bulk: its requests that waited when the transaction first read it.
    waiting: dict[int, list[ConsoleRequest]] = field(default_factory=dict)
    #: Whether the transaction is a batch of requests (``runtime.console_batches``).
    batch: bool = False
    #: The reports read ahead and their reporters (held strongly: the identity map's
    #: references are weak).
    reports: list[Report] = field(default_factory=list)
    citizens: list[Citizen] = field(default_factory=list)


def _memo(session: AsyncSession) -> _Memo:
    """What the session's current transaction read of the bulks (a new one starts empty)."""
    transaction = session.sync_session.get_transaction()
    memo = session.info.get(_KEY)
    if not isinstance(memo, _Memo) or memo.transaction is not transaction:
        memo = session.info[_KEY] = _Memo(transaction)
    return memo


def mark_batch(session: AsyncSession) -> None:
    """The session's current transaction takes a batch of requests (``runtime.console_batches``;
    begun as SQLite's writer there, its reports are read ahead)."""
    _memo(session).batch = True


def _held(session: AsyncSession) -> dict[int, list[ConsoleRequest]]:
    """The bulks' waiting requests read in the session's current transaction."""
    return _memo(session).waiting


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
        await _read_ahead(session, held[request.batch_id], request)
    return request


async def _read_ahead(
    session: AsyncSession, waiting: list[ConsoleRequest], request: ConsoleRequest
) -> None:
    """The reports of the next waiting requests from ``request`` on, in one query, and their
    reporters and cards' links in two more, held for the transaction beside its requests. Only
    in a batch that began as SQLite's writer (``runtime.console_batches``): what it read then
    is as committed until it ends, so a report read ahead is as current as one read later. Elsewhere
    (PostgreSQL, where a press may commit between two requests; a request taken alone, which
    would read the others' for nothing) each request reads its own."""
    memo = _memo(session)
    if not memo.batch or not await began_as_writer(session):
        return
    ahead = sorted((r for r in waiting if r.id >= request.id), key=lambda r: r.id)[:READ_AHEAD]
    if len(ahead) < 2:
        return
    reports = await session.scalars(
        select(Report).where(Report.id.in_([r.report_id for r in ahead]))
    )
    memo.reports.extend(reports)
    ids = [r.report_id for r in ahead]
    cards = await session.scalars(
        select(MessageLink).where(
            MessageLink.report_id.in_(ids), MessageLink.purpose == Purpose.CARD
        )
    )
    hold_cards(session, ids, cards)
    reporters = {r.citizen_id for r in memo.reports if r.citizen_id is not None}
    if reporters:
        memo.citizens.extend(
            await session.scalars(select(Citizen).where(Citizen.id.in_(reporters)))
        )


def others_waiting(session: AsyncSession, request: ConsoleRequest) -> bool:
    """Whether a request of ``request``'s bulk other than itself still waits (True when this
    transaction did not read the bulk: it is not known to be the last)."""
    if request.batch_id is None:
        return False
    rows = _held(session).get(request.batch_id)
    if rows is None:
        return True
    for row in reversed(rows):  # the latest first: they are the ones likely still waiting
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
