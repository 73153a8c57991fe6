"""Catatan pemrosesan (``/pemrosesan``): the record of processing personal data that UU 27/2022
(PDP) asks of a controller, generated from the settings the bot runs with, so that it says what
the system does and not what someone once wrote. Every signed-in officer may read it.

For each kind of data: what it is, why it is processed, on which legal basis, who receives it,
how long it is kept and where it is stored; and who the data protection officer is
(``DPO_NAME``, ``DPO_CONTACT``). Retention comes from ``RETENTION_IDENTITY_MONTHS`` and
``RETENTION_MEDIA_MONTHS`` (a legal hold keeps a report past them), ``OUTBOX_RETENTION_DAYS`` and
``ACCESS_LOG_RETENTION_MONTHS``.
"""

from __future__ import annotations

from aiohttp import web

from locales import Translator
from web.console.context import CONFIG, translator, viewer
from web.console.processing_facts import ProcessingFacts
from web.console.templating import page


def add_routes(router: web.UrlDispatcher) -> None:
    router.add_get("/pemrosesan", processing_page)


def _months(tr: Translator, months: int | None) -> str:
    if not months:  # None, or 0 where a setting means "not limited"
        return tr.t("console.ropa.keep.unlimited")
    return tr.t("console.ropa.keep.months", count=months)


def _rows(tr: Translator, facts: ProcessingFacts) -> list[list[str]]:
    basis = tr.t("console.ropa.basis")
    identity_to = tr.t(
        "console.ropa.to.identity.coordinator"
        if facts.coordinator_sees_identity
        else "console.ropa.to.identity"
    )
    report_to = tr.t(
        "console.ropa.to.report.open311" if facts.open311_publishes else "console.ropa.to.report"
    )
    database = tr.t("console.ropa.where.database", engine=facts.engine)
    media = tr.t("console.ropa.where.media")
    outbox = (
        tr.t("console.ropa.keep.unlimited")
        if facts.outbox_days == 0
        else tr.t("console.ropa.keep.days", count=facts.outbox_days)
    )
    identity_kept = _months(tr, facts.identity_months)
    access_kept = (
        tr.t("console.ropa.keep.access.months", period=_months(tr, facts.access_months))
        if facts.access_months
        else tr.t("console.ropa.keep.access")
    )
    return [
        [tr.t("console.ropa.data.identity"), tr.t("console.ropa.why.identity"), basis,
         identity_to, tr.t("console.ropa.keep.after_close", period=identity_kept), database],
        [tr.t("console.ropa.data.report"), tr.t("console.ropa.why.report"), basis,
         report_to, tr.t("console.ropa.keep.archive"), database],
        [tr.t("console.ropa.data.media"), tr.t("console.ropa.why.media"), basis,
         tr.t("console.ropa.to.media"),
         tr.t("console.ropa.keep.after_close", period=_months(tr, facts.media_months)), media],
        [tr.t("console.ropa.data.messages"), tr.t("console.ropa.why.messages"), basis,
         tr.t("console.ropa.to.messages"), outbox, database],
        [tr.t("console.ropa.data.access"), tr.t("console.ropa.why.access"),
         tr.t("console.ropa.basis.access"), tr.t("console.ropa.to.access"),
         access_kept, database],
    ]  # fmt: skip


async def processing_page(request: web.Request) -> web.Response:
    tr = translator(request)
    viewer(request)  # signed in: any unit may read it
    facts: ProcessingFacts = request.config_dict[CONFIG].processing
    if facts.dpo_name or facts.dpo_contact:
        dpo = tr.t("console.ropa.dpo.named", name=facts.dpo_name, contact=facts.dpo_contact)
    else:
        dpo = tr.t("console.ropa.dpo.none")
    headers = [
        tr.t(f"console.ropa.col.{name}") for name in ("data", "why", "basis", "to", "keep", "where")
    ]
    return page(
        request,
        "processing.html",
        tr.t("console.ropa.title"),
        headers=headers,
        rows=_rows(tr, facts),
        dpo=dpo,
    )
