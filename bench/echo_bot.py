"""The baseline: a bare aiogram 3 bot, no database, no conversation state.

``python -m bench.echo_bot --api-url URL --token TOKEN``: one message handler that answers the
text (with one inline button, so the benchmark has something to press) and one callback handler
that answers the query. Default aiogram polling, as a minimal bot would run it.
"""

from __future__ import annotations

import asyncio

from aiogram import Bot, Dispatcher, Router
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message

from bench.echo_cli import echo_args

BUTTON = InlineKeyboardMarkup(
    inline_keyboard=[[InlineKeyboardButton(text="ping", callback_data="ping")]]
)

router = Router()


@router.message()
async def echo(message: Message) -> None:
    await message.answer(message.text or message.caption or "📷", reply_markup=BUTTON)


@router.callback_query()
async def pressed(query: CallbackQuery) -> None:
    await query.answer(query.data or "")


async def serve(api_url: str, token: str, polling_timeout: int) -> None:
    bot = Bot(token, session=AiohttpSession(api=TelegramAPIServer.from_base(api_url)))
    dispatcher = Dispatcher()
    dispatcher.include_router(router)
    # Handles SIGTERM/SIGINT itself and closes the session on the way out.
    await dispatcher.start_polling(bot, polling_timeout=polling_timeout)


def main(argv: list[str] | None = None) -> None:
    args = echo_args("aiogram", argv)
    asyncio.run(serve(args.api_url, args.token, args.polling_timeout))


if __name__ == "__main__":
    main()
