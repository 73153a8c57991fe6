"""Every status, deadline and notice reads as words, for every audience, in both languages.

Issue 26 (1): people read "event.reminder — before" and "escalated | 1". The timeline's events are
checked in ``test_event_words``; here the rest of what a report shows: its status as the
reporter, a unit's group, the coordinator and the console name it, the card in every status and
privacy, the deadline of every stage (late too), and every notice the lifecycle owes with the
words put into it. A text fails on a message key, a dotted code or a snake_case value.
"""

from __future__ import annotations

import re
import string
from datetime import UTC, date, datetime

import pytest
from pydantic import SecretStr

from core.calendar import WorkingCalendar
from core.lifecycle import LIFECYCLE, Audience, Privacy, ReportStatus, ReportType
from handlers.cards import CardView, card_text
from handlers.deps import HandlerDeps
from handlers.reminders import report_line
from handlers.stage_dates import STAGE_DUE_KEYS, stage_due
from handlers.supporters import PUBLIC_UPDATES
from locales import Catalogs, Translator
from runtime.clock import ManualClock
from runtime.deps import handler_deps
from runtime.settings import Settings
from storage.models import Report, Unit
from tests.security.test_event_words import KEY_LIKE, RAW_DETAIL

#: A stored value or code in snake_case ("menunggu_pelapor", "routed_fallback").
SNAKE = re.compile(r"\b[a-z]+_[a-z_]+\b")
#: Raw values that are not words in either language.
RAW = frozenset({"vf", "tl", "tr", "ar", "ans"})
CATALOGS = Catalogs("id")
CATALOG_CALENDAR = WorkingCalendar()
TODAY = date(2026, 12, 14)
DUE = date(2026, 12, 10)


#: A web address people may read (lapor.go.id, ombudsman.go.id, openstreetmap.org).
ADDRESS = re.compile(r"(?:https?://\S+|\b[\w.-]+\.(?:go\.id|org|com)\b)")


def key_like(text: str) -> list[str]:
    text = ADDRESS.sub("", text)
    found = KEY_LIKE.findall(text) + SNAKE.findall(text)
    found += [w for w in re.findall(r"[A-Za-z]+", text) if w in RAW]
    return found + [line for line in text.splitlines() if RAW_DETAIL.search(line)]


@pytest.fixture(scope="module")
def deps() -> HandlerDeps:
    settings = Settings(_env_file=None, bot_token=SecretStr("1:x"))
    clock = ManualClock(datetime(2026, 12, 14, 1, tzinfo=UTC))
    return handler_deps(settings, "1:x", CATALOGS, clock)


def human_values(tr: Translator, text: str) -> dict[str, object]:
    """Each placeholder of ``text`` filled as the code fills it: names, dates, numbers."""
    sample: dict[str, object] = {
        "number": "7KQ4-M2XD-4",
        "unit": "Desa Sepaso",
        "text": "Petugas datang besok pagi.",
        "reason": tr.t("archive.reason.duplikat"),
        "note": "Sudah ada laporan yang sama.",
        "original": "7KQ4-M2XD-5",
        "due": stage_due(tr, ReportStatus.DIDISPOSISI, DUE, CATALOG_CALENDAR, TODAY),
        "days": 10,
        "count": 2,
        "level": 1,
        "rating": 4,
        "date": "Kamis, 10 Desember 2026",
        "line": "• 7KQ4-M2XD-4",
        "name": "Dewi",
    }
    names = {n for _, n, _, _ in string.Formatter().parse(text) if n}
    return {name: sample.get(name, "Desa Sepaso") for name in names}


def owed_keys() -> dict[str, set[str]]:
    """Every message key the lifecycle owes, by who reads it."""
    readers = {
        Audience.REPORTER: "citizen",
        Audience.REPORTER_FINAL: "citizen",
        Audience.REPORTER_CONFIRM: "citizen",
        Audience.HOLDER: "unit group",
        Audience.COORDINATOR: "coordinator",
        Audience.ESCALATION: "coordinator",
    }
    keys: dict[str, set[str]] = {}
    for row in LIFECYCLE:
        for owed in (*row.notices, *(row.moved_notices or ())):
            if owed.key and owed.audience in readers:
                keys.setdefault(readers[owed.audience], set()).add(owed.key)
    keys["citizen"] |= {"notify.escalated", "notify.answer_due", *PUBLIC_UPDATES.values()}
    return keys


