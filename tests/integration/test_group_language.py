"""A group registered with ``/daftar`` speaks the bot's default language (``DEFAULT_LANGUAGE``)
from its first message: its confirmation and the officers' pinned guide."""

from __future__ import annotations

from datetime import timedelta

from cases.bindings import IssuedCode, issue_code
from locales import Catalogs
from storage.uow import UnitOfWork
from tests.integration.conversation_driver import Driver
from tests.integration.test_admin_ask_first import KADES, NEW_CHAT, GroupBot, group_message

EN = Catalogs("en").get("en")


async def test_a_group_registered_on_an_english_bot_hears_english(database_url: str) -> None:
    driver = Driver(database_url)
    await driver.start()
    try:
        bot = GroupBot(driver, language="en")
        await bot.setup()
        async with UnitOfWork(driver.factory) as uow:
            coordinator = await uow.units.coordinator()
            pupr = await uow.units.by_code("dinas-pupr")
            assert coordinator is not None
            assert pupr is not None
            issued = await issue_code(
                uow, driver.clock(), coordinator, pupr.code, ttl=timedelta(hours=1), admin=True
            )
            assert isinstance(issued, IssuedCode)
            await uow.commit()
        said = await bot.receive(group_message(NEW_CHAT, KADES, f"/daftar {issued.code}"))
        assert EN.t("group.bound", unit=pupr.name) in said
        assert EN.t("group.guide") in said
    finally:
        await driver.close()
