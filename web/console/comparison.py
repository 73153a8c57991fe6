"""The overview's headline figures beside the same figures of the period before
(:func:`web.console.periods.previous`), with the change in words a coordinator reads at a glance:
"▲ naik 3", "▼ turun 12 poin", "= sama"; coloured by whether the change is good news."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from core.lifecycle import ReportStatus
from core.performance import Indicators
from locales import Translator
from web.console.figures import number, percent

#: How a figure is written and compared: a count, a share (0–1, compared in points), a number
#: of working days or a rating (one decimal).
_WRITE: dict[str, Callable[[float | None], str]] = {
    "count": lambda v: "–" if v is None else str(int(v)),
    "share": percent,
    "days": number,
    "rating": number,
}


@dataclass(frozen=True)
class Headline:
    """One headline figure: ``key`` names it; ``value`` reads it from a period's indicators;
    ``better`` is 1 when more is good news, -1 when less is, 0 when neither (reports received)."""

    key: str
    kind: str
    better: int
    value: Callable[[Indicators], float | None]


HEADLINES = (
    Headline("console.ind.received", "count", 0, lambda i: i.received),
    Headline(
        "console.ind.finished", "count", 1, lambda i: i.by_status.get(ReportStatus.SELESAI, 0)
    ),
    Headline("console.ind.verify_on_time", "share", 1, lambda i: i.verify_on_time),
    Headline("console.ind.follow_up_on_time", "share", 1, lambda i: i.follow_up_on_time),
    Headline("console.ind.finish_on_time", "share", 1, lambda i: i.finish_on_time),
    Headline("console.ind.verify_median", "days", -1, lambda i: i.verify_median_days),
    Headline("console.ind.follow_up_median", "days", -1, lambda i: i.follow_up_median_days),
    Headline("console.ind.finish_median", "days", -1, lambda i: i.finish_median_days),
    Headline("console.ind.late_now", "count", -1, lambda i: i.late_now),
    Headline("console.ind.reopened", "count", -1, lambda i: i.reopened),
    Headline("console.ind.rating_average", "rating", 1, lambda i: i.rating_average),
    Headline("console.ind.rating_good", "share", 1, lambda i: i.rating_good_share),
)


@dataclass(frozen=True)
class Compared:
    """A card: the figure's name key, its value, the previous period's, the change in words and
    its tone (``good``, ``bad`` or ``""``)."""

    key: str
    shown: str
    before: str
    change: str
    tone: str


def _delta(kind: str, change: float, tr: Translator) -> str:
    """The size of a change of written values (:func:`_rounded`): a share's in points."""
    size = abs(change)
    if kind == "count":
        return str(int(size))
    if kind == "share":
        return tr.t("console.change.points", n=str(int(size)))
    return number(size)


def _rounded(kind: str, value: float) -> float:
    """The value as it is written (a share in points), so that a change too small to show
    reads as "sama" and the change is the difference of the written values."""
    if kind == "share":
        return round(value * 100)
    if kind == "count":
        return value
    return round(value, 1)


def compare(headline: Headline, now: Indicators, before: Indicators, tr: Translator) -> Compared:
    write = _WRITE[headline.kind]
    value, earlier = headline.value(now), headline.value(before)
    shown, was = write(value), write(earlier)
    if value is None or earlier is None:
        return Compared(headline.key, shown, was, tr.t("console.change.unknown"), "")
    change = _rounded(headline.kind, value) - _rounded(headline.kind, earlier)
    if change == 0:
        return Compared(headline.key, shown, was, tr.t("console.change.same"), "")
    words = "console.change.up" if change > 0 else "console.change.down"
    delta = _delta(headline.kind, change, tr)
    good = headline.better * change
    tone = "good" if good > 0 else "bad" if good < 0 else ""
    return Compared(headline.key, shown, was, tr.t(words, delta=delta), tone)


def headlines(now: Indicators, before: Indicators, tr: Translator) -> list[Compared]:
    """Every headline figure of the period beside the period before's."""
    return [compare(h, now, before, tr) for h in HEADLINES]
