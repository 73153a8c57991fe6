"""``/dasbor`` through the emulator with the real bot: a group admin gets a single-use console
link in their private chat, it signs them in to their unit's console once; a member who is not
an admin is refused."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from dataclasses import replace

from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select

from emulator import EmulatorClient, TgUser
from emulator.chat import ChatView
from runtime.settings import Settings
from storage.db import create_engine, session_factory
from storage.models import OutboxMessage
from tests.e2e.conftest import RunningBot
from tests.e2e.units import KADES, SEPASO_GROUP, STAF_DESA, setup_groups
from tests.integration.console_forms import sign_in
from web.console import build_console_app
from web.from_settings import console_config

ChatOf = Callable[[TgUser], ChatView]
LINK = re.compile(r"https?://\S+/masuk/(\S+)")


async def test_a_group_admin_gets_a_single_use_console_link_in_private(
    running_bot: RunningBot,
    telegram: EmulatorClient,
    chat_of: ChatOf,
    database_url: str,
    bot_settings: Settings,
) -> None:
    _, sepaso, _ = await setup_groups(telegram, database_url)
    kades = chat_of(KADES)
    await kades.send("/start", "Apakah Anda setuju?")  # the bot may write to them now
    before = await kades.snapshot()
    await sepaso.send("/dasbor", "chat pribadi Anda")
    sent = await kades.expect("/masuk/", before)
    found = LINK.search(str(sent["text"]))
    assert found, sent["text"]
    token = found.group(1)
    # Nothing of the link is shown in the group.
    assert all(token not in text for text in await sepaso.texts())

    member = ChatView(telegram, STAF_DESA, SEPASO_GROUP)
    await member.send("/dasbor", "hanya admin grup")

    engine = create_engine(database_url)
    # Once the outbox has recorded the link as sent, it keeps the text without the token.
    stored = ""
    for _ in range(200):
        async with session_factory(engine)() as session:
            row = await session.scalar(
                select(OutboxMessage)
                .where(OutboxMessage.chat_id == str(KADES.id))
                .order_by(OutboxMessage.id.desc())
            )
        if row is not None and row.sent_at is not None:
            stored = str(row.payload)
            break
        await asyncio.sleep(0.05)
    assert "/masuk/" in stored
    assert token not in stored
    config = replace(console_config(bot_settings), secret=b"e2e")
    client = TestClient(TestServer(build_console_app(config, session_factory(engine))))
    await client.start_server()
    try:
        signed_in = await sign_in(client, token)
        assert signed_in.status == 303
        listing = await client.get("/laporan")
        assert listing.status == 200
        assert "Pak Kades · Desa Sepaso" in await listing.text()
        again = await sign_in(client, token)
        assert again.status == 403
    finally:
        await client.close()
        await engine.dispose()
