"""Whether someone is a group's admin is asked of Telegram (``getChatMember``) with no transaction
open: a step that needs to know raises for it, and the inbox asks between two tries of the step,
as it downloads evidence (``handlers.ask_first``). Driven through the real inbox, on each engine,
for every place a group asks: a press, a command, a reply to a prompt (its action known only from
the prompt's link), a reply to a prompt someone else opened, ``/dasbor``, and a group's very first
update (its conversation row is written before the check)."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select

from cases.bindings import IssuedCode, issue_code
from cases.filing import file_report
from handlers.app import Conversations
from handlers.notices import filing_for
from locales import Catalogs
from runtime.inbox import InboxProcessor
from runtime.inbox_rows import record_update
from storage.models import Citizen, OutboxMessage, Report
from storage.unit_registry import seed_units
from storage.uow import UnitOfWork
from tests.integration.conversation_driver import Driver
from tests.integration.test_evidence_downloads import WatchedUows

SEPASO = "64.08.09.2001"
DESA_CHAT = -100200
NEW_CHAT = -100300
COORDINATOR_CHAT = -100100
KADES = 2002  # the desa group's Telegram admin
STAF = 2003  # a member of the desa group
SEKDES = 2004  # the desa group's other Telegram admin
KOORDINATOR = 1001  # the coordinator group's Telegram admin
CITIZEN = 7770001
T = Catalogs("id").get("id")

_ids = itertools.count(9000)


class WatchingAdmins:
    """A ``ChatAdmins`` noting each question, and each one asked while a transaction was open."""

    def __init__(self, uows: WatchedUows, admins: set[str]) -> None:
        self.uows = uows
        self.admins = admins
        self.asked: list[tuple[str, str]] = []
        self.inside_a_transaction: list[tuple[str, str]] = []
        self.asked_member: list[tuple[str, str]] = []
        self.gone: set[str] = set()

    async def is_admin(self, channel: str, chat_id: str, user_id: str) -> bool:
        self.asked.append((chat_id, user_id))
        if self.uows.in_transaction():
            self.inside_a_transaction.append((chat_id, user_id))
        return user_id in self.admins

    async def is_member(self, channel: str, chat_id: str, user_id: str) -> bool:
        """Everyone the bot saw is in the group, but for those in ``gone`` (they left)."""
        self.asked_member.append((chat_id, user_id))
        if self.uows.in_transaction():
            self.inside_a_transaction.append((chat_id, user_id))
        return user_id not in self.gone


def _person(user: int) -> dict[str, Any]:
    return {"id": user, "is_bot": False, "first_name": f"Orang {user}"}


def group_message(chat: int, user: int, text: str, reply_to: int | None = None) -> dict[str, Any]:
    update_id = next(_ids)
    message: dict[str, Any] = {
        "message_id": update_id,
        "date": 1_767_574_800,
        "chat": {"id": chat, "type": "supergroup", "title": "Pemdes Sepaso"},
        "from": _person(user),
        "text": text,
    }
    if text.startswith("/"):
        length = len(text.split()[0])
        message["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
    if reply_to is not None:
        message["reply_to_message"] = {
            "message_id": reply_to,
            "date": 1_767_574_800,
            "chat": message["chat"],
            "from": {"id": 1, "is_bot": True, "first_name": "Aduan"},
            "text": "…",
        }
    return {"update_id": update_id, "message": message}


def group_press(chat: int, user: int, message_id: int, data: str) -> dict[str, Any]:
    update_id = next(_ids)
    return {
        "update_id": update_id,
        "callback_query": {
            "id": str(update_id),
            "from": _person(user),
            "data": data,
            "message": {
                "message_id": message_id,
                "date": 1_767_574_800,
                "chat": {"id": chat, "type": "supergroup", "title": "Pemdes Sepaso"},
            },
        },
    }


class GroupBot:
    """The conversations behind the real inbox; the outbox played as Telegram would (each sent
    message gets an id and its link is recorded, as the outbox worker does)."""

    def __init__(self, driver: Driver, language: str = "id") -> None:
        self.driver = driver
        self.uows = WatchedUows(driver)
        self.admins = WatchingAdmins(self.uows, {str(KADES), str(SEKDES), str(KOORDINATOR)})
        deps = replace(driver.conversations.deps, admins=self.admins, catalogs=Catalogs(language))
        conversations = Conversations(deps)
        self.inbox = InboxProcessor(
            uow_factory=self.uows,
            conversations=conversations,
            catalogs=Catalogs(language),
            clock=driver.clock,
            album_wait=timedelta(0),
        )
        #: bot messages shown in the groups: message id -> payload
        self.shown: dict[int, dict[str, Any]] = {}
        #: every payload sent so far, in order
        self.delivered: list[dict[str, Any]] = []

    async def setup(self) -> None:
        deps = self.driver.conversations.deps
        now = self.driver.clock()
        async with UnitOfWork(self.driver.factory) as uow:
            await seed_units(uow, deps.regions, now, categories=deps.categories)
            desa = await uow.units.by_area(SEPASO)
            coordinator = await uow.units.coordinator()
            assert desa is not None
            assert coordinator is not None
            for unit_id, chat in ((desa.id, DESA_CHAT), (coordinator.id, COORDINATOR_CHAT)):
                await uow.units.bind(
                    unit_id, channel="telegram", chat_id=str(chat), title="g", by="1", now=now
                )
            issued = await issue_code(
                uow, now, coordinator, desa.code, ttl=timedelta(hours=1), admin=True
            )
            assert isinstance(issued, IssuedCode)
            self.code = issued.code
            citizen = await uow.citizens.add(
                Citizen(
                    channel="telegram",
                    user_id=str(CITIZEN),
                    chat_id=str(CITIZEN),
                    name="Rahmat",
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
                privacy="anonim",
                created_at=now,
                updated_at=now,
            )
            await file_report(uow, filing_for(deps), now, report)
            await uow.commit()
        await self.deliver()

    async def deliver(self) -> list[dict[str, Any]]:
        """Mark every queued message sent, record its link, and give the payloads."""
        async with UnitOfWork(self.driver.factory) as uow:
            rows = list(
                await uow.session.scalars(
                    select(OutboxMessage)
                    .where(OutboxMessage.sent_at.is_(None), OutboxMessage.failed_at.is_(None))
                    .order_by(OutboxMessage.id)
                )
            )
            for row in rows:
                message_id = 100_000 + row.id
                await uow.outbox.mark_sent(row.id, message_id=message_id, now=self.driver.clock())
                kind, shown = row.payload["kind"], row.payload.get("message_id")
                if row.chat_id.startswith("-") and kind == "send_text":
                    self.shown[message_id] = row.payload
                elif kind in ("edit_text", "clear_buttons") and shown in self.shown:
                    self.shown[shown] = {**self.shown[shown], "markup": row.payload.get("markup")}
                if row.report_id is not None and row.purpose:
                    await uow.links.add(
                        channel=row.channel,
                        chat_id=row.chat_id,
                        message_id=message_id,
                        report_id=row.report_id,
                        purpose=row.purpose,
                        action=row.link_action,
                        now=self.driver.clock(),
                    )
            await uow.commit()
        self.delivered += [row.payload for row in rows]
        return [row.payload for row in rows]

    async def receive(self, update: dict[str, Any]) -> list[str]:
        """Record the update, let the inbox handle it; the texts and answers it wrote."""
        self.driver.clock.now += self.driver.gap
        assert await record_update(self.uows, "telegram", update, self.driver.clock)
        handled, _ = await self.inbox.process_pending()
        assert handled == 1
        return [str(p.get("text", "")) for p in await self.deliver()]

    def card_button(self, label: str, chat: int = DESA_CHAT) -> tuple[int, str]:
        """The newest button ``label`` in ``chat``: (message id, data)."""
        for message_id, payload in sorted(self.shown.items(), reverse=True):
            if payload.get("chat_id") != str(chat):
                continue
            for row in (payload.get("markup") or {}).get("rows", []):
                for button in row:
                    if button.get("text") == label:
                        return message_id, str(button["data"])
        raise AssertionError(f"no button {label!r} in {self.shown}")

    async def reveal(self, label: str, user: int = KADES, chat: int = DESA_CHAT) -> None:
        """``user`` presses ⋯ Lainnya when ``label`` waits on the card's second screen, as an
        officer does; nothing when it is shown already."""
        try:
            self.card_button(label, chat)
        except AssertionError:
            message_id, data = self.card_button(T.t("card.button.more"), chat)
            await self.receive(group_press(chat, user, message_id, data))

    def newest(self) -> int:
        return max(m for m, payload in self.shown.items() if payload["chat_id"] == str(DESA_CHAT))

    async def status(self) -> str:
        async with UnitOfWork(self.driver.factory) as uow:
            return str((await uow.session.scalars(select(Report))).one().status)


@pytest.fixture
async def bot(database_url: str) -> AsyncIterator[GroupBot]:
    d = Driver(database_url)
    await d.start()
    b = GroupBot(d)
    await b.setup()
    yield b
    await d.close()


async def press(bot: GroupBot, user: int, label: str) -> list[str]:
    await bot.reveal(label, user)
    message_id, data = bot.card_button(label)
    return await bot.receive(group_press(DESA_CHAT, user, message_id, data))


async def test_a_press_that_needs_an_admin_asks_with_no_transaction_open(bot: GroupBot) -> None:
    await press(bot, STAF, "✅ Verifikasi")
    assert bot.admins.asked == []  # members may verify: Telegram is not asked

    await press(bot, KADES, "🏁 Selesai")

    assert bot.admins.asked == [(str(DESA_CHAT), str(KADES))]
    assert bot.admins.inside_a_transaction == []


async def test_a_reply_to_a_selesai_prompt_asks_with_no_transaction_open(bot: GroupBot) -> None:
    await press(bot, STAF, "✅ Verifikasi")
    await press(bot, KADES, "🏁 Selesai")
    prompt = bot.newest()
    asked_before = len(bot.admins.asked)

    said = await bot.receive(group_message(DESA_CHAT, KADES, "Sudah diangkut", reply_to=prompt))

    assert bot.admins.asked[asked_before:] == [(str(DESA_CHAT), str(KADES))]
    assert bot.admins.inside_a_transaction == []
    assert await bot.status() == "selesai"
    assert any("selesai" in text.lower() for text in said), said


async def test_a_reply_to_someone_else_s_prompt_asks_with_no_transaction_open(
    bot: GroupBot,
) -> None:
    await press(bot, STAF, "✅ Verifikasi")
    await press(bot, STAF, "❓ Minta info")
    assert bot.admins.asked == []
    prompt = bot.newest()

    await bot.receive(group_message(DESA_CHAT, KADES, "Sejak kapan?", reply_to=prompt))

    assert bot.admins.asked == [(str(DESA_CHAT), str(KADES))]
    assert bot.admins.inside_a_transaction == []
    assert await bot.status() == "menunggu_pelapor"


async def test_a_step_asks_telegram_about_its_sender_once(bot: GroupBot) -> None:
    """Answering a Selesai prompt another admin opened is checked twice (the prompt's rule, then
    the action's role): one question to Telegram for both."""
    await press(bot, STAF, "✅ Verifikasi")
    await press(bot, KADES, "🏁 Selesai")
    prompt = bot.newest()
    asked_before = len(bot.admins.asked)

    await bot.receive(group_message(DESA_CHAT, SEKDES, "Sudah diangkut", reply_to=prompt))

    assert bot.admins.asked[asked_before:] == [(str(DESA_CHAT), str(SEKDES))]
    assert bot.admins.inside_a_transaction == []
    assert await bot.status() == "selesai"


async def test_a_command_that_needs_an_admin_asks_with_no_transaction_open(
    bot: GroupBot,
) -> None:
    said = await bot.receive(group_message(DESA_CHAT, KADES, "/selesai bukan-nomor"))

    assert bot.admins.asked == [(str(DESA_CHAT), str(KADES))]
    assert bot.admins.inside_a_transaction == []
    assert any("nomor" in text.lower() for text in said), said


async def test_the_console_login_asks_with_no_transaction_open(bot: GroupBot) -> None:
    said = await bot.receive(group_message(DESA_CHAT, KADES, "/dasbor"))

    assert bot.admins.asked == [(str(DESA_CHAT), str(KADES))]
    assert bot.admins.inside_a_transaction == []
    assert T.t("console.dasbor.sent") in said


async def test_a_group_s_first_update_asks_with_no_transaction_open(bot: GroupBot) -> None:
    """The group's conversation row is written before its handler runs: the question still
    waits for no transaction."""
    said = await bot.receive(group_message(NEW_CHAT, KADES, "/daftar BUKANKODE"))

    assert bot.admins.asked == [(str(NEW_CHAT), str(KADES))]
    assert bot.admins.inside_a_transaction == []
    assert said, "the binding attempt got no answer"


async def test_the_coordinator_s_answer_to_a_binding_asks_with_no_transaction_open(
    bot: GroupBot,
) -> None:
    """A desa's second group waits for the coordinator's yes; the yes is for its admins."""
    await bot.receive(group_message(NEW_CHAT, KADES, f"/daftar {bot.code}"))
    asked_before = len(bot.admins.asked)
    message_id, data = bot.card_button(T.t("binding.button.ok"), chat=COORDINATOR_CHAT)

    said = await bot.receive(group_press(COORDINATOR_CHAT, KOORDINATOR, message_id, data))

    assert bot.admins.asked[asked_before:] == [(str(COORDINATOR_CHAT), str(KOORDINATOR))]
    assert bot.admins.inside_a_transaction == []
    assert said, "the coordinator's answer changed nothing"
