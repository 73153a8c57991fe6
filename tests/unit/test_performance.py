"""Measuring a report's stages in working days on the Indonesian calendar (core.performance)."""

from __future__ import annotations

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
