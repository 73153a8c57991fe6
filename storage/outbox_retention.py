"""What the outbox keeps of a message once it is settled.

A message whose text holds a secret (a console login link) is queued with
:func:`redactable`: as soon as it is sent or has failed for good, the stored text becomes the
shown one without the secret (:func:`redact_settled`, called by the outbox worker in the
transaction that records the outcome). The person got the link; the database never keeps it.

Every other sent or failed message keeps its text for ``OUTBOX_RETENTION_DAYS``, then
:func:`prune_sent` drops it (a reporter's name in a coordinator's card, a citizen's words):
the row stays, as a send (its chat, times and message id: flood windows, the crash suite's
counts and the reply paths in ``message_links`` do not read the text), with ``pruned_at`` set.
The prune runs in the reminder engine's rounds; it is one ``UPDATE`` per batch guarded by
``pruned_at IS NULL``, so doing it twice, or in two processes at once, changes nothing more.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import OutboxMessage
from storage.uow import UnitOfWork

#: The payload key of a secret-bearing message: the text to keep once it is settled.
REDACTED_TEXT = "redacted_text"
PRUNE_BATCH = 500
#: Batches in one round at most (the rest waits for the next round).
PRUNE_BATCHES_PER_ROUND = 20


def redactable(kept_text: str) -> dict[str, str]:
    """Extra payload keys for a message whose text holds a secret: once settled, the stored
    text becomes ``kept_text``."""
    return {REDACTED_TEXT: kept_text}


def redacted(payload: Mapping[str, Any]) -> dict[str, Any] | None:
    """The payload to keep once the message is settled, or None when it holds no secret."""
    if REDACTED_TEXT not in payload:
        return None
    kept = {k: v for k, v in payload.items() if k != REDACTED_TEXT}
    kept["text"] = str(payload[REDACTED_TEXT])
    return kept


async def redact_settled(session: AsyncSession, row_id: int, payload: Mapping[str, Any]) -> None:
    """Drop the secret of a sent or failed row (the caller commits with the outcome)."""
    kept = redacted(payload)
    if kept is not None:
        await session.execute(
            update(OutboxMessage).where(OutboxMessage.id == row_id).values(payload=kept)
        )


def _reduced(payload: Mapping[str, Any]) -> dict[str, Any]:
    return {k: payload[k] for k in ("kind", "chat_id") if k in payload}


async def prune_sent(uow_factory: Callable[[], UnitOfWork], *, now: datetime, days: int) -> int:
    """Drop the texts of messages settled more than ``days`` ago; the rows pruned. ``days`` 0
    keeps every text."""
    if days <= 0:
        return 0
    cutoff = now - timedelta(days=days)
    pruned = 0
    for _ in range(PRUNE_BATCHES_PER_ROUND):
        async with uow_factory() as uow:
            rows = list(
                await uow.session.execute(
                    select(OutboxMessage.id, OutboxMessage.payload)
                    .where(
                        OutboxMessage.pruned_at.is_(None),
                        or_(OutboxMessage.sent_at < cutoff, OutboxMessage.failed_at < cutoff),
                    )
                    .order_by(OutboxMessage.id)
                    .limit(PRUNE_BATCH)
                )
            )
            for row_id, payload in rows:
                done = await uow.session.execute(
                    update(OutboxMessage)
                    .where(OutboxMessage.id == row_id, OutboxMessage.pruned_at.is_(None))
                    .values(payload=_reduced(payload or {}), pruned_at=now)
                    .execution_options(synchronize_session=False)
                )
                pruned += getattr(done, "rowcount", 0) or 0
            await uow.commit()
        if len(rows) < PRUNE_BATCH:
            break
    return pruned
