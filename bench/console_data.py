"""The generated reports of ``python -m bench console``: written with plain sqlite3 in bulk,
with their measured stages, then the roll-up rebuilt from them (bench/console.py)."""

from __future__ import annotations

import random
import sqlite3
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy.dialects import sqlite as sqlite_dialect

from core.deadlines import UNIT_STAGES
from core.lifecycle import ReportStatus
from core.tracking import ALPHABET, BASE, BODY_LENGTH, check_symbol, format_tracking_number
from storage.console.rebuild import rebuild_statements

#: A Wednesday in WITA: a working day with no holiday near it.
TODAY = date(2026, 11, 25)
SPAN_DAYS = 730
OPEN_SHARE = 0.04
CITIZENS = 20_000
CHUNK = 50_000


def _tracking(i: int) -> str:
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
        for statement in rebuild_statements("sqlite")
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
        " finish_days, finish_on_time, stage_paused, stage_due, reopened)"
        " VALUES (?, ?, 'telegram', ?, ?, ?, '', ?, 'biasa', ?, ?, ?, ?, ?, '', ?, ?, ?, ?, ?,"
        " ?, ?, ?, ?, ?, ?, 0, ?, ?)"
    )

    (trigger,) = con.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = 'report_rollup_insert'"
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
                _tracking(i),
                1 + rnd.randrange(CITIZENS),
                kind,
                rnd.choice(categories),
                rnd.choice(desa),
                "Laporan contoh untuk uji beban konsol " + "x" * rnd.randint(20, 200),
                status.value,
                due.isoformat() if due else None,
                rnd.choice(unit_ids),
                at,
                at,
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
    con.commit()
    timing.rebuild_s = time.perf_counter() - started
    con.execute("ANALYZE")
    con.close()
    return timing
