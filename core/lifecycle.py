"""Report lifecycle (alur status laporan) in one table, and everything derived from it.

Two tables say the whole rule; everything else in ``core`` that names statuses or actions is
computed from them at import (docs/lifecycle.md):

- :data:`STAGES`, one row per status: is a unit still owing work, whose clock runs, the
  SP4N-LAPOR! term.
- :data:`LIFECYCLE`, one row per action: who may take it (actor kinds, and the least role in
  a unit's group), in which statuses and where each leads, the timeline event it records, the
  notices it owes, and which field of the reminder engine's agenda it claims.

Derived here: :data:`ALLOWED_TRANSITIONS`, :data:`OPEN_STATUSES`, :data:`CLOCK_PAUSED`,
:data:`UNIT_STAGES`, :data:`SP4N_TERMS`; elsewhere ``core.permissions`` (``ACTORS``,
``ALLOWED_IN``, :func:`~core.permissions.next_status`), ``core.roles`` (the case actions' part of
``ROLE_TABLE``) and ``core.decisions`` (notices, events, quiet actions). Time rules (a reporter
may reopen ``selesai`` only until it closes for good) are applied by ``core.decisions.decide``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import Final

from core.timeline import EventKind


class ReportStatus(StrEnum):
    """Status of a report; values are stored in the database, keep them stable."""

    BARU = "baru"
    DIDISPOSISI = "didisposisi"
    DIPROSES = "diproses"
    MENUNGGU_PELAPOR = "menunggu_pelapor"
    SELESAI = "selesai"
    DIARSIPKAN = "diarsipkan"
    DIRUJUK = "dirujuk"  # bukan kewenangan: referred to a body outside the kabupaten


class ReportType(StrEnum):
    """SP4N-LAPOR! report class (klasifikasi laporan)."""

    PENGADUAN = "pengaduan"
    ASPIRASI = "aspirasi"
    PERMINTAAN_INFORMASI = "permintaan_informasi"


class Privacy(StrEnum):
    """SP4N-LAPOR! privacy option: anonim hides the reporter, rahasia hides the report."""

    BIASA = "biasa"
    ANONIM = "anonim"
    RAHASIA = "rahasia"


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
    INTERNAL_NOTE = "in"  # 📝 Catatan internal: words for the unit and the coordinator only
    RECATEGORIZE = "kat"  # 🏷 Ubah kategori: a misfiled report gets its right category
    REFER = "rf"  # ↗ Bukan kewenangan: referred to an outside body → dirujuk
    UNREFER = "urf"  # the coordinator undoes a wrong referral → back to where it was
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


class Upkeep(StrEnum):
    """The system's own moves of lifecycle fields that nobody presses a button for."""

    ROUTE = "route"  # a new report goes to the unit of its place or category (unit_id)
    LOOK = "look"  # the reminder engine looked and owes nothing today: its next look moves


#: Anything :func:`core.decisions.decide` decides.
Move = CaseAction | Upkeep


class ActorKind(StrEnum):
    """Who acts: the reporter, an officer of the unit holding the report, an officer of the
    coordinator's unit (acts on any report), or the reminder engine."""

    CITIZEN = "citizen"
    OFFICER = "officer"
    COORDINATOR = "coordinator"
    SYSTEM = "system"


class GroupRole(StrEnum):
    """Someone's role in a unit's group, least first (``core.roles``)."""

    MEMBER = "member"  # anggota grup
    OFFICER = "officer"  # petugas yang ditunjuk unit (aduan units officers)
    ADMIN = "admin"  # admin grup (Telegram's creator or administrator)


class Clock(StrEnum):
    """Which deadline runs while a report is in a status (``DeadlinePolicy.stage_days``)."""

    VERIFY = "verify"  # the unit verifies and routes it
    FOLLOW_UP = "follow_up"  # the unit's first follow-up
    RESOLVE = "resolve"  # the unit finishes it (days by report class)
    QUIET = "quiet"  # the reporter may object before it closes for good
    PAUSED = "paused"  # waiting for the reporter: the unit's clock stops
    NONE = "none"  # final


