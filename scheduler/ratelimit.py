"""Telegram's limits, kept by the sender: about 30 messages a second in all, one a second per
chat. In-process (one active sender, see lock.py); a Redis-backed bucket for several senders is
left for later (docs/scheduler.md).
"""

from __future__ import annotations

import asyncio
import time


class TokenBucket:
    """`rate` sends a second, evenly spaced (capacity 1: no bursts, so a sliding one-second
    window never sees more than the limit); `pause` holds every sender after a 429."""

    def __init__(self, rate: float) -> None:
        self.interval = 1.0 / rate
        self._next = 0.0
        self._lock = asyncio.Lock()

    async def acquire(self) -> None:
        async with self._lock:
            now = time.monotonic()
            wait = self._next - now
            self._next = max(now, self._next) + self.interval
        if wait > 0:
            await asyncio.sleep(wait)

    def pause(self, seconds: float) -> None:
        self._next = max(self._next, time.monotonic() + seconds)


class ChatSpacing:
    """At most one message per `interval` seconds to the same chat."""

    def __init__(self, interval: float) -> None:
        self.interval = interval
        self._last: dict[str, float] = {}

    def wait_for(self, chat: str) -> float:
        return max(0.0, self._last.get(chat, -1e9) + self.interval - time.monotonic())

    def sent(self, chat: str) -> None:
        self._last[chat] = time.monotonic()
        if len(self._last) > 50_000:  # forget chats idle for long
            cutoff = time.monotonic() - 60
            self._last = {k: v for k, v in self._last.items() if v > cutoff}
