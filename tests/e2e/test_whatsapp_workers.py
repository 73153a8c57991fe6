"""Two ``aduan run`` processes behind one WhatsApp webhook, on one PostgreSQL database (issue
30): Meta's posts land on either worker, and its redeliveries on the other one; every message is
stored once, handled once and in order, and the citizen gets each answer once (the sender's
lease lets one of them send).

Real processes, as tests/e2e/test_workers.py starts them: in one process two bots would share
a pid, and the sender's lease takes a holder with this process's pid for one that has ended.
"""

from __future__ import annotations

import asyncio
import itertools
import socket
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from sqlalchemy import func, select

from emulator import EmulatorClient
from emulator.whatsapp import FakeWhatsApp
from runtime.settings import Settings
from storage.models import Citizen, InboxUpdate, OutboxMessage, Report, WhatsAppDelivery
from tests.databases import database_on, migrate_for_test
from tests.e2e import test_whatsapp_citizen as citizen_tests
from tests.e2e.conftest import BotProcess, ForkServer, wait_until
from tests.e2e.helpers import ChatOf
from tests.e2e.scenario import Scenario
from tests.e2e.test_whatsapp_citizen import NAME, VERIFY_TOKEN, WA_ID, file_on_whatsapp
from tests.e2e.test_whatsapp_statuses import _rows
from tests.e2e.units import card_in
from tests.emulated import FRAMEWORKS
from tests.whatsapp.citizen import WaCitizen, text_of

pytestmark = pytest.mark.postgresql  # two workers share one server

fake = citizen_tests.fake
START_TIMEOUT = 60.0  # a loaded machine takes several seconds to import the bot


@pytest.fixture
async def database_url(tmp_path: Path) -> AsyncIterator[str]:
    async with database_on("postgresql", tmp_path) as url:
        await migrate_for_test(url)
        yield url


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def _listening(url: str) -> bool:
    """Whether a worker answers Meta's verification challenge yet."""
    params = {"hub.mode": "subscribe", "hub.verify_token": VERIFY_TOKEN, "hub.challenge": "1"}
    try:
        async with aiohttp.ClientSession() as session, session.get(url, params=params) as answer:
            return answer.status == 200
    except aiohttp.ClientError:
        return False


@pytest.fixture
async def workers(
    bot_settings: Settings, fake: FakeWhatsApp, tmp_path: Path, fork_server: ForkServer
) -> AsyncIterator[list[str]]:
    """Two worker processes; their webhook URLs once both listen."""
    processes: list[BotProcess] = []
    urls: list[str] = []
    try:
        for index in range(2):
            workdir = tmp_path / f"worker{index}"
            workdir.mkdir()
            process = BotProcess(bot_settings, workdir, fork_server)
            port = _free_port()
            process._env.update(
                {
                    "WHATSAPP_PHONE_NUMBER_ID": fake.phone_number_id,
                    "WHATSAPP_ACCESS_TOKEN": fake.access_token,
                    "WHATSAPP_APP_SECRET": fake.app_secret,
                    "WHATSAPP_VERIFY_TOKEN": VERIFY_TOKEN,
                    "WHATSAPP_LISTEN": f"127.0.0.1:{port}",
                    "WHATSAPP_API_URL": fake.base_url,
                }
            )
            process.start()
            processes.append(process)
            urls.append(f"http://127.0.0.1:{port}{bot_settings.whatsapp_webhook_path}")
        for url, process in zip(urls, processes, strict=True):
            try:
                await wait_until(lambda url=url: _listening(url), START_TIMEOUT)  # type: ignore[misc]
            except TimeoutError:
                raise AssertionError(process.log_text()[-3000:]) from None
        yield urls
    finally:
        for process in processes:
            process.kill()


async def _count(database_url: str, statement: object) -> int:
    [(value,)] = await _rows(database_url, statement)
    return int(value)


@pytest.mark.parametrize("framework", FRAMEWORKS, indirect=True)
async def test_a_journey_posted_to_two_workers_is_handled_once_in_order(
    workers: list[str],
    fake: FakeWhatsApp,
    telegram: EmulatorClient,
    database_url: str,
    chat_of: ChatOf,
) -> None:
    scenario = await Scenario.start(telegram, database_url, chat_of, consent=False)
    turn = itertools.cycle(range(2))
    answers: list[tuple[int, int]] = []  # (worker, HTTP status) of every post
    messages: set[bytes] = set()  # the citizen's messages (each posted to both workers)
    post = fake.post_webhook

    async def to_either(body: bytes, signature: str | None = "") -> int:
        """Each webhook to the next worker; a citizen's message also, at the same moment, to
        the other one (Meta's redelivery after a timeout landing elsewhere)."""
        first = next(turn)
        targets = [first]
        if b'"statuses"' not in body:
            messages.add(body)
            targets.append(1 - first)

        async def one(worker: int) -> int:
            fake.webhook_url = workers[worker]
            answer = await post(body, signature)
            answers.append((worker, answer))
            return answer

        results = await asyncio.gather(*(one(w) for w in targets))
        return results[0]

    fake.post_webhook = to_either  # type: ignore[method-assign]
    citizen = WaCitizen(fake, WA_ID, NAME)
    number = await file_on_whatsapp(citizen, gps=True)
    await card_in(scenario.desa, number)
    await fake.statuses.settled()

    assert {worker for worker, _ in answers} == {0, 1}
    assert all(answer == 200 for _, answer in answers), answers
    # Stored once, handled once: one inbox row per message, each processed.
    posted = select(func.count()).select_from(InboxUpdate).where(InboxUpdate.channel == "whatsapp")
    handled = posted.where(InboxUpdate.processed_at.is_not(None))

    async def all_handled() -> bool:
        return await _count(database_url, handled) == len(messages)

    await wait_until(all_handled)
    assert await _count(database_url, posted) == len(messages)
    # One citizen, one report; every answer reached the citizen once, none twice in a row.
    citizens = select(func.count()).select_from(Citizen).where(Citizen.channel == "whatsapp")
    reports = select(func.count()).select_from(Report).where(Report.channel == "whatsapp")
    assert (await _count(database_url, citizens), await _count(database_url, reports)) == (1, 1)
    texts = [text_of(m) for m in citizen.mine()]
    assert all(a != b for a, b in itertools.pairwise(texts) if a), texts
    # Every message the outbox sent to the citizen is one WhatsApp message, sent once.
    rows = select(func.count()).select_from(OutboxMessage).where(OutboxMessage.chat_id == WA_ID)
    unsent = rows.where(OutboxMessage.sent_at.is_(None))
    assert await _count(database_url, unsent) == 0
    linked = (
        select(func.count())
        .select_from(WhatsAppDelivery)
        .join(OutboxMessage, OutboxMessage.id == WhatsAppDelivery.outbox_id)
        .where(OutboxMessage.chat_id == WA_ID)
    )
    assert await _count(database_url, linked) == len(citizen.mine())
    assert fake.refused == []
