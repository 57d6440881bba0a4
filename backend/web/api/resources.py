"""The resource directory as JSON: list what the actor may refer to, add one, and the resources
suggested for a case."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from backend.cases import items as items_service
from backend.cases import service as cases_service
from backend.core.errors import Forbidden
from backend.regions import service as regions_service
from backend.resources import service as resources_service
from backend.resources.models import KIND_NAMES, Resource, ResourceKind
from backend.staff.models import Role
from backend.web.api.schemas import NewResource, ResourceOut
from backend.web.deps import ActorDep, RuntimeDep, SessionDep

router = APIRouter(prefix="/api", tags=["resources"])
EDITORS = {Role.township_officer, Role.county_officer, Role.admin}
NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"description": "找不到(不存在,或不在您的辖区)"}}


def _out(resource: Resource, matching: tuple[str, ...] = ()) -> ResourceOut:
    return ResourceOut(
        id=resource.id,
        name=resource.name,
        kind=resource.kind.value,
        kind_name=KIND_NAMES[resource.kind],
        items=list(resource.items or []),
        item_names=items_service.describe(resource.items or []),
        region_id=resource.region_id,
        contact=resource.contact,
        phone=resource.phone,
        matching=list(matching),
    )


@router.get("/resources", summary="Resources serving the actor's area")
async def list_resources(actor: ActorDep, session: SessionDep) -> list[ResourceOut]:
    return [_out(r) for r in await resources_service.list_for_actor(session, actor=actor)]


@router.post(
    "/resources",
    summary="Add a resource (department, provider, charity, volunteers)",
    status_code=201,
)
async def add_resource(
    body: NewResource, actor: ActorDep, session: SessionDep, runtime: RuntimeDep
) -> ResourceOut:
    region = await regions_service.get_or_raise(session, region_id=body.region_id)
    if not actor.can_act_on(EDITORS, region.path):
        raise Forbidden(
            "只有本辖区的乡镇、县级人员或管理员可以维护资源目录", code="resource_forbidden"
        )
    resource = await resources_service.create(
        session,
        clock=runtime.clock,
        name=body.name,
        kind=ResourceKind(body.kind),
        items=body.items,
        region=region,
        contact=body.contact,
        phone=body.phone,
        staff_id=body.staff_id,
        note=body.note,
    )
    return _out(resource)


@router.get(
    "/cases/{case_id}/resources",
    summary="Resources matching the case's items and area",
    responses=NOT_FOUND,
)
async def suggested(case_id: int, actor: ActorDep, session: SessionDep) -> list[ResourceOut]:
    case = await cases_service.get_for_actor(session, actor=actor, case_id=case_id)
    return [
        _out(s.resource, s.matching) for s in await resources_service.suggest(session, case=case)
    ]
