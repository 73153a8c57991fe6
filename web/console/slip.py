"""The counter slip (tanda terima) of a report filed on a citizen's behalf (``/loket``), printable
from the console: the tracking number, how it came, the verification's date, and how the citizen
follows it in their own chat (``/klaim NOMOR KODE``).

The claim code is stored only as its hash (``core.counter``), so the console cannot show the one
the bot gave at filing. Printing the slip with a code issues a **new** code (the old one stops
working, the wrong-code count starts again), shown once on that page; only the filing unit and
the coordinator may, and only until the report is claimed. Every slip view and new code is
audited."""

from __future__ import annotations

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from core.counter import claim_hash, new_claim_code
from storage.counter import filing_of
from storage.models import CounterFiling, Report
from web.console import csrf
from web.console.audit import AuditAction, record, refuse
from web.console.auth import Viewer
from web.console.context import CONFIG, SESSIONS, Refusal, translator, viewer
from web.console.report_view import may_print, visible_report
from web.console.templating import page

PATH = "/laporan/{tracking}/tanda-terima"


def add_routes(router: web.UrlDispatcher) -> None:
    router.add_get(PATH, show)
    router.add_post(PATH, new_code)


async def _filing(
    request: web.Request, session: AsyncSession, who: Viewer
) -> tuple[Report, CounterFiling]:
    report = await visible_report(request, session, who)
    filing = await filing_of(session, report.id)
    if filing is None:
        raise Refusal(404, "console.slip.none", number=report.tracking_no)
    if not may_print(who, filing):
        await refuse(session, request, f"{report.tracking_no} slip")
    return report, filing


def _render(request: web.Request, report: Report, filing: CounterFiling, code: str) -> web.Response:
    tr = translator(request)
    config = request.config_dict[CONFIG]
    due = report.due_date.isoformat() if report.due_date else "-"
    filed = filing.created_at.astimezone(config.timezone).strftime("%Y-%m-%d %H:%M")
    claimed = (
        filing.claimed_at.astimezone(config.timezone).strftime("%Y-%m-%d %H:%M")
        if filing.claimed_at
        else ""
    )
    response = page(
        request,
        "slip.html",
        tr.t("console.slip.title", number=report.tracking_no),
        number=report.tracking_no,
        via=tr.t(f"console.slip.via.{filing.via}"),
        filed=filed,
        due=due,
        code=code,
        claimed=claimed,
        back=f"/laporan/{report.tracking_no}",
    )
    response.headers["Cache-Control"] = "no-store"  # a code is shown once, never cached
    return response


async def show(request: web.Request) -> web.Response:
    who = viewer(request)
    async with request.config_dict[SESSIONS]() as session:
        report, filing = await _filing(request, session, who)
        record(session, request, AuditAction.VIEW, f"{report.tracking_no} slip")
        await session.commit()
    return _render(request, report, filing, "")


async def new_code(request: web.Request) -> web.Response:
    """A new claim code for the slip (the old one stops working); refused once claimed."""
    who = viewer(request)
    config = request.config_dict[CONFIG]
    form = await request.post()
    if not csrf.genuine(request, config, str(form.get(csrf.FIELD, ""))):
        async with request.config_dict[SESSIONS]() as session:
            record(session, request, AuditAction.REFUSED, "slip cross_site")
            await session.commit()
        raise Refusal(403, "console.error.cross_site")
    async with request.config_dict[SESSIONS]() as session:
        report, filing = await _filing(request, session, who)
        if filing.claimed_at is not None:
            raise Refusal(409, "console.slip.claimed_already", number=report.tracking_no)
        code = new_claim_code()
        filing.claim_hash = claim_hash(report.tracking_no, code)
        filing.claim_failures = 0
        filing.claim_held_until = None
        record(session, request, AuditAction.SLIP, f"{report.tracking_no} kode baru")
        await session.commit()
    return _render(request, report, filing, code)
