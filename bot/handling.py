"""One update, one transaction: record the update id, run the dialog, commit, then send.

A redelivered update finds its id recorded and changes nothing. A version conflict (another
replica saved the same conversation first) rolls back and retries. Personal data never reaches
the log: lines carry update ids and error codes only.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError, TelegramForbiddenError

from backend.conversations import service as conversations
from backend.core.errors import Conflict, JiuzhuError
from backend.core.runtime import Runtime
from bot import media
from bot.render import to_messages
from bot.throttle import Limiter, Throttle
from dialogs.engine import Engine
from dialogs.types import Inbound, Reply

log = logging.getLogger(__name__)
CHANNEL = "telegram"
RETRIES = 3


@dataclass
class Services:
    """What the handlers get injected (see middlewares.py)."""

    runtime: Runtime
    engine: Engine
    throttle: Limiter = field(default_factory=Throttle)
    # SQLite has one writer: queueing writers here in order is fairer and far faster than
    # letting them wait in SQLite's busy handler, which sleeps. PostgreSQL needs no queue.
    _sqlite_writer: asyncio.Lock = field(default_factory=asyncio.Lock)

    def writer(self) -> contextlib.AbstractAsyncContextManager[object]:
        if self.runtime.settings.is_sqlite:
            return self._sqlite_writer
        return contextlib.nullcontext()


async def run_dialog(
    services: Services,
    *,
    update_id: int,
    user_id: int,
    inbound: Inbound,
    display_name: str,
    files: list[media.Wanted] | None = None,
) -> list[Reply] | None:
    """The replies, or None when the update was already processed. `files` receives the chat
    files of a case the update filed (fetched after the answer, see `bot.media`)."""
    runtime = services.runtime
    for attempt in range(RETRIES):
        try:
            async with services.writer(), runtime.sessions() as session:
                async with session.begin():
                    fresh = await conversations.mark_processed(
                        session, clock=runtime.clock, channel=CHANNEL, update_id=str(update_id)
                    )
                    if not fresh:
                        return None
                    replies = await services.engine.handle(
                        session,
                        channel=CHANNEL,
                        external_id=str(user_id),
                        inbound=inbound,
                        display_name=display_name,
                    )
                    await conversations.confirm(session)
                    wanted = await media.wanted(session, replies)
                conversations.remember(session)  # committed: the next update needs no SELECT
                if files is not None:
                    files[:] = wanted
                return replies
        except Conflict:
            log.info("update %s: conversation changed meanwhile (attempt %d)", update_id, attempt)
        except JiuzhuError as exc:
            log.warning("update %s: %s", update_id, exc.code)
            return [Reply("error")]
    return [Reply("busy")]


async def send(bot: Bot, chat_id: int, replies: list[Reply]) -> None:
    for reply in replies:
        for message in to_messages(reply):
            try:
                await bot.send_message(chat_id, message.text, reply_markup=message.markup)
            except TelegramForbiddenError:
                log.info("chat %s blocked the bot; reply dropped", chat_id)
                return
            except TelegramAPIError as exc:
                log.warning("sending to chat %s failed: %s", chat_id, type(exc).__name__)
                return


async def handle(
    services: Services,
    bot: Bot,
    *,
    update_id: int,
    chat_id: int,
    user_id: int,
    inbound: Inbound,
    display_name: str = "",
) -> None:
    verdict = await services.throttle.check(user_id)
    if verdict != "ok":
        if verdict == "warn":
            await send(bot, chat_id, [Reply("too_fast")])
        return
    files: list[media.Wanted] = []
    replies = await run_dialog(
        services,
        update_id=update_id,
        user_id=user_id,
        inbound=inbound,
        display_name=display_name,
        files=files,
    )
    if replies:
        await send(bot, chat_id, replies)
    for want in files:  # after the answer: downloads can be slow
        await media.attach_files(services.runtime, bot, want, services.writer)
