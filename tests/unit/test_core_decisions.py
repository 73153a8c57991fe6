"""The one function that decides a report's every change: every (status × action × actor kind)
combination, allowed (and where it leads) or refused (and why); then the deadlines, pauses,
events and notices a decision carries."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from itertools import product
from zoneinfo import ZoneInfo

import pytest

from core.calendar import WorkingCalendar
from core.deadlines import DeadlinePolicy
from core.decisions import (
    REPORTER,
    SYSTEM,
    Actor,
    Audience,
    Decision,
    Pause,
    Refusal,
    ReportState,
    Rules,
    Target,
    decide,
)
from core.lifecycle import ALLOWED_TRANSITIONS, ReportStatus, ReportType
from core.permissions import ActorKind, CaseAction
from core.timeline import EventKind

A, S, K = CaseAction, ReportStatus, ActorKind
WITA = ZoneInfo("Asia/Makassar")
RULES = Rules(WorkingCalendar(), WITA, DeadlinePolicy())
# Monday 2 March 2026, 10:00 WITA: an ordinary working day.
NOW = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
HOLDER_UNIT = 7
ACTORS = {
    K.CITIZEN: REPORTER,
    K.OFFICER: Actor.officer("42", "Budi", HOLDER_UNIT, "desa"),
    K.COORDINATOR: Actor.officer("1", "Sari", 1, "coordinator"),
    K.SYSTEM: SYSTEM,
}
STATUSES: list[ReportStatus | None] = [None, *ReportStatus]

# The expected outcome of each action by the actor kinds allowed to take it, per status (columns:
# no report yet, baru, didisposisi, diproses, menunggu_pelapor, selesai, diarsipkan, dirujuk). A
# status name: allowed, and the report's status afterwards; anything else: the refusal's reason.
# Written out by hand from docs/lifecycle.md, not computed from the tables under test.
EXPECTED: dict[CaseAction, tuple[frozenset[ActorKind], tuple[str, ...]]] = {
    A.VERIFY: (
        frozenset({K.OFFICER, K.COORDINATOR}),
        ("no_report", "didisposisi", "already_verified", "already_verified",
         "already_verified", "finished", "archived",
         "referred"),
    ),
    A.ASK: (
        frozenset({K.OFFICER, K.COORDINATOR}),
        ("no_report", "not_verified", "menunggu_pelapor", "menunggu_pelapor",
         "already_waiting", "finished", "archived",
         "referred"),
    ),
    A.NOTE: (
        frozenset({K.OFFICER, K.COORDINATOR}),
        ("no_report", "not_verified", "diproses", "diproses", "diproses", "finished",
         "archived",
         "referred"),
    ),
    A.DONE: (
        frozenset({K.OFFICER, K.COORDINATOR}),
        ("no_report", "not_verified", "selesai", "selesai", "selesai", "finished", "archived",
         "referred"),
    ),
    A.TRANSFER: (
        frozenset({K.OFFICER, K.COORDINATOR}),
        ("no_report", "baru", "didisposisi", "didisposisi", "didisposisi", "finished",
         "archived",
         "referred"),
    ),
    A.ARCHIVE: (
        frozenset({K.OFFICER, K.COORDINATOR}),
        ("no_report", "diarsipkan", "diarsipkan", "diarsipkan", "diarsipkan", "finished",
         "archived",
         "referred"),
    ),
    A.ANSWER: (
        frozenset({K.OFFICER, K.COORDINATOR}),
        ("no_report", "not_verified", "diproses", "diproses", "menunggu_pelapor", "selesai",
         "archived",
         "referred"),
    ),
    # An internal note changes no status, in any status (even archived).
    A.INTERNAL_NOTE: (
        frozenset({K.OFFICER, K.COORDINATOR}),
        ("no_report", "baru", "didisposisi", "diproses", "menunggu_pelapor", "selesai",
         "diarsipkan", "dirujuk"),
    ),
    # A change of category keeps the status, on open reports only.
    A.RECATEGORIZE: (
        frozenset({K.OFFICER, K.COORDINATOR}),
        ("no_report", "baru", "didisposisi", "diproses", "menunggu_pelapor", "finished",
         "archived", "referred"),
    ),
    A.SUBMIT: (
        frozenset({K.CITIZEN}),
        ("baru", "already_submitted", "already_submitted", "already_submitted",
         "already_submitted", "already_submitted", "already_submitted", "already_submitted"),
    ),
    A.INFO: (
        frozenset({K.CITIZEN}),
        ("no_report", "baru", "didisposisi", "diproses", "not_allowed", "selesai", "archived",
         "referred"),
    ),
    A.RESUME: (
        frozenset({K.CITIZEN}),
        ("no_report", "not_verified", "not_allowed", "not_allowed", "didisposisi", "finished",
         "archived",
         "referred"),
    ),
    A.REOPEN: (
        frozenset({K.CITIZEN}),
        ("no_report", "not_verified", "not_allowed", "not_allowed", "not_allowed", "diproses",
         "archived",
         "referred"),
    ),
    A.CONFIRM: (
        frozenset({K.CITIZEN}),
        ("no_report", "not_finished", "not_finished", "not_finished", "not_finished",
         "selesai", "not_finished", "not_finished"),
    ),
    A.RATE: (
        frozenset({K.CITIZEN}),
        ("no_report", "not_finished", "not_finished", "not_finished", "not_finished",
         "selesai", "not_finished", "not_finished"),
    ),
    A.REMIND: (
        frozenset({K.SYSTEM}),
        ("no_report", "baru", "didisposisi", "diproses", "not_allowed", "finished", "archived",
         "referred"),
    ),
    A.ESCALATE: (
        frozenset({K.SYSTEM}),
        ("no_report", "baru", "didisposisi", "diproses", "not_allowed", "finished", "archived",
         "referred"),
    ),
    A.AUTO_CLOSE: (
        frozenset({K.SYSTEM}),
        ("no_report", "not_finished", "not_finished", "not_finished", "not_finished",
         "selesai", "not_finished", "not_finished"),
    ),
    A.OMBUDSMAN: (
        frozenset({K.SYSTEM}),
        ("no_report", "baru", "didisposisi", "diproses", "not_allowed", "finished", "archived",
         "referred"),
    ),
    # A referral closes the report as dirujuk; only the coordinator undoes it, back to where
    # the unit was (here: didisposisi, the state's pause).
    A.REFER: (
        frozenset({K.OFFICER, K.COORDINATOR}),
        ("no_report", "dirujuk", "dirujuk", "dirujuk", "dirujuk", "finished", "archived",
         "referred"),
    ),
    A.UNREFER: (
        frozenset({K.COORDINATOR}),
        ("no_report", "not_referred", "not_referred", "not_referred", "not_referred",
         "not_referred", "not_referred", "didisposisi"),
    ),
}  # fmt: skip


def state(status: ReportStatus | None, **changes: object) -> ReportState:
    """A report of the holder unit in ``status``; waiting reports paused from didisposisi."""
    base = ReportState(
        status=status,
        report_type=ReportType.PENGADUAN,
        unit_id=HOLDER_UNIT if status is not None else None,
        due_date=date(2026, 3, 5) if status is not None else None,
        ombudsman_on=date(2026, 5, 29) if status is not None else None,
    )
    if status == S.MENUNGGU_PELAPOR:
        base = ReportState(
            status=status,
            report_type=ReportType.PENGADUAN,
            unit_id=HOLDER_UNIT,
            pause=Pause(S.DIDISPOSISI, NOW - timedelta(days=7), 3),
            ombudsman_on=date(2026, 5, 29),
        )
    if status == S.DIRUJUK:
        base = ReportState(
            status=status,
            report_type=ReportType.PENGADUAN,
            unit_id=HOLDER_UNIT,
            pause=Pause(S.DIDISPOSISI, NOW - timedelta(days=7), 3),
            ombudsman_on=date(2026, 5, 29),
        )
    if status == S.SELESAI:
        base = ReportState(
            status=status,
            report_type=ReportType.PENGADUAN,
            unit_id=HOLDER_UNIT,
            due_date=date(2026, 3, 10),
            selesai_at=NOW - timedelta(days=1),
        )
    fields = {**base.__dict__, **changes}
    return ReportState(**fields)


def run(
    status: ReportStatus | None, action: CaseAction, actor: Actor, **kwargs: object
) -> Decision | Refusal:
    details = {"to": Target(9), "reason": "spam", "rating": 4, "note": "catatan"}
    details.update(kwargs)
    return decide(state(status), action, actor, NOW, RULES, **details)  # type: ignore[arg-type]


COMBINATIONS = list(product(STATUSES, CaseAction, ActorKind))


def test_the_expected_table_names_every_action() -> None:
    assert set(EXPECTED) == set(CaseAction)
    assert all(len(row) == len(STATUSES) for _, row in EXPECTED.values())


@pytest.mark.parametrize(("status", "action", "kind"), COMBINATIONS)
def test_every_status_action_and_actor(
    status: ReportStatus | None, action: CaseAction, kind: ActorKind
) -> None:
    allowed_actors, row = EXPECTED[action]
    outcome = run(status, action, ACTORS[kind])
    if kind not in allowed_actors:
        assert outcome == Refusal("not_permitted")
        return
    expected = row[STATUSES.index(status)]
    if expected in set(ReportStatus):
        assert isinstance(outcome, Decision), outcome
        assert outcome.after.status == ReportStatus(expected)
        before = outcome.before.status
        if before is not None and outcome.after.status != before:
            assert outcome.after.status in ALLOWED_TRANSITIONS[before]
        assert outcome.event.actor == ACTORS[kind].label
    else:
        assert outcome == Refusal(expected)


def test_no_decision_breaks_the_status_table() -> None:
    for status, action, kind in COMBINATIONS:
        outcome = run(status, action, ACTORS[kind])
        if isinstance(outcome, Decision) and status is not None:
            after = outcome.after.status
            assert after == status or after in ALLOWED_TRANSITIONS[status], (status, action)


def test_an_officer_acts_only_on_reports_of_the_own_unit() -> None:
    other = Actor.officer("43", "Andi", 8, "desa")
    assert run(S.BARU, A.VERIFY, other) == Refusal("not_yours")
    assert isinstance(run(S.BARU, A.VERIFY, ACTORS[K.COORDINATOR]), Decision)


def test_a_transfer_needs_an_active_other_unit() -> None:
    officer = ACTORS[K.OFFICER]
    assert run(S.DIPROSES, A.TRANSFER, officer, to=None) == Refusal("unknown_unit")
    assert run(S.DIPROSES, A.TRANSFER, officer, to=Target(9, False)) == Refusal("unknown_unit")
    same = Target(HOLDER_UNIT)
    assert run(S.DIPROSES, A.TRANSFER, officer, to=same) == Refusal("same_unit")
    moved = run(S.MENUNGGU_PELAPOR, A.TRANSFER, officer)
    assert isinstance(moved, Decision)
    assert moved.after.unit_id == 9
    assert moved.after.pause is None
    assert moved.event.to_unit_id == 9
    assert [n.audience for n in moved.notices] == [Audience.MOVE_CARDS, Audience.REPORTER]


def test_archiving_needs_a_reason_from_the_list() -> None:
    officer = ACTORS[K.OFFICER]
    assert run(S.BARU, A.ARCHIVE, officer, reason="") == Refusal("reason_required")
    assert run(S.BARU, A.ARCHIVE, officer, reason="bosan") == Refusal("reason_required")
    archived = run(S.BARU, A.ARCHIVE, officer, reason="spam", note="")
    assert isinstance(archived, Decision)
    assert archived.event.note == "spam"
    assert archived.after.due_date is None
    assert archived.after.next_notice_on is None


def test_a_duplicate_names_the_original_and_its_reporter_is_told_which() -> None:
    officer = ACTORS[K.OFFICER]
    assert run(S.BARU, A.ARCHIVE, officer, reason="duplikat") == Refusal("original_required")
    merged = run(S.BARU, A.ARCHIVE, officer, reason="duplikat", duplicate_of="AB12-CD34-5", note="")
    assert isinstance(merged, Decision)
    assert merged.after.status == S.DIARSIPKAN
    assert merged.after.due_date is None  # only the original keeps a deadline
    assert merged.event.note == "duplikat: AB12-CD34-5"
    assert [n.key for n in merged.notices] == ["notify.duplicate", ""]


def test_ratings_are_one_to_five_stars() -> None:
    assert run(S.SELESAI, A.RATE, REPORTER, rating=0) == Refusal("not_allowed")
    assert run(S.SELESAI, A.RATE, REPORTER, rating=6) == Refusal("not_allowed")
    rated = run(S.SELESAI, A.RATE, REPORTER, rating=5, note="5")
    assert isinstance(rated, Decision)
    assert rated.after.rating == 5


def test_a_report_closed_for_good_cannot_be_reopened_or_closed_again() -> None:
    closed = state(S.SELESAI, closed_at=NOW - timedelta(days=1))
    assert decide(closed, A.REOPEN, REPORTER, NOW, RULES) == Refusal("closed")
    assert decide(closed, A.AUTO_CLOSE, SYSTEM, NOW, RULES) == Refusal("closed")
    again = decide(closed, A.CONFIRM, REPORTER, NOW, RULES)
    assert isinstance(again, Decision)
    assert again.after.closed_at == closed.closed_at  # the first closing time stays


def test_submitting_starts_the_verification_clock_and_the_ombudsman_day() -> None:
    opened = run(None, A.SUBMIT, REPORTER)
    assert isinstance(opened, Decision)
    # Monday 2 March + 3 working days = Thursday 5 March; first look the day before.
    assert opened.after.due_date == date(2026, 3, 5)
    assert opened.after.next_notice_on == date(2026, 3, 4)
    assert opened.after.ombudsman_on == RULES.calendar.add_working_days(date(2026, 3, 2), 60)
    assert opened.event.kind == "submitted"
    assert (opened.event.status_from, opened.event.status_to) == (None, S.BARU)


def test_verifying_starts_the_follow_up_stage() -> None:
    verified = run(S.BARU, A.VERIFY, ACTORS[K.OFFICER])
    assert isinstance(verified, Decision)
    assert verified.after.due_date == date(2026, 3, 9)  # 5 working days
    assert verified.event.kind == "vf"
    assert verified.event.unit_id == HOLDER_UNIT
    assert [n.key for n in verified.notices] == ["notify.verified", ""]


def test_asking_pauses_the_clock_and_the_answer_gives_back_what_was_left() -> None:
    asked = decide(state(S.DIPROSES), A.ASK, ACTORS[K.OFFICER], NOW, RULES, note="Di mana?")
    assert isinstance(asked, Decision)
    assert asked.after.due_date is None
    assert asked.after.next_notice_on is None
    assert asked.after.pause == Pause(S.DIPROSES, NOW, 3)  # Mon 2 → Thu 5 March
    # The reporter answers a week later (5 working days): the stage has 3 days again, and the
    # Ombudsman day moves by the 5 working days of the pause.
    later = NOW + timedelta(days=7)
    resumed = decide(asked.after, A.RESUME, REPORTER, later, RULES, note="Di pasar")
    assert isinstance(resumed, Decision)
    assert resumed.after.status == S.DIPROSES
    assert resumed.after.pause is None
    assert resumed.after.due_date == date(2026, 3, 12)
    assert resumed.after.ombudsman_on == RULES.calendar.add_working_days(date(2026, 5, 29), 5)
    assert resumed.event.kind == "reporter_answer"
    assert (resumed.event.status_from, resumed.event.status_to) == (S.MENUNGGU_PELAPOR, S.DIPROSES)


def test_the_first_answer_is_the_first_follow_up() -> None:
    first = run(S.DIDISPOSISI, A.ANSWER, ACTORS[K.OFFICER])
    assert isinstance(first, Decision)
    # pengaduan: 14 working days (Nyepi and Idulfitri fall in between)
    assert first.after.due_date == RULES.calendar.add_working_days(date(2026, 3, 2), 14)
    assert [n.key for n in first.notices] == ["notify.answer_due", ""]
    later = run(S.DIPROSES, A.ANSWER, ACTORS[K.OFFICER])
    assert isinstance(later, Decision)
    assert later.after == later.before
    assert later.event.status_from is None
    assert [n.key for n in later.notices] == ["notify.answer"]


def test_the_reporter_writing_after_selesai_restarts_the_quiet_period() -> None:
    info = run(S.SELESAI, A.INFO, REPORTER)
    assert isinstance(info, Decision)
    assert info.after.due_date == RULES.calendar.add_working_days(date(2026, 3, 2), 10)
    # Closed for good, nobody works on it: the words are not taken (issue 26, item 8).
    closed = state(S.SELESAI, closed_at=NOW)
    assert decide(closed, A.INFO, REPORTER, NOW, RULES) == Refusal("closed")


def test_finishing_and_reopening_set_and_clear_the_selesai_moment() -> None:
    done = run(S.DIPROSES, A.DONE, ACTORS[K.COORDINATOR])
    assert isinstance(done, Decision)
    assert done.after.selesai_at == NOW
    reopened = run(S.SELESAI, A.REOPEN, REPORTER)
    assert isinstance(reopened, Decision)
    assert reopened.after.selesai_at is None
    assert reopened.event.unit_id is None


def test_the_reminder_engine_records_without_touching_the_report() -> None:
    reminded = run(S.DIPROSES, A.REMIND, SYSTEM, note="day")
    assert isinstance(reminded, Decision)
    assert reminded.after == reminded.before
    assert not reminded.touches
    assert reminded.event.kind == "reminder"
    assert reminded.event.unit_id == HOLDER_UNIT
    closed = run(S.SELESAI, A.AUTO_CLOSE, SYSTEM)
    assert isinstance(closed, Decision)
    assert closed.after.closed_at == NOW
    assert closed.after.due_date is None
    ombudsman = run(S.DIDISPOSISI, A.OMBUDSMAN, SYSTEM)
    assert isinstance(ombudsman, Decision)
    assert ombudsman.after.ombudsman_on is None


def test_an_internal_note_is_recorded_quietly_and_owes_only_the_cards() -> None:
    outcome = run(S.DIPROSES, A.INTERNAL_NOTE, ACTORS[K.OFFICER], note="sudah dicek lapangan")
    assert isinstance(outcome, Decision)
    assert outcome.event.kind == EventKind.INTERNAL_NOTE
    assert outcome.event.note == "sudah dicek lapangan"
    assert outcome.after.status == S.DIPROSES
    assert outcome.after == outcome.before  # no deadline, pause or agenda moves for a note
    assert outcome.event.status_from is None
    assert outcome.event.status_to is None
    assert [notice.audience for notice in outcome.notices] == [Audience.CARDS]
    assert not outcome.touches


def test_a_referral_keeps_the_stage_and_its_undo_gives_it_back() -> None:
    """↗ Bukan kewenangan from diproses with days left: no deadline, no reminder while
    referred; the coordinator's undo returns to diproses with the same working days left."""
    officer, coordinator = ACTORS[K.OFFICER], ACTORS[K.COORDINATOR]
    working = state(S.DIPROSES, due_date=date(2026, 3, 5))  # Thursday: 3 working days left
    referred = decide(working, A.REFER, officer, NOW, RULES, note="PLN UP3")
    assert isinstance(referred, Decision)
    after = referred.after
    assert after.status == S.DIRUJUK
    assert after.due_date is None
    assert after.next_notice_on is None
    assert after.pause is not None
    assert after.pause.status == S.DIPROSES
    assert referred.events[0].kind == EventKind.REFERRED
    assert [n.key for n in referred.notices] == ["notify.referred", ""]
    # An officer of the unit cannot undo it; the coordinator can, a week later.
    assert decide(after, A.UNREFER, officer, NOW, RULES) == Refusal("not_permitted")
    later = NOW + timedelta(days=7)
    undone = decide(after, A.UNREFER, coordinator, later, RULES)
    assert isinstance(undone, Decision)
    assert undone.after.status == S.DIPROSES
    assert undone.after.pause is None
    assert undone.after.due_date == date(2026, 3, 12)  # three working days from 9 March
    # Moved by the 5 working days referred (1 June, Hari Lahir Pancasila, is a holiday).
    assert undone.after.ombudsman_on == date(2026, 6, 8)


def test_a_referral_while_waiting_returns_to_the_units_stage() -> None:
    coordinator = ACTORS[K.COORDINATOR]
    waiting = state(S.MENUNGGU_PELAPOR)  # paused from didisposisi with 3 days left
    referred = decide(waiting, A.REFER, coordinator, NOW, RULES, note="BPN")
    assert isinstance(referred, Decision)
    undone = decide(referred.after, A.UNREFER, coordinator, NOW, RULES)
    assert isinstance(undone, Decision)
    assert undone.after.status == S.DIDISPOSISI
    assert undone.after.due_date == date(2026, 3, 5)
