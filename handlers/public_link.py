"""The line that links a reporter's status message to their report's public page
(``/publik/laporan/<nomor>/<kunci>`` on the console's server, docs/public.md): the key
(:func:`core.public_key.report_key`) lets the reporter open it whatever the report's privacy;
none when ``PUBLIC_BASE_URL`` is unset or the public page is off."""

from __future__ import annotations

from typing import TYPE_CHECKING

from core.public_key import report_key
from locales import Translator

if TYPE_CHECKING:
    from handlers.deps import HandlerConfig


def public_url(base_url: str, number: str, secret: bytes = b"") -> str:
    key = report_key(secret, number)
    return f"{base_url}/publik/laporan/{number}" + (f"/{key}" if key else "")


def with_public_link(
    tr: Translator, config: HandlerConfig, number: str, text: str, limit: int
) -> str:
    """``text`` (cut to fit ``limit`` characters) and, when there is a public page, its link."""
    if not config.public_base_url:
        return text[:limit]
    link = public_url(config.public_base_url, number, config.callback_secret)
    line = tr.t("public.status_link", link=link)
    return f"{text[: max(limit - len(line) - 2, 0)]}\n\n{line}"
