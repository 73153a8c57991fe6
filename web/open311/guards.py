"""What the API refuses, each as a GeoReport v2 error (a list of ``{code, description}``) in the
asked format: also what aiohttp itself would answer in plain text (no such endpoint, a method
the API does not take, a body too large or in an unknown charset), a date ``datetime`` cannot
hold, and a key filing faster than its pace (429 with ``Retry-After``)."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from aiohttp import web

from core.open311 import (
    EARLIEST_QUERY_DATE,
    LATEST_QUERY_DATE,
    POSTING_WINDOW,
    seconds_until_allowed,
)
from storage.open311 import Open311Repository
from web.open311.formats import Format

#: The methods the API answers; anything else is a 405.
METHODS = frozenset({"GET", "HEAD", "POST"})


class Open311Error(Exception):
    """A 4xx answer in the spec's error format; ``key`` is a catalogue entry, ``headers`` go
    with the answer (``Retry-After`` of a 429)."""

    def __init__(self, status: int, key: str, **values: object) -> None:
        super().__init__(key)
        self.status, self.key, self.values = status, key, values
        self.headers: dict[str, str] = {}


def format_of(extension: str) -> Format:
    """``.json`` (any case) is JSON; anything else is answered in XML, the spec's default."""
    return Format.JSON if extension.lower() == ".json" else Format.XML


async def read_form(request: web.Request) -> dict[str, str]:
    """The posted form's text fields; a body too large or that cannot be decoded is a 4xx."""
    try:
        form = await request.post()
    except web.HTTPRequestEntityTooLarge:
        raise Open311Error(
            413, "open311.error.too_large", kb=request.client_max_size // 1024
        ) from None
    except (LookupError, UnicodeDecodeError, ValueError):
        raise Open311Error(400, "open311.error.form") from None
    return {key: str(value) for key, value in form.items() if isinstance(value, str)}


async def nowhere(request: web.Request, fmt: Format) -> web.StreamResponse:
    """Where no endpoint is: 405 for a method the API never takes, else 404."""
    if request.method not in METHODS:
        raise Open311Error(405, "open311.error.method", method=request.method[:10])
    raise Open311Error(404, "open311.error.endpoint")


def read_date(text: str, name: str, timezone: ZoneInfo) -> datetime | None:
    """``start_date``/``end_date``: ISO 8601 (without an offset: in the region's zone), between
    the years of ``EARLIEST_QUERY_DATE`` and ``LATEST_QUERY_DATE``; empty: None."""
    if not text.strip():
        return None
    try:
        moment = datetime.fromisoformat(text.strip().replace(" ", "+"))
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=timezone)
        in_utc = moment.astimezone(UTC)
    except (ValueError, OverflowError):
        raise Open311Error(400, "open311.error.date", name=name, value=text[:40]) from None
    if not EARLIEST_QUERY_DATE <= in_utc <= LATEST_QUERY_DATE:
        raise Open311Error(
            400,
            "open311.error.date_range",
            name=name,
            earliest=EARLIEST_QUERY_DATE.year,
            latest=LATEST_QUERY_DATE.year,
        )
    return moment


async def check_pace(
    repo: Open311Repository, requester: int, now: datetime, per_minute: int
) -> None:
    """At most ``per_minute`` reports filed by one key's requester in any minute; then a 429
    saying when the next one fits. Counted in the database: the same for every process."""
    filed = await repo.filed_since(requester, now - POSTING_WINDOW)
    wait = seconds_until_allowed(filed, now, per_minute)
    if wait:
        problem = Open311Error(429, "open311.error.too_many", limit=per_minute, seconds=wait)
        problem.headers["Retry-After"] = str(wait)
        raise problem
