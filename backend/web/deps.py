"""Dependencies shared by the routes: the runtime, one session (one transaction) per request, and
the acting staff member, rebuilt from the database on every request.

Audit at the edge: a refused request (not found, forbidden, not signed in, throttled) is written
to the audit log in its own transaction after the request's transaction has been rolled back; a
successful change (any method but GET/HEAD) by a signed-in actor is written in the request's own
transaction, so it is kept exactly when the change is.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.ext.asyncio import AsyncSession

from backend.audit import service as audit
from backend.core.errors import Forbidden, JiuzhuError, NotFound
from backend.core.runtime import Runtime
from backend.staff import auth
from backend.staff.actor import Actor

log = logging.getLogger(__name__)
DENIALS = (NotFound, Forbidden, auth.LoginFailed, auth.Throttled)
SESSION_COOKIE = "jiuzhu_session"


async def get_runtime(request: Request) -> Runtime:
    """Async on purpose: FastAPI runs a plain `def` dependency in a worker thread, a thread hop on
    every request for a lookup."""
    runtime: Runtime = request.app.state.runtime
    return runtime


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


def _where(request: Request) -> dict[str, str]:
    """The route template (ids only, never a query string or a body)."""
    route = request.scope.get("route")
    template = getattr(route, "path", request.url.path)
    return {"route": f"{request.method} {template}"[:200]}


def _entity(request: Request) -> tuple[str, str | None]:
    for name, kind in (("case_id", "case"), ("person_id", "person")):
        if name in request.path_params:
            return kind, str(request.path_params[name])[:40]
    return "http", None


async def record_denial(runtime: Runtime, request: Request, exc: JiuzhuError) -> None:
    actor: Actor | None = getattr(request.state, "actor", None)
    try:
        async with runtime.sessions() as session, session.begin():
            if isinstance(exc, auth.LoginFailed) and getattr(request.state, "login_name", None):
                await auth.record_failure(
                    session,
                    clock=runtime.clock,
                    username=request.state.login_name,
                    address=request.client.host if request.client else "",
                )
            kind, entity_id = _entity(request)
            await audit.record(
                session,
                clock=runtime.clock,
                actor_staff_id=actor.staff_id if actor else None,
                actor_label=actor.label if actor else "未登录",
                action="denied",
                entity_type=kind,
                entity_id=entity_id,
                allowed=False,
                reason=exc.code[:200],
                detail=_where(request),
            )
    except Exception:  # the refusal itself must still reach the user
        log.exception("could not record a denied request in the audit log")


async def get_session(request: Request, runtime: RuntimeDep) -> AsyncIterator[AsyncSession]:
    async with runtime.sessions() as session:
        try:
            async with session.begin():
                yield session
                actor: Actor | None = getattr(request.state, "actor", None)
                # A post that only looked (a preview, a search) sets `read_only`: no "change".
                read_only = getattr(request.state, "read_only", False)
                if actor is not None and request.method not in ("GET", "HEAD") and not read_only:
                    kind, entity_id = _entity(request)
                    await audit.record(
                        session,
                        clock=runtime.clock,
                        actor_staff_id=actor.staff_id,
                        actor_label=actor.label,
                        action="change",
                        entity_type=kind,
                        entity_id=entity_id,
                        detail=_where(request),
                    )
        except DENIALS as exc:
            await record_denial(runtime, request, exc)
            raise


SessionDep = Annotated[AsyncSession, Depends(get_session)]
_bearer = HTTPBearer(auto_error=False, description="令牌: POST /api/auth/token 取得")


async def resolve_actor(
    request: Request, session: AsyncSession, runtime: Runtime, *, token: str, kind: str
) -> auth.Live:
    """The live session and its actor (one query), or `LoginFailed` as "unauthenticated"."""
    live = await auth.authenticate_actor(session, clock=runtime.clock, token=token, kind=kind)
    if live is None:
        raise auth.LoginFailed("请先登录(或登录已过期)", code="unauthenticated")
    if not live.actor.grants:
        raise auth.LoginFailed("账号已停用或没有任何角色", code="unauthenticated")
    request.state.actor = live.actor
    return live


async def api_actor(
    request: Request,
    session: SessionDep,
    runtime: RuntimeDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Actor:
    token = credentials.credentials if credentials else ""
    live = await resolve_actor(request, session, runtime, token=token, kind=auth.API)
    return live.actor


ActorDep = Annotated[Actor, Depends(api_actor)]
