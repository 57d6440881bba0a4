"""Polling with confirmation after commit: our own loop over `getUpdates`.

Telegram forgets an update only when a later `getUpdates` asks for a higher offset. This loop
asks for the next batch only after every update of the current one has been processed and its
transaction committed, so a crash loses nothing: the batch is redelivered and the processed-
updates table turns what was already done into a no-op. Within a batch one user's updates run in
order; different users run concurrently.
"""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict

from aiogram import Bot, Dispatcher
from aiogram.exceptions import TelegramAPIError, TelegramNetworkError
from aiogram.types import Update

log = logging.getLogger(__name__)
ALLOWED = ["message", "edited_message", "callback_query"]


def _user_of(update: Update) -> int:
    for event in (update.message, update.edited_message, update.callback_query):
        if event is not None and event.from_user is not None:
            return event.from_user.id
    return 0


async def process_batch(dispatcher: Dispatcher, bot: Bot, updates: list[Update]) -> None:
    by_user: dict[int, list[Update]] = defaultdict(list)
    for update in updates:
        by_user[_user_of(update)].append(update)

    async def one_user(items: list[Update]) -> None:
        for update in items:
            try:
                await dispatcher.feed_update(bot, update)
            except Exception:  # one bad update must not stop the others
                log.exception("update %s failed", update.update_id)

    await asyncio.gather(*(one_user(items) for items in by_user.values()))


async def run_polling(
    dispatcher: Dispatcher, bot: Bot, *, stop: asyncio.Event | None = None, poll_seconds: int = 25
) -> None:
    stop = stop or asyncio.Event()
    offset: int | None = None
    try:
        await bot.delete_webhook(drop_pending_updates=False)  # polling and a webhook exclude
    except TelegramAPIError as exc:
        log.warning("deleteWebhook failed: %s", type(exc).__name__)
    while not stop.is_set():
        try:
            updates = await bot.get_updates(
                offset=offset, timeout=poll_seconds, allowed_updates=ALLOWED
            )
        except (TelegramNetworkError, TelegramAPIError) as exc:
            log.warning("getUpdates failed: %s; retrying", type(exc).__name__)
            await asyncio.sleep(1)
            continue
        if updates:
            await process_batch(dispatcher, bot, updates)
            offset = updates[-1].update_id + 1
