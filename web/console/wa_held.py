"""The report page's "Pesan WhatsApp tertunda": messages to a WhatsApp reporter that waited for
the 24-hour window (storage.wa_window), each with whether it went since and why it waited. The
message's words are not shown: the timeline has what the unit wrote."""

from __future__ import annotations

from datetime import tzinfo

from sqlalchemy.ext.asyncio import AsyncSession

from locales import Translator
from storage.models import Report
from storage.wa_window import held_for_report


def _reason(tr: Translator, reason: str) -> str:
    if reason in ("template", "no_template"):
        return tr.t(f"console.report.wa_held.reason.{reason}")
    return tr.t("console.report.wa_held.reason.other", code=reason)


async def held_lines(
    session: AsyncSession, tr: Translator, report: Report, zone: tzinfo
) -> list[str]:
    if report.channel != "whatsapp" or report.id is None:
        return []
    lines = []
    for held in await held_for_report(session, report.id):
        if held.released_at is None:
            when = held.created_at.astimezone(zone).strftime("%Y-%m-%d %H:%M")
            key = "console.report.wa_held.waiting"
        else:
            when = held.released_at.astimezone(zone).strftime("%Y-%m-%d %H:%M")
            key = "console.report.wa_held.released"
        lines.append(tr.t(key, when=when, reason=_reason(tr, held.reason)))
    return lines
