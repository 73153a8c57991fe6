"""Who may do what to a report, and in which status: read from the lifecycle table.

The table (``core.lifecycle.LIFECYCLE``) says, per action, who may take it, in which statuses
and where it leads; this module derives the permission sets from it (:data:`ACTORS`,
:data:`ALLOWED_IN`), refuses an impossible action with a reason key that the handlers turn into
a sentence, and says where an allowed one leads. :func:`core.decisions.decide` reads these;
nothing else should decide a report's change. See docs/lifecycle.md.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from types import MappingProxyType
from typing import Final

from core.lifecycle import PAUSED_STATUS, RETURNS, ROWS, Move, ReportStatus
from core.lifecycle import ActorKind as ActorKind
from core.lifecycle import CaseAction as CaseAction

_S = ReportStatus


class UnitKind(StrEnum):
    COORDINATOR = "coordinator"
    OPD = "opd"
    KECAMATAN = "kecamatan"
    DESA = "desa"


#: Reasons for archiving (SP4N-LAPOR! "Arsip"); values go into button data.
ARCHIVE_REASONS = ("tidak_jelas", "bukan_layanan", "duplikat", "spam", "lainnya")

#: Who may take each action (derived from the lifecycle table).
ACTORS: Final[Mapping[CaseAction, frozenset[ActorKind]]] = MappingProxyType(
    {action: ROWS[action].actors for action in CaseAction}
)

#: The statuses in which each action is possible (``SUBMIT`` needs no report yet: see
#: :func:`refusal`).
ALLOWED_IN: Final[Mapping[CaseAction, frozenset[ReportStatus]]] = MappingProxyType(
    {action: frozenset(s for s in ROWS[action].moves if s is not None) for action in CaseAction}
)


def refusal(
    action: CaseAction, status: ReportStatus | None, actor: ActorKind = ActorKind.OFFICER
) -> str:
    """Why ``actor`` may not take ``action`` in ``status`` (a reason key), or '' when allowed.

    ``status`` None means no report exists yet (only ``SUBMIT`` is possible then).
    """
    return move_refusal(action, status, actor)


def move_refusal(action: Move, status: ReportStatus | None, actor: ActorKind) -> str:
    """:func:`refusal` for any move of the lifecycle table (the system's upkeep included)."""
    row = ROWS[action]
    if actor not in row.actors:
        return "not_permitted"
    if None in row.moves:
        return "" if status is None else "already_submitted"
    if status is None:
        return "no_report"
    if status in row.moves:
        return ""
    if row.refused:
        return row.refused
    if status == _S.DIARSIPKAN:
        return "archived"
    if status == _S.DIRUJUK:
        return "referred"
    if status == _S.SELESAI:
        return "finished"
    if status == _S.BARU:
        return "not_verified"
    return row.refusals.get(status, "not_allowed")


def reporter_message(status: ReportStatus) -> CaseAction:
    """What a reporter's message about a report is: the answer to a pending question, or more
    information."""
    return CaseAction.RESUME if status == _S.MENUNGGU_PELAPOR else CaseAction.INFO


def next_status(
    action: Move, status: ReportStatus, paused: ReportStatus | None = None
) -> ReportStatus:
    """The status after ``action`` (assumed allowed: check :func:`refusal` first); ``paused``
    is where the unit was before it asked the reporter."""
    after = ROWS[action].moves.get(status, status)
    if after is PAUSED_STATUS:
        return paused if paused in RETURNS[action] else _S.DIPROSES
    return after


def actor_kind(unit_kind: str) -> ActorKind:
    """The kind of an officer acting from a group of a unit of ``unit_kind``."""
    return ActorKind.COORDINATOR if unit_kind == UnitKind.COORDINATOR else ActorKind.OFFICER


def may_act(chat_unit_kind: str, chat_unit_id: int, report_unit_id: int | None) -> bool:
    """Officers act on a report only from a group of the unit that holds it; the coordinator's
    group may act on any report."""
    if chat_unit_kind == UnitKind.COORDINATOR:
        return True
    return report_unit_id is not None and chat_unit_id == report_unit_id
