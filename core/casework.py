"""What officers and reporters may do to a report, in which status, and where it goes next.

The lifecycle table (``core.lifecycle``) says which status changes exist; this module names the
actions people take (buttons and commands) and refuses an impossible one with a reason key that
the handlers turn into a sentence.
"""

from __future__ import annotations

from enum import StrEnum

from core.lifecycle import ReportStatus, can_transition

_S = ReportStatus


class CaseAction(StrEnum):
    """An action on a report; values go into button data, keep them short and stable."""

    VERIFY = "vf"  # Verifikasi: the report is real and belongs here → didisposisi
    ASK = "ask"  # Minta info: a question to the reporter → menunggu_pelapor (clock paused)
    NOTE = "tl"  # Tindak lanjut: the unit is acting, with a note → diproses
    DONE = "done"  # Selesai, with the answer → selesai
    TRANSFER = "tr"  # Alihkan: bukan wewenang, to another unit (an event, not a status)
    ARCHIVE = "ar"  # Arsipkan, with a reason from a list → diarsipkan
    ANSWER = "ans"  # an officer's reply relayed to the reporter
    REOPEN = "reopen"  # the reporter says "belum selesai" → diproses
    RESUME = "resume"  # the reporter answered a question → back to where the unit was


class UnitKind(StrEnum):
    COORDINATOR = "coordinator"
    OPD = "opd"
    KECAMATAN = "kecamatan"
    DESA = "desa"


#: Reasons for archiving (SP4N-LAPOR! "Arsip"); values go into button data.
ARCHIVE_REASONS = ("tidak_jelas", "bukan_layanan", "duplikat", "spam", "lainnya")

_OPEN = frozenset({_S.BARU, _S.DIDISPOSISI, _S.DIPROSES, _S.MENUNGGU_PELAPOR})
_WORKING = frozenset({_S.DIDISPOSISI, _S.DIPROSES, _S.MENUNGGU_PELAPOR})

_ALLOWED_IN: dict[CaseAction, frozenset[ReportStatus]] = {
    CaseAction.VERIFY: frozenset({_S.BARU}),
    CaseAction.ASK: frozenset({_S.DIDISPOSISI, _S.DIPROSES}),
    CaseAction.NOTE: _WORKING,
    CaseAction.DONE: _WORKING,
    CaseAction.TRANSFER: _OPEN,
    CaseAction.ARCHIVE: _OPEN,
    CaseAction.ANSWER: _WORKING | {_S.SELESAI},
    CaseAction.REOPEN: frozenset({_S.SELESAI}),
    CaseAction.RESUME: frozenset({_S.MENUNGGU_PELAPOR}),
}


def refusal(action: CaseAction, status: ReportStatus) -> str:
    """Why ``action`` is impossible in ``status`` (a reason key), or '' when it is allowed."""
    if status in _ALLOWED_IN[action]:
        return ""
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


def next_status(
    action: CaseAction, status: ReportStatus, paused: ReportStatus | None = None
) -> ReportStatus:
    """The status after ``action`` (assumed allowed: check :func:`refusal` first)."""
    if action == CaseAction.VERIFY:
        return _S.DIDISPOSISI
    if action == CaseAction.ASK:
        return _S.MENUNGGU_PELAPOR
    if action == CaseAction.NOTE:
        return _S.DIPROSES
    if action == CaseAction.DONE:
        return _S.SELESAI
    if action == CaseAction.ARCHIVE:
        return _S.DIARSIPKAN
    if action == CaseAction.REOPEN:
        return _S.DIPROSES
    if action == CaseAction.RESUME:
        return paused if paused in (_S.DIDISPOSISI, _S.DIPROSES) else _S.DIPROSES
    if action == CaseAction.ANSWER:
        # The unit's first answer is its first follow-up.
        return _S.DIPROSES if status == _S.DIDISPOSISI else status
    # A transfer hands the report to a new unit that has to take it up from the start of its
    # own work: a verified report stays verified (didisposisi), a new one stays new.
    return _S.BARU if status == _S.BARU else _S.DIDISPOSISI


def changes_status(action: CaseAction, status: ReportStatus) -> bool:
    after = next_status(action, status)
    return after != status and can_transition(status, after)


def may_act(chat_unit_kind: str, chat_unit_id: int, report_unit_id: int | None) -> bool:
    """Officers act on a report only from a group of the unit that holds it; the coordinator's
    group may act on any report."""
    if chat_unit_kind == UnitKind.COORDINATOR:
        return True
    return report_unit_id is not None and chat_unit_id == report_unit_id
