"""One line per receiving unit's group for a bulk transfer from the console (issue 27).

A bulk transfer of many reports moves each report its own way (``handlers.console_requests``:
the card in the receiving group, the old card edited, the citizen told), but the receiving
group hears "lewat konsol oleh …" once for the whole bulk instead of once per report: when the
bulk's last waiting request is taken (``storage.console.bulk_requests``), one summary with how
many reports came, from whom and why.
"""

from __future__ import annotations

from handlers.actions import SendText
from handlers.case import Case
from handlers.notices import TEXT_MAX
from handlers.outgoing import emit
from handlers.routing import reachable
from storage.console.bulk_requests import others_waiting, transferred_in_bulk
from storage.models import ConsoleRequest


async def after_bulk_transfer(case: Case, request: ConsoleRequest, officer: str) -> None:
    """The summary in the receiving unit's groups (the coordinator's, when it has none) once
    ``request`` was its bulk's last one waiting and any report of it was transferred."""
    uow = case.uow
    if request.batch_id is None or others_waiting(uow.session, request):
        return
    count = await transferred_in_bulk(uow.session, request.batch_id)
    to_unit = await uow.units.get(request.to_unit_id) if request.to_unit_id else None
    if not count or to_unit is None:
        return
    destination = await reachable(case, to_unit)
    if destination is None:
        return
    for chat in await uow.units.chats_of(destination.id):
        tr = case.tr(chat.language)
        text = tr.t(
            "group.console.tr_bulk",
            count=count,
            unit=to_unit.name,
            officer=officer,
            text=request.note or "-",
        )
        action = SendText(chat_id=chat.chat_id, text=text[:TEXT_MAX])
        emit(uow, chat.channel, chat.chat_id, action, case.now)
