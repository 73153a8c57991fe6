"""The Open311 GeoReport v2 API on a real SQLite file, through aiohttp's test client, with the
sub-application mounted at /open311/v2/ as the console mounts it. Every endpoint in XML and
JSON, privacy, filters, the spec's errors, and POST with and without a valid key."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import AsyncIterator
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from pydantic import SecretStr
from sqlalchemy import select
from yarl import URL

from cases.filing import file_report
from core.open311 import hash_api_key, key_prefix
from core.permissions import CaseAction
from handlers import officer_actions
from handlers.case import Case, Officer
from handlers.deps import HandlerDeps
from handlers.notices import filing_for
from locales import Catalogs
from runtime.clock import ManualClock
from runtime.deps import handler_deps
from runtime.settings import Settings
from storage.models import Citizen, OutboxMessage, Report, ReportPhoto
from storage.open311 import Open311Repository
from storage.unit_registry import seed_units
from tests.integration.database import Database
from web.open311 import Open311Config, build_open311_app

WITA = ZoneInfo("Asia/Makassar")
SEPASO = "64.08.09.2001"
DESA_CHAT = "-100200"
PUPR_CHAT = "-100300"
COORDINATOR_CHAT = "-100100"
API = "/open311/v2"
KEY = "kunci-rahasia-kota-app-0123456789abcdef"
REVOKED_KEY = "kunci-lama-yang-sudah-dicabut-0123456789"
PHOTO = b"\xff\xd8\xff\xe0 not really a jpeg, but bytes to compare"
# Identity of the Telegram reporter: none of this may ever leave through the API.
IDENTITY = ("Siti Rahayu", "sitirahayu", "777001")


def wita(month: int, day: int, hour: int = 9) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=WITA)


@dataclass
class World:
    db: Database
    deps: HandlerDeps
    clock: ManualClock
    client: TestClient[Any, Any]
    media_dir: Path
    numbers: dict[str, str] = field(default_factory=dict)
    bodies: list[bytes] = field(default_factory=list)

    async def get(self, path: str, **params: str) -> tuple[int, bytes]:
        response = await self.client.get(API + path, params=params)
        body = await response.read()
        self.bodies.append(body)
        return response.status, body

    async def get_json(self, path: str, **params: str) -> tuple[int, Any]:
        status, body = await self.get(path, **params)
        return status, json.loads(body.decode("utf-8"))

    async def get_xml(self, path: str, **params: str) -> tuple[int, ET.Element]:
        status, body = await self.get(path, **params)
        assert body.startswith(b"<?xml version='1.0' encoding='utf-8'?>")
        return status, ET.fromstring(body)

    async def post(self, path: str, data: dict[str, str]) -> tuple[int, bytes]:
        response = await self.client.post(API + path, data=data)
        body = await response.read()
        self.bodies.append(body)
        return response.status, body

    async def file_telegram_report(self, privacy: str, description: str) -> str:
        """A report as the chat files it (same filing path), by the Telegram reporter."""
        now = self.clock()
        async with self.db.uow() as uow:
            citizen = await uow.citizens.get("telegram", IDENTITY[2])
            if citizen is None:
                citizen = await uow.citizens.add(
                    Citizen(
                        channel="telegram",
                        user_id=IDENTITY[2],
                        chat_id=IDENTITY[2],
                        name=IDENTITY[0],
                        username=IDENTITY[1],
                        consent_at=now,
                        consent_version="1",
                        created_at=now,
                    )
                )
            report = Report(
                tracking_no="",
                citizen_id=citizen.id,
                channel="telegram",
                report_type="pengaduan",
                category="sampah",
                region_code=SEPASO,
                address_detail=f"RT 05 dekat rumah {IDENTITY[0]}",
                latitude=0.93,
                longitude=117.75,
                description=description,
                privacy=privacy,
                created_at=now,
                updated_at=now,
            )
            await file_report(uow, filing_for(self.deps), now, report)
            path = self.media_dir / str(report.id) / "0-u1.jpg"
            path.parent.mkdir(parents=True)
            path.write_bytes(PHOTO)
            uow.session.add(
                ReportPhoto(
                    report_id=report.id,
                    position=0,
                    file_id="f1",
                    file_unique_id="u1",
                    stored_path=str(path),
                    download_attempts=1,
                )
            )
            await uow.commit()
            return report.tracking_no

    async def act(self, number: str, action: CaseAction, note: str = "") -> None:
        async with self.db.uow() as uow:
            report = await uow.reports.by_tracking_number(number)
            assert report is not None
            assert report.unit_id is not None
            unit = await uow.units.get(report.unit_id)
            assert unit is not None
            officer = Officer(user_id="9", name="Dewi", unit=unit)
            case = Case(uow, self.deps, self.clock())
            assert await officer_actions.act(case, report, action, officer, note=note) == ""
            await uow.commit()

    async def outbox(self) -> list[OutboxMessage]:
        async with self.db.uow() as uow:
            return list(await uow.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


async def _add_key(db: Database, name: str, key: str, *, revoked: datetime | None) -> None:
    async with db.uow() as uow:
        row = await Open311Repository(uow.session).add_key(
            name=name, key_hash=hash_api_key(key), prefix=key_prefix(key), now=wita(2, 1)
        )
        row.revoked_at = revoked
        await uow.commit()


async def _world(
    tmp_path: Path,
    *,
    publish: bool = True,
    database: str | None = None,
    posts_per_minute: int | None = None,
) -> AsyncIterator[World]:
    """The API over a SQLite file, or over the database at ``database`` (a URL) when given;
    ``posts_per_minute`` instead of the setting's default."""
    db = Database(database or tmp_path / "open311.db")
    await db.start()
    clock = ManualClock(wita(3, 2))
    settings = Settings(_env_file=None, bot_token=SecretStr("1:x"))
    deps = handler_deps(settings, "1:x", Catalogs("id"), clock)
    async with db.uow() as uow:
        await seed_units(uow, deps.regions, clock(), categories=deps.categories)
        chats = {SEPASO: DESA_CHAT, "dinas-pupr": PUPR_CHAT}
        for key, chat in chats.items():
            unit = await (uow.units.by_area(key) if "." in key else uow.units.by_code(key))
            assert unit is not None
            await uow.units.bind(
                unit.id, channel="telegram", chat_id=chat, title="g", by="1", now=clock()
            )
        coordinator = await uow.units.coordinator()
        assert coordinator is not None
        await uow.units.bind(
            coordinator.id,
            channel="telegram",
            chat_id=COORDINATOR_CHAT,
            title="k",
            by="1",
            now=clock(),
        )
        await uow.commit()
    await _add_key(db, "kota-app", KEY, revoked=None)
    await _add_key(db, "lama", REVOKED_KEY, revoked=wita(2, 2))
    media_dir = tmp_path / "media"
    config = Open311Config(
        regions=deps.regions,
        categories=deps.categories,
        timezone=WITA,
        catalogs=deps.catalogs,
        media_dir=media_dir,
        publish_descriptions=publish,
    )
    if posts_per_minute is not None:
        config = replace(config, posts_per_minute=posts_per_minute)
    root = web.Application()
    root.add_subapp(API + "/", build_open311_app(config, db.sessions, clock, filing_for(deps)))
    client: TestClient[Any, Any] = TestClient(TestServer(root))
    await client.start_server()
    world = World(db, deps, clock, client, media_dir)
    world.numbers = {
        "biasa": await world.file_telegram_report("biasa", "Sampah menumpuk di tepi jalan desa"),
        "anonim": await world.file_telegram_report("anonim", "Kepala desa memungut biaya liar"),
        "rahasia": await world.file_telegram_report("rahasia", "Oknum petugas minta uang rokok"),
    }
    yield world
    await client.close()
    await db.engine.dispose()


