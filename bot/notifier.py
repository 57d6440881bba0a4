"""A simple sender of the outbox's Telegram rows (the scheduler's sender replaces it later).

Each row is rendered from its template key and params with the dialog texts. A chat gets at
most one message per `pace` seconds; 403 (blocked bot) marks the row unreachable; other errors
retry with back-off (see backend.outbox.service).
"""

from __future__ import annotations

import asyncio
import logging
import time

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError, TelegramBadRequest, TelegramForbiddenError

from backend.core.runtime import Runtime
from backend.identities.models import ChatIdentity
from backend.outbox import service as outbox
from dialogs.texts import TEXTS, render

log = logging.getLogger(__name__)


class Notifier:
    def __init__(self, runtime: Runtime, bot: Bot, *, pace: float = 1.0) -> None:
        self.runtime, self.bot, self.pace = runtime, bot, pace
        self._last: dict[str, float] = {}

    async def run_once(self) -> int:
        """Deliver what is due now; the number of rows handled."""
        runtime, handled = self.runtime, 0
        async with runtime.sessions() as session, session.begin():
            rows = await outbox.list_due(session, clock=runtime.clock, channel="telegram")
            for row in rows:
                if row.template_key not in TEXTS:
                    continue  # another sender's template (the scheduler's): not ours to render
                identity = (
                    await session.get(ChatIdentity, row.chat_identity_id)
                    if row.chat_identity_id
                    else None
                )
                if identity is None:
                    await outbox.mark_unreachable(
                        session, clock=runtime.clock, notification=row, error="no chat"
                    )
                    continue
                chat = identity.external_id
                if time.monotonic() - self._last.get(chat, -1e9) < self.pace:
                    continue  # the next round takes it
                self._last[chat] = time.monotonic()
                try:
                    await self.bot.send_message(int(chat), render(row.template_key, row.params))
                except (TelegramForbiddenError, TelegramBadRequest) as exc:
                    await outbox.mark_unreachable(
                        session, clock=runtime.clock, notification=row, error=type(exc).__name__
                    )
                except TelegramAPIError as exc:
                    await outbox.mark_failed(
                        session, clock=runtime.clock, notification=row, error=type(exc).__name__
                    )
                else:
                    await outbox.mark_sent(session, clock=runtime.clock, notification=row)
                handled += 1
        return handled

    async def run(self, *, stop: asyncio.Event, interval: float = 2.0) -> None:
        while not stop.is_set():
            try:
                await self.run_once()
            except Exception:
                log.exception("notifier round failed")
            try:
                await asyncio.wait_for(stop.wait(), timeout=interval)
            except TimeoutError:
                pass
