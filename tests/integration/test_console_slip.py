"""The counter slip (tanda terima) in the console, on a real database (SQLite, and PostgreSQL when
``TEST_POSTGRES_URL`` is set): for a report filed at the counter the filing unit and the
coordinator print a slip with the tracking number and a new claim code (the old one stops
working: only hashes are kept), shown once and not cached; a kecamatan reading its desa's report,
another unit, a POST without the form token, a report not filed at the counter and a claimed one
get no code. A claim on the timeline reads as such on the report page."""

from __future__ import annotations

import re

from sqlalchemy import select

from core.counter import claim_hash, claim_matches
from core.timeline import EventKind
from storage.models import ConsoleAudit, CounterFiling, Report, ReportEvent
from tests.integration.console_forms import form_token
from tests.integration.test_console_actions import Client, Desk, desk

__all__ = ["desk"]  # the fixture

DESA = "desa-64-08-09-2001"
OLD = "ABCDEF"
CODE = re.compile(r'<dd class="slip-code">([A-Z0-9]{6})</dd>')


async def at_counter(desk: Desk) -> str:
    """A report the desa took at its counter (its first code: ``OLD``)."""
    number = await desk.file()
    async with desk.db.sessions() as session:
        report = await session.scalar(select(Report).where(Report.tracking_no == number))
        assert report is not None
        report.channel = "loket"
        session.add(
            CounterFiling(
                report_id=report.id,
                via="loket",
                unit_id=desk.units[DESA],
                officer_id="77",
                officer_name="Staf Desa",
                claim_hash=claim_hash(number, OLD),
                claim_failures=3,
                created_at=desk.clock(),
            )
        )
        await session.commit()
    return number


async def filing(desk: Desk, number: str) -> CounterFiling:
    async with desk.db.sessions() as session:
        found = await session.scalar(
            select(CounterFiling).join(Report).where(Report.tracking_no == number)
        )
    assert found is not None
    return found


async def new_code(client: Client, number: str) -> tuple[int, str, str]:
    path = f"/laporan/{number}/tanda-terima"
    csrf = await form_token(client, path)
    answer = await client.post(path, data={"csrf": csrf})
    return answer.status, await answer.text(), answer.headers.get("Cache-Control", "")


async def test_the_filing_unit_prints_a_slip_with_a_new_code(desk: Desk) -> None:
    number = await at_counter(desk)
    client = await desk.client(DESA, "Pak Kades")
    try:
        report_page = await (await client.get(f"/laporan/{number}")).text()
        assert f'href="/laporan/{number}/tanda-terima"' in report_page
        slip = await (await client.get(f"/laporan/{number}/tanda-terima")).text()
        assert number in slip
        assert "di loket" in slip
        assert "Buat kode klaim baru dan cetak" in slip
        assert CODE.search(slip) is None  # no code without asking for a new one
        assert "Siti" not in slip  # the slip names no one

        status, page, cache = await new_code(client, number)
        assert status == 200
        assert cache == "no-store"
        found = CODE.search(page)
        assert found is not None
        code = found.group(1)
        assert f"/klaim {number} {code}" in page
    finally:
        await client.close()
    stored = await filing(desk, number)
    assert claim_matches(number, code, stored.claim_hash)
    assert not claim_matches(number, OLD, stored.claim_hash)  # the old code stops working
    assert stored.claim_failures == 0
    async with desk.db.sessions() as session:
        audit = list(await session.scalars(select(ConsoleAudit.subject)))
    assert f"{number} kode baru" in audit
    assert code not in " ".join(audit)  # the code itself is written nowhere


async def test_only_the_filing_unit_and_the_coordinator_get_a_code(desk: Desk) -> None:
    number = await at_counter(desk)
    rina = await desk.client("diskominfo", "Rina")
    camat = await desk.client("kec-64-08-09", "Camat")
    pupr = await desk.client("dinas-pupr", "Bu Ani")
    desa = await desk.client(DESA, "Pak Kades")
    try:
        assert "tanda-terima" in await (await rina.get(f"/laporan/{number}")).text()
        status, page, _ = await new_code(rina, number)
        assert status == 200
        assert CODE.search(page) is not None

        # The kecamatan reads its desa's report but did not take it: no slip, no code.
        seen = await camat.get(f"/laporan/{number}")
        assert seen.status == 200
        assert "tanda-terima" not in await seen.text()
        assert (await camat.get(f"/laporan/{number}/tanda-terima")).status == 403
        assert (await pupr.get(f"/laporan/{number}/tanda-terima")).status == 403
        before = (await filing(desk, number)).claim_hash
        forged = await desa.post(f"/laporan/{number}/tanda-terima", data={})
        assert forged.status == 403
        assert (await filing(desk, number)).claim_hash == before
    finally:
        for client in (rina, camat, pupr, desa):
            await client.close()
    assert f"{number} slip" in await desk.refused()


async def test_a_claimed_report_s_slip_says_so_and_the_timeline_shows_the_claim(
    desk: Desk,
) -> None:
    number = await at_counter(desk)
    async with desk.db.sessions() as session:
        found = await session.scalar(
            select(CounterFiling).join(Report).where(Report.tracking_no == number)
        )
        assert found is not None
        found.claimed_at = desk.clock()
        session.add(
            ReportEvent(
                report_id=found.report_id,
                kind=EventKind.CLAIMED,
                actor="pelapor",
                note="loket",
                created_at=desk.clock(),
            )
        )
        await session.commit()
    client = await desk.client(DESA, "Pak Kades")
    try:
        slip = await (await client.get(f"/laporan/{number}/tanda-terima")).text()
        assert "sudah diklaim pelapor" in slip
        assert "Buat kode klaim baru" not in slip
        status, _, _ = await new_code(client, number)
        assert status == 409
        page = await (await client.get(f"/laporan/{number}")).text()
        assert "Diklaim pelapor: laporan dari loket kini diikuti dari chat pelapor sendiri" in page
    finally:
        await client.close()


async def test_a_report_from_a_citizen_s_own_chat_has_no_slip(desk: Desk) -> None:
    plain = await desk.file()
    desa = await desk.client(DESA, "Pak Kades")
    try:
        assert (await desa.get(f"/laporan/{plain}/tanda-terima")).status == 404
        status, _, _ = await new_code(desa, plain)
        assert status == 404
        assert "tanda-terima" not in await (await desa.get(f"/laporan/{plain}")).text()
    finally:
        await desa.close()
