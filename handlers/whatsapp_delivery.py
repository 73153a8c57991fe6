"""A WhatsApp message that failed on its way (its status webhook said ``failed``): sent again or
surfaced, by Meta's error code (``core.whatsapp_delivery``, docs/whatsapp.md).

:func:`failure_handler` is what the status webhook and the outbox's recorder call with a failed
message's ``wamid``, inside their transaction; whoever claims the failure first handles it, once
(``storage.wa_deliveries.claim_failure``). Passing trouble: the outbox row is queued again (its
payload carries the attempt), so the resend is paced, ordered and recorded like any send. The
rest: :func:`surface_failed_delivery`, the one place that says so to people.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from core.decisions import SYSTEM
from core.purposes import Purpose
from core.timeline import EventKind
from core.whatsapp_delivery import RETRY, WA_RETRIES_SPENT, failure_action
from handlers.case import Case
from handlers.deps import HandlerDeps
from handlers.notices import to_coordinator_groups, to_holder_groups
from storage.models import OutboxMessage, Report, WhatsAppDelivery
from storage.uow import UnitOfWork
from storage.wa_deliveries import FAILED, claim_failure, statuses_of
from storage.wa_window import record_undelivered

log = logging.getLogger(__name__)

#: The payload key that carries a resend's attempt (1 for the first send).
ATTEMPT_KEY = "wa_attempt"
#: Meta's re-engagement error: more than 24 hours since the citizen last wrote.
WINDOW_SHUT = 131047

FailureHandler = Callable[[UnitOfWork, str], Awaitable[None]]


def failure_handler(deps: HandlerDeps) -> FailureHandler:
    """What to call, in a unit of work, with a message's ``wamid`` that failed."""

    async def handle(uow: UnitOfWork, wamid: str) -> None:
        now = deps.clock()
        delivery = await claim_failure(uow.session, wamid, now)
        if delivery is not None:
            await handle_failure(Case(uow=uow, deps=deps, now=now), delivery)

    return handle


async def handle_failure(case: Case, delivery: WhatsAppDelivery) -> None:
    row = await case.uow.session.get(OutboxMessage, delivery.outbox_id)
    if row is None:
        return
    siblings = await statuses_of(case.uow.session, row.id)
    if any(
        d.wamid != delivery.wamid and d.status == FAILED and d.handled_at is not None
        for d in siblings
    ):
        return  # another message of the same row failed first and was handled for the row
    action = failure_action(delivery.error_code, delivery.attempt)
    if action == RETRY and row.pruned_at is not None:
        action = WA_RETRIES_SPENT
    if action == RETRY:
        log.info(
            "whatsapp: outbox row %d failed on its way (code %s); sending it again (attempt %d)",
            row.id,
            delivery.error_code,
            delivery.attempt + 1,
        )
        case.uow.outbox.add(
            channel=row.channel,
            chat_id=row.chat_id,
            payload={**row.payload, ATTEMPT_KEY: delivery.attempt + 1},
            now=case.now,
            report_id=row.report_id,
            purpose=row.purpose,
            link_action=row.link_action,
        )
        return
    log.warning(
        "whatsapp: outbox row %d failed on its way for good (code %s)", row.id, delivery.error_code
    )
    if delivery.error_code == WINDOW_SHUT:
        # Meta's window shut between the bot's check and Meta's: kept, and sent when the
        # citizen next writes (storage.wa_window), like a refusal at send time.
        await record_undelivered(case.uow.session, [row.id], str(WINDOW_SHUT), case.now)
    if row.report_id is None or row.purpose != Purpose.NOTICE:
        return  # a conversation's screen: the citizen sees no answer and writes again
    report = await case.uow.reports.get(row.report_id)
    if report is not None:
        await surface_failed_delivery(case, report, action)


async def surface_failed_delivery(case: Case, report: Report, reason: str) -> None:
    """A message to the WhatsApp reporter did not arrive and sending again will not help: a
    line on the report's timeline (the console's report page) and the holder's and the
    coordinator's groups told, in words from locales/ (``*.undeliverable.<reason>``).

    The one place a failed delivery is surfaced; a ``wa_window`` one (131047) is also kept
    for the citizen's next message (:func:`handle_failure`)."""
    case.work.record(report, EventKind.UNDELIVERABLE, SYSTEM, note=reason)
    await to_holder_groups(case, report, f"delivery.failed.{reason}")
    await to_coordinator_groups(case, report, f"delivery.failed.{reason}")
