"""The web chat pages: `/chat` (the dialog, one question per screen) and `/chat/status` (progress
by case number). Plain HTML forms with redirect-after-post, so the page works without
JavaScript and inside WeChat's browser; every text comes from `dialogs/texts`."""

from __future__ import annotations

import re
import secrets
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from markupsafe import Markup, escape

from backend.core.runtime import Runtime
from backend.web.chat import device, lookup, upload
from backend.web.chat.service import ChatService, View
from dialogs.texts import render
from dialogs.texts.webchat import TEXTS as PAGE_TEXTS
from dialogs.types import Inbound

HERE = Path(__file__).parent
STATIC_DIR = HERE / "static"
templates = Jinja2Templates(directory=HERE / "templates")
_TOKEN = re.compile(r"^[0-9a-f]{16}$")
_CASE_NUMBER = re.compile(r"\d{6}-\d{4}-\d{5}")
_BIND_CODE = re.compile(r"^[A-Za-z0-9_-]{1,64}$")  # shape only; the dialog checks the code
NAV = frozenset({"back", "cancel", "skip"})
MAX_MB = upload.MAX_PHOTO // (1024 * 1024)
NOTICES = frozenset({"error", "busy", "photo_missing"})


def text(key: str, params: dict[str, Any] | None = None) -> str:
    """A page text (`dialogs/texts/webchat.py`) or a dialog text, rendered as it is."""
    if key in PAGE_TEXTS:
        return PAGE_TEXTS[key].format(**params) if params else PAGE_TEXTS[key]
    return render(key, params)


def _marked(value: str) -> Markup:
    """The text, escaped, with case numbers kept on one line and set off (people copy them)."""
    return Markup(_CASE_NUMBER.sub(lambda m: f'<strong class="num">{m[0]}</strong>', escape(value)))


templates.env.globals["T"] = PAGE_TEXTS
templates.env.filters["marked"] = _marked


def _service(request: Request) -> ChatService:
    state = request.app.state
    if getattr(state, "chat", None) is None:
        runtime: Runtime = state.runtime
        state.chat = ChatService(runtime)
    chat: ChatService = state.chat
    return chat


def _device(request: Request) -> tuple[str, bool]:
    """The device id from the cookie, or a new one (True: the cookie must be set)."""
    secret = _service(request).runtime.settings.secret()
    found = device.verify(secret, request.cookies.get(device.COOKIE))
    return (found, False) if found else (device.new_id(), True)


def _remember(request: Request, response: Response, device_id: str) -> None:
    secret = _service(request).runtime.settings.secret()
    response.set_cookie(
        device.COOKIE,
        device.sign(secret, device_id),
        max_age=device.MAX_AGE,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        path="/chat",
    )


def _screen(view: View, notice: str | None) -> dict[str, Any]:
    messages = [text(r.key, r.params) for r in view.replies]
    asking = next((r for r in reversed(view.replies) if r.choices), None)
    rows = [
        [{"value": c.value, "label": text(c.key, c.params), "nav": c.value in NAV} for c in row]
        for row in (asking.choices if asking else ())
    ]
    return {
        "notice": text(notice, {"limit": MAX_MB}) if notice else "",
        "messages": messages,
        "news": [
            {
                "text": text(r.key, r.params),
                "rows": [
                    [{"value": c.value, "label": text(c.key, c.params)} for c in row]
                    for row in r.choices
                ],
            }
            for r in view.news
        ],
        "rows": [r for r in rows if not all(b["nav"] for b in r)],
        "nav": [b for r in rows for b in r if b["nav"]],
        "view": view,
        "token": secrets.token_hex(8),
        "max_mb": MAX_MB,
    }


async def _page(
    request: Request, device_id: str, new: bool, *, notice: str | None = None, status: int = 200
) -> HTMLResponse:
    view = await _service(request).view(device_id)
    response = templates.TemplateResponse(
        request, "chat.html", _screen(view, notice), status_code=status
    )
    response.headers["Cache-Control"] = "no-store"  # the back button must not show stale forms
    if new:
        _remember(request, response, device_id)
    return response


