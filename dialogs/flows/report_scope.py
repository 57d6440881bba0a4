"""What a reporting worker may pick: the villages and the households of their own scope.

Scope: the regions of the actor's village-worker and township-officer grants (a village or a group
for a village worker, the villages of the township for an officer). A household is offered by its
head (户主), or by a person who belongs to no household; only persons in 在册 status count. Every
choice is checked here again against the scope, whatever the buttons said.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, false, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.core.clock import Clock
from backend.people import service as people_service
from backend.people.models import Person
from backend.regions.models import Region, RegionLevel
from backend.staff.actor import Actor
from dialogs.flows.menu import REPORTER_ROLES

HEAD = "户主"


@dataclass(frozen=True, slots=True)
class Household:
    person_id: int
    name: str
    region_id: int
    village: str
    phone_masked: str | None


def _paths(actor: Actor) -> list[str]:
    return sorted({g.region_path for g in actor.grants if g.role in REPORTER_ROLES})


def _in_scope(actor: Actor) -> ColumnElement[bool]:
    paths = _paths(actor)
    return or_(*(Region.path.startswith(p) for p in paths)) if paths else false()


async def villages(session: AsyncSession, *, actor: Actor) -> list[Region]:
    """The villages (or groups) a new household may be placed in."""
    granted = (Region.level.in_([RegionLevel.village, RegionLevel.group]), _in_scope(actor))
    result = await session.execute(select(Region).where(*granted).order_by(Region.path))
    found = list(result.scalars())
    # A group under a granted village is reached through its village; keep the coarsest level.
    kept = [r for r in found if not any(o is not r and r.path.startswith(o.path) for o in found)]
    return kept


async def village_in_scope(session: AsyncSession, *, actor: Actor, region_id: int) -> Region | None:
    return next((r for r in await villages(session, actor=actor) if r.id == region_id), None)


def _households(actor: Actor, clock: Clock, query: str) -> list[ColumnElement[bool]]:
    where = [
        _in_scope(actor),
        or_(Person.household_id.is_(None), Person.relation_to_head == HEAD),
        people_service.active_recipients_filter(clock.now()),
    ]
    if query:
        where.append(Person.name.contains(query, autoescape=True))
    return where


async def count_households(
    session: AsyncSession, *, actor: Actor, clock: Clock, query: str = ""
) -> int:
    statement = (
        select(func.count(Person.id))
        .join(Region, Region.id == Person.region_id)
        .where(*_households(actor, clock, query))
    )
    return int((await session.execute(statement)).scalar_one())


async def list_households(
    session: AsyncSession,
    *,
    actor: Actor,
    clock: Clock,
    query: str = "",
    limit: int,
    offset: int = 0,
) -> list[Household]:
    """One page of households in scope (by village, then in the order they were registered)."""
    statement = (
        select(Person.id, Person.name, Region.id, Region.name, Person.phone_masked)
        .join(Region, Region.id == Person.region_id)
        .where(*_households(actor, clock, query))
        .order_by(Region.path, Person.id)
        .limit(limit)
        .offset(offset)
    )
    return [Household(*row) for row in (await session.execute(statement)).all()]


async def household(
    session: AsyncSession, *, actor: Actor, clock: Clock, person_id: int
) -> Household | None:
    """The household if it lies in the actor's scope; None for a foreign or unknown id."""
    statement = (
        select(Person.id, Person.name, Region.id, Region.name, Person.phone_masked)
        .join(Region, Region.id == Person.region_id)
        .where(Person.id == person_id, *_households(actor, clock, ""))
    )
    row = (await session.execute(statement)).first()
    return Household(*row) if row else None
