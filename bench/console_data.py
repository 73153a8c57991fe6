"""The generated database of ``python -m bench console``: N reports written with plain sqlite3
in bulk (not through the bot), with their measured stages, for most a GPS point in the
kabupaten, and descriptions drawn from a small vocabulary: "jalan" in about a third of them (a
common word to search), "longsor" in about one in 2,000 (a rare one)."""

from __future__ import annotations

import random
import sqlite3
import time
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy.dialects import sqlite as sqlite_dialect

from core.deadlines import UNIT_STAGES
from core.lifecycle import OPEN_STATUSES, ReportStatus
from core.tracking import ALPHABET, BASE, BODY_LENGTH, check_symbol, format_tracking_number
from storage.console import (
    ReportQuery,
    day_count_statement,
    late_now_statement,
    open_tally_statement,
    open_verify_statement,
    region_statement,
    rollup_category_statement,
    rollup_daily_statement,
    rollup_days_statement,
    rollup_tally_statement,
)
from storage.console.rebuild import rebuild_statements
from storage.console.region_rollup import region_rebuild_statements
from storage.console.reports import rated_statement
from storage.console.rollup import _month_split
from storage.console.tallies import open_by_day_statement

#: A Wednesday in WITA: a working day with no holiday near it.
TODAY = date(2026, 11, 25)
SPAN_DAYS = 730
OPEN_SHARE = 0.04
CITIZENS = 20_000
CHUNK = 50_000
#: The share of reports sent with a GPS point, somewhere in Kutai Timur's box.
LOCATED_SHARE = 0.85
KUTAI_TIMUR = (0.3, 116.6, 1.6, 118.4)  # south, west, north, east
#: The searched words: one in about a third of the descriptions, one in about 1 in 2,000.
COMMON_WORD, COMMON_SHARE = "jalan", 0.33
RARE_WORD, RARE_SHARE = "longsor", 0.0005
_VOCABULARY = (
    *[
        "sampah",
        "menumpuk",
        "lampu",
        "mati",
        "saluran",
        "tersumbat",
        "banjir",
        "genangan",
        "pohon",
        "tumbang",
    ],
    *[
        "air",
        "bersih",
        "keruh",
        "pelayanan",
        "lambat",
        "puskesmas",
        "sekolah",
        "atap",
        "bocor",
        "jembatan",
        "retak",
    ],
    *[
        "parit",
        "kotor",
        "bau",
        "pasar",
        "becek",
        "parkir",
        "liar",
        "trotoar",
        "rusak",
        "rumah",
        "warga",
        "depan",
        "gang",
    ],
    *["dekat", "masjid", "kantor", "desa"],
)


def _point(rnd: random.Random) -> tuple[float | None, float | None]:
    if rnd.random() >= LOCATED_SHARE:
        return None, None
    south, west, north, east = KUTAI_TIMUR
    return round(rnd.uniform(south, north), 6), round(rnd.uniform(west, east), 6)


def _description(rnd: random.Random) -> str:
    words = rnd.sample(_VOCABULARY, 6)
    if rnd.random() < COMMON_SHARE:
        words.insert(rnd.randrange(len(words)), COMMON_WORD + rnd.choice(("", "nya", "an")))
    if rnd.random() < RARE_SHARE:
        words.insert(rnd.randrange(len(words)), RARE_WORD)
    return "Laporan contoh: " + " ".join(words) + " " + "x" * rnd.randint(20, 200)


def tracking_of(i: int) -> str:
    """A valid, unique tracking number for the i-th report (an odd multiplier modulo 32^8 is
    one-to-one)."""
    value = (i * 2_654_435_761 + 12_345) % BASE**BODY_LENGTH
    body = ""
    for _ in range(BODY_LENGTH):
        value, digit = divmod(value, BASE)
        body += ALPHABET[digit]
    return format_tracking_number(body + check_symbol(body))


def _backfill_statements() -> list[str]:
    """The statements that fill the roll-up from the reports (``storage.console.rebuild``: the
    live definition of the indicators), as SQLite text for the plain connection."""
    dialect = sqlite_dialect.dialect()
    return [
        str(statement.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))
        for statement in (*rebuild_statements("sqlite"), *region_rebuild_statements("sqlite"))
    ]


