"""Every private message (text, command, photo, voice, location, contact, anything) → dialog."""

from __future__ import annotations

from aiogram import Bot, Router
from aiogram.types import Message

from bot import handling
from bot.handling import Services
from bot.inbound import from_message


async def on_message(message: Message, bot: Bot, services: Services, update_id: int) -> None:
    user = message.from_user
    if user is None:
        return
    await handling.handle(
        services,
        bot,
        update_id=update_id,
        chat_id=message.chat.id,
        user_id=user.id,
        inbound=from_message(message),
        display_name=user.full_name[:100],
    )


def create_router() -> Router:
    router = Router(name="messages")
    router.message.register(on_message)
    return router
