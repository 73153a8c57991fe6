"""What a report's supporters (laporan serupa) receive: news of the unit's steps in words written
for them, and of the unit's own words only the final answer ("selesai"), which is meant for the
public. Never a follow-up note, a question or a reply: those are written to the reporter and
quote them (name, house, phone). Called by ``handlers.notices`` for every message to the
reporter; only the keys in :data:`PUBLIC_UPDATES` go on. See docs/similar.md.
"""

from __future__ import annotations

from collections.abc import Mapping

from core.purposes import Purpose
from core.redaction import redact
from handlers.actions import SendText
from handlers.case import Case
from storage.models import Report
from storage.supporters import SupporterRepository

#: The reporter's notice → what a supporter gets instead. Reporter's notices not listed here (a
#: question, a reply, a relayed message, the closing buttons) stay the reporter's.
PUBLIC_UPDATES: Mapping[str, str] = {
    "notify.verified": "similar.news.verified",
    "notify.followup": "similar.news.followup",
    "notify.done": "similar.news.done",
    "notify.archived": "similar.news.archived",
    "notify.transferred": "similar.news.transferred",
    "notify.auto_closed": "similar.news.auto_closed",
}
#: The one supporters' notice that carries the unit's words: the final answer.
PUBLIC_ANSWER = "notify.done"
TEXT_MAX = 4096


def supporters(case: Case) -> SupporterRepository:
    return SupporterRepository(case.uow.session)


async def _identity(case: Case, report: Report) -> tuple[str, ...]:
    """How the reporter is named (name, username, user id): kept out of what supporters read."""
    reporter = await case.uow.citizens.by_id(report.citizen_id)
    return (reporter.name, reporter.username, reporter.user_id) if reporter else ()


async def tell_supporters(
    case: Case, report: Report, key: str, words: Mapping[str, object]
) -> None:
    """Send news of ``report`` to each of its supporters, in their language."""
    news = PUBLIC_UPDATES.get(key)
    if news is None or report.id is None or case.supporters_counted.get(report.id) == 0:
        return  # nothing to tell, or no one: the step's card counted none
    followers = [
        c for c in await supporters(case).citizens_of(report.id) if c.id != report.citizen_id
    ]
    if not followers:
        return
    # The holder's name, never the officer's (the reporter may see it when the unit says so).
    unit = await case.uow.units.get(report.unit_id) if report.unit_id else None
    answer = str(words.get("text") or "-") if key == PUBLIC_ANSWER else ""
    identity = await _identity(case, report) if answer else ()
    for citizen in followers:
        tr = case.tr(citizen.language)
        header = tr.t("similar.update", number=report.tracking_no)
        body = tr.t(
            news,
            number=report.tracking_no,
            unit=unit.name if unit else "-",
            text=redact(answer, identity, tr.t("similar.hidden")),
        )
        case.emit(
            report.channel,
            SendText(chat_id=citizen.chat_id, text=(header + "\n\n" + body)[:TEXT_MAX]),
            report,
            purpose=Purpose.NONE,
        )
