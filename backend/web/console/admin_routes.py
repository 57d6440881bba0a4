"""Console 账号管理 for a county's administrators: list the accounts of their area, add one,
grant or remove a role, stop or restart an account, set a new password. Thin: every rule (scope,
no self-change, audit, sessions ended) is in `backend.staff.admin`. Every form is CSRF-checked and
ends in a redirect to the account's page."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from backend.regions import service as regions_service
from backend.regions.models import Region
from backend.staff import admin
from backend.staff.actor import Actor
from backend.web.console.render import PostUserDep, UserDep, mark_console, page
from backend.web.deps import RuntimeDep, SessionDep

router = APIRouter(include_in_schema=False, dependencies=[Depends(mark_console)])
Text50 = Annotated[str, Form(max_length=50)]
Secret = Annotated[str, Form(max_length=200)]
RegionId = Annotated[int, Form(ge=0, le=2**31 - 1)]  # 0: none chosen


def _back(staff_id: int, message: str) -> RedirectResponse:
    return RedirectResponse(f"/admin/users/{staff_id}?msg={quote(message)}", status_code=303)


async def _regions(session: SessionDep, actor: Actor) -> list[Region]:
    """The regions of the administrator's area (county, townships, villages), for the pickers."""
    found: dict[int, Region] = {}
    for path in admin.scopes(actor):
        for grant in actor.grants:
            if grant.region_path != path:
                continue
            region = await regions_service.get(session, region_id=grant.region_id)
            if region is not None:
                for r in await regions_service.list_subtree(session, region=region):
                    found[r.id] = r
    return sorted(found.values(), key=lambda r: r.code)


@router.get("/admin/users", response_class=HTMLResponse)
async def users(request: Request, user: UserDep, session: SessionDep) -> HTMLResponse:
    accounts = await admin.list_accounts(session, actor=user.actor)
    return page(
        request,
        "admin_users.html",
        user,
        accounts=accounts,
        regions=await _regions(session, user.actor),
        roles=admin.grantable_roles(),
    )


@router.post("/admin/users")
async def add_user(
    user: PostUserDep, session: SessionDep, runtime: RuntimeDep,
    username: Text50 = "", name: Text50 = "", role: Text50 = "", region_id: RegionId = 0,
    password: Secret = "", phone: Annotated[str, Form(max_length=20)] = "",
) -> Response:  # fmt: skip
    member = await admin.add_account(
        session, clock=runtime.clock, cipher=runtime.cipher, actor=user.actor,
        username=username, name=name, role=role, region_id=region_id, password=password,
        phone=phone or None,
    )  # fmt: skip
    return _back(member.id, f"已创建账号 {member.username};请当面告知初始密码")


@router.get("/admin/users/{staff_id}", response_class=HTMLResponse)
async def user_page(
    request: Request, staff_id: int, user: UserDep, session: SessionDep
) -> HTMLResponse:
    account = await admin.get_account(session, actor=user.actor, staff_id=staff_id)
    return page(
        request,
        "admin_user.html",
        user,
        account=account,
        regions=await _regions(session, user.actor),
        roles=admin.grantable_roles(),
        own=account.id == user.actor.staff_id,
    )


@router.post("/admin/users/{staff_id}/roles")
async def grant_role(
    staff_id: int, user: PostUserDep, session: SessionDep, runtime: RuntimeDep,
    role: Text50 = "", region_id: RegionId = 0,
) -> Response:  # fmt: skip
    await admin.grant_role(
        session, clock=runtime.clock, actor=user.actor, staff_id=staff_id, role=role,
        region_id=region_id,
    )  # fmt: skip
    return _back(staff_id, "已添加角色,对方下次操作时生效")


@router.post("/admin/users/{staff_id}/roles/remove")
async def revoke_role(
    staff_id: int, user: PostUserDep, session: SessionDep, runtime: RuntimeDep,
    role: Text50 = "", region_id: RegionId = 0,
) -> Response:  # fmt: skip
    await admin.revoke_role(
        session, clock=runtime.clock, actor=user.actor, staff_id=staff_id, role=role,
        region_id=region_id,
    )  # fmt: skip
    return _back(staff_id, "已移除角色,对方下次操作时生效")


@router.post("/admin/users/{staff_id}/active")
async def set_active(
    staff_id: int, user: PostUserDep, session: SessionDep, runtime: RuntimeDep,
    active: Annotated[str, Form(max_length=1)] = "",
) -> Response:  # fmt: skip
    await admin.set_active(
        session, clock=runtime.clock, actor=user.actor, staff_id=staff_id, active=active == "1"
    )
    return _back(staff_id, "账号已启用" if active == "1" else "账号已停用,已退出所有登录")


@router.post("/admin/users/{staff_id}/password")
async def reset_password(
    staff_id: int, user: PostUserDep, session: SessionDep, runtime: RuntimeDep,
    password: Secret = "", confirm: Secret = "",
) -> Response:  # fmt: skip
    await admin.reset_password(
        session, clock=runtime.clock, actor=user.actor, staff_id=staff_id, password=password,
        confirm=confirm,
    )  # fmt: skip
    return _back(staff_id, "密码已重设,对方的所有登录已退出;请当面告知新密码")
