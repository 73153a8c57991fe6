"""The emulator's control API over HTTP: the transport every test-side client shares, and the
knobs of the emulated Telegram (faults, blocked chats, flood limits, files, registered chats,
what the bot was sent and asked). :class:`~emulator.client.EmulatorClient` adds the users."""

from __future__ import annotations

from types import TracebackType
from typing import Any, Self

import aiohttp

JsonDict = dict[str, Any]


class EmulatorError(RuntimeError):
    """The control API refused a request (e.g. a forged button press)."""

    def __init__(self, status: int, description: str) -> None:
        super().__init__(f"{status}: {description}")
        self.status = status
        self.description = description


class ControlSession:
    """One HTTP session with the emulator, as the bot ``token``'s control side."""

    def __init__(self, base_url: str, token: str) -> None:
        self.base_url = base_url.rstrip("/")
        self.token = token
        self._session: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    @property
    def session(self) -> aiohttp.ClientSession:
        # Created lazily so the client can be constructed outside a running event loop.
        if self._session is None:
            self._session = aiohttp.ClientSession()
        return self._session

    # --- transport -------------------------------------------------------------------------
    async def _request(
        self,
        http_method: str,
        path: str,
        *,
        json: Any = None,
        params: dict[str, str] | None = None,
        data: Any = None,
    ) -> Any:
        url = f"{self.base_url}/control/{self.token}/{path}"
        async with self.session.request(
            http_method, url, json=json, params=params, data=data
        ) as response:
            body = await response.json()
            if response.status >= 400:
                description = body.get("description") if isinstance(body, dict) else body
                raise EmulatorError(response.status, str(description))
            return body

    async def call(self, method: str, **params: Any) -> JsonDict:
        """Call the Bot API as the bot would; returns the raw ``{"ok": ...}`` answer."""
        url = f"{self.base_url}/bot{self.token}/{method}"
        async with self.session.post(url, json=params) as response:
            result: JsonDict = await response.json()
            return result

    # --- observing the bot (what it was asked and sent) ---------------------------------------
    async def callback_answers(self, chat_id: int | None = None) -> list[JsonDict]:
        params = {"chat_id": str(chat_id)} if chat_id is not None else None
        result: list[JsonDict] = await self._request("GET", "callback_answers", params=params)
        return result

    async def pending_updates(self) -> list[JsonDict]:
        result: list[JsonDict] = await self._request("GET", "updates")
        return result

    async def stats(self) -> JsonDict:
        result: JsonDict = await self._request("GET", "stats")
        return result

    async def chat_state(self, chat_id: int) -> JsonDict:
        """The emulator's view of a chat: admins, members, pinned ids, the bot's status ..."""
        result: JsonDict = await self._request("GET", "chat", params={"chat_id": str(chat_id)})
        return result

    async def pinned(self, chat_id: int) -> list[int]:
        """Ids of the chat's pinned messages, the newest pin last."""
        state = await self.chat_state(chat_id)
        return [int(message_id) for message_id in state["pinned"]]

    # --- files -----------------------------------------------------------------------------
    async def upload(self, data: bytes, mime_type: str, file_name: str) -> JsonDict:
        form = aiohttp.FormData()
        form.add_field("mime_type", mime_type)
        form.add_field("file_name", file_name)
        form.add_field("file", data, filename=file_name, content_type=mime_type)
        result: JsonDict = await self._request("POST", "files", data=form)
        return result

    async def download(self, file_path: str) -> bytes:
        url = f"{self.base_url}/file/bot{self.token}/{file_path}"
        async with self.session.get(url) as response:
            if response.status != 200:
                raise EmulatorError(response.status, await response.text())
            return await response.read()

    # --- environment -----------------------------------------------------------------------
    async def fault(
        self,
        status: int | None = 500,
        *,
        method: str = "*",
        count: int = 1,
        retry_after: int | None = None,
        delay: float | None = None,
    ) -> JsonDict:
        body: JsonDict = {"method": method, "status": status, "count": count}
        if retry_after is not None:
            body["retry_after"] = retry_after
        if delay is not None:
            body["delay"] = delay
        result: JsonDict = await self._request("POST", "faults", json=body)
        return result

    async def clear_faults(self) -> int:
        """Telegram is healthy again: faults still waiting are dropped; returns how many."""
        result: JsonDict = await self._request("POST", "faults/clear", json={})
        return int(result["cleared"])

    async def block(self, chat_id: int) -> None:
        await self._request("POST", "block", json={"chat_id": chat_id})

    async def unblock(self, chat_id: int) -> None:
        await self._request("POST", "unblock", json={"chat_id": chat_id})

    async def set_flood_limits(
        self,
        enabled: bool,
        *,
        global_per_second: float | None = None,
        chat_per_second: float | None = None,
        chat_burst: float | None = None,
        group_per_minute: float | None = None,
        group_burst: float | None = None,
    ) -> JsonDict:
        """Switch flood limits on or off, with fresh buckets; rates left None are Telegram's."""
        rates = {
            "global_per_second": global_per_second,
            "chat_per_second": chat_per_second,
            "chat_burst": chat_burst,
            "group_per_minute": group_per_minute,
            "group_burst": group_burst,
        }
        body: JsonDict = {"flood_limits": enabled}
        body.update({key: value for key, value in rates.items() if value is not None})
        result: JsonDict = await self._request("POST", "limits", json=body)
        return result

    async def register_chat(
        self,
        chat_id: int,
        chat_type: str = "supergroup",
        title: str = "",
        *,
        admins: list[int] | None = None,
        members: list[int] | None = None,
        user: JsonDict | None = None,
    ) -> JsonDict:
        """Create the chat (a private one named after ``user``), as a person opening it would."""
        body = {
            "chat_id": chat_id,
            "type": chat_type,
            "title": title,
            "admins": admins or [],
            "members": members or [],
            "user": user,
        }
        result: JsonDict = await self._request("POST", "chats", json=body)
        return result

    async def reset(self) -> None:
        await self._request("POST", "reset")
