"""Ready answers (templat jawaban) in the console: the page that keeps them (``/templat``) and
the templates offered under the report page's Jawab pelapor, Minta info and Selesai forms.

The rules are the group's (``core.templates``: an unknown fill-in, words too long once filled, a
title too long are refused when saved) and so is the storage (``storage.answer_templates``): a
unit keeps its own templates and reads the kabupaten-wide ones, which the coordinator keeps. A
template picked under a form is a plain link (the CSP allows no inline script) that reloads the
report page with the form's text filled in, to be edited before it is sent.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from aiohttp import web
from babel.dates import format_date
from sqlalchemy.ext.asyncio import AsyncSession

from core.permissions import CaseAction, UnitKind
from core.regions import place_name
from core.roles import GroupAction, GroupRole, may
from core.templates import (
    FILL_INS,
    OFFERED_MAX,
    TEMPLATE_MAX,
    TITLE_MAX,
    Draft,
    fill,
    problem,
    unknown_fill_ins,
)
from locales import Translator
from storage import answer_templates as stored
from storage.models import AnswerTemplate, Report
from web.console import csrf
from web.console.audit import AuditAction, record
from web.console.auth import Viewer
from web.console.config import ConsoleConfig
from web.console.context import CONFIG, SESSIONS, Refusal, translator, viewer
from web.console.templating import page

#: The report page's forms that offer templates (as the group's prompts do).
OFFERED_FOR = (CaseAction.ANSWER, CaseAction.ASK, CaseAction.DONE)
#: The report page's query: the template picked and the form it fills.
PICKED, FOR = "templat", "untuk"
#: The date a ``{tenggat}`` becomes, as the group writes it.
LONG_DATE = "EEEE, d MMMM y"


def add_routes(router: web.UrlDispatcher) -> None:
    router.add_get("/templat", listing)
    router.add_post("/templat", save)
    router.add_post("/templat/hapus", remove)


def owner(who: Viewer) -> int | None:
    """Whose templates the viewer keeps: their unit's, or the kabupaten's (the coordinator's)."""
    return None if who.unit.kind == UnitKind.COORDINATOR else who.unit.id


def _check_role() -> None:
    # A console session is an admin's of their unit's group (docs/console.md, "Signing in").
    if not may(GroupRole.ADMIN, GroupAction.TEMPLATES):
        raise Refusal(403, "console.error.forbidden")


# --- the page ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Line:
    """A template as the page lists it."""

    id: int
    title: str
    body: str
    category: str
    kabupaten: bool
    removable: bool


def _category(tr: Translator, config: ConsoleConfig, code: str) -> str:
    found = config.category(code) if code else None
    if found is None:
        return tr.t("tpl.every_category")
    return found.name_en if tr.language == "en" else found.name_id


async def _render(
    request: web.Request,
    *,
    status: int = 200,
    error: str = "",
    typed: Mapping[str, str] | None = None,
) -> web.Response:
    tr, who = translator(request), viewer(request)
    config: ConsoleConfig = request.config_dict[CONFIG]
    mine = owner(who)
    async with request.config_dict[SESSIONS]() as session:
        found = await stored.listed(session, mine)
    lines = [
        Line(
            id=t.id,
            title=t.title,
            body=t.body,
            category=_category(tr, config, t.category),
            kabupaten=t.unit_id is None,
            removable=t.unit_id == mine,
        )
        for t in found
    ]
    categories = [
        (c.code, c.name_en if tr.language == "en" else c.name_id) for c in config.categories
    ]
    return page(
        request,
        "ready_answers.html",
        tr.t("console.tpl.title"),
        status=status,
        lines=lines,
        categories=categories,
        fill_ins=", ".join("{" + name + "}" for name in FILL_INS),
        title_max=TITLE_MAX,
        body_max=TEMPLATE_MAX,
        error=error,
        typed=typed or {},
        coordinator=who.is_coordinator,
    )


async def listing(request: web.Request) -> web.Response:
    return await _render(request)


async def _genuine(request: web.Request, subject: str) -> Mapping[str, str]:
    """The form, once its token is checked (a forged one is audited and refused)."""
    config = request.config_dict[CONFIG]
    form = await request.post()
    if not csrf.genuine(request, config, str(form.get(csrf.FIELD, ""))):
        async with request.config_dict[SESSIONS]() as session:
            record(session, request, AuditAction.REFUSED, f"{subject} cross_site")
            await session.commit()
        raise Refusal(403, "console.error.cross_site")
    _check_role()
    return {key: str(value) for key, value in form.items()}


def _refusal_text(tr: Translator, config: ConsoleConfig, draft: Draft) -> str:
    """Why ``draft`` cannot be saved, as the group says it ('' if it can)."""
    wrong = problem(draft)
    if wrong:
        return tr.t(
            f"tpl.refused.{wrong}",
            unknown=", ".join("{" + name + "}" for name in unknown_fill_ins(draft.body)),
            known=", ".join("{" + name + "}" for name in FILL_INS),
            limit=TEMPLATE_MAX if wrong == "too_long" else TITLE_MAX,
        )
    if draft.category and config.category(draft.category) is None:
        codes = ", ".join(c.code for c in config.categories)
        return tr.t("tpl.refused.category", category=draft.category[:20], codes=codes)
    return ""


async def save(request: web.Request) -> web.StreamResponse:
    """``POST /templat``: a new template of the viewer's unit (the kabupaten's for the
    coordinator); a refused one shows the page again with what was typed and why (400)."""
    tr, who = translator(request), viewer(request)
    config: ConsoleConfig = request.config_dict[CONFIG]
    form = await _genuine(request, "templat")
    draft = Draft(
        title=form.get("judul", "").strip(),
        body=form.get("teks", "").strip(),
        category=form.get("kategori", "").strip().lower(),
    )
    wrong = "" if draft.title and draft.body else tr.t("console.tpl.missing")
    wrong = wrong or _refusal_text(tr, config, draft)
    if wrong:
        return await _render(request, status=400, error=wrong, typed=form)
    async with request.config_dict[SESSIONS]() as session:
        template = stored.add(session, owner(who), draft, who.session.user_id or "", config.clock())
        await session.flush()
        record(session, request, AuditAction.TEMPLATE, f"tambah {template.id}")
        await session.commit()
    raise web.HTTPSeeOther("/templat")


async def remove(request: web.Request) -> web.StreamResponse:
    """``POST /templat/hapus``: one of the viewer's own templates goes. Another unit's (or a
    kabupaten-wide one, for a unit) is a 403, written to the audit; a number that is no
    template, a 404."""
    who = viewer(request)
    form = await _genuine(request, "templat hapus")
    raw = form.get("id", "")
    if not raw.isdigit() or len(raw) > 12:
        raise Refusal(404, "console.tpl.not_found")
    async with request.config_dict[SESSIONS]() as session:
        template = await stored.get(session, int(raw))
        if template is None:
            raise Refusal(404, "console.tpl.not_found")
        if template.unit_id != owner(who):
            record(session, request, AuditAction.REFUSED, f"templat hapus {raw}")
            await session.commit()
            raise Refusal(403, "console.error.forbidden")
        await stored.remove(session, owner(who), template.id)
        record(session, request, AuditAction.TEMPLATE, f"hapus {raw}")
        await session.commit()
    raise web.HTTPSeeOther("/templat")


# --- under the report page's forms ---------------------------------------------------------------


@dataclass(frozen=True)
class Offer:
    """The templates offered under each form (action value → (link, title)) and the text a
    picked one puts in its form (action value → words)."""

    links: dict[str, list[tuple[str, str]]]
    filled: dict[str, str]


def filled(config: ConsoleConfig, template: AnswerTemplate, report: Report) -> str:
    """``template``'s words with ``report``'s fill-ins, as the group fills them (Indonesian)."""
    category = config.category(report.category)
    values = {
        "nomor": report.tracking_no,
        "kategori": category.name_id if category else report.category,
        "desa": place_name(config.regions, report.region_code),
        "tenggat": format_date(report.due_date, format=LONG_DATE, locale="id")
        if report.due_date is not None
        else "-",
    }
    return fill(template.body, values)


async def offer(
    session: AsyncSession,
    config: ConsoleConfig,
    report: Report,
    actions: list[str],
    query: Mapping[str, str],
) -> Offer:
    """The templates that fit ``report`` under the forms of ``actions`` that offer them; the
    one ``query`` picked (if it fits the report) filled into its form."""
    wanted: list[str] = [str(a.value) for a in OFFERED_FOR if a.value in actions]
    if not wanted:
        return Offer({}, {})
    found = await stored.fitting(session, report.unit_id, report.category, OFFERED_MAX)
    base = f"/laporan/{report.tracking_no}"
    links = {
        action: [(f"{base}?{PICKED}={t.id}&{FOR}={action}#aksi-{action}", t.title) for t in found]
        for action in wanted
    }
    picked, target = query.get(PICKED, ""), query.get(FOR, "")
    chosen = next((t for t in found if str(t.id) == picked), None)
    texts = {target: filled(config, chosen, report)} if chosen and target in wanted else {}
    return Offer(links, texts)
