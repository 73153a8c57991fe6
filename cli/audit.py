"""``aduan audit export --from DATE --to DATE [-o FILE]``: the console's access log as CSV.

The days are the region's (``TIMEZONE``), both included. Without ``-o`` the CSV goes to the
standard output; with it, to a temporary file beside FILE renamed into place once complete.
Each row: when (local time), unit, the officer's Telegram id and name, what, the subject (a
tracking number, a page, a refusal's reason), the console session's id and the address.
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import io
import sys
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from locales import Catalogs, Translator
from runtime.settings import Settings
from storage.console.sessions import audit_between
from storage.db import create_engine, session_factory
from storage.media_store import write_atomically

COLUMNS = ("at", "unit", "user_id", "user_name", "action", "subject", "session_id", "address")


def add_parser(
    commands: argparse._SubParsersAction[argparse.ArgumentParser], tr: Translator
) -> None:
    audit = commands.add_parser("audit", help=tr.t("cli.help.audit"))
    actions = audit.add_subparsers(dest="audit_command", required=True)
    export = actions.add_parser("export", help=tr.t("cli.help.audit.export"))
    export.add_argument("--from", dest="first", required=True, help=tr.t("cli.help.audit.from"))
    export.add_argument("--to", dest="last", required=True, help=tr.t("cli.help.audit.to"))
    export.add_argument("-o", "--output", type=Path, help=tr.t("cli.help.audit.o"))


def _day(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def run(args: argparse.Namespace, settings: Settings) -> int:
    tr = Catalogs(settings.default_language).get(settings.default_language)
    first, last = _day(args.first), _day(args.last)
    if first is None or last is None:
        bad = args.first if first is None else args.last
        print(tr.t("cli.audit.bad_date", value=bad), file=sys.stderr)
        return 2
    if last < first:
        print(tr.t("cli.audit.backwards", first=first, last=last), file=sys.stderr)
        return 2
    output: Path | None = args.output
    if output is not None and not output.parent.is_dir():
        print(tr.t("cli.backup.no_folder", path=output.parent), file=sys.stderr)
        return 2
    zone = ZoneInfo(settings.timezone)
    start = datetime.combine(first, time(), zone)
    end = datetime.combine(last + timedelta(days=1), time(), zone)
    try:
        content, count = asyncio.run(_csv(settings.database_url, start, end, zone))
    except Exception as error:  # an unreachable database or one without the schema
        print(tr.t("cli.audit.unreadable", reason=type(error).__name__), file=sys.stderr)
        return 2
    if output is None:
        sys.stdout.write(content)
    else:
        try:
            write_atomically(output, content.encode("utf-8"))
        except OSError as error:
            reason = error.strerror or type(error).__name__
            print(tr.t("cli.backup.not_writable", path=output, reason=reason), file=sys.stderr)
            return 2
    print(tr.t("cli.audit.done", count=count, first=first, last=last), file=sys.stderr)
    return 0


async def _csv(url: str, start: datetime, end: datetime, zone: ZoneInfo) -> tuple[str, int]:
    engine = create_engine(url)
    try:
        async with session_factory(engine)() as session:
            entries = await audit_between(session, start, end)
    finally:
        await engine.dispose()
    from web.console.cells import cell_value  # here: `aduan run` never loads the console

    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    for entry, unit in entries:
        writer.writerow(
            cell_value(value)
            for value in (
                entry.at.astimezone(zone).isoformat(timespec="seconds"),
                unit,
                entry.user_id,
                entry.user_name,
                entry.action,
                entry.subject,
                "" if entry.session_id is None else entry.session_id,
                entry.address,
            )
        )
    return buffer.getvalue(), len(entries)
