"""Stored updates of every channel: which chat, and which event (Telegram's or WhatsApp's JSON)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot import telegram_events, whatsapp_events
from handlers.events import ChatKind, Event


def update_key(channel: str, update: Mapping[str, Any]) -> tuple[str, str]:
    """The chat id and media group id an update belongs to."""
    if channel == whatsapp_events.CHANNEL:
        return whatsapp_events.update_key(update)
    return telegram_events.update_key(update)


def to_event(update: Mapping[str, Any], channel: str) -> Event:
    if channel == whatsapp_events.CHANNEL:
        return whatsapp_events.to_event(update, channel)
    return telegram_events.to_event(update, channel)


def update_chat_kind(channel: str, update: Mapping[str, Any]) -> ChatKind | None:
    if channel == whatsapp_events.CHANNEL:
        return ChatKind.PRIVATE  # citizens only: units stay in their Telegram groups
    return telegram_events.update_chat_kind(update)
