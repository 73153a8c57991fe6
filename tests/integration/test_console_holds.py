"""The legal hold on a report's page (🔒 Tahan untuk keperluan hukum): the coordinator sets it with
a reason and lifts it, each in the audit log; a unit neither sees nor sets it; a post without the
page's token or without a reason changes nothing. (That a hold stops the retention round:
tests/integration/test_retention.py.)"""

from __future__ import annotations

from sqlalchemy import select

from storage.models import ConsoleAudit, ReportHold
from tests.integration.console_forms import form_token as page_token
from tests.integration.test_console_actions import Desk, desk

__all__ = ["desk"]  # the fixture

DESA = "desa-64-08-09-2001"


async def audit_of(desk: Desk, action: str) -> list[str]:
    async with desk.db.sessions() as session:
        rows = await session.scalars(
            select(ConsoleAudit.subject)
            .where(ConsoleAudit.action == action)
            .order_by(ConsoleAudit.id)
        )
        return list(rows)


async def test_the_coordinator_sets_and_lifts_a_hold_audited(desk: Desk) -> None:
    number = await desk.file()
    report_id = (await desk.report(number)).id
    client = await desk.client("diskominfo", "Bu Koordinator")
    try:
        page = await (await client.get(f"/laporan/{number}")).text()
        assert "Tahan untuk keperluan hukum" in page
        assert "Tidak ditahan" in page
        token = await page_token(client, f"/laporan/{number}")
        no_reason = await client.post(
            f"/laporan/{number}/tahan", data={"csrf": token, "tahan": "1", "alasan": " "}
        )
        assert no_reason.status == 400
        assert "Tuliskan alasan penahanan" in await no_reason.text()
        assert await desk.count(ReportHold) == 0

        held = await client.post(
            f"/laporan/{number}/tahan",
            data={"csrf": token, "tahan": "1", "alasan": "Perkara 12/Pdt.G/2026"},
        )
        assert held.status == 200  # back on the report's page
        shown = await held.text()
        assert "Ditahan oleh Bu Koordinator: Perkara 12/Pdt.G/2026" in shown
        async with desk.db.sessions() as session:
            hold = await session.get(ReportHold, report_id)
        assert hold is not None
        assert (hold.held_by, hold.held_by_name) == ("900", "Bu Koordinator")
        assert await audit_of(desk, "hold") == [f"{number} Perkara 12/Pdt.G/2026"]

        token = await page_token(client, f"/laporan/{number}")
        lifted = await client.post(f"/laporan/{number}/tahan", data={"csrf": token, "tahan": "0"})
        assert lifted.status == 200
        assert "Tidak ditahan" in await lifted.text()
        assert await desk.count(ReportHold) == 0
        assert await audit_of(desk, "unhold") == [number]
    finally:
        await client.close()


async def test_a_unit_or_a_forged_post_sets_no_hold(desk: Desk) -> None:
    number = await desk.file()
    unit = await desk.client(DESA, "Pak Kades")
    try:
        page = await (await unit.get(f"/laporan/{number}")).text()
        assert "Tahan untuk keperluan hukum" not in page
        token = await page_token(unit, f"/laporan/{number}")
        tried = await unit.post(
            f"/laporan/{number}/tahan", data={"csrf": token, "tahan": "1", "alasan": "x"}
        )
        assert tried.status == 403
    finally:
        await unit.close()
    coordinator = await desk.client("diskominfo", "Bu Koordinator")
    try:
        forged = await coordinator.post(
            f"/laporan/{number}/tahan", data={"tahan": "1", "alasan": "x"}
        )
        assert forged.status == 403
    finally:
        await coordinator.close()
    assert await desk.count(ReportHold) == 0
    assert await desk.refused() == [f"{number} hold", f"{number} hold cross_site"]
