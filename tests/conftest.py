"""Fixtures every test folder may use: the loopback Bot API emulator and the users' side of it.

A folder whose tests need something else (the emulator's own tests, the outbox's flood limits)
overrides these in its own conftest or module.

Also the run's rules: the PostgreSQL variants are marked and, without a server, left out
(tests/databases.py); Hypothesis runs derandomized in CI (the ``ci`` profile).
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator

import pytest
from hypothesis import settings

from emulator import Emulator, EmulatorClient
from tests.databases import POSTGRES_MARK, postgres_required
from tests.emulated import TOKEN

# CI: the same examples on every run (each test's seed derives from the test itself), and a
# failure prints the blob that replays it. Elsewhere: new examples each run, blob printed too.
settings.register_profile("ci", derandomize=True, print_blob=True)
settings.register_profile("dev", print_blob=True)
_CI = bool(os.environ.get("CI")) or postgres_required()
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if _CI else "dev"))

_LEFT_OUT: list[pytest.Item] = []


def _needs_postgres(item: pytest.Item) -> bool:
    callspec = getattr(item, "callspec", None)
    on_postgres = callspec is not None and POSTGRES_MARK in callspec.params.values()
    return on_postgres or item.get_closest_marker(POSTGRES_MARK) is not None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark every PostgreSQL variant; leave them out when no server is named (and none is
    required): a test run never starts or installs one."""
    for item in items:
        if _needs_postgres(item):
            item.add_marker(POSTGRES_MARK)
    if os.environ.get("TEST_POSTGRES_URL") or postgres_required():
        return
    kept = [item for item in items if not item.get_closest_marker(POSTGRES_MARK)]
    _LEFT_OUT[:] = [item for item in items if item.get_closest_marker(POSTGRES_MARK)]
    if _LEFT_OUT:
        config.hook.pytest_deselected(items=_LEFT_OUT)
        items[:] = kept


def pytest_report_header(config: pytest.Config) -> list[str]:
    profile = settings.get_current_profile_name()
    lines = [
        f"hypothesis profile {profile!r}: "
        + (
            "derandomized, each test's seed fixed by the test itself"
            if settings().derandomize
            else "a new random seed each run (a failure prints the blob that replays it)"
        )
    ]
    if not os.environ.get("TEST_POSTGRES_URL"):
        lines.append(
            "postgresql: "
            + (
                "REQUIRE_POSTGRES=1 and no TEST_POSTGRES_URL: the PostgreSQL variants will fail"
                if postgres_required()
                else "no TEST_POSTGRES_URL, so the PostgreSQL variants are left out "
                "(set it, e.g. from .ci/postgres start DIR, to run them)"
            )
        )
    return lines


@pytest.fixture
async def emulator() -> AsyncIterator[Emulator]:
    server = Emulator(port=0)
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def telegram(emulator: Emulator) -> AsyncIterator[EmulatorClient]:
    """The users' side of Telegram."""
    async with EmulatorClient(emulator.base_url, TOKEN) as client:
        yield client