def _parts(key: str) -> tuple[str, ...]:
    return (f"{key}.header", f"{key}.footer")


@pytest.mark.parametrize("tr", CATALOGS.all(), ids=lambda tr: tr.language)
def test_every_notice_reads_as_words_for_its_reader(tr: Translator) -> None:
    problems = {}
    for reader, keys in owed_keys().items():
        # The engine's lists owe a prefix: their header and footer are the messages.
        keys = {k for key in keys for k in ((key,) if tr.t(key) != key else _parts(key))}
        for key in sorted(keys):
            template = tr.t(key)
            assert template != key, (tr.language, key)  # it has words at all
            shown = tr.t(key, **human_values(tr, template))
            if key_like(shown):
                problems[(reader, key)] = key_like(shown)
    assert problems == {}


@pytest.mark.parametrize("tr", CATALOGS.all(), ids=lambda tr: tr.language)
def test_every_status_and_deadline_reads_as_words_for_every_audience(tr: Translator) -> None:
    shown: dict[tuple[str, str], str] = {}
    for status in ReportStatus:
        shown["citizen", status] = tr.t(f"status.label.{status}")
        shown["groups", status] = tr.t(f"card.status.{status}")
        shown["console", status] = tr.t(f"console.status.{status}")
        for today in (date(2026, 12, 8), TODAY):  # before its date, and late
            due = stage_due(tr, status, DUE, CATALOG_CALENDAR, today)
            shown[f"deadline {today}", status] = due
    shown["groups", "closed"] = tr.t("card.status.closed")
    for kind in ReportType:
        shown["citizen", kind] = tr.t(f"type.{kind}")
        shown["console", kind] = tr.t(f"console.type.{kind}")
    for privacy in Privacy:
        shown["everyone", privacy] = tr.t(f"privacy.{privacy}")
    for key in STAGE_DUE_KEYS.values():
        assert tr.t(key) != key
    problems = {where: key_like(text) for where, text in shown.items() if key_like(text)}
    assert problems == {}
    # The words are real: no key came back as itself.
    assert not [
        text for text in shown.values() if text.startswith(("status.", "card.", "console."))
    ]


def _report(status: ReportStatus, privacy: Privacy, kind: ReportType) -> Report:
    moment = datetime(2026, 12, 7, 1, tzinfo=UTC)
    return Report(
        id=1,
        tracking_no="7KQ4-M2XD-4",
        citizen_id=1,
        channel="telegram",
        report_type=kind,
        category="jalan",
        region_code="64.08.09.2001",
        description="Jalan berlubang di depan balai desa.",
        privacy=privacy,
        status=status,
        due_date=DUE if status != ReportStatus.DIARSIPKAN else None,
        created_at=moment,
        updated_at=moment,
    )


@pytest.mark.parametrize("tr", CATALOGS.all(), ids=lambda tr: tr.language)
def test_the_card_and_list_lines_read_as_words_in_every_status(
    tr: Translator, deps: HandlerDeps
) -> None:
    desa = Unit(id=2, code="desa-sepaso", name="Desa Sepaso", kind="desa")
    kecamatan = Unit(id=3, code="kec-bengalon", name="Kecamatan Bengalon", kind="kecamatan")
    problems = {}
    for status in ReportStatus:
        for privacy in Privacy:
            for kind in ReportType:
                report = _report(status, privacy, kind)
                for coordinator in (False, True):
                    view = CardView(
                        unit=desa,
                        citizen=None,
                        show_identity=coordinator,
                        photo_count=0,
                        coordinator=coordinator,
                        today=TODAY,
                        moved_from=kecamatan,
                        moved_reason="Jalan desa, bukan kecamatan.",
                    )
                    text = card_text(tr, deps, report, view)
                    line = report_line(tr, deps, report, TODAY, desa)
                    for shown in (text, line):
                        if key_like(shown):
                            problems[(status, privacy, kind, coordinator)] = key_like(shown)
    assert problems == {}
