"""Retention (cases/retention.py) on real SQLite files and PostgreSQL: a closed report keeps its
reporter's identity and its evidence files for the configured months, then loses them; the
report, its answers and the console's roll-up stay as they were; a legal hold stops it; two
processes' rounds at once remove and record each thing once."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select

from cases.retention import (
    REASON_RETENTION,
    RetentionPolicy,
    months_before,
    run_retention,
)
from core.permissions import CaseAction
from core.timeline import EventKind
from runtime.reminders import ReminderJobs
from storage.console import supporter_counts
from storage.db import create_engine, session_factory
from storage.media_store import CleanStore, ThumbnailStore
from storage.models import (
    Citizen,
    Report,
    ReportDay,
    ReportEvent,
    ReportHold,
    ReportMonthCategory,
    ReportMonthDays,
    ReportPhoto,
    ReportSupporter,
)
from storage.rights import erased_reason, is_placeholder
from tests.images import plain_jpeg
from tests.integration.case_world import World, wita
from tests.integration.database import Database


async def closed_report_with_photos(world: World, media_dir: Path) -> int:
    """A report filed, verified, done and auto-closed by the engine, with two kept photos (one
    with a thumbnail made by the console)."""
    report_id = await world.new_report()
    stored = []
    for position in (1, 2):
        path = media_dir / str(report_id) / f"{position}-u{position}.jpg"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(plain_jpeg(position))
        stored.append(str(path))
    ThumbnailStore(media_dir).get(stored[0], plain_jpeg(1))
    async with world.db.uow() as uow:
        for position, kept in enumerate(stored, 1):
            uow.session.add(
                ReportPhoto(
                    report_id=report_id,
                    position=position,
                    file_id=f"tg-file-{report_id}-{position}",
                    file_unique_id=f"u{position}",
                    stored_path=kept,
                )
            )
        await uow.commit()
    await world.act(report_id, CaseAction.VERIFY)
    await world.act(report_id, CaseAction.DONE, "Sampah sudah diangkut")
    now = world.clock()
    await world.round(max(wita(4, 30), now.replace(hour=9) + timedelta(days=60)))
    assert (await world.report(report_id)).closed_at is not None
    return report_id


async def rollup(world: World) -> list[Any]:
    async with world.db.uow() as uow:
        rows: list[Any] = []
        for table in (ReportDay, ReportMonthCategory, ReportMonthDays):
            found = await uow.session.execute(select(table.__table__))
            rows.append(sorted(tuple(row) for row in found))
        return rows


async def reporter_of(world: World, report_id: int) -> Citizen:
    async with world.db.uow() as uow:
        citizen = await uow.session.scalar(
            select(Citizen)
            .join(Report, Report.citizen_id == Citizen.id)
            .where(Report.id == report_id)
        )
        assert citizen is not None
        return citizen


async def photos_and_lines(world: World, report_id: int) -> tuple[int, list[str]]:
    async with world.db.uow() as uow:
        photos = await uow.session.scalars(
            select(ReportPhoto).where(ReportPhoto.report_id == report_id)
        )
        lines = await uow.session.scalars(
            select(ReportEvent.note).where(
                ReportEvent.report_id == report_id, ReportEvent.kind == EventKind.RETAINED
            )
        )
        return len(list(photos)), list(lines)


def policy(tmp_path: Path) -> RetentionPolicy:
    return RetentionPolicy(identity_months=24, media_months=12, media_dir=tmp_path / "media")


async def test_identity_and_evidence_go_after_their_periods_and_the_numbers_stay(
    world: World, tmp_path: Path
) -> None:
    rules = policy(tmp_path)
    report_id = await closed_report_with_photos(world, rules.media_dir)
    closed_at = (await world.report(report_id)).closed_at
    assert closed_at is not None
    files = sorted(p for p in rules.media_dir.rglob("*.jpg"))
    assert len(files) == 3  # two photos and a thumbnail
    before = await rollup(world)
    report_before = await world.report(report_id)

    just_before = closed_at + timedelta(days=365) - timedelta(days=2)
    assert await run_retention(world.db.uow, rules, just_before) == {}
    assert all(path.exists() for path in files)

    a_year_on = closed_at + timedelta(days=367)
    assert await run_retention(world.db.uow, rules, a_year_on) == {"evidence": 2}
    assert not any(path.exists() for path in files)
    assert await photos_and_lines(world, report_id) == (0, ["2"])
    assert (await reporter_of(world, report_id)).user_id == "42"  # the identity stays a year more

    two_years_on = closed_at + timedelta(days=732)
    assert await run_retention(world.db.uow, rules, two_years_on) == {"identities": 1}
    stand_in = await reporter_of(world, report_id)
    assert (erased_reason(stand_in), stand_in.name, stand_in.chat_id) == (REASON_RETENTION, "", "")
    async with world.db.uow() as uow:
        old = await uow.session.scalar(select(Citizen).where(Citizen.user_id == "42"))
    assert old is not None
    assert (old.name, old.username, old.phone) == ("", "", "")  # no report of theirs is left

    assert await run_retention(world.db.uow, rules, two_years_on + timedelta(days=1)) == {}
    assert await rollup(world) == before
    after = await world.report(report_id)
    for column in ("status", "created_on", "finish_days", "finish_on_time", "description"):
        assert getattr(after, column) == getattr(report_before, column), column


async def test_a_legal_hold_stops_both_until_it_is_lifted(world: World, tmp_path: Path) -> None:
    rules = policy(tmp_path)
    report_id = await closed_report_with_photos(world, rules.media_dir)
    later = wita(4, 30) + timedelta(days=800)
    async with world.db.uow() as uow:
        uow.session.add(ReportHold(report_id=report_id, reason="perkara", created_at=later))
        await uow.commit()
    assert await run_retention(world.db.uow, rules, later) == {}
    assert len(list(rules.media_dir.rglob("*.jpg"))) == 3
    assert (await reporter_of(world, report_id)).user_id == "42"
    async with world.db.uow() as uow:
        hold = await uow.session.get(ReportHold, report_id)
        assert hold is not None
        await uow.session.delete(hold)
        await uow.commit()
    assert await run_retention(world.db.uow, rules, later) == {"identities": 1, "evidence": 2}


async def test_an_open_report_keeps_everything_however_old(world: World, tmp_path: Path) -> None:
    rules = policy(tmp_path)
    report_id = await world.new_report()
    assert await run_retention(world.db.uow, rules, wita(3, 2) + timedelta(days=3000)) == {}
    assert (await reporter_of(world, report_id)).user_id == "42"


async def test_two_processes_rounds_at_once_remove_and_record_each_thing_once(
    world: World, tmp_path: Path
) -> None:
    rules = policy(tmp_path)
    ids = [await closed_report_with_photos(world, rules.media_dir) for _ in range(3)]
    other = Database(world.db.url)  # a second engine on the same database: another process
    other.engine = create_engine(other.url)
    other.sessions = session_factory(other.engine)
    try:
        later = world.clock() + timedelta(days=800)
        results = await asyncio.gather(
            run_retention(world.db.uow, rules, later),
            run_retention(other.uow, rules, later),
        )
    finally:
        await other.engine.dispose()
    assert sum(r["identities"] for r in results) == 3
    assert sum(r["evidence"] for r in results) == 6
    for report_id in ids:
        assert await photos_and_lines(world, report_id) == (0, ["2"])
        assert erased_reason(await reporter_of(world, report_id)) == REASON_RETENTION
    async with world.db.uow() as uow:
        stand_ins = await uow.session.scalars(
            select(Citizen.id).where(is_placeholder(Citizen.user_id))
        )
        assert len(list(stand_ins)) == 1


def test_months_before_keeps_the_day_or_takes_the_months_last() -> None:
    assert months_before(datetime(2026, 3, 31, 9), 1) == datetime(2026, 2, 28, 9)
    assert months_before(datetime(2026, 1, 15), 12) == datetime(2025, 1, 15)
    assert months_before(datetime(2026, 1, 15), 13) == datetime(2024, 12, 15)


async def test_the_reminder_engine_runs_the_round(world: World, tmp_path: Path) -> None:
    rules = policy(tmp_path)
    report_id = await closed_report_with_photos(world, rules.media_dir)
    world.clock.set(world.clock() + timedelta(days=800))
    await ReminderJobs(world.db.uow, world.deps, interval=60, retention=rules).run_due()
    assert await photos_and_lines(world, report_id) == (0, ["2"])
    assert erased_reason(await reporter_of(world, report_id)) == REASON_RETENTION


async def test_a_cleaned_copy_another_report_uses_is_kept(world: World, tmp_path: Path) -> None:
    """The same picture sent as a file for two reports is one cleaned copy in the store: the
    first report's retention leaves it to the second, still open."""
    rules = policy(tmp_path)
    clean = CleanStore(rules.media_dir).keep(plain_jpeg(9))
    assert clean is not None
    report_id = await closed_report_with_photos(world, rules.media_dir)
    still_open = await world.new_report()
    async with world.db.uow() as uow:
        for owner in (report_id, still_open):
            uow.session.add(
                ReportPhoto(report_id=owner, position=3, file_id=clean.ref, file_unique_id="c")
            )
        await uow.commit()
    later = world.clock() + timedelta(days=400)
    assert (await run_retention(world.db.uow, rules, later))["evidence"] == 3
    assert CleanStore(rules.media_dir).read(clean.ref) is not None
    assert await photos_and_lines(world, still_open) == (1, [])


