"""The python-telegram-bot baseline: a bare PTB 22 bot, no database, no conversation state.

``python -m bench.echo_ptb --api-url URL --token TOKEN``: the same two handlers as
:mod:`bench.echo_bot` (answer the text with one inline button; answer a button press), run with
PTB's default ``Application.run_polling``, as a minimal PTB bot would run it.
"""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import Application, CallbackQueryHandler, ContextTypes, MessageHandler

from bench.echo_cli import echo_args

BUTTON = InlineKeyboardMarkup([[InlineKeyboardButton("ping", callback_data="ping")]])


async def echo(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    if message is not None:
        await message.reply_text(message.text or message.caption or "📷", reply_markup=BUTTON)


async def pressed(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    if query is not None:
        await query.answer(query.data or "")


def main(argv: list[str] | None = None) -> None:
    args = echo_args("python-telegram-bot", argv)
    api_url = args.api_url.rstrip("/")
    application = (
        Application.builder()
        .token(args.token)
        .base_url(f"{api_url}/bot")
        .base_file_url(f"{api_url}/file/bot")
        .build()
    )
    application.add_handler(MessageHandler(None, echo))
    application.add_handler(CallbackQueryHandler(pressed))
    # Handles SIGTERM/SIGINT itself and shuts the application down on the way out.
    application.run_polling(timeout=args.polling_timeout, poll_interval=0)


if __name__ == "__main__":
    main()
