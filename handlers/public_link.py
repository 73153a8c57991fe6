"""The line that links a reporter's status message to their report's public page
(``/publik/laporan/<nomor>`` on the console's server, docs/public.md); none when
``PUBLIC_BASE_URL`` is unset or the public page is off."""

from __future__ import annotations

from locales import Translator


def public_url(base_url: str, number: str) -> str:
    return f"{base_url}/publik/laporan/{number}"


def with_public_link(tr: Translator, base_url: str, number: str, text: str, limit: int) -> str:
    """``text`` (cut to fit ``limit`` characters) and, when there is a public page, its link."""
    if not base_url:
        return text[:limit]
    line = tr.t("public.status_link", link=public_url(base_url, number))
    return f"{text[: max(limit - len(line) - 2, 0)]}\n\n{line}"
