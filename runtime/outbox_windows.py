"""What the sender learns of Telegram's windows beyond its own sends: on taking over, the sends
the database shows of the last second and of each group's minute; after a round, the 429s that
got through anyway (one chat waits, several chats: every send waits). See runtime/outbox.py."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from datetime import datetime

from runtime.outbox_rows import EXEMPT_KINDS, SendOutcome, SendRow, as_utc
from runtime.pacing import ChatKey, FloodScheduler, is_group_chat

log = logging.getLogger("runtime.outbox")  # the outbox's one logger, as before the split


def take_over(
    scheduler: FloodScheduler,
    last: datetime | None,
    recent: Iterable[tuple[str, str, datetime, str]],
    wall: datetime,
    now: float,
) -> None:
    """What the database shows of Telegram's windows, counted by a sender that starts: the last
    send (``last``) within a second waits that second out; a group's sends of the last minute
    (``recent``: channel, chat, sent at, kind) count against its minute. ``wall`` is the bot's
    clock the times were written by, ``now`` the scheduler's timer."""
    if last is not None:
        ago = (wall - as_utc(last)).total_seconds()
        if ago < 1.0:
            scheduler.pause_all(1.0 - max(ago, 0.0), now)
    groups: dict[ChatKey, list[float]] = {}
    for channel, chat_id, sent_at, kind in recent:
        if kind in EXEMPT_KINDS or not is_group_chat(chat_id):
            continue
        ago = max(0.0, (wall - as_utc(sent_at)).total_seconds())
        groups.setdefault((channel, chat_id), []).append(now - ago)
    for key, moments in groups.items():
        scheduler.seed_group(key, sorted(moments), now)


def slow_down(
    scheduler: FloodScheduler, settled: Sequence[tuple[SendRow, SendOutcome]], now: float
) -> None:
    """Let the buckets learn from 429s that got through anyway.

    One chat refused: that chat waits its ``retry_after``. Several chats refused in the same
    round: Telegram does not say which limit it was, but only the overall one explains it, so
    every send waits for the longest ``retry_after``.
    """
    throttled: dict[ChatKey, float] = {}
    for row, outcome in settled:
        if outcome.throttled is not None:
            throttled[row.key] = max(throttled.get(row.key, 0.0), outcome.throttled)
    for key, seconds in throttled.items():
        scheduler.throttle(key, seconds, now)
    lanes: dict[str, list[float]] = {}
    for key, seconds in throttled.items():
        lanes.setdefault(scheduler.lane(key), []).append(seconds)
    for lane, waits in lanes.items():
        if len(waits) > 1:  # the overall limit of that lane (Telegram's, WhatsApp's)
            log.warning(
                "429 from %d chats in one round: pausing all sends %.0fs", len(waits), max(waits)
            )
            scheduler.pause_all(max(waits), now, lane)
    if len(throttled) == 1:
        log.warning("429 from one chat: it waits %.0fs", max(throttled.values()))
