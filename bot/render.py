"""Dialog replies → Telegram messages: text from the texts file, buttons from the choices."""

from __future__ import annotations

from dataclasses import dataclass

from aiogram.types import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
)

from dialogs.texts import render
from dialogs.types import Reply

Markup = InlineKeyboardMarkup | ReplyKeyboardMarkup | None


@dataclass(frozen=True)
class Outgoing:
    text: str
    markup: Markup = None


def _request_keyboard(reply: Reply) -> ReplyKeyboardMarkup:
    if reply.ask_contact:
        button = KeyboardButton(text=render("share_phone"), request_contact=True)
    else:
        button = KeyboardButton(text=render("share_location"), request_location=True)
    return ReplyKeyboardMarkup(keyboard=[[button]], resize_keyboard=True, one_time_keyboard=True)


def to_messages(reply: Reply) -> list[Outgoing]:
    """One message, plus a second one carrying the share button when the step offers it
    (Telegram allows one keyboard per message)."""
    inline = None
    if reply.choices:
        inline = InlineKeyboardMarkup(
            inline_keyboard=[
                [
                    InlineKeyboardButton(text=render(c.key, c.params), callback_data=c.value)
                    for c in row
                ]
                for row in reply.choices
            ]
        )
    messages = [Outgoing(render(reply.key, reply.params), inline)]
    if reply.ask_contact or reply.ask_location:
        messages.append(Outgoing(render("or_button"), _request_keyboard(reply)))
    return messages