@dataclass
class Generated:
    triggered: int  # reports inserted with the roll-up's triggers on
    triggered_s: float
    untriggered_s: float  # the same number again, triggers off (what they cost)
    bulk_s: float  # the rest, triggers off
    rebuild_s: float  # the roll-up rebuilt from all reports (storage.console.rebuild)


def generate(
    path: Path,
    n: int,
    unit_ids: list[int],
    desa: list[str],
    categories: list[str],
    seed: int,
) -> Generated:
    """N reports written with plain sqlite3 in bulk, stage columns included. The first chunk
    goes through the roll-up's insert trigger (timed: what each report written costs), the
    next chunk without it (timed the same way), the rest in bulk; then the roll-up is rebuilt
    from all the reports (storage.console.rebuild) and the trigger put back."""
    rnd = random.Random(seed)
    con = sqlite3.connect(path)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=OFF")
    stamp0 = datetime(2026, 11, 24, 23, 0, tzinfo=UTC).isoformat(" ")
    con.executemany(
        "INSERT INTO citizens (channel, user_id, chat_id, name, username, language, consent_at,"
        " consent_version, created_at) VALUES ('telegram', ?, ?, '', '', 'id', ?, '1', ?)",
        [(str(10_000 + i), str(10_000 + i), stamp0, stamp0) for i in range(CITIZENS)],
    )
    open_statuses = [*UNIT_STAGES, ReportStatus.MENUNGGU_PELAPOR]
    types = ["pengaduan"] * 6 + ["aspirasi"] * 3 + ["permintaan_informasi"]
    limits = {"pengaduan": 14, "aspirasi": 5, "permintaan_informasi": 7}
    rows: list[tuple[object, ...]] = []
    sql = (
        "INSERT INTO reports (tracking_no, citizen_id, channel, report_type, category,"
        " region_code, address_detail, description, privacy, status, due_date, unit_id,"
        " created_at, updated_at, rating_comment, rating, created_on, verified_on, verify_days,"
        " verify_on_time, followed_up_on, follow_up_days, follow_up_on_time, finished_on,"
        " finish_days, finish_on_time, stage_paused, stage_due, reopened, latitude, longitude)"
        " VALUES (?, ?, 'telegram', ?, ?, ?, '', ?, 'biasa', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?,"
        " ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?)"
    )

    (trigger,) = con.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'report_rollup_insert'"
    ).fetchone()
    (region_trigger,) = con.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'trigger'"
        " AND name = 'report_region_rollup_insert'"
    ).fetchone()
    timing = Generated(0, 0.0, 0.0, 0.0, 0.0)

    def write(batch: list[tuple[object, ...]]) -> None:
        started = time.perf_counter()
        con.executemany(sql, batch)
        con.commit()
        spent = time.perf_counter() - started
        if not timing.triggered:
            timing.triggered, timing.triggered_s = len(batch), spent
            con.execute("DROP TRIGGER report_rollup_insert")
            con.execute("DROP TRIGGER report_region_rollup_insert")
        elif not timing.untriggered_s:
            timing.untriggered_s = spent
        else:
            timing.bulk_s += spent

    def later(day: date, working: int) -> date:
        return day + timedelta(days=working + working // 5 * 2)

    for i in range(n):
        kind = rnd.choice(types)
        created = TODAY - timedelta(days=rnd.randint(0, SPAN_DAYS - 1))
        status = ReportStatus.SELESAI
        due: date | None = None
        stage_due: date | None = None
        verified = followed = finished = None
        vd = fd = nd = None
        vo = fo = no = None
        rating = None
        roll = rnd.random()
        if roll < OPEN_SHARE:
            status = rnd.choice(open_statuses)
            created = TODAY - timedelta(days=rnd.randint(0, 60))
            due = later(TODAY - timedelta(days=15), rnd.randint(0, 25))
            stage_due = due if status != ReportStatus.MENUNGGU_PELAPOR else None
        elif roll > 0.93:
            status = ReportStatus.DIARSIPKAN
        if status not in (ReportStatus.BARU, ReportStatus.DIARSIPKAN):
            vd = rnd.choice((0, 1, 1, 2, 2, 3, 3, 4, 5))
            verified, vo = later(created, vd), vd <= 3
        if verified and status not in (ReportStatus.DIDISPOSISI, ReportStatus.MENUNGGU_PELAPOR):
            fd = rnd.choice((0, 1, 2, 3, 4, 5, 6, 8))
            followed, fo = later(verified, fd), fd <= 5
        if followed and status == ReportStatus.SELESAI:
            nd = rnd.randint(0, limits[kind] + 6)
            finished, no = later(followed, nd), nd <= limits[kind]
            rating = rnd.choice((None, None, 3, 4, 5, 5, 2, 1, 4, 5))
        at = datetime(created.year, created.month, created.day, 2, tzinfo=UTC).isoformat(" ")
        rows.append(
            (
                tracking_of(i),
                1 + rnd.randrange(CITIZENS),
                kind,
                rnd.choice(categories),
                rnd.choice(desa),
                _description(rnd),
                status.value,
                due.isoformat() if due else None,
                rnd.choice(unit_ids),
                at,
                at,
                # One rating in five with words (the overview lists the period's last 20).
                "Terima kasih, sudah ditangani." if rating is not None and i % 5 == 0 else "",
                rating,
                created.isoformat(),
                verified.isoformat() if verified else None,
                vd,
                vo,
                followed.isoformat() if followed else None,
                fd,
                fo,
                finished.isoformat() if finished else None,
                nd,
                no,
                stage_due.isoformat() if stage_due else None,
                rnd.random() < 0.02 and status in (ReportStatus.SELESAI, ReportStatus.DIPROSES),
                *_point(rnd),
            )
        )
        if len(rows) >= CHUNK:
            write(rows)
            rows.clear()
    write(rows)
    con.commit()
    started = time.perf_counter()
    con.execute("DELETE FROM report_rollup")
    con.execute("DELETE FROM report_rollup_categories")
    con.execute("DELETE FROM report_rollup_days")
    for statement in _backfill_statements():
        con.execute(statement)
    con.execute(trigger)
    con.execute(region_trigger)
    con.commit()
    timing.rebuild_s = time.perf_counter() - started
    con.execute("ANALYZE")
    con.close()
    return timing


def query_plans(path: Path, today: date, kecamatan: frozenset[int]) -> list[tuple[str, str]]:
    """SQLite's plans of the overview's statements over the whole range (the coordinator's
    and a kecamatan's)."""
    query = ReportQuery(first_day=TODAY - timedelta(days=SPAN_DAYS), last_day=TODAY)
    stages = [s.value for s in UNIT_STAGES]
    opened = [s.value for s in OPEN_STATUSES]
    months, edges = _month_split(query)
    assert months is not None
    statements: list[tuple[str, Any]] = [
        ("roll-up per unit", rollup_tally_statement(query)),
        ("open stages past deadline per unit", open_tally_statement(query, today=today)),
        ("late now per unit", late_now_statement(query, today=today, unit_stages=stages)),
        ("roll-up per day filed", rollup_daily_statement(query)),
        ("open verifications per day filed", open_verify_statement(query, today)),
        ("categories, whole months", rollup_category_statement(query, months)),
        ("median histograms, whole months", rollup_days_statement(query, months, by_unit=False)),
        *(
            (f"median histograms, {e.first_day} to {e.last_day}", day_count_statement(e, None))
            for e in edges
        ),
        ("wilayah", region_statement(query, [s.value for s in OPEN_STATUSES])),
        ("citizens' comments, the last 20", rated_statement(query, limit=20)),
        ("open reports per day filed (ageing)", open_by_day_statement(ReportQuery(), opened)),
    ]
    mine = replace(query, visible=kecamatan)
    statements += [
        ("kecamatan: roll-up per unit", rollup_tally_statement(mine)),
        ("kecamatan: open stages past deadline", open_tally_statement(mine, today=today)),
        (
            "kecamatan: late now per unit",
            late_now_statement(mine, today=today, unit_stages=stages),
        ),
    ]
    con = sqlite3.connect(path)
    out = []
    try:
        for name, stmt in statements:
            compiled = stmt.compile(
                dialect=sqlite_dialect.dialect(), compile_kwargs={"literal_binds": True}
            )
            steps = con.execute("EXPLAIN QUERY PLAN " + str(compiled)).fetchall()
            out.append((name, " / ".join(str(step[-1]) for step in steps)))
    finally:
        con.close()
    return out
