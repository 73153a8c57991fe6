"""What a decision reads and returns: the report's lifecycle fields (:class:`ReportState`), who
acts (:class:`Actor`), the region's rules, and the :class:`Decision` or :class:`Refusal` that
``core.decisions.decide`` gives (re-exported there; see that module).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Final
from zoneinfo import ZoneInfo

from core.calendar import WorkingCalendar
from core.deadlines import DeadlinePolicy
from core.lifecycle import ROWS, ActorKind, Claim, Move, NoticeOwed, ReportStatus, ReportType
from core.performance import Moments
from core.permissions import actor_kind
from core.timeline import EventKind

#: How the reporter and the reminder engine are named in the timeline.
REPORTER_LABEL: Final = "pelapor"
SYSTEM_LABEL: Final = "sistem"
#: A citizen who supports the report (laporan serupa): never who.
SUPPORTER_LABEL: Final = "pendukung"


@dataclass(frozen=True)
class Actor:
    """Who acts: ``label`` goes into the timeline (an officer: ``petugas:<id>:<name>``);
    ``unit_id`` is the officer's unit (None for the reporter and the reminder engine)."""

    kind: ActorKind
    label: str
    unit_id: int | None = None

    @classmethod
    def officer(cls, user_id: str, name: str, unit_id: int, unit_kind: str) -> Actor:
        label = f"petugas:{user_id}:{name}"[:64]
        return cls(actor_kind(unit_kind), label, unit_id)


REPORTER: Final = Actor(ActorKind.CITIZEN, REPORTER_LABEL)
SYSTEM: Final = Actor(ActorKind.SYSTEM, SYSTEM_LABEL)


@dataclass(frozen=True)
class Pause:
    """A stage paused while the unit waits for the reporter (SP4N-LAPOR! "Tunda")."""

    status: ReportStatus  # where the unit was: the reporter's answer goes back there
    at: datetime
    days_left: int | None  # working days the stage had left (None: it had no deadline)


@dataclass(frozen=True)
class ReportState:
    """The lifecycle fields of one report (``status`` None: not submitted yet)."""

    status: ReportStatus | None
    report_type: ReportType
    pengawasan: bool = False  # the category needs an inspection (60 working days)
    unit_id: int | None = None
    due_date: date | None = None
    next_notice_on: date | None = None
    pause: Pause | None = None
    ombudsman_on: date | None = None
    selesai_at: datetime | None = None
    closed_at: datetime | None = None
    rating: int | None = None
    # The measured stages (core.performance): when each ended, in time or not, the open
    # stage's deadline. None: not submitted yet.
    moments: Moments | None = None


@dataclass(frozen=True)
class Rules:
    """The region's calendar, zone and deadline policy (all pure data)."""

    calendar: WorkingCalendar
    timezone: ZoneInfo
    policy: DeadlinePolicy


@dataclass(frozen=True)
class Target:
    """The unit a report is transferred or routed to (``fallback``: routed there because the
    unit of its place or category has no group)."""

    unit_id: int
    active: bool = True
    fallback: bool = False


@dataclass(frozen=True)
class NextLook:
    """The reminder engine's next look at a report (``on`` None: nothing more is owed)."""

    on: date | None


@dataclass(frozen=True)
class TimelineEvent:
    """One line of the report's audit trail."""

    kind: EventKind
    actor: str
    status_from: ReportStatus | None
    status_to: ReportStatus | None
    note: str = ""
    unit_id: int | None = None
    to_unit_id: int | None = None


@dataclass(frozen=True)
class Decision:
    """The change: the report's lifecycle fields after it, its event and the notices owed."""

    action: Move
    before: ReportState
    after: ReportState
    events: tuple[TimelineEvent, ...]  # what the timeline records (a look records nothing)
    notices: tuple[NoticeOwed, ...]
    touches: bool = True  # the report's "updated at" moves

    @property
    def event(self) -> TimelineEvent:
        """The event of an action (every case action and routing record exactly one)."""
        return self.events[0]

    @property
    def status_changed(self) -> bool:
        return self.before.status != self.after.status

    @property
    def claim(self) -> Claim | None:
        """The agenda field the write takes over: it must still hold ``before``'s value."""
        return ROWS[self.action].claims


@dataclass(frozen=True)
class Refusal:
    """The change is impossible; ``reason`` is a catalogue key suffix (``case.refused.*``)."""

    reason: str
