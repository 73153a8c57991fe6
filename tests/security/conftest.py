"""Fixtures the security tests share with the integration tests (one database per test, both
engines; the console's world; the emulator's side of the outbox)."""

from tests.integration.conftest import (  # noqa: F401 (fixtures)
    channel,
    database_url,
    engine_name,
    open_channel,
)
from tests.integration.test_console import filed, world  # noqa: F401 (fixtures)
from tests.integration.test_outbox_delivery import db, telegram  # noqa: F401 (fixtures)