@pytest.fixture
async def world(tmp_path: Path) -> AsyncIterator[World]:
    async for made in _world(tmp_path):
        yield made


def _children(element: ET.Element) -> dict[str, str]:
    return {child.tag: child.text or "" for child in element}


async def test_discovery_in_both_formats(world: World) -> None:
    status, document = await world.get_json("/discovery.json")
    assert status == 200
    endpoint = document["endpoints"][0]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"].endswith("/open311/v2")
    assert endpoint["formats"] == ["text/xml", "application/json"]
    assert document["changeset"].endswith("+08:00")
    status, root = await world.get_xml("/discovery.xml")
    assert status == 200
    assert root.tag == "discovery"
    formats = [f.text for f in root.iterfind("endpoints/endpoint/formats/format")]
    assert formats == ["text/xml", "application/json"]


async def test_services_are_the_categories(world: World) -> None:
    status, services = await world.get_json("/services.json")
    assert status == 200
    assert [s["service_code"] for s in services] == [c.code for c in world.deps.categories]
    jalan = services[0]
    assert jalan["service_name"] == "Jalan & Jembatan"
    assert jalan["metadata"] is False
    assert jalan["type"] == "realtime"
    assert "Dinas" in jalan["description"]
    groups = {s["service_code"]: s["group"] for s in services}
    assert groups["aparatur"] == "Pengaduan berkadar pengawasan"
    assert groups["sampah"] == "Pengaduan"
    status, root = await world.get_xml("/services.xml", locale="en")
    assert status == 200
    first = _children(root.findall("service")[0])
    assert first["service_name"] == "Roads & Bridges"
    assert first["metadata"] == "false"
    status, definition = await world.get_xml("/services/jalan.xml")
    assert status == 200
    assert definition.tag == "service_definition"
    assert definition.findtext("service_code") == "jalan"
    status, errors = await world.get_json("/services/tidakada.json")
    assert status == 404
    assert errors[0]["code"] == 404
    assert "tidakada" in errors[0]["description"]


