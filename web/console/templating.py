"""The console's pages come from Jinja2 templates (``templates/``, shipped in the package), with
autoescaping on: every value a page shows is escaped by the template, once. Templates get the
viewer's ``t`` (the catalogue's words) and never hold a sentence of their own."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from aiohttp import web
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from web.console import csrf
from web.console.auth import Viewer
from web.console.context import CONFIG, TRANSLATOR, VIEWER
from web.console.figures import number, percent, url
from web.console.periods import SHORTCUTS

TEMPLATES = Path(__file__).parent / "templates"

ENVIRONMENT = Environment(
    loader=FileSystemLoader(TEMPLATES),
    autoescape=True,
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
ENVIRONMENT.filters.update(percent=percent, number=number)
ENVIRONMENT.globals.update(url=url, period_keys=SHORTCUTS)


def page(
    request: web.Request,
    template: str,
    title: str,
    *,
    status: int = 200,
    **values: Any,
) -> web.Response:
    """``template`` rendered in the frame every page shares (menu, language switch, sign-out)."""
    tr = request[TRANSLATOR]
    who: Viewer | None = request.get(VIEWER)
    nav: list[tuple[str, str]] = []
    user = ""
    if who is not None:
        nav = [
            ("/", tr.t("console.nav.overview")),
            ("/laporan", tr.t("console.nav.reports")),
            ("/peta", tr.t("console.nav.map")),
            ("/wilayah", tr.t("console.nav.areas")),
            ("/silang", tr.t("console.nav.cross")),
            ("/petugas", tr.t("console.nav.actors")),
            ("/ringkasan", tr.t("console.nav.summary")),
            ("/pemrosesan", tr.t("console.nav.processing")),
            ("/templat", tr.t("console.nav.templates")),
            ("/rujukan", tr.t("console.nav.bodies")),
            ("/poster", tr.t("console.nav.posters")),
        ]
        if who.is_coordinator:
            nav.append(("/audit", tr.t("console.nav.audit")))
        user = f"{who.session.user_name or tr.t('console.server_admin')} · {who.unit.name}"
    other = "en" if tr.language == "id" else "id"
    html = ENVIRONMENT.get_template(template).render(
        t=tr.t,
        language=tr.language,
        title=title,
        nav=nav,
        user=user,
        switch=url(request.path, {"lang": other}),
        csrf=csrf.token(request, request.config_dict[CONFIG]),
        **values,
    )
    return web.Response(text=html, content_type="text/html", status=status)


def error_page(request: web.Request, status: int, key: str, **values: object) -> web.Response:
    """A 4xx/5xx page that says why (``key`` with ``values``) in the viewer's language."""
    tr = request[TRANSLATOR]
    return page(
        request,
        "notice.html",
        tr.t(f"console.status_title.{status}"),
        status=status,
        text=tr.t(key, **values),
        error=True,
    )
