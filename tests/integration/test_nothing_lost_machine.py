"""Nothing a person writes is lost, whatever the order of events (issue 12).

A Hypothesis rule-based state machine drives random interleavings of what a reporter and the
officers of a desa do — typed texts, Telegram replies to any bot message, photos, locations,
button presses (current, stale and forged), restarts — against the real conversations on a real
SQLite file. Between steps, the outbox is played as Telegram would: every queued message gets a
message id and its link is recorded, as the outbox worker does.

After every step: no unhandled error; each of the reporter's messages was used, relayed or
answered; a typed message or a reply meant for a report reached the unit; a report's status only
moved as the lifecycle allows; no message bound for a group names the anonymous reporter.

The suite runs a bounded number of sequences; ``LOST_EXAMPLES=2000 pytest
tests/integration/test_nothing_lost_machine.py`` runs many more (see docs/testing.md).
"""

from __future__ import annotations

import asyncio
import itertools
import os
import shutil
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule
from pydantic import SecretStr
from sqlalchemy import select

from cases.filing import file_report
from core.lifecycle import ReportStatus, can_transition
from handlers.actions import InlineKeyboard, action_from_dict
from handlers.app import Conversations
from handlers.deps import HandlerDeps
from handlers.events import ButtonPress, ChatKind, Location, MediaKind, Message, Photo, Sender
from handlers.notices import filing_for
from locales import Catalogs
from runtime.clock import ManualClock
from runtime.deps import handler_deps
from runtime.settings import Settings
from storage.db import create_engine, migrate, session_factory
from storage.models import Citizen, OutboxMessage, Report
from storage.unit_registry import seed_units
from storage.uow import UnitOfWork

WITA = ZoneInfo("Asia/Makassar")
SEPASO = "64.08.09.2001"
DESA_CHAT = "-100200"
COORDINATOR_CHAT = "-100100"
CITIZEN = Sender(user_id="7770001", first_name="Rahmat", last_name="Hidayat", username="rahmat_k")
SECRETS = ("Rahmat", "Hidayat", "rahmat_k", "7770001")
KADES = Sender(user_id="2002", first_name="Pak", last_name="Kades")
STAF = Sender(user_id="2003", first_name="Dewi")
OFFICERS = (KADES, STAF)
CITIZEN_WORDS = ("RT 05 dekat masjid", "Sudah tiga hari", "Tolong segera", "Terima kasih")
OFFICER_WORDS = ("Kami cek besok", "Sejak kapan?", "Sudah diangkut", "Siang ini ke lokasi")
EXAMPLES = int(os.environ.get("LOST_EXAMPLES", "12"))

_template: Path | None = None


def _migrated_template() -> Path:
    """One migrated database file, copied for each sequence (migrating each time is slow)."""
    global _template
    if _template is None:
        path = Path(tempfile.mkdtemp(prefix="lost-")) / "template.db"
        asyncio.run(migrate(f"sqlite+aiosqlite:///{path}"))
        _template = path
    return _template


