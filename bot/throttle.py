"""A per-user throttle against flooding: at most `limit` updates per `window` seconds.

`Throttle` keeps its windows in this process. With several replicas each would count only its own
share, so when REDIS_URL is set `RedisThrottle` counts in Redis instead: one key per user and
window (`INCR`, expiring with the window), shared by every replica. If Redis cannot be reached
the bot does not stop answering: that update is counted in memory and a warning is logged.

Both answer 'ok', 'warn' (the first refusal in a window: say so once) or 'drop'.
"""

from __future__ import annotations

import logging
import time
from collections import deque
from collections.abc import Callable
from typing import Protocol

from redis.asyncio import Redis
from redis.exceptions import RedisError

log = logging.getLogger(__name__)


class Limiter(Protocol):
    async def check(self, user_id: int) -> str: ...

    async def close(self) -> None: ...


class Throttle:
    def __init__(
        self, *, limit: int = 12, window: float = 10.0, now: Callable[[], float] = time.monotonic
    ) -> None:
        self.limit, self.window, self._now = limit, window, now
        self._hits: dict[int, deque[float]] = {}
        self._warned: dict[int, float] = {}

    async def check(self, user_id: int) -> str:
        return self.verdict(user_id)

    def verdict(self, user_id: int) -> str:
        now = self._now()
        hits = self._hits.setdefault(user_id, deque())
        while hits and hits[0] <= now - self.window:
            hits.popleft()
        if len(hits) < self.limit:
            hits.append(now)
            return "ok"
        if now - self._warned.get(user_id, -1e9) > self.window:
            self._warned[user_id] = now
            return "warn"
        return "drop"

    async def close(self) -> None:
        return None


class RedisThrottle:
    """Fixed windows in Redis: key `<prefix><user>:<window number>`, INCR + EXPIRE together."""

    def __init__(
        self,
        client: Redis,
        *,
        limit: int = 12,
        window: float = 10.0,
        prefix: str = "jiuzhu:bot:throttle:",
        now: Callable[[], float] = time.time,
    ) -> None:
        self.client, self.limit, self.window, self.prefix, self._now = (
            client,
            limit,
            window,
            prefix,
            now,
        )
        self.fallback = Throttle(limit=limit, window=window)

    @classmethod
    def from_url(cls, url: str, **options: float | int | str) -> RedisThrottle:
        client = Redis.from_url(url, socket_timeout=0.5, socket_connect_timeout=0.5)
        return cls(client, **options)  # type: ignore[arg-type]

    async def check(self, user_id: int) -> str:
        slot = int(self._now() // self.window)
        key = f"{self.prefix}{user_id}:{slot}"
        try:
            async with self.client.pipeline(transaction=True) as pipe:
                pipe.incr(key)
                pipe.expire(key, int(self.window) + 1)
                count, _ = await pipe.execute()
        except (RedisError, OSError) as exc:
            log.warning("throttle: Redis unreachable (%s); counting in memory", type(exc).__name__)
            return self.fallback.verdict(user_id)
        if count <= self.limit:
            return "ok"
        return "warn" if count == self.limit + 1 else "drop"

    async def close(self) -> None:
        await self.client.aclose()
