"""A resident on the web chat, driven through HTTP like a browser without JavaScript: read the
screen, tap a button or type an answer, follow the redirect."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

import httpx

Files = dict[str, tuple[str, bytes, str]]


@dataclass
class Screen:
    status: int
    messages: list[str] = field(default_factory=list)
    notice: str = ""
    buttons: dict[str, str] = field(default_factory=dict)  # label → value
    token: str = ""
    step: str = ""
    inputs: list[str] = field(default_factory=list)  # names of the text/file inputs

    @property
    def text(self) -> str:
        return "\n".join([self.notice, *self.messages])


class _Reader(HTMLParser):
    def __init__(self, screen: Screen) -> None:
        super().__init__()
        self.screen = screen
        self._in: str | None = None
        self._button: str = ""
        self._buf: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        classes = a.get("class", "").split()
        if tag == "p" and ("msg" in classes or "notice" in classes):
            self._in, self._buf = ("msg" if "msg" in classes else "notice"), []
        elif tag == "button" and a.get("name") == "choice":
            self._in, self._button, self._buf = "button", a.get("value", ""), []
        elif tag == "input" and a.get("name") == "token":
            self.screen.token = a.get("value", "")
        elif tag == "input" and a.get("name") == "step":
            self.screen.step = a.get("value", "")
        elif tag in ("input", "textarea") and a.get("name") in ("text", "photo", "number"):
            self.screen.inputs.append(a["name"])

    def handle_data(self, data: str) -> None:
        if self._in:
            self._buf.append(data)

    def handle_endtag(self, tag: str) -> None:
        if self._in == "button" and tag == "button":
            self.screen.buttons["".join(self._buf).strip()] = self._button
            self._in = None
        elif self._in in ("msg", "notice") and tag == "p":
            value = "".join(self._buf).strip()
            if self._in == "msg":
                self.screen.messages.append(value)
            else:
                self.screen.notice = value
            self._in = None


def read(response: httpx.Response) -> Screen:
    screen = Screen(response.status_code)
    _Reader(screen).feed(response.text)
    return screen


@dataclass
class Resident:
    """One browser (one cookie jar) on the web chat."""

    http: httpx.AsyncClient
    screen: Screen | None = None

    async def open(self) -> Screen:
        self.screen = read(await self.http.get("/chat"))
        return self.screen

    async def post(
        self, data: dict[str, str], files: Files | None = None, *, page: Screen | None = None
    ) -> Screen:
        """Post from `page` (default: the current screen) and follow the redirect."""
        page = page or self.screen or await self.open()
        form = {"token": page.token, "step": page.step, **data}
        response = await self.http.post("/chat", data=form, files=files)
        if response.status_code == 303:
            response = await self.http.get(response.headers["location"])
        self.screen = read(response)
        return self.screen

    async def photo(self, upload: tuple[str, bytes, str], *, page: Screen | None = None) -> Screen:
        return await self.post({"kind": "photo"}, {"photo": upload}, page=page)

    async def tap(self, label: str, *, page: Screen | None = None) -> Screen:
        page = page or self.screen or await self.open()
        assert label in page.buttons, f"no button {label!r} on {list(page.buttons)}"
        return await self.post({"choice": page.buttons[label]}, page=page)

    async def say(self, text: str, *, page: Screen | None = None) -> Screen:
        return await self.post({"text": text}, page=page)
