"""Updates answered without a dialog: group chats and edited messages."""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.types import Message

from bot.handling import send
from dialogs.types import Reply


async def group_chat(message: Message, bot: Bot) -> None:
    await send(bot, message.chat.id, [Reply("group_chat")])


async def edited(message: Message, bot: Bot) -> None:
    if message.chat.type == "private":
        await send(bot, message.chat.id, [Reply("edited")])


def create_router() -> Router:
    router = Router(name="guards")
    router.message.register(group_chat, F.chat.type != "private")
    router.edited_message.register(edited)
    return router
