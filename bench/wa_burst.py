"""The burst of ``python -m bench whatsapp``: outbox rows for WhatsApp chats, sent by the real
outbox worker and pywa channel to the fake Graph API with Meta's limits on (see bench.whatsapp).

The worker's overall rate is set to the fake's throughput (Meta allows a business number 80
messages a second; the product's overall rate is Telegram's 30/s, shared, until WhatsApp has a
lane of its own), and each WhatsApp chat is paced by the product's pair-rate setting.
"""

from __future__ import annotations

import asyncio
import json
import random
import resource
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC
from pathlib import Path

from sqlalchemy import func, select

from bench.errors import BenchError
from bench.procs import REPO_ROOT
from emulator.whatsapp import FakeWhatsApp
from handlers.actions import SendText, action_to_dict
from locales import Catalogs
from runtime.clock import system_clock
from runtime.outbox import OutboxWorker
from runtime.settings import Settings
from runtime.whatsapp import make_whatsapp_channel, whatsapp_pacing
from storage.db import create_engine, migrate, session_factory
from storage.models import OutboxMessage
from storage.uow import UnitOfWork

CHANNEL = "whatsapp"
DRAIN_TIMEOUT_SECONDS = 300.0
FIRST_CHAT = 6281400000000


@dataclass(frozen=True)
class WaWorkload:
    messages: int = 800
    heavy_chats: int = 4  # chats that get more than Meta's pair burst
    heavy_each: int = 46
    per_chat: int = 2
    seed: int = 1

    def chats(self) -> dict[str, int]:
        counts = {str(FIRST_CHAT + n): self.heavy_each for n in range(self.heavy_chats)}
        left, chat = self.messages - self.heavy_chats * self.heavy_each, FIRST_CHAT + 1000
        while left > 0:
            counts[str(chat)] = min(self.per_chat, left)
            left -= counts[str(chat)]
            chat += 1
        return counts

    def order(self) -> list[tuple[str, str]]:
        slots = [chat for chat, count in self.chats().items() for _ in range(count)]
        random.Random(self.seed).shuffle(slots)
        seen: Counter[str] = Counter()
        rows = []
        for chat in slots:
            seen[chat] += 1
            rows.append((chat, f"Pemberitahuan {seen[chat]} untuk {chat}"))
        return rows


def ideal_seconds(
    workload: WaWorkload, throughput: float, pair_seconds: float, burst: float
) -> float:
    """What Meta's limits allow, all rows due at 0: every message at ``throughput`` a second,
    and each chat's last one after its pair burst and one every ``pair_seconds`` after it."""
    overall = workload.messages / throughput
    slowest = max(workload.chats().values())
    return max(overall, max(0.0, slowest - burst) * pair_seconds)


@dataclass
class BurstResult:
    messages: int
    chats: int
    heavy_chats: int
    heavy_each: int
    throughput: float
    drain_s: float
    ideal_s: float
    refusals: Counter[int] = field(default_factory=Counter)
    missing: int = 0
    doubled: int = 0
    disordered: int = 0
    cpu_pct: float = 0.0  # this process (worker, pywa and the fake) while it drained

    @property
    def achieved(self) -> float:
        return self.ideal_s / self.drain_s if self.drain_s > 0 else 0.0


