"""Sign-in for API clients: a bearer token from user name and password; sign-out; who am I."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from backend.staff import auth
from backend.staff.models import ROLE_NAMES
from backend.web.api.schemas import Login, Me, Token
from backend.web.deps import ActorDep, RuntimeDep, SessionDep

router = APIRouter(prefix="/api/auth", tags=["auth"])
ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "用户名或密码不正确"},
    429: {"description": "尝试次数过多"},
}


@router.post("/token", summary="Sign in: a bearer token", responses=ERRORS)
async def token(body: Login, request: Request, session: SessionDep, runtime: RuntimeDep) -> Token:
    request.state.login_name = body.username
    issued = await auth.login(
        session,
        clock=runtime.clock,
        username=body.username,
        password=body.password,
        address=request.client.host if request.client else "",
        kind=auth.API,
    )
    return Token(
        token=issued.token,
        expires_at=issued.session.expires_at,
        idle_minutes=int(auth.IDLE_TIMEOUT[auth.API].total_seconds() // 60),
    )


@router.post("/logout", summary="End this token", status_code=204)
async def logout(
    _: ActorDep,
    session: SessionDep,
    runtime: RuntimeDep,
    credentials: Annotated[
        HTTPAuthorizationCredentials | None, Depends(HTTPBearer(auto_error=False))
    ],
) -> None:
    if credentials:
        await auth.logout(session, clock=runtime.clock, token=credentials.credentials)


@router.get("/me", summary="The signed-in staff member and their roles")
async def me(actor: ActorDep) -> Me:
    return Me(
        staff_id=actor.staff_id,
        name=actor.label,
        roles=[
            {"role": g.role.value, "role_name": ROLE_NAMES[g.role], "region_path": g.region_path}
            for g in actor.grants
        ],
    )
