"""Open311 under abuse (security review: findings 6, 11 and 12, the Open311 parts).

A key holder may file at most ``OPEN311_POSTS_PER_MINUTE`` requests a minute (the cards they
cause go to groups that Telegram paces at 20 messages a minute); a point outside the region's
bounds is refused as the chat refuses it; and no request, however malformed, gets anything but a
4xx in GeoReport's error format. On SQLite and on PostgreSQL, through the same app as
tests/integration/test_open311.py.
"""

from __future__ import annotations

import asyncio
import json
import xml.etree.ElementTree as ET
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from core.open311 import seconds_until_allowed
from runtime.settings import Settings
from storage.models import Report
from tests.databases import ENGINES, database_on
from tests.integration.test_open311 import API, World, _add_key, _posted, _world, wita
from web.open311 import Open311Config

#: The review's scenario: 60 posts in a few seconds, then the 61st (the default is lower).
PER_MINUTE = 60
LONDON = {"lat": "51.5074", "long": "-0.1278"}
OTHER_KEY = "kunci-sistem-lain-0123456789abcdefghij"


@pytest.fixture(params=ENGINES)
async def world(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[World]:
    async with database_on(request.param, tmp_path) as url:
        async for made in _world(tmp_path, database=url, posts_per_minute=PER_MINUTE):
            yield made


async def _stored(world: World) -> int:
    async with world.db.uow() as uow:
        return int(await uow.session.scalar(select(func.count(Report.id))) or 0)


def _not_georeport(status: int, body: bytes, fmt: str) -> str:
    """What is wrong with an answer that must be a GeoReport error (empty: nothing)."""
    if not 400 <= status < 500:
        return f"status {status}"
    try:
        if fmt == "json":
            errors: Any = json.loads(body.decode("utf-8"))
            first = errors[0]
            code, description = first["code"], first["description"]
        else:
            root = ET.fromstring(body)
            if root.tag != "errors":
                return f"root <{root.tag}>"
            code, description = (
                int(root.findtext("error/code") or 0),
                root.findtext("error/description"),
            )
    except (ValueError, KeyError, IndexError, TypeError, ET.ParseError) as problem:
        return f"not a GeoReport error ({problem!r}): {body[:120]!r}"
    if code != status or not description:
        return f"code {code} / description {description!r} for status {status}"
    return ""


async def test_the_61st_post_in_a_minute_is_refused_per_key(world: World) -> None:
    before = await _stored(world)
    for n in range(PER_MINUTE):
        status, body = await world.post("/requests.json", _posted())
        assert status == 200, (n, body)
    outbox = len(await world.outbox())
    world.clock.advance(30)
    for fmt in ("json", "xml"):
        response = await world.client.post(f"{API}/requests.{fmt}", data=_posted())
        body = await response.read()
        assert _not_georeport(response.status, body, fmt) == ""
        assert response.status == 429
        assert response.headers["Retry-After"] == "30"
    assert await _stored(world) == before + PER_MINUTE
    assert len(await world.outbox()) == outbox
    # Another system's key has its own allowance.
    await _add_key(world.db, "sistem-lain", OTHER_KEY, revoked=None)
    status, _ = await world.post("/requests.json", _posted(api_key=OTHER_KEY))
    assert status == 200
    # A minute after the first ones, the key may file again.
    world.clock.advance(30)
    status, _ = await world.post("/requests.json", _posted())
    assert status == 200
    assert await _stored(world) == before + PER_MINUTE + 2


async def test_posts_sent_at_once_do_not_slip_past_the_limit(world: World) -> None:
    before = await _stored(world)

    async def post() -> int:
        response = await world.client.post(f"{API}/requests.json", data=_posted())
        await response.read()
        return response.status

    statuses = await asyncio.gather(*(post() for _ in range(PER_MINUTE + 10)))
    assert sorted(statuses) == [200] * PER_MINUTE + [429] * 10
    assert await _stored(world) == before + PER_MINUTE


def test_the_wait_is_until_enough_filings_leave_the_minute() -> None:
    now = wita(3, 2, 10)
    filed = [now - timedelta(seconds=s) for s in (50, 40, 30, 20.5)]
    assert seconds_until_allowed(filed, now, 5) == 0
    assert seconds_until_allowed(filed, now, 4) == 10  # the oldest leaves in 10 s
    assert seconds_until_allowed(filed, now, 2) == 30  # two must leave: the second in 30 s
    assert seconds_until_allowed(filed, now, 1) == 40  # the newest leaves in 39.5 s: 40


def test_by_default_a_key_files_slower_than_a_group_is_sent_to() -> None:
    """Each report's card goes to the unit's group and the coordinator's, which Telegram paces at
    20 messages a minute: a key at its default limit must leave room for the chat's reports."""
    settings = Settings(_env_file=None)
    assert settings.open311_posts_per_minute <= settings.outbox_group_per_minute / 2
    assert Open311Config.posts_per_minute == settings.open311_posts_per_minute


async def test_a_point_outside_the_region_is_refused(world: World) -> None:
    before = await _stored(world)
    for fmt in ("json", "xml"):
        response = await world.client.post(f"{API}/requests.{fmt}", data=_posted(**LONDON))
        body = await response.read()
        assert response.status == 400
        assert _not_georeport(response.status, body, fmt) == ""
    assert await _stored(world) == before


#: Paths and query strings (already encoded) that once reached a traceback (dates out of
#: ``datetime``'s range) or were answered outside GeoReport's format (aiohttp's own 404/405).
#: Control characters echoed into an error are another matter (not tested here).
BAD_QUERIES = [
    "/requests.{fmt}?start_date=0001-01-01",
    "/requests.{fmt}?end_date=0001-01-01",
    "/requests.{fmt}?start_date=9999-12-31",
    "/requests.{fmt}?end_date=9999-12-31T23:59:59-12:00",
    "/requests.{fmt}?start_date=0001-01-01T00:00:00Z",
    "/requests.{fmt}?start_date=2026-03-01&end_date=9999-12-31",
    "/requests.{fmt}?start_date=%FF%FE",
    "/requests.{fmt}?service_code=%FF",
    "/requests.{fmt}?service_request_id=" + "9" * 400,
    "/requests/%FF%FE.{fmt}",
    "/requests/" + "9" * 2000 + ".{fmt}",
    "/services/%FF.{fmt}",
    "/tokens/%FF.{fmt}",
    "/nothing.{fmt}",
    "/requests/7KQ4-M2XD-4/more.{fmt}",
]


@pytest.mark.parametrize("fmt", ["json", "xml"])
async def test_bad_queries_get_a_georeport_4xx(world: World, fmt: str) -> None:
    problems = []
    for template in BAD_QUERIES:
        path = template.format(fmt=fmt)
        response = await world.client.get(API + path)
        wrong = _not_georeport(response.status, await response.read(), fmt)
        if wrong:
            problems.append((path[:80], wrong))
    for method in ("DELETE", "PUT"):
        response = await world.client.request(method, f"{API}/requests.{fmt}")
        wrong = _not_georeport(response.status, await response.read(), fmt)
        if wrong:
            problems.append((method, wrong))
    assert problems == [], "\n".join(map(str, problems))


async def test_an_upper_case_extension_is_read_as_the_format(world: World) -> None:
    response = await world.client.get(f"{API}/services.JSON")
    assert response.status == 200
    assert response.content_type == "application/json"


BAD_POINTS = [
    {"lat": "nan", "long": "117.75"},
    {"lat": "0.93", "long": "NaN"},
    {"lat": "inf", "long": "117.75"},
    {"lat": "-Infinity", "long": "117.75"},
    {"lat": "1e309", "long": "117.75"},
    {"lat": "0.93", "long": "1" * 400},
    {"lat": "0.93", "long": ""},
    LONDON,
]


@pytest.mark.parametrize("fmt", ["json", "xml"])
async def test_bad_posts_get_a_georeport_4xx(world: World, fmt: str) -> None:
    before = await _stored(world)
    url = f"{API}/requests.{fmt}"
    problems: list[tuple[object, str]] = []
    for point in BAD_POINTS:
        response = await world.client.post(url, data=_posted(**point))
        wrong = _not_georeport(response.status, await response.read(), fmt)
        if wrong:
            problems.append((point, wrong))
    form = "application/x-www-form-urlencoded"
    raw = {
        "bad utf-8": (b"api_key=%FF%FE&service_code=jalan", form),
        "bad charset": (b"api_key=x", f"{form}; charset=tidak-ada"),
        "too big": (b"description=" + b"x" * (2 * 1024 * 1024), form),
    }
    for name, (data, content_type) in raw.items():
        response = await world.client.post(url, data=data, headers={"Content-Type": content_type})
        wrong = _not_georeport(response.status, await response.read(), fmt)
        if wrong:
            problems.append((name, wrong))
    assert problems == [], "\n".join(map(str, problems))
    assert await _stored(world) == before


async def test_a_refused_post_does_not_count_against_the_key(world: World) -> None:
    world.clock.set(wita(3, 2, 10))
    for _ in range(PER_MINUTE):
        status, _ = await world.post("/requests.json", _posted(description="rusak"))
        assert status == 400
    status, _ = await world.post("/requests.json", _posted())
    assert status == 200
