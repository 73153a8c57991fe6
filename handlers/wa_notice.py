"""What a notice to a WhatsApp citizen carries for the template that stands in for it outside the
24-hour window (bot.wa_templates): its key, the citizen's language, the report's number, status
and deadline in words."""

from __future__ import annotations

from typing import Any

from handlers.formatting import long_date
from locales import Translator
from storage.models import Report

WHATSAPP = "whatsapp"
#: The values a template's parameters may name (bot.wa_templates.PARAMETERS gives examples).
NOTICE_VALUES = ("number", "status", "due")


def wa_notice(tr: Translator, report: Report, key: str) -> dict[str, Any] | None:
    """The payload's ``notice`` for a WhatsApp report's notice (None on other channels)."""
    if report.channel != WHATSAPP:
        return None
    status = tr.t(f"status.label.{report.status}")
    due = long_date(report.due_date, tr.language) if report.due_date else ""
    values = {"number": report.tracking_no, "status": status, "due": due}
    given = {name: values[name] for name in NOTICE_VALUES if values.get(name)}
    return {"notice": {"key": key, "language": tr.language, "values": given}}
