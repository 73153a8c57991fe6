"""Retention of what WhatsApp leaves behind (cases/retention.py, storage/wa_retention.py) on real
SQLite files and PostgreSQL: past the identity period a closed report's held notices are dropped
with a line on its timeline; delivery statuses go after ``OUTBOX_RETENTION_DAYS``; past the media
period the cleaned copies nothing needs (a unit's photo carried to a WhatsApp reporter) go with
their remembered media ids. Each round is safe to repeat."""

from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from cases.retention import RetentionPolicy, months_before, run_retention
from core.timeline import EventKind
from storage.media_store import (
    CLEAN_FOLDER,
    LOCAL_PREFIX,
    UPLOADED_FOLDER,
    CleanStore,
    remove_kept,
)
from storage.models import (
    OutboxMessage,
    ReportEvent,
    ReportPhoto,
    WhatsAppDelivery,
    WhatsAppHeld,
)
from tests.images import plain_jpeg
from tests.integration.case_world import World
from tests.integration.test_retention import closed_report_with_photos

WA_CHAT = "6281234500077"


def _policy(tmp_path: Path, deliveries_days: int = 0) -> RetentionPolicy:
    return RetentionPolicy(
        identity_months=24,
        media_months=12,
        media_dir=tmp_path / "media",
        deliveries_days=deliveries_days,
    )


def _held(report_id: int, when: datetime, *, released: bool = False) -> WhatsAppHeld:
    return WhatsAppHeld(
        chat_id=WA_CHAT,
        report_id=report_id,
        payload={"kind": "text", "chat_id": WA_CHAT, "text": "Jawaban untuk Ibu Wati"},
        reason="131047",
        created_at=when,
        released_at=when if released else None,
    )


async def _held_rows(world: World) -> list[tuple[int | None, bool]]:
    async with world.db.uow() as uow:
        rows = await uow.session.scalars(select(WhatsAppHeld).order_by(WhatsAppHeld.id))
        return [(r.report_id, r.released_at is None) for r in rows]


async def _dropped_lines(world: World, report_id: int) -> list[str]:
    async with world.db.uow() as uow:
        notes = await uow.session.scalars(
            select(ReportEvent.note).where(
                ReportEvent.report_id == report_id,
                ReportEvent.kind == EventKind.WA_HELD_DROPPED,
            )
        )
        return list(notes)


async def test_held_notices_of_a_closed_report_go_with_its_identity_once(
    world: World, tmp_path: Path
) -> None:
    rules = _policy(tmp_path)
    closed = await closed_report_with_photos(world, rules.media_dir)
    still_open = await world.new_report()
    closed_at = (await world.report(closed)).closed_at
    assert closed_at is not None
    async with world.db.uow() as uow:
        uow.session.add_all(
            [
                _held(closed, closed_at),
                _held(closed, closed_at),
                _held(closed, closed_at, released=True),
                _held(still_open, closed_at),
            ]
        )
        await uow.commit()

    a_year_on = closed_at + timedelta(days=367)  # the media period only
    assert "held" not in await run_retention(world.db.uow, rules, a_year_on)
    assert len(await _held_rows(world)) == 4

    two_years_on = closed_at + timedelta(days=732)
    done = await run_retention(world.db.uow, rules, two_years_on)
    assert done["held"] == 2  # the two still waiting; the released one goes without a word
    assert await _held_rows(world) == [(still_open, True)]  # an open report keeps its own
    assert await _dropped_lines(world, closed) == ["2"]
    assert "held" not in await run_retention(world.db.uow, rules, two_years_on)
    assert await _dropped_lines(world, closed) == ["2"]