async def test_only_public_reports_are_listed_and_no_identity_ever_leaves(world: World) -> None:
    await world.act(world.numbers["biasa"], CaseAction.VERIFY)
    await world.act(world.numbers["anonim"], CaseAction.VERIFY)
    await world.act(world.numbers["rahasia"], CaseAction.VERIFY)
    status, listed = await world.get_json("/requests.json")
    assert status == 200
    assert [r["service_request_id"] for r in listed] == [world.numbers["biasa"]]
    status, root = await world.get_xml("/requests.xml")
    assert [e.findtext("service_request_id") for e in root.iter("request")] == [
        world.numbers["biasa"]
    ]
    for kind in ("anonim", "rahasia"):
        number = world.numbers[kind]
        for fmt in ("json", "xml"):
            status, _ = await world.get(f"/requests/{number}.{fmt}")
            assert status == 404
        status, _ = await world.get("/requests.json", service_request_id=number)
        assert status == 200
        status, _ = await world.get(f"/media/{number}")
        assert status == 404
    everything = b"".join(world.bodies).decode("utf-8")
    for secret in (
        world.numbers["anonim"],
        world.numbers["rahasia"],
        "Kepala desa memungut",
        "uang rokok",
        *IDENTITY,
    ):
        assert secret not in everything


async def test_a_public_report_in_full_once_verified(world: World) -> None:
    number = world.numbers["biasa"]
    status, before = await world.get_json(f"/requests/{number}.json")
    assert status == 200
    item = before[0]
    assert item["status"] == "open"
    assert item["description"] == ""  # not verified yet: the reporter's words wait
    assert item["lat"] is None
    assert item["media_url"] is None
    assert item["address"] == "Desa Sepaso, Kec. Bengalon"
    assert item["agency_responsible"] == "Desa Sepaso"
    assert item["requested_datetime"] == "2026-03-02T09:00:00+08:00"
    assert item["expected_datetime"] == "2026-03-05T23:59:59+08:00"
    assert "Kamis, 05 Maret 2026" in item["service_notice"]
    status, _ = await world.get(f"/media/{number}")
    assert status == 404

    world.clock.set(wita(3, 3))
    await world.act(number, CaseAction.VERIFY)
    await world.act(number, CaseAction.NOTE, "Truk sampah dijadwalkan Kamis")
    status, root = await world.get_xml(f"/requests/{number}.xml")
    assert status == 200
    item_xml = _children(root.find("request"))  # type: ignore[arg-type]
    assert item_xml["description"] == "Sampah menumpuk di tepi jalan desa"
    assert item_xml["status_notes"] == "Truk sampah dijadwalkan Kamis"
    # The reporter named themself in the address detail: published, with the name masked.
    assert item_xml["address"] == "RT 05 dekat rumah [disembunyikan], Desa Sepaso, Kec. Bengalon"
    assert item_xml["lat"] == "0.93"
    assert item_xml["long"] == "117.75"
    assert item_xml["updated_datetime"] == "2026-03-03T09:00:00+08:00"
    media_url = item_xml["media_url"]
    assert media_url.endswith(f"/open311/v2/media/{number}")
    photo = await world.client.get(URL(media_url).path)
    assert photo.status == 200
    assert await photo.read() == PHOTO

    await world.act(number, CaseAction.DONE, "Sudah diangkut")
    status, closed = await world.get_json("/requests.json", status="closed")
    assert [r["service_request_id"] for r in closed] == [number]
    assert closed[0]["status_notes"] == "Sudah diangkut"
    status, still_open = await world.get_json("/requests.json", status="open")
    assert still_open == []


