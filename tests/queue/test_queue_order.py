"""The township queue: order, filters, scope, overdue (督办), provider visibility, referral."""

from __future__ import annotations

from datetime import timedelta

import pytest

from backend.cases import assignment, person_access, queue, workflow
from backend.cases import service as cases_service
from backend.cases.models import CaseStatus
from backend.core.clock import FrozenClock
from backend.core.errors import InvalidInput, NotFound
from backend.core.runtime import Runtime
from backend.resources import service as resources_service
from backend.resources.models import ResourceKind
from tests.web.kit import new_case
from tests.world import World


async def _queue(
    runtime: Runtime, world: World, key: str = "township", **filters: object
) -> list[int]:
    async with runtime.sessions() as session:
        rows = await queue.list_queue(
            session,
            actor=world.actors[key],
            now=runtime.clock.now(),
            filters=queue.QueueFilter(**filters),  # type: ignore[arg-type]
        )
    return [r.id for r in rows]


async def test_emergencies_first_then_deadline_then_age(
    runtime: Runtime, world: World, clock: FrozenClock
) -> None:
    old = await new_case(runtime, world, items=("living.meal",))
    clock.advance(timedelta(hours=1))
    newer = await new_case(runtime, world, items=("living.bath",))
    urgent = await new_case(runtime, world, emergency=True, items=("care.attendance",))
    registered = await new_case(runtime, world, items=("care.visit",))
    async with runtime.sessions() as session, session.begin():
        await workflow.transition(
            session,
            clock=runtime.clock,
            actor=world.actors["township"],
            case_id=registered.id,
            to=CaseStatus.registered,
        )
    # registered waits for a 10-day investigation: its deadline is later than the new ones'
    assert await _queue(runtime, world) == [urgent.id, old.id, newer.id, registered.id]


async def test_filters(runtime: Runtime, world: World) -> None:
    meal = await new_case(runtime, world, items=("living.meal",))
    bath = await new_case(runtime, world, items=("living.bath",), emergency=True)
    in_village2 = await new_case(runtime, world, items=("living.meal",))
    async with runtime.sessions() as session, session.begin():
        found = await cases_service.get(session, case_id=in_village2.id)
        assert found is not None
        found.village_id, found.region_path = world.village2.id, world.village2.path
    assert await _queue(runtime, world, item="living.bath") == [bath.id]
    assert await _queue(runtime, world, emergency=True) == [bath.id]
    assert await _queue(runtime, world, village_id=world.village.id) == [bath.id, meal.id]
    assert await _queue(runtime, world, statuses=(CaseStatus.closed,)) == []
    assert set(await _queue(runtime, world, unassigned=True)) == {meal.id, bath.id, in_village2.id}
    async with runtime.sessions() as session, session.begin():
        await assignment.assign(
            session,
            clock=runtime.clock,
            actor=world.actors["township"],
            case_id=meal.id,
            assignee_staff_id=world.actors["worker"].staff_id or 0,
        )
    assert await _queue(runtime, world, assignee_staff_id=world.actors["worker"].staff_id) == [
        meal.id
    ]
    # the worker sees only 北屯村; the sibling township nothing of 共和镇
    assert set(await _queue(runtime, world, "worker")) == {meal.id, bath.id}
    assert await _queue(runtime, world, "sibling_township") == []


async def test_overdue_names_the_owner(runtime: Runtime, world: World, clock: FrozenClock) -> None:
    case = await new_case(runtime, world)
    async with runtime.sessions() as session, session.begin():
        await workflow.transition(
            session,
            clock=runtime.clock,
            actor=world.actors["township"],
            case_id=case.id,
            to=CaseStatus.registered,
        )
    clock.advance(timedelta(days=30))
    async with runtime.sessions() as session:
        county = await queue.list_overdue(session, actor=world.actors["county"], now=clock.now())
        other = await queue.list_overdue(
            session, actor=world.actors["other_county"], now=clock.now()
        )
    assert [(r.id, r.owner_name, r.overdue) for r in county] == [(case.id, "township-staff", True)]
    assert county[0].due_text.startswith("已超期") and county[0].due_step_name == "入户调查"
    assert other == []


async def test_provider_sees_only_assigned_cases(runtime: Runtime, world: World) -> None:
    case = await new_case(runtime, world)
    provider = world.actors["provider"]
    assert await _queue(runtime, world, "provider") == []
    async with runtime.sessions() as session:
        with pytest.raises(NotFound):
            await cases_service.get_for_actor(session, actor=provider, case_id=case.id)
    async with runtime.sessions() as session, session.begin():
        await assignment.assign(
            session,
            clock=runtime.clock,
            actor=world.actors["township"],
            case_id=case.id,
            assignee_staff_id=provider.staff_id or 0,
        )
    assert await _queue(runtime, world, "provider") == [case.id]
    async with runtime.sessions() as session:
        assert (
            await cases_service.get_for_actor(session, actor=provider, case_id=case.id)
        ).id == case.id
        person = await person_access.person_for_actor(
            session, actor=provider, person_id=case.beneficiary_id
        )
        assert person.id == case.beneficiary_id


async def test_assign_only_to_someone_covering_the_case(runtime: Runtime, world: World) -> None:
    case = await new_case(runtime, world, "sibling")
    async with runtime.sessions() as session:
        with pytest.raises(InvalidInput):  # the 北屯村 worker does not cover 新桥镇
            await assignment.assign(
                session,
                clock=runtime.clock,
                actor=world.actors["county"],
                case_id=case.id,
                assignee_staff_id=world.actors["worker"].staff_id or 0,
            )


async def test_referral_to_a_resource_with_deadline_assigns_its_account(
    runtime: Runtime, world: World
) -> None:
    case = await new_case(runtime, world, items=("care.rehab",))
    async with runtime.sessions() as session, session.begin():
        resource = await resources_service.create(
            session,
            clock=runtime.clock,
            name="县康复中心",
            kind=ResourceKind.provider,
            items=["care.rehab"],
            region=world.county,
            staff_id=world.actors["provider"].staff_id,
        )
        found = await cases_service.get(session, case_id=case.id)
        assert found is not None
        suggestions = await resources_service.suggest(session, case=found)
        assert [(s.resource.id, s.matching) for s in suggestions] == [
            (resource.id, ("care.rehab",))
        ]
        referral = await assignment.refer(
            session,
            clock=runtime.clock,
            actor=world.actors["township"],
            case_id=case.id,
            resource_id=resource.id,
            reason="需要康复训练",
            due_workdays=5,
        )
        assert referral.due_at > runtime.clock.now() + timedelta(days=6)  # 5 working days
    assert await _queue(runtime, world, "provider", statuses=(CaseStatus.referred,)) == [case.id]
    async with runtime.sessions() as session:
        with pytest.raises(InvalidInput):
            await assignment.refer(
                session,
                clock=runtime.clock,
                actor=world.actors["township"],
                case_id=case.id,
                resource_id=resource.id,
                reason=" ",
            )