class Audience(StrEnum):
    """Who a notice owed by a change goes to (the handlers fill in the words)."""

    REPORTER = "reporter"  # a message to the reporter with a reply button
    REPORTER_FINAL = "reporter_final"  # a message to the reporter without a reply button
    REPORTER_CONFIRM = "reporter_confirm"  # the answer with "done? yes / no" buttons
    HOLDER = "holder"  # the holding unit's groups, as a reply to the card
    COORDINATOR = "coordinator"  # the coordinator's groups
    ESCALATION = "escalation"  # the holder's parent unit and the coordinator
    CARDS = "cards"  # the report's cards are edited to the new state
    MOVE_CARDS = "move_cards"  # the card leaves the old unit and appears at the new one


@dataclass(frozen=True)
class NoticeOwed:
    audience: Audience
    key: str = ""  # the catalogue key of the message ('' for cards)


class Claim(StrEnum):
    """The reminder engine's agenda field a move takes over: the write happens only if the
    field still holds what the decision read (two rounds may race for it)."""

    NEXT_NOTICE = "next_notice_on"
    OMBUDSMAN = "ombudsman_on"


@dataclass(frozen=True)
class Stage:
    """One status and what holds while a report is in it."""

    status: ReportStatus
    open: bool  # a unit still owes work
    clock: Clock
    sp4n: str  # the SP4N-LAPOR! name, for export


#: Back to the status the unit was in before it asked the reporter (the pause's).
PAUSED_STATUS: Final = None


@dataclass(frozen=True)
class Row:
    """One action: who, where it is possible and where it leads, what it records and owes.

    ``moves`` maps each status the action is possible in (None: no report yet) to the status
    after it (:data:`PAUSED_STATUS`: where the unit was before the pause). ``role`` is the least
    role in a unit's group that may take it (officers' actions only). ``refusals`` name the
    reason for statuses a generic reason does not fit; ``refused`` overrides every reason when
    the action is impossible. ``quiet`` actions leave "updated at" alone; ``records_status``
    actions write their from/to on the event even when the status stays. ``reschedules``: the
    decision carries the engine's next look. ``moved_notices`` replace ``notices`` when the
    status changed.
    """

    action: Move
    actors: frozenset[ActorKind]
    moves: Mapping[ReportStatus | None, ReportStatus | None]
    event: EventKind | None
    notices: tuple[NoticeOwed, ...] = ()
    role: GroupRole | None = None
    refusals: Mapping[ReportStatus, str] = field(default_factory=dict)
    refused: str = ""
    quiet: bool = False
    records_status: bool = False
    claims: Claim | None = None
    reschedules: bool = False
    moved_notices: tuple[NoticeOwed, ...] | None = None


_S = ReportStatus
_A = CaseAction
_K = EventKind
_C = Clock

#: The statuses, in their order on a report's way.
STAGES: Final[tuple[Stage, ...]] = (
    Stage(_S.BARU, open=True, clock=_C.VERIFY, sp4n="Belum Terverifikasi"),
    Stage(_S.DIDISPOSISI, True, _C.FOLLOW_UP, "Terdisposisi Belum Ditindaklanjuti"),
    Stage(_S.DIPROSES, True, _C.RESOLVE, "Terdisposisi Sedang Diproses"),
    Stage(_S.MENUNGGU_PELAPOR, True, _C.PAUSED, "Tertunda"),
    Stage(_S.SELESAI, False, _C.QUIET, "Terdisposisi Selesai"),
    Stage(_S.DIARSIPKAN, False, _C.NONE, "Arsip"),
    Stage(_S.DIRUJUK, False, _C.NONE, "Bukan Kewenangan (Dirujuk)"),
)

