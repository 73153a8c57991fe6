"""``python -m bench whatsapp``: a WhatsApp citizen beside a Telegram citizen, and a burst
delivered through the fake Graph API under its limits (issue 30).

1. **Step latency**: one ``aduan run`` (aiogram, SQLite, send-rate limits lifted as in the main
   bench's "no send-rate limit" row, so the numbers are the bot's own handling) polls the
   in-process Telegram emulator and serves WhatsApp's webhook to the in-process fake Graph API
   (``emulator.whatsapp``). N Telegram citizens and N WhatsApp citizens file the same report at
   the same time, each waiting for its next screen. Telegram: from the control request to the
   moment the emulator applied the reply (``bench.watch``); WhatsApp: from posting the signed
   webhook to the moment the fake took the bot's message showing the next screen. WhatsApp's
   kecamatan and desa are typed (its lists stop at 10 rows); Telegram's are tapped.
2. **Burst**: outbox rows for many WhatsApp chats (a few with more than Meta's pair burst), sent
   by the real :class:`runtime.outbox.OutboxWorker` through the real pywa channel to a fake that
   enforces Meta's throughput (80 messages a second per number, error 130429) and the pair rate
   (a burst of 45, then one every 6 s, error 131056). The ideal time is what those limits allow
   for the workload; the goal is no 130429/131056 and at least 95 % of the allowed rate.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

from bench.errors import BenchError
from bench.flows import DESA, KECAMATAN, Citizen, kanal_steps
from bench.procs import BotProcess, run_argv
from bench.runner import THROTTLE_MAX_UPDATES
from bench.wa_burst import BurstResult, WaWorkload, deliver
from bench.watch import ReplyWatcher, install
from bench.workers import free_port
from emulator import Emulator, EmulatorClient, TgUser
from emulator.whatsapp import FakeWhatsApp, JsonDict
from web.sandbox.wa_chat import choices

TOKEN = "710030:BENCH-whatsapp"
STEP_TIMEOUT = 60.0
FIRST_WA = 6281300000000


def progress(text: str) -> None:
    print(f"[bench whatsapp] {text}", file=sys.stderr, flush=True)


@dataclass
class TimedFake(FakeWhatsApp):
    """The fake, stamping each message the bot sends with the moment it arrived."""

    arrived: dict[str, float] = field(default_factory=dict)

    async def _record(self, message: JsonDict) -> None:
        self.arrived[str(message["id"])] = time.perf_counter()
        await super()._record(message)


def shows(message: JsonDict, words: str) -> bool:
    """The message's text, or one of its buttons or list rows, has ``words``."""
    kind = message.get("type")
    text = ""
    if kind == "text":
        text = str(message["text"]["body"])
    elif kind == "interactive":
        text = str((message["interactive"].get("body") or {}).get("text", ""))
    return words in text or any(words in c["title"] for c in choices(message))


@dataclass
class WaCitizen:
    fake: TimedFake
    wa_id: str
    latencies: dict[str, float] = field(default_factory=dict)

    def _offer(self, title: str) -> JsonDict:
        for message in reversed(self.fake.sent):
            if message.get("to") == self.wa_id and any(
                c["title"] == title for c in choices(message)
            ):
                return message
        raise BenchError(f"WhatsApp {self.wa_id}: nothing offers {title!r}")

    async def step(self, name: str, message: JsonDict, expect: str) -> None:
        after = len(self.fake.sent)
        injected = time.perf_counter()
        status = await self.fake.incoming(self.wa_id, "Warga WA", message)
        if status != 200:
            raise BenchError(f"WhatsApp {self.wa_id}: the webhook answered {status}")
        try:
            reply = await self.fake.wait_sent(
                lambda m: m.get("to") == self.wa_id and shows(m, expect),
                after=after,
                timeout=STEP_TIMEOUT,
            )
        except TimeoutError:
            raise BenchError(f"WhatsApp {self.wa_id}: no {expect!r} after {name!r}") from None
        self.latencies[name] = self.fake.arrived[str(reply["id"])] - injected

    async def text(self, name: str, text: str, expect: str) -> None:
        await self.step(name, {"type": "text", "text": {"body": text}}, expect)

    async def press(self, name: str, title: str, expect: str) -> None:
        offered = self._offer(title)
        data = next(c["id"] for c in choices(offered) if c["title"] == title)
        kind = "list_reply" if offered["interactive"]["action"].get("sections") else "button_reply"
        reply = {
            "type": "interactive",
            "context": {"id": offered["id"]},
            "interactive": {"type": kind, kind: {"id": data, "title": title}},
        }
        await self.step(name, reply, expect)

    async def run(self) -> None:
        """The Telegram citizen's report, step by step, as WhatsApp takes it."""
        for step in kanal_steps(0):
            if step.name == "start":
                await self.text(step.name, "Halo", step.expect)
            elif step.name in ("kecamatan", "desa"):
                await self.text(
                    step.name, KECAMATAN if step.name == "kecamatan" else DESA, step.expect
                )
            elif step.name in ("new report", "skip location"):
                await self.text(step.name, step.value, step.expect)
            elif step.action.value == "press":
                await self.press(step.name, step.value, step.expect)
            else:
                await self.text(step.name, step.value, step.expect)


