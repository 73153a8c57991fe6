"""What becomes of a sent outbox row: the outcome of a send's error (:func:`outcome_of_error`),
and the recording of outcomes (:class:`OutboxRecorder`): a sent message marked, and linked to its
report, as soon as the database takes it; a failure, a retry or a group's new chat id written in
the round's transaction; officers told, in that same transaction, when a reporter cannot be
reached (see runtime/outbox.py)."""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime, timedelta

from bot.channels.base import Channel
from bot.channels.errors import (
    ChatMigrated,
    IgnorableError,
    PermanentError,
    RetryAfter,
    TransientError,
)
from bot.telegram_render import chat_id_param
from core.purposes import Purpose
from runtime.clock import Clock
from runtime.inbox_rows import UowFactory
from runtime.outbox_rows import SendOutcome, SendRound, SendRow, backoff_delay
from runtime.pacing import ChatKey
from storage.outbox_retention import REDACTED_TEXT, redact_settled
from storage.uow import UnitOfWork
from storage.wa_window import hold_reason, record_undelivered

log = logging.getLogger("runtime.outbox")  # the outbox's one logger, as before the split

# A chain of migrations (or a move that did not take) must not spin forever.
MAX_MIGRATIONS = 3

#: The purpose of outbox rows that carry a message to the reporter (see handlers.notices).
REPORTER_NOTICE = Purpose.NOTICE.value

UndeliverableHandler = Callable[[UnitOfWork, int, str], Awaitable[None]]
"""Called with the unit of work, a report id and Telegram's refusal when a message to that
report's reporter failed for good."""


def outcome_of_error(
    row: SendRow, exc: Exception, now: datetime, rng: random.Random | None = None
) -> SendOutcome:
    """What a send's error means for its row: done anyway, wait, move, retry later or give up."""
    if isinstance(exc, IgnorableError):
        return SendOutcome(sent=True)
    if isinstance(exc, RetryAfter):
        return SendOutcome(
            retry_at=now + timedelta(seconds=exc.seconds),
            error="retry_after",
            throttled=exc.seconds,
        )
    if isinstance(exc, ChatMigrated):
        if row.attempts >= MAX_MIGRATIONS:
            return SendOutcome(failed=True, error=exc.description or "chat migrated again")
        return SendOutcome(retry_at=now, error="chat migrated", migrated_to=str(exc.new_chat_id))
    if isinstance(exc, PermanentError):
        # Telegram's description ("Forbidden: bot was blocked by the user") has no message text.
        log.warning("outbox row %d failed permanently: %s", row.id, exc.description)
        return SendOutcome(failed=True, error=exc.description or type(exc).__name__)
    if not isinstance(exc, TransientError):
        log.error("outbox row %d: unexpected %s", row.id, type(exc).__name__, exc_info=exc)
    delay = backoff_delay(row.attempts, rng=rng)
    return SendOutcome(retry_at=now + timedelta(seconds=delay), error=type(exc).__name__)


async def pin(
    channel: Channel, row: SendRow, message_id: int, on_result: Callable[[str], None]
) -> None:
    """Pin a sent message; a refusal (no admin rights ...) is logged, never a resend."""
    params = {
        "chat_id": chat_id_param(row.chat_id),
        "message_id": message_id,
        "disable_notification": True,
    }
    try:
        await channel.call("pinChatMessage", params)
    except Exception as exc:
        if isinstance(exc, RetryAfter):
            on_result("pin_rate_limited")
        log.warning(
            "outbox row %d: pinning failed (%s: %s)",
            row.id,
            type(exc).__name__,
            getattr(exc, "description", ""),
        )


SentHandler = Callable[[UnitOfWork, SendRow, Sequence[str], datetime], Awaitable[None]]
"""Called with the unit of work, a sent row and WhatsApp's ids of its messages (their delivery
statuses follow: runtime.whatsapp_status)."""


