"""The webhook listener refuses a body that is not a well-formed Telegram update, and answers its
health and metrics paths only to the addresses METRICS_ALLOW names.

Every malformed body gets a 4xx with a short reason and never reaches the inbox, so it can neither
take the place of a genuine update nor make Telegram retry a 500 forever.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from pydantic import SecretStr
from sqlalchemy import select

from cli.webhook import ConfigError, check_run_settings
from handlers.events import Message
from locales import Catalogs
from runtime.clock import ManualClock
from runtime.inbox import InboxProcessor
from runtime.monitor_access import parse_allow
from runtime.settings import Settings
from runtime.webhook import SECRET_HEADER, Listen, WebhookServer
from runtime.webhook_input import MAX_BODY_BYTES, MAX_UPDATE_ID
from storage.models import InboxUpdate
from tests.databases import ENGINES, database_on
from tests.integration.test_runtime import Database, RecordingConversations, processor

SECRET = "rahasia-Kutim_2026"
PATH = "/telegram/webhook"


def message(update_id: Any, chat_id: int, text: str) -> dict[str, Any]:
    return {
        "update_id": update_id,
        "message": {
            "message_id": 1,
            "date": 1_767_574_800,
            "chat": {"id": chat_id, "type": "private", "first_name": "Siti"},
            "from": {"id": chat_id, "is_bot": False, "first_name": "Siti"},
            "text": text,
        },
    }


def raw(text: str) -> bytes:
    return text.encode()


#: Bodies that must be refused, each as the bytes Telegram (or someone holding the secret) sends.
BAD_BODIES: dict[str, bytes] = {
    "update_id_true": json.dumps(message(True, 7, "palsu")).encode(),
    "update_id_false": json.dumps(message(False, 7, "palsu")).encode(),
    "update_id_nan": raw('{"update_id": NaN, "message": {"text": "x"}}'),
    "update_id_infinity": raw('{"update_id": Infinity}'),
    "update_id_2_pow_70": raw(f'{{"update_id": {2**70}}}'),
    "update_id_above_32_bits": raw(f'{{"update_id": {MAX_UPDATE_ID + 1}}}'),
    "update_id_negative": raw('{"update_id": -1}'),
    "update_id_zero": raw('{"update_id": 0}'),
    "update_id_string": raw('{"update_id": "1"}'),
    "update_id_float": raw('{"update_id": 1.0}'),
    "update_id_missing": raw('{"message": {}}'),
    "nan_elsewhere": raw('{"update_id": 11, "message": {"date": NaN}}'),
    "overflowing_float": raw('{"update_id": 12, "message": {"date": 1e999}}'),
    "huge_integer_elsewhere": raw(f'{{"update_id": 13, "message": {{"date": {2**70}}}}}'),
    "long_chat_id": raw(
        f'{{"update_id": 14, "message": {{"chat": {{"id": "{"9" * 300}", "type": "private"}}}}}}'
    ),
    "message_a_string": raw('{"update_id": 20, "message": {"message": "x"}}'),
    "chat_a_list": raw('{"update_id": 21, "message": {"chat": [1, 2]}}'),
    "chat_a_string": raw('{"update_id": 22, "message": {"chat": "abc"}}'),
    "from_a_string": raw('{"update_id": 23, "callback_query": {"from": "idiot"}}'),
    "nested_10000_levels": raw('{"update_id": 15, "message": ' + "[" * 10_000 + "]" * 10_000 + "}"),
    "nested_objects": raw('{"update_id": 16, "x": ' + '{"a": ' * 10_000 + "1" + "}" * 10_001),
    # An unterminated string of escaped quotes: a string scan that started again from every
    # quote took quadratic time on this (minutes for a body of 1 MiB).
    "escaped_quotes_unterminated": raw('{"update_id": 24, "x": "' + '\\"' * 200_000 + "}"),
    "not_an_object": raw("[1, 2]"),
    "a_string": raw('"halo"'),
    "null": raw("null"),
    "not_json": raw("update_id=1"),
    "not_utf8": b'{"update_id": 17, "message": {"text": "\xff\xfe"}}',
    "empty": b"",
    "nul_character": raw('{"update_id": 18, "message": {"text": "a\\u0000b"}}'),
    "lone_surrogate": raw('{"update_id": 19, "message": {"text": "\\ud800"}}'),
}


@pytest.fixture(params=ENGINES)
def engine_name(request: pytest.FixtureRequest) -> str:
    name: str = request.param
    return name


@pytest.fixture
async def db(engine_name: str, tmp_path: Path) -> AsyncIterator[Database]:
    async with database_on(engine_name, tmp_path) as url:
        database = Database(url)
        await database.start()
        yield database
        await database.engine.dispose()


class Listener:
    def __init__(
        self,
        db: Database,
        server: WebhookServer,
        inbox: InboxProcessor,
        conversations: RecordingConversations,
    ) -> None:
        self.db = db
        self.server = server
        self.inbox = inbox
        self.conversations = conversations
        self.base = f"http://127.0.0.1:{server.port}"

    async def post(
        self, body: bytes, secret: str = SECRET, content_type: str = "application/json"
    ) -> tuple[int, str]:
        headers = {SECRET_HEADER: secret, "Content-Type": content_type}
        async with (
            aiohttp.ClientSession() as session,
            session.post(self.base + PATH, data=body, headers=headers) as response,
        ):
            return response.status, await response.text()

    async def get(self, path: str, headers: dict[str, str] | None = None) -> tuple[int, str]:
        async with (
            aiohttp.ClientSession() as session,
            session.get(self.base + path, headers=headers or {}) as response,
        ):
            return response.status, await response.text()

    async def stored(self) -> list[int]:
        async with self.db.uow() as uow:
            return sorted(await uow.session.scalars(select(InboxUpdate.update_id)))


async def fake_metrics() -> bytes:
    return b"aduan_updates_received_total 3.0\n"


async def ready() -> str | None:
    return None


StartListener = Callable[..., Awaitable[Listener]]


@pytest.fixture
async def start_listener(db: Database) -> AsyncIterator[StartListener]:
    """``await start_listener(allow=...)``: the listener storing into ``db``'s inbox, whose
    processor hands events to a recording fake of the conversations."""
    clock = ManualClock()
    servers: list[WebhookServer] = []

    async def start(**options: Any) -> Listener:
        conversations = RecordingConversations()
        inbox = processor(db, clock, conversations)

        async def on_update(update: dict[str, Any]) -> None:
            await inbox.on_update("telegram", update)

        server = WebhookServer(
            listen=Listen("127.0.0.1", 0),
            path=PATH,
            secret=SECRET,
            on_update=on_update,
            ready=ready,
            metrics=fake_metrics,
            **options,
        )
        await server.start()
        servers.append(server)
        return Listener(db, server, inbox, conversations)

    yield start
    for server in servers:
        await server.stop()


async def test_a_malformed_body_is_refused_and_never_stored(start_listener: StartListener) -> None:
    """Every bad body against one listener and database per engine (a fresh PostgreSQL database
    per body cost a second each); the failures are collected, each named, before the verdict."""
    listener = await start_listener()
    wrong: dict[str, object] = {}
    for name in sorted(BAD_BODIES):
        status, reason = await listener.post(BAD_BODIES[name])
        if status != 400 or not 0 < len(reason) < 200 or "Traceback" in reason:
            wrong[name] = (status, reason[:200])
        if stored := await listener.stored():
            wrong[name] = f"stored {stored}"
    assert wrong == {}
    assert len(BAD_BODIES) >= 30


async def test_an_oversized_body_is_refused_and_never_stored(start_listener: StartListener) -> None:
    listener = await start_listener()
    body = json.dumps(message(20, 7, "x" * (MAX_BODY_BYTES + 1))).encode()
    status, reason = await listener.post(body)
    assert status == 413, (status, reason)
    assert "too large" in reason
    assert await listener.stored() == []


async def test_the_secret_is_checked_before_the_body(start_listener: StartListener) -> None:
    listener = await start_listener()
    for body in (BAD_BODIES["nested_10000_levels"], BAD_BODIES["update_id_true"]):
        assert (await listener.post(body, secret="tebakan"))[0] == 401
    oversized = json.dumps(message(21, 7, "x" * (MAX_BODY_BYTES + 1))).encode()
    assert (await listener.post(oversized, secret="tebakan"))[0] == 401
    assert await listener.stored() == []


async def test_a_refused_true_never_takes_the_place_of_the_genuine_update_1(
    start_listener: StartListener,
) -> None:
    listener = await start_listener()
    assert (await listener.post(BAD_BODIES["update_id_true"]))[0] == 400
    genuine = json.dumps(message(1, 42, "asli")).encode()
    assert (await listener.post(genuine))[0] == 200
    assert await listener.stored() == [1]
    done, _ = await listener.inbox.process_pending()
    assert done == 1
    [event] = listener.conversations.events
    assert isinstance(event, Message)
    assert (event.chat_id, event.text) == ("42", "asli")


async def test_the_largest_update_id_and_a_deep_genuine_update_are_taken(
    start_listener: StartListener,
) -> None:
    listener = await start_listener()
    update = message(MAX_UPDATE_ID, 42, "halo")
    update["message"]["reply_to_message"] = message(5, 42, "sebelumnya")["message"]
    update["message"]["reply_markup"] = {
        "inline_keyboard": [[{"text": "Ya", "callback_data": "ya"}]]
    }
    assert (await listener.post(json.dumps(update).encode()))[0] == 200
    # A body sent without a JSON content type is still read as JSON, as before.
    plain = json.dumps(message(2, 42, "tanpa tipe")).encode()
    assert (await listener.post(plain, content_type="text/plain"))[0] == 200
    assert await listener.stored() == [2, MAX_UPDATE_ID]


MONITOR_PATHS = ("/healthz", "/readyz", "/metrics")


async def test_health_and_metrics_answer_loopback_by_default(
    start_listener: StartListener,
) -> None:
    listener = await start_listener()
    assert await listener.get("/healthz") == (200, "ok")
    assert await listener.get("/readyz") == (200, "ready")
    status, body = await listener.get("/metrics")
    assert status == 200
    assert "aduan_updates_received_total" in body


async def test_health_and_metrics_are_refused_to_an_address_not_allowed(
    start_listener: StartListener,
) -> None:
    listener = await start_listener(monitor_allow=parse_allow(""))  # nobody
    for path in MONITOR_PATHS:
        status, body = await listener.get(path)
        assert status == 403, path
        assert body == "forbidden"
    # The webhook itself does not depend on the list.
    assert (await listener.post(json.dumps(message(3, 42, "halo")).encode()))[0] == 200


async def test_a_forwarded_for_header_is_not_believed(start_listener: StartListener) -> None:
    listener = await start_listener(monitor_allow=parse_allow("10.0.0.0/8"))
    for header in ("X-Forwarded-For", "X-Real-IP", "Forwarded"):
        value = "for=10.1.2.3" if header == "Forwarded" else "10.1.2.3"
        for path in MONITOR_PATHS:
            assert (await listener.get(path, {header: value}))[0] == 403, (header, path)


def test_the_allow_list() -> None:
    loopback = parse_allow("127.0.0.0/8, ::1")
    assert loopback.allows("127.0.0.1")
    assert loopback.allows("::1")
    assert loopback.allows("::ffff:127.0.0.1")  # a dual-stack listener's view of IPv4 loopback
    assert not loopback.allows("10.0.0.5")
    assert not loopback.allows("::ffff:10.0.0.5")
    assert not loopback.allows(None)  # no peer address (a Unix socket)
    assert not loopback.allows("bukan-alamat")
    assert parse_allow("10.0.0.5").allows("10.0.0.5")
    assert not parse_allow("").allows("127.0.0.1")
    assert parse_allow(Settings(_env_file=None).metrics_allow).allows("127.0.0.1")
    assert not parse_allow(Settings(_env_file=None).metrics_allow).allows("192.168.1.10")
    with pytest.raises(ValueError, match=r"10\.0\.0\.0/33"):
        parse_allow("127.0.0.1, 10.0.0.0/33")
    with pytest.raises(ValueError, match="semua"):
        parse_allow("semua")


@pytest.mark.parametrize("language", ["id", "en"])
def test_a_bad_metrics_allow_stops_the_start(language: str) -> None:
    settings = Settings(
        _env_file=None,
        webhook_listen="127.0.0.1:8443",
        webhook_secret=SecretStr(SECRET),
        metrics_allow="10.0.0.0/8, kantor",
        default_language=language,
    )
    tr = Catalogs(language).get(language)
    with pytest.raises(ConfigError) as refused:
        check_run_settings(settings, tr)
    assert "METRICS_ALLOW" in str(refused.value)
    assert "kantor" in str(refused.value)
