"""The bot's moving parts in one process: polling (or the webhook router).

Outbound messages (status changes, alerts, reminders) are not sent from here: the scheduler's
leased sender delivers every outbox row, so a second sender can never repeat one.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from aiogram import Bot, Dispatcher
from aiogram.exceptions import TelegramAPIError
from fastapi import APIRouter

from backend.core.runtime import Runtime
from bot import webhook
from bot.app import create_bot, create_dispatcher, create_services, webhook_secret
from bot.handling import Services
from bot.polling import run_polling

log = logging.getLogger(__name__)


@dataclass
class BotParts:
    runtime: Runtime
    bot: Bot
    dispatcher: Dispatcher
    services: Services

    @classmethod
    def create(cls, runtime: Runtime) -> BotParts:
        bot = create_bot(runtime.settings)
        services = create_services(runtime)
        return cls(runtime, bot, create_dispatcher(services), services)

    def webhook_router(self) -> APIRouter:
        secret = webhook_secret(self.runtime.settings)
        return webhook.create_router(self.dispatcher, self.bot, secret=secret)

    async def run(self, *, stop: asyncio.Event, polling: bool = True) -> None:
        try:
            try:
                me = await self.bot.get_me()
                log.info("bot @%s %s", me.username, "polling" if polling else "on webhook")
            except TelegramAPIError as exc:  # keep going: polling retries until it is reachable
                log.warning("Bot API not reachable yet: %s", type(exc).__name__)
            if polling:
                await run_polling(self.dispatcher, self.bot, stop=stop)
            else:
                await stop.wait()
        finally:
            await self.bot.session.close()
            await self.services.throttle.close()


async def run(runtime: Runtime, *, stop: asyncio.Event) -> None:
    await BotParts.create(runtime).run(stop=stop)
