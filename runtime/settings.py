"""Typed settings from the environment and ``.env`` (documented in ``.env.example``)."""

from __future__ import annotations

from datetime import time
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from core import deadlines
from handlers import deps as handler_defaults
from runtime.monitor_access import DEFAULT_ALLOW

TELEGRAM_DEFAULT_API = "https://api.telegram.org"
#: Retention defaults (months after closing): identity two years, photos and clips one.
RETENTION_IDENTITY_MONTHS = 24
RETENTION_MEDIA_MONTHS = 12
MAX_RETENTION_MONTHS = 1200
ACCESS_LOG_RETENTION_MONTHS = 24


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    bot_token: SecretStr | None = None
    telegram_api_url: str = TELEGRAM_DEFAULT_API
    # Which Telegram framework the adapter uses; the conversations and behaviour are the same.
    bot_framework: Literal["aiogram", "ptb"] = "aiogram"
    # The bot's @username, without the @: the posters' QR codes and short links open
    # t.me/<bot_username>?start=<poster code> (docs/posters.md).
    bot_username: str = ""
    database_url: str = "sqlite+aiosqlite:///data/aduan.db"
    region_code: str = "64.08"
    timezone: str = "Asia/Makassar"
    media_dir: Path = Path("data/media")
    default_language: Literal["id", "en"] = "id"
    categories_file: Path | None = None
    # Extra local holidays, comma separated ISO dates (e.g. the regency's anniversary).
    local_holidays: str = ""
    # Deadlines in working days (docs/domain.md); defaults from core.deadlines, the one source.
    verify_working_days: int = Field(default=deadlines.VERIFY_DAYS, ge=1)
    follow_up_working_days: int = Field(default=deadlines.FOLLOW_UP_DAYS, ge=1)
    resolve_aspirasi_working_days: int = Field(default=deadlines.RESOLVE_ASPIRASI_DAYS, ge=1)
    resolve_informasi_working_days: int = Field(default=deadlines.RESOLVE_INFORMASI_DAYS, ge=1)
    resolve_pengaduan_working_days: int = Field(default=deadlines.RESOLVE_PENGADUAN_DAYS, ge=1)
    resolve_pengawasan_working_days: int = Field(default=deadlines.RESOLVE_PENGAWASAN_DAYS, ge=1)
    auto_close_working_days: int = Field(default=deadlines.AUTO_CLOSE_DAYS, ge=1)
    ombudsman_working_days: int = Field(default=deadlines.OMBUDSMAN_DAYS, ge=1)
    # A late report is escalated again every this many working days.
    escalation_every_working_days: int = Field(default=deadlines.ESCALATION_EVERY_DAYS, ge=1)
    # Local time (HH:MM) from which the day's reminders, escalations and digests go out.
    morning_time: time = deadlines.MORNING
    # The monthly summary (runtime/monthly.py): on the first working day of each month, from
    # the morning time, last month's one-page PDF to the coordinator's and each kecamatan's
    # groups; false: none is sent.
    monthly_summary_enabled: bool = True
    # Only one process runs the reminder engine; turn it off on every other worker.
    run_jobs: bool = True
    # How often the reminder engine looks for work (it also runs once on start).
    jobs_interval_seconds: float = Field(default=60.0, gt=0)
    # How often the bot looks for requests the console queued (runtime/console_watch.py).
    console_poll_seconds: float = Field(default=0.5, gt=0)
    # Days a sent or failed message keeps its text in the outbox (0: for ever).
    outbox_retention_days: int = Field(default=90, ge=0)
    # Retention (cases/retention.py, docs/privacy.md): months after a report is closed that its
    # reporter's identity, and its photo and clip files, are kept; then the reminder engine's
    # daily round pseudonymises and deletes them (a legal hold in the console stops it).
    retention_identity_months: int = RETENTION_IDENTITY_MONTHS
    retention_media_months: int = RETENTION_MEDIA_MONTHS
    # Months the console's access log (who read or did what, console_audit) is kept; the same
    # daily round deletes older entries.
    access_log_retention_months: int = ACCESS_LOG_RETENTION_MONTHS
    # Tests only (the crash suite): a file holding seconds to add to the clock of `aduan run`,
    # read again while it runs, so that a test can move a subprocess's time. Never set it in
    # production; unset (the default), the bot uses the system clock.
    test_clock_offset_file: Path | None = None
    draft_stale_hours: float = Field(default=handler_defaults.DRAFT_STALE_HOURS, gt=0)
    # Several processes on one PostgreSQL database elect one to run the clock's jobs and one to
    # send (runtime/leader.py); a dead leader is replaced within this period plus a third of it.
    leader_lease_seconds: float = Field(default=30.0, ge=3)
    # Webhook mode (docs/operations.md): with WEBHOOK_LISTEN=host:port, `aduan run` receives
    # updates on WEBHOOK_PATH there instead of long polling; Telegram must send WEBHOOK_SECRET.
    webhook_listen: str = ""
    webhook_path: str = "/telegram/webhook"
    webhook_secret: SecretStr | None = None
    # How many connections Telegram may open to the webhook at once (`aduan webhook set`).
    webhook_max_connections: int = Field(default=40, ge=1, le=100)
    # Citizens on WhatsApp through the Cloud API (docs/whatsapp.md): on with a phone number id.
    # Its webhook is served on WEBHOOK_LISTEN beside Telegram's, or on WHATSAPP_LISTEN while
    # Telegram is polled; WHATSAPP_API_URL points pywa at another Graph API (the loopback fake).
    whatsapp_phone_number_id: str = ""
    whatsapp_access_token: SecretStr | None = None
    whatsapp_app_secret: SecretStr | None = None
    whatsapp_verify_token: SecretStr | None = None
    whatsapp_webhook_path: str = "/whatsapp/webhook"
    whatsapp_listen: str = ""
    whatsapp_api_url: str = ""
    # The approved message templates (docs/whatsapp.md); empty: locales/whatsapp_templates.toml.
    whatsapp_templates_file: Path | None = None
    # The business number citizens write to (``+62 811 …``), shown on the posters: with
    # WhatsApp on, each poster carries a second QR code, a wa.me chat (docs/posters.md).
    whatsapp_phone_number: str = ""
    # Meta's pair rate: about one message every WHATSAPP_PAIR_SECONDS to a user, with bursts.
    whatsapp_pair_seconds: float = Field(default=6.0, gt=0)
    whatsapp_pair_burst: float = Field(default=45.0, ge=1)
    # Meta's overall rate for a business number, a lane of its own beside Telegram's.
    whatsapp_per_second: float = Field(default=80.0, gt=0)
    # Who may read /healthz, /readyz and /metrics on that listener: addresses or CIDR networks,
    # comma separated, matched against the TCP peer only (runtime/monitor_access.py); empty: nobody.
    metrics_allow: str = DEFAULT_ALLOW
    # Flood protection, per person (a member of a group on their own): more than this many
    # updates in the window are dropped; an officer's work in a unit's group never is.
    throttle_max_updates: int = Field(default=handler_defaults.THROTTLE_MAX_UPDATES, ge=1)
    throttle_window_seconds: float = Field(default=handler_defaults.THROTTLE_WINDOW_SECONDS, gt=0)
    # Album items arrive as separate updates; wait this long for the rest of an album.
    album_wait_seconds: float = Field(default=1.0, ge=0)
    # Overall sending rate (Telegram allows about 30 messages/s); 0 disables the limit.
    outbox_rate_per_second: float = Field(default=30.0, ge=0)
    # Per chat (Telegram: about 1 message/s, short bursts tolerated) and per group, supergroup or
    # channel (Telegram: 20 messages/min); 0 disables that limit.
    outbox_chat_per_second: float = Field(default=1.0, ge=0)
    outbox_group_per_minute: float = Field(default=20.0, ge=0)
    # Bursts: how many messages may go at once after a quiet spell, before the rates above pace
    # the rest (token buckets). Overall: empty means half a second's worth, and no second ever
    # holds more than 30 sends whatever the burst; per group: empty means no limit beyond the
    # group's minute, a sliding window that never holds more than OUTBOX_GROUP_PER_MINUTE.
    outbox_burst: float | None = Field(default=None, ge=1)
    outbox_chat_burst: float = Field(default=3.0, ge=1)
    outbox_group_burst: float | None = Field(default=None, ge=1)
    polling_timeout: int = Field(default=25, ge=0)
    # The coordinator's group gets a one-line summary of each new report instead of the card.
    coordinator_summaries_only: bool = False
    # Whether the coordinator's cards show who filed an anonymous report (off: nobody sees it).
    coordinator_sees_identity: bool = False
    # The data protection officer (pejabat pelindungan data), named in the privacy notice, in
    # /dataku, on the console's record of processing and in notices to citizens.
    dpo_name: str = ""
    dpo_contact: str = ""
    # How long a group binding code (/daftar CODE) stays valid.
    binding_code_hours: float = Field(default=deadlines.BINDING_CODE_HOURS, gt=0)
    # Evidence photos: the most one photo, and all photos of one report, may weigh (MB).
    evidence_max_photo_mb: float = Field(default=10.0, gt=0)
    evidence_max_report_mb: float = Field(default=25.0, gt=0)
    # A citizen's messages about one report still waiting for a group (texts waiting are
    # gathered into one message); past this the citizen is asked to wait a moment.
    relay_max_pending: int = Field(default=3, ge=1)
    # true: categories marked photo_required refuse a report without a photo; false: the photo
    # is asked for there and a citizen without one can say so and file.
    category_photos_required: bool = False
    # GPS points are accepted only inside "south,west,north,east" (degrees); empty: Indonesia.
    region_bounds: str = ""
    # Laporan serupa: before filing, a citizen is shown open reports of the same category in the
    # same desa, or within this radius where both have a GPS point, from the last this many days.
    similar_radius_meters: float = Field(default=250.0, ge=0)
    similar_days: int = Field(default=30, ge=0)
    # Create the coordinator, OPD, kecamatan and desa units on start when there are none.
    seed_units_on_start: bool = True
    # Secret for signing inline-button data; derived from the token when empty.
    callback_secret: SecretStr | None = None
    log_level: str = "INFO"
    # Open311 GeoReport v2 (docs/open311.md): publish verified public reports' own words
    # (description, address detail, GPS point, notes, photo); accept reports from other systems;
    # who to contact, shown in discovery.
    open311_publish_descriptions: bool = True
    open311_accept_requests: bool = True
    open311_contact: str = ""
    # The most reports one Open311 API key may file in any minute (then 429 with Retry-After).
    open311_posts_per_minute: int = Field(default=10, ge=1)
    # The training sandbox (`aduan sandbox`, or `aduan run` without BOT_TOKEN): its page's port
    # on localhost and the folder of its own database and media.
    sandbox_port: int = Field(default=8080, ge=0, le=65535)
    sandbox_data_dir: Path = Path("data/sandbox")
    # The coordinator's console (`aduan console`): where it listens, the address written into
    # login links (default http://CONSOLE_HOST:CONSOLE_PORT), and the key of its session cookie
    # (derived from the bot token when empty).
    console_host: str = "127.0.0.1"
    console_port: int = Field(default=8000, ge=0, le=65535)
    console_public_url: str = ""
    console_secret: SecretStr | None = None
    # The console's map (Peta, and a report's point): the tile address ({z}/{x}/{y}, {s} for a
    # subdomain) and the words it must show. Empty: points on a plain background with a scale,
    # no request leaves the console (a training room without internet; the sandbox's console).
    map_tile_url: str = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
    map_tile_attribution: str = "© OpenStreetMap contributors"
    # The public page (`/publik` on the console's server, no sign-in; docs/public.md): on or
    # off; how many reports a unit needs in the last 12 months to be ranked; and the address
    # citizens reach it at (the bot's status messages link to a report's public page; empty:
    # no link).
    public_page_enabled: bool = True
    public_min_reports: int = Field(default=10, ge=1)
    public_base_url: str = ""

    @field_validator(
        "retention_identity_months",
        "retention_media_months",
        "access_log_retention_months",
        mode="before",
    )
    @classmethod
    def _months(cls, value: object) -> int:
        text = str(value).strip()
        if not text.isdigit() or not 1 <= int(text) <= MAX_RETENTION_MONTHS:
            raise ValueError(
                f"must be a whole number of months from 1 to {MAX_RETENTION_MONTHS} "
                f"(got {text!r}); there is no 'keep for ever': set a long period instead"
            )
        return int(text)

    def console_url(self) -> str:
        if self.console_public_url:
            return self.console_public_url.rstrip("/")
        return f"http://{self.console_host}:{self.console_port}"

    def local_holiday_dates(self) -> list[str]:
        return [d.strip() for d in self.local_holidays.split(",") if d.strip()]
