"""``python -m bench delivery``: how close the outbox gets to Telegram's flood limits.

A burst of N notifications (many private chats plus a few groups that get several each) is
written as outbox rows into a fresh SQLite file, in a random interleaving as many reports'
notifications would be, and the real :class:`runtime.outbox.OutboxWorker` sends them through
the real aiogram channel to the loopback emulator, which enforces Telegram's documented limits (30/s
overall and 20/min per group as sliding windows, 1/s per chat with a burst of 3) and answers
429 when they are broken.

The ideal drain time is what the limits themselves allow for this workload: the larger of N/30 s
and, for each chat, when its last message could go under its own limits (a bucket per chat, a
sliding minute per group, as the emulator counts them). The achieved fraction is ideal / actual;
the goal is at least 95 % with zero 429s, nothing lost and nothing sent twice.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import random
import shutil
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, select

from bench.errors import BenchError
from emulator import Emulator, EmulatorClient
from handlers.actions import SendText, action_to_dict
from runtime.clock import system_clock
from runtime.deps import make_channel
from runtime.outbox import OutboxWorker
from runtime.settings import Settings
from storage.db import create_engine, migrate, session_factory
from storage.models import OutboxMessage
from storage.uow import UnitOfWork

TOKEN = "710004:BENCH-delivery"
CHANNEL = "telegram"
TIMEOUT_SECONDS = 600.0

# Telegram's documented limits, as the emulator enforces them by default.
TELEGRAM_PER_SECOND = 30.0
TELEGRAM_CHAT_PER_SECOND = 1.0
TELEGRAM_CHAT_BURST = 3.0
TELEGRAM_GROUP_PER_MINUTE = 20.0


@dataclass(frozen=True)
class Workload:
    notifications: int = 600
    groups: int = 10
    per_group: int = 10
    per_chat: int = 2  # messages per private chat
    seed: int = 1

    def chats(self) -> dict[int, int]:
        """chat id -> how many messages it gets (groups have negative ids)."""
        counts = {-1_000_000_001 - g: self.per_group for g in range(self.groups)}
        left = self.notifications - self.groups * self.per_group
        chat = 700_000_001
        while left > 0:
            counts[chat] = min(self.per_chat, left)
            left -= counts[chat]
            chat += 1
        return counts

    def order(self) -> list[tuple[int, str]]:
        """(chat id, text) in the order the rows are written: shuffled across chats."""
        counts = self.chats()
        slots = [chat for chat, count in counts.items() for _ in range(count)]
        random.Random(self.seed).shuffle(slots)
        seen: Counter[int] = Counter()
        rows = []
        for chat in slots:
            seen[chat] += 1
            rows.append((chat, f"Notifikasi {seen[chat]} untuk chat {chat}"))
        return rows


def chat_bound(count: int, group: bool) -> float:
    """When a chat's last message can go at the earliest, all of them due at 0, under Telegram's
    per-chat bucket and, for a group, its sliding minute (never more than 20 in any minute), the
    overall limit left out."""
    tokens = TELEGRAM_CHAT_BURST  # the chat's bucket, full at 0
    window = int(TELEGRAM_GROUP_PER_MINUTE)
    sent: list[float] = []
    now = 0.0
    for n in range(count):
        ready = now + max(0.0, 1 - tokens) / TELEGRAM_CHAT_PER_SECOND if n else 0.0
        if group and n >= window:
            ready = max(ready, sent[n - window] + 60.0)
        tokens = min(TELEGRAM_CHAT_BURST, tokens + (ready - now) * TELEGRAM_CHAT_PER_SECOND) - 1
        now = ready
        sent.append(now)
    return now


def ideal_seconds(workload: Workload) -> float:
    counts = workload.chats()
    overall = workload.notifications / TELEGRAM_PER_SECOND
    per_chat = max(chat_bound(n, chat < 0) for chat, n in counts.items())
    return max(overall, per_chat)


@dataclass
class Result:
    notifications: int
    private_chats: int
    groups: int
    per_group: int
    worker_per_second: float
    drain_s: float
    ideal_s: float
    achieved: float  # ideal / drain
    messages_per_s: float
    too_many_requests: int
    duplicates: int
    missing: int
    out_of_order_chats: int


def progress(text: str) -> None:
    print(f"[bench delivery] {text}", file=sys.stderr, flush=True)


async def run(workload: Workload, settings: Settings, keep: bool = False) -> Result:
    workdir = Path(tempfile.mkdtemp(prefix="aduan-delivery-"))
    try:
        return await _run(workload, settings, workdir)
    finally:
        if keep:
            progress(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)


async def _run(workload: Workload, settings: Settings, workdir: Path) -> Result:
    url = f"sqlite+aiosqlite:///{workdir / 'aduan.db'}"
    await migrate(url)
    engine = create_engine(url)
    sessions = session_factory(engine)

    def uow() -> UnitOfWork:
        return UnitOfWork(sessions)

    counts = workload.chats()
    rows = workload.order()
    async with (
        Emulator(port=0, flood_limits=True) as emulator,
        EmulatorClient(emulator.base_url, TOKEN) as admin,
    ):
        progress(f"{len(counts)} chats in the emulator, {len(rows)} outbox rows")
        for chat in counts:
            await admin.register_chat(chat, "private" if chat > 0 else "supergroup")
        async with uow() as unit:
            for chat, text in rows:
                unit.outbox.add(
                    channel=CHANNEL,
                    chat_id=str(chat),
                    payload=action_to_dict(SendText(chat_id=str(chat), text=text)),
                    now=system_clock(),
                )
            await unit.commit()
        await admin.set_flood_limits(True)  # fresh buckets, Telegram's rates
        channel = make_channel(
            settings.model_copy(update={"telegram_api_url": emulator.base_url}), TOKEN
        )
        worker = OutboxWorker(
            uow_factory=uow,
            channels={CHANNEL: channel},
            clock=system_clock,
            per_second=settings.outbox_rate_per_second,
            chat_per_second=settings.outbox_chat_per_second,
            group_per_minute=settings.outbox_group_per_minute,
            burst=settings.outbox_burst,
            chat_burst=settings.outbox_chat_burst,
            group_burst=settings.outbox_group_burst,
        )
        progress(
            f"sending: worker at {settings.outbox_rate_per_second:g}/s overall, "
            f"{settings.outbox_chat_per_second:g}/s per chat, "
            f"{settings.outbox_group_per_minute:g}/min per group"
        )
        started = system_clock()
        task = asyncio.create_task(worker.run())
        try:
            await _wait_drained(uow, started.timestamp())
        finally:
            worker.stop()
            await asyncio.wait_for(task, 30)
            await channel.close()
        async with uow() as unit:
            last = await _last_sent(unit)
        drain = (last - started).total_seconds()
        stats = await admin.stats()
        sent = await admin.messages()
    await engine.dispose()

    expected: dict[int, list[str]] = {}
    for chat, text in rows:
        expected.setdefault(chat, []).append(text)
    got: dict[int, list[str]] = {}
    for message in sent:
        got.setdefault(int(message["chat"]["id"]), []).append(str(message.get("text", "")))
    wanted = Counter(text for _, text in rows)
    delivered = Counter(text for texts in got.values() for text in texts)
    duplicates = sum(max(0, delivered[t] - wanted[t]) for t in delivered)
    missing = sum(max(0, wanted[t] - delivered[t]) for t in wanted)
    out_of_order = sum(1 for chat, texts in expected.items() if got.get(chat) != texts)
    ideal = ideal_seconds(workload)
    return Result(
        notifications=len(rows),
        private_chats=sum(1 for chat in counts if chat > 0),
        groups=sum(1 for chat in counts if chat < 0),
        per_group=workload.per_group,
        worker_per_second=settings.outbox_rate_per_second,
        drain_s=drain,
        ideal_s=ideal,
        achieved=ideal / drain if drain > 0 else 0.0,
        messages_per_s=len(rows) / drain if drain > 0 else 0.0,
        too_many_requests=int(stats["too_many_requests"]),
        duplicates=duplicates,
        missing=missing,
        out_of_order_chats=out_of_order,
    )


async def _last_sent(unit: UnitOfWork) -> datetime:
    last: datetime | None = await unit.session.scalar(select(func.max(OutboxMessage.sent_at)))
    if last is None:
        raise BenchError("nothing was sent")
    return last if last.tzinfo is not None else last.replace(tzinfo=UTC)


async def _wait_drained(uow: Callable[[], UnitOfWork], started: float) -> None:
    while True:
        async with uow() as unit:
            if await unit.outbox.pending_count() == 0:
                return
        if time.time() - started > TIMEOUT_SECONDS:
            raise BenchError(f"outbox not drained within {TIMEOUT_SECONDS:.0f}s")
        await asyncio.sleep(0.1)


def table(result: Result) -> str:
    header = [
        "N",
        "chats",
        "groups",
        "drain s",
        "ideal s",
        "achieved",
        "msg/s",
        "429s",
        "dup",
        "missing",
    ]
    cells = [
        str(result.notifications),
        str(result.private_chats),
        f"{result.groups}x{result.per_group}",
        f"{result.drain_s:.2f}",
        f"{result.ideal_s:.2f}",
        f"{result.achieved * 100:.1f} %",
        f"{result.messages_per_s:.1f}",
        str(result.too_many_requests),
        str(result.duplicates),
        str(result.missing),
    ]
    widths = [max(len(h), len(c)) for h, c in zip(header, cells, strict=True)]
    line = "  ".join(h.rjust(w) for h, w in zip(header, widths, strict=True))
    return "\n".join(
        [
            line,
            "-" * len(line),
            "  ".join(c.rjust(w) for c, w in zip(cells, widths, strict=True)),
        ]
    )


def parser() -> argparse.ArgumentParser:
    defaults = Workload()
    p = argparse.ArgumentParser(
        prog="python -m bench delivery",
        description="A burst of outbox rows sent under Telegram's flood limits (emulated).",
    )
    p.add_argument("-n", "--notifications", type=int, default=defaults.notifications)
    p.add_argument("--groups", type=int, default=defaults.groups, help="group chats (10)")
    p.add_argument("--per-group", type=int, default=defaults.per_group, help="messages each (10)")
    p.add_argument("--per-chat", type=int, default=defaults.per_chat, help="per private chat (2)")
    p.add_argument("--seed", type=int, default=defaults.seed, help="row order shuffle seed")
    p.add_argument(
        "--rate",
        type=float,
        default=None,
        help="the worker's overall rate (default: OUTBOX_RATE_PER_SECOND, product default 28)",
    )
    p.add_argument(
        "--framework",
        choices=("aiogram", "ptb"),
        default="aiogram",
        help="the channel adapter that sends (BOT_FRAMEWORK; default %(default)s)",
    )
    p.add_argument("--json", type=Path, help="also write the result as JSON here")
    p.add_argument("--keep", action="store_true", help="keep the temp dir (the database)")
    return p


def main(argv: list[str]) -> int:
    args = parser().parse_args(argv)
    workload = Workload(
        notifications=args.notifications,
        groups=args.groups,
        per_group=args.per_group,
        per_chat=args.per_chat,
        seed=args.seed,
    )
    if workload.groups * workload.per_group > workload.notifications or workload.per_chat < 1:
        parser().error("the groups' messages must fit in N, and --per-chat must be at least 1")
    settings = Settings(_env_file=None, bot_framework=args.framework)
    if args.rate is not None:
        settings = settings.model_copy(update={"outbox_rate_per_second": args.rate})
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    try:
        result = asyncio.run(run(workload, settings, keep=args.keep))
    except BenchError as error:
        print(f"BENCHMARK FAILED: {error}", file=sys.stderr)
        return 1
    print()
    print(f"adapter: {args.framework}")
    print(table(result))
    print(
        f"worker: {result.worker_per_second:g}/s overall; ideal = max(N / "
        f"{TELEGRAM_PER_SECOND:g} s, slowest chat under 1/s (burst 3) and 20/min per group)"
    )
    if args.json:
        args.json.write_text(json.dumps(asdict(result), indent=2) + "\n")
        print(f"JSON written to {args.json}")
    broken = result.duplicates or result.missing or result.out_of_order_chats
    if broken:
        print(
            f"BENCHMARK FAILED: {result.duplicates} duplicates, {result.missing} missing, "
            f"{result.out_of_order_chats} chats out of order",
            file=sys.stderr,
        )
        return 1
    return 0
