"""What ``aduan run`` builds for citizens on WhatsApp (docs/whatsapp.md), from the settings."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from bot.channels.base import Channel
from bot.updates import update_key
from bot.wa_templates import TemplateBook, load_templates
from bot.whatsapp_events import CHANNEL
from locales import Catalogs
from runtime.clock import Clock
from runtime.inbox import InboxProcessor
from runtime.inbox_rows import UowFactory
from runtime.settings import Settings
from storage.wa_window import whatsapp_inbound, window_open

if TYPE_CHECKING:
    from aiohttp import web

    from runtime.whatsapp_status import StoreStatuses


def _secret(value: Any) -> str:
    return value.get_secret_value() if value is not None else ""


def whatsapp_enabled(settings: Settings) -> bool:
    return bool(settings.whatsapp_phone_number_id)


def whatsapp_templates(settings: Settings, catalogs: Catalogs) -> TemplateBook:
    """The approved templates (bot.wa_templates), checked against the notices' message keys."""
    tr = catalogs.get(settings.default_language)
    return load_templates(
        settings.whatsapp_templates_file,
        is_notice=lambda key: key.startswith("notify.") and tr.t(key) != key,
        default_language=settings.default_language,
    )


def make_whatsapp_channel(
    settings: Settings,
    catalogs: Catalogs,
    uow_factory: UowFactory | None = None,
    clock: Clock | None = None,
) -> Channel | None:
    """The Cloud API adapter (pywa is loaded only when WhatsApp is on), or None. With a
    database (``uow_factory``, ``clock``) it keeps to each chat's 24-hour window."""
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

    window = None
    if uow_factory is not None and clock is not None:
        factory, now = uow_factory, clock

        async def window(chat_id: str) -> bool:
            async with factory() as uow:
                return await window_open(uow.session, chat_id, now())

    return WhatsAppChannel(
        phone_number_id=settings.whatsapp_phone_number_id,
        token=_secret(settings.whatsapp_access_token),
        app_secret=_secret(settings.whatsapp_app_secret),
        verify_token=_secret(settings.whatsapp_verify_token),
        api_url=settings.whatsapp_api_url,
        media_dir=settings.media_dir,
        list_button=catalogs.get(settings.default_language).t("wa.list.button"),
        more=catalogs.get(settings.default_language).t("wa.list.more"),
        window=window,
        templates=whatsapp_templates(settings, catalogs),
    )


def whatsapp_pacing(settings: Settings) -> tuple[tuple[str, float, float], ...]:
    """The outbox's limit for each WhatsApp chat: Meta's pair rate (runtime.pacing)."""
    if not whatsapp_enabled(settings):
        return ()
    return ((CHANNEL, 1.0 / settings.whatsapp_pair_seconds, settings.whatsapp_pair_burst),)


def whatsapp_overall(settings: Settings) -> tuple[tuple[str, float], ...]:
    """WhatsApp's overall rate, a lane of its own beside Telegram's (runtime.pacing)."""
    if not whatsapp_enabled(settings):
        return ()
    return ((CHANNEL, settings.whatsapp_per_second),)


def whatsapp_routes(
    settings: Settings,
    inbox: InboxProcessor,
    uow_factory: UowFactory,
    clock: Clock,
    statuses: StoreStatuses | None = None,
) -> Sequence[Callable[[web.Application], None]]:
    """The webhook's routes for the listener (none when WhatsApp is off). Before its messages
    are stored, their chats' windows open and what waited for them is queued (in this order:
    a redelivery after a failed store finds the windows open and nothing more to queue)."""
    if not whatsapp_enabled(settings):
        return ()
    from runtime.whatsapp_webhook import WhatsAppWebhook  # pywa is loaded only when it is on

    async def store(updates: Sequence[dict[str, Any]]) -> int:
        async with uow_factory() as uow:
            chats = [update_key(CHANNEL, update)[0] for update in updates]
            await whatsapp_inbound(uow, [chat for chat in chats if chat], clock())
            await uow.commit()
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
