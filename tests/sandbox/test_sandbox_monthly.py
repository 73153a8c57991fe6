"""The monthly summary in the training sandbox (web/sandbox/runtime.py passes the console's
renderer, as ``aduan run`` does): advancing the clock past a month's first working day brings
the coordinator's pane last month's one-page PDF, once; a fresh sandbox owes none for the month
before it started (an empty page at every start or reset would only puzzle a trainee)."""

from __future__ import annotations

from datetime import datetime

from emulator.chat import text_of
from tests.sandbox.conftest import WITA, JsonDict, Site
from web.sandbox.cast import COORDINATOR_PANE


def documents(messages: list[JsonDict]) -> list[JsonDict]:
    return [m for m in messages if m.get("from_bot") and "document" in m]


async def test_advancing_into_a_month_brings_the_coordinator_last_months_summary(
    site: Site,
) -> None:
    sandbox = site.sandbox
    # A round on the start day (Tuesday 3 February 2026, after the morning): January is not owed.
    jobs = sandbox.app.jobs
    assert jobs is not None
    await jobs.run_due()
    await sandbox.settle()
    assert documents(await site.messages(COORDINATOR_PANE)) == []

    sandbox.clock.set(datetime(2026, 2, 27, 10, 0, tzinfo=WITA))  # Friday
    moved = await site.post("/api/clock/advance", {"days": 1})
    assert moved["rounds"][0]["day"] == "2026-03-02"  # Monday, March's first working day
    [sent] = documents(await site.messages(COORDINATOR_PANE))
    assert sent["document"]["file_name"] == "ringkasan-2026-02.pdf"
    assert "Februari 2026" in text_of(sent)
    assert documents(await site.messages("desa")) == []

    await site.post("/api/clock/advance", {"days": 1})
    assert len(documents(await site.messages(COORDINATOR_PANE))) == 1
