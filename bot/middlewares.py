"""Injection only: every handler gets the `Services` and the update id as arguments."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject, Update

from bot.handling import Services


class InjectServices(BaseMiddleware):
    def __init__(self, services: Services) -> None:
        self.services = services

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        data["services"] = self.services
        update = event if isinstance(event, Update) else data.get("event_update")
        data["update_id"] = update.update_id if isinstance(update, Update) else 0
        return await handler(event, data)
