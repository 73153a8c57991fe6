"""WhatsApp delivery statuses at run time (docs/whatsapp.md): the status webhook's news stored,
and the ids of what the outbox sent recorded beside its rows.

Both sides may come first (Meta often posts ``sent`` before the sender's commit), so both end the
same way: a message whose stored status is ``failed`` and whose outbox row is known is handed
to ``handlers.whatsapp_delivery`` in the same transaction, by whichever side completes the pair.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from handlers.whatsapp_delivery import ATTEMPT_KEY, FailureHandler
from runtime.clock import Clock
from runtime.inbox_rows import UowFactory
from runtime.outbox_rows import SendRow
from storage.uow import UnitOfWork
from storage.wa_deliveries import apply_status, record_sent

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class StatusNews:
    """One entry of a webhook's ``statuses``."""

    wamid: str
    status: str
    code: int | None = None
    title: str = ""


StoreStatuses = Callable[[Sequence[StatusNews]], Awaitable[None]]


def statuses_in(body: dict[str, Any]) -> list[StatusNews]:
    """The statuses a webhook body carries (its phone number id is checked by the caller)."""
    news: list[StatusNews] = []
    for entry in body.get("entry") or []:
        for change in entry.get("changes") or []:
            for status in (change.get("value") or {}).get("statuses") or []:
                wamid = str(status.get("id", ""))
                if not wamid:
                    continue
                errors = status.get("errors") or [{}]
                code = errors[0].get("code")
                news.append(
                    StatusNews(
                        wamid=wamid,
                        status=str(status.get("status", "")),
                        code=int(code) if str(code or "").isdigit() else None,
                        title=str(errors[0].get("title") or errors[0].get("message") or ""),
                    )
                )
    return news


def status_store(
    uow_factory: UowFactory,
    clock: Clock,
    failures: FailureHandler,
    on_commit: Callable[[], None] = lambda: None,
) -> StoreStatuses:
    """What the webhook calls with a POST's statuses: all stored in one transaction (a resend
    it queued wakes the outbox: ``on_commit``)."""

    async def store(news: Sequence[StatusNews]) -> None:
        async with uow_factory() as uow:
            now = clock()
            for item in news:
                failed = await apply_status(
                    uow.session, item.wamid, item.status, now, code=item.code, title=item.title
                )
                if failed:
                    await failures(uow, item.wamid)
            await uow.commit()
        on_commit()

    return store


def sent_recorder(
    failures: FailureHandler,
) -> Callable[[UnitOfWork, SendRow, Sequence[str], datetime], Awaitable[None]]:
    """The outbox recorder's hook: a sent row's WhatsApp ids, in the round's transaction."""

    async def on_sent(uow: UnitOfWork, row: SendRow, wamids: Sequence[str], now: datetime) -> None:
        attempt = int(row.payload.get(ATTEMPT_KEY, 1))
        # In a savepoint: whatever goes wrong here must not undo the send's own record (an
        # unrecorded send is sent again).
        await uow.outbox.write_queued()
        try:
            async with uow.session.begin_nested():
                for wamid in await record_sent(uow.session, row.id, wamids, attempt, now):
                    await failures(uow, wamid)
                await uow.outbox.write_queued()
        except Exception:
            uow.outbox.discard_queued()
            log.exception("whatsapp: the statuses of outbox row %d were not recorded", row.id)

    return on_sent
