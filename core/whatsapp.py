"""The WhatsApp channel's name, as reports, citizens and chats carry it (docs/whatsapp.md)."""

from __future__ import annotations

WHATSAPP_CHANNEL = "whatsapp"
