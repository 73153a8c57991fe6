"""Time as a dependency: the runtime asks a ``Clock`` instead of calling ``datetime.now`` itself.

Two times, which are the same in production:

* the clock (``Clock``): the time of the service's own affairs — deadlines, reminders, what a
  citizen's report says happened when. Tests and the training sandbox move it (days at a time);
* the wall time behind it (:func:`wall_clock_of`): the time Telegram and the transport live in —
  when an update arrived (Telegram redelivers an unconfirmed update within a day, whatever a
  test did to the bot's calendar), how long an album has been quiet, when a retry is due. A
  clock a test moves (:class:`TravellingClock`, :class:`OffsetFileClock`) names the real time it
  is moved from as ``wall``; the system clock and a :class:`ManualClock` are their own wall time.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

Clock = Callable[[], datetime]
"""Returns the current moment as an aware UTC datetime."""


def system_clock() -> datetime:
    return datetime.now(UTC)


def wall_clock_of(clock: Clock) -> Clock:
    """The real time behind ``clock``: its ``wall`` for a clock a test moves, else itself."""
    wall = getattr(clock, "wall", None)
    return wall if callable(wall) else clock


class ManualClock:
    """A clock that only moves when told to, for tests (album waits, backoff, deadlines)."""

    def __init__(self, start: datetime | None = None) -> None:
        self._now = start or datetime(2026, 1, 5, 1, 0, tzinfo=UTC)
        if self._now.tzinfo is None:
            raise ValueError("ManualClock needs an aware datetime")

    def __call__(self) -> datetime:
        return self._now

    def set(self, moment: datetime) -> None:
        if moment.tzinfo is None:
            raise ValueError("ManualClock needs an aware datetime")
        self._now = moment.astimezone(UTC)

    def advance(self, seconds: float = 0.0, **delta: float) -> datetime:
        """Move forward by ``seconds`` (or ``minutes=``, ``hours=``); returns the new now."""
        self._now += timedelta(seconds=seconds, **delta)
        return self._now


class TravellingClock:
    """Real time that can be moved: it ticks like the system clock from a chosen moment, and
    :meth:`set` or :meth:`advance` jump it. The clock's tests and the training sandbox use it
    to show a week of deadlines in minutes while timeouts (album waits, backoff) still pass."""

    def __init__(self, start: datetime | None = None) -> None:
        self._offset = timedelta(0)
        if start is not None:
            self.set(start)

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self._offset

    def wall(self) -> datetime:
        """The real time it is moved from (see :func:`wall_clock_of`)."""
        return system_clock()

    def set(self, moment: datetime) -> None:
        if moment.tzinfo is None:
            raise ValueError("TravellingClock needs an aware datetime")
        self._offset = moment.astimezone(UTC) - datetime.now(UTC)

    def advance(self, seconds: float = 0.0, **delta: float) -> datetime:
        """Jump forward by ``seconds`` (or ``minutes=``, ``hours=``, ``days=``)."""
        self._offset += timedelta(seconds=seconds, **delta)
        return self()


class OffsetFileClock:
    """Real time plus an offset in seconds read from a file: how a test moves the clock of bot
    processes it runs as subprocesses (the crash suite). Only used when ``TEST_CLOCK_OFFSET_FILE``
    is set; a missing file means no offset. The file is read again at most every ``recheck``
    seconds, so a write reaches a running process within that time. A file that does not hold a
    number (empty or cut short: caught while a writer rewrites it) keeps the offset read before,
    so the clock never falls back to real time, months away, for that moment."""

    def __init__(self, path: Path, recheck: float = 0.2) -> None:
        self._path = path
        self._recheck = recheck
        self._offset = timedelta(0)
        self._checked = float("-inf")

    def __call__(self) -> datetime:
        tick = time.monotonic()
        if tick - self._checked >= self._recheck:
            self._checked = tick
            try:
                self._offset = timedelta(seconds=float(self._path.read_text().strip()))
            except OSError:
                self._offset = timedelta(0)
            except ValueError:
                pass  # half-written: the offset read before holds
        return datetime.now(UTC) + self._offset

    def wall(self) -> datetime:
        """The real time it is moved from (see :func:`wall_clock_of`)."""
        return system_clock()
