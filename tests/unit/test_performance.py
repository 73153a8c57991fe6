"""Measuring a report's stages in working days on the Indonesian calendar (core.performance)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from core.calendar import WorkingCalendar
from core.deadlines import DeadlinePolicy
from core.performance import Measured, Step, handling, indicators, paused_days

CAL = WorkingCalendar()
POLICY = DeadlinePolicy()


def d(month: int, day: int) -> date:
    return date(2026, month, day)


def test_verification_across_idulfitri_counts_only_working_days() -> None:
    # Filed Tuesday 17 March 2026; 18-24 March are Nyepi, Idulfitri and cuti bersama; the three
    # working days are 25, 26 and 27 March, so verifying on the 27th is on time, the 30th late.
    on_time = handling(
        d(3, 17),
        [Step(d(3, 27), "baru", "didisposisi")],
        "pengaduan",
        pengawasan=False,
        today=d(4, 1),
        cal=CAL,
        policy=POLICY,
    )
    assert (on_time.verify.days, on_time.verify.on_time) == (3, True)
    late = handling(
        d(3, 17),
        [Step(d(3, 30), "baru", "didisposisi")],
        "pengaduan",
        pengawasan=False,
        today=d(4, 1),
        cal=CAL,
        policy=POLICY,
    )
    assert (late.verify.days, late.verify.on_time) == (4, False)


def test_an_open_stage_is_late_only_after_its_deadline() -> None:
    steps: list[Step] = []
    waiting = handling(
        d(3, 2), steps, "aspirasi", pengawasan=False, today=d(3, 5), cal=CAL, policy=POLICY
    )
    assert waiting.verify.on_time is None  # Thursday 5 March is the last day: not late yet
    late = handling(
        d(3, 2), steps, "aspirasi", pengawasan=False, today=d(3, 6), cal=CAL, policy=POLICY
    )
    assert late.verify.on_time is False
    archived = handling(
        d(3, 2),
        [Step(d(3, 3), "baru", "diarsipkan")],
        "aspirasi",
        pengawasan=False,
        today=d(3, 30),
        cal=CAL,
        policy=POLICY,
        archived=True,
    )
    assert archived.verify.on_time is None


def test_waiting_for_the_reporter_is_left_out_of_the_follow_up() -> None:
    steps = [
        Step(d(3, 2), "baru", "didisposisi"),  # Monday
        Step(d(3, 3), "didisposisi", "menunggu_pelapor"),  # asked on Tuesday
        Step(d(3, 13), "menunggu_pelapor", "didisposisi"),  # answered Friday 13: 8 days waiting
        Step(d(3, 16), "didisposisi", "diproses"),
    ]
    assert paused_days(steps, d(3, 2), d(3, 16), CAL) == 8
    measured = handling(
        d(3, 2), steps, "pengaduan", pengawasan=False, today=d(3, 20), cal=CAL, policy=POLICY
    )
    # 10 working days from 2 to 16 March, 8 of them waiting: 2 days, on time.
    assert (measured.follow_up.days, measured.follow_up.on_time) == (2, True)


@pytest.mark.parametrize(
    ("kind", "pengawasan", "finished", "on_time"),
    [
        ("aspirasi", False, d(3, 9), True),  # 5 working days after 2 March
        ("aspirasi", False, d(3, 10), False),
        ("pengaduan", False, d(3, 10), True),  # 14 days: until 20 March would be in time...
        ("pengaduan", True, d(4, 30), True),  # ...and 60 for a "berkadar pengawasan" complaint
    ],
)
def test_finishing_is_measured_against_the_class_deadline(
    kind: str, pengawasan: bool, finished: date, on_time: bool
) -> None:
    steps = [
        Step(d(3, 2), "baru", "didisposisi"),
        Step(d(3, 2), "didisposisi", "diproses"),
        Step(finished, "diproses", "selesai"),
    ]
    measured = handling(
        d(3, 2), steps, kind, pengawasan=pengawasan, today=d(5, 1), cal=CAL, policy=POLICY
    )
    assert measured.finish.on_time is on_time


def test_indicators_share_median_and_ratings() -> None:
    def one(verified: date | None, rating: int | None, late_now: bool = False) -> Measured:
        steps = [Step(verified, "baru", "didisposisi")] if verified else []
        reopen = [Step(d(3, 20), "selesai", "diproses")] if rating == 2 else []
        measured = handling(
            d(3, 2),
            steps + reopen,
            "pengaduan",
            pengawasan=False,
            today=d(3, 31),
            cal=CAL,
            policy=POLICY,
        )
        return Measured("pengaduan", "selesai", measured, late_now, rating)

    result = indicators(
        [one(d(3, 3), 5), one(d(3, 5), 4), one(d(3, 9), 2), one(None, None, late_now=True)]
    )
    assert result.received == 4
    assert result.verify_on_time == 0.5  # 3 and 5 March on time; 9 March and never: late
    assert result.verify_median_days == 3.0  # 1, 3 and 5 working days
    assert result.late_now == 1
    assert result.reopened == 1
    assert result.rating_average == pytest.approx(11 / 3)
    assert result.rating_good_share == pytest.approx(2 / 3)


def test_decisions_keep_the_same_moments_as_the_timeline() -> None:
    """The stages ``decide`` keeps on the report, one change at a time, are the ones the whole
    timeline gives, and judge the stages as :func:`handling` does, day after day."""
    from datetime import UTC, datetime, timedelta
    from zoneinfo import ZoneInfo

    from core.decisions import REPORTER, Actor, Decision, ReportState, Rules, decide
    from core.lifecycle import ReportStatus, ReportType
    from core.performance import handling_of, moments, stage_limits
    from core.permissions import ActorKind, CaseAction

    wita = ZoneInfo("Asia/Makassar")
    rules = Rules(CAL, wita, POLICY)
    officer = Actor(ActorKind.OFFICER, "petugas:7:Dewi", 3)
    plan = [  # the day of March 2026 (WITA, 10:00) and the change
        (2, CaseAction.SUBMIT, REPORTER),
        (4, CaseAction.VERIFY, officer),
        (5, CaseAction.ASK, officer),
        (13, CaseAction.RESUME, REPORTER),
        (16, CaseAction.NOTE, officer),
        (17, CaseAction.ASK, officer),
        (30, CaseAction.NOTE, officer),  # answered by the unit's next note: the pause ends
        (31, CaseAction.DONE, officer),
        (31, CaseAction.REOPEN, REPORTER),
        (31, CaseAction.DONE, officer),
    ]
    state = ReportState(status=None, report_type=ReportType.PENGADUAN, unit_id=3)
    steps: list[Step] = []
    limits = stage_limits(POLICY, "pengaduan", pengawasan=False)
    for day, action, actor in plan:
        now = datetime(2026, 3, day, 10, tzinfo=wita).astimezone(UTC)
        outcome = decide(state, action, actor, now, rules)
        assert isinstance(outcome, Decision), (day, action, outcome)
        event = outcome.event
        if action != CaseAction.SUBMIT and event.status_to != event.status_from:
            steps.append(Step(d(3, day), event.status_from, event.status_to))
        state = outcome.after
        kept = state.moments
        assert kept is not None
        folded = moments(d(3, 2), steps, limits, CAL)
        assert replace(folded, waiting_since=None) == kept, (day, action)
        waiting = None
        if state.status == ReportStatus.MENUNGGU_PELAPOR and state.pause is not None:
            waiting = state.pause.at.astimezone(wita).date()
        for later in range(0, 40, 3):
            today = d(3, day) + timedelta(days=later)
            expected = handling(
                d(3, 2), steps, "pengaduan", pengawasan=False, today=today, cal=CAL, policy=POLICY
            )
            assert handling_of(replace(kept, waiting_since=waiting), today, CAL) == expected
    assert state.moments is not None
    assert state.moments.reopened
    assert (state.moments.verify_days, state.moments.verify_on_time) == (2, True)
    # 4 → 16 March: 8 working days, 6 of them (6-13 March) waiting for the reporter.
    assert (state.moments.follow_up_days, state.moments.follow_up_on_time) == (2, True)


def test_a_stage_waiting_for_the_reporter_is_late_only_if_it_was_late_when_asked() -> None:
    # Verified Monday 2 March: the follow-up is due Monday 9 March (5 working days).
    asked_in_time = [
        Step(d(3, 2), "baru", "didisposisi"),
        Step(d(3, 9), "didisposisi", "menunggu_pelapor"),  # asked on the last day
    ]
    asked_late = [
        Step(d(3, 2), "baru", "didisposisi"),
        Step(d(3, 10), "didisposisi", "menunggu_pelapor"),  # asked a day late
    ]
    for today in (d(3, 9), d(3, 14), d(3, 16), d(4, 30)):  # Saturday 14th included
        waiting = handling(
            d(3, 2),
            asked_in_time,
            "pengaduan",
            pengawasan=False,
            today=today,
            cal=CAL,
            policy=POLICY,
        )
        assert waiting.follow_up.on_time is None, today
    for today in (d(3, 10), d(3, 14), d(4, 30)):
        late = handling(
            d(3, 2), asked_late, "pengaduan", pengawasan=False, today=today, cal=CAL, policy=POLICY
        )
        assert late.follow_up.on_time is False, today


@pytest.mark.parametrize(
    "days",
    [[3], [1, 3], [1, 3, 5], [0, 0, 2, 9], [4, 4, 4, 1, 1, 1, 7], [2, 5, 5, 5, 6, 6, 8, 8]],
)
def test_the_median_of_day_counts_is_the_median_of_the_days(days: list[int]) -> None:
    import statistics

    from core.performance import histogram_median

    counts: dict[int, int] = {}
    for value in days:
        counts[value] = counts.get(value, 0) + 1
    assert histogram_median(counts) == statistics.median(days)
    assert histogram_median({}) is None