class NothingLost(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.loop = asyncio.new_event_loop()
        self.folder = Path(tempfile.mkdtemp(prefix="lost-run-"))
        shutil.copy(_migrated_template(), self.folder / "aduan.db")
        self.clock = ManualClock(datetime(2026, 3, 2, 9, tzinfo=WITA))
        config = Settings(_env_file=None, bot_token=SecretStr("1:x"), throttle_max_updates=10_000)
        self.deps: HandlerDeps = handler_deps(config, "1:x", Catalogs("id"), self.clock)
        self.engine = create_engine(f"sqlite+aiosqlite:///{self.folder / 'aduan.db'}")
        self.sessions = session_factory(self.engine)
        self.conversations = Conversations(self.deps)
        self.message_ids = itertools.count(1000)
        # Bot messages as the chats show them: id -> (chat, text, buttons {label: data}).
        self.shown: dict[int, tuple[str, str, dict[str, str]]] = {}
        self.pressed_buttons: list[tuple[str, int, str]] = []  # every button ever shown
        self.statuses: dict[int, str] = {}
        self.steps = 0

    def teardown(self) -> None:
        self.loop.run_until_complete(self.engine.dispose())
        self.loop.close()
        shutil.rmtree(self.folder, ignore_errors=True)

    def run(self, coroutine: Any) -> Any:
        return self.loop.run_until_complete(coroutine)

    # --- the world ---------------------------------------------------------------------------
    @initialize()
    def a_desa_with_an_anonymous_report(self) -> None:
        self.run(self._setup())

    async def _setup(self) -> None:
        now = self.clock()
        async with UnitOfWork(self.sessions) as uow:
            await seed_units(uow, self.deps.regions, now, categories=self.deps.categories)
            desa = await uow.units.by_area(SEPASO)
            coordinator = await uow.units.coordinator()
            assert desa is not None
            assert coordinator is not None
            for unit_id, chat in ((desa.id, DESA_CHAT), (coordinator.id, COORDINATOR_CHAT)):
                await uow.units.bind(
                    unit_id, channel="telegram", chat_id=chat, title="g", by="1", now=now
                )
            citizen = await uow.citizens.add(
                Citizen(
                    channel="telegram",
                    user_id=CITIZEN.user_id,
                    chat_id=CITIZEN.user_id,
                    name=CITIZEN.display_name,
                    username=CITIZEN.username,
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
            await file_report(uow, filing_for(self.deps), now, report)
            await uow.commit()
        await self._deliver()
        self.statuses = await self._statuses()

    async def _deliver(self) -> list[OutboxMessage]:
        """Play the outbox: every queued message is shown in its chat and its link recorded."""
        async with UnitOfWork(self.sessions) as uow:
            rows = list(
                await uow.session.scalars(
                    select(OutboxMessage)
                    .where(OutboxMessage.sent_at.is_(None), OutboxMessage.failed_at.is_(None))
                    .order_by(OutboxMessage.id)
                )
            )
            for row in rows:
                ids = self._show(row)
                await uow.outbox.mark_sent(
                    row.id, message_id=ids[0] if ids else None, now=self.clock()
                )
                for message_id in ids if row.report_id is not None and row.purpose else ():
                    await uow.links.add(
                        channel=row.channel,
                        chat_id=row.chat_id,
                        message_id=message_id,
                        report_id=row.report_id,  # type: ignore[arg-type]
                        purpose=row.purpose,
                        action=row.link_action,
                        now=self.clock(),
                    )
            await uow.commit()
        return rows

    def _show(self, row: OutboxMessage) -> list[int]:
        action = action_from_dict(row.payload)
        kind = row.payload["kind"]
        if kind == "send_text":
            return [self._new_message(row.chat_id, row.payload["text"], action)]
        if kind == "send_media":
            caption = str(row.payload.get("caption", ""))
            return [self._new_message(row.chat_id, caption, None) for _ in row.payload["items"]]
        if kind in ("edit_text", "clear_buttons") and row.payload["message_id"] in self.shown:
            chat, text, _ = self.shown[row.payload["message_id"]]
            new_text = str(row.payload.get("text", text))
            self.shown[row.payload["message_id"]] = (chat, new_text, _buttons(action))
            self._remember_buttons(chat, row.payload["message_id"], _buttons(action))
        return []

    def _new_message(self, chat: str, text: str, action: Any) -> int:
        message_id = next(self.message_ids)
        buttons = _buttons(action)
        self.shown[message_id] = (chat, text, buttons)
        self._remember_buttons(chat, message_id, buttons)
        return message_id

    def _remember_buttons(self, chat: str, message_id: int, buttons: dict[str, str]) -> None:
        for data in buttons.values():
            self.pressed_buttons.append((chat, message_id, data))

    async def _statuses(self) -> dict[int, str]:
        async with UnitOfWork(self.sessions) as uow:
            return {r.id: r.status for r in await uow.session.scalars(select(Report))}

    async def _report(self) -> Report:
        async with UnitOfWork(self.sessions) as uow:
            return (await uow.session.scalars(select(Report))).one()

    async def _conversation_step(self) -> str:
        async with UnitOfWork(self.sessions) as uow:
            conv = await uow.conversations.get_or_create(
                "telegram", CITIZEN.user_id, language="id", now=self.clock()
            )
            return conv.step + ("+draft" if (conv.draft or {}).get("step") else "")

    async def _handle(self, event: Message | ButtonPress) -> list[OutboxMessage]:
        self.clock.advance(seconds=7)
        async with UnitOfWork(self.sessions) as uow:
            await self.conversations.handle(event, uow)
            await uow.commit()
        return await self._deliver()

    def _message(self, sender: Sender, chat: str, **fields: Any) -> Message:
        return Message(
            channel="telegram",
            chat_id=chat,
            chat_kind=ChatKind.PRIVATE if chat == CITIZEN.user_id else ChatKind.GROUP,
            message_id=next(self.message_ids),
            sender=sender,
            **fields,
        )

    def _bot_messages(self, chat: str) -> list[int]:
        return sorted(m for m, (c, _, _) in self.shown.items() if c == chat)

    # --- the reporter ------------------------------------------------------------------------
    @rule(words=st.sampled_from(CITIZEN_WORDS))
    def reporter_types(self, words: str) -> None:
        before = self.run(self._report())
        step = self.run(self._conversation_step())
        sent = self.run(self._handle(self._message(CITIZEN, CITIZEN.user_id, text=words)))
        assert sent, "a typed message got no answer at all"
        if before.status == ReportStatus.MENUNGGU_PELAPOR and step == "idle":
            assert _reached_group(sent, words), "the typed answer did not reach the unit"

    @rule(words=st.sampled_from(CITIZEN_WORDS), pick=st.integers(min_value=0, max_value=50))
    def reporter_replies(self, words: str, pick: int) -> None:
        ids = self._bot_messages(CITIZEN.user_id)
        if not ids:
            return
        target = ids[pick % len(ids)]
        before = self.run(self._report())
        linked = self.run(self._linked(CITIZEN.user_id, target))
        message = self._message(
            CITIZEN, CITIZEN.user_id, text=words, reply_to_message_id=target, reply_to_bot=True
        )
        sent = self.run(self._handle(message))
        assert sent, "a reply got no answer at all"
        if linked and before.status != ReportStatus.DIARSIPKAN:
            assert _reached_group(sent, words), "a reply about the report did not reach the unit"

    @rule(count=st.integers(min_value=1, max_value=2))
    def reporter_sends_photos(self, count: int) -> None:
        photos = tuple(
            Photo(file_id=f"P{next(self.message_ids)}", file_unique_id="u") for _ in range(count)
        )
        sent = self.run(
            self._handle(
                self._message(CITIZEN, CITIZEN.user_id, media=MediaKind.PHOTO, photos=photos)
            )
        )
        assert sent, "photos got no answer at all"

    @rule()
    def reporter_sends_location(self) -> None:
        event = self._message(CITIZEN, CITIZEN.user_id, location=Location(0.83, 117.88))
        assert self.run(self._handle(event)), "a location got no answer at all"

    @rule(pick=st.integers(min_value=0, max_value=200))
    def reporter_presses_any_button_ever_shown(self, pick: int) -> None:
        mine = [b for b in self.pressed_buttons if b[0] == CITIZEN.user_id]
        if mine:
            _, message_id, data = mine[pick % len(mine)]
            self.run(self._handle(self._press(CITIZEN, CITIZEN.user_id, message_id, data)))

    @rule(data=st.sampled_from(("g:0:cyes:1", "x", "d:0:pick:1|forged", "")))
    def reporter_presses_a_forged_button(self, data: str) -> None:
        sent = self.run(self._handle(self._press(CITIZEN, CITIZEN.user_id, 1, data)))
        assert sent, "a forged button got no answer"

    # --- the officers ------------------------------------------------------------------------
    @rule(pick=st.integers(min_value=0, max_value=200), who=st.sampled_from(OFFICERS))
    def officer_presses_a_card_button(self, pick: int, who: Sender) -> None:
        theirs = [b for b in self.pressed_buttons if b[0] == DESA_CHAT]
        if theirs:
            _, message_id, data = theirs[pick % len(theirs)]
            self.run(self._handle(self._press(who, DESA_CHAT, message_id, data)))

    @rule(
        words=st.sampled_from(OFFICER_WORDS),
        pick=st.integers(min_value=0, max_value=50),
        who=st.sampled_from(OFFICERS),
    )
    def officer_replies(self, words: str, pick: int, who: Sender) -> None:
        ids = self._bot_messages(DESA_CHAT)
        if not ids:
            return
        self.officer_replies_to(words, ids[pick % len(ids)], who)

    def officer_replies_to(self, words: str, target: int, who: Sender) -> None:
        linked = self.run(self._linked(DESA_CHAT, target))
        message = self._message(
            who, DESA_CHAT, text=words, reply_to_message_id=target, reply_to_bot=True
        )
        sent = self.run(self._handle(message))
        if linked:
            assert sent, "an officer's reply about a report got no answer at all"

    @rule(pick=st.integers(min_value=0, max_value=200), who=st.sampled_from(OFFICERS))
    def officer_presses_a_button_shown_now(self, pick: int, who: Sender) -> None:
        live = [
            (message_id, data)
            for message_id, (chat, _, buttons) in self.shown.items()
            if chat == DESA_CHAT
            for data in buttons.values()
        ]
        if live:
            message_id, data = live[pick % len(live)]
            self.run(self._handle(self._press(who, DESA_CHAT, message_id, data)))

    @rule(pick=st.integers(min_value=0, max_value=200))
    def reporter_presses_a_button_shown_now(self, pick: int) -> None:
        live = [
            (message_id, data)
            for message_id, (chat, _, buttons) in self.shown.items()
            if chat == CITIZEN.user_id
            for data in buttons.values()
        ]
        if live:
            message_id, data = live[pick % len(live)]
            self.run(self._handle(self._press(CITIZEN, CITIZEN.user_id, message_id, data)))

    @rule(
        label=st.sampled_from(("✅ Verifikasi", "❓ Minta info", "🔧 Tindak lanjut", "🏁 Selesai")),
        who=st.sampled_from(OFFICERS),
    )
    def officer_presses_a_card_action(self, label: str, who: Sender) -> None:
        """The usual work on a card (the random presses above reach archiving far more often)."""
        for message_id, (chat, _, buttons) in sorted(self.shown.items(), reverse=True):
            if chat == DESA_CHAT and label in buttons:
                self.run(self._handle(self._press(who, DESA_CHAT, message_id, buttons[label])))
                return

    @rule(words=st.sampled_from(OFFICER_WORDS), who=st.sampled_from(OFFICERS))
    def officer_answers_the_newest_message(self, words: str, who: Sender) -> None:
        ids = self._bot_messages(DESA_CHAT)
        if ids:
            self.officer_replies_to(words, ids[-1], who)

    @rule(words=st.sampled_from(OFFICER_WORDS), who=st.sampled_from(OFFICERS))
    def officer_types(self, words: str, who: Sender) -> None:
        self.run(self._handle(self._message(who, DESA_CHAT, text=words)))

    @rule()
    def restart(self) -> None:
        """A new process on the same database: nothing lives in memory."""
        self.conversations = Conversations(self.deps)

    @rule()
    def a_day_passes(self) -> None:
        self.clock.advance(hours=20)

    def _press(self, who: Sender, chat: str, message_id: int, data: str) -> ButtonPress:
        return ButtonPress(
            channel="telegram",
            chat_id=chat,
            chat_kind=ChatKind.PRIVATE if chat == CITIZEN.user_id else ChatKind.GROUP,
            callback_id=str(next(self.message_ids)),
            sender=who,
            data=data,
            message_id=message_id,
        )

    async def _linked(self, chat: str, message_id: int) -> bool:
        async with UnitOfWork(self.sessions) as uow:
            return await uow.links.find("telegram", chat, message_id) is not None

    # --- after every step --------------------------------------------------------------------
    @invariant()
    def statuses_move_only_as_the_lifecycle_allows(self) -> None:
        if not self.statuses:
            return
        now = self.run(self._statuses())
        for report_id, status in now.items():
            old = self.statuses.get(report_id, status)
            if old != status:
                assert can_transition(ReportStatus(old), ReportStatus(status)), (old, status)
        self.statuses = now

    @invariant()
    def no_group_message_names_the_anonymous_reporter(self) -> None:
        for chat, text, _ in self.shown.values():
            if chat.startswith("-"):
                for secret in SECRETS:
                    assert secret not in text, (chat, secret, text)


def _buttons(action: Any) -> dict[str, str]:
    markup = getattr(action, "markup", None)
    if not isinstance(markup, InlineKeyboard):
        return {}
    return {b.text: b.data for row in markup.rows for b in row}


def _reached_group(rows: list[OutboxMessage], words: str) -> bool:
    return any(r.chat_id.startswith("-") and words in str(r.payload.get("text", "")) for r in rows)


NothingLost.TestCase.settings = settings(
    max_examples=EXAMPLES,
    stateful_step_count=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestNothingLost = NothingLost.TestCase
