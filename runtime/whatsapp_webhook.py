"""The WhatsApp Cloud API webhook: Meta's verification challenge and its signed POSTs.

* ``GET WHATSAPP_WEBHOOK_PATH?hub.mode=subscribe&hub.verify_token=...&hub.challenge=...``:
  the challenge is echoed when the verify token matches (compared in constant time), 403
  otherwise.
* ``POST WHATSAPP_WEBHOOK_PATH``: the ``X-Hub-Signature-256`` header must be the HMAC-SHA256 of
  the body with the app secret (pywa's validator, ``hmac.compare_digest``): a missing or wrong
  one is answered 403 and nothing is stored. A webhook for another phone number id is refused
  the same way. Each message becomes one inbox update (``bot.whatsapp_events``), all of one POST
  in one transaction, and only then is 200 returned: a POST whose answer Meta did not get comes
  again, and its message ids are recognised (stored once). Delivery statuses are stored per
  message in the same request, after its messages (``runtime.whatsapp_status``).
"""

from __future__ import annotations

import hmac
import json
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, Any

from pywa.utils import webhook_updates_validator

from bot.whatsapp_events import message_number
from runtime.whatsapp_status import StoreStatuses, statuses_in

if TYPE_CHECKING:
    from aiohttp import web

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Hub-Signature-256"
StoreUpdates = Callable[[Sequence[dict[str, Any]]], Awaitable[int]]


class NotOursError(ValueError):
    """The webhook is for another phone number of the business account."""


def updates_of(body: dict[str, Any], phone_number_id: str) -> list[dict[str, Any]]:
    """The inbox updates in a webhook body: one per message, with its sender's contact."""
    updates: list[dict[str, Any]] = []
    for entry in body.get("entry") or []:
        for change in entry.get("changes") or []:
            value = change.get("value") or {}
            metadata = value.get("metadata") or {}
            if str(metadata.get("phone_number_id", "")) != phone_number_id:
                raise NotOursError(str(metadata.get("phone_number_id", "")))
            contacts = {str(c.get("wa_id", "")): c for c in value.get("contacts") or []}
            for message in value.get("messages") or []:
                sender = str(message.get("from", ""))
                updates.append(
                    {
                        "update_id": message_number(str(message.get("id", ""))),
                        "whatsapp": {"message": message, "contact": contacts.get(sender, {})},
                    }
                )
    return updates


class WhatsAppWebhook:
    def __init__(
        self,
        *,
        path: str,
        phone_number_id: str,
        app_secret: str,
        verify_token: str,
        store: StoreUpdates,
        store_statuses: StoreStatuses | None = None,
    ) -> None:
        self.path = path
        self._phone = phone_number_id
        self._secret = app_secret
        self._verify = verify_token.encode()
        self._store = store
        self._statuses = store_statuses

    def add_routes(self, app: web.Application) -> None:
        app.router.add_get(self.path, self._challenge)
        app.router.add_post(self.path, self._update)

    async def _challenge(self, request: web.Request) -> web.Response:
        from aiohttp import web

        query = request.query
        given = query.get("hub.verify_token", "").encode()
        if query.get("hub.mode") != "subscribe" or not hmac.compare_digest(given, self._verify):
            return web.Response(status=403, text="wrong verify token")
        return web.Response(text=query.get("hub.challenge", ""))

    async def _update(self, request: web.Request) -> web.Response:
        from aiohttp import web

        try:
            body = await request.read()
        except web.HTTPRequestEntityTooLarge:
            return web.Response(status=413, text="body too large")
        signature = request.headers.get(SIGNATURE_HEADER, "")
        if not signature or not webhook_updates_validator(self._secret, body, signature):
            return web.Response(status=403, text="bad signature")
        try:
            parsed = json.loads(body)
            if not isinstance(parsed, dict):
                raise ValueError("not an object")
            updates = updates_of(parsed, self._phone)
            news = statuses_in(parsed) if self._statuses is not None else []
        except NotOursError:
            log.warning("refused a WhatsApp webhook for another phone number id")
            return web.Response(status=403, text="unknown phone number id")
        except (ValueError, TypeError, AttributeError, KeyError):
            return web.Response(status=400, text="not a WhatsApp webhook")
        try:
            if updates:
                await self._store(updates)
            if news and self._statuses is not None:
                await self._statuses(news)
        except Exception as error:  # not stored: Meta delivers it again
            log.error("WhatsApp webhook not stored: %s", type(error).__name__)
            return web.Response(status=500, text="not stored")
        return web.Response(status=200, text="ok")
