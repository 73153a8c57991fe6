"""WhatsApp delivery statuses in the database (storage.wa_deliveries), on SQLite and PostgreSQL:
out of order and repeated statuses, a status before the send is recorded, a failure claimed
once, and what a failure's code leads to (core.whatsapp_delivery)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select, text

from core.whatsapp_delivery import MAX_ATTEMPTS, RETRY, failure_action
from runtime.clock import ManualClock
from runtime.outbox_record import OutboxRecorder
from runtime.outbox_rows import SendOutcome, SendRow
from runtime.whatsapp_status import sent_recorder
from storage.models import OutboxMessage, WhatsAppDelivery
from storage.uow import UnitOfWork
from storage.wa_deliveries import apply_status, claim_failure, record_sent
from tests.integration.database import Database

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[Database]:
    database = Database(database_url)
    await database.start()
    yield database
    await database.engine.dispose()


async def _status(db: Database, wamid: str) -> WhatsAppDelivery | None:
    async with db.uow() as uow:
        return await uow.session.get(WhatsAppDelivery, wamid)


async def test_statuses_only_move_forward_and_repeat_harmlessly(db: Database) -> None:
    async with db.uow() as uow:
        assert await record_sent(uow.session, 7, ["wamid.A"], 1, NOW) == []
        for status in ("read", "delivered", "sent", "delivered", "read"):
            assert not await apply_status(uow.session, "wamid.A", status, NOW)
        await uow.commit()
    stored = await _status(db, "wamid.A")
    assert stored is not None
    assert (stored.status, stored.outbox_id, stored.error_code) == ("read", 7, None)


async def test_a_failure_is_kept_with_its_code_and_claimed_once(db: Database) -> None:
    async with db.uow() as uow:
        await record_sent(uow.session, 8, ["wamid.B"], 2, NOW)
        assert await apply_status(uow.session, "wamid.B", "sent", NOW) is False
        failed = await apply_status(
            uow.session, "wamid.B", "failed", NOW, code=131026, title="Message undeliverable"
        )
        assert failed is True
        # Meta's repeat of the same failure, and a late "delivered": neither moves it again.
        assert await apply_status(uow.session, "wamid.B", "failed", NOW, code=131026) is False
        assert await apply_status(uow.session, "wamid.B", "delivered", NOW) is False
        claimed = await claim_failure(uow.session, "wamid.B", NOW)
        assert claimed is not None
        assert claimed.attempt == 2
        assert await claim_failure(uow.session, "wamid.B", NOW) is None
        await uow.commit()
    stored = await _status(db, "wamid.B")
    assert stored is not None
    assert (stored.status, stored.error_code, stored.error_title) == (
        "failed",
        131026,
        "Message undeliverable",
    )


async def test_a_status_that_comes_before_the_send_is_recorded(db: Database) -> None:
    async with db.uow() as uow:
        # Meta's webhook won the race with the sender's commit: kept without its outbox row ...
        assert await apply_status(uow.session, "wamid.C", "failed", NOW, code=131000) is True
        assert await claim_failure(uow.session, "wamid.C", NOW) is None  # nothing to act on yet
        await apply_status(uow.session, "wamid.D", "delivered", NOW)
        # ... and the sender's record completes the pair: the failure is the caller's now.
        assert await record_sent(uow.session, 9, ["wamid.C", "wamid.D"], 1, NOW) == ["wamid.C"]
        assert await claim_failure(uow.session, "wamid.C", NOW) is not None
        await uow.commit()
    stored = await _status(db, "wamid.D")
    assert stored is not None
    assert (stored.status, stored.outbox_id) == ("delivered", 9)


def test_passing_trouble_is_retried_a_few_times_the_rest_is_surfaced() -> None:
    for code in (131000, 131016, 130429, 131056):
        assert failure_action(code, 1) == RETRY
        assert failure_action(code, MAX_ATTEMPTS) == "wa_retries"
    assert failure_action(131026, 1) == "wa_undeliverable"
    assert failure_action(131051, 1) == "wa_unsupported"
    assert failure_action(131047, 1) == "wa_window"
    assert failure_action(999999, 1) == "wa_other"
    assert failure_action(None, 1) == "wa_other"


async def test_a_failing_failure_handler_never_undoes_the_sends_record(db: Database) -> None:
    """An unrecorded send is sent again: trouble handling a failure must leave the send's
    record (and its wamid) alone."""
    async with db.uow() as uow:
        uow.outbox.add(channel="whatsapp", chat_id="628", payload={"kind": "send_text"}, now=NOW)
        await uow.commit()
    async with db.uow() as uow:
        row_id = await uow.session.scalar(select(func.max(OutboxMessage.id)))
        assert row_id is not None
        await apply_status(uow.session, "wamid.E", "failed", NOW, code=131000)
        await uow.commit()

    async def broken(uow: UnitOfWork, wamid: str) -> None:
        await uow.session.execute(text("SELECT no_such_column FROM outbox"))

    recorder = OutboxRecorder(db.uow, ManualClock(NOW), None, sent_recorder(broken))
    row = SendRow(
        key=("whatsapp", "628"), counted=True, reply=False, id=row_id, payload={}, attempts=0
    )
    await recorder.record([(row, SendOutcome(sent=True, message_ids=(5,), wamids=("wamid.E",)))])
    async with db.uow() as uow:
        sent = await uow.session.get(OutboxMessage, row_id)
        assert sent is not None
        assert sent.sent_at is not None
        stored = await uow.session.get(WhatsAppDelivery, "wamid.E")
        assert stored is not None
        assert stored.outbox_id is None  # the savepoint's part was undone, and only it