async def test_delivery_statuses_go_after_the_outbox_days(world: World, tmp_path: Path) -> None:
    now = world.clock()
    async with world.db.uow() as uow:
        for wamid, age in (("wamid.OLD", 91), ("wamid.NEW", 89)):
            when = now - timedelta(days=age)
            uow.session.add(
                WhatsAppDelivery(
                    wamid=wamid, status="read", created_at=when, updated_at=when, attempt=1
                )
            )
        await uow.commit()

    async def wamids() -> list[str]:
        async with world.db.uow() as uow:
            found = await uow.session.scalars(
                select(WhatsAppDelivery.wamid).order_by(WhatsAppDelivery.wamid)
            )
            return list(found)

    assert await run_retention(world.db.uow, _policy(tmp_path, 90), now) == {"deliveries": 1}
    assert await wamids() == ["wamid.NEW"]
    assert await run_retention(world.db.uow, _policy(tmp_path, 90), now) == {}
    # Without OUTBOX_RETENTION_DAYS they are kept as long as identities.
    assert await run_retention(world.db.uow, _policy(tmp_path), now + timedelta(days=600)) == {}
    later = now + timedelta(days=700)
    assert await run_retention(world.db.uow, _policy(tmp_path), later) == {"deliveries": 1}


async def test_carried_copies_nothing_needs_go_after_the_media_period(
    world: World, tmp_path: Path
) -> None:
    rules = _policy(tmp_path)
    store = CleanStore(rules.media_dir)
    now = datetime.now(UTC)
    copies = [store.keep(plain_jpeg(tag)) for tag in (10, 60, 110, 160, 210)]
    evidence, unsent, waiting, carried, fresh = (c for c in copies if c is not None)
    assert len({c.ref for c in copies if c is not None}) == 5
    ids = rules.media_dir / UPLOADED_FOLDER
    ids.mkdir(parents=True)
    orphan = "0" * 32 + ".jpg"  # a media id whose copy is gone already
    for kept in (evidence, carried):
        (ids / kept.ref.removeprefix(LOCAL_PREFIX)).write_text("123 0\n")
    (ids / orphan).write_text("456 0\n")
    old = (months_before(now, 13)).timestamp()
    for kept in (evidence, unsent, waiting, carried):
        os.utime(store.root / kept.ref.removeprefix(LOCAL_PREFIX), (old, old))
    report_id = await world.new_report()
    async with world.db.uow() as uow:
        uow.session.add(
            ReportPhoto(report_id=report_id, position=1, file_id=evidence.ref, file_unique_id="e")
        )
        photo = {"kind": "photo", "chat_id": WA_CHAT, "photo": unsent.ref}
        uow.session.add(
            OutboxMessage(channel="whatsapp", chat_id=WA_CHAT, payload=photo, created_at=now)
        )
        held = _held(report_id, now)
        held.payload = {"kind": "photo", "chat_id": WA_CHAT, "photo": waiting.ref}
        uow.session.add(held)
        await uow.commit()

    def files() -> set[str]:
        return {p.name for p in store.root.iterdir()} | {f"id:{p.name}" for p in ids.iterdir()}

    name = {k.ref: k.ref.removeprefix(LOCAL_PREFIX) for k in (evidence, unsent, waiting, fresh)}
    assert await run_retention(world.db.uow, rules, now) == {"copies": 1}
    assert files() == {*name.values(), f"id:{name[evidence.ref]}"}
    assert await run_retention(world.db.uow, rules, now) == {}
    assert files() == {*name.values(), f"id:{name[evidence.ref]}"}


def test_removing_evidence_takes_its_remembered_media_id_too(tmp_path: Path) -> None:
    """A WhatsApp citizen's photo past the media period: the cleaned copy and the media id the
    WhatsApp channel remembered for it go together (``remove_kept``)."""
    media_dir = tmp_path / "media"
    kept = CleanStore(media_dir).keep(plain_jpeg(30))
    assert kept is not None
    name = kept.ref.removeprefix(LOCAL_PREFIX)
    remembered = media_dir / UPLOADED_FOLDER / name
    remembered.parent.mkdir(parents=True)
    remembered.write_text("789 0\n")
    remove_kept(media_dir, None, kept.ref)
    assert not (media_dir / CLEAN_FOLDER / name).exists()
    assert not remembered.exists()
