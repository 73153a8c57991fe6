"""Filing a report on a citizen's behalf (lapor atas nama warga), the submit's side: the
citizen as the reporter (never the officer), the counter filing beside the report, and the slip
with the tracking number and the claim code (core.counter). The conversation that gathers the
citizen's details is handlers/counter.py; the report's own steps are the intake's."""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable
from typing import Any

from core.counter import VIAS, claim_hash, new_claim_code
from handlers.consent import CONSENT_VERSION
from handlers.formatting import long_date
from handlers.menu import main_menu
from handlers.turn import Turn
from storage.models import Citizen, CounterFiling, Report


def via_of(behalf: dict[str, Any]) -> str:
    via = behalf.get("via")
    return via if isinstance(via, str) and via in VIAS else VIAS[0]


async def citizen_for(turn: Turn, behalf: dict[str, Any]) -> Citizen:
    """The citizen the officer files for: a reporter of their own, with no chat until they
    claim the report (their consent is the officer's to ask for at the counter)."""
    via = via_of(behalf)
    return await turn.uow.citizens.add(
        Citizen(
            channel=via,
            user_id=f"{via}:{secrets.token_hex(8)}",
            chat_id="",
            name=str(behalf.get("name") or "")[:200],
            phone=str(behalf.get("phone") or "")[:32],
            language=turn.conversation.language,
            consent_at=turn.now,
            consent_version=CONSENT_VERSION,
            created_at=turn.now,
        )
    )


def beside(turn: Turn, behalf: dict[str, Any], code: str) -> Callable[[Report], Awaitable[None]]:
    """What is stored beside the new report before its card is written."""

    async def store(report: Report) -> None:
        unit_id = behalf.get("unit_id")
        turn.uow.session.add(
            CounterFiling(
                report_id=report.id,
                via=via_of(behalf),
                unit_id=unit_id if isinstance(unit_id, int) else None,
                officer_id=turn.event.sender.user_id,
                officer_name=turn.event.sender.display_name[:200],
                claim_hash=claim_hash(report.tracking_no, code),
                claim_failures=0,
                created_at=turn.now,
            )
        )
        await turn.uow.session.flush()

    return store


def new_code() -> str:
    return new_claim_code()


def send_slip(turn: Turn, report: Report, behalf: dict[str, Any], code: str) -> None:
    """The slip (tanda terima) for the officer to forward to the citizen or read out."""
    due = long_date(report.due_date, turn.conversation.language) if report.due_date else "-"
    turn.send(
        turn.t(
            "counter.slip",
            name=str(behalf.get("name") or "-"),
            number=report.tracking_no,
            code=code,
            due=due,
            via=turn.t(f"counter.via.{via_of(behalf)}"),
        ),
        main_menu(turn.tr),
    )
