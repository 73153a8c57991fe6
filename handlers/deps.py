"""What the conversations need, built once by ``bot.bootstrap`` and passed in (no globals)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from core.calendar import WorkingCalendar
from core.categories import Category
from core.deadlines import DeadlinePolicy
from core.evidence import EvidenceLimits
from core.inputs import Bounds
from core.regions import RegionDirectory
from locales import Catalogs


@dataclass(frozen=True)
class HandlerConfig:
    timezone: ZoneInfo
    callback_secret: bytes
    deadlines: DeadlinePolicy = field(default_factory=DeadlinePolicy)
    draft_stale: timedelta = timedelta(hours=6)
    throttle_max_updates: int = 20
    throttle_window: timedelta = timedelta(seconds=10)
    reports_page_size: int = 5
    # The coordinator's group gets a one-line summary of each new report instead of the card.
    coordinator_summaries_only: bool = False
    # Whether the coordinator's cards show who filed an anonymous report.
    coordinator_sees_identity: bool = False
    # How long a group binding code stays valid.
    binding_code_ttl: timedelta = timedelta(hours=48)
    queue_page_size: int = 20
    # Local time from which the day's reminders, escalations and digests go out.
    morning: time = time(7, 30)
    # Lines of reports in one digest or reminder message (the rest is counted).
    digest_max_items: int = 25
    # Evidence photos: size per photo and per report (EVIDENCE_MAX_PHOTO_MB, ..._REPORT_MB).
    evidence: EvidenceLimits = field(default_factory=EvidenceLimits)
    # A report's relays still waiting for one group; past this the citizen is asked to wait.
    relay_max_pending: int = 3
    # GPS points outside this box are refused (REGION_BOUNDS; Indonesia by default).
    region_bounds: Bounds = field(default_factory=Bounds)


class ChatAdmins(Protocol):
    """Asks the messenger whether a user administers a group (binding a group needs an admin)."""

    async def is_admin(self, channel: str, chat_id: str, user_id: str) -> bool: ...


class FileFetcher(Protocol):
    """Fetches a received file's bytes from the messenger, so evidence is judged by its content.

    ``None`` means the messenger refused for good (gone, too big for the Bot API); network
    trouble raises, so the update is retried instead of wrongly refusing the citizen's photo."""

    async def fetch(self, channel: str, file_id: str) -> bytes | None: ...


@dataclass(frozen=True)
class HandlerDeps:
    config: HandlerConfig
    catalogs: Catalogs
    regions: RegionDirectory
    categories: tuple[Category, ...]
    calendar: WorkingCalendar
    clock: Callable[[], datetime]
    admins: ChatAdmins | None = None
    files: FileFetcher | None = None
