"""A per-user throttle against flooding: at most `limit` updates per `window` seconds.

In memory per process (with several replicas each keeps its own window; Redis could share it).
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable


class Throttle:
    def __init__(
        self, *, limit: int = 12, window: float = 10.0, now: Callable[[], float] = time.monotonic
    ) -> None:
        self.limit, self.window, self._now = limit, window, now
        self._hits: dict[int, deque[float]] = {}
        self._warned: dict[int, float] = {}

    def check(self, user_id: int) -> str:
        """'ok', 'warn' (first refusal in a window: say so once) or 'drop'."""
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
