"""Acting from the console with the real bot on the loopback emulator: the coordinator verifies
a report in the console, and the bot's own worker takes the request as it takes a button press:
the citizen hears it in their chat, the village's card moves on and its group reads that it was
done in the console, and by whom."""

from __future__ import annotations

import re
from dataclasses import replace

from aiohttp.test_utils import TestClient, TestServer

from emulator import EmulatorClient
from runtime.clock import system_clock
from runtime.settings import Settings
from storage.console import issue_login
from storage.db import create_engine, session_factory
from storage.uow import UnitOfWork
from tests.e2e.conftest import RunningBot
from tests.e2e.helpers import ChatOf
from tests.e2e.scenario import FORWARDED, VERIFIED, Scenario
from tests.e2e.units import KOORDINATOR, card_in
from tests.integration.console_forms import form_token, sign_in
from web.console import build_console_app
from web.from_settings import console_config

#: The inbox worker looks for work it was not woken for every few seconds (a console request
#: is written by another process, which cannot wake it).
BOT_TIMEOUT = 20.0
REFRESH = re.compile(r'<meta http-equiv="refresh" content="2')


async def test_a_console_verification_reaches_the_citizen_and_the_group(
    running_bot: RunningBot,
    telegram: EmulatorClient,
    chat_of: ChatOf,
    database_url: str,
    bot_settings: Settings,
) -> None:
    scenario = await Scenario.start(telegram, database_url, chat_of)
    number, _ = await scenario.file()
    before = await scenario.citizen.snapshot()

    engine = create_engine(database_url)
    sessions = session_factory(engine)
    async with UnitOfWork(sessions) as uow:
        coordinator = await uow.units.by_code("diskominfo")
        assert coordinator is not None
        token = await issue_login(
            uow.session,
            coordinator.id,
            now=system_clock(),
            user_id=str(KOORDINATOR.id),
            user_name="Rina",
        )
        await uow.commit()
    config = replace(console_config(bot_settings), secret=b"e2e")
    client = TestClient(TestServer(build_console_app(config, sessions)))
    await client.start_server()
    try:
        assert (await sign_in(client, token)).status == 303
        page = f"/laporan/{number}"
        csrf = await form_token(client, page)
        asked = await client.post(
            f"{page}/tindakan", data={"csrf": csrf, "aksi": "vf", "status": "baru"}
        )
        assert asked.status == 200
        assert REFRESH.search(await asked.text())

        await scenario.citizen.expect(VERIFIED, before, timeout=BOT_TIMEOUT)
        await card_in(scenario.desa, number, showing=FORWARDED, timeout=BOT_TIMEOUT)
        line = await scenario.desa.expect("lewat konsol oleh Rina", {}, timeout=BOT_TIMEOUT)
        assert number in str(line["text"])
        done = await (await client.get(asked.url.path_qs)).text()
        assert "✅ Terverifikasi" in done
        assert not REFRESH.search(done)
    finally:
        await client.close()
        await engine.dispose()
