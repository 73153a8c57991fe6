"""A legal hold on a report (🔒 Tahan untuk keperluan hukum), set and lifted by the coordinator
on the report's page: while it exists the retention round (``cases.retention``) keeps the
report's reporter and its evidence files. It changes nothing of the case, so it is written at
once (``report_holds``), not queued for the bot; setting and lifting are in the audit log."""

from __future__ import annotations

from aiohttp import web

from storage.models import ReportHold
from web.console import csrf
from web.console.audit import AuditAction, record
from web.console.context import CONFIG, SESSIONS, Refusal, viewer
from web.console.report_view import visible_report

#: The form's fields: ``tahan`` 1 sets, 0 lifts; ``alasan`` why (required to set).
HOLD_FIELD, REASON_FIELD = "tahan", "alasan"
REASON_MAX = 500


async def set_hold(request: web.Request) -> web.StreamResponse:
    """``POST /laporan/N/tahan``: the coordinator sets (with a reason) or lifts the hold."""
    who = viewer(request)
    config = request.config_dict[CONFIG]
    form = await request.post()
    wanted = str(form.get(HOLD_FIELD, ""))
    reason = str(form.get(REASON_FIELD, "")).strip()[:REASON_MAX]
    subject = f"{request.match_info['tracking'][:20]} hold"
    async with request.config_dict[SESSIONS]() as session:
        if not csrf.genuine(request, config, str(form.get(csrf.FIELD, ""))):
            record(session, request, AuditAction.REFUSED, f"{subject} cross_site")
            await session.commit()
            raise Refusal(403, "console.error.cross_site")
        report = await visible_report(request, session, who)
        if not who.is_coordinator:
            record(session, request, AuditAction.REFUSED, f"{report.tracking_no} hold")
            await session.commit()
            raise Refusal(403, "console.error.forbidden")
        held = await session.get(ReportHold, report.id)
        if wanted == "1":
            if not reason:
                raise Refusal(400, "retention.hold.reason_needed")
            if held is None:
                session.add(
                    ReportHold(
                        report_id=report.id,
                        reason=reason,
                        held_by=who.session.user_id,
                        held_by_name=who.session.user_name,
                        created_at=config.clock(),
                    )
                )
                record(session, request, AuditAction.HOLD, f"{report.tracking_no} {reason}"[:500])
        elif wanted == "0":
            if held is not None:
                await session.delete(held)
                record(session, request, AuditAction.UNHOLD, report.tracking_no)
        else:
            raise Refusal(400, "console.error.http_400")
        await session.commit()
    raise web.HTTPSeeOther(f"/laporan/{report.tracking_no}")


def add_routes(router: web.UrlDispatcher) -> None:
    router.add_post("/laporan/{tracking}/tahan", set_hold)
