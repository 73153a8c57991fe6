"""What the runtime builds from the settings before anything runs: the conversations'
dependencies, the deadline policy, the channel of ``BOT_FRAMEWORK``, and the seeding of a fresh
install's units. The console, Open311 and the sandbox build theirs from the same functions."""

from __future__ import annotations

import hashlib
import logging
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import text

from bot.channels.base import Channel
from cases.filing import Filing
from cases.retention import RetentionPolicy
from core.calendar import WorkingCalendar
from core.categories import load_categories
from core.deadlines import DeadlinePolicy
from core.evidence import MB, EvidenceLimits
from core.inputs import Bounds
from core.regions import RegionDirectory
from handlers.deps import ChatAdmins, FileFetcher, HandlerConfig, HandlerDeps
from handlers.notices import filing_for
from locales import Catalogs
from runtime.clock import Clock, wall_clock_of
from runtime.inbox_rows import UowFactory
from runtime.settings import Settings
from storage.unit_registry import seed_units

log = logging.getLogger(__name__)

#: The advisory lock key under which a fresh PostgreSQL database is seeded (any fixed number).
SEED_LOCK = 0x73656564  # "seed"


def callback_secret(settings: Settings, token: str) -> bytes:
    """The configured secret, or one derived from the token (stable across restarts)."""
    if settings.callback_secret is not None:
        return settings.callback_secret.get_secret_value().encode()
    return hashlib.sha256(b"kanal-aduan:callback:" + token.encode()).digest()


def deadline_policy(settings: Settings) -> DeadlinePolicy:
    return DeadlinePolicy(
        verify=settings.verify_working_days,
        follow_up=settings.follow_up_working_days,
        resolve_aspirasi=settings.resolve_aspirasi_working_days,
        resolve_informasi=settings.resolve_informasi_working_days,
        resolve_pengaduan=settings.resolve_pengaduan_working_days,
        resolve_pengawasan=settings.resolve_pengawasan_working_days,
        auto_close=settings.auto_close_working_days,
        ombudsman=settings.ombudsman_working_days,
        escalation_every=settings.escalation_every_working_days,
    )


def handler_config(settings: Settings, token: str) -> HandlerConfig:
    return HandlerConfig(
        timezone=ZoneInfo(settings.timezone),
        callback_secret=callback_secret(settings, token),
        deadlines=deadline_policy(settings),
        morning=settings.morning_time,
        draft_stale=timedelta(hours=settings.draft_stale_hours),
        throttle_max_updates=settings.throttle_max_updates,
        throttle_window=timedelta(seconds=settings.throttle_window_seconds),
        coordinator_summaries_only=settings.coordinator_summaries_only,
        coordinator_sees_identity=settings.coordinator_sees_identity,
        dpo_name=settings.dpo_name.strip(),
        dpo_contact=settings.dpo_contact.strip(),
        similar_radius_meters=settings.similar_radius_meters,
        similar_days=settings.similar_days,
        binding_code_ttl=timedelta(hours=settings.binding_code_hours),
        evidence=EvidenceLimits(
            max_photo_bytes=int(settings.evidence_max_photo_mb * MB),
            max_report_bytes=int(settings.evidence_max_report_mb * MB),
        ),
        relay_max_pending=settings.relay_max_pending,
        category_photos_required=settings.category_photos_required,
        region_bounds=Bounds.parse(settings.region_bounds) if settings.region_bounds else Bounds(),
        console_url=settings.console_url(),
        outbox_retention_days=settings.outbox_retention_days,
        public_base_url=(
            settings.public_base_url.strip().rstrip("/") if settings.public_page_enabled else ""
        ),
    )


def handler_deps(
    settings: Settings,
    token: str,
    catalogs: Catalogs,
    clock: Clock,
    admins: ChatAdmins | None = None,
    files: FileFetcher | None = None,
) -> HandlerDeps:
    holidays = [date.fromisoformat(d) for d in settings.local_holiday_dates()]
    return HandlerDeps(
        config=handler_config(settings, token),
        catalogs=catalogs,
        regions=RegionDirectory(settings.region_code),
        categories=load_categories(settings.categories_file),
        calendar=WorkingCalendar(extra_holidays=holidays),
        clock=clock,
        admins=admins,
        files=files,
        wall_clock=wall_clock_of(clock),
    )


async def seed_if_empty(uow_factory: UowFactory, deps: HandlerDeps) -> None:
    """A fresh install gets its unit registry, so that no report is left without a unit."""
    async with uow_factory() as uow:
        if uow.session.get_bind().dialect.name == "postgresql":
            # Workers starting together seed one after another; the others find the units.
            await uow.session.execute(
                text("SELECT pg_advisory_xact_lock(:key)"), {"key": SEED_LOCK}
            )
        if await uow.units.coordinator() is not None:
            return
        result = await seed_units(uow, deps.regions, deps.clock(), categories=deps.categories)
        await uow.commit()
    log.info("unit registry seeded on start: %s", result)


def make_channel(settings: Settings, token: str) -> Channel:
    """The adapter of ``BOT_FRAMEWORK``: aiogram 3 or python-telegram-bot 22.

    Imported here, so that a process loads (and holds in memory) only the framework it runs.
    """
    api_url, timeout = settings.telegram_api_url, settings.polling_timeout
    if settings.bot_framework == "ptb":
        from bot.channels.ptb_channel import PtbChannel

        return PtbChannel(token, api_url=api_url, polling_timeout=timeout)
    from bot.channels.aiogram_channel import AiogramChannel

    return AiogramChannel(token, api_url=api_url, polling_timeout=timeout)


def report_filing(deps: HandlerDeps) -> Filing:
    """How a report is filed (``cases.filing``) with the conversations' cards: what a door that
    is not a chat (Open311) hands to the use case, without importing the conversations."""
    return filing_for(deps)


def retention_policy(settings: Settings) -> RetentionPolicy:
    """The retention periods (``RETENTION_*_MONTHS``) and where the evidence files are."""
    return RetentionPolicy(
        identity_months=settings.retention_identity_months,
        media_months=settings.retention_media_months,
        media_dir=settings.media_dir,
        deliveries_days=settings.outbox_retention_days,
        access_log_months=settings.access_log_retention_months,
    )
