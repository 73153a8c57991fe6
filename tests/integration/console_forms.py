"""Pressing the console's forms as its own pages do: each POST (and an export) carries the
token the page put in its form (``csrf``), bound to the browser's ``aduan_csrf`` cookie."""

from __future__ import annotations

import re
from typing import Any

from aiohttp import ClientResponse
from aiohttp.test_utils import TestClient

FORM_TOKEN = re.compile(r'name="csrf" value="([^"]+)"')


async def form_token(client: TestClient[Any, Any], path: str = "/masuk/-") -> str:
    """The token of the forms on ``path`` (the sign-in page by default: it has one for anyone)."""
    page = await (await client.get(path)).text()
    found = FORM_TOKEN.search(page)
    assert found, page
    return found.group(1)


async def sign_in(client: TestClient[Any, Any], token: str) -> ClientResponse:
    """Open the login link and press its button."""
    csrf = await form_token(client, f"/masuk/{token}")
    return await client.post(f"/masuk/{token}", data={"csrf": csrf}, allow_redirects=False)


async def post_form(
    client: TestClient[Any, Any], path: str, data: dict[str, str] | None = None
) -> ClientResponse:
    """POST ``data`` to ``path`` with the signed-in page's form token."""
    csrf = await form_token(client, "/")
    return await client.post(path, data={**(data or {}), "csrf": csrf})


async def export(client: TestClient[Any, Any], kind: str, period: str = "30") -> bytes:
    """The file the list's export button ``kind`` downloads for ``periode=period``."""
    response = await post_form(client, "/ekspor", {"format": kind, "periode": period})
    return await response.read()
