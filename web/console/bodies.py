"""Rujukan (``/rujukan``): the outside bodies reports are referred to (bukan kewenangan), as the
group's ``/rujukan`` keeps them (``storage.referral_bodies``). Every unit reads the list; the
coordinator adds, edits and removes. Removing only marks a body inactive: the reports referred
to it keep its name and contacts. Each change is audited."""

from __future__ import annotations

from collections.abc import Mapping

from aiohttp import web
from sqlalchemy.ext.asyncio import AsyncSession

from storage import referral_bodies
from storage.models import ReferralBody
from web.console import csrf
from web.console.audit import AuditAction, record
from web.console.context import CONFIG, SESSIONS, Refusal, translator, viewer
from web.console.templating import page

FIELDS = referral_bodies.FIELDS


def add_routes(router: web.UrlDispatcher) -> None:
    router.add_get("/rujukan", listing)
    router.add_post("/rujukan", save)
    router.add_post("/rujukan/hapus", remove)


LIMITS = referral_bodies.LIMITS


async def _render(
    request: web.Request,
    *,
    status: int = 200,
    error: str = "",
    typed: Mapping[str, str] | None = None,
) -> web.Response:
    tr, who = translator(request), viewer(request)
    async with request.config_dict[SESSIONS]() as session:
        bodies = await referral_bodies.active(session)
    return page(
        request,
        "bodies.html",
        tr.t("console.bodies.title"),
        status=status,
        bodies=bodies,
        fields=FIELDS,
        limits=LIMITS,
        keeps=who.is_coordinator,
        error=error,
        typed=typed or {},
    )


async def listing(request: web.Request) -> web.Response:
    return await _render(request)


async def _form(request: web.Request, subject: str) -> dict[str, str]:
    """The coordinator's form, its token checked (anyone else: 403, audited)."""
    config, who = request.config_dict[CONFIG], viewer(request)
    form = await request.post()
    genuine = csrf.genuine(request, config, str(form.get(csrf.FIELD, "")))
    if not genuine or not who.is_coordinator:
        why = "cross_site" if not genuine else "not_coordinator"
        async with request.config_dict[SESSIONS]() as session:
            record(session, request, AuditAction.REFUSED, f"{subject} {why}")
            await session.commit()
        raise Refusal(403, "console.error.cross_site" if not genuine else "console.error.forbidden")
    return {key: str(value) for key, value in form.items()}


async def save(request: web.Request) -> web.StreamResponse:
    """``POST /rujukan``: a new body, or (with ``id``) a body's parts changed."""
    tr = translator(request)
    form = await _form(request, "rujukan")
    parts = {part: " ".join(form.get(part, "").split()) for part in FIELDS}
    wrong = ""
    if not parts["name"]:
        wrong = tr.t("console.bodies.name_needed")
    for part in FIELDS:
        if len(parts[part]) > LIMITS[part]:
            wrong = tr.t(
                "console.bodies.too_long", part=tr.t(f"console.bodies.{part}"), limit=LIMITS[part]
            )
    if wrong:
        return await _render(request, status=400, error=wrong, typed=form)
    raw = form.get("id", "")
    async with request.config_dict[SESSIONS]() as session:
        if raw:
            body = await _body(session, raw)
            for part, value in parts.items():
                setattr(body, part, value)
            subject = f"ubah {body.id}"
        else:
            body = await referral_bodies.add(session, parts, request.config_dict[CONFIG].clock())
            subject = f"tambah {body.id}"
        record(session, request, AuditAction.REFERRAL_BODY, subject)
        await session.commit()
    raise web.HTTPSeeOther("/rujukan")


async def remove(request: web.Request) -> web.StreamResponse:
    """``POST /rujukan/hapus``: the body leaves the list (kept for the reports referred to it)."""
    form = await _form(request, "rujukan hapus")
    async with request.config_dict[SESSIONS]() as session:
        body = await _body(session, form.get("id", ""))
        body.active = False
        record(session, request, AuditAction.REFERRAL_BODY, f"hapus {body.id}")
        await session.commit()
    raise web.HTTPSeeOther("/rujukan")


async def _body(session: AsyncSession, raw: str) -> ReferralBody:
    """A body on the list by its number; a 404 for a number that is none (or removed)."""
    found = (
        await referral_bodies.get(session, int(raw)) if raw.isdigit() and len(raw) < 10 else None
    )
    if found is None or not found.active:
        raise Refusal(404, "console.bodies.not_found")
    return found
