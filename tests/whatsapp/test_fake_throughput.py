"""The fake Graph API's throughput limit (Meta's messages a second per number, error 130429), which
``python -m bench whatsapp`` delivers a burst under: over it, the send is refused and counted, and
the channel waits and tries again as it does for Meta."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.channels.errors import RetryAfter
from bot.channels.whatsapp_channel import WhatsAppChannel
from emulator.whatsapp import FakeWhatsApp
from tests.whatsapp.test_fake import Clock


@pytest.fixture
async def limited() -> AsyncIterator[FakeWhatsApp]:
    # Each citizen wrote within 24 hours: the window is not what stops a message here.
    server = FakeWhatsApp(per_second=3, timer=Clock(), enforce_window=False)
    await server.start()
    yield server
    await server.stop()


async def test_a_fourth_message_in_one_second_is_refused_with_130429(
    limited: FakeWhatsApp, tmp_path: Path
) -> None:
    channel = WhatsAppChannel(
        phone_number_id=limited.phone_number_id,
        token=limited.access_token,
        app_secret=limited.app_secret,
        verify_token="v",
        api_url=limited.base_url,
        media_dir=tmp_path,
    )
    try:
        for n in range(3):  # three numbers, one each: the pair rate is not what stops them
            to = f"62812000000{n}"
            assert await channel.call("whatsapp", {"ops": [{"op": "text", "to": to, "text": "a"}]})
        fourth = {"ops": [{"op": "text", "to": "628120000009", "text": "b"}]}
        with pytest.raises(RetryAfter) as waited:
            await channel.call("whatsapp", fourth)
        assert "130429" in waited.value.description
        assert limited.refusals == {130429: 1}
        limited.timer.now += 0.5  # type: ignore[attr-defined]
        with pytest.raises(RetryAfter):  # still inside the same second
            await channel.call("whatsapp", fourth)
        limited.timer.now += 0.6  # type: ignore[attr-defined]
        assert await channel.call("whatsapp", fourth)
        assert len(limited.sent) == 4
    finally:
        await channel.close()
