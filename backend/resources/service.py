"""The resource directory: adding resources, listing what an actor may refer to, and suggesting
the resources whose items and area match a case.

A resource serves its region subtree; a county resource serves every township. The directory is
small (tens to hundreds of rows per county), so item matching happens in Python.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.cases.items import check_items
from backend.cases.models import Case
from backend.core.clock import Clock
from backend.core.errors import InvalidInput, NotFound
from backend.regions.models import Region
from backend.resources.models import Resource, ResourceKind
from backend.staff.actor import Actor
from backend.staff.models import Role


@dataclass(frozen=True, slots=True)
class Suggestion:
    resource: Resource
    matching: tuple[str, ...]  # the case's items this resource serves


async def create(
    session: AsyncSession,
    *,
    clock: Clock,
    name: str,
    kind: ResourceKind,
    items: Sequence[str],
    region: Region,
    contact: str | None = None,
    phone: str | None = None,
    staff_id: int | None = None,
    note: str | None = None,
) -> Resource:
    name = name.strip()
    if not name or len(name) > 100:
        raise InvalidInput("资源名称不能为空,最多100字", code="resource_name")
    resource = Resource(
        name=name,
        kind=kind,
        items=check_items(items),
        region_id=region.id,
        region_path=region.path,
        contact=(contact or "").strip() or None,
        phone=(phone or "").strip() or None,
        staff_id=staff_id,
        active=True,
        note=note,
        created_at=clock.now(),
    )
    session.add(resource)
    await session.flush()
    return resource


EDITORS = frozenset({Role.township_officer, Role.county_officer, Role.admin})


def may_edit(actor: Actor, resource: Resource) -> bool:
    """Township and county officers and administrators keep the directory of their area."""
    return actor.can_act_on(EDITORS, resource.region_path)


def _serves_area(actor: Actor, path: str) -> bool:
    return any(
        path in _ancestors(g.region_path) or path.startswith(g.region_path) for g in actor.grants
    )


async def get_for_actor(session: AsyncSession, *, actor: Actor, resource_id: int) -> Resource:
    """A resource (active or not) serving the actor's area; any other answers like a missing one."""
    resource = await session.get(Resource, resource_id)
    if resource is None or not _serves_area(actor, resource.region_path):
        raise NotFound("找不到这个资源", code="resource_not_found")
    return resource


async def list_inactive_for_editor(session: AsyncSession, *, actor: Actor) -> list[Resource]:
    """Stopped resources the actor may start again."""
    query = select(Resource).where(Resource.active.is_(False)).order_by(Resource.name)
    return [r for r in (await session.execute(query)).scalars() if may_edit(actor, r)]


async def update(
    session: AsyncSession,
    *,
    resource: Resource,
    name: str,
    items: Sequence[str],
    contact: str | None,
    phone: str | None,
    active: bool,
    note: str | None = None,
) -> Resource:
    """Change what a resource offers and how to reach it; an inactive one is no longer
    suggested or offered for referral (its past referrals stay)."""
    name = name.strip()
    if not name or len(name) > 100:
        raise InvalidInput("资源名称不能为空,最多100字", code="resource_name")
    resource.name = name
    resource.items = check_items(items)
    resource.contact = (contact or "").strip()[:50] or None
    resource.phone = (phone or "").strip()[:30] or None
    resource.note = (note or "").strip()[:200] or None
    resource.active = active
    await session.flush()
    return resource


def _ancestors(path: str) -> list[str]:
    """ "a/b/c/" → ["a/", "a/b/", "a/b/c/"]: the regions whose resources serve `path`."""
    segments = path.strip("/").split("/")
    return ["/".join(segments[: i + 1]) + "/" for i in range(len(segments))]


async def list_for_actor(session: AsyncSession, *, actor: Actor) -> list[Resource]:
    """Resources serving any part of the actor's area: above it (a county resource) or inside."""
    if not actor.grants:
        return []
    clauses: list[ColumnElement[bool]] = []
    for grant in actor.grants:
        clauses.append(Resource.region_path.in_(_ancestors(grant.region_path)))
        clauses.append(Resource.region_path.startswith(grant.region_path, autoescape=True))
    query = (
        select(Resource)
        .where(Resource.active.is_(True), or_(*clauses))
        .order_by(Resource.kind, Resource.name, Resource.id)
    )
    return list((await session.execute(query)).scalars())


async def suggest(session: AsyncSession, *, case: Case) -> list[Suggestion]:
    """Active resources serving the case's area and at least one of its items, best first."""
    query = select(Resource).where(
        Resource.active.is_(True), Resource.region_path.in_(_ancestors(case.region_path))
    )
    wanted = set(case.item_ids)
    found = [
        Suggestion(r, tuple(sorted(wanted & set(r.items or []))))
        for r in (await session.execute(query)).scalars()
    ]
    found = [s for s in found if s.matching]
    found.sort(key=lambda s: (-len(s.matching), s.resource.kind.value, s.resource.name))
    return found
