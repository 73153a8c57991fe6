"""Server-rendered HTML: one layout and a few helpers. Every value is escaped here, once."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from html import escape
from urllib.parse import urlencode

from locales import Translator


def esc(value: object) -> str:
    return escape("" if value is None else str(value), quote=True)


def link(href: str, text: str, *, cls: str = "") -> str:
    extra = f' class="{esc(cls)}"' if cls else ""
    return f'<a href="{esc(href)}"{extra}>{esc(text)}</a>'


def url(path: str, params: Mapping[str, str | int | None]) -> str:
    kept = {k: str(v) for k, v in params.items() if v not in (None, "")}
    return f"{path}?{urlencode(kept)}" if kept else path


def table(headers: Sequence[str], rows: Iterable[Sequence[str]], *, raw: bool = False) -> str:
    """A table; cells are escaped unless ``raw`` (then the caller escaped them)."""
    head = "".join(f"<th>{h if raw else esc(h)}</th>" for h in headers)
    body = "".join(
        "<tr>" + "".join(f"<td>{c if raw else esc(c)}</td>" for c in row) + "</tr>" for row in rows
    )
    grid = f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    return f'<div class="scroll">{grid}</div>'


def percent(value: float | None) -> str:
    return "–" if value is None else f"{value * 100:.0f}%"


def number(value: float | None, digits: int = 1) -> str:
    return "–" if value is None else f"{value:.{digits}f}".replace(".", ",")


def bars(tr: Translator, items: Sequence[tuple[str, int]]) -> str:
    """A horizontal bar chart drawn with CSS widths (no script, nothing fetched); a bar's width
    is one of the stylesheet's classes ``w0`` … ``w100`` (the policy allows no inline style)."""
    top = max((n for _, n in items), default=0) or 1
    return _bars(tr, [(label, n / top, str(n)) for label, n in items])


def share_bars(tr: Translator, items: Sequence[tuple[str, float | None]]) -> str:
    """Bars of shares (0–1) against 100 %; a share that cannot be known yet shows "–"."""
    return _bars(tr, [(label, value, percent(value)) for label, value in items])


def _bars(tr: Translator, items: Sequence[tuple[str, float | None, str]]) -> str:
    if not items:
        return f"<p>{esc(tr.t('console.none'))}</p>"
    lines = "".join(
        f'<div class="bar"><span class="label">{esc(label)}</span>'
        f'<span class="fill w{_width(width)}"></span>'
        f'<span class="n">{esc(shown)}</span></div>'
        for label, width, shown in items
    )
    return f'<div class="bars">{lines}</div>'


def layout(
    tr: Translator,
    title: str,
    body: str,
    *,
    nav: Sequence[tuple[str, str]] = (),
    user: str = "",
    path: str = "/",
    csrf: str = "",
) -> str:
    other = "en" if tr.language == "id" else "id"
    menu = "".join(f"<li>{link(href, text)}</li>" for href, text in nav)
    logout = (
        f'<form method="post" action="/keluar" class="inline">'
        f'<input type="hidden" name="csrf" value="{esc(csrf)}">'
        f'<span class="who">{esc(user)}</span> '
        f'<button type="submit">{esc(tr.t("console.logout"))}</button></form>'
        if user
        else ""
    )
    switch = link(url(path, {"lang": other}), tr.t("console.switch_language"))
    return (
        f'<!doctype html><html lang="{tr.language}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc(title)} · {esc(tr.t('console.name'))}</title>"
        '<link rel="stylesheet" href="/static/console.css"></head><body>'
        f'<header><strong>{esc(tr.t("console.name"))}</strong><ul class="nav">{menu}</ul>'
        f'<div class="right">{switch} {logout}</div></header>'
        f"<main><h1>{esc(title)}</h1>{body}</main></body></html>"
    )


def _width(share: float | None) -> int:
    """Percent of the bar's track; a share not known yet draws nothing, a tiny one a sliver."""
    return 0 if share is None else max(int(share * 100), 1)
