"""Laporan serupa: which open reports are offered before a new one is filed (core.similar)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from core.lifecycle import Privacy, ReportStatus
from core.similar import Candidate, Place, distance_m, similar

NOW = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)
SEPASO = "64.08.09.2001"
OTHER_DESA = "64.08.09.2002"
# Two points about 200 m apart (0.0018° of latitude), and one about 1.1 km away.
NEAR_A = (0.5000, 117.8000)
NEAR_B = (0.5018, 117.8000)
FAR = (0.5100, 117.8000)


def _candidate(report_id: int, **changes: object) -> Candidate:
    values: dict[str, object] = {
        "report_id": report_id,
        "category": "jalan",
        "region_code": SEPASO,
        "status": ReportStatus.DIDISPOSISI,
        "privacy": Privacy.BIASA,
        "created_at": NOW - timedelta(days=2),
        "citizen_id": 50,
    }
    values.update(changes)
    return Candidate(**values)  # type: ignore[arg-type]


def _found(place: Place, candidates: list[Candidate]) -> list[int]:
    matches = similar(place, candidates, now=NOW, radius_m=250, days=30)
    return [m.candidate.report_id for m in matches]


def test_haversine_distance_is_in_metres() -> None:
    assert distance_m(*NEAR_A, *NEAR_A) == 0
    assert distance_m(*NEAR_A, *NEAR_B) == pytest.approx(200.2, abs=1)
    # One degree of longitude on the equator is about 111.2 km.
    assert distance_m(0, 117, 0, 118) == pytest.approx(111_195, rel=1e-3)


def test_same_category_in_the_same_desa_is_similar() -> None:
    place = Place("jalan", SEPASO)
    assert _found(place, [_candidate(1)]) == [1]


def test_another_category_or_another_desa_without_gps_is_not() -> None:
    place = Place("jalan", SEPASO)
    assert _found(place, [_candidate(1, category="sampah")]) == []
    assert _found(place, [_candidate(2, region_code=OTHER_DESA)]) == []


def test_within_the_radius_across_a_desa_border_when_both_have_gps() -> None:
    place = Place("jalan", SEPASO, *NEAR_A)
    near = _candidate(1, region_code=OTHER_DESA, latitude=NEAR_B[0], longitude=NEAR_B[1])
    far = _candidate(2, region_code=OTHER_DESA, latitude=FAR[0], longitude=FAR[1])
    assert _found(place, [near, far]) == [1]


def test_closed_archived_confidential_old_or_own_reports_are_never_offered() -> None:
    place = Place("jalan", SEPASO, citizen_id=7)
    offered_not = [
        _candidate(1, status=ReportStatus.SELESAI),
        _candidate(2, status=ReportStatus.DIARSIPKAN),
        _candidate(3, privacy=Privacy.RAHASIA),
        _candidate(4, created_at=NOW - timedelta(days=31)),
        _candidate(5, citizen_id=7),
    ]
    assert _found(place, offered_not) == []
    assert _found(place, [_candidate(6, privacy=Privacy.ANONIM)]) == [6]
    assert _found(place, [_candidate(7, status=ReportStatus.MENUNGGU_PELAPOR)]) == [7]


def test_at_most_three_nearest_first_then_newest() -> None:
    place = Place("jalan", SEPASO, *NEAR_A)
    candidates = [
        _candidate(1, created_at=NOW - timedelta(days=5)),
        _candidate(2, created_at=NOW - timedelta(days=1)),
        _candidate(3, latitude=NEAR_B[0], longitude=NEAR_B[1]),
        _candidate(4, latitude=NEAR_A[0], longitude=NEAR_A[1]),
        _candidate(5, created_at=NOW - timedelta(days=9)),
    ]
    assert _found(place, candidates) == [4, 3, 2]
