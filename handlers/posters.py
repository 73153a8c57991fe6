"""The bot opened from a poster's QR code (issue 31): ``/start <poster code>``.

A code of a desa or kecamatan of the deployment is counted as a scan (the poster's code and
the time, nothing of the person) and starts a new report whose place steps begin with "Laporan
untuk Desa X?" (handlers/intake/poster_step.py); before consent, the privacy notice comes first
and agreeing goes on to the report. A report already being filled in is offered to resume as
/start does. Any other parameter (a damaged or forged code) is answered politely and /start
goes on as usual."""

from __future__ import annotations

from core.posters import poster_code, region_of
from handlers import draft as drafts
from handlers import intake
from handlers.consent import ask_consent, current_citizen
from handlers.intake.flow import has_draft
from handlers.turn import Turn
from storage.models import PosterScan


def known_place(turn: Turn, parameter: str) -> str:
    """The desa or kecamatan the start parameter names, or "" when it names none of ours."""
    region_code = region_of(parameter)
    if region_code is None or not turn.deps.regions.contains(region_code):
        return ""
    return region_code if turn.deps.regions.get(region_code) is not None else ""


async def opened_from_poster(turn: Turn, parameter: str) -> bool:
    """Handle ``/start <parameter>``; False when /start's usual answer should follow."""
    if not parameter:
        return False
    region_code = known_place(turn, parameter)
    if not region_code:
        turn.send(turn.t("poster.unknown_code"))
        return False
    code = poster_code(region_code)
    turn.uow.session.add(PosterScan(poster_code=code, scanned_at=turn.now))
    if has_draft(turn):
        return False
    drafts.update(turn.conversation, poster=code, poster_asked=False)
    if await current_citizen(turn) is None:
        ask_consent(turn, then="new")
    else:
        intake.begin(turn)
    return True
