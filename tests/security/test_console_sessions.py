"""The console's sessions, forms, headers, audit and stored secrets (security review findings 1,
9, 10 and 12): a page of another site cannot sign a browser in, out or into an export; every
answer carries a strict policy; no login token is kept in clear once its message is settled; the
outbox forgets what it sent after its retention; the audit names the person, session and address.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from pydantic import SecretStr
from sqlalchemy import select

from bot.channels.base import Channel
from cli.main import main
from emulator import EmulatorClient
from handlers.actions import SendText, action_to_dict
from locales import Catalogs
from runtime.clock import ManualClock, system_clock
from runtime.deps import handler_deps
from runtime.reminders import ReminderJobs
from runtime.settings import Settings
from storage.models import ConsoleAudit, ConsoleLogin, ConsoleSession
from storage.outbox_retention import prune_sent, redactable
from tests.integration.console_forms import form_token, post_form, sign_in
from tests.integration.test_console import Filed, World
from tests.integration.test_outbox_delivery import (
    CHANNEL,
    Database,
    drain,
    make_worker,
    register,
)
from web.console import build_console_app

DESA = "desa-64-08-09-2001"
EVIL = "https://evil.example"


def _policy_holds(headers: object) -> None:
    csp = headers["Content-Security-Policy"]  # type: ignore[index]
    for part in (
        "default-src 'self'",
        "frame-ancestors 'none'",
        "object-src 'none'",
        "base-uri 'none'",
    ):
        assert part in csp, csp
    assert "unsafe-inline" not in csp
    assert "unsafe-eval" not in csp
    assert headers["X-Content-Type-Options"] == "nosniff"  # type: ignore[index]
    assert headers["X-Frame-Options"] == "DENY"  # type: ignore[index]
    assert headers["Referrer-Policy"] == "no-referrer"  # type: ignore[index]


async def test_every_answer_carries_the_strict_policy(world: World, filed: Filed) -> None:
    async def hello(request: web.Request) -> web.Response:
        return web.json_response({"ok": True})

    sub = web.Application()
    sub.router.add_get("/services.json", hello)
    app = build_console_app(world.config, world.db.sessions, extra_subapps=[("/open311/v2/", sub)])
    client = TestClient(TestServer(app))
    await client.start_server()
    try:
        for path in ("/masuk/abc", "/laporan", "/static/console.css", "/tidak/ada"):
            _policy_holds((await client.get(path)).headers)
        _policy_holds((await client.get("/open311/v2/services.json")).headers)
        _policy_holds((await client.get("/open311/v2/nothing")).headers)
        assert (await sign_in(client, await world.login_token("diskominfo"))).status == 303
        for path in ("/?periode=30", "/laporan?periode=30", f"/laporan/{filed.done}"):
            page = await client.get(path)
            _policy_holds(page.headers)
            text = await page.text()
            assert "<script" not in text, path
            assert "style=" not in text, path
        exported = await post_form(client, "/ekspor", {"format": "csv", "periode": "30"})
        assert exported.headers["Content-Type"].startswith("text/csv")
        _policy_holds(exported.headers)
    finally:
        await client.close()


async def test_a_login_link_is_pressed_only_from_the_consoles_own_page(world: World) -> None:
    client = await world.client()
    try:
        token = await world.login_token(DESA)
        # A page elsewhere posting the link (the attacker's own token) gets nowhere.
        assert (await client.post(f"/masuk/{token}", allow_redirects=False)).status == 403
        wrong = await client.post(f"/masuk/{token}", data={"csrf": "x.y"})
        assert wrong.status == 403
        csrf = await form_token(client, f"/masuk/{token}")
        for headers in ({"Origin": EVIL}, {"Sec-Fetch-Site": "cross-site"}):
            refused = await client.post(
                f"/masuk/{token}", data={"csrf": csrf}, headers=headers, allow_redirects=False
            )
            assert refused.status == 403, headers
            assert "halaman konsol" in await refused.text()
        assert "aduan_konsol" not in {c.key for c in client.session.cookie_jar}
        # The refusals spent nothing: the console's own button still signs in (a browser sends
        # "Origin: null" for a page that sends no referrer).
        pressed = await client.post(
            f"/masuk/{token}",
            data={"csrf": csrf},
            headers={"Origin": "null", "Sec-Fetch-Site": "same-origin"},
            allow_redirects=False,
        )
        assert pressed.status == 303
        assert (await client.get("/laporan")).status == 200
    finally:
        await client.close()


async def test_a_token_of_one_browser_does_not_work_in_another(world: World) -> None:
    attacker = await world.client()
    victim = await world.client()
    try:
        token = await world.login_token(DESA)
        csrf = await form_token(attacker, f"/masuk/{token}")
        await victim.get("/masuk/-")  # the victim's browser has a cookie of its own
        forged = await victim.post(f"/masuk/{token}", data={"csrf": csrf}, allow_redirects=False)
        assert forged.status == 403
    finally:
        await attacker.close()
        await victim.close()


async def test_logout_needs_the_form_token_and_ends_the_server_session(world: World) -> None:
    client = await world.client(DESA)
    try:
        cookie = next(c.value for c in client.session.cookie_jar if c.key == "aduan_konsol")
        assert (await client.post("/keluar")).status == 403  # another site's form
        assert (await client.get("/laporan")).status == 200
        out = await post_form(client, "/keluar")
        assert out.status == 200
        assert (await client.get("/laporan")).status == 401
    finally:
        await client.close()
    async with world.db.sessions() as session:
        ended = list(await session.scalars(select(ConsoleSession.ended_at)))
    assert ended
    assert all(at is not None for at in ended)
    replay = await world.client()
    try:
        replay.session.cookie_jar.update_cookies({"aduan_konsol": cookie})
        assert (await replay.get("/laporan")).status == 401
    finally:
        await replay.close()


async def _exports(world: World) -> int:
    async with world.db.sessions() as session:
        rows = await session.scalars(select(ConsoleAudit).where(ConsoleAudit.action == "export"))
        return len(list(rows))


async def test_an_export_without_the_form_token_only_shows_the_form(
    world: World, filed: Filed
) -> None:
    client = await world.client("diskominfo")
    try:
        page = await client.get("/ekspor?format=csv&periode=30")
        assert page.status == 200
        assert page.headers["Content-Type"].startswith("text/html")
        text = await page.text()
        assert 'method="post" action="/ekspor"' in text
        assert filed.done not in text
        assert await _exports(world) == 0
        forged = await client.post("/ekspor", data={"format": "csv", "csrf": "x.y"})
        assert forged.headers["Content-Type"].startswith("text/html")
        assert await _exports(world) == 0
        done = await post_form(client, "/ekspor", {"format": "csv", "periode": "30"})
        assert filed.done in (await done.read()).decode("utf-8-sig")
        assert await _exports(world) == 1
    finally:
        await client.close()


async def test_the_audit_names_the_person_the_session_and_the_address(
    world: World, filed: Filed, tmp_path: Path
) -> None:
    desa = await world.client(DESA)
    try:
        assert (await desa.get(f"/laporan/{filed.done}")).status == 200
        assert (await desa.get(f"/laporan/{filed.done}/foto/1")).status == 404
        assert (await desa.get("/laporan?unit=dinas-pupr")).status == 403
    finally:
        await desa.close()
    async with world.db.sessions() as session:
        rows = list(await session.scalars(select(ConsoleAudit).order_by(ConsoleAudit.id)))
        opened = await session.scalar(select(ConsoleSession.id))
    assert [r.action for r in rows] == ["login", "view", "photo", "refused"]
    assert all(r.session_id == opened for r in rows)
    assert all(r.address == "127.0.0.1" for r in rows)
    assert all(r.user_name == "Admin" for r in rows)
    assert rows[2].subject == f"{filed.done} 1"
    assert "unit=dinas-pupr" in rows[3].subject


def test_a_link_printed_on_the_server_names_a_person(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    database = tmp_path / "cli.db"
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{database}")
    monkeypatch.setenv("DEFAULT_LANGUAGE", "id")
    # A new database file only on request (--create); the second link reads the one made.
    assert main(["console", "link", "diskominfo", "--name", "Budi Santoso", "--create"]) == 0
    assert main(["console", "link", "diskominfo"]) == 0
    capsys.readouterr()
    import sqlite3

    with sqlite3.connect(database) as con:
        names = [r[0] for r in con.execute("SELECT user_name FROM console_logins ORDER BY id")]
    assert names[0] == "Budi Santoso"
    assert names[1]  # the server account that ran it, never nobody


# --- the outbox ------------------------------------------------------------------------------


async def test_a_login_link_is_not_kept_in_the_outbox_once_sent_or_failed(
    db: Database, telegram: EmulatorClient, channel: Channel
) -> None:
    await register(telegram, [601, 602])
    await telegram.block(602)
    token = "RAHASIA-token-0123456789"
    async with db.uow() as uow:
        for chat in ("601", "602"):
            action = SendText(chat_id=chat, text=f"Masuk: http://konsol/masuk/{token}")
            uow.outbox.add(
                channel=CHANNEL,
                chat_id=chat,
                payload={**action_to_dict(action), **redactable("Masuk: http://konsol/masuk/…")},
                now=system_clock(),
            )
        await uow.commit()
    await drain(db, make_worker(db, channel))
    stored = await db.outbox()
    assert [r.sent_at is not None for r in stored] == [True, False]
    assert stored[1].failed_at is not None
    for row in stored:
        assert token not in str(row.payload)
        assert row.payload["text"] == "Masuk: http://konsol/masuk/…"
    assert token in (await telegram.messages(601))[0]["text"]  # the person got the link


async def test_sent_texts_are_reduced_after_the_retention(database_url: str) -> None:
    database = Database(database_url)
    await database.start()
    try:
        now = datetime(2026, 6, 1, tzinfo=UTC)
        async with database.uow() as uow:
            for chat, age in (("1", 40), ("2", 10), ("3", 40)):
                uow.outbox.add(
                    channel=CHANNEL,
                    chat_id=chat,
                    payload=action_to_dict(SendText(chat_id=chat, text=f"nama pelapor {chat}")),
                    now=now - timedelta(days=age),
                )
            await uow.commit()
        async with database.uow() as uow:
            first, second, _ = await database.outbox()
            await uow.outbox.mark_sent(first.id, message_id=5, now=now - timedelta(days=40))
            await uow.outbox.mark_sent(second.id, message_id=6, now=now - timedelta(days=10))
            await uow.commit()
        assert await prune_sent(database.uow, now=now, days=30) == 1
        assert await prune_sent(database.uow, now=now, days=30) == 0  # idempotent
        old, recent, unsent = await database.outbox()
        assert "nama pelapor" not in str(old.payload)
        assert old.sent_at is not None  # still counted as sent
        assert old.sent_message_id == 5
        assert recent.payload["text"] == "nama pelapor 2"
        assert unsent.payload["text"] == "nama pelapor 3"  # never before it is settled
    finally:
        await database.engine.dispose()


async def test_the_login_row_holds_only_the_hash(world: World) -> None:
    token = await world.login_token(DESA)
    async with world.db.sessions() as session:
        stored = list(await session.scalars(select(ConsoleLogin)))
    assert stored
    assert all(token not in (r.token_hash + r.user_name) for r in stored)


async def test_the_clock_prunes_in_its_rounds(database_url: str) -> None:
    database = Database(database_url)
    await database.start()
    try:
        now = datetime(2026, 6, 1, 2, tzinfo=UTC)
        async with database.uow() as uow:
            uow.outbox.add(
                channel=CHANNEL,
                chat_id="1",
                payload=action_to_dict(SendText(chat_id="1", text="kartu rahasia")),
                now=now - timedelta(days=8),
            )
            await uow.commit()
        async with database.uow() as uow:
            (row,) = await database.outbox()
            await uow.outbox.mark_sent(row.id, message_id=9, now=now - timedelta(days=8))
            await uow.commit()
        settings = Settings(_env_file=None, bot_token=SecretStr("1:x"), outbox_retention_days=7)
        deps = handler_deps(settings, "1:x", Catalogs("id"), ManualClock(now))
        await ReminderJobs(database.uow, deps, interval=60).run_due()
        (row,) = await database.outbox()
        assert row.pruned_at is not None
        assert "kartu rahasia" not in str(row.payload)
    finally:
        await database.engine.dispose()
