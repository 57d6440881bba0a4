"""Buttons of the scheduler's messages → the duty dialogs (recording a visit, answering a survey).

Unlike a dialog's own buttons, a digest lists many households with three buttons each, so the
message is left as it is: the press is acknowledged and the dialog answers in a new message. The
dialog checks the button against the database (whose plan, which period, already recorded), in
the same one-update transaction and with the same redelivery check as every other update.
"""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramAPIError
from aiogram.types import CallbackQuery, Message

from bot import handling
from bot.handling import Services
from bot.inbound import from_callback

PREFIXES = ("visit:", "survey:")


async def on_duty_press(query: CallbackQuery, bot: Bot, services: Services, update_id: int) -> None:
    message = query.message
    try:
        await query.answer()
    except TelegramAPIError:
        pass  # too old to acknowledge; the dialog still answers
    if not isinstance(message, Message) or message.chat.type != "private":
        return
    await handling.handle(
        services,
        bot,
        update_id=update_id,
        chat_id=message.chat.id,
        user_id=query.from_user.id,
        inbound=from_callback(query),
        display_name=query.from_user.full_name[:100],
    )


def create_router() -> Router:
    router = Router(name="duties")
    router.callback_query.register(on_duty_press, F.data.startswith(PREFIXES))
    return router
