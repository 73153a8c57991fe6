"""Merging a duplicate from the console: the open originals it may be merged into, and the one
the form names (picked among the laporan serupa, or its tracking number typed).

The choices are the group's Arsipkan → Duplikat picker's (``cases.supporters.originals``); the
bot checks the original again when it takes the request (``handlers.console_requests``)."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from cases.supporters import may_merge, originals
from core.tracking import TrackingCheck, parse_tracking_number
from locales import Translator
from storage.console import report_by_tracking
from storage.models import Report
from storage.supporters import SupporterRepository
from web.console.auth import Viewer
from web.console.config import ConsoleConfig
from web.console.context import Refusal

#: The form's fields: the original picked among the similar reports, or typed.
PICKED = "asli"
TYPED = "asli_nomor"


async def choices(
    session: AsyncSession, tr: Translator, config: ConsoleConfig, who: Viewer, report: Report
) -> list[tuple[str, str]]:
    """The similar open reports ``report`` may be merged into that the viewer may see (a unit
    is not shown another unit's reports): (tracking number, words)."""
    found = await originals(
        SupporterRepository(session),
        report,
        config.clock(),
        radius_m=config.similar_radius_meters,
        days=config.similar_days,
    )
    return [
        (
            r.tracking_no,
            tr.t(
                "console.merge.choice",
                number=r.tracking_no,
                day=r.created_at.astimezone(config.timezone).date().isoformat(),
                status=tr.t(f"console.status.{r.status}"),
            ),
        )
        for r in found
        if who.may_see(r.unit_id)
    ]


async def original_of(
    session: AsyncSession, who: Viewer, report: Report, typed: str, picked: str
) -> Report:
    """The original the form names (what was typed wins over what was picked); a
    :class:`Refusal` when it names none ``report`` may be merged into, or one the viewer may
    not see (as if there were none)."""
    raw = (typed.strip() or picked.strip())[:40]
    parsed = parse_tracking_number(raw) if raw else None
    if parsed is None or parsed.check != TrackingCheck.VALID:
        raise Refusal(400, "case.refused.original_required")
    found = await report_by_tracking(session, parsed.number.replace("-", ""))
    if not may_merge(report, found) or found is None or not who.may_see(found.unit_id):
        raise Refusal(400, "case.refused.original_required")
    assert found is not None
    return found
