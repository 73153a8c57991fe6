"""The simulated users: one coroutine per citizen, each waiting for the bot before its next step."""

from __future__ import annotations

import asyncio
import re
import time
from dataclasses import dataclass, field
from enum import Enum

from bench.errors import BenchError
from bench.images import photo_jpeg
from bench.watch import (
    ChatSnapshot,
    Predicate,
    ReplyWatcher,
    callback_answered,
    find_button,
    new_messages,
    shows,
)
from emulator import EmulatorClient, TgUser
from locales import Catalogs

#: Bytes of every evidence photo (a real JPEG: the media worker keeps only what decodes).
PHOTO = photo_jpeg()
DESCRIPTION = "Air PDAM mati total sejak tiga hari di RT 05, warga membeli air galon."
#: Region and category are data, not catalogue texts (as in tests/integration/test_intake.py).
CATEGORY = "Air Bersih"
KECAMATAN = "Bengalon"
DESA = "Muara Bengalon"
ECHO_BUTTON = "ping"

_NUMBER_RE = re.compile(r"Nomor laporan: (\S+)")


class Action(Enum):
    TEXT = "text"
    PRESS = "press"
    ALBUM = "album"


@dataclass(frozen=True)
class Step:
    name: str
    action: Action
    value: str = ""  # the text to send or the label of the button to press
    expect: str = ""  # Kanal Aduan: what the next screen shows (text or a button label)


def kanal_steps(photos: int) -> list[Step]:
    """A full report as in the product's intake flow, with button texts from the catalogue."""
    t = Catalogs("id").get("id").t

    def screen(key: str) -> str:
        return "· " + t(key)  # the step header: "Langkah n/9 · Kategori"

    steps = [
        Step("start", Action.TEXT, "/start", t("consent.agree")),
        Step("consent", Action.PRESS, t("consent.agree"), t("menu.prompt")),
        Step("new report", Action.TEXT, t("menu.new_report"), screen("step.type")),
        Step("type", Action.PRESS, t("type.pengaduan"), screen("step.category")),
        Step("category", Action.PRESS, CATEGORY, screen("step.kecamatan")),
        Step("kecamatan", Action.PRESS, KECAMATAN, screen("step.desa")),
        Step("desa", Action.PRESS, DESA, screen("step.address")),
        Step("skip address", Action.PRESS, t("nav.skip"), screen("step.gps")),
        Step("skip location", Action.TEXT, t("gps.skip"), screen("step.description")),
        Step("description", Action.TEXT, DESCRIPTION, screen("step.photos")),
    ]
    if photos:
        done = t("photos.done", count=photos)
        steps += [
            Step("photos", Action.ALBUM, expect=done),
            Step("done", Action.PRESS, done, screen("step.privacy")),
        ]
    else:
        steps.append(Step("skip photos", Action.PRESS, t("nav.skip"), screen("step.privacy")))
    steps += [
        Step("privacy", Action.PRESS, t("privacy.biasa"), t("intake.summary").split("\n")[0]),
        Step("send", Action.PRESS, t("summary.send"), "Nomor laporan:"),
    ]
    return steps


def echo_steps(photos: int) -> list[Step]:
    """The same shape (texts, presses, album) for the echo bot: every press hits its one button."""
    return [
        Step(s.name, s.action, ECHO_BUTTON if s.action is Action.PRESS else s.value)
        for s in kanal_steps(photos)
    ]


@dataclass
class Sample:
    step: str
    action: Action
    updates: int
    injected: float  # perf_counter before the control request that creates the (first) update
    replied: float  # perf_counter when the emulator applied the reply

    @property
    def latency(self) -> float:
        return self.replied - self.injected


@dataclass
class CitizenRun:
    user: TgUser
    samples: list[Sample] = field(default_factory=list)
    tracking_no: str = ""


@dataclass
class Citizen:
    """One simulated user of one bot; ``echo`` switches what counts as the bot's reply."""

    user: TgUser
    client: EmulatorClient
    watcher: ReplyWatcher
    photos: int
    echo: bool
    timeout: float
    think: float = 0.0  # seconds between a reply and the next step (a person reading the screen)

    async def run(self, steps: list[Step]) -> CitizenRun:
        result = CitizenRun(self.user)
        for n, step in enumerate(steps):
            if n and self.think > 0:
                await asyncio.sleep(self.think)
            result.samples.append(await self._step(step, result))
        return result

    def _predicate(self, step: Step, snapshot: ChatSnapshot) -> Predicate:
        if not self.echo:
            return shows(snapshot, step.expect)
        if step.action is Action.PRESS:
            return callback_answered(self.watcher, self.user.id)
        return new_messages(snapshot, self.photos if step.action is Action.ALBUM else 1)

    async def _step(self, step: Step, result: CitizenRun) -> Sample:
        chat_id = self.user.id
        state = self.watcher.state
        try:
            button = (
                find_button(state, chat_id, step.value) if step.action is Action.PRESS else None
            )
        except LookupError as error:
            raise BenchError(f"user {chat_id}, step {step.name!r}: {error}") from None
        snapshot = ChatSnapshot.of(state, chat_id)
        reply = self.watcher.expect(chat_id, self._predicate(step, snapshot))
        injected = time.perf_counter()
        updates = 1
        if button is not None:
            await self.client.press(self.user, button[0], button[1])
        elif step.action is Action.TEXT:
            await self.client.send_text(self.user, step.value)
        else:
            updates = self.photos
            group = f"album-{chat_id}" if self.photos > 1 else None  # albums have 2–10 items
            for _ in range(self.photos):
                await self.client.send_photo(self.user, PHOTO, media_group_id=group)
        try:
            replied, text = await asyncio.wait_for(reply, self.timeout)
        except TimeoutError:
            self.watcher.discard(chat_id, reply)
            raise BenchError(
                f"user {chat_id}: no reply to step {step.name!r} within {self.timeout}s "
                f"(waiting for {step.expect or 'an echo'!r})"
            ) from None
        if step.name == "send" and not self.echo:
            found = _NUMBER_RE.search(text)
            if found is None:
                raise BenchError(f"user {chat_id}: no tracking number in {text[:200]!r}")
            result.tracking_no = found.group(1)
        return Sample(step.name, step.action, updates, injected, replied)