_OFFICERS = frozenset({ActorKind.OFFICER, ActorKind.COORDINATOR})
_COORDINATOR = frozenset({ActorKind.COORDINATOR})
_CITIZEN = frozenset({ActorKind.CITIZEN})
_SYSTEM = frozenset({ActorKind.SYSTEM})
_MEMBER, _OFFICER = GroupRole.MEMBER, GroupRole.OFFICER


def _stay(*statuses: ReportStatus | None) -> Mapping[ReportStatus | None, ReportStatus | None]:
    return MappingProxyType({status: status for status in statuses})


def _to(
    target: ReportStatus, *statuses: ReportStatus
) -> Mapping[ReportStatus | None, ReportStatus | None]:
    return MappingProxyType(dict.fromkeys(statuses, target))


def _n(audience: Audience, key: str = "") -> NoticeOwed:
    return NoticeOwed(audience, key)


_CARDS = _n(Audience.CARDS)
_WORKING = (_S.DIDISPOSISI, _S.DIPROSES, _S.MENUNGGU_PELAPOR)
_OPEN = (_S.BARU, *_WORKING)
_UNIT = (_S.BARU, _S.DIDISPOSISI, _S.DIPROSES)
_VERIFIED = MappingProxyType(dict.fromkeys(_WORKING, "already_verified"))

