"""Every timeline event reads as words on the citizen's 🔎 Cek status, in both languages.

A report's timeline once showed its stored codes: "event.reminder — before", "event.escalated — 1"
(a message key and the reminder engine's detail), or an officer's action as its button code. Here
the reminder engine really runs over a filed report, and then every event kind the bot stores
(with each detail it stores) is put on one report and read back as the reporter and as a
supporter read it, in Indonesian and in English. A line fails on anything key-like.
"""

from __future__ import annotations

import ast
import re
from collections.abc import AsyncIterator, Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Final, TypeGuard

import pytest
from sqlalchemy import select

from core.timeline import NOT_FOR_CITIZENS
from storage.models import Citizen, ReportEvent
from storage.supporters import SupporterRepository
from storage.uow import UnitOfWork
from tests.integration.case_world import World, world  # noqa: F401 (a fixture)
from tests.integration.conftest import database_url, engine_name  # noqa: F401 (fixtures)
from tests.integration.conversation_driver import Driver, buttons, texts
from tests.integration.test_intake import USER, consent, to_step

SUPPORTER = 6006

#: Every event kind stored today, with each detail (note) that is a code rather than words.
#: The officers' actions are stored under their button codes ("vf", "tl", ...).
STORED_EVENTS: tuple[tuple[str, str], ...] = (
    ("submitted", ""),
    ("routed", "Desa Sepaso"),
    ("routed_fallback", "Kecamatan Sepaso"),
    ("vf", ""),
    ("ask", "Di sebelah mana tepatnya?"),
    ("tl", "Sudah kami cek ke lokasi."),
    ("done", "Sampah sudah diangkut."),
    ("tr", "Bukan wewenang desa."),
    ("ar", ""),
    ("ans", "Terima kasih, sudah kami catat."),
    ("reporter_info", "Ada di depan balai desa."),
    ("reporter_answer", "Di RT 05."),
    ("reopen", "Belum diangkut."),
    ("confirmed", ""),
    ("rated", "4"),
    ("rating_comment", "Cepat sekali, terima kasih."),
    ("reminder", "before"),
    ("reminder", "day"),
    ("escalated", "1"),
    ("escalated", "2"),
    ("auto_closed", "5"),
    ("ombudsman", "60"),
    ("supported", "ABCD-EFGH-J"),
    ("supporter_note", "Saya juga melihatnya."),
    ("undeliverable", "blocked"),
    ("undeliverable", "gone"),
    ("undeliverable", "other"),
    ("undeliverable", "wa_window"),
    ("internal_note", "Sudah dicek lapangan, tunggu anggaran."),
    ("assigned", "Budi"),
    ("released", "Budi"),
    ("kat", "Sampah & Lingkungan → Jalan & Jembatan"),
    ("rf", "PLN UP3 Sangatta"),
    ("urf", ""),
    ("retensi", "2"),
    ("wa_hapus", "2"),
    ("claimed", "loket"),
    ("claimed", "telepon"),
)
#: A message key or a dotted code ("event.reminder", "clock.escalation.line").
KEY_LIKE = re.compile(r"\b[a-z_]+\.[a-z_][a-z_.]*\b")
#: Details that are codes: a line must never end on one of them.
RAW_DETAIL = re.compile(r"(?:—|\|)\s*(?:before|day|blocked|gone|other|\d+)\s*$")
#: Stored values that are codes, not words.
RAW_VALUES = frozenset(kind for kind, _ in STORED_EVENTS) | {"close", "remind", "escalate"}


def unreadable(what: str, line: str) -> list[str]:
    """What is wrong with one timeline line (``what``: the words naming the event)."""
    found = [f"key-like {m!r}" for m in KEY_LIKE.findall(line)]
    if RAW_DETAIL.search(line):
        found.append("a raw detail")
    if what.strip().lower() in RAW_VALUES:
        found.append(f"a raw kind {what!r}")
    return found


