"""What a report's supporters (laporan serupa) receive: its public updates, never anything that
names the reporter or another supporter. Called by ``handlers.notices`` for every message to the
reporter; only the keys in :data:`PUBLIC_UPDATES` go on. See docs/similar.md.
"""

from __future__ import annotations

from collections.abc import Mapping

from core.purposes import Purpose
from handlers.actions import SendText
from handlers.case import Case
from storage.models import Report
from storage.supporters import SupporterRepository

#: The reporter's notices a supporter also gets: the unit's public steps and its answer. A
#: question to the reporter, a relayed private reply and the closing buttons stay the reporter's.
PUBLIC_UPDATES = frozenset(
    {
        "notify.verified",
        "notify.followup",
        "notify.done",
        "notify.archived",
        "notify.transferred",
        "notify.auto_closed",
    }
)
TEXT_MAX = 4096


def supporters(case: Case) -> SupporterRepository:
    return SupporterRepository(case.uow.session)


async def tell_supporters(
    case: Case, report: Report, key: str, words: Mapping[str, object]
) -> None:
    """Send a public update of ``report`` to each of its supporters, in their language."""
    if key not in PUBLIC_UPDATES or report.id is None:
        return
    for citizen in await supporters(case).citizens_of(report.id):
        if citizen.id == report.citizen_id:
            continue
        tr = case.tr(citizen.language)
        header = tr.t("similar.update", number=report.tracking_no)
        text = header + "\n\n" + tr.t(key, number=report.tracking_no, **words)
        case.emit(
            report.channel,
            SendText(chat_id=citizen.chat_id, text=text[:TEXT_MAX]),
            report,
            purpose=Purpose.NONE,
        )
