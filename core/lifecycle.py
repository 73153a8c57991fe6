"""Report lifecycle (alur status laporan) and its SP4N-LAPOR! terms, per docs/domain.md;
the rule that moves a report between them is ``core.decisions.decide`` (docs/lifecycle.md).

Transfers ("bukan wewenang", disposisi to another unit) are events, not status changes, so they
do not appear here. Time rules (a reporter may reopen ``selesai`` only until it closes for good
after 10 working days) are applied by ``decide``: this table says only which moves exist.
"""

from enum import StrEnum


class ReportStatus(StrEnum):
    """Status of a report; values are stored in the database, keep them stable."""

    BARU = "baru"
    DIDISPOSISI = "didisposisi"
    DIPROSES = "diproses"
    MENUNGGU_PELAPOR = "menunggu_pelapor"
    SELESAI = "selesai"
    DIARSIPKAN = "diarsipkan"


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


#: The status names used by SP4N-LAPOR! for export.
SP4N_TERMS: dict[ReportStatus, str] = {
    ReportStatus.BARU: "Belum Terverifikasi",
    ReportStatus.DIDISPOSISI: "Terdisposisi Belum Ditindaklanjuti",
    ReportStatus.DIPROSES: "Terdisposisi Sedang Diproses",
    ReportStatus.MENUNGGU_PELAPOR: "Tertunda",
    ReportStatus.SELESAI: "Terdisposisi Selesai",
    ReportStatus.DIARSIPKAN: "Arsip",
}

_S = ReportStatus

#: Allowed status changes. Notes on the choices:
#: - baru → didisposisi (verified and routed) or diarsipkan (not actionable; reason required).
#: - didisposisi → selesai is allowed: a unit may fix the problem and report it done at once.
#: - menunggu_pelapor → didisposisi/diproses: the reporter answered, the unit's work resumes
#:   where it was (the caller knows which from the timeline).
#: - diproses → didisposisi: a transfer to another unit (bukan wewenang) hands the report over
#:   as a fresh disposisi, so the new unit's first follow-up clock starts.
#: - selesai → diproses: the reporter says "belum selesai" (reopen).
#: - diarsipkan is final.
ALLOWED_TRANSITIONS: dict[ReportStatus, frozenset[ReportStatus]] = {
    _S.BARU: frozenset({_S.DIDISPOSISI, _S.DIARSIPKAN}),
    _S.DIDISPOSISI: frozenset({_S.DIPROSES, _S.MENUNGGU_PELAPOR, _S.SELESAI, _S.DIARSIPKAN}),
    _S.DIPROSES: frozenset({_S.DIDISPOSISI, _S.MENUNGGU_PELAPOR, _S.SELESAI, _S.DIARSIPKAN}),
    _S.MENUNGGU_PELAPOR: frozenset({_S.DIDISPOSISI, _S.DIPROSES, _S.SELESAI, _S.DIARSIPKAN}),
    _S.SELESAI: frozenset({_S.DIPROSES}),
    _S.DIARSIPKAN: frozenset(),
}

#: Statuses whose deadline clock does not run (clock paused while waiting for the reporter).
CLOCK_PAUSED: frozenset[ReportStatus] = frozenset({_S.MENUNGGU_PELAPOR})
#: Statuses in which a unit still owes work.
OPEN_STATUSES: frozenset[ReportStatus] = frozenset(
    {_S.BARU, _S.DIDISPOSISI, _S.DIPROSES, _S.MENUNGGU_PELAPOR}
)


def can_transition(a: ReportStatus, b: ReportStatus) -> bool:
    """Whether a report may move from status ``a`` to status ``b``."""
    return b in ALLOWED_TRANSITIONS[a]
