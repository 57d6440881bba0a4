"""Console pages: sign-in, the work queue, 督办 (overdue), the printable 公示 list, sign-out."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from backend.cases import items as items_service
from backend.cases import queue, relief
from backend.cases.models import OPEN_STATUSES, CaseStatus
from backend.regions import service as regions_service
from backend.regions.models import Region, RegionLevel
from backend.staff import auth
from backend.web.console.render import (
    PostUserDep,
    UserDep,
    mark_console,
    page,
)
from backend.web.deps import SESSION_COOKIE, RuntimeDep, SessionDep

router = APIRouter(include_in_schema=False, dependencies=[Depends(mark_console)])
PAGE = 50


def _safe_next(target: str | None) -> str:
    return target if target and target.startswith("/") and not target.startswith("//") else "/"


@router.get("/login", response_class=HTMLResponse)
async def login_form(request: Request, next: str | None = None) -> HTMLResponse:
    return page(request, "login.html", None, next=_safe_next(next))


@router.post("/login")
async def login(
    request: Request,
    session: SessionDep,
    runtime: RuntimeDep,
    username: Annotated[str, Form(max_length=50)] = "",
    password: Annotated[str, Form(max_length=200)] = "",
    next: Annotated[str, Form(max_length=300)] = "/",
) -> Response:
    request.state.login_name = username
    request.state.back = "/login"
    issued = await auth.login(
        session,
        clock=runtime.clock,
        username=username,
        password=password,
        address=request.client.host if request.client else "",
        kind=auth.CONSOLE,
    )
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        issued.token,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        max_age=int(auth.ABSOLUTE_LIFETIME[auth.CONSOLE].total_seconds()),
    )
    return response


@router.post("/logout")
async def logout(
    request: Request, user: PostUserDep, session: SessionDep, runtime: RuntimeDep
) -> Response:
    await auth.logout(session, clock=runtime.clock, token=request.cookies.get(SESSION_COOKIE, ""))
    response = RedirectResponse("/login?msg=" + quote("已退出登录"), status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response


async def _areas(session: SessionDep, user: UserDep) -> tuple[list[Region], list[Region]]:
    """Townships and villages in the user's area, for the filter drop-downs."""
    townships: dict[int, Region] = {}
    villages: dict[int, Region] = {}
    for grant in user.actor.grants:
        region = await regions_service.get(session, region_id=grant.region_id)
        if region is None:
            continue
        for r in await regions_service.list_subtree(session, region=region):
            if r.level == RegionLevel.township:
                townships[r.id] = r
            elif r.level == RegionLevel.village:
                villages[r.id] = r
    return sorted(townships.values(), key=lambda r: r.code), sorted(
        villages.values(), key=lambda r: r.code
    )


def _int(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and len(value) < 10 else None


@router.get("/", response_class=HTMLResponse)
async def work_queue(
    request: Request,
    user: UserDep,
    session: SessionDep,
    runtime: RuntimeDep,
    status: Annotated[str | None, Query(max_length=20)] = None,
    item: Annotated[str | None, Query(max_length=40)] = None,
    village: Annotated[str | None, Query(max_length=12)] = None,
    township: Annotated[str | None, Query(max_length=12)] = None,
    emergency: Annotated[str | None, Query(max_length=3)] = None,
    who: Annotated[str | None, Query(max_length=12)] = None,
    overdue: Annotated[str | None, Query(max_length=3)] = None,
    page_no: Annotated[int, Query(alias="p", ge=1, le=10_000)] = 1,
) -> HTMLResponse:
    statuses: tuple[CaseStatus, ...] = ()
    if status == "all":
        statuses = tuple(CaseStatus)
    elif status and status in CaseStatus.__members__:
        statuses = (CaseStatus(status),)
    filters = queue.QueueFilter(
        statuses=statuses,
        item=item or None,
        village_id=_int(village),
        township_id=_int(township),
        emergency=True if emergency == "1" else None,
        assignee_staff_id=user.actor.staff_id if who == "me" else None,
        unassigned=who == "none",
        overdue=overdue == "1",
    )
    now = runtime.clock.now()
    rows = await queue.list_queue(
        session,
        actor=user.actor,
        now=now,
        filters=filters,
        limit=PAGE + 1,
        offset=(page_no - 1) * PAGE,
    )
    townships, villages = await _areas(session, user)
    args = {k: v for k, v in request.query_params.items() if k != "p"}
    return page(
        request,
        "queue.html",
        user,
        rows=rows[:PAGE],
        has_more=len(rows) > PAGE,
        page_no=page_no,
        args=args,
        townships=townships,
        villages=villages,
        items=items_service.names(),
        open_statuses=[s for s in CaseStatus if s in OPEN_STATUSES],
        all_statuses=list(CaseStatus),
    )


@router.get("/overdue", response_class=HTMLResponse)
async def overdue(
    request: Request, user: UserDep, session: SessionDep, runtime: RuntimeDep
) -> HTMLResponse:
    rows = await queue.list_overdue(session, actor=user.actor, now=runtime.clock.now())
    return page(request, "overdue.html", user, rows=rows)


@router.get("/publicity", response_class=HTMLResponse)
async def publicity(
    request: Request, user: UserDep, session: SessionDep,
    township_id: Annotated[str | None, Query(max_length=12)] = None,
) -> HTMLResponse:  # fmt: skip
    """公示名单 of one township for printing: number, name, village, items and dates only."""
    townships, _ = await _areas(session, user)
    chosen = _int(township_id) or (townships[0].id if len(townships) == 1 else None)
    rows = None
    name = ""
    if chosen is not None:
        rows = await relief.publicity_list(session, actor=user.actor, township_id=chosen)
        name = next((t.name for t in townships if t.id == chosen), "")
    return page(
        request,
        "publicity.html",
        user,
        townships=townships,
        chosen=chosen,
        rows=rows,
        township_name=name,
    )


# 代录 (clerk entry) and the 受理回执: their own module, served as pages of this router (its
# routes carry the same console dependency), so whoever lists the console's routes sees them.
from backend.web.console import intake_routes  # noqa: E402

router.routes.extend(intake_routes.router.routes)
