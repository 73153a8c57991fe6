"""What the conversations need, built once by ``runtime.bootstrap`` and passed in (no globals)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING, Final, Protocol
from zoneinfo import ZoneInfo

from core.calendar import WorkingCalendar
from core.categories import Category
from core.deadlines import BINDING_CODE_TTL, MORNING, DeadlinePolicy
from core.evidence import EvidenceLimits
from core.inputs import Bounds
from core.regions import RegionDirectory
from locales import Catalogs

if TYPE_CHECKING:
    from storage.media_store import KeptImage

#: A draft untouched this long is offered to resume or discard.
DRAFT_STALE_HOURS: Final = 6.0
#: Flood protection: more than this many updates from one person in the window are dropped
#: (handlers/flood.py).
THROTTLE_MAX_UPDATES: Final = 20
THROTTLE_WINDOW_SECONDS: Final = 10.0


@dataclass(frozen=True)
class HandlerConfig:
    timezone: ZoneInfo
    callback_secret: bytes
    deadlines: DeadlinePolicy = field(default_factory=DeadlinePolicy)
    draft_stale: timedelta = timedelta(hours=DRAFT_STALE_HOURS)
    throttle_max_updates: int = THROTTLE_MAX_UPDATES
    throttle_window: timedelta = timedelta(seconds=THROTTLE_WINDOW_SECONDS)
    reports_page_size: int = 5
    # The coordinator's group gets a one-line summary of each new report instead of the card.
    coordinator_summaries_only: bool = False
    # Whether the coordinator's cards show who filed an anonymous report.
    coordinator_sees_identity: bool = False
    # The data protection officer named in the privacy notice and /dataku ("": the coordinator).
    dpo_name: str = ""
    dpo_contact: str = ""
    # How long a group binding code stays valid.
    binding_code_ttl: timedelta = BINDING_CODE_TTL
    queue_page_size: int = 20
    # Local time from which the day's reminders, escalations and digests go out.
    morning: time = MORNING
    # Lines of reports in one digest or reminder message (the rest is counted).
    digest_max_items: int = 25
    # Evidence photos: size per photo and per report (EVIDENCE_MAX_PHOTO_MB, ..._REPORT_MB).
    evidence: EvidenceLimits = field(default_factory=EvidenceLimits)
    # A report's relays still waiting for one group; past this the citizen is asked to wait.
    relay_max_pending: int = 3
    # Categories marked photo_required refuse a report without a photo (CATEGORY_PHOTOS_REQUIRED);
    # off: the photo is asked for and a citizen without one says so.
    category_photos_required: bool = False
    # GPS points outside this box are refused (REGION_BOUNDS; Indonesia by default).
    region_bounds: Bounds = field(default_factory=Bounds)
    # The console's address, written into the login links /dasbor sends.
    console_url: str = "http://127.0.0.1:8000"
    # An officer who pressed ❓ Minta info / 🏁 Selesai ... and then types instead of replying:
    # their next message in the group within this time is the prompt's answer.
    typed_prompt_window: timedelta = timedelta(minutes=15)
    # A reply to a bot message whose link is not recorded yet waits while a message about a
    # report to that chat, queued at most this long ago, may still be on its way back from
    # Telegram (see handlers.pending).
    link_wait: timedelta = timedelta(seconds=30)
    # "Your message went to the officers" is said once per burst of messages.
    relay_notice_quiet: timedelta = timedelta(minutes=2)
    # Laporan serupa (docs/similar.md): open reports of the same category in the same desa, or
    # within this many metres where both have a GPS point, from the last this many days.
    similar_radius_meters: float = 250.0
    similar_days: int = 30
    # The public page's address (PUBLIC_BASE_URL, with PUBLIC_PAGE_ENABLED): status messages to
    # the reporter link to their report's public page there; empty: no link.
    public_base_url: str = ""
    # Sent and failed messages lose their text after this many days (0: never).
    outbox_retention_days: int = 90


class ChatAdmins(Protocol):
    """Asks the messenger whether a user administers a group (binding a group needs an admin)."""

    async def is_admin(self, channel: str, chat_id: str, user_id: str) -> bool: ...

    async def is_member(self, channel: str, chat_id: str, user_id: str) -> bool:
        """Whether ``user_id`` is in the group now (assigning a report to someone who left is
        refused)."""
        ...


class FileFetcher(Protocol):
    """Fetches a received file's bytes from the messenger, so evidence is judged by its content.

    ``None`` means the messenger refused for good (gone, too big for the Bot API); network
    trouble raises, so the update is retried instead of wrongly refusing the citizen's photo."""

    async def fetch(self, channel: str, file_id: str) -> bytes | None: ...

    async def keep(self, content: bytes) -> KeptImage | None:
        """A copy of the image in ``content`` redrawn without metadata, kept on the server and
        named by a ``local:`` reference to send on in place of the citizen's file; None when the
        bytes do not decode as a picture."""
        ...

    async def keep_clip(self, content: bytes, mime_type: str) -> KeptImage:
        """A voice note or video whose bytes were checked (``core.clips``), kept on the server
        as it came and named by a ``local:`` reference: another messenger's clip is sent on as
        an upload of that file (its file id means nothing elsewhere)."""
        ...


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
    #: Real time where ``clock`` is moved (the sandbox, tests); ``clock`` when None. The console's
    #: login links run on it, as the console's sign-in does.
    wall_clock: Callable[[], datetime] | None = None

    def wall_now(self) -> datetime:
        return (self.wall_clock or self.clock)()