class OutboxRecorder:
    """Writes what the sender's sends came to, each in its own or the round's transaction."""

    def __init__(
        self,
        uow_factory: UowFactory,
        clock: Clock,
        on_undeliverable: UndeliverableHandler | None = None,
        on_sent: SentHandler | None = None,
    ) -> None:
        self._uow_factory = uow_factory
        self._clock = clock
        self._on_undeliverable = on_undeliverable
        self._on_sent = on_sent

    def record_soon(self, row: SendRow, outcome: SendOutcome, state: SendRound) -> None:
        """A sent message is recorded as soon as the database takes it, not at the round's end.

        Telegram has no idempotent send: a message it answered but that is not yet recorded is
        sent again after a crash. Recording each answer at once (sends that end together share a
        commit) narrows that gap from a whole round to about one commit.
        """
        state.unrecorded.append((row, outcome))
        if state.flusher is None or state.flusher.done():
            state.flusher = asyncio.create_task(self._flush(state))
            state.recording.append(state.flusher)

    async def _flush(self, state: SendRound) -> None:
        while state.unrecorded:
            batch, state.unrecorded = state.unrecorded, []
            try:
                await self.record(batch)
            except Exception:
                # Left to the round's own recording (a second try, in the usual transaction).
                log.exception(
                    "outbox: recording %d sent rows failed; retrying with the round", len(batch)
                )
                return
            state.recorded.update(row.id for row, _ in batch)

    async def record_link_now(
        self,
        row: SendRow,
        outcome: SendOutcome,
        state: SendRound,
        before_link: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        """A sent message about a report: its link and its sent mark, committed together at once.

        People reply within a second of seeing a message; its link must not wait for the rest of
        the round. Until this commit, a reply to it is held back by the handlers (they see the
        row still unsent: handlers.pending), so it is answered once the link is there.
        """
        if before_link is not None:
            await before_link()
        try:
            await self.record([(row, outcome)])
        except Exception:
            # Left to the round's own recording (a second try, in the usual transaction).
            log.exception(
                "outbox row %d: recording its link failed; retrying with the round", row.id
            )
            return
        state.recorded.add(row.id)

    async def record(self, settled: list[tuple[SendRow, SendOutcome]]) -> None:
        now = self._clock()
        async with self._uow_factory() as uow:
            migrations: dict[ChatKey, str] = {}
            undeliverable: dict[int, str] = {}
            # Every sent row of the round in one statement (an executemany).
            await uow.outbox.mark_sent_many(
                [(row.id, outcome.message_id) for row, outcome in settled if outcome.sent],
                now=now,
            )
            for row, outcome in settled:
                if (outcome.sent or outcome.failed) and REDACTED_TEXT in row.payload:
                    await redact_settled(uow.session, row.id, row.payload)  # a login link
                if outcome.sent:
                    await self._link(uow, row, outcome.message_ids, now)
                    if outcome.wamids and self._on_sent is not None:
                        await self._on_sent(uow, row, outcome.wamids, now)
                elif outcome.failed:
                    await uow.outbox.mark_failed(row.id, error=outcome.error, now=now)
                    if row.report_id is not None and row.purpose == REPORTER_NOTICE:
                        undeliverable.setdefault(row.report_id, outcome.error)
                elif outcome.retry_at is not None:
                    await uow.outbox.retry_later(
                        row.id, until=outcome.retry_at, error=outcome.error
                    )
                if outcome.migrated_to is not None:
                    migrations[row.key] = outcome.migrated_to
                if held := hold_reason(row.channel, outcome):
                    # WhatsApp's 24-hour window: the message waits for the citizen's next one.
                    await record_undelivered(uow.session, [row.id], held, now)
            # Officers learn, in the same transaction, that the reporter did not get a message.
            if self._on_undeliverable is not None:
                for report_id, error in undeliverable.items():
                    await self._on_undeliverable(uow, report_id, error)
            # After the rows above are settled, so only what is still unsent moves.
            for (channel, old), new in migrations.items():
                log.info("outbox: a group chat became a supergroup; moving its queue")
                if not await uow.units.move_chat(channel, old, new):
                    await uow.outbox.move_chat(channel, old, new)
            await uow.commit()

    @staticmethod
    async def _link(uow: UnitOfWork, row: SendRow, ids: Sequence[int], now: datetime) -> None:
        """A sent message about a report becomes a link (an album: every item)."""
        if row.report_id is None or not row.purpose:
            return
        for message_id in ids:
            await uow.links.add(
                channel=row.channel,
                chat_id=row.chat_id,
                message_id=message_id,
                report_id=row.report_id,
                purpose=row.purpose,
                action=row.link_action,
                now=now,
            )
