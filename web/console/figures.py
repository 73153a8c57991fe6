"""How the console writes numbers, shares, addresses and bar widths: plain text, no markup
(the templates escape whatever they are given)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import urlencode


def url(path: str, params: Mapping[str, str | int | None]) -> str:
    kept = {k: str(v) for k, v in params.items() if v not in (None, "")}
    return f"{path}?{urlencode(kept)}" if kept else path


def percent(value: float | None) -> str:
    return "–" if value is None else f"{value * 100:.0f}%"


def number(value: float | None, digits: int = 1) -> str:
    return "–" if value is None else f"{value:.{digits}f}".replace(".", ",")


@dataclass(frozen=True)
class Bar:
    """One bar of a chart drawn with CSS widths (no script, nothing fetched): ``width`` picks
    one of the stylesheet's classes ``w0`` … ``w100`` (the policy allows no inline style)."""

    label: str
    width: int
    shown: str


def bars(items: Sequence[tuple[str, int]]) -> list[Bar]:
    """Counts, the largest drawn full width."""
    top = max((n for _, n in items), default=0) or 1
    return [Bar(label, _width(n / top), str(n)) for label, n in items]


def share_bars(items: Sequence[tuple[str, float | None]]) -> list[Bar]:
    """Shares (0–1) against 100 %; a share that cannot be known yet shows "–"."""
    return [Bar(label, _width(value), percent(value)) for label, value in items]


def _width(share: float | None) -> int:
    """Percent of the bar's track; a share not known yet draws nothing, a tiny one a sliver."""
    return 0 if share is None else max(int(share * 100), 1)
