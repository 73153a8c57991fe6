"""What the outbox worker holds of a row while it sends it: the row detached from its session,
the outcome of one send, one round's reply targets, and the retry schedule (see
runtime/outbox.py)."""

from __future__ import annotations

import asyncio
import random
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from core.whatsapp import WHATSAPP_CHANNEL
from runtime.pacing import ChatKey, Plannable
from storage.models import OutboxMessage
from storage.repositories import LANE_KEY, REPLY_LANE
from storage.uow import UnitOfWork

BACKOFF_START_SECONDS = 1.0
BACKOFF_CAP_SECONDS = 60.0


def backoff_delay(attempts: int, *, rng: random.Random | None = None) -> float:
    """1 s, 2 s, 4 s ... capped at 60 s, with ±20 % jitter so chats do not retry in lockstep."""
    base = min(BACKOFF_CAP_SECONDS, BACKOFF_START_SECONDS * 2.0 ** min(max(0, attempts), 16))
    jitter: float = (rng or random).uniform(0.8, 1.2)
    return min(BACKOFF_CAP_SECONDS, base * jitter)


# Not messages: Telegram does not count a button answer against the flood limits.
EXEMPT_KINDS = frozenset({"answer_button"})
# Channels with no button answers: an alert there is a message in the chat (WhatsApp's answer
# to a stale press), counted like any, in the chat's reply lane (its pair rate, its overall).
ALERTS_AS_MESSAGES = frozenset({WHATSAPP_CHANNEL})
REPLYING_KINDS = frozenset({"send_text", "send_media"})


@dataclass(frozen=True)
class SendRow(Plannable):
    """What the worker needs of an outbox row, detached from its session."""

    id: int
    payload: dict[str, Any]
    attempts: int
    report_id: int | None = None
    purpose: str = ""
    link_action: str = ""

    @property
    def channel(self) -> str:
        return self.key[0]

    @property
    def chat_id(self) -> str:
        return self.key[1]

    def reply_key(self) -> tuple[str, str, int, str] | None:
        """The link whose message this row should reply to, when it asks for one."""
        purpose = str(self.payload.get("reply_to_purpose") or "")
        if (
            not purpose
            or self.report_id is None
            or self.payload.get("kind") not in REPLYING_KINDS
            or self.payload.get("reply_to_message_id") is not None
        ):
            return None
        return (self.channel, self.chat_id, self.report_id, purpose)


@dataclass(frozen=True)
class SendOutcome:
    sent: bool = False
    message_ids: tuple[int, ...] = ()
    wamids: tuple[str, ...] = ()  # WhatsApp's ids of the sent messages (their statuses' keys)
    retry_at: datetime | None = None
    failed: bool = False
    error: str = ""
    throttled: float | None = None  # a 429's retry_after
    migrated_to: str | None = None
    held: str = ""  # sent in another form (a WhatsApp template): the message itself waits

    @property
    def settled(self) -> bool:
        return self.sent or self.failed

    @property
    def result(self) -> str:
        """The send's result as the metrics name it (runtime.metrics.SEND_RESULTS)."""
        if self.sent or self.failed:
            return "sent" if self.sent else "given_up"
        return "retried" if self.throttled is None else "rate_limited"

    @property
    def message_id(self) -> int | None:
        return self.message_ids[0] if self.message_ids else None


@dataclass
class SendRound:
    """One round's reply targets: committed ones looked up first, and the round's own sends."""

    links: dict[tuple[str, str, int, str], int] = field(default_factory=dict)
    replies: dict[tuple[str, str, int, str], int] = field(default_factory=dict)
    # Rows already recorded the moment their send returned (see OutboxWorker._record_link_now).
    recorded: set[int] = field(default_factory=set)
    recording: list[asyncio.Task[None]] = field(default_factory=list)
    # Sent, not yet recorded: the flusher commits them as soon as the database can take them.
    unrecorded: list[tuple[SendRow, SendOutcome]] = field(default_factory=list)
    flusher: asyncio.Task[None] | None = None
    # A 429 came back: the round sends nothing more (the buckets learn from it at its end).
    throttled: bool = False


def as_utc(moment: datetime) -> datetime:
    """A stored time (SQLite keeps none of the zone) as UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def message_ids_of(result: Any) -> tuple[int, ...]:
    """The sent messages' ids: a Message, a list of them (an album), or none (``True``)."""
    messages = result if isinstance(result, list) else [result]
    return tuple(
        int(m["message_id"])
        for m in messages
        if isinstance(m, Mapping) and isinstance(m.get("message_id"), int)
    )


def held_of(result: Any) -> str:
    """Why a sent result stands in for the message (``"template"``), or ""."""
    messages = result if isinstance(result, list) else [result]
    return next((str(m["held"]) for m in messages if isinstance(m, Mapping) and m.get("held")), "")


def wamids_of(result: Any) -> tuple[str, ...]:
    """WhatsApp's ids of the sent messages (``bot.channels.whatsapp_channel``), none elsewhere."""
    messages = result if isinstance(result, list) else [result]
    return tuple(str(m["wamid"]) for m in messages if isinstance(m, Mapping) and m.get("wamid"))


def send_row_of(message: OutboxMessage) -> SendRow:
    """A due outbox row as the sender holds it, detached from its session."""
    return SendRow(
        key=(message.channel, message.chat_id),
        counted=message.payload.get("kind") not in EXEMPT_KINDS or _alert_message(message),
        reply=message.payload.get(LANE_KEY) == REPLY_LANE or _alert_message(message),
        id=message.id,
        payload=dict(message.payload),
        attempts=message.attempts,
        report_id=message.report_id,
        purpose=message.purpose or "",
        link_action=message.link_action or "",
    )


def _alert_message(message: OutboxMessage) -> bool:
    payload = message.payload
    return message.channel in ALERTS_AS_MESSAGES and bool(payload.get("alert"))


async def reply_targets(
    uow: UnitOfWork, plan: Mapping[ChatKey | None, Iterable[SendRow]]
) -> dict[tuple[str, str, int, str], int]:
    """The committed messages this round's rows reply to (by report and purpose)."""
    targets: dict[tuple[str, str, int, str], int] = {}
    for queue in plan.values():
        for row in queue:
            key = row.reply_key()
            if key is None or key in targets:
                continue
            link = await uow.links.latest(*key)
            if link is not None:
                targets[key] = int(link.message_id)
    return targets
