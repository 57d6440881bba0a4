"""A fake Telegram Bot API on 127.0.0.1 for the sender: it keeps Telegram's global limit (429
with retry_after beyond `limit` messages in any one-second window), answers scripted errors per
chat (429, 500 a few times; 403 always for blocked chats), and records every delivered message."""

from __future__ import annotations

import itertools
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

TOKEN = "123456:TEST-token-abcdefghijklmnopqrstuvwxyz"


@dataclass
class FakeBotApi:
    limit: int = 30
    blocked: set[int] = field(default_factory=set)
    script: dict[int, list[int]] = field(default_factory=dict)  # chat → statuses to answer first
    delivered: list[tuple[int, str, Any]] = field(default_factory=list)
    answered: list[tuple[int, int]] = field(default_factory=list)  # (chat, status)
    delivered_at: list[float] = field(default_factory=list)  # monotonic time of each delivery
    too_many: int = 0
    _window: deque[float] = field(default_factory=deque)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _runner: web.AppRunner | None = None

    async def start(self) -> str:
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._dispatch)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        return f"http://127.0.0.1:{self._runner.addresses[0][1]}"

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def _error(self, status: int, description: str, **extra: Any) -> web.Response:
        return web.json_response(
            {"ok": False, "error_code": status, "description": description, **extra},
            status=status,
        )

    async def _dispatch(self, request: web.Request) -> web.Response:
        data = dict(await request.post()) if request.can_read_body else {}
        method = request.match_info["method"]
        if method != "sendMessage":
            return web.json_response({"ok": True, "result": True})
        chat = int(str(data["chat_id"]))
        now = time.monotonic()
        while self._window and self._window[0] <= now - 1.0:
            self._window.popleft()
        if len(self._window) >= self.limit:
            self.too_many += 1
            self.answered.append((chat, 429))
            return self._error(
                429, "Too Many Requests: retry after 1", parameters={"retry_after": 1}
            )
        self._window.append(now)
        scripted = self.script.get(chat)
        if scripted:
            status = scripted.pop(0)
            self.answered.append((chat, status))
            if status == 429:
                return self._error(
                    429, "Too Many Requests: retry after 1", parameters={"retry_after": 1}
                )
            return self._error(status, "Internal Server Error")
        if chat in self.blocked:
            self.answered.append((chat, 403))
            return self._error(403, "Forbidden: bot was blocked by the user")
        self.answered.append((chat, 200))
        self.delivered_at.append(now)
        self.delivered.append((chat, str(data.get("text", "")), data.get("reply_markup")))
        message = {
            "message_id": next(self._ids),
            "date": int(time.time()),
            "chat": {"id": chat, "type": "private"},
            "text": data.get("text", ""),
        }
        return web.json_response({"ok": True, "result": message})
