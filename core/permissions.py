"""Who may do what to a report, and in which status (the permission table).

The status table (``core.lifecycle``) says which status changes exist; this module names the
actions people and the reminder engine take (buttons, commands, scheduled rounds), who may take
each one, and refuses an impossible one with a reason key that the handlers turn into a sentence.
:func:`core.decisions.decide` reads these tables; nothing else should decide a report's change.
See docs/lifecycle.md for the table in prose.
"""

from __future__ import annotations

from enum import StrEnum

from core.lifecycle import ReportStatus

_S = ReportStatus


class CaseAction(StrEnum):
    """An action on a report; values go into button data and timeline events, keep them stable."""

    # The unit's officers (and the coordinator's).
    VERIFY = "vf"  # Verifikasi: the report is real and belongs here → didisposisi
    ASK = "ask"  # Minta info: a question to the reporter → menunggu_pelapor (clock paused)
    NOTE = "tl"  # Tindak lanjut: the unit is acting, with a note → diproses
    DONE = "done"  # Selesai, with the answer → selesai
    TRANSFER = "tr"  # Alihkan: bukan wewenang, to another unit (an event, not a status)
    ARCHIVE = "ar"  # Arsipkan, with a reason from a list → diarsipkan
    ANSWER = "ans"  # an officer's reply relayed to the reporter
    # The reporter (pelapor).
    SUBMIT = "submit"  # a new report → baru
    INFO = "info"  # more information from the reporter; no status change
    RESUME = "resume"  # the reporter answered a question → back to where the unit was
    REOPEN = "reopen"  # the reporter says "belum selesai" → diproses
    CONFIRM = "confirm"  # the reporter says "sudah selesai": closed for good
    RATE = "rate"  # the reporter rates the answer (1-5)
    # The reminder engine (pengingat).
    REMIND = "remind"  # the deadline is tomorrow or today
    ESCALATE = "escalate"  # the deadline has passed
    AUTO_CLOSE = "close"  # selesai and the reporter stayed silent: closed for good
    OMBUDSMAN = "ombudsman"  # unresolved this long: the reporter may go to Ombudsman RI


class ActorKind(StrEnum):
    """Who acts: the reporter, an officer of the unit holding the report, an officer of the
    coordinator's unit (acts on any report), or the reminder engine."""

    CITIZEN = "citizen"
    OFFICER = "officer"
    COORDINATOR = "coordinator"
    SYSTEM = "system"


class UnitKind(StrEnum):
    COORDINATOR = "coordinator"
    OPD = "opd"
    KECAMATAN = "kecamatan"
    DESA = "desa"


#: Reasons for archiving (SP4N-LAPOR! "Arsip"); values go into button data.
ARCHIVE_REASONS = ("tidak_jelas", "bukan_layanan", "duplikat", "spam", "lainnya")

_OPEN = frozenset({_S.BARU, _S.DIDISPOSISI, _S.DIPROSES, _S.MENUNGGU_PELAPOR})
_WORKING = frozenset({_S.DIDISPOSISI, _S.DIPROSES, _S.MENUNGGU_PELAPOR})
_UNIT_STAGES = frozenset({_S.BARU, _S.DIDISPOSISI, _S.DIPROSES})
_OFFICERS = frozenset({ActorKind.OFFICER, ActorKind.COORDINATOR})
_CITIZEN = frozenset({ActorKind.CITIZEN})
_SYSTEM = frozenset({ActorKind.SYSTEM})

#: Who may take each action.
ACTORS: dict[CaseAction, frozenset[ActorKind]] = {
    CaseAction.VERIFY: _OFFICERS,
    CaseAction.ASK: _OFFICERS,
    CaseAction.NOTE: _OFFICERS,
    CaseAction.DONE: _OFFICERS,
    CaseAction.TRANSFER: _OFFICERS,
    CaseAction.ARCHIVE: _OFFICERS,
    CaseAction.ANSWER: _OFFICERS,
    CaseAction.SUBMIT: _CITIZEN,
    CaseAction.INFO: _CITIZEN,
    CaseAction.RESUME: _CITIZEN,
    CaseAction.REOPEN: _CITIZEN,
    CaseAction.CONFIRM: _CITIZEN,
    CaseAction.RATE: _CITIZEN,
    CaseAction.REMIND: _SYSTEM,
    CaseAction.ESCALATE: _SYSTEM,
    CaseAction.AUTO_CLOSE: _SYSTEM,
    CaseAction.OMBUDSMAN: _SYSTEM,
}