async def add_supporters(world: World, report_id: int, names: list[str]) -> list[int]:
    """Citizens who supported ``report_id`` (laporan serupa), with names and chats."""
    async with world.db.uow() as uow:
        citizens = [
            Citizen(
                channel="telegram",
                user_id=f"9{report_id}{n}",
                chat_id=f"9{report_id}{n}",
                name=name,
                username=f"u{report_id}{n}",
                phone="",
                language="id",
                consent_at=world.clock(),
                consent_version="1",
                created_at=world.clock(),
            )
            for n, name in enumerate(names)
        ]
        uow.session.add_all(citizens)
        await uow.session.flush()
        for citizen in citizens:
            uow.session.add(
                ReportSupporter(
                    report_id=report_id, citizen_id=citizen.id, created_at=world.clock()
                )
            )
        await uow.commit()
        return [citizen.id for citizen in citizens]


async def test_supporters_identities_go_with_the_reporters_and_the_count_stays(
    world: World, tmp_path: Path
) -> None:
    rules = policy(tmp_path)
    first = await closed_report_with_photos(world, rules.media_dir)
    second = await closed_report_with_photos(world, rules.media_dir)
    people = await add_supporters(world, first, ["Ani Supporter", "Bayu Supporter"])
    people += await add_supporters(world, second, ["Citra Supporter"])
    closed_at = (await world.report(second)).closed_at
    assert closed_at is not None

    done = await run_retention(world.db.uow, rules, closed_at + timedelta(days=800))
    assert done["identities"] == 2
    assert done["supporters"] == 3
    async with world.db.uow() as uow:
        assert await supporter_counts(uow.session, [first, second]) == {first: 2, second: 1}
        standing = await uow.session.scalars(
            select(Citizen)
            .join(ReportSupporter, ReportSupporter.citizen_id == Citizen.id)
            .where(ReportSupporter.report_id.in_([first, second]))
        )
        assert {erased_reason(c) for c in standing} == {REASON_RETENTION}
        # the people themselves, supporting nothing else, keep no name or username
        for person in people:
            citizen = await uow.session.get(Citizen, person)
            assert citizen is not None
            assert (citizen.name, citizen.username) == ("", "")
    again = await run_retention(world.db.uow, rules, closed_at + timedelta(days=801))
    assert again == {}
