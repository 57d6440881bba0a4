"""The real aiogram Bot and Dispatcher, polling a fake Bot API server on 127.0.0.1."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

import pytest
from pydantic import SecretStr

from backend.core.runtime import Runtime
from bot.app import create_bot, create_dispatcher, create_services
from bot.polling import run_polling
from bot.throttle import Throttle
from tests.fakebotapi import TOKEN, FakeTelegram


@dataclass
class Tg:
    """One test's Telegram: send as a user, wait until processed, read what the bot sent."""

    fake: FakeTelegram
    runtime: Runtime

    async def run(self, push: Callable[[], int]) -> list[str]:
        uid_before = len(self.fake.calls)
        update_id = push()
        await self.fake.until_confirmed(update_id)
        return [
            str(c.params.get("text", ""))
            for c in self.fake.calls[uid_before:]
            if c.method == "sendMessage"
        ]

    async def say(self, uid: int, text: str) -> list[str]:
        return await self.run(lambda: self.fake.text(uid, text))

    async def tap(self, uid: int, label: str) -> list[str]:
        return await self.run(lambda: self.fake.press_label(uid, label))

    async def send(self, uid: int, **content: Any) -> list[str]:
        return await self.run(lambda: self.fake.message(uid, **content))


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    server = FakeTelegram()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def tg(fake: FakeTelegram, runtime: Runtime) -> AsyncIterator[Tg]:
    base = f"http://127.0.0.1:{fake.port}"
    runtime.settings = runtime.settings.model_copy(
        update={
            "bot_token": SecretStr(TOKEN),
            "telegram_api_base": base,
            "county_hotlines": "民政局:0878-5211234;12349",
        }
    )
    bot = create_bot(runtime.settings)
    dispatcher = create_dispatcher(create_services(runtime, throttle=Throttle(limit=30, window=10)))
    stop = asyncio.Event()
    task = asyncio.create_task(run_polling(dispatcher, bot, stop=stop, poll_seconds=1))
    yield Tg(fake, runtime)
    stop.set()
    await asyncio.wait_for(task, 5)
    await bot.session.close()
