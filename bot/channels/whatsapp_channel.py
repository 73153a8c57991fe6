"""The WhatsApp Cloud API adapter: the outbox's sends and the media worker's downloads, via pywa.

pywa's async client (``pywa_async.WhatsApp``, on httpx) is used without a server of its own
(``server=None``): updates arrive at ``runtime.whatsapp_webhook``, which stores them in the inbox
as Telegram's do. Its base URL points at Meta's Graph API, or at the loopback fake
(``emulator.whatsapp``) when ``WHATSAPP_API_URL`` names one.

The outbox asks :meth:`WhatsAppChannel.render` instead of ``bot.telegram_render`` for this
channel's rows; :meth:`call` sends what it rendered and answers with the sent messages' numbers
(``bot.whatsapp_events.message_number``), so links and replies work as on Telegram.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
from pywa.types.callback import Button, Section, SectionList, SectionRow
from pywa.types.templates import TemplateLanguage
from pywa_async import errors as wa_errors
from pywa_async.client import WhatsApp

from bot.channels.base import BatchHandler, UpdateHandler
from bot.channels.errors import PermanentError, RetryAfter, TransientError
from bot.wa_templates import TemplateBook
from bot.whatsapp_events import CHANNEL, message_number
from bot.whatsapp_media import UploadedMedia
from bot.whatsapp_render import Op, render_whatsapp
from storage.media_store import CleanStore, is_local

#: Error codes worth waiting for (throughput 130429, pair rate 131056, spam rate 131048).
_WAIT = {130429: 1.0, 131048: 6.0, 131056: 6.0}
_TRANSIENT = {1, 2, 4, 80007, 131000, 131016, 133004}
#: A media id Meta no longer has (expired, deleted): the file is uploaded again.
_MEDIA_GONE = {100, 131053}
METHOD = "whatsapp"
#: An uploaded file's type and neutral name, by its media store name's ending.
_UPLOADS = (
    (".png", "image/png", "foto.png"),
    (".ogg", "audio/ogg", "suara.ogg"),
    (".mp4", "video/mp4", "video.mp4"),
)
#: The error a message gets when the 24-hour window is shut and no template stands in for it.
NO_TEMPLATE = "no_template"


class WhatsAppChannel:
    name = CHANNEL

    def __init__(
        self,
        *,
        phone_number_id: str,
        token: str,
        app_secret: str,
        verify_token: str,
        api_url: str = "",
        media_dir: Path,
        list_button: str = "Pilih",
        more: str = "",
        window: Callable[[str], Awaitable[bool]] | None = None,
        templates: TemplateBook | None = None,
    ) -> None:
        self._session = httpx.AsyncClient(timeout=httpx.Timeout(30.0))
        self.client = WhatsApp(
            phone_id=phone_number_id,
            token=token,
            session=self._session,
            server=None,
            verify_token=verify_token,
            app_secret=app_secret,
            validate_updates=False,
        )
        if api_url:
            version = str(self._session.base_url).rstrip("/").rsplit("/", 1)[-1]
            self._session.base_url = f"{api_url.rstrip('/')}/{version}"
        self._store = CleanStore(media_dir)
        self._uploaded = UploadedMedia(media_dir)
        self._list_button = list_button
        self._more = more
        self._stopped = asyncio.Event()
        # Whether a chat's 24-hour window is open (storage.wa_window); None: always.
        self._window = window
        self._templates = templates

    # --- the Channel protocol ---------------------------------------------------------------

    async def start_polling(
        self, on_update: UpdateHandler, on_batch: BatchHandler | None = None
    ) -> None:
        """WhatsApp pushes (a webhook); nothing is polled."""
        await self._stopped.wait()

    async def stop(self) -> None:
        self._stopped.set()

    async def close(self) -> None:
        await self._session.aclose()

    async def me(self) -> dict[str, Any]:
        return {"id": str(self.client.phone_id), "is_bot": True, "first_name": "WhatsApp"}

    def render(self, action: Any) -> tuple[str, dict[str, Any]]:
        """The outbox's rendering hook (``bot.telegram_render.render`` for Telegram)."""
        ops = render_whatsapp(action, list_button=self._list_button, more=self._more)
        return METHOD, {"ops": ops}

    async def call(self, method: str, params: dict[str, Any]) -> Any:
        if method != METHOD:
            return True  # a Telegram-only call (pin, chat admins): nothing to do here
        sent: list[dict[str, Any]] = []
        ops = params.get("ops", [])
        try:
            if ops and self._window is not None and not await self._window(ops[0]["to"]):
                return await self._outside_window(ops[0]["to"], params.get("notice"))
            for op in ops:
                wamid = await self._send(op)
                if wamid:
                    sent.append({"message_id": message_number(wamid), "wamid": wamid})
        except wa_errors.WhatsAppError as error:
            raise _channel_error(error) from error
        except httpx.HTTPError as error:
            raise TransientError(type(error).__name__) from error
        return sent if sent else True

    async def download(self, file_id: str) -> bytes:
        try:
            media = await self.client.get_media_url(file_id)
            return await self.client.get_media_bytes(url=media.url)
        except wa_errors.WhatsAppError as error:
            raise _channel_error(error) from error
        except httpx.HTTPError as error:
            raise TransientError(type(error).__name__) from error

    async def _outside_window(self, to: str, notice: dict[str, Any] | None) -> Any:
        """The window is shut: the notice's approved template goes in its place (the full
        message waits for the citizen's next one: ``held``), or nothing goes."""
        template = None
        if notice and self._templates is not None:
            template = self._templates.for_notice(notice["key"], notice.get("language", ""))
        if template is None:
            raise PermanentError(f"whatsapp {NO_TEMPLATE}: the 24-hour window is shut")
        values = template.values(notice.get("values", {}) if notice else {})
        body = {"type": "body", "parameters": [{"type": "text", "text": v} for v in values]}
        sent = await self.client.send_template(
            to=to,
            name=template.name,
            language=TemplateLanguage(template.language),
            params=[body] if values else [],
        )
        return [{"message_id": message_number(sent.id), "wamid": sent.id, "held": "template"}]

    # --- one call ----------------------------------------------------------------------------

    async def _send(self, op: Op) -> str:
        to, kind = op["to"], op["op"]
        if kind == "text":
            return (await self.client.send_message(to=to, text=op["text"])).id
        if kind == "buttons":
            buttons = [Button(title=title, callback_data=data) for title, data in op["buttons"]]
            return (await self.client.send_message(to=to, text=op["text"], buttons=buttons)).id
        if kind == "list":
            rows = [
                SectionRow(
                    title=r["title"], callback_data=r["id"], description=r["description"] or None
                )
                for r in op["rows"]
            ]
            listed = SectionList(button_title=op["button"], sections=[Section(title="", rows=rows)])
            return (await self.client.send_message(to=to, text=op["text"], buttons=listed)).id
        if kind == "location_request":
            return (await self.client.request_location(to=to, text=op["text"])).id
        if kind in ("image", "audio", "video"):
            return await self._media(kind, to, op["ref"], op.get("caption", ""))
        return ""

    async def _media(self, kind: str, to: str, ref: str, caption: str) -> str:
        if is_local(ref):
            return await self._local_media(kind, to, ref, caption or None)
        if ref.isdigit():  # a WhatsApp media id
            return await self._send_media(kind, to, ref, caption or None)
        # Another messenger's file id (a unit's photo is carried as a cleaned copy,
        # handlers.carried_media): the words go without it.
        if caption:
            return (await self.client.send_message(to=to, text=caption)).id
        return ""

    async def _send_media(self, kind: str, to: str, media_id: str, caption: str | None) -> str:
        if kind == "audio":  # WhatsApp's audio carries no caption (the render sends the words)
            return (await self.client.send_audio(to=to, audio=media_id, is_voice=True)).id
        if kind == "video":
            return (await self.client.send_video(to=to, video=media_id, caption=caption)).id
        return (await self.client.send_image(to=to, image=media_id, caption=caption)).id

    async def _local_media(self, kind: str, to: str, ref: str, caption: str | None) -> str:
        """A file from the media store (a cleaned image, or a checked voice note or video),
        uploaded once (its media id is remembered: ``bot.whatsapp_media``); a remembered id
        Meta no longer knows is uploaded again."""
        known = await asyncio.to_thread(self._uploaded.get, ref)
        if known is not None:
            try:
                return await self._send_media(kind, to, known, caption)
            except wa_errors.WhatsAppError as error:
                if int(error.code) not in _MEDIA_GONE:
                    raise
                await asyncio.to_thread(self._uploaded.forget, ref)
        content = await asyncio.to_thread(self._store.read, ref)
        if content is None:
            raise PermanentError(f"evidence file missing: {ref}")
        mime_type, filename = next(
            ((m, f) for end, m, f in _UPLOADS if ref.endswith(end)), ("image/jpeg", "foto.jpg")
        )
        media = await self.client.upload_media(
            media=content, mime_type=mime_type, filename=filename
        )
        await asyncio.to_thread(self._uploaded.put, ref, str(media.id))
        return await self._send_media(kind, to, str(media.id), caption)


def _channel_error(error: wa_errors.WhatsAppError) -> Exception:
    code = int(error.code)
    if code in _WAIT:
        return RetryAfter(_WAIT[code], f"whatsapp {code}: {error.message}")
    status = error.status_code or 0
    if code in _TRANSIENT or status >= 500 or error.is_transient or code == 190:
        return TransientError(f"whatsapp {code}: {error.message}")
    return PermanentError(f"whatsapp {code}: {error.message}")
