"""A citizen cannot drown a unit's group: their messages about a report are gathered.

A group may receive 20 messages a minute. Relayed one by one, a citizen writing every half second
would queue minutes of messages ahead of the officers' own answers and other citizens' cards.
So, per report and group, the reporter's texts that are still waiting to be sent are gathered
into **one** message (with their count): a new text takes back the waiting message and queues
one that carries both. It goes to the back of the group's queue, so cards and answers queued
meanwhile go first. A message already on its way cannot be taken back; at worst its text is
shown twice, never lost. Photos are sent as they are, but count too: with
``relay_max_pending`` messages of a report still waiting for a group, the citizen is asked to
wait a moment (their message is not taken, so nothing is half-recorded).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from core.purposes import Purpose
from handlers.actions import SendText
from handlers.outgoing import emit
from locales import Translator
from storage.models import Report, UnitChat
from storage.uow import UnitOfWork

#: The payload key that holds the gathered texts of a relay message.
BATCH = "batch"
#: The payload key saying whose words they are: the reporter's, or supporters' (laporan serupa,
#: never who); each is gathered only with its own kind.
SOURCE = "from"
FROM_REPORTER = "pelapor"
FROM_SUPPORTER = "pendukung"
MESSAGE_MAX = 4096


def render(tr: Translator, number: str, texts: Sequence[str], source: str = FROM_REPORTER) -> str:
    if source == FROM_SUPPORTER:
        if len(texts) == 1:
            return tr.t("group.supporter_note", number=number, text=texts[0])
        body = "\n\n".join(f"• {text}" for text in texts)
        return tr.t("relay.from_supporter_batch", number=number, count=len(texts), text=body)
    if len(texts) == 1:
        return tr.t("group.from_reporter", number=number, text=texts[0])
    body = "\n\n".join(f"• {text}" for text in texts)
    return tr.t("relay.from_reporter_batch", number=number, count=len(texts), text=body)


async def over_budget(
    uow: UnitOfWork, report: Report, chats: Sequence[UnitChat], most: int
) -> bool:
    """Whether some group still has ``most`` or more of this report's relays waiting."""
    for chat in chats:
        waiting = await uow.outbox.unsent_for_report(
            chat.channel, chat.chat_id, report.id, Purpose.RELAY
        )
        if len(waiting) >= most:
            return True
    return False


async def queue_text(
    uow: UnitOfWork,
    tr: Translator,
    report: Report,
    chat: UnitChat,
    text: str,
    now: datetime,
    *,
    source: str = FROM_REPORTER,
) -> None:
    """Queue the reporter's (or a supporter's) ``text`` for ``chat``, gathered with the texts of
    the same ``source`` still waiting."""
    texts = [text]
    waiting = await uow.outbox.unsent_for_report(
        chat.channel, chat.chat_id, report.id, Purpose.RELAY
    )
    gathered = [
        row
        for row in waiting
        if isinstance(row.payload.get(BATCH), list)
        and row.payload.get(SOURCE, FROM_REPORTER) == source
    ]
    if gathered:
        last = gathered[-1]
        merged = [*(str(t) for t in last.payload[BATCH]), text]
        fits = len(render(tr, report.tracking_no, merged, source)) <= MESSAGE_MAX
        if fits and await uow.outbox.supersede(
            last.id, now=now, note="gathered into a later relay"
        ):
            texts = merged
    action = SendText(
        chat_id=chat.chat_id,
        text=render(tr, report.tracking_no, texts, source)[:MESSAGE_MAX],
        reply_to_purpose=Purpose.CARD,
    )
    emit(
        uow,
        chat.channel,
        chat.chat_id,
        action,
        now,
        report_id=report.id,
        purpose=Purpose.RELAY,
        extra={BATCH: texts, SOURCE: source},
    )
