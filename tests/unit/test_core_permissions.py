"""Officers' and reporters' actions: allowed per status, refused with a reason, next status."""

from __future__ import annotations

import pytest

from core.lifecycle import ReportStatus, can_transition
from core.permissions import ACTORS, CaseAction, may_act, next_status, refusal

A, S = CaseAction, ReportStatus


@pytest.mark.parametrize(
    ("action", "status", "after"),
    [
        (A.VERIFY, S.BARU, S.DIDISPOSISI),
        (A.ASK, S.DIDISPOSISI, S.MENUNGGU_PELAPOR),
        (A.ASK, S.DIPROSES, S.MENUNGGU_PELAPOR),
        (A.NOTE, S.DIDISPOSISI, S.DIPROSES),
        (A.NOTE, S.MENUNGGU_PELAPOR, S.DIPROSES),
        (A.DONE, S.DIPROSES, S.SELESAI),
        (A.ARCHIVE, S.BARU, S.DIARSIPKAN),
        (A.ANSWER, S.DIDISPOSISI, S.DIPROSES),
        (A.ANSWER, S.DIPROSES, S.DIPROSES),
        (A.REOPEN, S.SELESAI, S.DIPROSES),
        (A.TRANSFER, S.BARU, S.BARU),
        (A.TRANSFER, S.DIPROSES, S.DIDISPOSISI),
    ],
)
def test_allowed_actions_and_where_they_lead(
    action: CaseAction, status: ReportStatus, after: ReportStatus
) -> None:
    assert refusal(action, status, min(ACTORS[action])) == ""
    assert next_status(action, status) == after
    assert after == status or can_transition(status, after)


def test_resume_returns_to_where_the_unit_was() -> None:
    waiting = S.MENUNGGU_PELAPOR
    assert next_status(A.RESUME, waiting, S.DIDISPOSISI) == S.DIDISPOSISI
    assert next_status(A.RESUME, waiting, S.DIPROSES) == S.DIPROSES
    assert next_status(A.RESUME, waiting, None) == S.DIPROSES


@pytest.mark.parametrize(
    ("action", "status", "reason"),
    [
        (A.VERIFY, S.DIDISPOSISI, "already_verified"),
        (A.ASK, S.BARU, "not_verified"),
        (A.ASK, S.MENUNGGU_PELAPOR, "already_waiting"),
        (A.DONE, S.SELESAI, "finished"),
        (A.NOTE, S.DIARSIPKAN, "archived"),
        (A.TRANSFER, S.SELESAI, "finished"),
        (A.REOPEN, S.DIPROSES, "not_allowed"),
        (A.ANSWER, S.DIARSIPKAN, "archived"),
    ],
)
def test_impossible_actions_are_refused_with_a_reason(
    action: CaseAction, status: ReportStatus, reason: str
) -> None:
    assert refusal(action, status, min(ACTORS[action])) == reason


def test_only_the_holder_or_the_coordinator_may_act() -> None:
    assert may_act("desa", 7, 7)
    assert not may_act("desa", 7, 8)
    assert not may_act("opd", 7, None)
    assert may_act("coordinator", 1, 8)
    assert may_act("coordinator", 1, None)
