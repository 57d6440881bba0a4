"""The FastAPI application factory. The runtime (engine, sessions, clock) is built by the caller
and handed in, so tests and `jiuzhu serve` assemble the same app with different settings."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager

from fastapi import APIRouter, FastAPI
from fastapi.staticfiles import StaticFiles

import backend.models  # noqa: F401  (every table, incl. the case assignment that scope reads)
from backend.core.runtime import Runtime
from backend.web import errors
from backend.web.api import auth, cases, health, ledger, people, relief, resources
from backend.web.chat import routes as chat_routes
from backend.web.console import admin_routes, case_routes, duty_routes, resource_routes, routes
from backend.web.console.render import STATIC_DIR


def create_app(runtime: Runtime, *, routers: Sequence[APIRouter] = ()) -> FastAPI:
    """The app; `routers` lets the composition root mount transport adapters (e.g. the Telegram
    webhook from `bot/`) without `backend/` importing them."""

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        await runtime.close()

    app = FastAPI(
        title="jiuzhu 救助",
        version="0.1.0",
        description="Service-type social assistance: intake, work queue, visits and surveys.",
        lifespan=lifespan,
    )
    app.state.runtime = runtime
    errors.install(app)
    app.include_router(health.router)
    # The residents' web chat first: FastAPI tries the routes in order, and /chat (the busiest
    # public path) would otherwise be matched against every console and API route before it.
    app.include_router(chat_routes.router)
    app.mount("/chat/static", StaticFiles(directory=chat_routes.STATIC_DIR), name="chat-static")
    for api in (auth, cases, people, resources, ledger, relief):
        app.include_router(api.router)
    app.include_router(routes.router)
    app.include_router(case_routes.router)
    app.include_router(duty_routes.router)
    app.include_router(admin_routes.router)  # 账号管理
    app.include_router(resource_routes.router)  # 资源目录 and its editing
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    for router in routers:
        app.include_router(router)
    return app
