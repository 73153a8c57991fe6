"""Officers' actions asked for in the console, queued for the bot's own worker.

The console does not act on a report itself: the notices an action owes (the card, the citizen's
message, the card moving to another unit) are rendered by the bot's handlers, which the web layer
may not import. So :func:`queue_request` stores the request (``console_requests``) and, in the same
transaction, an inbox row on a channel of its own (:data:`CONSOLE_CHANNEL`) naming it; the bot's
inbox worker takes that row as it takes a button press (in order per report, retried after a
failure, never twice) and writes the outcome back on the request, where the console reads it.
If the bot is not running, the request waits in the inbox until it is.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from core.lifecycle import OFFICER_ACTIONS
from storage.models import ConsoleRequest, InboxUpdate, Report

#: The inbox channel of the console's requests (Telegram's updates have the adapters' channels).
CONSOLE_CHANNEL = "console"
#: The inbox payload's key naming the request.
REQUEST_KEY = "console_request"
#: The actions the console offers (a duplicate's merge is an archive with its original; a
#: referral carries its outside body's number in ``reason``).
CONSOLE_ACTIONS = OFFICER_ACTIONS
#: A request naming the person responsible (``reason``: their user id, or "0" to release them;
#: ``cases.assignment``).
ASSIGN_REQUEST = "as"
RELEASE_ARG = "0"


async def queue_request(session: AsyncSession, request: ConsoleRequest) -> int:
    """Store ``request`` and its inbox row (the caller commits); the request's id."""
    session.add(request)
    await session.flush()
    session.add(
        InboxUpdate(
            channel=CONSOLE_CHANNEL,
            update_id=request.id,
            chat_id=str(request.report_id),  # one report's requests are taken in order
            media_group_id="",
            payload={REQUEST_KEY: request.id},
            received_at=request.created_at,
            attempts=0,
        )
    )
    return request.id


#: Requests written by one multi-row INSERT (14 values each: well under both engines' limits).
QUEUE_CHUNK = 500


def _values(request: ConsoleRequest) -> dict[str, object]:
    """A built request's columns (a column left unset takes the model's default)."""
    values: dict[str, object] = {}
    for column in ConsoleRequest.__table__.columns:
        if column.primary_key:
            continue
        value = getattr(request, column.key)
        default = column.default
        if value is None and default is not None and getattr(default, "is_scalar", False):
            value = getattr(default, "arg", None)
        values[column.key] = value
    return values


async def queue_many(session: AsyncSession, requests: Sequence[ConsoleRequest]) -> None:
    """Store ``requests`` (built, not added to the session, one per report) and their inbox rows
    (the caller commits). The ORM writes such rows one ``INSERT … RETURNING`` at a time on SQLite,
    as it must read each id back in order; here the ids come back beside their report's id, so a
    bulk of 500 costs a statement per table, not 1,000 (issue 27: the bulk's POST)."""
    for start in range(0, len(requests), QUEUE_CHUNK):
        chunk = requests[start : start + QUEUE_CHUNK]
        written = await session.execute(
            insert(ConsoleRequest)
            .values([_values(r) for r in chunk])
            .returning(ConsoleRequest.id, ConsoleRequest.report_id)
        )
        ids = {report_id: request_id for request_id, report_id in written}
        if len(ids) != len(chunk):
            raise ValueError("queue_many: one request per report")
        await session.execute(
            insert(InboxUpdate),
            [
                {
                    "channel": CONSOLE_CHANNEL,
                    "update_id": ids[r.report_id],
                    "chat_id": str(r.report_id),  # one report's requests are taken in order
                    "media_group_id": "",
                    "payload": {REQUEST_KEY: ids[r.report_id]},
                    "received_at": r.created_at,
                    "attempts": 0,
                }
                for r in chunk
            ],
        )


async def request_of(
    session: AsyncSession, request_id: int, report_id: int
) -> ConsoleRequest | None:
    """The request ``request_id`` if it is about report ``report_id``."""
    return await session.scalar(
        select(ConsoleRequest).where(
            ConsoleRequest.id == request_id, ConsoleRequest.report_id == report_id
        )
    )


async def still_queued(session: AsyncSession, request_id: int) -> bool:
    """Whether the request's inbox row still waits for the bot. A request not done whose row is
    not waiting failed: the inbox gave up on it after its tries."""
    found = await session.scalar(
        select(InboxUpdate.id).where(
            InboxUpdate.channel == CONSOLE_CHANNEL,
            InboxUpdate.update_id == request_id,
            InboxUpdate.processed_at.is_(None),
        )
    )
    return found is not None


def finish_request(request: ConsoleRequest, now: datetime, refusal: str) -> None:
    """The bot's outcome: done (``refusal`` empty) or refused with that reason key."""
    request.done_at = now
    request.refusal = refusal


def refused_at_once(session: AsyncSession, request: ConsoleRequest, refusal: str) -> None:
    """A bulk action's request the console refused itself (another unit's report, a status that
    does not allow it): stored done, with no inbox row, so the batch's page lists it."""
    request.done_at, request.refusal = request.created_at, refusal
    session.add(request)


@dataclass(frozen=True)
class BatchRow:
    """One report of a bulk action: its number, and the bot's outcome so far."""

    number: str
    refusal: str
    done: bool
    #: Not done and its inbox row still waits (not done and not queued: the bot gave up).
    queued: bool


async def batch_rows(session: AsyncSession, batch_id: int, session_id: int) -> list[BatchRow]:
    """The requests of bulk action ``batch_id`` asked in session ``session_id``, in order."""
    waiting = and_(
        InboxUpdate.channel == CONSOLE_CHANNEL,
        InboxUpdate.update_id == ConsoleRequest.id,
        InboxUpdate.processed_at.is_(None),
    )
    rows = await session.execute(
        select(Report.tracking_no, ConsoleRequest.refusal, ConsoleRequest.done_at, InboxUpdate.id)
        .join(Report, Report.id == ConsoleRequest.report_id)
        .outerjoin(InboxUpdate, waiting)
        .where(ConsoleRequest.batch_id == batch_id, ConsoleRequest.session_id == session_id)
        .order_by(ConsoleRequest.id)
    )
    return [
        BatchRow(number, refusal, done is not None, done is None and inbox is not None)
        for number, refusal, done, inbox in rows
    ]


async def newest_request(session: AsyncSession) -> int:
    """The newest request's id (0 when none): the bot's watch wakes its inbox when it grows."""
    return int(await session.scalar(select(func.max(ConsoleRequest.id))) or 0)
