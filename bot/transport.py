"""The Telegram implementation of the scheduler's transport port: a rendered message (text and
buttons, plain data) → Bot.send_message, and the Bot API's answer → a `SendResult`.

It never retries or sleeps itself: the sender owns the limits, the back-off and the bookkeeping.
"""

from __future__ import annotations

from aiogram import Bot
from aiogram.exceptions import (
    TelegramAPIError,
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramNotFound,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from backend.core.settings import Settings
from backend.outbox.delivery import Rendered, SendResult
from bot.app import create_bot


def _markup(message: Rendered) -> InlineKeyboardMarkup | None:
    if not message.buttons:
        return None
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [InlineKeyboardButton(text=label, callback_data=data) for label, data in row]
            for row in message.buttons
        ]
    )


class TelegramTransport:
    def __init__(self, bot: Bot) -> None:
        self.bot = bot

    @classmethod
    def create(cls, settings: Settings) -> TelegramTransport:
        return cls(create_bot(settings))

    async def send(self, chat_id: str, message: Rendered) -> SendResult:
        try:
            await self.bot.send_message(int(chat_id), message.text, reply_markup=_markup(message))
        except TelegramRetryAfter as exc:
            return SendResult("retry_after", retry_after=float(exc.retry_after))
        except TelegramForbiddenError:
            return SendResult("blocked", detail="403")
        except (TelegramBadRequest, TelegramNotFound) as exc:
            return SendResult("rejected", detail=type(exc).__name__)
        except (TelegramServerError, TelegramNetworkError) as exc:
            return SendResult("server_error", detail=type(exc).__name__)
        except TelegramAPIError as exc:
            return SendResult("server_error", detail=type(exc).__name__)
        return SendResult.ok()

    async def close(self) -> None:
        await self.bot.session.close()
