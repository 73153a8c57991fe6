"""A new PostgreSQL test database starts as a copy of the migrated template."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from storage.db import at_head, create_engine
from tests.databases import migrate_for_test, postgres_database, postgres_server_url
from tests.postgres_template import start_from_template

pytestmark = pytest.mark.postgresql


async def test_an_empty_database_becomes_a_copy_at_the_newest_revision() -> None:
    async with postgres_database(postgres_server_url()) as url:
        assert not await at_head(url)
        assert await start_from_template(url)
        assert await at_head(url)
        assert not await start_from_template(url)  # it holds tables now: left alone


async def test_a_database_holding_a_table_is_migrated_in_place_not_replaced() -> None:
    async with postgres_database(postgres_server_url()) as url:
        engine = create_engine(url)
        try:
            async with engine.begin() as connection:
                await connection.execute(text("CREATE TABLE kept (id integer)"))
                await connection.execute(text("INSERT INTO kept VALUES (7)"))
        finally:
            await engine.dispose()
        assert not await start_from_template(url)
        await migrate_for_test(url)
        assert await at_head(url)
        engine = create_engine(url)
        try:
            async with engine.connect() as connection:
                assert (await connection.execute(text("SELECT id FROM kept"))).scalar() == 7
        finally:
            await engine.dispose()
