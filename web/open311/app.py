"""The Open311 GeoReport v2 sub-application: ``build_open311_app`` → an aiohttp application that
``aduan console`` mounts at ``/open311/v2/``.

Endpoints (``.xml`` or ``.json``; without an extension, XML): ``discovery``, ``services``,
``services/{service_code}``, ``requests`` (GET, and POST with an API key),
``requests/{service_request_id}``, ``tokens/{token_id}``; and ``media/{service_request_id}``,
the first photo of a public report (the ``media_url`` of its request).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from cases.filing import Filing, file_report
from core.categories import HANDLER_OPD, Category, category_by_code
from core.decisions import Actor
from core.inputs import clean_text
from core.lifecycle import Privacy
from core.open311 import (
    QUERY_WINDOW,
    VERIFIED_EVENT,
    Open311Status,
    statuses_of,
)
from core.permissions import ActorKind
from core.tracking import TrackingCheck, parse_tracking_number
from locales import Translator
from storage.models import Report
from storage.open311 import Open311Repository
from storage.uow import UnitOfWork
from web import security_headers
from web.media import image_response
from web.open311.config import Open311Config
from web.open311.formats import Format, error_response, respond, respond_document
from web.open311.guards import (
    Open311Error,
    check_pace,
    format_of,
    nowhere,
    read_date,
    read_form,
)
from web.open311.posting import api_key, known_category, report_of, requester
from web.open311.public import iso, public_items, service_name, service_notice

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
#: When this API last changed (``discovery``'s changeset).
CHANGESET = datetime.fromisoformat("2026-11-28T00:00:00+00:00")

Clock = Callable[[], datetime]
Handler = Callable[[web.Request, Format], Awaitable[web.StreamResponse]]
log = logging.getLogger(__name__)


class Open311:
    """The endpoints, sharing the configuration, the database and the clock."""

    def __init__(
        self,
        config: Open311Config,
        sessions: Callable[[], AsyncSession],
        clock: Clock,
        filing: Filing | None,
    ) -> None:
        self.config, self.sessions, self.clock, self.filing = config, sessions, clock, filing

    def uow(self) -> UnitOfWork:
        return UnitOfWork(self.sessions)

    def tr(self, request: web.Request) -> Translator:
        wanted = request.query.get("locale", "")[:2].lower()
        return self.config.catalogs.get(wanted or self.config.language)

    # --- the door ------------------------------------------------------------------------------

    def endpoint(self, handler: Handler) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
        async def serve(request: web.Request) -> web.StreamResponse:
            extension = request.match_info.get("ext", "").lower()
            fmt = format_of(extension)
            tr = self.tr(request)
            if extension not in ("", ".xml", ".json"):
                return error_response(fmt, 400, tr.t("open311.error.format"))
            try:
                self._check_jurisdiction(request)
                return await handler(request, fmt)
            except Open311Error as problem:
                answer = error_response(fmt, problem.status, tr.t(problem.key, **problem.values))
                answer.headers.update(problem.headers)
                return answer
            except Exception:  # a bug: logged, and answered in the spec's format all the same
                log.exception("open311: %s %s failed", request.method, request.path)
                return error_response(fmt, 500, tr.t("open311.error.internal"))

        return serve

    def _check_jurisdiction(self, request: web.Request) -> None:
        wanted = request.query.get("jurisdiction_id", "").strip()
        if wanted and wanted != self.jurisdiction:
            raise Open311Error(404, "open311.error.jurisdiction", jurisdiction=wanted[:40])

    @property
    def jurisdiction(self) -> str:
        return self.config.jurisdiction_id or self.config.regions.root.code

    # --- discovery and services ------------------------------------------------------------------

    async def discovery(self, request: web.Request, fmt: Format) -> web.StreamResponse:
        tr = self.tr(request)
        changeset = iso(CHANGESET, self.config.timezone)
        document = {
            "changeset": changeset,
            "contact": self.config.contact or tr.t("open311.contact"),
            "key_service": tr.t("open311.key_service"),
            "endpoints": [
                {
                    "specification": SPECIFICATION,
                    "url": base_url(request, "discovery").rstrip("/"),
                    "changeset": changeset,
                    "type": "production",
                    "formats": ["text/xml", "application/json"],
                }
            ],
        }
        return respond_document(fmt, "discovery", document)

    async def services(self, request: web.Request, fmt: Format) -> web.StreamResponse:
        tr = self.tr(request)
        async with self.uow() as uow:
            names = {unit.code: unit.name for unit in await uow.units.all()}
        items = [self._service(tr, category, names) for category in self.config.categories]
        return respond(fmt, "services", "service", items)

    def _service(self, tr: Translator, category: Category, units: dict[str, str]) -> dict[str, Any]:
        if category.handler == HANDLER_OPD:
            about = tr.t("open311.service.opd", unit=units.get(category.opd, category.opd))
        else:
            about = tr.t(f"open311.service.area.{category.area_level}")
        return {
            "service_code": category.code,
            "service_name": service_name(self.config.categories, category.code, tr.language),
            "description": about,
            "metadata": False,
            "type": "realtime",
            "keywords": "",
            "group": tr.t(
                "open311.group.pengawasan" if category.pengawasan else "open311.group.pengaduan"
            ),
        }

    async def service_definition(self, request: web.Request, fmt: Format) -> web.StreamResponse:
        category = self._category(request.match_info["code"])
        return respond_document(
            fmt, "service_definition", {"service_code": category.code, "attributes": []}
        )

    def _category(self, code: str) -> Category:
        category = category_by_code(self.config.categories, code.strip())
        if category is None:
            raise Open311Error(404, "open311.error.service_code", code=code.strip()[:40])
        return category

    # --- reading requests ------------------------------------------------------------------------

    async def requests(self, request: web.Request, fmt: Format) -> web.StreamResponse:
        query = request.query
        ids = [part for part in query.get("service_request_id", "").split(",") if part.strip()]
        async with self.uow() as uow:
            repo = Open311Repository(uow.session)
            if ids:
                numbers = [self._tracking_number(part) for part in ids]
                reports = await repo.public_reports(
                    privacy=Privacy.BIASA, tracking_numbers=numbers, limit=len(numbers)
                )
            else:
                start, end = self._window(query.get("start_date", ""), query.get("end_date", ""))
                codes = [
                    known_category(self.config, c).code
                    for c in query.get("service_code", "").split(",")
                    if c.strip()
                ]
                reports = await repo.public_reports(
                    privacy=Privacy.BIASA,
                    categories=codes,
                    statuses=self._statuses(query.get("status", "")),
                    start=start,
                    end=end,
                    limit=self.config.max_requests,
                )
            items = await self._items(request, repo, reports)
        return respond(fmt, "service_requests", "request", items)

    async def one_request(self, request: web.Request, fmt: Format) -> web.StreamResponse:
        number = self._tracking_number(request.match_info["id"])
        async with self.uow() as uow:
            repo = Open311Repository(uow.session)
            reports = await repo.public_reports(
                privacy=Privacy.BIASA, tracking_numbers=[number], limit=1
            )
            if not reports:
                raise Open311Error(404, "open311.error.not_found", id=number)
            items = await self._items(request, repo, reports)
        return respond(fmt, "service_requests", "request", items)

    async def token(self, request: web.Request, fmt: Format) -> web.StreamResponse:
        # Requests are filed at once, so no token is ever handed out; a client that asks with
        # the service_request_id it got is answered with it, anything else is unknown.
        token = request.match_info["token"]
        parsed = parse_tracking_number(token)
        if parsed.check == TrackingCheck.VALID:
            async with self.uow() as uow:
                found = await Open311Repository(uow.session).public_reports(
                    privacy=Privacy.BIASA, tracking_numbers=[parsed.number], limit=1
                )
            if found:
                item = {"service_request_id": parsed.number, "token": token}
                return respond(fmt, "service_requests", "request", [item])
        raise Open311Error(404, "open311.error.token", token=token[:40])

    def _tracking_number(self, text: str) -> str:
        parsed = parse_tracking_number(text)
        if parsed.check != TrackingCheck.VALID:
            raise Open311Error(400, "open311.error.request_id", id=text.strip()[:40])
        return parsed.number

    def _statuses(self, text: str) -> list[str]:
        wanted: set[str] = set()
        for part in (p.strip().lower() for p in text.split(",") if p.strip()):
            try:
                wanted |= {s.value for s in statuses_of(Open311Status(part))}
            except ValueError:
                raise Open311Error(400, "open311.error.status", value=part[:40]) from None
        return sorted(wanted)

    def _window(self, start_text: str, end_text: str) -> tuple[datetime, datetime]:
        """GeoReport v2: by default the last 90 days; a range may span at most 90 days."""
        tz = self.config.timezone
        start, end = read_date(start_text, "start_date", tz), read_date(end_text, "end_date", tz)
        if start is None and end is None:
            end = self.clock()
        if start is None:
            assert end is not None
            start = end - QUERY_WINDOW
        if end is None:
            end = start + QUERY_WINDOW
        if end < start:
            raise Open311Error(400, "open311.error.date_order")
        if end - start > QUERY_WINDOW:
            raise Open311Error(400, "open311.error.date_span", days=QUERY_WINDOW.days)
        return start, end

    async def _items(
        self, request: web.Request, repo: Open311Repository, reports: list[Report]
    ) -> list[dict[str, Any]]:
        return await public_items(
            repo,
            reports,
            tr=self.tr(request),
            regions=self.config.regions,
            categories=self.config.categories,
            timezone=self.config.timezone,
            publish=self.config.publish_descriptions,
            base_url=base_url(request, "requests"),
        )

    # --- the photo -------------------------------------------------------------------------------

    async def media(self, request: web.Request, fmt: Format) -> web.StreamResponse:
        number = self._tracking_number(request.match_info["id"])
        async with self.uow() as uow:
            repo = Open311Repository(uow.session)
            reports = await repo.public_reports(
                privacy=Privacy.BIASA, tracking_numbers=[number], limit=1
            )
            report = reports[0] if reports else None
            shown = (
                report is not None
                and self.config.publish_descriptions
                and bool(await repo.verified([report.id], VERIFIED_EVENT))
            )
            photo = (await repo.stored_photos([report.id])).get(report.id) if report else None
        stored = photo.stored_path if photo and shown else None
        served = await image_response(self.config.media_dir, stored, name=f"laporan-{number}")
        if served is None:
            raise Open311Error(404, "open311.error.no_media", id=number)
        return served

    # --- filing a request ------------------------------------------------------------------------

    async def post_request(self, request: web.Request, fmt: Format) -> web.StreamResponse:
        # Free text enters here: control characters go before anything reads or stores it.
        field = {
            k: clean_text(v, multiline=k == "description")
            for k, v in (await read_form(request)).items()
        }
        now = self.clock()
        async with self.uow() as uow:
            repo = Open311Repository(uow.session)
            key = await api_key(self.config, self.filing, repo, field.get("api_key", ""))
            # The key's row is written first: concurrent posts with one key take turns from here
            # (a row lock, or SQLite's one writer), so each counts the ones committed before it.
            await repo.touch_key(key.id, now)
            citizen = await requester(self.config, uow, key, now)
            await check_pace(repo, citizen.id, now, self.config.posts_per_minute)
            report = report_of(self.config, field, now)
            report.citizen_id = citizen.id
            filed_by = Actor(ActorKind.CITIZEN, f"open311:{key.name}"[:64])
            assert self.filing is not None
            await file_report(uow, self.filing, now, report, filed_by=filed_by)
            await uow.commit()
        item = {
            "service_request_id": report.tracking_no,
            "service_notice": service_notice(self.tr(request), report),
            "account_id": field.get("account_id") or None,
        }
        return respond(fmt, "service_requests", "request", [item])


def base_url(request: web.Request, segment: str) -> str:
    """The sub-application's own URL (where it is mounted), from a request to ``segment``."""
    url = str(request.url.with_query(None))
    cut = url.rfind("/" + segment)
    return url[: cut + 1] if cut >= 0 else url


def build_open311_app(
    config: Open311Config,
    sessions: Callable[[], AsyncSession],
    clock: Clock,
    filing: Filing | None = None,
) -> web.Application:
    """The GeoReport v2 application; without a ``filing`` it only reads (POST answers 403).
    Posted reports are filed by ``cases.filing.file_report``, as the chat's are."""
    api = Open311(config, sessions, clock, filing)
    app = web.Application()
    security_headers.install(app)
    ext = "{ext:(\\.[A-Za-z]+)?}"
    get, post, route = app.router.add_get, app.router.add_post, api.endpoint
    get(f"/discovery{ext}", route(api.discovery))
    get(f"/services{ext}", route(api.services))
    get(f"/services/{{code:[^./]+}}{ext}", route(api.service_definition))
    get(f"/requests{ext}", route(api.requests))
    post(f"/requests{ext}", route(api.post_request))
    get(f"/requests/{{id:[^./]+}}{ext}", route(api.one_request))
    get(f"/tokens/{{token:[^./]+}}{ext}", route(api.token))
    get("/media/{id:[^./]+}", route(api.media))
    app.router.add_route("*", "/{path:.*?}{ext:(\\.[A-Za-z]+)?}", route(nowhere))
    return app
