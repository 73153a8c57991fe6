"""What the console needs, built once from the bot's settings by its caller (no globals)."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from core.calendar import WorkingCalendar
from core.categories import Category
from core.deadlines import DeadlinePolicy
from core.inputs import Bounds
from core.regions import RegionDirectory
from locales import Catalogs
from storage.console import LOGIN_TTL, SESSION_TTL
from web.console.processing_facts import ProcessingFacts


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class ConsoleConfig:
    """``secret`` signs the session cookie; ``public_url`` is written into login links."""

    secret: bytes
    public_url: str
    timezone: ZoneInfo
    catalogs: Catalogs
    regions: RegionDirectory
    categories: tuple[Category, ...]
    calendar: WorkingCalendar
    deadlines: DeadlinePolicy = field(default_factory=DeadlinePolicy)
    coordinator_sees_identity: bool = False
    session_ttl: timedelta = SESSION_TTL
    login_ttl: timedelta = LOGIN_TTL
    page_size: int = 50
    clock: Callable[[], datetime] = _now
    #: The time sign-in runs on (login links, sessions): ``clock`` when None, as in production.
    #: The training sandbox moves ``clock`` by days and signs in on real time, so that moving its
    #: clock does not sign the trainer out.
    sign_in_clock: Callable[[], datetime] | None = None
    #: ``GET /langsung/TOKEN`` spends a login link at once, without the sign-in page's button: only
    #: in the sandbox, whose page's user controls everything anyway and no chat app previews links.
    direct_sign_in: bool = False
    #: The media store (``MEDIA_DIR``): photos are served only from inside it.
    media_dir: Path = Path("data/media")
    #: The map's tiles (``MAP_TILE_URL``; "" for points on a plain background, no request out)
    #: and the words shown with them; ``map_bounds`` frames a map with no point on it.
    map_tiles: str = ""
    map_attribution: str = ""
    map_bounds: Bounds = field(default_factory=Bounds)
    #: Laporan serupa (the merge form's originals): as the bot's ``SIMILAR_*`` settings.
    similar_radius_meters: float = 250.0
    similar_days: int = 30
    #: The bot's @username (``BOT_USERNAME``): the posters' links; "" when not set (no posters).
    bot_username: str = ""
    #: The posters' WhatsApp number (``core.posters.poster_whatsapp``): "" without WhatsApp.
    poster_whatsapp: str = ""
    #: Catatan pemrosesan (``/pemrosesan``): what the record of processing says.
    processing: ProcessingFacts = field(default_factory=ProcessingFacts)

    #: The public page (``/publik``, no sign-in; ``PUBLIC_PAGE_ENABLED``): served or a 404; the
    #: reports a unit needs in its 12 months to be ranked (``PUBLIC_MIN_REPORTS``); whether a
    #: verified report's own words are shown there (as Open311's ``OPEN311_PUBLISH_DESCRIPTIONS``).
    public_page: bool = True
    public_min_reports: int = 10
    public_descriptions: bool = True
    #: The secret of the reporter's own link to their report's public page
    #: (:func:`core.public_key.report_key`; the bot's callback secret); b"": no such links.
    public_key: bytes = b""

    def sign_in_now(self) -> datetime:
        return (self.sign_in_clock or self.clock)()

    @property
    def secure_cookie(self) -> bool:
        return self.public_url.startswith("https://")

    def category(self, code: str) -> Category | None:
        return next((c for c in self.categories if c.code == code), None)


def derive_secret(configured: str | None, bot_token: str | None) -> bytes:
    """The cookie key: ``CONSOLE_SECRET``, else derived from the bot token, else random for this
    process only (sessions then end when the console restarts)."""
    if configured:
        return configured.encode()
    if bot_token:
        return hashlib.sha256(b"kanal-aduan console:" + bot_token.encode()).digest()
    return secrets.token_bytes(32)


def login_link(public_url: str, token: str) -> str:
    return f"{public_url.rstrip('/')}/masuk/{token}"