async def test_publication_can_be_turned_off(tmp_path: Path) -> None:
    async for world in _world(tmp_path, publish=False):
        number = world.numbers["biasa"]
        await world.act(number, CaseAction.VERIFY)
        status, listed = await world.get_json(f"/requests/{number}.json")
        assert status == 200
        assert listed[0]["description"] == ""
        assert listed[0]["media_url"] is None
        assert "RT 05" not in listed[0]["address"]
        status, _ = await world.get(f"/media/{number}")
        assert status == 404


async def test_filters_and_the_ninety_day_window(world: World) -> None:
    number = world.numbers["biasa"]
    ok = await world.get_json("/requests.json", service_code="sampah")
    assert [r["service_request_id"] for r in ok[1]] == [number]
    none = await world.get_json("/requests.json", service_code="jalan")
    assert none == (200, [])
    inside = await world.get_json(
        "/requests.json", start_date="2026-03-01T00:00:00+08:00", end_date="2026-03-03T00:00:00Z"
    )
    assert [r["service_request_id"] for r in inside[1]] == [number]
    before = await world.get_json("/requests.json", end_date="2026-03-01T00:00:00+08:00")
    assert before == (200, [])
    world.clock.set(wita(6, 15))  # more than 90 days later: the default window has passed
    assert await world.get_json("/requests.json") == (200, [])
    by_id = await world.get_json("/requests.json", service_request_id=number.lower())
    assert [r["service_request_id"] for r in by_id[1]] == [number]

    bad = {
        "start_date": {"start_date": "kemarin"},
        "span": {"start_date": "2026-01-01", "end_date": "2026-04-15"},
        "order": {"start_date": "2026-03-05", "end_date": "2026-03-01"},
        "status": {"status": "pending"},
        "service": {"service_code": "jalan,tidakada"},
        "id": {"service_request_id": "123"},
    }
    for params in bad.values():
        status, body = await world.get_xml("/requests.xml", **params)
        assert status == 400, params
        assert body.tag == "errors"
        error = body.find("error")
        assert error is not None
        assert error.findtext("code") == "400"
        assert error.findtext("description")
    status, errors = await world.get_json("/requests.json", start_date="2026-13-01")
    assert status == 400
    assert "start_date" in errors[0]["description"]
    assert (await world.get("/requests.json", jurisdiction_id="99"))[0] == 404


