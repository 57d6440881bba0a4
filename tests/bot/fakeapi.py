"""A fake Telegram Bot API server on 127.0.0.1 for end-to-end tests through the real aiogram Bot.

It serves queued updates to getUpdates (forgetting them only when a later call confirms them by
offset, like Telegram), records every method call, answers sendMessage with real message objects
(403 for chats that blocked the bot), and lets a test wait until an update is confirmed: the
moment the bot asks for the next batch, the update's effects are committed and its replies sent.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from dataclasses import dataclass, field
from typing import Any

from aiohttp import web

TOKEN = "123456:TEST-token-abcdefghijklmnopqrstuvwxyz"


@dataclass
class Call:
    method: str
    params: dict[str, Any]


@dataclass
class FakeTelegram:
    updates: list[dict[str, Any]] = field(default_factory=list)
    calls: list[Call] = field(default_factory=list)
    blocked: set[int] = field(default_factory=set)
    confirmed: int = 0  # every update_id below this was confirmed
    next_update: int = 1000
    port: int = 0
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _changed: asyncio.Event = field(default_factory=asyncio.Event)
    _runner: web.AppRunner | None = None

    # --- server ---------------------------------------------------------------------------
    async def start(self) -> str:
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._dispatch)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", self.port)
        await site.start()
        self.port = self._runner.addresses[0][1]
        return f"http://127.0.0.1:{self.port}"

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def _bump(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    async def _params(self, request: web.Request) -> dict[str, Any]:
        if request.content_type == "application/json":
            return dict(await request.json())
        form = await request.post()
        params: dict[str, Any] = {}
        for key, value in form.items():
            text = str(value)
            try:
                params[key] = json.loads(text) if text[:1] in "{[" else text
            except ValueError:
                params[key] = text
        return params

    async def _dispatch(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params = await self._params(request)
        if method == "getUpdates":
            return await self._get_updates(params)
        self.calls.append(Call(method, params))
        self._bump()
        if method == "getMe":
            result: Any = {"id": 123456, "is_bot": True, "first_name": "救助", "username": "jz_bot"}
        elif method == "sendMessage":
            chat = int(params["chat_id"])
            if chat in self.blocked:
                return web.json_response(
                    {"ok": False, "error_code": 403, "description": "Forbidden: bot was blocked"},
                    status=403,
                )
            result = self._message(chat, params.get("text", ""), params.get("reply_markup"))
            params["result"] = result
        elif method == "editMessageText":
            result = self._message(int(params["chat_id"]), params.get("text", ""), None)
            result["message_id"] = int(params["message_id"])
        else:
            result = True
        return web.json_response({"ok": True, "result": result})

    async def _get_updates(self, params: dict[str, Any]) -> web.Response:
        offset = int(params.get("offset") or 0)
        if offset:
            self.confirmed = max(self.confirmed, offset)
            self.updates = [u for u in self.updates if u["update_id"] >= offset]
            self._bump()
        deadline = time.monotonic() + min(float(params.get("timeout") or 0), 1.0)
        while not self.updates and time.monotonic() < deadline:
            try:
                await asyncio.wait_for(self._changed.wait(), deadline - time.monotonic())
            except TimeoutError:
                break
        return web.json_response({"ok": True, "result": self.updates[:100]})

    def _message(self, chat: int, text: str, markup: Any) -> dict[str, Any]:
        message: dict[str, Any] = {
            "message_id": next(self._ids),
            "date": int(time.time()),
            "chat": {"id": chat, "type": "private", "first_name": "u"},
            "from": {"id": 123456, "is_bot": True, "first_name": "救助"},
            "text": text,
        }
        if isinstance(markup, dict) and "inline_keyboard" in markup:
            message["reply_markup"] = markup
        return message

    # --- the user's side ------------------------------------------------------------------
    def push(self, kind: str, payload: dict[str, Any]) -> int:
        self.next_update += 1
        self.updates.append({"update_id": self.next_update, kind: payload})
        self._bump()
        return self.next_update

    @staticmethod
    def user(uid: int, name: str = "王") -> dict[str, Any]:
        return {"id": uid, "is_bot": False, "first_name": name}

    def message(self, uid: int, chat_type: str = "private", **content: Any) -> int:
        payload = {
            "message_id": next(self._ids),
            "date": int(time.time()),
            "chat": {"id": uid if chat_type == "private" else -uid, "type": chat_type},
            "from": self.user(uid),
            **content,
        }
        if chat_type != "private":
            payload["chat"]["title"] = "村群"
        return self.push("message", payload)

    def text(self, uid: int, text: str) -> int:
        return self.message(uid, text=text)

    def press(self, uid: int, data: str, message: dict[str, Any] | None = None) -> int:
        message = message or self.last_message_with_buttons(uid)
        return self.push(
            "callback_query",
            {
                "id": f"cq{self.next_update}",
                "from": self.user(uid),
                "chat_instance": "ci",
                "data": data,
                "message": message,
            },
        )

    def press_label(self, uid: int, label: str) -> int:
        for call in reversed(self.sent_to(uid)):
            markup = call.params.get("reply_markup") or {}
            for row in markup.get("inline_keyboard", []):
                for button in row:
                    if button["text"] == label:
                        return self.press(uid, button["callback_data"], call.params["result"])
        raise AssertionError(f"no button {label!r} sent to {uid}")

    def last_message_with_buttons(self, uid: int) -> dict[str, Any]:
        for call in reversed(self.sent_to(uid)):
            if "inline_keyboard" in (call.params.get("reply_markup") or {}):
                return dict(call.params["result"])
        raise AssertionError(f"no buttons sent to {uid}")

    # --- observing ------------------------------------------------------------------------
    def sent_to(self, uid: int) -> list[Call]:
        return [
            c for c in self.calls if c.method == "sendMessage" and int(c.params["chat_id"]) == uid
        ]

    def texts_to(self, uid: int) -> list[str]:
        return [str(c.params.get("text", "")) for c in self.sent_to(uid)]

    async def until_confirmed(self, update_id: int, within: float = 10.0) -> None:
        deadline = time.monotonic() + within
        while self.confirmed <= update_id:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"update {update_id} not confirmed in {within}s")
            try:
                await asyncio.wait_for(self._changed.wait(), remaining)
            except TimeoutError:
                pass
