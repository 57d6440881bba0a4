"""Templates and the console's own dependencies: the signed-in user from the session cookie,
the CSRF check of every form post, and page rendering."""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlparse

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from backend.cases.models import STATUS_NAMES, CaseStatus
from backend.core.clock import BUSINESS_TZ, as_utc, business_date
from backend.core.errors import Forbidden
from backend.staff import auth
from backend.staff.actor import Actor
from backend.staff.models import ROLE_NAMES, Role
from backend.web.deps import SESSION_COOKIE, RuntimeDep, SessionDep, resolve_actor
from backend.workcal import service as workcal
from backend.workcal import texts as workcal_texts

HERE = Path(__file__).parent
STATIC_DIR = HERE / "static"
templates = Jinja2Templates(directory=HERE / "templates")


def _local(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    return as_utc(value).astimezone(BUSINESS_TZ).strftime(fmt) if value else ""


templates.env.filters["local"] = _local
templates.env.globals["STATUS_NAMES"] = {s.value: n for s, n in STATUS_NAMES.items()}
templates.env.globals["ROLE_NAMES"] = ROLE_NAMES


async def mark_console(request: Request) -> None:
    """Errors on console routes answer pages; a refused form post goes back to its page."""
    request.state.console = True
    referer = urlparse(request.headers.get("referer", ""))
    if request.method == "POST" and referer.netloc == request.url.netloc and referer.path:
        request.state.back = referer.path


@dataclass(frozen=True)
class ConsoleUser:
    actor: Actor
    csrf: str
    calendar_warning: str | None = None  # a year the working-day calendar does not know yet

    @property
    def roles(self) -> set[Role]:
        return {g.role for g in self.actor.grants}

    @property
    def role_names(self) -> str:
        return "、".join(sorted({ROLE_NAMES[g.role] for g in self.actor.grants}))


async def console_user(request: Request, session: SessionDep, runtime: RuntimeDep) -> ConsoleUser:
    token = request.cookies.get(SESSION_COOKIE, "")
    live = await resolve_actor(request, session, runtime, token=token, kind=auth.CONSOLE)
    missing = await workcal.missing_years(session, today=business_date(runtime.clock.now()))
    warning = workcal_texts.missing_years_warning(missing) if missing else None
    return ConsoleUser(live.actor, live.csrf_token, warning)


UserDep = Annotated[ConsoleUser, Depends(console_user)]


async def checked_user(request: Request, user: UserDep) -> ConsoleUser:
    """The user of a form post whose CSRF token matches the session's."""
    form = await request.form()
    sent = str(form.get("csrf", ""))
    if not hmac.compare_digest(sent.encode(), user.csrf.encode()):
        raise Forbidden("页面已过期,请刷新页面后重新提交", code="csrf")
    return user


PostUserDep = Annotated[ConsoleUser, Depends(checked_user)]


def page(request: Request, name: str, user: ConsoleUser | None, **context: Any) -> HTMLResponse:
    context.setdefault("error", request.query_params.get("error"))
    context.setdefault("message", request.query_params.get("msg"))
    response: HTMLResponse = templates.TemplateResponse(
        request, name, {"user": user, "CaseStatus": CaseStatus, **context}
    )
    return response


def error_page(request: Request, message: str, status: int) -> HTMLResponse:
    response: HTMLResponse = templates.TemplateResponse(
        request,
        "error.html",
        {"user": None, "message": message, "error": None},
        status_code=status,
    )
    return response