async def deliver(
    workload: WaWorkload, throughput: float, workdir: Path, pair: tuple[float, float] | None = None
) -> BurstResult:
    """Send the workload's rows; workdir (made by the caller) holds the database. ``pair``: the
    pair rate's seconds and burst, for the fake and the bot alike (the product's by default)."""
    settings = Settings(_env_file=None)
    if pair is not None:
        settings = settings.model_copy(
            update={"whatsapp_pair_seconds": pair[0], "whatsapp_pair_burst": pair[1]}
        )
    out = workdir / "fake.json"
    fake = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bench.wa_fake_proc",
        str(throughput),
        str(settings.whatsapp_pair_seconds),
        str(settings.whatsapp_pair_burst),
        str(out),
        cwd=REPO_ROOT,
        stdout=asyncio.subprocess.PIPE,
    )
    try:
        assert fake.stdout is not None
        base_url = (await asyncio.wait_for(fake.stdout.readline(), 60)).decode().strip()
        rows = workload.order()
        drained, cpu_pct = await _send(rows, settings, base_url, throughput, workdir)
    finally:
        if fake.returncode is None:
            fake.terminate()
        await fake.wait()
    taken = json.loads(out.read_text())
    expected: dict[str, list[str]] = {}
    for chat, text in rows:
        expected.setdefault(chat, []).append(text)
    got: dict[str, list[str]] = {}
    for message in taken["sent"]:
        got.setdefault(str(message["to"]), []).append(str(message["text"]))
    wanted = Counter(text for _, text in rows)
    delivered = Counter(text for texts in got.values() for text in texts)
    return BurstResult(
        messages=len(rows),
        chats=len(expected),
        heavy_chats=workload.heavy_chats,
        heavy_each=workload.heavy_each,
        throughput=throughput,
        drain_s=drained,
        ideal_s=ideal_seconds(
            workload, throughput, settings.whatsapp_pair_seconds, settings.whatsapp_pair_burst
        ),
        refusals=Counter({int(code): n for code, n in taken["refusals"].items()}),
        missing=sum(max(0, wanted[t] - delivered[t]) for t in wanted),
        doubled=sum(max(0, delivered[t] - wanted[t]) for t in delivered),
        disordered=sum(1 for chat, texts in expected.items() if got.get(chat) != texts),
        cpu_pct=cpu_pct,
    )


async def _send(
    rows: list[tuple[str, str]], settings: Settings, base_url: str, rate: float, workdir: Path
) -> tuple[float, float]:
    """The rows written to the outbox and sent by the worker: (seconds to drain, CPU %)."""
    url = f"sqlite+aiosqlite:///{workdir / 'aduan.db'}"
    await migrate(url)
    engine = create_engine(url)
    sessions = session_factory(engine)
    try:
        async with UnitOfWork(sessions) as uow:
            for chat, text in rows:
                payload = action_to_dict(SendText(chat_id=chat, text=text))
                uow.outbox.add(channel=CHANNEL, chat_id=chat, payload=payload, now=system_clock())
            await uow.commit()
        settings = Settings.model_validate(
            {
                **settings.model_dump(),
                "whatsapp_phone_number_id": FakeWhatsApp.phone_number_id,
                "whatsapp_access_token": FakeWhatsApp.access_token,
                "whatsapp_app_secret": FakeWhatsApp.app_secret,
                "whatsapp_verify_token": "bench-verify",
                "whatsapp_listen": "127.0.0.1:0",
                "whatsapp_api_url": base_url,
                "media_dir": workdir / "media",
            }
        )
        channel = make_whatsapp_channel(settings, Catalogs("id"))
        if channel is None:
            raise BenchError("WhatsApp is off")
        worker = OutboxWorker(
            uow_factory=lambda: UnitOfWork(sessions),
            channels={CHANNEL: channel},
            clock=system_clock,
            # As the product composes it (runtime.bootstrap): Telegram's overall limit, and
            # WhatsApp's pair rate and overall rate in a lane of their own.
            per_second=settings.outbox_rate_per_second,
            channel_chat=whatsapp_pacing(settings),
            channel_overall=((CHANNEL, rate),),
        )
        started, cpu = time.monotonic(), _cpu()
        task = asyncio.create_task(worker.run())
        try:
            while True:
                async with UnitOfWork(sessions) as uow:
                    if await uow.outbox.pending_count() == 0:
                        break
                if time.monotonic() - started > DRAIN_TIMEOUT_SECONDS:
                    raise BenchError("the burst was not sent within 300 s")
                await asyncio.sleep(0.05)
            async with UnitOfWork(sessions) as uow:
                last = await uow.session.scalar(select(func.max(OutboxMessage.sent_at)))
            elapsed = time.monotonic() - started
            cpu_pct = 100 * (_cpu() - cpu) / elapsed
        finally:
            worker.stop()
            await asyncio.wait_for(task, 30)
            await channel.close()
    finally:
        await engine.dispose()
    if last is None:
        raise BenchError("nothing was sent")
    first = system_clock().timestamp() - elapsed
    return last.replace(tzinfo=last.tzinfo or UTC).timestamp() - first, cpu_pct


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime
