"""Console 资源目录: the directory of the user's area, and adding or editing a resource (name,
kind, items, contact, phone, in use or stopped) by township and county officers and
administrators of the resource's region (`resources.service.may_edit`). A resource serving
another area answers like a missing one."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from backend.cases import items as items_service
from backend.core.errors import Forbidden, InvalidInput
from backend.regions import service as regions_service
from backend.regions.models import Region, RegionLevel
from backend.resources import service as resources_service
from backend.resources.models import KIND_NAMES, ResourceKind
from backend.staff.actor import Actor
from backend.web.console.render import PostUserDep, UserDep, mark_console, page
from backend.web.deps import RuntimeDep, SessionDep

router = APIRouter(include_in_schema=False, dependencies=[Depends(mark_console)])
Short = Annotated[str, Form(max_length=100)]
Items = Annotated[list[str], Form(max_length=40)]
_REFUSED = "只有本辖区的乡镇、县级人员或管理员可以维护资源目录"


async def _regions(session: SessionDep, actor: Actor) -> list[Region]:
    """Counties and townships the user may add resources for."""
    found: dict[int, Region] = {}
    for grant in actor.grants:
        if grant.role not in resources_service.EDITORS:
            continue
        region = await regions_service.get(session, region_id=grant.region_id)
        if region is None:
            continue
        for r in [region, *await regions_service.list_children(session, region=region)]:
            if r.level in (RegionLevel.county, RegionLevel.township):
                found[r.id] = r
    if not found:
        raise Forbidden(_REFUSED, code="resource_forbidden")
    return sorted(found.values(), key=lambda r: r.code)


def _form(request: Request, user: UserDep, name: str, **context: object) -> HTMLResponse:
    return page(request, name, user, kind_names=KIND_NAMES, items=items_service.names(),
                kinds=list(ResourceKind), **context)  # fmt: skip


@router.get("/resources", response_class=HTMLResponse)
async def resources_page(request: Request, user: UserDep, session: SessionDep) -> HTMLResponse:
    found = await resources_service.list_for_actor(session, actor=user.actor)
    stopped = await resources_service.list_inactive_for_editor(session, actor=user.actor)
    return page(
        request,
        "resources.html",
        user,
        resources=found,
        stopped=stopped,
        kind_names=KIND_NAMES,
        describe=items_service.describe,
        may_edit=lambda r: resources_service.may_edit(user.actor, r),
        may_add=user.actor.has_role(resources_service.EDITORS),
    )


@router.get("/resources/new", response_class=HTMLResponse)
async def new_form(request: Request, user: UserDep, session: SessionDep) -> HTMLResponse:
    regions = await _regions(session, user.actor)
    return _form(request, user, "resource_form.html", resource=None, regions=regions)


@router.post("/resources/new")
async def add(
    user: PostUserDep, session: SessionDep, runtime: RuntimeDep,
    name: Short = "", kind: Annotated[str, Form(max_length=16)] = "",
    region_id: Annotated[int, Form(ge=0, le=2**31 - 1)] = 0, item: Items = [],  # noqa: B006
    contact: Annotated[str, Form(max_length=50)] = "",
    phone: Annotated[str, Form(max_length=30)] = "",
) -> Response:  # fmt: skip
    region = await regions_service.get(session, region_id=region_id)
    if region is None or not user.actor.can_act_on(resources_service.EDITORS, region.path):
        raise Forbidden(_REFUSED, code="resource_forbidden")
    if kind not in ResourceKind.__members__:
        raise InvalidInput("请选择资源类别", code="resource_kind")
    resource = await resources_service.create(
        session, clock=runtime.clock, name=name, kind=ResourceKind(kind),
        items=item, region=region, contact=contact, phone=phone,
    )  # fmt: skip
    return RedirectResponse(f"/resources?msg={quote('已添加 ' + resource.name)}", status_code=303)


@router.get("/resources/{resource_id}", response_class=HTMLResponse)
async def edit_form(
    request: Request, resource_id: int, user: UserDep, session: SessionDep
) -> HTMLResponse:
    resource = await resources_service.get_for_actor(
        session, actor=user.actor, resource_id=resource_id
    )
    if not resources_service.may_edit(user.actor, resource):
        raise Forbidden(_REFUSED, code="resource_forbidden")
    return _form(request, user, "resource_form.html", resource=resource, regions=[])


@router.post("/resources/{resource_id}")
async def edit(
    resource_id: int, user: PostUserDep, session: SessionDep,
    name: Short = "", item: Items = [],  # noqa: B006
    contact: Annotated[str, Form(max_length=50)] = "",
    phone: Annotated[str, Form(max_length=30)] = "",
    active: Annotated[str, Form(max_length=1)] = "",
) -> Response:  # fmt: skip
    resource = await resources_service.get_for_actor(
        session, actor=user.actor, resource_id=resource_id
    )
    if not resources_service.may_edit(user.actor, resource):
        raise Forbidden(_REFUSED, code="resource_forbidden")
    await resources_service.update(
        session, resource=resource, name=name, items=item, contact=contact, phone=phone,
        active=active == "1", note=resource.note,
    )  # fmt: skip
    return RedirectResponse(f"/resources?msg={quote('已保存 ' + resource.name)}", status_code=303)
