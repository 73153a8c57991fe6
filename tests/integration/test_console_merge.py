"""Merging a duplicate from the console (issue 27, "Act from the console"): the report's page
offers the similar open reports as its original, or takes the original's tracking number
typed; the bot merges it through the group's use case (Arsipkan → Duplikat): the duplicate is
archived with the original named, its reporter told and following the original, the group told
it was done in the console. An original it may not be merged into is refused at once."""

from __future__ import annotations

from sqlalchemy import select

from cases.filing import file_report
from core.lifecycle import ReportStatus
from handlers.notices import filing_for
from storage.models import Citizen, ConsoleRequest, Report, ReportEvent, ReportSupporter
from tests.integration import test_console_actions as base
from tests.integration.test_console_actions import GROUPS, SEPASO, Desk, act

desk = base.desk  # the same desk: a database, the console and the bot's inbox worker


async def file_as(desk: Desk, chat: str, words: str = "Sampah menumpuk di balai desa") -> str:
    """A report from Sepaso about rubbish, filed by the citizen of chat ``chat``."""
    now = desk.clock()
    async with desk.db.uow() as uow:
        citizen = await uow.citizens.add(
            Citizen(
                channel="telegram",
                user_id=chat,
                chat_id=chat,
                name=f"Warga {chat}",
                consent_at=now,
                consent_version="1",
                created_at=now,
            )
        )
        report = Report(
            tracking_no="",
            citizen_id=citizen.id,
            channel="telegram",
            report_type="pengaduan",
            category="sampah",
            region_code=SEPASO,
            description=words,
            privacy="biasa",
            created_at=now,
            updated_at=now,
        )
        await file_report(uow, filing_for(desk.bot_deps), now, report)
        await uow.commit()
    desk.clock.advance(minutes=5)
    return report.tracking_no


async def test_merged_from_the_similar_reports_as_in_the_group(desk: Desk) -> None:
    original = await file_as(desk, "42")
    duplicate = await file_as(desk, "43", "Sampah di depan balai desa belum diangkut")
    client = await desk.client("diskominfo", "Rina")
    try:
        page = await (await client.get(f"/laporan/{duplicate}")).text()
        assert "Gabungkan sebagai duplikat" in page
        assert f'<option value="{original}">{original} · ' in page
        # The original itself is older than nothing: it offers no original.
        first = await (await client.get(f"/laporan/{original}")).text()
        assert f'<option value="{duplicate}"' not in first

        asked = await act(
            client,
            duplicate,
            {"aksi": "ar", "status": "baru", "alasan": "duplikat", "asli": original},
        )
        assert asked.status == 200, await asked.text()
        await desk.bot.process_pending()
        done = await (await client.get(asked.url.path_qs)).text()
        assert "Digabungkan sebagai duplikat" in done
        merged, kept = await desk.report(duplicate), await desk.report(original)
        assert merged.status == "diarsipkan"
        assert kept.status == "baru"
        async with desk.db.sessions() as session:
            notes = list(
                await session.scalars(
                    select(ReportEvent.note).where(ReportEvent.report_id == merged.id)
                )
            )
            followers = list(
                await session.scalars(
                    select(ReportSupporter.citizen_id).where(ReportSupporter.report_id == kept.id)
                )
            )
        assert any(f"duplikat: {original}" in n for n in notes), notes
        assert followers == [merged.citizen_id]  # the duplicate's reporter follows the original
        told = "\n".join(await desk.outbox("43"))
        assert f"sama dengan laporan {original}" in told, told
        assert f"Anda kini mengikuti laporan {original}" in told
        group = "\n".join(await desk.outbox(GROUPS["desa-64-08-09-2001"]))
        assert (
            f"Laporan {duplicate} digabungkan ke laporan {original} sebagai duplikat "
            "lewat konsol oleh Rina." in group
        ), group
    finally:
        await client.close()


async def test_merged_by_the_typed_number_and_refused_without_an_original(desk: Desk) -> None:
    original = await file_as(desk, "42")
    duplicate = await file_as(desk, "43")
    client = await desk.client("desa-64-08-09-2001", "Pak Kades")
    try:
        for typed in ("", duplicate, "ZZZZ-ZZZZ-Z"):
            refused = await act(
                client,
                duplicate,
                {"aksi": "ar", "status": "baru", "alasan": "duplikat", "asli_nomor": typed},
            )
            assert refused.status == 400
            assert "Pilih laporan asli yang masih terbuka" in await refused.text()
        async with desk.db.sessions() as session:
            assert list(await session.scalars(select(ConsoleRequest))) == []
        # Typed as people type it: lower case, no hyphens.
        typed = original.replace("-", "").lower()
        asked = await act(
            client,
            duplicate,
            {"aksi": "ar", "status": "baru", "alasan": "duplikat", "asli_nomor": typed},
        )
        assert asked.status == 200
        await desk.bot.process_pending()
        assert (await desk.report(duplicate)).status == "diarsipkan"
        assert "Digabungkan sebagai duplikat" in await (await client.get(asked.url.path_qs)).text()
    finally:
        await client.close()


async def test_the_bot_refuses_an_original_closed_meanwhile(desk: Desk) -> None:
    original = await file_as(desk, "42")
    duplicate = await file_as(desk, "43")
    client = await desk.client("diskominfo", "Rina")
    try:
        asked = await act(
            client,
            duplicate,
            {"aksi": "ar", "status": "baru", "alasan": "duplikat", "asli": original},
        )
        # Before the bot takes the request, the original is closed (a group's press, say).
        async with desk.db.sessions() as session:
            kept = await session.scalar(select(Report).where(Report.tracking_no == original))
            assert kept is not None
            kept.status = ReportStatus.DIARSIPKAN
            await session.commit()
        await desk.bot.process_pending()
        page = await (await client.get(asked.url.path_qs)).text()
        assert "Pilih laporan asli yang masih terbuka" in page
        assert (await desk.report(duplicate)).status == "baru"
    finally:
        await client.close()


async def test_a_unit_is_offered_only_the_originals_it_may_see(desk: Desk) -> None:
    """The similar reports another unit holds are neither listed to a unit's viewer nor taken
    when typed (the coordinator, who sees every report, is offered them)."""
    elsewhere = await file_as(desk, "42")
    duplicate = await file_as(desk, "43", "Sampah di depan balai desa belum diangkut")
    async with desk.db.uow() as uow:
        pupr = await uow.units.by_code("dinas-pupr")
        assert pupr is not None
        moved = await uow.session.scalar(select(Report).where(Report.tracking_no == elsewhere))
        assert moved is not None
        moved.unit_id = pupr.id
        await uow.commit()
    client = await desk.client("desa-64-08-09-2001", "Pak Kades")
    coordinator = await desk.client("diskominfo", "Rina")
    try:
        page = await (await client.get(f"/laporan/{duplicate}")).text()
        assert "Gabungkan sebagai duplikat" in page
        assert elsewhere not in page
        refused = await act(
            client,
            duplicate,
            {"aksi": "ar", "status": "baru", "alasan": "duplikat", "asli_nomor": elsewhere},
        )
        assert refused.status == 400
        assert elsewhere not in await refused.text()
        seen = await (await coordinator.get(f"/laporan/{duplicate}")).text()
        assert f'<option value="{elsewhere}">{elsewhere} · ' in seen
    finally:
        await client.close()
        await coordinator.close()
