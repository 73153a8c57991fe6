"""The lifecycle table's own moves (routing, the reminder engine's look and claims) and the sets
derived from the table, checked against what docs/lifecycle.md says in words."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from core.decisions import REPORTER, SYSTEM, Decision, NextLook, Refusal, Target, decide
from core.lifecycle import (
    ALLOWED_TRANSITIONS,
    CLOCK_PAUSED,
    LIFECYCLE,
    OPEN_STATUSES,
    UNIT_STAGES,
    CaseAction,
    Claim,
    ReportStatus,
    Upkeep,
)
from core.permissions import ALLOWED_IN
from tests.unit.test_core_decisions import HOLDER_UNIT, NOW, RULES, state

A, S = CaseAction, ReportStatus


def test_the_derived_sets_say_what_the_docs_say() -> None:
    assert {S.BARU, S.DIDISPOSISI, S.DIPROSES} == UNIT_STAGES
    assert UNIT_STAGES | {S.MENUNGGU_PELAPOR} == OPEN_STATUSES
    assert {S.MENUNGGU_PELAPOR} == CLOCK_PAUSED
    assert ALLOWED_IN[A.REMIND] == UNIT_STAGES
    assert ALLOWED_TRANSITIONS[S.MENUNGGU_PELAPOR] == {
        S.DIDISPOSISI,
        S.DIPROSES,
        S.SELESAI,
        S.DIARSIPKAN,
        S.DIRUJUK,
    }
    # A referral goes back only to where it came from (the coordinator's undo).
    assert ALLOWED_TRANSITIONS[S.DIRUJUK] == UNIT_STAGES


def test_only_the_reminder_engine_claims_and_each_row_is_one_move() -> None:
    moves = [row.action for row in LIFECYCLE]
    assert len(moves) == len(set(moves)) == len(CaseAction) + len(Upkeep)
    claims = {row.action: row.claims for row in LIFECYCLE if row.claims is not None}
    assert claims == {
        A.REMIND: Claim.NEXT_NOTICE,
        A.ESCALATE: Claim.NEXT_NOTICE,
        A.AUTO_CLOSE: Claim.NEXT_NOTICE,
        A.OMBUDSMAN: Claim.OMBUDSMAN,
        Upkeep.LOOK: Claim.NEXT_NOTICE,
    }


@pytest.mark.parametrize("fallback", [False, True])
def test_routing_a_new_report_is_a_decision(fallback: bool) -> None:
    new = state(S.BARU, unit_id=None)
    routed = decide(new, Upkeep.ROUTE, SYSTEM, NOW, RULES, to=Target(9, fallback=fallback))
    assert isinstance(routed, Decision)
    assert routed.after == replace(new, unit_id=9)
    assert routed.event.kind == ("routed_fallback" if fallback else "routed")
    assert routed.event.to_unit_id == 9
    assert routed.event.status_from is None
    assert not routed.touches
    assert routed.claim is None
    assert routed.notices == ()


def test_routing_needs_a_new_report_and_an_active_unit() -> None:
    assert decide(state(S.DIPROSES), Upkeep.ROUTE, SYSTEM, NOW, RULES, to=Target(9)) == Refusal(
        "not_allowed"
    )
    assert decide(state(S.BARU), Upkeep.ROUTE, SYSTEM, NOW, RULES) == Refusal("unknown_unit")
    inactive = Target(9, active=False)
    assert decide(state(S.BARU), Upkeep.ROUTE, SYSTEM, NOW, RULES, to=inactive) == Refusal(
        "unknown_unit"
    )


@pytest.mark.parametrize("status", list(ReportStatus))
def test_a_look_moves_only_the_next_look_and_records_nothing(status: ReportStatus) -> None:
    before = state(status, next_notice_on=date(2026, 3, 2))
    looked = decide(before, Upkeep.LOOK, SYSTEM, NOW, RULES, next_look=NextLook(date(2026, 3, 4)))
    assert isinstance(looked, Decision)
    assert looked.after.next_notice_on == date(2026, 3, 4)
    assert replace(looked.after, next_notice_on=None) == replace(before, next_notice_on=None)
    assert looked.events == ()
    assert looked.claim == Claim.NEXT_NOTICE


def test_a_reminder_carries_the_engine_s_next_look() -> None:
    reminded = decide(
        state(S.DIPROSES, next_notice_on=date(2026, 3, 4)),
        A.REMIND,
        SYSTEM,
        NOW,
        RULES,
        note="before",
        next_look=NextLook(date(2026, 3, 5)),
    )
    assert isinstance(reminded, Decision)
    assert reminded.before.next_notice_on == date(2026, 3, 4)
    assert reminded.after.next_notice_on == date(2026, 3, 5)
    assert reminded.event.unit_id == HOLDER_UNIT
    assert reminded.claim == Claim.NEXT_NOTICE


def test_a_person_may_not_route_or_look() -> None:
    looked = decide(state(S.BARU), Upkeep.LOOK, REPORTER, NOW, RULES)
    assert looked == Refusal("not_permitted")
    assert decide(state(S.BARU), Upkeep.ROUTE, REPORTER, NOW, RULES, to=Target(9)) == Refusal(
        "not_permitted"
    )
