"""SQL statements and transactions per conversation step, counted on the real engine (issue 13).

The bot's own cost per update is mostly its database round trips (each statement a hand-off to
the driver, each transaction a commit). This test walks one citizen through the quickest report
against the emulator and counts, on the bot's own engine, what the inbox's chat tasks issue while
they take an update, run its conversation step and commit it: the budget below is a structural
count, not a timing, and fails when a change makes the step read or write more than it did.
The receiving side (storing getUpdates batches) and the sending side (the outbox) are not counted.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncEngine

from emulator import EmulatorClient
from tests.e2e.helpers import DESCRIPTION, SITI, ChatOf, tracking_number

if TYPE_CHECKING:  # fixtures' types only; pytest imports conftest itself
    from tests.e2e.conftest import RunningBot, Settle

#: (how, label or text, a part of the next screen): /start to the filed report.
STEPS: list[tuple[str, str, str]] = [
    ("send", "/start", "Apakah Anda setuju?"),
    ("press", "✅ Saya setuju", "Silakan pilih menu"),
    ("send", "📝 Laporan baru", "Apa jenis laporan Anda?"),
    ("press", "Pengaduan", "Pilih kategori"),
    ("press", "Air Bersih", "Di kecamatan mana"),
    ("press", "Bengalon", "Di desa/kelurahan mana"),
    ("press", "Sepaso", "Tulis detail alamat"),
    ("press", "Lewati ➡️", "Kirim titik lokasi"),
    ("send", "Lewati lokasi ➡️", "Ceritakan masalahnya"),
    ("send", DESCRIPTION, "Kirim foto bukti"),
    ("press", "Lewati ➡️", "Pilih kerahasiaan"),
    ("press", "Biasa", "Periksa laporan Anda"),
    ("press", "📨 Kirim laporan", "Nomor laporan:"),
]

#: Budgets for the whole walk above (13 updates), in the inbox's chat tasks.
# 110 on SQLite, 26 transactions, before issue 13's step work; 97 after it. Issue 29's consent
# check (a citizen who withdrew consent is answered only about their data, handlers/rights.py)
# reads the citizen once per step: 12 more. The read is kept for the rest of the step and does
# not flush (it once split each step's conversation UPDATE in two: 123).
STATEMENTS = 110
TRANSACTIONS = len(STEPS)  # one per update: step, outbox rows, inbox done, next look


@dataclass
class Tally:
    """What the inbox's chat tasks sent to the database."""

    statements: list[str] = field(default_factory=list)
    transactions: int = 0


def _in_chat_task() -> bool:
    try:
        task = asyncio.current_task()
    except RuntimeError:
        return False
    if task is None:
        return False
    name: str = getattr(task.get_coro(), "__qualname__", "")
    return name.endswith("InboxProcessor._handle_chat")


@contextmanager
def counting(engine: AsyncEngine) -> Iterator[Tally]:
    tally = Tally()

    def on_statement(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if _in_chat_task():
            tally.statements.append(" ".join(statement.split())[:110])

    def on_begin(_conn: Any) -> None:
        if _in_chat_task():
            tally.transactions += 1

    sync = engine.sync_engine
    event.listen(sync, "before_cursor_execute", on_statement)
    event.listen(sync, "begin", on_begin)
    try:
        yield tally
    finally:
        event.remove(sync, "before_cursor_execute", on_statement)
        event.remove(sync, "begin", on_begin)


async def test_a_report_s_steps_stay_within_their_statements_and_transactions(
    running_bot: RunningBot, telegram: EmulatorClient, chat_of: ChatOf, settle: Settle
) -> None:
    chat = chat_of(SITI)
    await settle()
    per_step: list[tuple[str, Tally]] = []
    screen: dict[str, Any] = {}
    for how, label, expect in STEPS:
        with counting(running_bot.app.engine) as tally:
            act = chat.send if how == "send" else chat.press
            screen = await act(label, expect)
            await settle()
        per_step.append((label, tally))
    assert tracking_number(screen)
    statements = sum(len(t.statements) for _, t in per_step)
    transactions = sum(t.transactions for _, t in per_step)
    lines = [f"{len(t.statements):3} st {t.transactions} tx  {label}" for label, t in per_step]
    kinds = Counter(s for _, t in per_step for s in t.statements)
    lines += [f"{n:4}× {s}" for s, n in kinds.most_common()]
    report = "\n".join(lines)
    print(report)
    assert statements <= STATEMENTS, report
    assert transactions <= TRANSACTIONS, report
