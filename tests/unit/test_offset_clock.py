"""The test clock of ``aduan run`` (TEST_CLOCK_OFFSET_FILE): real time plus a file's seconds."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from runtime.clock import OffsetFileClock, system_clock, wall_clock_of

DAY = timedelta(days=1)
#: Real time passes between the clock's reading and the test's; far less than a day.
SLACK = timedelta(minutes=5)


def test_the_file_moves_the_clock_and_a_new_offset_is_read_again(tmp_path: Path) -> None:
    offset = tmp_path / "offset"
    offset.write_text(str(3 * DAY.total_seconds()))
    clock = OffsetFileClock(offset, recheck=0)
    assert abs(clock() - (datetime.now(UTC) + 3 * DAY)) < SLACK
    offset.write_text("-86400\n")
    assert abs(clock() - (datetime.now(UTC) - DAY)) < SLACK


def test_a_missing_or_unreadable_file_means_the_system_clock(tmp_path: Path) -> None:
    missing = OffsetFileClock(tmp_path / "nothing", recheck=0)
    assert abs(missing() - datetime.now(UTC)) < SLACK
    garbled = tmp_path / "garbled"
    garbled.write_text("tomorrow")
    assert abs(OffsetFileClock(garbled, recheck=0)() - datetime.now(UTC)) < SLACK
    assert missing().tzinfo is not None


def test_a_file_caught_half_written_keeps_the_offset_read_before(tmp_path: Path) -> None:
    """A driver rewriting the file truncates it first: a read in between sees it empty (or cut
    short). The bot's clock must not fall back to real time (months away) for that moment."""
    offset = tmp_path / "offset"
    offset.write_text(str(-300 * DAY.total_seconds()))
    clock = OffsetFileClock(offset, recheck=0)
    assert abs(clock() - (datetime.now(UTC) - 300 * DAY)) < SLACK
    offset.write_text("")
    assert abs(clock() - (datetime.now(UTC) - 300 * DAY)) < SLACK
    offset.write_text("-")
    assert abs(clock() - (datetime.now(UTC) - 300 * DAY)) < SLACK


def test_the_wall_time_behind_a_moved_clock_is_real_time(tmp_path: Path) -> None:
    offset = tmp_path / "offset"
    offset.write_text(str(2 * DAY.total_seconds()))
    clock = OffsetFileClock(offset, recheck=0)
    wall = wall_clock_of(clock)
    assert abs(wall() - datetime.now(UTC)) < SLACK
    assert abs(clock() - wall() - 2 * DAY) < SLACK
    assert wall_clock_of(system_clock) is system_clock
