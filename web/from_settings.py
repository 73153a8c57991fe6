"""The web doors' configuration from the process settings: the coordinator's console and the
Open311 API mounted under it. ``aduan console`` and the training sandbox build them here (the
sandbox is part of web and may not import the command line that starts it)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from core.calendar import WorkingCalendar
from core.categories import load_categories
from core.inputs import Bounds
from core.posters import poster_whatsapp
from core.regions import RegionDirectory
from locales import Catalogs
from runtime.clock import Clock, system_clock
from runtime.deps import callback_secret, deadline_policy, handler_deps, report_filing
from runtime.settings import Settings
from web.console import ConsoleConfig, derive_secret
from web.console.processing_facts import ProcessingFacts
from web.open311 import Open311Config, build_open311_app

if TYPE_CHECKING:
    from aiohttp import web
    from sqlalchemy.ext.asyncio import AsyncSession


def console_config(settings: Settings, catalogs: Catalogs | None = None) -> ConsoleConfig:
    token = settings.bot_token.get_secret_value() if settings.bot_token else None
    secret = settings.console_secret.get_secret_value() if settings.console_secret else None
    holidays = [date.fromisoformat(d) for d in settings.local_holiday_dates()]
    return ConsoleConfig(
        secret=derive_secret(secret, token),
        public_url=settings.console_url(),
        timezone=ZoneInfo(settings.timezone),
        catalogs=catalogs or Catalogs(settings.default_language),
        regions=RegionDirectory(settings.region_code),
        categories=load_categories(settings.categories_file),
        calendar=WorkingCalendar(extra_holidays=holidays),
        deadlines=deadline_policy(settings),
        coordinator_sees_identity=settings.coordinator_sees_identity,
        media_dir=settings.media_dir,
        map_tiles=settings.map_tile_url.strip(),
        map_attribution=settings.map_tile_attribution if settings.map_tile_url.strip() else "",
        map_bounds=Bounds.parse(settings.region_bounds) if settings.region_bounds else Bounds(),
        similar_radius_meters=settings.similar_radius_meters,
        similar_days=settings.similar_days,
        bot_username=settings.bot_username.strip().lstrip("@"),
        poster_whatsapp=poster_whatsapp(
            settings.whatsapp_phone_number_id, settings.whatsapp_phone_number
        ),
        processing=processing_facts(settings),
        public_page=settings.public_page_enabled,
        public_min_reports=settings.public_min_reports,
        public_descriptions=settings.open311_publish_descriptions,
        public_key=callback_secret(settings, token or "")
        if token or settings.callback_secret
        else b"",
    )


def processing_facts(settings: Settings) -> ProcessingFacts:
    """The record of processing's facts, from the settings the program runs with."""
    return ProcessingFacts(
        dpo_name=settings.dpo_name.strip(),
        dpo_contact=settings.dpo_contact.strip(),
        identity_months=settings.retention_identity_months,
        media_months=settings.retention_media_months,
        outbox_days=settings.outbox_retention_days,
        access_months=settings.access_log_retention_months,
        engine="PostgreSQL" if settings.database_url.startswith("postgresql") else "SQLite",
        coordinator_sees_identity=settings.coordinator_sees_identity,
        open311_publishes=settings.open311_publish_descriptions,
    )


def open311_subapp(
    settings: Settings,
    sessions: Callable[[], AsyncSession],
    catalogs: Catalogs,
    clock: Clock = system_clock,
) -> tuple[str, web.Application]:
    """The Open311 GeoReport v2 API (docs/open311.md), mounted under the console at /open311/v2/.

    Reports it accepts are filed by the same use case as the chat's (``cases.filing``); their
    cards carry buttons signed with the bot's callback secret (the token's, or
    ``CALLBACK_SECRET``)."""
    token = settings.bot_token.get_secret_value() if settings.bot_token else ""
    deps = handler_deps(settings, token, catalogs, clock)
    config = Open311Config(
        regions=deps.regions,
        categories=deps.categories,
        timezone=ZoneInfo(settings.timezone),
        catalogs=catalogs,
        media_dir=settings.media_dir,
        language=settings.default_language,
        publish_descriptions=settings.open311_publish_descriptions,
        accept_requests=settings.open311_accept_requests,
        contact=settings.open311_contact,
        posts_per_minute=settings.open311_posts_per_minute,
        region_bounds=deps.config.region_bounds,
    )
    return "/open311/v2/", build_open311_app(config, sessions, clock, report_filing(deps))
