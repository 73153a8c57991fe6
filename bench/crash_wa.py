"""WhatsApp citizens in the crash suite's SQLite shape (``python -m bench crash --engine sqlite``,
issue 30): the same report and the same unit as a Telegram citizen's, played on the loopback
fake Graph API (:mod:`emulator.whatsapp`) with signed webhooks.

A webhook posted while the bot is down (refused, or cut by the SIGKILL) is posted again until the
bot answers 200, as Meta redelivers a webhook that got no 200. The checks (:meth:`WaFigures.
problems`): every message a WA citizen sent was taken once into the inbox and handled without an
error; every committed outbox row to a WA citizen was sent and the fake took each of its messages
(a row may be several: a text and a list; a notice outside the 24-hour window is one template)
exactly once, a message the fake took that no row recorded being a send repeated after a kill
(see ``KILL_WINDOW`` in :mod:`bench.crash`) or a problem; the fake refused nothing.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import aiohttp

from bench.crash import KILL_LATE_ANSWER, KILL_WINDOW, SIMILAR_OFFER, Citizen, CrashConfig
from bench.images import photo_jpeg
from bot.wa_templates import load_templates
from bot.whatsapp_events import message_number
from bot.whatsapp_render import render_whatsapp
from emulator import EmulatorClient
from emulator.whatsapp import FakeWhatsApp, JsonDict
from handlers.actions import action_from_dict
from web.sandbox.wa_chat import choices

if TYPE_CHECKING:
    from storage.models import InboxUpdate, OutboxMessage, WhatsAppDelivery, WhatsAppHeld

#: The first WhatsApp id of the bench's citizens (a number, as Meta's wa_id).
FIRST_WA = 6281400000000
#: How soon a webhook that got no 200 is posted again (Meta waits longer; the bench need not).
REDELIVERY_SECONDS = 0.2
WEBHOOK_PATH = "/whatsapp/webhook"


def text_of(message: JsonDict) -> str:
    """What a citizen reads in a message the fake took (text, interactive body or caption; a
    template's parameters)."""
    kind = message.get("type")
    if kind == "text":
        return str(message["text"]["body"])
    if kind == "interactive":
        return str((message["interactive"].get("body") or {}).get("text", ""))
    if kind == "image":
        return str(message["image"].get("caption", ""))
    if kind == "template":
        parameters = [
            str(p.get("text", ""))
            for c in message["template"].get("components") or []
            for p in c.get("parameters") or []
        ]
        return f"[{message['template'].get('name')}] " + " ".join(parameters)
    return ""


def new_fake() -> FakeWhatsApp:
    """The fake Graph API with every template of ``locales/whatsapp_templates.toml`` approved:
    once the driver moves the bots' clock by days, notices go as templates."""
    approved = {(t.name, t.language): len(t.parameters) for t in load_templates().templates}
    return FakeWhatsApp(templates=approved)


def whatsapp_env(fake: FakeWhatsApp, port: int) -> dict[str, str]:
    """The bot's WhatsApp settings: its webhook on ``port`` (the same across restarts)."""
    fake.webhook_url = f"http://127.0.0.1:{port}{WEBHOOK_PATH}"
    return {
        "WHATSAPP_PHONE_NUMBER_ID": fake.phone_number_id,
        "WHATSAPP_ACCESS_TOKEN": fake.access_token,
        "WHATSAPP_APP_SECRET": fake.app_secret,
        "WHATSAPP_VERIFY_TOKEN": "crash-verify",
        "WHATSAPP_LISTEN": f"127.0.0.1:{port}",
        "WHATSAPP_WEBHOOK_PATH": WEBHOOK_PATH,
        "WHATSAPP_API_URL": fake.base_url,
    }


@dataclass
class WaFigures:
    citizens: int
    posts: int = 0
    #: Posts that got no 200 (the bot down, or killed while answering): posted again.
    redelivered: int = 0
    taken: int = 0
    stored: int = 0
    handled: int = 0
    handling_errors: int = 0
    inbox_mismatch: bool = False
    rows: int = 0
    rows_sent: int = 0
    templates: int = 0
    messages: int = 0
    #: Rows whose messages the fake did not take exactly once each (in words).
    rows_wrong: list[str] = field(default_factory=list)
    #: Messages the fake took that no row recorded, sent again after a kill (KILL_WINDOW).
    twice_after_kill: int = 0
    unexplained: list[str] = field(default_factory=list)
    confirmations_wrong: int = 0
    out_of_line: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        return [
            f"WhatsApp: {self.citizens} citizens, {self.posts} webhooks posted "
            f"({self.redelivered} posted again after no 200), {self.taken} messages taken, "
            f"{self.stored} stored, {self.handled} handled, {self.handling_errors} with an error",
            f"WhatsApp messages: {self.rows} rows committed, {self.rows_sent} sent, "
            f"{self.messages} messages taken by the fake ({self.templates} templates), "
            f"{len(self.rows_wrong)} rows not taken exactly once, {self.twice_after_kill} sent "
            f"again after a kill, {len(self.refused)} refused",
        ]

    def problems(self) -> list[str]:
        found = []
        if self.inbox_mismatch or self.stored != self.taken or self.handled != self.stored:
            found.append("a WhatsApp message taken was not stored once and handled")
        if self.handling_errors:
            found.append(f"{self.handling_errors} WhatsApp updates handled with an error")
        if self.rows_sent != self.rows or self.rows_wrong:
            found.append(f"a WhatsApp row not sent exactly once: {self.rows_wrong[:5]}")
        if self.unexplained:
            found.append(f"a WhatsApp message sent twice (no kill explains it): {self.unexplained}")
        if self.confirmations_wrong:
            found.append(f"{self.confirmations_wrong} WhatsApp citizens without one number")
        if self.out_of_line:
            found.append(f"WhatsApp chats out of line: {self.out_of_line[:5]}")
        if self.refused:
            found.append(f"the fake Graph API refused: {self.refused[:3]}")
        return found


class WaCitizen(Citizen):
    """A citizen on WhatsApp and, for their report, an officer of the desa group (Telegram)."""

    channel = "whatsapp"
    # WhatsApp's lists stop at 10 rows: the kecamatan and the desa are typed.
    WALK = (
        ("send", "Halo", "Apakah Anda setuju?"),
        ("press", "✅ Saya setuju", "Silakan pilih menu"),
        ("press", "📝 Laporan baru", "Apa jenis laporan Anda?"),
        ("press", "Pengaduan", "Pilih kategori"),
        ("press", "Sampah & Lingkungan", "Di kecamatan mana"),
        ("send", "bengalon", "Di desa/kelurahan mana"),
        ("send", "sepaso", "Tulis detail alamat"),
        ("press", "Lewati ➡️", "Kirim titik lokasi"),
        ("send", "Lewati lokasi ➡️", "Ceritakan masalahnya"),
        ("send", "Sampah menumpuk di depan rumah warga {id} sejak kemarin.", "Kirim foto bukti"),
        ("photo", "", "Foto diterima: 1/5."),
        ("press", "✅ Selesai (1 foto)", "Pilih kerahasiaan"),
        ("press", "Biasa", "Periksa laporan Anda"),
        ("press", "📨 Kirim laporan", "Nomor laporan:"),
    )

    def __init__(
        self,
        telegram: EmulatorClient,
        fake: FakeWhatsApp,
        n: int,
        config: CrashConfig,
        figures: WaFigures,
    ) -> None:
        super().__init__(telegram, n, config)
        self.fake = fake
        self.wa_id = str(FIRST_WA + n)
        self.name = f"Warga WA {n}"
        self.figures = figures
        #: The wamid of every message the bot took (answered 200).
        self.taken: list[str] = []

    def mine(self) -> list[JsonDict]:
        return [m for m in self.fake.sent if m.get("to") == self.wa_id]

    async def _do(self, act: Callable[[], Awaitable[Any]], expect: str) -> dict[str, Any]:
        await asyncio.sleep(self.rng.uniform(*self.config.think))
        after = len(self.fake.sent)
        await act()
        message = await self.fake.wait_sent(
            lambda m: m.get("to") == self.wa_id and expect in text_of(m),
            after=after,
            timeout=self.config.step_timeout,
        )
        return {"text": text_of(message), "id": message["id"]}

    async def deliver(self, message: JsonDict) -> None:
        """Post the message until the bot answers 200 (Meta redelivers what got no 200)."""
        body = self.fake.webhook_body(self.wa_id, self.name, message)
        wamid = str(json.loads(body)["entry"][0]["changes"][0]["value"]["messages"][0]["id"])
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.config.step_timeout
        while True:
            status = 0
            with contextlib.suppress(aiohttp.ClientError):  # down, or killed while answering
                status = await self.fake.post_webhook(body)
            self.figures.posts += 1
            if status == 200:
                self.taken.append(wamid)
                return
            self.figures.redelivered += 1
            if loop.time() > deadline:
                raise TimeoutError(f"WhatsApp {self.wa_id}: no 200 within {deadline}s ({status})")
            await asyncio.sleep(REDELIVERY_SECONDS)

    def _send(self, text: str) -> Callable[[], Awaitable[Any]]:
        return lambda: self.deliver({"type": "text", "text": {"body": text}})

    def _photo(self) -> Callable[[], Awaitable[Any]]:
        content = photo_jpeg(self.n, (48, 36))

        async def send() -> None:
            media_id = self.fake.add_media(content, "image/jpeg")
            await self.deliver(
                {"type": "image", "image": {"id": media_id, "mime_type": "image/jpeg"}}
            )

        return send

    def _press(self, label: str) -> Callable[[], Awaitable[Any]]:
        async def press() -> None:
            offered = next(
                m for m in reversed(self.mine()) if any(c["title"] == label for c in choices(m))
            )
            data = next(c["id"] for c in choices(offered) if c["title"] == label)
            kind = (
                "list_reply" if offered["interactive"]["action"].get("sections") else "button_reply"
            )
            await self.deliver(
                {
                    "type": "interactive",
                    "context": {"id": offered["id"]},
                    "interactive": {"type": kind, kind: {"id": data, "title": label}},
                }
            )

        return press


def measure(
    figures: WaFigures,
    citizens: Sequence[WaCitizen],
    fake: FakeWhatsApp,
    inbox: Sequence[InboxUpdate],
    outbox: Sequence[OutboxMessage],
    deliveries: Sequence[WhatsAppDelivery],
    held: Sequence[WhatsAppHeld],
    kill_times: Sequence[float],
) -> dict[str, list[dict[str, Any]]]:
    """Fill ``figures`` from the run; answer, per WA citizen's chat, the rows the fake took (their
    whole text, a template standing for its row) for the checks of the clock's notices."""
    taken = {message_number(w) for c in citizens for w in c.taken}
    figures.taken = sum(len(c.taken) for c in citizens)
    wa_inbox = [r for r in inbox if r.channel == "whatsapp"]
    figures.stored = len(wa_inbox)
    figures.inbox_mismatch = {r.update_id for r in wa_inbox} != taken
    figures.handled = sum(1 for r in wa_inbox if r.processed_at)
    figures.handling_errors = sum(1 for r in wa_inbox if r.error)

    rows = [m for m in outbox if m.channel == "whatsapp"]
    figures.rows = len(rows)
    figures.rows_sent = sum(1 for m in rows if m.sent_at and not m.failed_at)
    recorded = {d.wamid: d.outbox_id for d in deliveries if d.outbox_id is not None}
    per_row = Counter(recorded.values())
    templated = {h.outbox_id for h in held if h.reason == "template"}
    chats = {c.wa_id for c in citizens}
    ours = [(m, at) for m, at in zip(fake.sent, fake.sent_at, strict=True) if m.get("to") in chats]
    figures.messages = len(ours)
    figures.templates = sum(1 for m, _ in ours if m.get("type") == "template")
    seen = Counter(str(m["id"]) for m, _ in ours)
    received: dict[str, list[dict[str, Any]]] = {chat: [] for chat in chats}
    for row in rows:
        action = action_from_dict(row.payload)
        want = 1 if row.id in templated else len(render_whatsapp(action, list_button="Pilih"))
        got = [w for w, outbox_id in recorded.items() if outbox_id == row.id]
        if per_row[row.id] != want or any(seen[w] != 1 for w in got):
            figures.rows_wrong.append(
                f"row {row.id} to {row.chat_id}: {want} messages, recorded {per_row[row.id]}, "
                f"taken {[seen[w] for w in got]}"
            )
        elif row.chat_id in received:
            received[row.chat_id].append({"text": str(row.payload.get("text") or "")})

    # A message the fake took that no row recorded: a row sent again by the next process after
    # a kill between the fake's answer and the commit that records it (as on Telegram).
    doubled: set[str] = set()
    for message, at in ours:
        if str(message["id"]) in recorded:
            continue
        if any(-KILL_LATE_ANSWER <= k - at <= KILL_WINDOW for k in kill_times):
            figures.twice_after_kill += 1
            doubled.add(str(message["id"]))
        else:
            nearest = min(kill_times, key=lambda k: abs(at - k), default=at)
            figures.unexplained.append(
                f"{message.get('to')}: {text_of(message)[:40]!r} taken {at - nearest:+.1f} s "
                "from the nearest kill, recorded by no row"
            )

    # No update handled twice: the citizens of one path got as many messages; each one number.
    by_path: dict[bool, Counter[int]] = {True: Counter(), False: Counter()}
    for citizen in citizens:
        mine = [
            m
            for m in citizen.mine()
            if str(m["id"]) not in doubled and SIMILAR_OFFER not in text_of(m)
        ]
        by_path[citizen.finishes][len(mine)] += 1
        if sum("Nomor laporan:" in text_of(m) for m in mine) != 1:
            figures.confirmations_wrong += 1
    for finishes, counts in by_path.items():
        if len(counts) > 1:
            figures.out_of_line.append(f"{'finished' if finishes else 'waiting'}: {dict(counts)}")
    figures.refused = [f"{m.get('to')}: {text_of(m)[:40]!r}" for m in fake.refused]
    return received
