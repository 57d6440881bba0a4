"""Households (户), their members with the relation to the head (与户主关系), and target groups.

Most households arrive through a roster import (`backend.rosters`), which writes in bulk; these
functions are the one-at-a-time way for a clerk's entry and for tests.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from backend.core.clock import Clock
from backend.core.errors import Conflict
from backend.people import groups as vocab
from backend.people.models import Household, Person, PersonStatus, TargetGroup
from backend.regions.models import Region


async def create(
    session: AsyncSession, *, clock: Clock, region: Region, address: str | None = None
) -> Household:
    now = clock.now()
    household = Household(region_id=region.id, address=address, created_at=now, updated_at=now)
    session.add(household)
    await session.flush()
    return household


async def add_member(
    session: AsyncSession, *, clock: Clock, household: Household, person: Person, relation: str
) -> Person:
    """Put the person in the household (moving them from any other one)."""
    person.household_id = household.id
    person.relation_to_head = vocab.clean_relation(relation)
    person.updated_at = clock.now()
    await session.flush()
    return person


async def list_members(session: AsyncSession, *, household_id: int) -> list[Person]:
    query = select(Person).where(Person.household_id == household_id).order_by(Person.id)
    return list((await session.execute(query)).scalars())


async def add_group(
    session: AsyncSession,
    *,
    clock: Clock,
    person: Person,
    group: str,
    sub_type: str | None = None,
    disability_grade: int | None = None,
    since: date | None = None,
    source: str | None = None,
) -> TargetGroup:
    """Put the person on a target group (by its Chinese name, a synonym or its code)."""
    code = vocab.parse_group(group)
    if person.status == PersonStatus.exited:
        raise Conflict("此人已登记退出,不能再加入救助类别", code="person_exited")
    sub = vocab.parse_sub_type(code, sub_type) if sub_type else None
    existing = (
        await session.execute(
            select(TargetGroup).where(TargetGroup.person_id == person.id, TargetGroup.group == code)
        )
    ).scalar_one_or_none()
    now = clock.now()
    if existing is None:
        existing = TargetGroup(person_id=person.id, group=code, source=source, created_at=now)
        session.add(existing)
    existing.sub_type = sub or existing.sub_type
    existing.disability_grade = disability_grade or existing.disability_grade
    existing.since = since or existing.since
    existing.ended_on = None
    existing.updated_at = now
    await session.flush()
    return existing
