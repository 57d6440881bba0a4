"""The one mapping of the error tree to HTTP: status, stable code, and a message for a clerk.

API paths answer JSON; console pages (marked by `request.state.console`) answer a page, a
redirect to the sign-in form, or — after a refused form post — a redirect back with the message.
"""

from __future__ import annotations

from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from backend.core.errors import Conflict, Forbidden, InvalidInput, JiuzhuError, NotFound
from backend.staff.auth import LoginFailed, Throttled

STATUS_BY_ERROR: list[tuple[type[JiuzhuError], int]] = [
    (NotFound, 404),
    (Forbidden, 403),
    (Conflict, 409),
    (InvalidInput, 422),
    (LoginFailed, 401),
    (Throttled, 429),
]


def status_for(exc: JiuzhuError) -> int:
    for cls, status in STATUS_BY_ERROR:
        if isinstance(exc, cls):
            return status
    return 400


def _console(request: Request) -> bool:
    return bool(getattr(request.state, "console", False))


def _console_error(request: Request, message: str, status: int, code: str) -> Response:
    from backend.web.console.render import error_page

    if code == "unauthenticated" and request.url.path != "/login":
        return RedirectResponse(f"/login?next={quote(request.url.path)}", status_code=303)
    back = getattr(request.state, "back", None)
    if request.method == "POST" and back:
        return RedirectResponse(f"{back}?error={quote(message)}", status_code=303)
    return error_page(request, message, status)


async def _jiuzhu_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, JiuzhuError)
    status = status_for(exc)
    if _console(request):
        return _console_error(request, exc.message, status, exc.code)
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else None
    body: dict[str, object] = {"error": exc.code, "message": exc.message}
    if isinstance(exc.details.get("fields"), dict):  # a form's problems, field by field
        body["fields"] = exc.details["fields"]
    return JSONResponse(body, status_code=status, headers=headers)


async def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    problems = [
        {"where": ".".join(str(p) for p in e.get("loc", ())), "problem": e.get("msg", "")}
        for e in exc.errors()
    ]
    if _console(request):
        return _console_error(request, "填写的内容格式不正确,请检查后再提交", 422, "invalid")
    return JSONResponse(
        {"error": "invalid_request", "message": "请求格式不正确", "problems": problems},
        status_code=422,
    )


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    if _console(request):
        return _console_error(request, str(exc.detail), exc.status_code, "http")
    return JSONResponse(
        {"error": "http_error", "message": str(exc.detail)},
        status_code=exc.status_code,
        headers=getattr(exc, "headers", None),
    )


def install(app: FastAPI) -> None:
    app.add_exception_handler(JiuzhuError, _jiuzhu_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
