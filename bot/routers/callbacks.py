"""Button presses → dialog choices. The press is acknowledged and the pressed keyboard is
replaced by the chosen label, so an old message cannot be tapped twice by mistake."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable

from aiogram import Bot, Router
from aiogram.exceptions import TelegramAPIError
from aiogram.types import CallbackQuery, Message

from bot import handling
from bot.handling import Services
from bot.inbound import from_callback


def _label(message: Message, data: str) -> str | None:
    markup = message.reply_markup
    for row in markup.inline_keyboard if markup else []:
        for button in row:
            if button.callback_data == data:
                return button.text
    return None


async def on_press(query: CallbackQuery, bot: Bot, services: Services, update_id: int) -> None:
    message = query.message
    if not isinstance(message, Message) or message.chat.type != "private":
        await _quietly(query.answer())
        return
    label = _label(message, query.data or "")
    edit = None
    if label is not None and message.text:
        edit = bot.edit_message_text(
            text=f"{message.text}\n\n👉 {label}",
            chat_id=message.chat.id,
            message_id=message.message_id,
        )
    # The acknowledgement and the edit go out together, while the dialog runs.
    pending = asyncio.gather(_quietly(query.answer()), *([_quietly(edit)] if edit else []))
    try:
        await handling.handle(
            services,
            bot,
            update_id=update_id,
            chat_id=message.chat.id,
            user_id=query.from_user.id,
            inbound=from_callback(query),
            display_name=query.from_user.full_name[:100],
        )
    finally:
        await pending


async def _quietly(call: Awaitable[object]) -> None:
    try:
        await call
    except TelegramAPIError:
        pass  # an old query cannot be answered or edited any more; the dialog still ran


def create_router() -> Router:
    router = Router(name="callbacks")
    router.callback_query.register(on_press)
    return router
