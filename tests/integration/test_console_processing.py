"""Catatan pemrosesan (``/pemrosesan``): the record of processing, built from the settings, read
by the coordinator and by a unit, naming the data protection officer and the retention periods,
and asking for a sign-in."""

from __future__ import annotations

import html
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import pytest
from pydantic import SecretStr

from runtime.settings import Settings
from tests.integration.database import Database
from tests.integration.test_console import World, open_world
from web.from_settings import processing_facts


@pytest.fixture
async def console(tmp_path: Path) -> AsyncIterator[World]:
    found = await open_world(Database(tmp_path / "console.db"), tmp_path)
    yield found
    await found.db.engine.dispose()


async def read(world: World, unit: str) -> str:
    client = await world.client(unit)
    try:
        response = await client.get("/pemrosesan")
        assert response.status == 200, await response.text()
        return html.unescape(await response.text())
    finally:
        await client.close()


async def test_every_unit_reads_the_record_built_from_the_settings(console: World) -> None:
    settings = Settings(
        _env_file=None,
        bot_token=SecretStr("1:x"),
        dpo_name="Rina Pelindung",
        dpo_contact="ppid@kutaitimurkab.go.id",
        outbox_retention_days=30,
        retention_media_months=6,
        database_url="postgresql+asyncpg://aduan@db/aduan",
    )
    facts = processing_facts(settings)
    console.config = replace(console.config, processing=facts)
    for unit in ("diskominfo", "desa-64-08-09-2001"):
        text = await read(console, unit)
        assert "Catatan pemrosesan data pribadi" in text
        assert "Rina Pelindung (ppid@kutaitimurkab.go.id)" in text
        for basis in ("UU 25/2009", "Perpres 76/2013", "UU 27/2022 Pasal 20 ayat (2) huruf e"):
            assert basis in text
        assert "24 bulan setelah laporan ditutup" in text  # identities
        assert "6 bulan setelah laporan ditutup" in text  # photos
        assert "Teks pesan 30 hari setelah terkirim" in text
        assert "Basis data PostgreSQL di server pemerintah daerah" in text
        assert "aduan@db" not in text  # the database's address is not shown
        assert 'href="/pemrosesan"' in text  # in the menu


async def test_without_an_officer_named_the_record_says_so_and_needs_a_sign_in(
    console: World,
) -> None:
    console.config = replace(
        console.config, processing=processing_facts(Settings(_env_file=None, bot_token=None))
    )
    text = await read(console, "dinas-pupr")
    assert "Belum ditunjuk; sementara permintaan atas data ditangani admin koordinator" in text
    assert "Koordinator perlu mengisi DPO_NAME dan DPO_CONTACT" in text
    assert "Basis data SQLite" in text
    stranger = await console.client()
    try:
        response = await stranger.get("/pemrosesan", allow_redirects=False)
        assert response.status in (302, 303, 401), response.status
    finally:
        await stranger.close()