@dataclass
class LatencyResult:
    citizens: int
    telegram: dict[str, list[float]]
    whatsapp: dict[str, list[float]]


@contextlib.asynccontextmanager
async def _bot(workdir: Path, emulator: Emulator, fake: FakeWhatsApp) -> AsyncIterator[BotProcess]:
    port = free_port()
    env = {
        "BOT_TOKEN": TOKEN,
        "TELEGRAM_API_URL": emulator.base_url,
        "DATABASE_URL": f"sqlite+aiosqlite:///{workdir / 'aduan.db'}",
        "MEDIA_DIR": str(workdir / "media"),
        "POLLING_TIMEOUT": "10",
        "THROTTLE_MAX_UPDATES": str(THROTTLE_MAX_UPDATES),
        "BOT_FRAMEWORK": "aiogram",
        "OUTBOX_RATE_PER_SECOND": "0",
        "OUTBOX_CHAT_PER_SECOND": "0",
        "OUTBOX_GROUP_PER_MINUTE": "0",
        "WHATSAPP_PAIR_BURST": "1000",
        "WHATSAPP_PHONE_NUMBER_ID": fake.phone_number_id,
        "WHATSAPP_ACCESS_TOKEN": fake.access_token,
        "WHATSAPP_APP_SECRET": fake.app_secret,
        "WHATSAPP_VERIFY_TOKEN": "bench-verify",
        "WHATSAPP_LISTEN": f"127.0.0.1:{port}",
        "WHATSAPP_API_URL": fake.base_url,
    }
    process = BotProcess("kanal aduan (telegram + whatsapp)", run_argv(), env, workdir)
    process.start()
    try:
        await process.wait_polling(emulator.bot_state(TOKEN))
        fake.webhook_url = f"http://127.0.0.1:{port}/whatsapp/webhook"
        yield process
        process.check_alive()
        await process.terminate()
    except BaseException:
        progress(f"bot log tail:\n{process.log_tail()}")
        process.kill()
        raise


async def latency(citizens: int, workdir: Path) -> LatencyResult:
    emulator = Emulator(port=0, flood_limits=False)
    watchers = install(emulator)
    fake = TimedFake(pair_burst=1e9)  # limits lifted on both sides, as Telegram's
    await fake.start()
    try:
        async with emulator, _bot(workdir, emulator, fake):
            watcher = watchers[TOKEN] = ReplyWatcher(emulator.bot_state(TOKEN))
            clients = [EmulatorClient(emulator.base_url, TOKEN) for _ in range(citizens)]
            try:
                telegram = [
                    Citizen(
                        TgUser(id=900_001 + n, first_name=f"Warga{n}"),
                        clients[n],
                        watcher,
                        photos=0,
                        echo=False,
                        timeout=STEP_TIMEOUT,
                    )
                    for n in range(citizens)
                ]
                whatsapp = [WaCitizen(fake, str(FIRST_WA + n)) for n in range(citizens)]
                progress(f"{citizens} Telegram and {citizens} WhatsApp citizens file at once ...")
                steps = kanal_steps(0)
                runs = await asyncio.gather(
                    *(c.run(steps) for c in telegram), *(c.run() for c in whatsapp)
                )
            finally:
                await asyncio.gather(*(c.close() for c in clients))
    finally:
        await fake.stop()
    if fake.refused:
        raise BenchError(f"the fake refused {len(fake.refused)} messages: {fake.refused[:1]}")
    tg: dict[str, list[float]] = {}
    for run in runs[:citizens]:
        if run is None:
            continue
        for sample in run.samples:
            tg.setdefault(sample.step, []).append(sample.latency)
    wa: dict[str, list[float]] = {}
    for citizen in whatsapp:
        for name, seconds in citizen.latencies.items():
            wa.setdefault(name, []).append(seconds)
    return LatencyResult(citizens, tg, wa)


