"""``aduan webhook set URL`` / ``delete`` / ``info``, and the start-up checks of ``aduan run``.

Setting or deleting the webhook never drops the updates Telegram holds (``drop_pending_updates``
is always false): a citizen's message sent during the switch is still handled.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from typing import Any

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError

from bot.telegram_events import ALLOWED_UPDATES
from locales import Catalogs, Translator
from runtime.monitor_access import parse_allow
from runtime.settings import Settings
from runtime.webhook import SECRET_PATTERN, parse_listen


class ConfigError(Exception):
    """A setting that keeps the bot from starting; ``str()`` is the message for the operator."""


def add_parser(commands: Any, tr: Translator) -> None:
    webhook = commands.add_parser("webhook", help=tr.t("cli.help.webhook"))
    actions = webhook.add_subparsers(dest="webhook_command", required=True)
    set_ = actions.add_parser("set", help=tr.t("cli.help.webhook.set"))
    set_.add_argument("url", help=tr.t("cli.help.webhook.url"))
    set_.add_argument("--max-connections", type=int, help=tr.t("cli.help.webhook.max_connections"))
    actions.add_parser("delete", help=tr.t("cli.help.webhook.delete"))
    actions.add_parser("info", help=tr.t("cli.help.webhook.info"))


def translator(settings: Settings) -> Translator:
    return Catalogs(settings.default_language).get(settings.default_language)


def masked_url(url: str) -> str:
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "(?)"


def check_database_url(settings: Settings, tr: Translator) -> None:
    """A URL SQLAlchemy can parse and has a driver for."""
    try:
        make_url(settings.database_url).get_dialect()
    except (ArgumentError, NoSuchModuleError, ImportError) as error:
        url = masked_url(settings.database_url)
        raise ConfigError(tr.t("scale.config.bad_database_url", url=url)) from error


def webhook_secret(settings: Settings, tr: Translator) -> str:
    secret = settings.webhook_secret.get_secret_value() if settings.webhook_secret else ""
    if not secret:
        raise ConfigError(tr.t("scale.config.no_secret"))
    if not SECRET_PATTERN.match(secret):
        raise ConfigError(tr.t("scale.config.bad_secret"))
    return secret


def check_run_settings(settings: Settings, tr: Translator) -> None:
    """What ``aduan run`` refuses to start with, each with a message saying how to fix it."""
    check_database_url(settings, tr)
    if not settings.webhook_listen:
        return
    try:
        parse_listen(settings.webhook_listen)
    except ValueError as error:
        value = settings.webhook_listen
        raise ConfigError(tr.t("scale.config.bad_listen", value=value)) from error
    if not settings.webhook_path.startswith("/"):
        raise ConfigError(tr.t("scale.config.bad_path", value=settings.webhook_path))
    try:
        parse_allow(settings.metrics_allow)
    except ValueError as error:
        raise ConfigError(tr.t("scale.config.bad_metrics_allow", value=str(error))) from error
    webhook_secret(settings, tr)


def run(args: argparse.Namespace, settings: Settings) -> int:
    tr = translator(settings)
    try:
        if settings.bot_token is None:
            raise ConfigError(tr.t("scale.config.no_token"))
        output = asyncio.run(_run(args, settings, tr))
    except ConfigError as problem:
        print(problem, file=sys.stderr)
        return 2
    print(output)
    return 0


async def _run(args: argparse.Namespace, settings: Settings, tr: Translator) -> str:
    from bot.channels.errors import ChannelError
    from runtime.deps import make_channel

    assert settings.bot_token is not None
    channel = make_channel(settings, settings.bot_token.get_secret_value())
    try:
        command: str = args.webhook_command
        if command == "set":
            connections = args.max_connections or settings.webhook_max_connections
            await channel.call(
                "setWebhook",
                {
                    "url": args.url,
                    "secret_token": webhook_secret(settings, tr),
                    "allowed_updates": list(ALLOWED_UPDATES),
                    "max_connections": connections,
                    "drop_pending_updates": False,
                },
            )
            return tr.t("scale.webhook.set", url=args.url, max_connections=connections)
        if command == "delete":
            await channel.call("deleteWebhook", {"drop_pending_updates": False})
            return tr.t("scale.webhook.deleted")
        return _info(await channel.call("getWebhookInfo", {}), settings, tr)
    except ChannelError as error:
        raise ConfigError(tr.t("scale.webhook.refused", error=str(error))) from error
    finally:
        await channel.close()


def _info(info: dict[str, Any], settings: Settings, tr: Translator) -> str:
    none = tr.t("scale.webhook.none")
    return tr.t(
        "scale.webhook.info",
        url=info.get("url") or none,
        pending=info.get("pending_update_count", 0),
        max_connections=info.get("max_connections", none),
        allowed=", ".join(info.get("allowed_updates") or []) or none,
        error=info.get("last_error_message") or none,
        secret=tr.t("scale.webhook.secret_set") if settings.webhook_secret else none,
    )
