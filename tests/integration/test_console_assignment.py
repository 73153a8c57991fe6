"""Naming the person responsible from the console (👤 Ditangani oleh), through its HTTP and the
bot's own inbox worker, on each engine: the same use case as the group's buttons, to someone of
the report's unit only, audited, token-checked, and the group told "… lewat konsol oleh …"."""

from __future__ import annotations

from sqlalchemy import select, update

from core.timeline import EventKind
from storage.models import Citizen, ConsoleAudit, InboxUpdate, ReportEvent, UnitMember, UnitOfficer
from tests.integration.test_console_actions import GROUPS, Desk, act, desk

__all__ = ["desk"]  # the fixture

DESA = "desa-64-08-09-2001"


async def _known(desk: Desk) -> None:
    """Budi was seen in the desa's group; Luar is a named officer of Dinas PUPR."""
    async with desk.db.sessions() as session:
        session.add(
            UnitMember(
                unit_id=desk.units[DESA],
                channel="telegram",
                user_id="3003",
                name="Budi",
                seen_at=desk.clock(),
            )
        )
        session.add(
            UnitOfficer(
                unit_id=desk.units["dinas-pupr"],
                channel="telegram",
                user_id="555",
                name="Luar",
                added_at=desk.clock(),
            )
        )
        await session.commit()


async def test_assigned_and_released_from_the_console(desk: Desk) -> None:
    await _known(desk)
    number = await desk.file()
    client = await desk.client(DESA, "Pak Kades")
    try:
        shown = await (await client.get(f"/laporan/{number}")).text()
        assert "Ditangani oleh" in shown
        assert "belum ditugaskan" in shown
        assert '<option value="3003">Budi</option>' in shown
        assert '<option value="555">' not in shown  # another unit's officer is not offered

        asked = await act(client, number, {"aksi": "as", "petugas": "3003"})
        assert asked.status == 200, await asked.text()
        assert (await desk.bot.process_pending())[0] == 1
        done = await (await client.get(asked.url.path_qs)).text()
        assert "Penanggung jawab laporan sudah diubah" in done
        assert (await desk.report(number)).assignee_id == "3003"
        group = "\n".join(await desk.outbox(GROUPS[DESA]))
        assert "ditangani Budi, ditugaskan lewat konsol oleh Pak Kades" in group

        released = await act(client, number, {"aksi": "as", "petugas": ""})
        assert released.status == 200
        await desk.bot.process_pending()
        assert (await desk.report(number)).assignee_id is None
        group = "\n".join(await desk.outbox(GROUPS[DESA]))
        assert "dilepas lewat konsol oleh Pak Kades" in group
        async with desk.db.sessions() as session:
            kinds = list(await session.scalars(select(ReportEvent.kind)))
            audit = list(
                await session.scalars(
                    select(ConsoleAudit.subject).where(ConsoleAudit.action == "act")
                )
            )
        assert EventKind.ASSIGNED in kinds
        assert EventKind.RELEASED in kinds
        assert audit == [f"{number} as 3003", f"{number} as 0"]
    finally:
        await client.close()


async def test_another_unit_s_officer_or_no_token_changes_nothing(desk: Desk) -> None:
    await _known(desk)
    number = await desk.file()
    client = await desk.client("diskominfo", "Rina")
    try:
        other = await act(client, number, {"aksi": "as", "petugas": "555"})
        assert other.status == 400
        assert "bukan anggota grup unit" in await other.text()
        nobody = await act(client, number, {"aksi": "as", "petugas": ""})
        assert nobody.status == 409
        forged = await client.post(
            f"/laporan/{number}/tindakan", data={"aksi": "as", "petugas": "3003"}
        )
        assert forged.status == 403
        assert await desk.count(InboxUpdate) == 0
        assert (await desk.report(number)).assignee_id is None
        refused = await desk.refused()
        assert refused[-1] == f"{number} as cross_site"
    finally:
        await client.close()


async def test_the_list_shows_and_filters_by_who_handles_it(desk: Desk) -> None:
    await _known(desk)
    taken = await desk.file()
    async with desk.db.sessions() as session:  # the next report is another citizen's
        await session.execute(update(Citizen).values(user_id="43", chat_id="43"))
        await session.commit()
    free = await desk.file()
    client = await desk.client(DESA, "Pak Kades")
    try:
        await act(client, taken, {"aksi": "as", "petugas": "3003"})
        await desk.bot.process_pending()

        every = await (await client.get("/laporan")).text()
        assert "Ditangani oleh" in every
        assert '<option value="3003">Budi</option>' in every  # the filter offers Budi
        assert "<td>Budi</td>" in every  # the column
        budi = await (await client.get("/laporan?ditangani=3003")).text()
        assert taken in budi
        assert free not in budi
        nobody = await (await client.get("/laporan?ditangani=-")).text()
        assert free in nobody
        assert taken not in nobody
        bad = await client.get("/laporan?ditangani=budi'--")
        assert bad.status == 400
    finally:
        await client.close()
