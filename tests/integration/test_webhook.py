"""The webhook listener on a real database: the secret, the inbox before 200, health checks."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import aiohttp
import pytest
from sqlalchemy import select, text

from runtime.clock import ManualClock
from runtime.inbox_rows import record_update
from runtime.metrics import Metrics
from runtime.webhook import SECRET_HEADER, Listen, WebhookServer
from storage.db import migration_head, schema_problem
from storage.models import InboxUpdate
from tests.integration.database import Database
from tests.integration.test_runtime import text_update

SECRET = "rahasia-Kutim_2026"
PATH = "/telegram/webhook"


class Listener:
    def __init__(self, db: Database, server: WebhookServer) -> None:
        self.db = db
        self.server = server
        self.base = f"http://127.0.0.1:{server.port}"
        self.fail_next = False

    async def post(self, body: Any, secret: str | None = SECRET) -> int:
        headers = {SECRET_HEADER: secret} if secret is not None else {}
        async with (
            aiohttp.ClientSession() as session,
            session.post(self.base + PATH, json=body, headers=headers) as response,
        ):
            return response.status

    async def get(self, path: str) -> tuple[int, str]:
        async with aiohttp.ClientSession() as session, session.get(self.base + path) as response:
            return response.status, await response.text()

    async def stored(self) -> list[int]:
        async with self.db.uow() as uow:
            rows = await uow.session.scalars(select(InboxUpdate.update_id))
            return sorted(rows)


@pytest.fixture
async def listener(database_url: str) -> AsyncIterator[Listener]:
    db = Database(database_url)
    await db.start()
    clock = ManualClock()
    head = migration_head()
    holder: list[Listener] = []

    async def on_update(update: dict[str, Any]) -> None:
        if holder[0].fail_next:
            holder[0].fail_next = False
            raise ConnectionError("database went away")
        await record_update(db.uow, "telegram", update, clock)

    async def ready() -> str | None:
        return await schema_problem(db.engine, head)

    server = WebhookServer(
        listen=Listen("127.0.0.1", 0), path=PATH, secret=SECRET, on_update=on_update, ready=ready
    )
    await server.start()
    holder.append(Listener(db, server))
    yield holder[0]
    await server.stop()
    await db.engine.dispose()


async def test_an_update_is_in_the_inbox_when_telegram_gets_200(listener: Listener) -> None:
    update = text_update(42, "halo")
    assert await listener.post(update) == 200
    assert await listener.stored() == [update["update_id"]]
    # Telegram did not get the answer and sends it again: 200, still stored once.
    assert await listener.post(update) == 200
    assert await listener.stored() == [update["update_id"]]


async def test_a_wrong_or_missing_secret_is_refused_and_nothing_stored(
    listener: Listener,
) -> None:
    assert await listener.post(text_update(42, "palsu"), secret="tebakan") == 401
    assert await listener.post(text_update(42, "palsu"), secret=None) == 401
    assert await listener.post(text_update(42, "palsu"), secret=SECRET + "x") == 401
    assert await listener.stored() == []


async def test_what_is_not_an_update_is_refused(listener: Listener) -> None:
    assert await listener.post(["bukan", "update"]) == 400
    assert await listener.post({"message": {}}) == 400
    assert await listener.stored() == []


async def test_an_update_that_could_not_be_stored_is_not_acknowledged(
    listener: Listener,
) -> None:
    update = text_update(42, "halo")
    listener.fail_next = True
    assert await listener.post(update) == 500  # Telegram delivers it again
    assert await listener.stored() == []
    assert await listener.post(update) == 200
    assert await listener.stored() == [update["update_id"]]


async def test_health_and_readiness(listener: Listener) -> None:
    assert await listener.get("/healthz") == (200, "ok")
    assert await listener.get("/readyz") == (200, "ready")
    async with listener.db.uow() as uow:  # a database from another version of the program
        await uow.session.execute(text("UPDATE alembic_version SET version_num = 'lama'"))
        await uow.commit()
    status, body = await listener.get("/readyz")
    assert status == 503
    assert "schema at lama" in body


async def test_metrics_show_the_backlog_and_its_age(listener: Listener) -> None:
    db = listener.db
    old = datetime.now(UTC) - timedelta(minutes=5)
    await record_update(db.uow, "telegram", text_update(42, "menunggu"), lambda: old)
    metrics = Metrics(db.uow, {"sender": lambda: True, "clock": lambda: False})
    metrics.updates_received.inc()
    text_out = (await metrics.render()).decode()
    assert 'aduan_backlog{queue="inbox"} 1.0' in text_out
    assert 'aduan_backlog{queue="outbox"} 0.0' in text_out
    age = next(
        float(line.split()[-1])
        for line in text_out.splitlines()
        if line.startswith('aduan_backlog_oldest_seconds{queue="inbox"}')
    )
    assert 290 < age < 3600
    assert 'aduan_leader{duty="sender"} 1.0' in text_out
    assert 'aduan_leader{duty="clock"} 0.0' in text_out
    assert "aduan_updates_received_total 1.0" in text_out
