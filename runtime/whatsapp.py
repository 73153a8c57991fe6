"""What ``aduan run`` builds for citizens on WhatsApp (docs/whatsapp.md), from the settings."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from bot.channels.base import Channel
from bot.whatsapp_events import CHANNEL
from locales import Catalogs
from runtime.inbox import InboxProcessor
from runtime.settings import Settings

if TYPE_CHECKING:
    from aiohttp import web

    from runtime.whatsapp_status import StoreStatuses


def _secret(value: Any) -> str:
    return value.get_secret_value() if value is not None else ""


def whatsapp_enabled(settings: Settings) -> bool:
    return bool(settings.whatsapp_phone_number_id)


def make_whatsapp_channel(settings: Settings, catalogs: Catalogs) -> Channel | None:
    """The Cloud API adapter (pywa is loaded only when WhatsApp is on), or None."""
    if not whatsapp_enabled(settings):
        return None
    missing = [
        name
        for name, value in (
            ("WHATSAPP_ACCESS_TOKEN", settings.whatsapp_access_token),
            ("WHATSAPP_APP_SECRET", settings.whatsapp_app_secret),
            ("WHATSAPP_VERIFY_TOKEN", settings.whatsapp_verify_token),
        )
        if not _secret(value)
    ]
    if missing:
        raise ValueError(f"WhatsApp is on but {', '.join(missing)} is not set")
    if not (settings.webhook_listen or settings.whatsapp_listen):
        raise ValueError("WhatsApp is on but neither WEBHOOK_LISTEN nor WHATSAPP_LISTEN is set")
    from bot.channels.whatsapp_channel import WhatsAppChannel

    return WhatsAppChannel(
        phone_number_id=settings.whatsapp_phone_number_id,
        token=_secret(settings.whatsapp_access_token),
        app_secret=_secret(settings.whatsapp_app_secret),
        verify_token=_secret(settings.whatsapp_verify_token),
        api_url=settings.whatsapp_api_url,
        media_dir=settings.media_dir,
        list_button=catalogs.get(settings.default_language).t("wa.list.button"),
        more=catalogs.get(settings.default_language).t("wa.list.more"),
    )


def whatsapp_pacing(settings: Settings) -> tuple[tuple[str, float, float], ...]:
    """The outbox's limit for each WhatsApp chat: Meta's pair rate (runtime.pacing)."""
    if not whatsapp_enabled(settings):
        return ()
    return ((CHANNEL, 1.0 / settings.whatsapp_pair_seconds, settings.whatsapp_pair_burst),)


def whatsapp_routes(
    settings: Settings, inbox: InboxProcessor, statuses: StoreStatuses | None = None
) -> Sequence[Callable[[web.Application], None]]:
    """The webhook's routes for the listener (none when WhatsApp is off)."""
    if not whatsapp_enabled(settings):
        return ()
    from runtime.whatsapp_webhook import WhatsAppWebhook  # pywa is loaded only when it is on

    async def store(updates: Sequence[dict[str, Any]]) -> int:
        return await inbox.on_updates(CHANNEL, updates)

    webhook = WhatsAppWebhook(
        path=settings.whatsapp_webhook_path,
        phone_number_id=settings.whatsapp_phone_number_id,
        app_secret=_secret(settings.whatsapp_app_secret),
        verify_token=_secret(settings.whatsapp_verify_token),
        store=store,
        store_statuses=statuses,
    )
    return (webhook.add_routes,)
