"""The one mapping of the error tree to HTTP: status, stable code, and a message for a clerk."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from backend.core.errors import Conflict, Forbidden, InvalidInput, JiuzhuError, NotFound

STATUS_BY_ERROR: list[tuple[type[JiuzhuError], int]] = [
    (NotFound, 404),
    (Forbidden, 403),
    (Conflict, 409),
    (InvalidInput, 422),
]


def status_for(exc: JiuzhuError) -> int:
    for cls, status in STATUS_BY_ERROR:
        if isinstance(exc, cls):
            return status
    return 400


async def _jiuzhu_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, JiuzhuError)
    return JSONResponse({"error": exc.code, "message": exc.message}, status_code=status_for(exc))


async def _validation_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    problems = [
        {"where": ".".join(str(p) for p in e.get("loc", ())), "problem": e.get("msg", "")}
        for e in exc.errors()
    ]
    return JSONResponse(
        {"error": "invalid_request", "message": "请求格式不正确", "problems": problems},
        status_code=422,
    )


async def _http_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    return JSONResponse(
        {"error": "http_error", "message": str(exc.detail)},
        status_code=exc.status_code,
        headers=getattr(exc, "headers", None),
    )


def install(app: FastAPI) -> None:
    app.add_exception_handler(JiuzhuError, _jiuzhu_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
