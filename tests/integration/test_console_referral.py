"""↗ Bukan kewenangan from the console, through its HTTP and the bot's own inbox worker on a real
database (SQLite, and PostgreSQL when ``TEST_POSTGRES_URL`` is set): the report page's form picks
an outside body, the request goes the group button's way (``CaseAction.REFER``): status
``dirujuk``, the citizen told where to go, the group told "… lewat konsol oleh …"; the page names
the body, also once it is removed from the list. The coordinator undoes a referral
(``UNREFER``); a unit is not offered it and is refused. Bad input: no body, a forged number, a
body removed before the page is sent or before the bot takes it, another unit's report, no
form token."""

from __future__ import annotations

from html import unescape

from sqlalchemy import select

from storage import referral_bodies
from storage.models import ConsoleRequest, ReferralBody
from tests.integration.test_console_actions import CITIZEN_CHAT, GROUPS, Desk, act, desk

__all__ = ["desk"]  # the fixture

DESA = "desa-64-08-09-2001"


async def body(desk: Desk, name: str = "PLN ULP Sangatta") -> int:
    async with desk.db.sessions() as session:
        added = await referral_bodies.add(
            session,
            {
                "name": name,
                "handles": "listrik padam, tiang miring",
                "address": "Jl. Yos Sudarso",
                "phone": "123",
                "web": "",
                "channel": "PLN Mobile",
            },
            desk.clock(),
        )
        await session.commit()
        return added.id


async def remove(desk: Desk, body_id: int) -> None:
    async with desk.db.sessions() as session:
        found = await session.get(ReferralBody, body_id)
        assert found is not None
        found.active = False
        await session.commit()


async def test_referred_from_the_console_and_undone_by_the_coordinator(desk: Desk) -> None:
    number = await desk.file()
    pln = await body(desk)
    client = await desk.client(DESA, "Pak Kades")
    coordinator = await desk.client("diskominfo", "Rina")
    try:
        page = await (await client.get(f"/laporan/{number}")).text()
        assert 'value="rf"' in page
        assert f'<option value="{pln}">PLN ULP Sangatta</option>' in page
        assert 'value="urf"' not in page  # the coordinator's only
        asked = await act(client, number, {"aksi": "rf", "status": "baru", "badan": str(pln)})
        assert asked.status == 200
        assert (await desk.bot.process_pending())[0] == 1
        shown = unescape(await (await client.get(asked.url.path_qs)).text())
        assert "Dirujuk ke instansi lain" in shown
        report = await desk.report(number)
        assert report.status == "dirujuk"
        assert report.referral_body_id == pln
        citizen = "\n".join(await desk.outbox(CITIZEN_CHAT))
        assert "bukan kewenangan" in citizen
        assert "PLN ULP Sangatta" in citizen
        assert "PLN Mobile" in citizen
        group = "\n".join(await desk.outbox(GROUPS[DESA]))
        assert f"{number} dirujuk ke PLN ULP Sangatta" in group
        assert "lewat konsol oleh Pak Kades" in group

        # A body removed from the list later still names the reports referred to it.
        await remove(desk, pln)
        page = unescape(await (await client.get(f"/laporan/{number}")).text())
        assert "PLN ULP Sangatta (sudah dihapus dari daftar rujukan)" in page

        # A unit may not undo it: not offered, refused when forged.
        refused = await act(client, number, {"aksi": "urf", "status": "dirujuk"})
        assert refused.status == 409
        assert 'value="urf"' in await (await coordinator.get(f"/laporan/{number}")).text()
        undone = await act(coordinator, number, {"aksi": "urf", "status": "dirujuk"})
        assert undone.status == 200
        await desk.bot.process_pending()
        assert "Rujukan dibatalkan" in await (await coordinator.get(undone.url.path_qs)).text()
    finally:
        await client.close()
        await coordinator.close()
    report = await desk.report(number)
    assert report.status == "baru"
    assert report.referral_body_id is None
    assert "dibatalkan lewat konsol oleh Rina" in "\n".join(await desk.outbox(GROUPS[DESA]))


async def test_a_bad_referral_is_refused_and_nothing_moves(desk: Desk) -> None:
    number = await desk.file()
    pln = await body(desk)
    gone = await body(desk, "Balai Zirkon")
    await remove(desk, gone)
    client = await desk.client(DESA, "Pak Kades")
    pupr = await desk.client("dinas-pupr", "Bu Ani")
    try:
        page = await (await client.get(f"/laporan/{number}")).text()
        assert "Balai Zirkon" not in page  # a removed body is not offered
        for badan in ("", "987654", "1 OR 1=1", str(gone)):
            refused = await act(client, number, {"aksi": "rf", "status": "baru", "badan": badan})
            assert refused.status == 400, badan
            assert "tidak ada lagi di daftar rujukan" in await refused.text()
        other = await act(pupr, number, {"aksi": "rf", "status": "baru", "badan": str(pln)})
        assert other.status == 403
        forged = await client.post(
            f"/laporan/{number}/tindakan", data={"aksi": "rf", "status": "baru", "badan": str(pln)}
        )
        assert forged.status == 403
        assert await desk.count(ConsoleRequest) == 0

        # Removed after the page was sent but before the bot takes it: the bot refuses it.
        asked = await act(client, number, {"aksi": "rf", "status": "baru", "badan": str(pln)})
        assert asked.status == 200
        await remove(desk, pln)
        await desk.bot.process_pending()
        shown = unescape(await (await client.get(asked.url.path_qs)).text())
        assert "tidak ada lagi di daftar rujukan" in shown
    finally:
        await client.close()
        await pupr.close()
    report = await desk.report(number)
    assert report.status == "baru"
    assert report.referral_body_id is None
    async with desk.db.sessions() as session:
        [request] = list(await session.scalars(select(ConsoleRequest)))
    assert request.refusal == "unknown_body"
