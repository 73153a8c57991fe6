"""Open311 GeoReport v2 rules that need no I/O: what is published, how statuses read, API keys.

The web door (``web/open311``) serves these; the rules live here so that an export or a test
can ask the same questions.
"""

from __future__ import annotations

import hashlib
import math
import secrets
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from enum import StrEnum

from core.lifecycle import Privacy, ReportStatus
from core.timeline import EventKind

#: The ``channel`` of reports and requesters that came in through the Open311 API. It names no
#: messenger: nothing is sent to a requester of this channel (they follow the report by id).
OPEN311_CHANNEL = "open311"
#: GeoReport v2: a query of requests may not span more than 90 days (and defaults to the last 90).
QUERY_WINDOW = timedelta(days=90)
#: The dates a query may name. Nothing was filed outside them, and a date far out (year 1, year
#: 9999) cannot take the 90-day window or a change of time zone without leaving ``datetime``.
EARLIEST_QUERY_DATE = datetime(1970, 1, 1, tzinfo=UTC)
LATEST_QUERY_DATE = datetime(9000, 1, 1, tzinfo=UTC)
#: A key's filings are counted over this sliding window (``OPEN311_POSTS_PER_MINUTE``).
POSTING_WINDOW = timedelta(minutes=1)
#: The visible head of a key, kept in clear so that an operator can tell keys apart.
KEY_PREFIX_LENGTH = 8
#: The timeline event of a unit's verification.
VERIFIED_EVENT = EventKind.VERIFIED
#: Timeline events whose note the unit wrote for the reporter about the work done (the last one
#: is the request's ``status_notes``): tindak lanjut and selesai. Questions and free replies are
#: addressed to one person and are never published.
PUBLIC_NOTE_EVENTS = frozenset({EventKind.FOLLOWED_UP, EventKind.DONE})


class Open311Status(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


_CLOSED = frozenset({ReportStatus.SELESAI, ReportStatus.DIARSIPKAN, ReportStatus.DIRUJUK})


def open311_status(status: ReportStatus) -> Open311Status:
    """``closed`` once the unit finished or archived the report, ``open`` while work is owed."""
    return Open311Status.CLOSED if status in _CLOSED else Open311Status.OPEN


def statuses_of(wanted: Open311Status) -> frozenset[ReportStatus]:
    """Our statuses that read as ``wanted``."""
    return frozenset(s for s in ReportStatus if open311_status(s) == wanted)


def seconds_until_allowed(filed: Sequence[datetime], now: datetime, per_window: int) -> int:
    """0 when one more filing fits in the window that ends ``now``; otherwise the whole seconds
    until one does. ``filed``: when the key's filings inside the window were made, oldest first."""
    if len(filed) < per_window:
        return 0
    freed = filed[len(filed) - per_window] + POSTING_WINDOW
    return max(1, math.ceil((freed - now).total_seconds()))


def is_listed(privacy: Privacy) -> bool:
    """Only reports whose reporter chose "biasa" are public: anonim hides the reporter (and the
    report may still say who they are between the lines), rahasia hides the report itself."""
    return privacy == Privacy.BIASA


def new_api_key() -> str:
    """A fresh key: 256 random bits, URL-safe, shown once to the operator."""
    return secrets.token_urlsafe(32)


def hash_api_key(key: str) -> str:
    """What is stored instead of the key. The keys are long random strings, so one SHA-256 is
    enough (nothing to guess from a leaked hash; a slow hash protects only weak passwords)."""
    return hashlib.sha256(key.strip().encode("utf-8")).hexdigest()


def key_prefix(key: str) -> str:
    return key.strip()[:KEY_PREFIX_LENGTH]