def _ms(values: list[float], q: float = 0.5) -> float:
    ordered = sorted(values)
    return 1000 * ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def latency_table(result: LatencyResult) -> str:
    lines = [
        f"{'step':<14} {'Telegram p50 ms':>16} {'WhatsApp p50 ms':>16} {'WA / TG':>8}",
        "-" * 57,
    ]
    for name in result.telegram:
        tg, wa = _ms(result.telegram[name]), _ms(result.whatsapp.get(name, [0.0]))
        lines.append(f"{name:<14} {tg:>16.0f} {wa:>16.0f} {wa / tg if tg else 0:>7.2f}x")
    every_tg = [v for vs in result.telegram.values() for v in vs]
    every_wa = [v for vs in result.whatsapp.values() for v in vs]
    for label, q in (("all p50", 0.5), ("all p99", 0.99)):
        tg, wa = _ms(every_tg, q), _ms(every_wa, q)
        lines.append(f"{label:<14} {tg:>16.0f} {wa:>16.0f} {wa / tg if tg else 0:>7.2f}x")
    lines.append(
        f"mean per step: Telegram {statistics.fmean(every_tg) * 1000:.0f} ms, "
        f"WhatsApp {statistics.fmean(every_wa) * 1000:.0f} ms"
    )
    return "\n".join(lines)


def burst_lines(result: BurstResult) -> list[str]:
    return [
        f"burst: {result.messages} messages to {result.chats} WhatsApp chats "
        f"({result.heavy_chats} of them {result.heavy_each} each, over the pair burst)",
        f"  drained in {result.drain_s:.2f} s, ideal {result.ideal_s:.2f} s under "
        f"{result.throughput:g}/s and the pair rate: {result.achieved:.1%} of the allowed rate, "
        f"{result.messages / result.drain_s:.1f} messages/s; CPU of the sending process "
        f"{result.cpu_pct:.0f} % of a core",
        f"  refusals: 130429 (throughput) {result.refusals.get(130429, 0)}, "
        f"131056 (pair rate) {result.refusals.get(131056, 0)}; "
        f"missing {result.missing}, doubled {result.doubled}, out of order {result.disordered}",
    ]


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench whatsapp", description=__doc__)
    parser.add_argument("--citizens", type=int, default=5, help="of each channel (5)")
    parser.add_argument("--messages", type=int, default=800, help="in the burst (800)")
    parser.add_argument("--throughput", type=float, default=80.0, help="Meta's per number (80)")
    parser.add_argument(
        "--heavy", type=int, default=WaWorkload.heavy_chats, help="chats over the pair burst (4)"
    )
    parser.add_argument("--skip-latency", action="store_true")
    parser.add_argument("--skip-burst", action="store_true")
    parser.add_argument("--keep", action="store_true", help="keep the temp dir")
    args = parser.parse_args(argv)
    workdir = Path(tempfile.mkdtemp(prefix="aduan-bench-wa-"))
    failed: list[str] = []
    try:
        if not args.skip_latency:
            result = asyncio.run(latency(args.citizens, workdir / "latency"))
            print(
                f"\nstep latency, {args.citizens} citizens on each channel at once "
                "(no send-rate limit: the bot's own handling)"
            )
            print(latency_table(result))
        if not args.skip_burst:
            workload = WaWorkload(messages=args.messages, heavy_chats=args.heavy)
            (workdir / "burst").mkdir()
            burst = asyncio.run(deliver(workload, args.throughput, workdir / "burst"))
            print()
            print("\n".join(burst_lines(burst)))
            if burst.refusals or burst.missing or burst.doubled or burst.disordered:
                failed.append("the burst broke a limit or lost, doubled or reordered messages")
            if burst.achieved < 0.95:
                failed.append(
                    f"the burst reached {burst.achieved:.1%} of the allowed rate (< 95 %)"
                )
    except BenchError as error:
        failed.append(str(error))
    finally:
        if args.keep:
            progress(f"kept {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    for problem in failed:
        print(f"BENCHMARK FAILED: {problem}", file=sys.stderr)
    return 1 if failed else 0