def timeline_lines(screen: str) -> list[tuple[str, str]]:
    """(the event's words, the whole line) of each "• <when>: <what> — <note>" line."""
    lines = []
    for line in screen.splitlines():
        if line.startswith("• "):
            what = line.split(": ", 1)[1].split(" — ", 1)[0]
            lines.append((what, line))
    return lines


async def status_screen(d: Driver, user: int, number: str) -> str:
    """The answer to /status in the user's own chat (the rounds' group messages, and the
    reporter's escalation notice queued before it, left aside)."""
    answers = await d.text(user, f"/status {number}")
    return [str(a.get("text", "")) for a in answers if str(a.get("chat_id")) == str(user)][-1]


@pytest.fixture
async def driver(world: World) -> AsyncIterator[Driver]:  # noqa: F811 (the fixture above)
    d = Driver(world.db.url)
    await d.start()
    world.clock.set(d.clock.now)
    yield d
    await d.close()


async def file_report(d: Driver, world: World) -> tuple[int, str]:  # noqa: F811
    await consent(d)
    b = await to_step(d, "photos")
    b = buttons(await d.press_data(USER, b["Lewati ➡️"]))
    b = buttons(await d.press_data(USER, b["Biasa"]))
    sent = await d.press_data(USER, b["📨 Kirim laporan"])
    number = texts(sent)[-1].split("Nomor laporan: ")[1].split("\n")[0]
    async with world.db.uow() as uow:
        report = await uow.reports.by_tracking_number(number)
        assert report is not None
        return report.id, number


async def test_status_after_reminders_and_an_escalation_reads_as_words(
    driver: Driver,
    world: World,  # noqa: F811
) -> None:
    report_id, number = await file_report(driver, world)
    start = driver.clock.now
    for day in range(1, 10):  # the verification deadline comes and goes unanswered
        await world.round(start + timedelta(days=day))
    async with world.db.uow() as uow:
        kinds = set(
            await uow.session.scalars(
                select(ReportEvent.kind).where(ReportEvent.report_id == report_id)
            )
        )
    assert {"reminder", "escalated"} <= kinds  # the engine really ran
    driver.clock.now = start + timedelta(days=9)  # the reporter looks on the last round's day
    screen = await status_screen(driver, USER, number)
    lines = timeline_lines(screen)
    assert len(lines) >= 4
    problems = {line: unreadable(what, line) for what, line in lines}
    assert {line: p for line, p in problems.items() if p} == {}
    assert "Pengingat" in screen
    assert "Terlambat" in screen
    # Issue 26 (7): the stage's date is named, and says since when it is late.
    assert "Tenggat: verifikasi paling lambat" in screen
    assert "terlambat sejak" in screen


async def store_every_event(
    uow_factory: Callable[[], UnitOfWork], report_id: int, now: datetime
) -> None:
    """Every (kind, detail) of :data:`STORED_EVENTS` on the report's timeline."""
    async with uow_factory() as uow:
        for kind, note in STORED_EVENTS:
            uow.reports.add_event(
                ReportEvent(
                    report_id=report_id, kind=kind, actor="sistem", note=note, created_at=now
                )
            )
        await uow.commit()


async def _english(d: Driver, user: int) -> None:
    choice = buttons(await d.text(user, "🌐 Bahasa"))
    await d.press_data(user, choice["🇬🇧 English"])