def _posted(**changes: str) -> dict[str, str]:
    data = {
        "api_key": KEY,
        "service_code": "jalan",
        "address_string": "Jl. Poros Bengalon km 3, Desa Sepaso, Kec. Bengalon",
        "lat": "0.9312",
        "long": "117.7521",
        "description": "Jembatan kayu di km 3 patah, motor tidak bisa lewat",
        "first_name": "Budi",
        "email": "budi@example.org",
        "account_id": "akun-42",
    }
    data.update(changes)
    return data


async def test_a_posted_request_is_filed_routed_and_followed_by_id(world: World) -> None:
    before = len(await world.outbox())
    status, body = await world.post("/requests.json", _posted())
    assert status == 200
    answer = json.loads(body)[0]
    number = answer["service_request_id"]
    assert answer["account_id"] == "akun-42"
    assert "Kamis, 05 Maret 2026" in answer["service_notice"]
    rows = (await world.outbox())[before:]
    cards = [r for r in rows if r.purpose == "card"]
    assert {r.chat_id for r in cards} == {PUPR_CHAT, COORDINATOR_CHAT}
    assert all(number in r.payload["text"] for r in cards)
    assert all("budi@example.org" not in r.payload["text"] for r in cards)
    assert all(r.channel == "telegram" for r in rows)
    async with world.db.uow() as uow:
        report = await uow.reports.by_tracking_number(number)
        assert report is not None
        assert report.region_code == SEPASO
        assert report.address_detail == "Jl. Poros Bengalon km 3"
        assert report.privacy == "biasa"
        assert report.latitude == pytest.approx(0.9312)
    status, followed = await world.get_json(f"/requests/{number}.json")
    assert status == 200
    assert followed[0]["agency_responsible"] == "Dinas Pekerjaan Umum dan Penataan Ruang"
    # The unit acts: nothing is queued for a chat the requester does not have.
    await world.act(number, CaseAction.VERIFY)
    await world.act(number, CaseAction.NOTE, "Tim survei berangkat besok")
    assert all(r.channel == "telegram" for r in await world.outbox())
    status, root = await world.get_xml(f"/requests/{number}.xml")
    assert root.findtext("request/status_notes") == "Tim survei berangkat besok"
    assert (await world.get_json(f"/tokens/{number}.json"))[1][0]["service_request_id"] == number
    assert (await world.get("/tokens/abc.json"))[0] == 404


async def test_posting_needs_a_valid_key(world: World) -> None:
    before = len(await world.outbox())
    for key in ("", "salah", REVOKED_KEY):
        status, body = await world.post("/requests.xml", _posted(api_key=key))
        assert status == 403
        root = ET.fromstring(body)
        assert root.findtext("error/code") == "403"
    assert len(await world.outbox()) == before


async def test_bad_posts_get_a_clear_400(world: World) -> None:
    cases = {
        "service": _posted(service_code="tidakada"),
        "no service": _posted(service_code=""),
        "outside": _posted(address_string="Jl. Braga, Kota Bandung"),
        "point only": _posted(address_string=""),
        "bad point": _posted(lat="utara"),
        "short": _posted(description="rusak"),
        "media": _posted(media_url="file:///etc/passwd"),
        "address id": _posted(address_id="32.73.01.1001"),
    }
    for name, data in cases.items():
        status, body = await world.post("/requests.json", data)
        assert status == 400, name
        errors = json.loads(body)
        assert errors[0]["code"] == 400
        assert errors[0]["description"], name
    status, body = await world.post("/requests.json", _posted(address_string=""))
    assert "address_string" in json.loads(body)[0]["description"]
    async with world.db.uow() as uow:
        count = len((await uow.session.scalars(select(Report.id))).all())
    assert count == 3