#: The lifecycle: every action, who may take it, where it is possible and leads, what it
#: records and owes. Notes on the choices:
#: - didisposisi → selesai is allowed: a unit may fix the problem and report it done at once.
#: - a transfer (bukan wewenang) hands the report to a new unit that takes it up from the start
#:   of its own work: a verified report becomes a fresh disposisi, a new one stays new.
#: - the reporter's answer to a question goes back to where the unit was (the pause).
#: - an officer's first answer is the unit's first follow-up (didisposisi → diproses).
#: - diarsipkan is final.
#: - a change of category keeps the status, the holder and the deadlines (a transfer is its own
#:   action); only open reports, by an officer (it changes what the reporter filed).
#: - a referral (bukan kewenangan) closes the report as dirujuk, keeping where the unit was and
#:   the days its stage had left (as a pause does); only the coordinator may undo it, and the
#:   report goes back there with those days.
#: - an internal note changes nothing but the card's count, in any status (a unit may note what
#:   happened after it finished or archived); quiet, so no public "updated at" moves for it.
LIFECYCLE: Final[tuple[Row, ...]] = (
    # The unit's officers (and the coordinator's).
    Row(_A.VERIFY, _OFFICERS, _to(_S.DIDISPOSISI, _S.BARU), _K.VERIFIED,
        (_n(Audience.REPORTER, "notify.verified"), _CARDS), _MEMBER, refusals=_VERIFIED,
        records_status=True),
    Row(_A.ASK, _OFFICERS, _to(_S.MENUNGGU_PELAPOR, _S.DIDISPOSISI, _S.DIPROSES), _K.ASKED,
        (_n(Audience.REPORTER, "notify.question"), _CARDS), _MEMBER,
        refusals=MappingProxyType({_S.MENUNGGU_PELAPOR: "already_waiting"}),
        records_status=True),
    Row(_A.NOTE, _OFFICERS, _to(_S.DIPROSES, *_WORKING), _K.FOLLOWED_UP,
        (_n(Audience.REPORTER, "notify.followup"), _CARDS), _MEMBER, records_status=True),
    Row(_A.DONE, _OFFICERS, _to(_S.SELESAI, *_WORKING), _K.DONE,
        (_n(Audience.REPORTER_CONFIRM, "notify.done"), _CARDS), _OFFICER, records_status=True),
    Row(_A.TRANSFER, _OFFICERS,
        MappingProxyType({_S.BARU: _S.BARU, **dict.fromkeys(_WORKING, _S.DIDISPOSISI)}),
        _K.TRANSFERRED,
        (_n(Audience.MOVE_CARDS), _n(Audience.REPORTER, "notify.transferred")), _OFFICER,
        records_status=True),
    Row(_A.ARCHIVE, _OFFICERS, _to(_S.DIARSIPKAN, *_OPEN), _K.ARCHIVED,
        (_n(Audience.REPORTER_FINAL, "notify.archived"), _CARDS), _OFFICER,
        records_status=True),
    Row(_A.REFER, _OFFICERS, _to(_S.DIRUJUK, *_OPEN), _K.REFERRED,
        (_n(Audience.REPORTER_FINAL, "notify.referred"), _CARDS), _OFFICER,
        records_status=True),
    Row(_A.UNREFER, _COORDINATOR, MappingProxyType({_S.DIRUJUK: PAUSED_STATUS}), _K.UNREFERRED,
        (_n(Audience.REPORTER, "notify.unreferred"), _CARDS), _OFFICER, refused="not_referred",
        records_status=True),
    Row(_A.ANSWER, _OFFICERS,
        MappingProxyType({**_stay(*_WORKING, _S.SELESAI), _S.DIDISPOSISI: _S.DIPROSES}),
        _K.ANSWERED, (_n(Audience.REPORTER, "notify.answer"),), _MEMBER,
        moved_notices=(_n(Audience.REPORTER, "notify.answer_due"), _CARDS)),
    Row(_A.INTERNAL_NOTE, _OFFICERS, _stay(*ReportStatus), _K.INTERNAL_NOTE, (_CARDS,), _MEMBER,
        quiet=True),
    Row(_A.RECATEGORIZE, _OFFICERS, _stay(*_OPEN), _K.RECATEGORIZED,
        (_n(Audience.REPORTER_FINAL, "notify.recategorized"), _CARDS), _OFFICER),
    # The reporter (pelapor).
    Row(_A.SUBMIT, _CITIZEN, MappingProxyType({None: _S.BARU}), _K.SUBMITTED),
    Row(_A.INFO, _CITIZEN, _stay(*_UNIT, _S.SELESAI), _K.REPORTER_INFO,
        (_n(Audience.HOLDER, "group.from_reporter"),)),
    Row(_A.RESUME, _CITIZEN, MappingProxyType({_S.MENUNGGU_PELAPOR: PAUSED_STATUS}),
        _K.REPORTER_ANSWER, (_n(Audience.HOLDER, "group.from_reporter"), _CARDS)),
    Row(_A.REOPEN, _CITIZEN, _to(_S.DIPROSES, _S.SELESAI), _K.REOPENED,
        (_n(Audience.HOLDER, "group.reopened"), _n(Audience.COORDINATOR, "group.reopened"),
         _CARDS), records_status=True),
    Row(_A.CONFIRM, _CITIZEN, _stay(_S.SELESAI), _K.CONFIRMED, refused="not_finished",
        quiet=True),
    Row(_A.RATE, _CITIZEN, _stay(_S.SELESAI), _K.RATED,
        (_n(Audience.HOLDER, "group.rated"), _CARDS), refused="not_finished"),
    # The reminder engine (pengingat).
    Row(_A.REMIND, _SYSTEM, _stay(*_UNIT), _K.REMINDER,
        (_n(Audience.HOLDER, "clock.reminder"),), quiet=True, claims=Claim.NEXT_NOTICE,
        reschedules=True),
    Row(_A.ESCALATE, _SYSTEM, _stay(*_UNIT), _K.ESCALATED,
        (_n(Audience.ESCALATION, "clock.escalation"),), quiet=True, claims=Claim.NEXT_NOTICE,
        reschedules=True),
    Row(_A.AUTO_CLOSE, _SYSTEM, _stay(_S.SELESAI), _K.AUTO_CLOSED,
        (_n(Audience.REPORTER_FINAL, "notify.auto_closed"), _CARDS), refused="not_finished",
        claims=Claim.NEXT_NOTICE),
    Row(_A.OMBUDSMAN, _SYSTEM, _stay(*_UNIT), _K.OMBUDSMAN,
        (_n(Audience.REPORTER_FINAL, "notify.ombudsman"),
         _n(Audience.COORDINATOR, "clock.ombudsman")), quiet=True, claims=Claim.OMBUDSMAN),
    # The system's upkeep.
    Row(Upkeep.ROUTE, _SYSTEM, _stay(_S.BARU), _K.ROUTED, quiet=True),
    Row(Upkeep.LOOK, _SYSTEM, _stay(*ReportStatus), None, quiet=True,
        claims=Claim.NEXT_NOTICE, reschedules=True),
)  # fmt: skip

