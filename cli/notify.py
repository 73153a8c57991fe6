"""``aduan notify --reports FILE [--text FILE]``: a prepared notice (after a data breach, say:
docs/breach.md) to the citizens of the listed reports, through the outbox.

FILE lists tracking numbers (one per line, or separated by spaces or commas; ``#`` starts a
comment). A number that names no report stops the run before anything is queued. Each citizen
gets the notice once, however many listed reports are theirs, in their chat and language; it
goes through the outbox like every message (the bot sends it, paced and retried). Running the
command again with the same text queues nothing new: each queued row carries a mark of the text
(``link_action`` ``notice:<digest>``; it is no reply path), and a citizen whose chat already has
a row with that mark is skipped. An anonymous reporter is reached through their chat only; the
command prints counts and tracking numbers, never a name or a chat.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import re
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select

from core.limits import TELEGRAM_TEXT_MAX
from handlers.actions import SendText
from handlers.outgoing import emit, has_chat
from locales import Catalogs, Translator
from runtime.settings import Settings
from storage.db import create_engine, session_factory
from storage.models import Citizen, OutboxMessage, Report
from storage.uow import UnitOfWork

DEFAULT_KEY = "notify.breach.default"
_SEPARATORS = re.compile(r"[\s,;]+")


def add_parser(
    commands: argparse._SubParsersAction[argparse.ArgumentParser], tr: Translator
) -> None:
    notify = commands.add_parser("notify", help=tr.t("cli.help.notify"))
    notify.add_argument("--reports", type=Path, required=True, help=tr.t("cli.help.notify.reports"))
    notify.add_argument("--text", type=Path, help=tr.t("cli.help.notify.text"))


def dpo_words(tr: Translator, settings: Settings) -> str:
    """Who citizens may ask: the data protection officer when named, else the service."""
    if settings.dpo_name or settings.dpo_contact:
        return tr.t("notify.breach.contact", name=settings.dpo_name, contact=settings.dpo_contact)
    return tr.t("notify.breach.no_contact")


def tracking_numbers(content: str) -> list[str]:
    """The numbers of a reports file, in order, each once."""
    found: list[str] = []
    for line in content.splitlines():
        for word in _SEPARATORS.split(line.split("#", 1)[0]):
            number = word.strip().upper()
            if number and number not in found:
                found.append(number)
    return found


def run(args: argparse.Namespace, settings: Settings) -> int:
    catalogs = Catalogs(settings.default_language)
    tr = catalogs.get(settings.default_language)
    try:
        numbers = tracking_numbers(args.reports.read_text(encoding="utf-8"))
        text_file: Path | None = args.text
        own_text = None if text_file is None else text_file.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as error:
        where = getattr(error, "filename", "") or args.reports
        print(tr.t("cli.notify.unreadable", path=where), file=sys.stderr)
        return 2
    if not numbers:
        print(tr.t("cli.notify.no_numbers", path=args.reports), file=sys.stderr)
        return 2
    if own_text == "":
        print(tr.t("cli.notify.empty_text", path=args.text), file=sys.stderr)
        return 2
    source = own_text if own_text is not None else tr.t(DEFAULT_KEY, contact="")
    mark = "notice:" + hashlib.sha256(source.encode()).hexdigest()[:32]

    def text_for(language: str) -> str:
        if own_text is not None:
            return own_text
        words = catalogs.get(language)
        return words.t(DEFAULT_KEY, contact=dpo_words(words, settings))

    outcome = asyncio.run(_queue(settings.database_url, numbers, mark, text_for))
    if isinstance(outcome, list):
        print(tr.t("cli.notify.unknown", numbers=", ".join(outcome)), file=sys.stderr)
        return 2
    queued, before, unreachable = outcome
    print(tr.t("cli.notify.done", queued=queued, before=before, unreachable=unreachable))
    return 0


async def _queue(
    url: str, numbers: list[str], mark: str, text_for: Callable[[str], str]
) -> tuple[int, int, int] | list[str]:
    """(queued, notified before, not reachable by chat), or the numbers that name no report."""
    engine = create_engine(url)
    try:
        async with UnitOfWork(session_factory(engine)) as uow:
            rows = await uow.session.execute(
                select(Report.tracking_no, Citizen)
                .join(Citizen, Citizen.id == Report.citizen_id)
                .where(Report.tracking_no.in_(numbers))
            )
            found: dict[int, Citizen] = {}
            known: set[str] = set()
            for number, citizen in rows.all():
                known.add(number)
                found[citizen.id] = citizen
            unknown = [n for n in numbers if n not in known]
            if unknown:
                return unknown
            chats = [c.chat_id for c in found.values()]
            already = set(
                await uow.session.scalars(
                    select(OutboxMessage.chat_id).where(
                        OutboxMessage.link_action == mark, OutboxMessage.chat_id.in_(chats)
                    )
                )
            )
            queued = before = unreachable = 0
            now = datetime.now(UTC)
            for citizen in found.values():
                if citizen.chat_id in already:
                    before += 1
                    continue
                if not has_chat(citizen.channel):
                    unreachable += 1
                    continue
                text = text_for(citizen.language)[:TELEGRAM_TEXT_MAX]
                action = SendText(chat_id=citizen.chat_id, text=text)
                emit(uow, citizen.channel, citizen.chat_id, action, now, link_action=mark)
                queued += 1
            await uow.commit()
            return queued, before, unreachable
    finally:
        await engine.dispose()
