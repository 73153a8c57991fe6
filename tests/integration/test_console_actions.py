"""Acting on a report from the console, through its HTTP, on a real database (SQLite, and
PostgreSQL when ``TEST_POSTGRES_URL`` is set): the console queues the officer's action and the
bot's own inbox worker takes it through the same use case as a group's button.

Checked here: the report's status moves through the lifecycle, the timeline names the person,
the citizen's notice and the group's "lewat konsol oleh …" line are in the outbox, the action is
audited; the page waits for the bot, then says what happened (done, or the refusal in words);
an action the lifecycle or the viewer's unit does not allow is refused with a page, and a POST
without the form token changes nothing.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from pydantic import SecretStr
from sqlalchemy import func, select

from cases.filing import file_report
from core.timeline import EventKind
from handlers.app import Conversations
from handlers.notices import filing_for
from locales import Catalogs
from runtime.clock import ManualClock
from runtime.deps import handler_deps
from runtime.inbox import InboxProcessor
from runtime.settings import Settings
from storage.console import issue_login
from storage.models import Citizen, ConsoleAudit, InboxUpdate, OutboxMessage, Report, ReportEvent
from storage.unit_registry import seed_units
from tests.integration.console_forms import form_token, sign_in
from tests.integration.database import Database
from web.console import build_console_app
from web.from_settings import console_config

WITA = ZoneInfo("Asia/Makassar")
SEPASO = "64.08.09.2001"
CITIZEN_CHAT = "42"
GROUPS = {"diskominfo": "-100100", "desa-64-08-09-2001": "-100200", "dinas-pupr": "-100300"}
REFRESH = re.compile(r'<meta http-equiv="refresh" content="2')

Client = TestClient[web.Request, web.Application]


@dataclass
class Desk:
    """A database with the units bound to groups, the console, and the bot's inbox worker."""

    db: Database
    clock: ManualClock
    app: web.Application
    bot: InboxProcessor
    units: dict[str, int]

    async def file(self) -> str:
        """A new report from Sepaso about rubbish: the desa holds it."""
        now = self.clock()
        async with self.db.uow() as uow:
            citizen = await uow.citizens.add(
                Citizen(
                    channel="telegram",
                    user_id=CITIZEN_CHAT,
                    chat_id=CITIZEN_CHAT,
                    name="Siti",
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
                description="Sampah menumpuk di depan balai desa",
                privacy="biasa",
                created_at=now,
                updated_at=now,
            )
            await file_report(uow, filing_for(self.bot_deps), now, report)
            await uow.commit()
            return report.tracking_no

    bot_deps: Any = None

    async def client(self, unit: str, name: str) -> Client:
        client = TestClient(TestServer(self.app))
        await client.start_server()
        async with self.db.sessions() as session:
            token = await issue_login(
                session, self.units[unit], now=self.clock(), user_id="900", user_name=name
            )
            await session.commit()
        assert (await sign_in(client, token)).status == 303
        return client

    async def report(self, number: str) -> Report:
        async with self.db.sessions() as session:
            found = await session.scalar(select(Report).where(Report.tracking_no == number))
        assert found is not None
        return found

    async def outbox(self, chat_id: str) -> list[str]:
        async with self.db.sessions() as session:
            rows = await session.scalars(
                select(OutboxMessage)
                .where(OutboxMessage.chat_id == chat_id)
                .order_by(OutboxMessage.id)
            )
            return [str((row.payload or {}).get("text", "")) for row in rows]

    async def refused(self) -> list[str]:
        """The subjects of the audit's refusals, oldest first."""
        async with self.db.sessions() as session:
            rows = await session.scalars(
                select(ConsoleAudit.subject)
                .where(ConsoleAudit.action == "refused")
                .order_by(ConsoleAudit.id)
            )
            return list(rows)

    async def count(self, model: Any) -> int:
        async with self.db.sessions() as session:
            return int(await session.scalar(select(func.count()).select_from(model)) or 0)


@pytest.fixture
async def desk(database_url: str, tmp_path: Path) -> AsyncIterator[Desk]:
    db = Database(database_url)
    await db.start()
    clock = ManualClock(datetime(2026, 3, 2, 9, tzinfo=WITA))  # Monday 2 March 2026
    settings = Settings(_env_file=None, bot_token=SecretStr("1:x"), media_dir=tmp_path / "media")
    deps = handler_deps(settings, "1:x", Catalogs("id"), clock)
    units: dict[str, int] = {}
    async with db.uow() as uow:
        await seed_units(uow, deps.regions, clock(), categories=deps.categories)
        for code in ("diskominfo", "desa-64-08-09-2001", "dinas-pupr", "kec-64-08-09"):
            unit = await uow.units.by_code(code)
            assert unit is not None
            units[code] = unit.id
            if code in GROUPS:
                await uow.units.bind(
                    unit.id,
                    channel="telegram",
                    chat_id=GROUPS[code],
                    title="g",
                    by="1",
                    now=clock(),
                )
        await uow.commit()
    bot = InboxProcessor(
        uow_factory=db.uow,
        conversations=Conversations(deps),
        catalogs=Catalogs("id"),
        clock=clock,
        album_wait=timedelta(0),
    )
    app = build_console_app(replace(console_config(settings), clock=clock), db.sessions)
    found = Desk(db, clock, app, bot, units)
    found.bot_deps = deps
    yield found
    await db.engine.dispose()


async def act(client: Client, number: str, data: dict[str, str]) -> Any:
    """Press an action's button on the report's page (its form token, the status it showed)."""
    page = f"/laporan/{number}"
    csrf = await form_token(client, page)
    return await client.post(f"{page}/tindakan", data={"csrf": csrf, **data})


async def test_verified_from_the_console_goes_the_buttons_way(desk: Desk) -> None:
    number = await desk.file()
    client = await desk.client("diskominfo", "Rina")
    try:
        shown = await (await client.get(f"/laporan/{number}")).text()
        assert "Verifikasi" in shown
        assert 'value="done"' not in shown  # Selesai is not offered before verification
        asked = await act(client, number, {"aksi": "vf", "status": "baru"})
        assert asked.status == 200
        waiting = await asked.text()
        assert "Menunggu diproses bot" in waiting
        assert REFRESH.search(waiting), waiting
        assert 'name="aksi"' not in waiting  # no second action on a view the bot may change
        assert (await desk.report(number)).status == "baru"  # the bot has not run yet

        assert (await desk.bot.process_pending())[0] == 1

        done = await (await client.get(asked.url.path_qs)).text()
        assert "✅ Terverifikasi" in done
        assert not REFRESH.search(done)
        report = await desk.report(number)
        assert report.status == "didisposisi"
        async with desk.db.sessions() as session:
            events = list(
                await session.scalars(select(ReportEvent).where(ReportEvent.report_id == report.id))
            )
            audit = list(
                await session.scalars(select(ConsoleAudit).where(ConsoleAudit.action == "act"))
            )
        verified = [e for e in events if e.kind == EventKind.VERIFIED]
        assert len(verified) == 1
        assert "Rina" in verified[0].actor
        assert any("diverifikasi" in text.lower() for text in await desk.outbox(CITIZEN_CHAT))
        group = await desk.outbox(GROUPS["desa-64-08-09-2001"])
        assert any("lewat konsol oleh Rina" in text for text in group), group
        assert [(a.user_name, a.subject) for a in audit] == [("Rina", f"{number} vf")]
    finally:
        await client.close()


async def test_questions_answers_transfer_and_archive_from_the_console(desk: Desk) -> None:
    number = await desk.file()
    client = await desk.client("desa-64-08-09-2001", "Pak Kades")
    try:
        steps: list[tuple[dict[str, str], str, str]] = [
            ({"aksi": "vf", "status": "baru"}, "didisposisi", "✅ Terverifikasi"),
            (
                {"aksi": "ask", "status": "didisposisi", "teks": "Di RT berapa tepatnya?"},
                "menunggu_pelapor",
                "Pertanyaan terkirim",
            ),
            (
                {"aksi": "ans", "status": "menunggu_pelapor", "teks": "Petugas datang besok."},
                "menunggu_pelapor",
                "Jawaban terkirim",
            ),
            (
                {"aksi": "tr", "status": "menunggu_pelapor", "unit": "dinas-pupr", "teks": "Jalan"},
                "didisposisi",
                "Dialihkan",
            ),
        ]
        for data, status, words in steps:
            asked = await act(client, number, data)
            assert asked.status == 200, await asked.text()
            await desk.bot.process_pending()
            page = await (await client.get(asked.url.path_qs)).text()
            assert words in page, page
            assert (await desk.report(number)).status == status
        citizen = "\n".join(await desk.outbox(CITIZEN_CHAT))
        assert "Di RT berapa tepatnya?" in citizen
        assert "Petugas datang besok." in citizen
        # The group reads what was said to the citizen, and by whom, in the console.
        group = "\n".join(await desk.outbox(GROUPS["desa-64-08-09-2001"]))
        assert "lewat konsol oleh Pak Kades:\n\nDi RT berapa tepatnya?" in group
        assert "lewat konsol oleh Pak Kades:\n\nPetugas datang besok." in group
        assert "dialihkan ke Dinas Pekerjaan Umum" in "\n".join(
            await desk.outbox(GROUPS["dinas-pupr"])
        )
        # The report is PUPR's now: the desa may neither see nor act on it.
        gone = await act(client, number, {"aksi": "ar", "status": "didisposisi"})
        assert gone.status == 403
    finally:
        await client.close()
    pupr = await desk.client("dinas-pupr", "Agus")
    try:
        asked = await act(pupr, number, {"aksi": "ar", "status": "didisposisi", "alasan": "spam"})
        await desk.bot.process_pending()
        assert "Diarsipkan" in await (await pupr.get(asked.url.path_qs)).text()
        assert (await desk.report(number)).status == "diarsipkan"
    finally:
        await pupr.close()


async def test_refused_actions_are_said_in_words(desk: Desk) -> None:
    number = await desk.file()
    client = await desk.client("desa-64-08-09-2001", "Pak Kades")
    try:
        early = await act(client, number, {"aksi": "done", "status": "baru", "teks": "Beres"})
        assert early.status == 409
        assert "belum diverifikasi" in await early.text()
        # Two tabs verify the same report: the bot does the first and refuses the second.
        first = await act(client, number, {"aksi": "vf", "status": "baru"})
        second = await act(client, number, {"aksi": "vf", "status": "baru"})
        await desk.bot.process_pending()
        await desk.bot.process_pending()
        assert "✅ Terverifikasi" in await (await client.get(first.url.path_qs)).text()
        refused = await (await client.get(second.url.path_qs)).text()
        assert "sudah diverifikasi" in refused
        # A form shown before the report moved on is stale.
        stale = await act(client, number, {"aksi": "ask", "status": "baru", "teks": "RT?"})
        assert stale.status == 409
        assert "berubah" in await stale.text()
        too_long = await act(
            client, number, {"aksi": "tl", "status": "didisposisi", "teks": "x" * 3501}
        )
        assert too_long.status == 400
        unknown = await act(client, number, {"aksi": "zz", "status": "didisposisi"})
        assert unknown.status == 400
        # Every refused form is in the audit, with why.
        assert [subject.split(" ", 1)[1] for subject in await desk.refused()] == [
            "done case.refused.not_verified",
            "ask console.act.error.stale",
            "tl console.act.error.too_long",
            "zz console.act.error.unknown_action",
        ]
    finally:
        await client.close()
    kecamatan = await desk.client("kec-64-08-09", "Camat")
    try:
        page = await (await kecamatan.get(f"/laporan/{number}")).text()
        assert 'name="aksi"' not in page  # it sees its desa's report, but does not act on it
        refused_unit = await act(kecamatan, number, {"aksi": "tl", "status": "didisposisi"})
        assert refused_unit.status == 403
        assert "bukan milik unit" in await refused_unit.text()
        assert (await desk.refused())[-1] == f"{number} tl case.refused.not_yours"
    finally:
        await kecamatan.close()


async def test_a_post_without_the_form_token_changes_nothing(desk: Desk) -> None:
    number = await desk.file()
    client = await desk.client("diskominfo", "Rina")
    try:
        forged = await client.post(
            f"/laporan/{number}/tindakan", data={"aksi": "vf", "status": "baru"}
        )
        assert forged.status == 403
        inbox_before = await desk.count(InboxUpdate)
        assert await desk.bot.process_pending() == (0, None)
        assert await desk.count(InboxUpdate) == inbox_before == 0
        assert (await desk.report(number)).status == "baru"
        assert await desk.refused() == [f"{number} vf cross_site"]
    finally:
        await client.close()


async def test_a_request_the_bot_gave_up_on_is_said_so(desk: Desk) -> None:
    """A request whose handling failed on every try (the inbox marks its row done with the
    error, runtime.inbox ``_give_up``) is not left "waiting" for ever."""
    number = await desk.file()
    client = await desk.client("diskominfo", "Rina")
    try:
        asked = await act(client, number, {"aksi": "vf", "status": "baru"})
        async with desk.db.sessions() as session:
            row = await session.scalar(select(InboxUpdate))
            assert row is not None
            row.processed_at, row.error = desk.clock(), "RuntimeError"
            await session.commit()
        page = await (await client.get(asked.url.path_qs)).text()
        assert "tidak dapat diproses bot" in page
        assert not REFRESH.search(page)
        assert (await desk.report(number)).status == "baru"
    finally:
        await client.close()


async def test_follow_up_and_done_from_the_console(desk: Desk) -> None:
    number = await desk.file()
    client = await desk.client("diskominfo", "Rina")
    try:
        steps = [
            ({"aksi": "vf", "status": "baru"}, "didisposisi"),
            (
                {"aksi": "tl", "status": "didisposisi", "teks": "Truk sampah dijadwalkan."},
                "diproses",
            ),
            ({"aksi": "done", "status": "diproses", "teks": "Sampah sudah diangkut."}, "selesai"),
        ]
        for data, status in steps:
            asked = await act(client, number, data)
            assert asked.status == 200, await asked.text()
            await desk.bot.process_pending()
            assert (await desk.report(number)).status == status
        page = await (await client.get(asked.url.path_qs)).text()
        assert "🏁 Ditandai selesai" in page
        assert 'name="aksi"' in page  # an answer to the reporter is still possible
        assert 'value="done"' not in page
        citizen = "\n".join(await desk.outbox(CITIZEN_CHAT))
        assert "Truk sampah dijadwalkan." in citizen
        assert "Sampah sudah diangkut." in citizen
        group = "\n".join(await desk.outbox(GROUPS["desa-64-08-09-2001"]))
        assert "ditandai selesai lewat konsol oleh Rina:\n\nSampah sudah diangkut." in group
    finally:
        await client.close()
