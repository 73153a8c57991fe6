"""The monthly summary as one A4 PDF page (fpdf2, core Helvetica, Latin-1 as the posters):
the same figures as the console's ``/ringkasan`` (:mod:`web.console.summary_data`), for the
coordinator's group on the first working day of the next month (``runtime.monthly``).

The page names every category with its count and every unit with a report late, one line each
(the console's page shows the top few beside its charts); a long list is cut to fit the page and
the rest counted."""

from __future__ import annotations

from datetime import date

from fpdf import FPDF
from sqlalchemy.ext.asyncio import AsyncSession

from locales import Translator
from runtime.monthly import MonthPage, MonthRender
from storage.models import Unit
from web.console.auth import visible_units
from web.console.config import ConsoleConfig
from web.console.summary_data import MonthSummary, month_summary
from web.posters.render import BLUE, INK, latin1

#: Lines of a list that still fit on the page with the rest.
MAX_LINES = 18
LEFT = 15.0
WIDTH = 180.0


def month_name(tr: Translator, summary: MonthSummary) -> str:
    return tr.t(f"console.month.{summary.first.month}") + f" {summary.first.year}"


def summary_pdf(tr: Translator, summary: MonthSummary, scope: str, printed_at: str) -> bytes:
    doc = FPDF(orientation="P", unit="mm", format="A4")
    doc.set_auto_page_break(auto=False)
    title = tr.t("console.summary.title", month=month_name(tr, summary))
    doc.set_title(latin1(title))
    doc.add_page()
    doc.set_y(15)
    _text(doc, title, 16, BLUE, bold=True)
    period, earlier = summary.period, summary.earlier
    _text(
        doc,
        tr.t(
            "console.summary.scope",
            unit=scope,
            first=period.first.isoformat(),
            last=period.last.isoformat(),
            before_first=earlier.first.isoformat(),
            before_last=earlier.last.isoformat(),
        ),
        9,
        INK,
    )
    doc.ln(2)
    for card in summary.cards:
        was = tr.t("console.change.before", value=card.before)
        _text(doc, f"{tr.t(card.key)}: {card.shown}  ({was}, {card.change})", 10, INK)
    _heading(doc, tr.t("summary.pdf.categories"))
    _listing(doc, tr, [f"{name}: {n}" for name, n in summary.categories], "console.summary.more")
    _heading(doc, tr.t("console.summary.late_units"))
    if not summary.late:
        _text(doc, tr.t("console.summary.no_late"), 10, INK)
    lines = [
        tr.t("summary.pdf.late_line", unit=u.name, count=u.late, received=u.received)
        for u in summary.late
    ]
    _listing(doc, tr, lines, "console.summary.more_units")
    doc.set_y(280)
    _text(doc, tr.t("console.print.footer", when=printed_at), 8, INK)
    return bytes(doc.output())


def _listing(doc: FPDF, tr: Translator, lines: list[str], more_key: str) -> None:
    for line in lines[:MAX_LINES]:
        _text(doc, "- " + line, 10, INK)
    if len(lines) > MAX_LINES:
        _text(doc, tr.t(more_key, count=len(lines) - MAX_LINES), 10, INK)


def _heading(doc: FPDF, text: str) -> None:
    doc.ln(3)
    _text(doc, text, 12, BLUE, bold=True)


def _text(
    doc: FPDF, text: str, size: float, colour: tuple[int, int, int], bold: bool = False
) -> None:
    doc.set_font("Helvetica", "B" if bold else "", size)
    doc.set_text_color(*colour)
    doc.set_x(LEFT)
    doc.multi_cell(WIDTH, size * 0.45, latin1(text))
    doc.ln(0.8)


def month_renderer(config: ConsoleConfig) -> MonthRender:
    """The summary's page for the monthly job, in the unit's reach as on ``/ringkasan``: the
    coordinator sees every unit, a kecamatan its own reports and its desa's."""

    async def render(
        session: AsyncSession, tr: Translator, unit: Unit, first: date, today: date, printed_at: str
    ) -> MonthPage:
        visible = await visible_units(session, unit)
        summary = await month_summary(
            session, config, tr, visible=visible, own_unit=unit.id, first=first, today=today
        )
        return MonthPage(summary_pdf(tr, summary, unit.name, printed_at), month_name(tr, summary))

    return render