#: The statuses in which each action is possible (``SUBMIT`` needs no report yet: see
#: :func:`refusal`).
ALLOWED_IN: dict[CaseAction, frozenset[ReportStatus]] = {
    CaseAction.VERIFY: frozenset({_S.BARU}),
    CaseAction.ASK: frozenset({_S.DIDISPOSISI, _S.DIPROSES}),
    CaseAction.NOTE: _WORKING,
    CaseAction.DONE: _WORKING,
    CaseAction.TRANSFER: _OPEN,
    CaseAction.ARCHIVE: _OPEN,
    CaseAction.ANSWER: _WORKING | {_S.SELESAI},
    CaseAction.SUBMIT: frozenset(),
    CaseAction.INFO: frozenset({_S.BARU, _S.DIDISPOSISI, _S.DIPROSES, _S.SELESAI}),
    CaseAction.RESUME: frozenset({_S.MENUNGGU_PELAPOR}),
    CaseAction.REOPEN: frozenset({_S.SELESAI}),
    CaseAction.CONFIRM: frozenset({_S.SELESAI}),
    CaseAction.RATE: frozenset({_S.SELESAI}),
    CaseAction.REMIND: _UNIT_STAGES,
    CaseAction.ESCALATE: _UNIT_STAGES,
    CaseAction.AUTO_CLOSE: frozenset({_S.SELESAI}),
    CaseAction.OMBUDSMAN: _UNIT_STAGES,
}

#: Actions the reporter's closing buttons lead to: refused as "not finished" before anything else.
_AFTER_SELESAI = frozenset({CaseAction.CONFIRM, CaseAction.RATE, CaseAction.AUTO_CLOSE})


def refusal(
    action: CaseAction, status: ReportStatus | None, actor: ActorKind = ActorKind.OFFICER
) -> str:
    """Why ``actor`` may not take ``action`` in ``status`` (a reason key), or '' when allowed.

    ``status`` None means no report exists yet (only ``SUBMIT`` is possible then).
    """
    if actor not in ACTORS[action]:
        return "not_permitted"
    if action == CaseAction.SUBMIT:
        return "" if status is None else "already_submitted"
    if status is None:
        return "no_report"
    if status in ALLOWED_IN[action]:
        return ""
    if action in _AFTER_SELESAI:
        return "not_finished"
    if status == _S.DIARSIPKAN:
        return "archived"
    if status == _S.SELESAI:
        return "finished"
    if status == _S.BARU:
        return "not_verified"
    if action == CaseAction.VERIFY:
        return "already_verified"
    if action == CaseAction.ASK and status == _S.MENUNGGU_PELAPOR:
        return "already_waiting"
    return "not_allowed"


def reporter_message(status: ReportStatus) -> CaseAction:
    """What a reporter's message about a report is: the answer to a pending question, or more
    information."""
    return CaseAction.RESUME if status == _S.MENUNGGU_PELAPOR else CaseAction.INFO


def next_status(
    action: CaseAction, status: ReportStatus, paused: ReportStatus | None = None
) -> ReportStatus:
    """The status after ``action`` (assumed allowed: check :func:`refusal` first)."""
    fixed = _FIXED_NEXT.get(action)
    if fixed is not None:
        return fixed
    if action == CaseAction.RESUME:
        return paused if paused in (_S.DIDISPOSISI, _S.DIPROSES) else _S.DIPROSES
    if action == CaseAction.ANSWER:
        # The unit's first answer is its first follow-up.
        return _S.DIPROSES if status == _S.DIDISPOSISI else status
    if action == CaseAction.TRANSFER:
        # A transfer hands the report to a new unit that has to take it up from the start of
        # its own work: a verified report stays verified (didisposisi), a new one stays new.
        return _S.BARU if status == _S.BARU else _S.DIDISPOSISI
    return status


_FIXED_NEXT: dict[CaseAction, ReportStatus] = {
    CaseAction.VERIFY: _S.DIDISPOSISI,
    CaseAction.ASK: _S.MENUNGGU_PELAPOR,
    CaseAction.NOTE: _S.DIPROSES,
    CaseAction.DONE: _S.SELESAI,
    CaseAction.ARCHIVE: _S.DIARSIPKAN,
    CaseAction.REOPEN: _S.DIPROSES,
    CaseAction.SUBMIT: _S.BARU,
}


def actor_kind(unit_kind: str) -> ActorKind:
    """The kind of an officer acting from a group of a unit of ``unit_kind``."""
    return ActorKind.COORDINATOR if unit_kind == UnitKind.COORDINATOR else ActorKind.OFFICER


def may_act(chat_unit_kind: str, chat_unit_id: int, report_unit_id: int | None) -> bool:
    """Officers act on a report only from a group of the unit that holds it; the coordinator's
    group may act on any report."""
    if chat_unit_kind == UnitKind.COORDINATOR:
        return True
    return report_unit_id is not None and chat_unit_id == report_unit_id
