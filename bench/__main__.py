"""``python -m bench [--citizens N] [--photos K] [--quick] [--framework F] [--json PATH]``.

Kanal Aduan on each framework (``BOT_FRAMEWORK``) against a bare echo bot written with that same
framework, all in one run and one table.

``python -m bench delivery [-n N] [--groups G] [--per-group K] ...``: the outbox's delivery rate
under Telegram's flood limits (see :mod:`bench.delivery`).

``python -m bench --citizens 50 --only-unlimited --baseline REV``: the same rows with the bot of
commit REV first, then this tree's, and a table of before → after with after / before.

``python -m bench crowd [--crowd N] [--baseline DIR]``: 1,000 new users send ``/start`` while one
citizen is in the middle of a report (see :mod:`bench.crowd`).

``python -m bench clock [-n N]``: the clock's overdue scan, digests and rounds over N generated
reports (1,000,000 by default; see :mod:`bench.clock`).

``python -m bench console [--reports N]``: the console's pages and exports over N generated
reports (1,000,000 by default; see :mod:`bench.console`).

``python -m bench workers [--processes 1,2,3] [--citizens N] [--postgres URL]``: reports/s with
1, 2, 3 ... webhook processes on one PostgreSQL database (see :mod:`bench.workers`).

``python -m bench whatsapp [--citizens N] [--messages M]``: a WhatsApp citizen's step latency
beside a Telegram citizen's, and a burst through the fake Graph API (see :mod:`bench.whatsapp`).

``python -m bench crash [--citizens N] [--kills K] [--engine postgresql|sqlite] [--postgres URL]``:
the crash suite, reports filed and handled while the bot is SIGKILLed (see :mod:`bench.crash`).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import sys
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from bench import imports
from bench.baseline import before_after, checkout
from bench.errors import BenchError
from bench.report import ratios, table
from bench.runner import Config, Outcome, run
from core.limits import MAX_PHOTOS

QUICK_CITIZENS = 5


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description=(
            "Kanal Aduan on aiogram and on python-telegram-bot, each against a bare echo bot "
            "written with that framework: same updates, same emulator."
        ),
    )
    parser.add_argument("--citizens", type=int, default=None, help="concurrent users (50)")
    parser.add_argument("--photos", type=int, default=2, help=f"photos per report, 0..{MAX_PHOTOS}")
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_CITIZENS} users: smoke run")
    parser.add_argument("--json", type=Path, help="also write the results as JSON here")
    parser.add_argument(
        "--album-wait",
        type=float,
        default=Config.album_wait,
        help="Kanal Aduan's ALBUM_WAIT_SECONDS (product default %(default)s)",
    )
    parser.add_argument(
        "--skip-unlimited",
        action="store_true",
        help="do not also run Kanal Aduan with every send limit lifted (a third less time)",
    )
    parser.add_argument(
        "--only-unlimited",
        action="store_true",
        help="run Kanal Aduan only with every send limit lifted (its own handling cost)",
    )
    parser.add_argument(
        "--framework",
        action="append",
        choices=Config.frameworks,
        help="only this BOT_FRAMEWORK (repeatable; default: all of %(choices)s)",
    )
    parser.add_argument(
        "--think",
        type=float,
        default=0.0,
        help="each user's pause in seconds before its next step, as a person reads (0: none)",
    )
    parser.add_argument(
        "--notifications",
        type=int,
        default=0,
        help="also run Kanal Aduan with this many notifications queued as the users start (600)",
    )
    parser.add_argument(
        "--profile",
        type=Path,
        help="run each Kanal Aduan bot under pyinstrument (pip install pyinstrument), "
        "a text report per run in this folder",
    )
    parser.add_argument(
        "--baseline",
        metavar="REV",
        help="an earlier commit (any git revision: its files are exported for the run) or a "
        "folder holding a checkout: each Kanal Aduan row also runs with that version's bot, "
        "and a before/after table gives after / before, all in one run",
    )
    parser.add_argument(
        "--keep", action="store_true", help="keep the temp dir (database, media, bot logs)"
    )
    return parser


def _config(
    args: argparse.Namespace, parser: argparse.ArgumentParser, baseline: Path | None = None
) -> Config:
    if args.citizens is not None:
        citizens = args.citizens
    else:
        citizens = QUICK_CITIZENS if args.quick else Config.citizens
    if citizens < 1:
        parser.error("--citizens must be at least 1")
    if not 0 <= args.photos <= MAX_PHOTOS:
        parser.error(f"--photos must be between 0 and {MAX_PHOTOS}")
    if args.think < 0 or args.notifications < 0:
        parser.error("--think and --notifications must not be negative")
    if args.album_wait < 0:
        parser.error("--album-wait must not be negative")
    return Config(
        citizens=citizens,
        photos=args.photos,
        album_wait=args.album_wait,
        unlimited=not args.skip_unlimited,
        shipped=not args.only_unlimited,
        keep=args.keep,
        frameworks=tuple(dict.fromkeys(args.framework or Config.frameworks)),
        think=args.think,
        notifications=args.notifications,
        profile=args.profile,
        baseline=baseline,
    )


def _details(outcome: Outcome, config: Config) -> list[str]:
    lines = [
        f"{r.name}: {r.reports} reports in {r.wall_s:.2f} s = {r.reports_per_s or 0:.2f} reports/s"
        for group in outcome.frameworks
        for r in group.kanal
    ]
    lines.append(
        f"database checked after each Kanal Aduan run: exactly {config.citizens} reports, "
        f"{config.citizens * config.photos} photos stored, every update processed"
    )
    albums = [(r.name, r.album_p50_ms) for r in outcome.results]
    if all(ms is not None for _, ms in albums):
        shown = ", ".join(f"{name} {ms:.0f} ms" for name, ms in albums)
        lines.append(
            f"album step ({config.photos} photos; not in p50/p99) p50: {shown} "
            f"(Kanal Aduan waits ALBUM_WAIT_SECONDS={config.album_wait:g} for more items)"
        )
    for group in outcome.frameworks:
        for r in group.kanal:
            if r.calls_per_report is not None:
                shown = ", ".join(f"{n:.1f} {kind}" for kind, n in r.calls_per_report.items())
                lines.append(f"{r.name}: Bot API calls per report: {shown}")
    harness = ", ".join(
        f"{r.name} {r.harness_cpu_pct:.0f} %"
        for r in outcome.results
        if r.harness_cpu_pct is not None
    )
    lines.append(f"harness CPU (emulator + users, one process) while users ran: {harness}")
    bots = ", ".join(
        f"{r.name} {r.bot_cpu_pct:.0f} %" for r in outcome.results if r.bot_cpu_pct is not None
    )
    if bots:
        lines.append(f"bot CPU (all its threads; 100 % = one core) while users ran: {bots}")
    return lines + [f"note: {note}" for note in outcome.notes]


def _json(outcome: Outcome, config: Config) -> dict[str, Any]:
    return {
        "config": {
            "citizens": config.citizens,
            "photos": config.photos,
            "album_wait_seconds": config.album_wait,
            "think_seconds": config.think,
            "notifications": config.notifications,
            "polling_timeout": config.polling_timeout,
        },
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
        },
        "results": [r.as_json() for r in outcome.results],
        "ratios_over_echo": {
            r.name: ratios(r, group.echo) for group in outcome.frameworks for r in group.kanal
        },
        "notes": outcome.notes,
    }


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] in (["delivery"], ["--delivery"]):
        # The outbox under Telegram's flood limits: a separate benchmark with its own options.
        from bench import delivery

        return delivery.main(argv[1:])
    if argv[:1] == ["crowd"]:
        # 1,000 new users send /start while one citizen is in the middle of a report.
        from bench import crowd

        return crowd.main(argv[1:])
    if argv[:1] == ["clock"]:
        # The clock's scans and rounds over a generated database of a million reports.
        from bench import clock

        return clock.main(argv[1:])
    if argv[:1] == ["workers"]:
        # Throughput with 1, 2, 3 ... webhook processes on one PostgreSQL database.
        from bench import workers

        return workers.main(argv[1:])
    if argv[:1] == ["memory"]:
        # 10,000 citizens each holding an open draft against the idle bot's memory (issue 13).
        from bench import memory

        return memory.main(argv[1:])
    if argv[:1] == ["crash"]:
        # The crash suite: reports filed and handled while the bot is SIGKILLed 100 times.
        from bench import crash

        return crash.main(argv[1:])
    if argv[:1] == ["whatsapp"]:
        # A WhatsApp citizen's step latency beside a Telegram citizen's, and a burst through
        # the fake Graph API under Meta's throughput and pair rate.
        from bench import whatsapp

        return whatsapp.main(argv[1:])
    if argv[:1] == ["console"]:
        # The console's pages and exports over a generated database of a million reports.
        from bench import console

        return console.main(argv[1:])
    parser = _parser()
    args = parser.parse_args(argv)
    _config(args, parser)  # the options' errors before any export
    try:
        with ExitStack() as stack:
            baseline, label = None, ""
            if args.baseline:
                baseline, label = stack.enter_context(checkout(args.baseline))
            config = _config(args, parser, baseline)
            outcome = asyncio.run(run(config))
    except BenchError as error:
        print(f"BENCHMARK FAILED: {error}", file=sys.stderr)
        return 1
    print()
    print(
        f"{config.citizens} users, {config.photos} photos each, "
        f"{os.cpu_count()} CPUs, Python {platform.python_version()}"
    )
    print(table([(group.kanal, group.echo) for group in outcome.frameworks]))
    for line in _details(outcome, config):
        print(line)
    if baseline is not None:
        print()
        print(f"before = {label}, after = this tree; after / before in brackets")
        print(before_after(outcome.results))
    try:  # what the bot holds before it does anything, one row per framework
        rows = imports.table(config.frameworks)
    except BenchError as error:
        print(f"BENCHMARK FAILED: {error}", file=sys.stderr)
        return 1
    print("\n" + "\n".join(rows))
    if outcome.workdir:
        print(f"kept: {outcome.workdir}")
    if args.json:
        results = _json(outcome, config)
        if baseline is not None:
            results["baseline"] = label
        args.json.write_text(json.dumps(results, indent=2) + "\n")
        print(f"JSON written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
