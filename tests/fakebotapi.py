"""One fake Telegram Bot API server on 127.0.0.1, for the bot's and the scheduler's tests (and the
benchmarks), driven through the real aiogram `Bot`.

The user's side: it serves queued updates to getUpdates, forgetting them only when a later call
confirms them by offset (like Telegram), so a test can wait until an update is confirmed — the
moment the bot asks for the next batch, that update's effects are committed and its replies sent.
It serves files: `add_file` stores bytes under a file id, getFile names a path and
`/file/bot<token>/<path>` returns the bytes.

Telegram's side of sending: every method call is recorded (`calls`); sendMessage answers a real
message object, keeps Telegram's global limit when `limit` is set (429 with retry_after beyond
`limit` messages in any one-second window), answers scripted statuses per chat first (`script`:
429 or 5xx a few times), and 403 for chats that blocked the bot. Delivered messages are listed in
`delivered` and every sendMessage answer in `answered`.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import time
from collections import deque
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
    # the user's side
    updates: list[dict[str, Any]] = field(default_factory=list)
    confirmed: int = 0  # every update_id below this was confirmed
    next_update: int = 1000
    files: dict[str, bytes] = field(default_factory=dict)  # file_id → content
    file_fetches: int = 0  # how many file downloads were served
    # Telegram's side of sending
    calls: list[Call] = field(default_factory=list)
    blocked: set[int] = field(default_factory=set)
    limit: int | None = None  # sendMessage per second over all chats; None: no limit
    script: dict[int, list[int]] = field(default_factory=dict)  # chat → statuses to answer first
    delivered: list[tuple[int, str, Any]] = field(default_factory=list)  # (chat, text, markup)
    answered: list[tuple[int, int]] = field(default_factory=list)  # (chat, status)
    delivered_at: list[float] = field(default_factory=list)  # monotonic time of each delivery
    too_many: int = 0
    port: int = 0
    _window: deque[float] = field(default_factory=deque)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _changed: asyncio.Event = field(default_factory=asyncio.Event)
    _runner: web.AppRunner | None = None

    # --- server ---------------------------------------------------------------------------
    async def start(self) -> str:
        app = web.Application()
        app.router.add_route("GET", "/file/bot{token}/{path:.+}", self._file)
        app.router.add_route("*", "/bot{token}/{method}", self._dispatch)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()
        self.port = self._runner.addresses[0][1]
        return f"http://127.0.0.1:{self.port}"

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def _bump(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    @staticmethod
    async def _params(request: web.Request) -> dict[str, Any]:
        if request.content_type == "application/json":
            return dict(await request.json())
        if not request.can_read_body:
            return {}
        form = await request.post()
        params: dict[str, Any] = {}
        for key, value in form.items():
            text = str(value)
            try:
                params[key] = json.loads(text) if text[:1] in "{[" else text
            except ValueError:
                params[key] = text
        return params

    @staticmethod
    def _error(status: int, description: str, **extra: Any) -> web.Response:
        body = {"ok": False, "error_code": status, "description": description, **extra}
        return web.json_response(body, status=status)

    async def _dispatch(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params = await self._params(request)
        if method == "getUpdates":
            return await self._get_updates(params)
        self.calls.append(Call(method, params))
        self._bump()
        if method == "sendMessage":
            return self._send_message(params)
        if method == "getMe":
            result: Any = {"id": 123456, "is_bot": True, "first_name": "救助", "username": "jz_bot"}
        elif method == "editMessageText":
            result = self._message(int(params["chat_id"]), params.get("text", ""), None)
            result["message_id"] = int(params["message_id"])
        elif method == "getFile":
            file_id = str(params.get("file_id", ""))
            if file_id not in self.files:
                return self._error(400, "Bad Request: invalid file_id")
            size = len(self.files[file_id])
            result = {"file_id": file_id, "file_unique_id": f"u{file_id}", "file_size": size,
                      "file_path": f"files/{file_id}"}  # fmt: skip
        else:
            result = True
        return web.json_response({"ok": True, "result": result})

    def _send_message(self, params: dict[str, Any]) -> web.Response:
        chat = int(str(params["chat_id"]))
        now = time.monotonic()
        if self.limit is not None:
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
        self.delivered.append((chat, str(params.get("text", "")), params.get("reply_markup")))
        result = self._message(chat, params.get("text", ""), params.get("reply_markup"))
        params["result"] = result
        return web.json_response({"ok": True, "result": result})

    async def _file(self, request: web.Request) -> web.Response:
        file_id = request.match_info["path"].removeprefix("files/")
        if request.match_info["token"] != TOKEN or file_id not in self.files:
            return web.Response(status=404)
        self.file_fetches += 1
        return web.Response(body=self.files[file_id], content_type="application/octet-stream")

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

    def add_file(self, content: bytes) -> str:
        """Store a file a user sent; its file id (getFile and the download serve it)."""
        file_id = f"F{next(self._ids)}"
        self.files[file_id] = content
        return file_id

    def photo_content(self, content: bytes, caption: str = "") -> dict[str, Any]:
        """Message content of a photo (two sizes, the larger one carrying `content`)."""
        small, large = self.add_file(content[:16]), self.add_file(content)
        sizes = [
            {"file_id": small, "file_unique_id": f"u{small}", "width": 90, "height": 90},
            {"file_id": large, "file_unique_id": f"u{large}", "width": 1280, "height": 960},
        ]
        return {"photo": sizes, **({"caption": caption} if caption else {})}

    def voice_content(self, content: bytes, seconds: int = 5) -> dict[str, Any]:
        file_id = self.add_file(content)
        voice = {"file_id": file_id, "file_unique_id": f"u{file_id}", "duration": seconds,
                 "mime_type": "audio/ogg", "file_size": len(content)}  # fmt: skip
        return {"voice": voice}

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
        """The messages delivered to a chat (sendMessage calls that succeeded)."""
        return [
            c
            for c in self.calls
            if c.method == "sendMessage"
            and int(c.params["chat_id"]) == uid
            and "result" in c.params
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
