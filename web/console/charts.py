"""Charts drawn on the server as SVG shapes (no script; the policy allows no inline style, so
colours come from the stylesheet's classes and sizes from the shapes' own attributes)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

#: The drawing's units: a bar chart is WIDTH wide, each bar ROW high with its label at the left.
WIDTH, ROW, LABEL, VALUE = 400, 18, 150, 36


@dataclass(frozen=True)
class SvgBar:
    """One horizontal bar: its label and value as text, where they stand, the bar's size."""

    label: str
    shown: str
    y: int
    text_y: int
    width: int


@dataclass(frozen=True)
class SvgChart:
    """A horizontal bar chart: the drawing's height and its bars (``tone``: the bars' class)."""

    height: int
    bars: tuple[SvgBar, ...]
    tone: str = ""
    label_x: int = LABEL - 6
    bar_x: int = LABEL
    value_x: int = WIDTH
    bar_height: int = ROW - 5
    width: int = WIDTH


def bar_chart(items: Sequence[tuple[str, int]], tone: str = "") -> SvgChart:
    """Counts as bars, the largest the whole track; a label too long for its place is cut."""
    track = WIDTH - LABEL - VALUE
    top = max((n for _, n in items), default=0) or 1
    bars = tuple(
        SvgBar(
            label if len(label) <= 24 else label[:23] + "…",
            str(n),
            i * ROW + 2,
            i * ROW + ROW - 5,
            max(round(track * n / top), 1 if n else 0),
        )
        for i, (label, n) in enumerate(items)
    )
    return SvgChart(max(len(items), 1) * ROW, bars, tone)