# --- derived ----------------------------------------------------------------------------------

ROWS: Final[Mapping[Move, Row]] = MappingProxyType({row.action: row for row in LIFECYCLE})
if set(ROWS) != {*CaseAction, *Upkeep} or len(ROWS) != len(LIFECYCLE):  # pragma: no cover
    raise RuntimeError("every action needs exactly one row of the lifecycle table")
_STAGE: Final = MappingProxyType({stage.status: stage for stage in STAGES})

#: The status names used by SP4N-LAPOR! for export.
SP4N_TERMS: Final[Mapping[ReportStatus, str]] = MappingProxyType(
    {stage.status: stage.sp4n for stage in STAGES}
)
#: Statuses in which a unit still owes work.
OPEN_STATUSES: Final = frozenset(stage.status for stage in STAGES if stage.open)
#: The officers' actions on a report, in the order the card's buttons and the console offer them.
OFFICER_ACTIONS: Final = (
    CaseAction.VERIFY,
    CaseAction.ASK,
    CaseAction.ANSWER,
    CaseAction.NOTE,
    CaseAction.DONE,
    CaseAction.TRANSFER,
    CaseAction.REFER,
    CaseAction.ARCHIVE,
    CaseAction.UNREFER,
    CaseAction.INTERNAL_NOTE,
    CaseAction.RECATEGORIZE,
)
#: Statuses whose deadline clock does not run (clock paused while waiting for the reporter).
CLOCK_PAUSED: Final = frozenset(s.status for s in STAGES if s.clock == Clock.PAUSED)
#: Stages whose deadline is the unit's (reminders and escalation apply).
UNIT_STAGES: Final = frozenset(
    s.status for s in STAGES if s.clock in (Clock.VERIFY, Clock.FOLLOW_UP, Clock.RESOLVE)
)
#: The statuses a pause may return to: where a question to the reporter may be asked from.
PAUSABLE: Final = frozenset(s for s in ROWS[_A.ASK].moves if s is not None)
#: The statuses an undone referral may return to: where a referral may be made from (referred
#: while waiting for the reporter, it returns to the unit's stage before the question).
REFERABLE: Final = frozenset(s for s in ROWS[_A.REFER].moves if s is not None) - CLOCK_PAUSED
#: Where each action that goes back (:data:`PAUSED_STATUS`) may lead.
RETURNS: Final[Mapping[Move, frozenset[ReportStatus]]] = MappingProxyType(
    {_A.RESUME: PAUSABLE, _A.UNREFER: REFERABLE}
)


def _targets(row: Row, status: ReportStatus) -> frozenset[ReportStatus]:
    after = row.moves[status]
    return RETURNS[row.action] if after is PAUSED_STATUS else frozenset({after})


#: Allowed status changes (every status change some action makes).
ALLOWED_TRANSITIONS: Final[Mapping[ReportStatus, frozenset[ReportStatus]]] = MappingProxyType(
    {
        status: frozenset(
            after
            for row in LIFECYCLE
            if status in row.moves
            for after in _targets(row, status)
            if after != status
        )
        for status in ReportStatus
    }
)


def clock(status: ReportStatus) -> Clock:
    """The deadline that runs while a report is in ``status``."""
    return _STAGE[status].clock


def can_transition(a: ReportStatus, b: ReportStatus) -> bool:
    """Whether a report may move from status ``a`` to status ``b``."""
    return b in ALLOWED_TRANSITIONS[a]