@pytest.mark.parametrize("language", ["id", "en"])
async def test_every_event_kind_reads_as_words_to_the_reporter_and_a_supporter(
    driver: Driver,
    world: World,  # noqa: F811
    language: str,
) -> None:
    report_id, number = await file_report(driver, world)
    await store_every_event(world.db.uow, report_id, world.clock())
    await consent(driver, SUPPORTER)
    async with world.db.uow() as uow:
        supporter = await uow.session.scalar(
            select(Citizen).where(Citizen.user_id == str(SUPPORTER))
        )
        assert supporter is not None
        assert await SupporterRepository(uow.session).add(report_id, supporter.id, world.clock())
        await uow.commit()
    screens = {}
    for user in (USER, SUPPORTER):
        if language == "en":
            await _english(driver, user)
        screens[user] = await status_screen(driver, user, number)
    for user, screen in screens.items():
        lines = timeline_lines(screen)
        # Every kind a citizen may read, + the real submission.
        shown = [kind for kind, _ in STORED_EVENTS if kind not in NOT_FOR_CITIZENS]
        assert len(lines) >= len(shown) + 1, (user, screen)
        problems = {line: unreadable(what, line) for what, line in lines}
        assert {line: p for line, p in problems.items() if p} == {}, user
    if language == "en":
        assert "Reminder" in screens[USER]
    else:
        assert "Pengingat" in screens[USER]


def test_every_member_has_words_in_both_languages_for_every_audience() -> None:
    """Each kind with each detail, through the one function the screens use: a text in both
    catalogues, and nothing key-like for the reporter (words and note), a supporter (words
    only) or the console (words, and the note in its own column)."""
    from core.timeline import EventKind, event_words
    from locales import Catalogs

    assert {kind for kind, _ in STORED_EVENTS} == {k.value for k in EventKind}
    for tr in Catalogs("id").all():
        for kind, note in STORED_EVENTS:
            words = event_words(kind, note)
            text = tr.t(words.key, **words.values)
            assert text != words.key, (tr.language, words.key)
            shown = {
                "reporter": f"{text} — {words.note}" if words.note else text,
                "supporter": text,
                "console": f"{text} | {words.note}",
            }
            for audience, line in shown.items():
                assert unreadable(text, line) == [], (tr.language, audience, kind, note)


#: Stored kinds no other string in the code spells (unlike "done" or "ask").
_UNMISTAKABLE: Final = frozenset(
    {
        "routed",
        "routed_fallback",
        "supported",
        "supporter_note",
        "rating_comment",
        "undeliverable",
        "reporter_info",
        "reporter_answer",
        "auto_closed",
        "escalated",
        "internal_note",
    }
)


def _called(node: ast.AST, name: str) -> TypeGuard[ast.Call]:
    return (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == name
    )


def _compared(node: ast.AST, name: str) -> TypeGuard[ast.Compare]:
    return (
        isinstance(node, ast.Compare)
        and isinstance(node.left, ast.Attribute)
        and node.left.attr == name
    )


def _event_kind_literals(path: Path, values: frozenset[str]) -> list[str]:
    """Where a module names an event kind by its string: ``kind="..."`` (or ``kind = ...``),
    ``.record(report, "...")``, ``.kind == "..."``, or anywhere for a kind no other word spells."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        candidates: list[ast.expr] = []
        if isinstance(node, ast.keyword) and node.arg == "kind":
            candidates = [node.value]
        elif _called(node, "record") and len(node.args) >= 2:
            candidates = [node.args[1]]
        elif _compared(node, "kind"):
            candidates = list(node.comparators)
        elif isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and "kind" in t.id.lower() for t in node.targets
        ):
            candidates = [node.value]
        elif isinstance(node, ast.Constant) and node.value in _UNMISTAKABLE:
            candidates = [node]
        for value in candidates:
            if isinstance(value, ast.IfExp):
                candidates += [value.body, value.orelse]
            elif isinstance(value, ast.Constant) and value.value in values:
                found.append(f"{path.name}:{value.lineno} {value.value!r}")
    return sorted(set(found))


def test_no_event_kind_is_named_by_its_string_outside_core() -> None:
    from core.timeline import EventKind

    values = frozenset(k.value for k in EventKind)
    root = Path(__file__).resolve().parents[2]
    found = {
        str(path.relative_to(root)): _event_kind_literals(path, values)
        for folder in ("cases", "handlers", "storage", "web", "bot", "cli", "runtime")
        for path in sorted((root / folder).rglob("*.py"))
        if "migrations" not in path.parts
    }
    assert {module: lines for module, lines in found.items() if lines} == {}
