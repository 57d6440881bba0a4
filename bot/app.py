"""Composition of the bot: `create_bot(settings)` and `create_dispatcher(services)`."""

from __future__ import annotations

import hashlib
import hmac

from aiogram import Bot, Dispatcher
from aiogram.client.telegram import TelegramAPIServer
from aiogram.methods.base import Response
from aiogram.types import File, Message, Update, User

from backend.classifier.service import get_classifier
from backend.core.errors import ConfigurationError
from backend.core.runtime import Runtime
from backend.core.settings import Settings
from bot.handling import Services
from bot.middlewares import InjectServices
from bot.routers import callbacks, duties, guards, messages
from bot.session import JsonSession
from bot.throttle import Limiter, RedisThrottle, Throttle
from dialogs.engine import Engine

# aiogram validates every answer as `Response[<return type>]`; pydantic keeps such classes only
# weakly, so the garbage collector drops them between calls and each re-creation costs ~7 ms of
# CPU (seen as p99 spikes in benchmarks/bot_bench.py). Holding them here keeps them built.
_RESPONSE_TYPES = tuple(
    Response[t]  # type: ignore[valid-type]
    for t in (Message, bool, list[Update], User, File, Message | bool)
)


def create_bot(settings: Settings) -> Bot:
    if settings.bot_token is None:
        raise ConfigurationError("配置错误: BOT_TOKEN is not set")
    session = JsonSession()
    if settings.telegram_api_base:
        session = JsonSession(api=TelegramAPIServer.from_base(settings.telegram_api_base))
    return Bot(settings.bot_token.get_secret_value(), session=session)


def create_services(runtime: Runtime, *, throttle: Limiter | None = None) -> Services:
    settings = runtime.settings
    engine = Engine.create(
        clock=runtime.clock,
        cipher=runtime.cipher,
        classifier=get_classifier(settings.classifier_keywords),
        hotlines=settings.county_hotlines,
    )
    if throttle is None:  # shared by every replica when there is a Redis
        throttle = RedisThrottle.from_url(settings.redis_url) if settings.redis_url else Throttle()
    return Services(runtime=runtime, engine=engine, throttle=throttle)


def create_dispatcher(services: Services) -> Dispatcher:
    dispatcher = Dispatcher()
    dispatcher.update.outer_middleware(InjectServices(services))
    dispatcher.include_routers(
        guards.create_router(),
        duties.create_router(),  # before `callbacks`, which takes every other button
        callbacks.create_router(),
        messages.create_router(),
    )
    return dispatcher


def webhook_secret(settings: Settings) -> str:
    """The secret token Telegram sends back in every webhook call, derived from SECRET_KEY."""
    return hmac.new(settings.secret(), b"telegram-webhook", hashlib.sha256).hexdigest()[:64]
