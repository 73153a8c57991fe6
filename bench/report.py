"""Numbers from the citizens' samples, and the plain-text table."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from bench.flows import Action, CitizenRun

#: Bot API methods by what they are to the person (the rest: polling, files, set-up).
CALL_KINDS = {
    "sends": ("sendmessage", "sendphoto", "sendmediagroup", "senddocument", "sendlocation"),
    "edits": ("editmessagetext", "editmessagereplymarkup", "editmessagecaption"),
    "deletes": ("deletemessage",),
    "button answers": ("answercallbackquery",),
}


def calls_per_report(methods: dict[str, int], reports: int) -> dict[str, float]:
    """Bot API calls of each kind in :data:`CALL_KINDS`, divided by the reports filed."""
    lower: dict[str, int] = {}
    for method, count in methods.items():
        lower[method.lower()] = lower.get(method.lower(), 0) + count
    return {
        kind: sum(lower.get(m, 0) for m in names) / max(1, reports)
        for kind, names in CALL_KINDS.items()
    }


def percentile(values: Sequence[float], p: float) -> float:
    """Nearest-rank percentile (p in 0..100) of a non-empty sequence."""
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


@dataclass
class BotResult:
    name: str
    users: int
    updates: int
    wall_s: float
    updates_per_s: float
    p50_ms: float
    p99_ms: float
    album_p50_ms: float | None
    peak_rss_mb: float | None
    step_p50_ms: dict[str, float] = field(default_factory=dict)
    # CPU of this process (emulator + simulated users) while the users ran; near 100 % means
    # the harness, not the bot, set the pace.
    harness_cpu_pct: float | None = None
    # CPU of the bot's process (all its threads: the database's too) while the users ran, as a
    # share of one core: near 100 % means the bot's main thread, one core, set the pace.
    bot_cpu_pct: float | None = None
    reports: int | None = None
    reports_per_s: float | None = None
    # Bot API calls per filed report (rows without notifications): messages sent, messages
    # edited (both counted by Telegram's limits) and button answers (not counted).
    calls_per_report: dict[str, float] | None = None

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


def summarise(name: str, runs: Sequence[CitizenRun], peak_rss_mb: float | None) -> BotResult:
    """Wall time is first injection to last reply; p50/p99 over single-update steps."""
    samples = [s for run in runs for s in run.samples]
    wall = max(s.replied for s in samples) - min(s.injected for s in samples)
    updates = sum(s.updates for s in samples)
    single = [s.latency * 1000 for s in samples if s.action is not Action.ALBUM]
    albums = [s.latency * 1000 for s in samples if s.action is Action.ALBUM]
    by_step: dict[str, list[float]] = {}
    for s in samples:
        by_step.setdefault(s.step, []).append(s.latency * 1000)
    return BotResult(
        name=name,
        users=len(runs),
        updates=updates,
        wall_s=wall,
        updates_per_s=updates / wall,
        p50_ms=percentile(single, 50),
        p99_ms=percentile(single, 99),
        album_p50_ms=percentile(albums, 50) if albums else None,
        peak_rss_mb=peak_rss_mb,
        step_p50_ms={step: round(percentile(v, 50), 1) for step, v in by_step.items()},
    )


def _ratio(a: float | None, b: float | None) -> str:
    if a is None or b is None or b == 0:
        return "n/a"
    return f"{a / b:.2f}x"


def _num(value: float | None, digits: int = 1) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


Group = tuple[Sequence[BotResult], BotResult]
"""Kanal Aduan's runs on one framework, and the bare echo bot written with that framework."""


def table(groups: Sequence[Group]) -> str:
    """Every run, then each Kanal Aduan run over the echo bot of its own framework."""
    header = ["bot", "updates", "wall s", "updates/s", "p50 ms", "p99 ms", "peak RSS MB"]
    rows = [
        [
            r.name,
            str(r.updates),
            _num(r.wall_s, 2),
            _num(r.updates_per_s),
            _num(r.p50_ms),
            _num(r.p99_ms),
            _num(r.peak_rss_mb),
        ]
        for kanal, echo in groups
        for r in (*kanal, echo)
    ]
    ratio_rows = [
        [
            f"{r.name} / {echo.name}",
            "",
            _ratio(r.wall_s, echo.wall_s),
            _ratio(r.updates_per_s, echo.updates_per_s),
            _ratio(r.p50_ms, echo.p50_ms),
            _ratio(r.p99_ms, echo.p99_ms),
            _ratio(r.peak_rss_mb, echo.peak_rss_mb),
        ]
        for kanal, echo in groups
        for r in kanal
    ]
    everything = [header, *rows, *ratio_rows]
    widths = [max(len(row[i]) for row in everything) for i in range(len(header))]

    def line(cells: list[str]) -> str:
        first = cells[0].ljust(widths[0])
        rest = (cell.rjust(width) for cell, width in zip(cells[1:], widths[1:], strict=True))
        return "  ".join([first, *rest])

    rule = "-" * len(line(header))
    return "\n".join(
        [line(header), rule, *(line(r) for r in rows), rule, *(line(r) for r in ratio_rows)]
    )


def ratios(kanal: BotResult, echo: BotResult) -> dict[str, float | None]:
    def ratio(a: float | None, b: float | None) -> float | None:
        return None if a is None or b is None or b == 0 else a / b

    return {
        "wall_s": ratio(kanal.wall_s, echo.wall_s),
        "updates_per_s": ratio(kanal.updates_per_s, echo.updates_per_s),
        "p50_ms": ratio(kanal.p50_ms, echo.p50_ms),
        "p99_ms": ratio(kanal.p99_ms, echo.p99_ms),
        "peak_rss_mb": ratio(kanal.peak_rss_mb, echo.peak_rss_mb),
    }
