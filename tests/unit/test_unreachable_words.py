"""Which words a failed message to the reporter is told under (cases.reporter.unreachable_reason):
a WhatsApp reporter's failure by WhatsApp's code, never Telegram's words; Telegram's unchanged."""

from __future__ import annotations

import pytest

from cases.reporter import unreachable_reason


@pytest.mark.parametrize(
    ("error", "channel", "reason"),
    [
        ("Forbidden: bot was blocked by the user", "telegram", "blocked"),
        ("Bad Request: chat not found", "telegram", "gone"),
        ("Bad Request: message is too long", "telegram", "other"),
        ("whatsapp 131047: Re-engagement message", "whatsapp", "wa_window"),
        ("whatsapp no_template: the 24-hour window is shut", "whatsapp", "wa_window"),
        ("whatsapp 131026: Message undeliverable", "whatsapp", "wa_undeliverable"),
        ("whatsapp 131051: Unsupported message type", "whatsapp", "wa_unsupported"),
        ("whatsapp 131030: Recipient phone number not in allowed list", "whatsapp", "wa_other"),
        ("whatsapp 131008: user blocked", "whatsapp", "wa_other"),
        ("evidence file missing: local:abc.jpg", "whatsapp", "wa_other"),
    ],
)
def test_the_reason_follows_the_reporters_channel(error: str, channel: str, reason: str) -> None:
    assert unreachable_reason(error, channel) == reason