async def _inbound(request: Request, form: upload.Form) -> Inbound | None:
    """The dialog input of a posted form: a tapped button, a photo (with its caption) or text."""
    words = form.fields.get("text", "")
    if form.fields.get(
        "start"
    ):  # 确认绑定: the dialog's deep-link start, as Telegram's /start CODE
        return Inbound("command", command="start", text=form.fields["start"][:64])
    if form.fields.get("choice"):
        return Inbound("choice", value=form.fields["choice"][:200])
    if form.photo is not None:
        storage = _service(request).runtime.settings.attachments_dir
        file_id = await upload.keep_photo(storage, form.photo)
        return Inbound("photo", text=words, file_id=file_id)
    return Inbound("text", text=words) if words.strip() else None


def _bind_page(request: Request, device_id: str, new: bool, code: str) -> Response:
    """A bind link (`/chat?start=CODE`) only shows 确认绑定: link previews (WeChat fetches every
    link) and crawlers must not use the single-use code up; the POST binds. Writes nothing."""
    valid = bool(_BIND_CODE.match(code))
    context = {"code": code if valid else "", "token": secrets.token_hex(8)}
    response = templates.TemplateResponse(
        request, "bind.html", context, status_code=200 if valid else 400
    )
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    if new:
        _remember(request, response, device_id)
    return response


router = APIRouter(include_in_schema=False)


@router.get("/chat", response_class=HTMLResponse)
async def chat_page(request: Request) -> Response:
    device_id, new = _device(request)
    code = request.query_params.get("start", "").strip()
    if code:
        return _bind_page(request, device_id, new, code)
    notice = request.query_params.get("n")
    return await _page(request, device_id, new, notice=notice if notice in NOTICES else None)


@router.post("/chat")
async def chat_post(request: Request) -> Response:
    device_id, new = _device(request)
    try:
        form = await upload.read_form(request)
    except upload.TooLarge as exc:
        notice = "photo_too_big" if exc.what == "photo" else "too_long"
        return await _page(request, device_id, new, notice=notice, status=413)
    except upload.NotImage:
        return await _page(request, device_id, new, notice="photo_not_image", status=415)
    except upload.BadForm:
        return await _page(request, device_id, new, notice="page_expired", status=400)
    fields = form.fields
    token = fields.get("token", "")
    if not _TOKEN.match(token):
        return await _page(request, device_id, new, notice="page_expired", status=400)
    inbound = await _inbound(request, form)
    if inbound is None:  # an empty form: nothing typed, no photo chosen
        target = "/chat?n=photo_missing" if fields.get("kind") == "photo" else "/chat"
    else:
        outcome = await _service(request).step(
            device_id, token=token, shown_step=fields.get("step", ""), inbound=inbound
        )
        target = f"/chat?n={outcome}" if outcome in NOTICES else "/chat"
    response = RedirectResponse(target, status_code=303)
    if new:
        _remember(request, response, device_id)
    return response


@router.get("/chat/status", response_class=HTMLResponse)
async def status_page(request: Request) -> Response:
    device_id, new = _device(request)
    response = templates.TemplateResponse(request, "status.html", {"answer": "", "notice": ""})
    if new:
        _remember(request, response, device_id)
    return response


@router.post("/chat/status", response_class=HTMLResponse)
async def status_lookup(request: Request) -> Response:
    """Answered on the page itself (nothing changes but the guess count, so no redirect)."""
    device_id, new = _device(request)
    try:
        fields = (await upload.read_form(request)).fields
    except (upload.TooLarge, upload.NotImage, upload.BadForm):
        fields = {}
    runtime = _service(request).runtime
    number = lookup.clean_number(fields.get("number", ""))
    last4 = fields.get("phone4", "").strip()
    address = request.client.host if request.client else "unknown"
    answer, notice, code = "", "", 200
    async with runtime.sessions() as session, session.begin():
        admitted = await lookup.admit(
            session,
            clock=runtime.clock,
            secret=runtime.settings.secret(),
            device_id=device_id,
            address=address,
        )
        if not admitted:
            notice, code = text("lookup_limited"), 429
        elif number is None or not (len(last4) == 4 and last4.isdigit()):
            notice, code = text("lookup_bad_input"), 422
        else:
            found = await lookup.find(session, clock=runtime.clock, number=number, last4=last4)
            answer = text("status_case", found) if found else text("lookup_none")
    response = templates.TemplateResponse(
        request, "status.html", {"answer": answer, "notice": notice}, status_code=code
    )
    response.headers["Cache-Control"] = "no-store"
    if new:
        _remember(request, response, device_id)
    return response
